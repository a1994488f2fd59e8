/* The AT queue's scheduler: see sched.h. */
#include "config.h"

#include "at/sched.h"

int
at_sched_rank(enum at_urgency u)
{
	switch (u) {
	case AT_URGENT:
		return 0;
	case AT_NORMAL:
		return 1;
	case AT_SLOW:
		return 2;
	}
	return 1;
}

/* The first item that is not pinned, or n. */
static size_t
at_sched_oldest(const struct at_sched_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n && items[i].pinned; i++)
		;
	return i;
}

/* Has item waited at least its class' patience? */
static int
at_sched_overdue(const struct at_sched_params *p, const struct at_sched_item *it,
    uint64_t now_ms)
{
	int patience = (unsigned)it->urgency < AT_URGENCY_N ?
	    p->patience_ms[it->urgency] : 0;

	return patience > 0 && now_ms >= it->queued_ms &&
	    now_ms - it->queued_ms >= (uint64_t)patience;
}

size_t
at_sched_pick(const struct at_sched_params *p, const struct at_sched *s,
    const struct at_sched_item *items, size_t n, uint64_t now_ms)
{
	size_t i, best = n;

	for (i = 0; i < n; i++)
		if (items[i].pinned)
			return i;
	if (p->max_passes > 0 && s->passes >= p->max_passes)
		return 0;
	for (i = 0; i < n; i++)
		if (at_sched_overdue(p, &items[i], now_ms))
			return i;
	for (i = 0; i < n; i++)
		if (best == n || at_sched_rank(items[i].urgency) <
		    at_sched_rank(items[best].urgency))
			best = i;
	return best;
}

void
at_sched_taken(struct at_sched *s, const struct at_sched_item *items, size_t n,
    size_t picked)
{
	if (picked >= n || items[picked].pinned)
		return;
	if (picked == at_sched_oldest(items, n))
		s->passes = 0;
	else
		s->passes++;
}
