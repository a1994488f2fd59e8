/* The schema: key tables, defaults and the links list. */
#ifndef CELLSOCK_CONF_SCHEMA_H
#define CELLSOCK_CONF_SCHEMA_H

#include "conf/conf.h"
#include "conf/conf_walk.h"

/* The top-level groups, for conf_walk() on the root setting. */
extern const struct conf_key conf_top_keys[];

/* Defaults of every key outside links; path is kept as conf->path. */
void conf_defaults(struct conf *conf, const char *path);
/* Free what one link owns. */
void conf_link_free(struct conf_link *l);

#endif
