/* idle = "auto": learning how long this network keeps an idle connection,
 * kept in the state directory across runs. Calls nothing else in link/. */
#ifndef CELLSOCK_LINK_IDLE_H
#define CELLSOCK_LINK_IDLE_H

#include "link/link.h"

struct conf_keepalive;

/* (Re)start from the configuration: fixed, or learning from idle_min or
 * what an earlier run kept. */
void link_idle_init(struct link *l);
/* A probe sent after probe_idle seconds of quiet was answered. */
void link_idle_grow(struct link *l, double probe_idle);
/* The connection died silently after probe_idle seconds of quiet. */
void link_idle_settle(struct link *l, double probe_idle);
/* An idle period starts: a settled link may try a longer one (probing up). */
void link_idle_tick(struct link *l);

/* The learner's pure core (no clock, no I/O): idle is what a probe
 * measured from the last byte on the network, now the monotonic clock in
 * seconds. Each returns 1 when the period or the mode changed. */
void idle_learn_reset(struct link_idle *s, const struct conf_keepalive *k);
int idle_learn_survived(struct link_idle *s, const struct conf_keepalive *k, double idle,
    double now);
int idle_learn_died(struct link_idle *s, const struct conf_keepalive *k, double idle,
    double now);
int idle_learn_tick(struct link_idle *s, const struct conf_keepalive *k, double now);

#endif
