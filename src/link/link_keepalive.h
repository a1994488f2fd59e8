/* Keepalive of an up link: the idle wake-up, probes and their replies, the
 * connect check, noticing a socket the module closed, and recording deaths.
 * Reports to the FSM only through l->fire (LEV_DEAD); calls link_idle.c. */
#ifndef CELLSOCK_LINK_KEEPALIVE_H
#define CELLSOCK_LINK_KEEPALIVE_H

#include "link/link.h"

struct event_base;

/* Create and free the keepalive timers. */
void link_keepalive_init(struct link *l, struct event_base *base);
void link_keepalive_free(struct link *l);
/* The link entered up: connect check, then the idle period. */
void link_keepalive_start(struct link *l);
/* The link left up: no more wake-ups. */
void link_keepalive_stop(struct link *l);
/* Record a death (counters, last error, link-dead event) without feeding
 * the FSM: for actions that are already in a transition. */
void link_dead_quiet(struct link *l, enum dead_cause cause, const char *why);

#endif
