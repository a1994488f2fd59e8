/* The sub-steps that run inside the connecting and closing states. Each
 * call runs the step in l->step; outcomes go back to the FSM through
 * l->fire (LEV_TIMER for the next step, LEV_DIAL_OK, LEV_DIAL_FAILED,
 * LEV_STALE, LEV_CLOSED). Calls link_keepalive.c (link_data) and the modem. */
#ifndef CELLSOCK_LINK_STEPS_H
#define CELLSOCK_LINK_STEPS_H

#include "link/link.h"

/* Connecting: quiet time, configure, stale check, dial, verify. */
void link_steps_connect(struct link *l);
/* Closing: close, then poll until the socket reads closed. */
void link_steps_close(struct link *l);
/* Close socket connid on the modem without a link to follow it (reload). */
void link_close_orphan(struct link *l, int connid);

#endif
