/* idle = "auto": learning how long this network keeps an idle connection,
 * kept in the state directory across runs. Calls nothing else in link/. */
#ifndef CELLSOCK_LINK_IDLE_H
#define CELLSOCK_LINK_IDLE_H

#include "link/link.h"

/* (Re)start from the configuration: fixed, or learning from idle_min or
 * what an earlier run kept. */
void link_idle_init(struct link *l);
/* A probe sent after probe_idle seconds of quiet was answered. */
void link_idle_grow(struct link *l, double probe_idle);
/* The connection died silently after probe_idle seconds of quiet. */
void link_idle_settle(struct link *l, double probe_idle);

#endif
