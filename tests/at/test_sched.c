/* The AT queue's scheduler (src/at/sched.c), a pure function: urgency
 * order, FIFO within a class, resync steps first, aging by count and by
 * time so nothing starves under a continuous urgent stream, and a queue
 * that loses a cancelled item in the middle. The queue is simulated here as
 * an array in submission order, as the engine builds it. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "at/sched.h"

#define QMAX 64

/* A queue of tagged items: tag identifies an item across removals. */
struct q {
	struct at_sched_item it[QMAX];
	int tag[QMAX];
	size_t n;
	struct at_sched s;
	struct at_sched_params p;
	uint64_t now;
};

static void
q_init(struct q *q, unsigned max_passes, int normal_ms, int slow_ms)
{
	memset(q, 0, sizeof(*q));
	q->p.max_passes = max_passes;
	q->p.patience_ms[AT_NORMAL] = normal_ms;
	q->p.patience_ms[AT_SLOW] = slow_ms;
	q->now = 1000;
}

static void
q_push(struct q *q, enum at_urgency u, int tag)
{
	assert_true(q->n < QMAX);
	q->it[q->n].urgency = u;
	q->it[q->n].pinned = 0;
	q->it[q->n].queued_ms = q->now;
	q->tag[q->n] = tag;
	q->n++;
}

/* Remove the item at index i (sent or cancelled). */
static void
q_remove(struct q *q, size_t i)
{
	memmove(&q->it[i], &q->it[i + 1], (q->n - i - 1) * sizeof(q->it[0]));
	memmove(&q->tag[i], &q->tag[i + 1], (q->n - i - 1) * sizeof(q->tag[0]));
	q->n--;
}

/* Pick, record, remove: the tag of the item sent. */
static int
q_send(struct q *q)
{
	size_t k = at_sched_pick(&q->p, &q->s, q->it, q->n, q->now);
	int tag;

	assert_true(k < q->n);
	at_sched_taken(&q->s, q->it, q->n, k);
	tag = q->tag[k];
	q_remove(q, k);
	return tag;
}

static void
test_order(void **state)
{
	struct q q;

	(void)state;
	q_init(&q, 0, 0, 0);
	q_push(&q, AT_SLOW, 1);
	q_push(&q, AT_NORMAL, 2);
	q_push(&q, AT_URGENT, 3);
	q_push(&q, AT_NORMAL, 4);
	q_push(&q, AT_URGENT, 5);
	q_push(&q, AT_SLOW, 6);
	assert_int_equal(q_send(&q), 3);
	assert_int_equal(q_send(&q), 5);
	assert_int_equal(q_send(&q), 2);
	assert_int_equal(q_send(&q), 4);
	assert_int_equal(q_send(&q), 1);
	assert_int_equal(q_send(&q), 6);
	assert_int_equal(q.n, 0);
}

/* A zero-initialised item is NORMAL: it goes after URGENT, before SLOW. */
static void
test_zero_is_normal(void **state)
{
	struct at_sched_item it[3];
	struct at_sched s = { 0 };
	struct at_sched_params p;

	(void)state;
	memset(it, 0, sizeof(it));
	memset(&p, 0, sizeof(p));
	it[0].urgency = AT_SLOW;
	it[2].urgency = AT_URGENT;
	assert_int_equal(AT_NORMAL, 0);
	assert_int_equal(at_sched_pick(&p, &s, it, 3, 0), 2);
	assert_int_equal(at_sched_pick(&p, &s, it, 2, 0), 1);
	assert_true(at_sched_rank(AT_URGENT) < at_sched_rank(AT_NORMAL));
	assert_true(at_sched_rank(AT_NORMAL) < at_sched_rank(AT_SLOW));
}

/* Within a class, submission order, whatever else is interleaved (a
 * dialect batch of one class keeps its order). */
static void
test_fifo_within_class(void **state)
{
	struct q q;
	int last[AT_URGENCY_N] = { 0, 0, 0 };
	int tag, cls;

	(void)state;
	q_init(&q, 3, 50, 80);
	for (int i = 1; i <= 45; i++)
		q_push(&q, (enum at_urgency)(i * 7 % 3), i);
	while (q.n > 0) {
		q.now += 7;
		tag = q_send(&q);
		cls = tag * 7 % 3;
		assert_true(tag > last[cls]);
		last[cls] = tag;
	}
}

