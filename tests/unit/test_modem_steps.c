/* The modem's bring-up table is complete and consistent (every row filled,
 * every next step valid, a step in another state is that state's first,
 * every step and state reachable), and the socket-id dispatcher sends each
 * client what is its own. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <event2/event.h>

#include "conf/conf.h"
#include "modem/clients.h"
#include "modem/modem.h"
#include "modem/steps.h"

static int
is_step(int s)
{
	return s >= 0 && s < MSTEP_COUNT;
}

/* Every row is filled; every next is a step or an action; a step in
 * another state is that state's first, entered with a reason. */
static void
test_rows_valid(void **state)
{
	for (int s = 0; s < MSTEP_COUNT; s++) {
		const struct modem_step_row *row = &modem_steps[s];
		const int next[2] = { row->next_ok, row->next_err };
		const char *why[2] = { row->why_ok, row->why_err };

		assert_non_null(row->name);
		assert_true(row->state < MODEM_STATE_COUNT);
		if (row->op != NULL && row->reply == NULL)
			assert_int_equal(row->next_ok, row->next_err);	/* async: no reply */
		for (int i = 0; i < 2; i++) {
			assert_true(next[i] >= 0 && next[i] < MSTEP_ACTION_END);
			if (!is_step(next[i]) || modem_steps[next[i]].state == row->state)
				continue;
			assert_int_equal(modem_states[modem_steps[next[i]].state].first, next[i]);
			assert_non_null(why[i]);
		}
	}
}

/* Each state's first step runs in it; its timer runs a step of its own or
 * an action; each escalation step starts in recovering. */
static void
test_states_valid(void **state)
{
	for (int st = 0; st < MODEM_STATE_COUNT; st++) {
		const struct modem_state_row *sr = &modem_states[st];

		assert_true(is_step(sr->first));
		assert_int_equal(modem_steps[sr->first].state, st);
		assert_true(sr->on_timer >= 0 && sr->on_timer < MSTEP_ACTION_END);
		if (is_step(sr->on_timer))
			assert_int_equal(modem_steps[sr->on_timer].state, st);
		if (sr->on_timer == MSTEP_LOST)
			assert_non_null(sr->timer_why);
	}
	for (int e = 0; e < STEP_COUNT; e++)
		assert_int_equal(modem_steps[modem_escalation_first[e]].state, MODEM_RECOVERING);
}

static void
reach_next(int next, int *step, int *st)
{
	if (is_step(next))
		step[next] = 1;
	else if (next == MSTEP_OPEN)
		st[MODEM_SYNCING] = 1;
	else if (next == MSTEP_LOST)
		st[MODEM_CLOSED] = 1;
}

/* From the closed state, the escalation steps and the PDP check (both
 * started from outside the table), every step and state is reached. */
static void
test_all_reachable(void **state)
{
	int step[MSTEP_COUNT] = { 0 }, st[MODEM_STATE_COUNT] = { 0 };

	st[MODEM_CLOSED] = 1;
	step[MSTEP_PDP_CHECK] = 1;
	for (int e = 0; e < STEP_COUNT; e++)
		step[modem_escalation_first[e]] = 1;
	/* each round reaches at least one more step or state, or nothing more */
	for (int round = 0; round < MSTEP_COUNT + MODEM_STATE_COUNT; round++) {
		for (int s = 0; s < MODEM_STATE_COUNT; s++) {
			if (!st[s])
				continue;
			step[modem_states[s].first] = 1;
			reach_next(modem_states[s].on_timer, step, st);
		}
		for (int s = 0; s < MSTEP_COUNT; s++) {
			if (!step[s])
				continue;
			st[modem_steps[s].state] = 1;
			reach_next(modem_steps[s].next_ok, step, st);
			reach_next(modem_steps[s].next_err, step, st);
		}
	}
	for (int s = 0; s < MSTEP_COUNT; s++)
		if (!step[s])
			fail_msg("step %s is not reachable", modem_steps[s].name);
	for (int s = 0; s < MODEM_STATE_COUNT; s++)
		if (!st[s])
			fail_msg("state %s is not reachable", modem_state_names[s]);
}

/* ---- the dispatcher ---- */

struct rec {
	int news, data, closed, named, gone;
	int order;
};

static int seq;

static void
rec_state(void *arg, enum modem_news news)
{
	struct rec *r = arg;

	r->news++;
	r->order = ++seq;
}

static void
rec_data(void *arg, long pending)
{
	((struct rec *)arg)->data += (int)pending;
}

static void
rec_closed(void *arg, int named, enum sock_closure closure)
{
	struct rec *r = arg;

	r->closed++;
	r->named += named;
}

static void
rec_gone(void *arg)
{
	((struct rec *)arg)->gone++;
}

static const struct modem_client_ops rec_ops = { rec_state, rec_data, rec_closed, rec_gone };

static void
test_dispatch(void **state)
{
	struct event_base *base = event_base_new();
	struct notify news = { NULL, NULL, NULL };
	struct backoff_rng rng;
	struct conf conf = { 0 };
	struct modem *m;
	struct rec ra = { 0 }, rb = { 0 };
	struct modem_client a = { &rec_ops, &ra, 1, NULL, { 0 } };
	struct modem_client b = { &rec_ops, &rb, 2, NULL, { 0 } };

	backoff_rng_seed(&rng, 1);
	m = modem_new(base, &conf, &news, &rng);
	modem_attach(m, &b);
	modem_attach(m, &a);
	modem_attach(m, &b);		/* again: now after a */
	modem_clients_news(m, MODEM_NEWS_READY);
	assert_true(ra.order < rb.order);
	modem_clients_data(m, 2, 7);
	assert_int_equal(ra.data, 0);
	assert_int_equal(rb.data, 7);
	modem_clients_closed(m, 1, CLOSURE_FIN);
	assert_int_equal(ra.named, 1);
	assert_int_equal(rb.closed, 0);
	modem_clients_closed(m, -1, CLOSURE_FIN);
	assert_int_equal(ra.closed, 2);
	assert_int_equal(rb.closed, 1);
	assert_int_equal(rb.named, 0);
	modem_detach(m, &a);
	modem_clients_engine_gone(m);
	assert_int_equal(ra.gone, 0);
	assert_int_equal(rb.gone, 1);
	modem_detach(m, &b);
	modem_free(m);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_valid),
		cmocka_unit_test(test_states_valid),
		cmocka_unit_test(test_all_reachable),
		cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
