/* The AT queue's choice of the next command, a pure function over plain
 * structs (the engine copies its queue into an array of items in submission
 * order). Rules, first match wins:
 *   1. a pinned item (a resync step) goes first;
 *   2. once max_passes commands in a row overtook an older one, the oldest
 *      goes (no class starves under a continuous stream of urgent work);
 *   3. the oldest item that waited at least its class' patience goes;
 *   4. otherwise the oldest item of the most urgent class present
 *      (URGENT, then NORMAL, then SLOW): FIFO within a class.
 * Every rule picks the oldest item of its class, so commands of one class
 * always go in submission order (a batch of one class keeps its order). */
#ifndef CELLSOCK_AT_SCHED_H
#define CELLSOCK_AT_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "at/atq.h"

struct at_sched_item {
	enum at_urgency urgency;
	int pinned;			/* must go first (resync step) */
	uint64_t queued_ms;		/* when it was queued */
};

struct at_sched_params {
	int patience_ms[AT_URGENCY_N];	/* by urgency; <= 0: no aging by time */
	unsigned max_passes;		/* 0: no aging by count */
};

/* What the scheduler remembers between picks. */
struct at_sched {
	unsigned passes;		/* picks in a row that overtook an older item */
};

/* The index of the item to send next among n > 0 items in submission order. */
size_t at_sched_pick(const struct at_sched_params *, const struct at_sched *,
    const struct at_sched_item *items, size_t n, uint64_t now_ms);
/* Record that items[picked] was taken (call with the same array). */
void at_sched_taken(struct at_sched *, const struct at_sched_item *items,
    size_t n, size_t picked);
/* 0 for URGENT, 1 NORMAL, 2 SLOW: lower goes first. */
int at_sched_rank(enum at_urgency);

#endif
