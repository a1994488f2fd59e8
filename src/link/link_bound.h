/* Detection bounds under contention (issue 13): how long other links'
 * blocking commands (a dial, a close) may hold the AT channel a link's
 * probes share, and the death deadline that includes it. */
#ifndef CELLSOCK_LINK_BOUND_H
#define CELLSOCK_LINK_BOUND_H

#include <stdint.h>

struct link;

/* The channel time, seconds, that blocking work of the other links on the
 * modem may take ahead of this link's probes: 0 with two or more channels. */
double link_bound_blocking(const struct link *l);
/* The death deadline of an idle link, ms after its last sign of life:
 * idle + (retries + 1) x timeout + the blocking allowed + 0.5 s. */
uint64_t link_deadline_ms(const struct link *l);
/* The deadlines of this link's own dial and close, ms (what the dialect
 * is passed): the module's own limit kept within the tightest allowance
 * of the links that are up on the modem, this one included. */
int link_dial_timeout_ms(const struct link *l);
int link_close_timeout_ms(const struct link *l);

#endif
