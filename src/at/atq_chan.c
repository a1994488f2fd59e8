/* AT engine: several channels onto one module, and which queued command a
 * channel sends next (see atq_int.h and sched.h). */
#include "config.h"

#include <stdlib.h>

#include "util.h"
#include "xmalloc.h"
#include "at/atq_int.h"
#include "at/sched.h"

/* The channel a command goes to: with several, SLOW and blocking work on
 * the last one, everything else (probes, polls, reads, sends) on the
 * first, so that the live links' work never waits behind a dial. */
struct at *
at_route(struct at *g, const struct at_command *ac)
{
	if (g->n_ports < 2)
		return g;
	if (ac->urgency == AT_SLOW || (ac->flags & AT_CMD_BLOCKING))
		return g->ports[g->n_ports - 1];
	return g->ports[0];
}

/* Note how long an URGENT command waited before it was sent. */
static void
at_note_wait(struct at *at, const struct at_cmd *c, uint64_t now)
{
	uint64_t waited;

	if (c->step != AT_STEP_NONE || c->urgency != AT_URGENT)
		return;
	waited = now >= c->queued_ms ? now - c->queued_ms : 0;
	at->cstats.urgent_sent++;
	if (waited > at->cstats.urgent_wait_max_ms)
		at->cstats.urgent_wait_max_ms = (unsigned long)waited;
}

/* Take the command to send next off the channel's queue (NULL if empty). */
struct at_cmd *
at_next(struct at *at)
{
	struct at_sched_params sp;
	struct at_sched_item *items;
	struct at_cmd *c, *pick = NULL;
	uint64_t now = util_now_ms();
	size_t n = 0, i, k;

	TAILQ_FOREACH(c, &at->queue, entry)
		n++;
	if (n == 0)
		return NULL;
	items = xcalloc(n, sizeof(*items));
	i = 0;
	TAILQ_FOREACH(c, &at->queue, entry) {
		items[i].urgency = c->urgency;
		items[i].pinned = c->step != AT_STEP_NONE;
		items[i].queued_ms = c->queued_ms;
		i++;
	}
	for (i = 0; i < AT_URGENCY_N; i++)
		sp.patience_ms[i] = at->p.patience_ms[i];
	sp.max_passes = at->p.max_passes;
	k = at_sched_pick(&sp, &at->sched, items, n, now);
	at_sched_taken(&at->sched, items, n, k);
	free(items);
	i = 0;
	TAILQ_FOREACH(c, &at->queue, entry)
		if (i++ == k) {
			pick = c;
			break;
		}
	TAILQ_REMOVE(&at->queue, pick, entry);
	at_note_wait(at, pick, now);
	return pick;
}
