/* The end of a link for good: the daemon stops, or a reload removes the
 * link. A bounded drain (stop_timeout: queued bytes are still sent, the
 * acknowledgements followed), then the verified close of the modem socket
 * (#SH, #SS until closed; at most reconnect.teardown_timeout), then the
 * owner hears that the link is idle. Every byte not delivered is reported
 * by the relay (a data-loss event with why=...) when it is freed. */
#ifndef CELLSOCK_LINK_STOP_H
#define CELLSOCK_LINK_STOP_H

#include "link/link.h"

struct event_base;

void link_stop_init(struct link *l, struct event_base *base);
void link_stop_free(struct link *l);
/* Begin the end of link l; why is a static string ("stop", "removed").
 * done(arg, l) is called from the event loop once l is idle (l may be
 * freed there). A second call only changes nothing. */
void link_stop(struct link *l, const char *why, link_stopped_fn *done, void *arg);
/* The link entered idle (link.c's link_enter): tell the owner, from the
 * loop. */
void link_stop_idle(struct link *l);
/* A stop of l was begun and is over (l is idle, the owner was told). */
int link_stop_finished(const struct link *l);
/* The longest a stop of l takes, seconds: drain plus close. */
double link_stop_bound(const struct link *l);

#endif
