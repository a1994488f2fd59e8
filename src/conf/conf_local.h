/* A link's local endpoint: links[].local. */
#ifndef CELLSOCK_CONF_LOCAL_H
#define CELLSOCK_CONF_LOCAL_H

#include "conf/conf.h"
#include "conf/conf_walk.h"

conf_parse_fn conf_parse_local;	/* into the struct conf_link at base */
conf_parse_fn conf_parse_local_users;	/* links[].local_users: uids */
/* Forget the endpoint: back to CONF_LOCAL_NONE. */
void conf_local_clear(struct conf_link *l);
/* Whether two links would listen on the same local endpoint. */
int conf_local_same(const struct conf_link *a, const struct conf_link *b);

#endif