/* A resync step (pinned) goes first even behind urgent work, and does
 * not count as overtaking. */
static void
test_pinned_first(void **state)
{
	struct q q;

	(void)state;
	q_init(&q, 1, 0, 0);
	q_push(&q, AT_SLOW, 1);
	q_push(&q, AT_URGENT, 2);
	memmove(&q.it[1], &q.it[0], 2 * sizeof(q.it[0]));
	memmove(&q.tag[1], &q.tag[0], 2 * sizeof(q.tag[0]));
	q.it[0].urgency = AT_NORMAL;
	q.it[0].pinned = 1;
	q.tag[0] = 99;
	q.n = 3;
	assert_int_equal(q_send(&q), 99);
	assert_int_equal(q.s.passes, 0);
	assert_int_equal(q_send(&q), 2);	/* overtakes the SLOW one */
	assert_int_equal(q.s.passes, 1);
	assert_int_equal(q_send(&q), 1);
}

/* A continuous urgent stream: the SLOW command goes after at most
 * max_passes urgent ones, again and again. */
static void
test_no_starvation_by_count(void **state)
{
	struct q q;
	int tag, urgent_run = 0, next = 100, slow_sent = 0;

	(void)state;
	q_init(&q, 4, 0, 0);
	for (int i = 0; i < 5; i++)
		q_push(&q, AT_SLOW, i + 1);
	q_push(&q, AT_URGENT, next++);
	while (slow_sent < 5) {
		tag = q_send(&q);
		q_push(&q, AT_URGENT, next++);	/* the stream never dries up */
		if (tag < 100) {
			assert_int_equal(tag, slow_sent + 1);
			assert_true(urgent_run <= 4);
			slow_sent++;
			urgent_run = 0;
		} else
			urgent_run++;
		assert_true(next < 100 + 40);
	}
}

/* By time: a NORMAL command that waited its patience goes before newer
 * urgent work, even with count aging off. */
static void
test_no_starvation_by_time(void **state)
{
	struct q q;
	int next = 100;

	(void)state;
	q_init(&q, 0, 500, 0);
	q_push(&q, AT_NORMAL, 1);
	q_push(&q, AT_SLOW, 2);		/* no patience: waits for a free queue */
	for (int i = 0; i < 4; i++) {
		q_push(&q, AT_URGENT, next++);
		q.now += 100;
		assert_true(q_send(&q) >= 100);
	}
	q_push(&q, AT_URGENT, next++);
	q.now += 100;			/* 500 ms waited */
	assert_int_equal(q_send(&q), 1);
	assert_true(q_send(&q) >= 100);
	assert_int_equal(q_send(&q), 2);
}

/* A cancelled command leaves the queue (the engine frees it at once):
 * the scheduler sees the shorter queue, keeps its order, and the oldest
 * still waiting inherits the aging. */
static void
test_cancel(void **state)
{
	struct q q;
	int next = 100;

	(void)state;
	q_init(&q, 2, 0, 0);
	q_push(&q, AT_SLOW, 1);
	q_push(&q, AT_NORMAL, 2);
	q_push(&q, AT_URGENT, next++);
	q_push(&q, AT_URGENT, next++);
	assert_int_equal(q_send(&q), 100);
	q_remove(&q, 0);			/* cancel the SLOW one */
	assert_int_equal(q_send(&q), 101);	/* passes 2 now */
	q_push(&q, AT_URGENT, next++);
	assert_int_equal(q_send(&q), 2);	/* the oldest left goes */
	assert_int_equal(q.s.passes, 0);
	q_remove(&q, 0);			/* cancel the last urgent */
	assert_int_equal(q.n, 0);
	q_push(&q, AT_NORMAL, 3);
	q_push(&q, AT_URGENT, next++);
	q_remove(&q, 1);			/* cancelling the newest changes nothing */
	assert_int_equal(q_send(&q), 3);
	assert_int_equal(q.s.passes, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_zero_is_normal),
		cmocka_unit_test(test_fifo_within_class),
		cmocka_unit_test(test_pinned_first),
		cmocka_unit_test(test_no_starvation_by_count),
		cmocka_unit_test(test_no_starvation_by_time),
		cmocka_unit_test(test_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
