/* Shared by the files of the link module only (link.c, link_steps.c,
 * link_keepalive.c): the modem the link talks to, its one timer, and the
 * macro that queues a dialect request for the link. */
#ifndef CELLSOCK_LINK_INT_H
#define CELLSOCK_LINK_INT_H

#include <stdint.h>
#include <sys/time.h>

#include <event2/event.h>

#include "dialect/dialect.h"
#include "dialect/opslot.h"
#include "link/link.h"
#include "modem/modem.h"

#define LINK_POLL_MS 200	/* #SS polls while verifying a close or a dial */

static inline struct modem *
link_modem(const struct link *l)
{
	return l->env.modem;
}

static inline int
link_modem_ready(const struct link *l)
{
	return link_modem(l) != NULL && link_modem(l)->state == MODEM_READY;
}

/* The link's timer: LEV_TIMER after ms milliseconds. */
static inline void
link_timer_ms(struct link *l, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(l->ev_timer, &tv);
}

/* Queue one dialect request for this link; on a full slot table, try the
 * step again after LINK_POLL_MS. */
#define LINK_OP(l, fn, call, ...) do { \
	struct opslot *slot_ = opslot_take(&(l)->ops, fn); \
	struct modem *m_ = link_modem(l); \
	if (slot_ == NULL) { \
		link_timer_ms(l, LINK_POLL_MS); \
		break; \
	} \
	modem_dialect(m_)->call(modem_at(m_), __VA_ARGS__, opslot_reply, slot_); \
} while (0)

#endif
