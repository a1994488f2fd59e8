/* The idle learner's pure core (link_idle.c, idle_learn_*) against a model
 * network that forgets a connection idle T seconds or longer: the settled
 * period lies within 0.75..0.90 T, learning costs at most one death and
 * tries each period once, a falling T is followed, a rising T is found
 * again at the configured pace and within the day's death budget. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_idle.h"

#define LATENCY 0.15	/* the probe goes this long after the period (status poll) */
#define REACT 70.0	/* a death costs this long before the next period starts */

/* A model run: the clock, what was tried, deaths, probes. */
struct run {
	struct link_idle s;
	struct conf_keepalive k;
	double now, T;
	double tried[256];
	int n_tried, deaths, probes;
};

static void
run_init(struct run *r, double idle_min, double T)
{
	memset(r, 0, sizeof(*r));
	r->k.idle_auto = 1;
	r->k.idle_min = idle_min;
	r->k.idle_max = 1800;
	r->k.idle_probe_up = 0;
	r->k.idle_trial_deaths_per_day = 1;
	r->now = 1000;
	r->T = T;
	idle_learn_reset(&r->s, &r->k);
}

/* One idle period and its probe: survived or died. */
static void
run_period(struct run *r)
{
	double idle;

	idle_learn_tick(&r->s, &r->k, r->now);
	idle = r->s.cur + LATENCY;
	r->now += idle;
	r->probes++;
	if (r->n_tried < 256)
		r->tried[r->n_tried++] = r->s.cur;
	if (idle < r->T) {
		idle_learn_survived(&r->s, &r->k, idle, r->now);
		return;
	}
	r->deaths++;
	r->now += REACT;
	idle_learn_died(&r->s, &r->k, idle, r->now);
}

/* Periods until settled (bounded). */
static void
run_until_settled(struct run *r)
{
	int i;

	for (i = 0; i < 200 && (i == 0 || r->s.mode != IDLE_SETTLED); i++)
		run_period(r);
	assert_int_equal(r->s.mode, IDLE_SETTLED);
}

static void
assert_margin(const struct run *r)
{
	assert_true(r->s.cur >= 0.75 * r->T);
	assert_true(r->s.cur <= 0.90 * r->T);
	assert_true(r->s.cur <= 0.9 * r->s.died);
}

static void
assert_no_repeats(const struct run *r)
{
	int i, j;

	for (i = 0; i < r->n_tried; i++)
		for (j = i + 1; j < r->n_tried; j++)
			assert_true(r->tried[i] != r->tried[j]);
}

static void
test_settles_with_margin(void **state)
{
	static const double Ts[] = { 60, 100, 150, 600, 37, 1000 };
	static const double mins[] = { 20, 30, 5 };
	struct run r;
	size_t i, j;

	for (i = 0; i < sizeof(Ts) / sizeof(Ts[0]); i++)
		for (j = 0; j < sizeof(mins) / sizeof(mins[0]); j++) {
			run_init(&r, mins[j], Ts[i]);
			run_until_settled(&r);
			assert_margin(&r);
			assert_int_equal(r.deaths, 1);
			assert_no_repeats(&r);
			assert_true(r.s.died <= 1.2 * r.s.survived);
		}
}

static void
test_settled_stays(void **state)
{
	struct run r;
	double settled;
	int i;

	run_init(&r, 20, 150);
	run_until_settled(&r);
	settled = r.s.cur;
	for (i = 0; i < 50; i++)
		run_period(&r);
	assert_int_equal(r.deaths, 1);
	assert_true(r.s.cur == settled);
}

static void
test_falling_T(void **state)
{
	static const double falls[][2] = { { 150, 60 }, { 60, 30 }, { 150, 130 }, { 600, 100 } };
	struct run r;
	size_t i;
	int before;

	for (i = 0; i < sizeof(falls) / sizeof(falls[0]); i++) {
		run_init(&r, 20, falls[i][0]);
		run_until_settled(&r);
		r.T = falls[i][1];
		before = r.deaths;
		run_period(&r);		/* the death that reveals the fall */
		if (r.s.mode != IDLE_SETTLED)
			run_until_settled(&r);
		assert_margin(&r);
		/* one death reveals it, at most one more brackets it */
		assert_true(r.deaths - before <= 2);
	}
}

static void
test_falling_T_within_a_step(void **state)
{
	struct run r;
	int before;

	/* T falls from 150 to just under the settled period: one death, and
	 * the climb from idle_min never tries the idle that died again */
	run_init(&r, 20, 150);
	run_until_settled(&r);
	r.T = r.s.cur * 0.97;
	before = r.deaths;
	run_period(&r);
	assert_true(r.s.died > 0 && r.s.died <= r.s.cur + 1 + LATENCY + r.T);
	run_until_settled(&r);
	assert_true(r.deaths - before <= 2);
	assert_margin(&r);
}

static void
test_rising_T_found_again(void **state)
{
	struct run r;
	int i, before;

	run_init(&r, 20, 30);
	r.k.idle_probe_up = 3600;
	run_until_settled(&r);
	r.T = 60;
	before = r.deaths;
	for (i = 0; i < 2000 && !(r.s.mode == IDLE_SETTLED && r.s.cur >= 0.75 * r.T); i++)
		run_period(&r);
	assert_margin(&r);
	assert_true(r.s.trials >= 1);
	assert_true(r.deaths - before <= 1);
}

static void
test_trial_death_budget(void **state)
{
	struct run r;
	int i, before;
	double start;

	run_init(&r, 20, 60);
	r.k.idle_probe_up = 600;	/* a trial every 10 min, one death a day */
	run_until_settled(&r);
	before = r.deaths;
	start = r.now;
	while (r.now - start < 86400 - 1000)
		run_period(&r);
	/* T did not change: every trial dies; the budget allows one a day */
	assert_true(r.deaths - before <= 1);
	assert_true(r.s.trials >= 1);
	for (i = 0; i < 10000 && r.now - start < 2 * 86400; i++)
		run_period(&r);
	assert_true(r.deaths - before <= 2);
	assert_margin(&r);
}

static void
test_no_trials_when_off(void **state)
{
	struct run r;
	int i;

	run_init(&r, 20, 60);
	r.k.idle_probe_up = 0;
	run_until_settled(&r);
	for (i = 0; i < 1000; i++)
		run_period(&r);
	assert_int_equal(r.s.trials, 0);
	assert_int_equal(r.deaths, 1);
}

static void
test_T_below_idle_min(void **state)
{
	struct run r;

	run_init(&r, 20, 10);
	run_period(&r);
	assert_int_equal(r.s.mode, IDLE_SETTLED);
	assert_true(r.s.cur == 20);	/* the operator's floor */
	assert_true(r.s.died > 20);
}

static void
test_T_beyond_idle_max(void **state)
{
	struct run r;

	run_init(&r, 20, 5000);
	run_until_settled(&r);
	assert_int_equal(r.deaths, 0);
	assert_true(r.s.cur == 1800);
}

static void
test_fixed_learns_nothing(void **state)
{
	struct link_idle s;
	struct conf_keepalive k;

	memset(&s, 0, sizeof(s));
	memset(&k, 0, sizeof(k));
	s.mode = IDLE_FIXED;
	s.cur = 300;
	assert_int_equal(idle_learn_survived(&s, &k, 300, 1), 0);
	assert_int_equal(idle_learn_died(&s, &k, 300, 1), 0);
	assert_int_equal(idle_learn_tick(&s, &k, 1e9), 0);
	assert_true(s.cur == 300);
}

static void
test_short_idle_counts_nothing(void **state)
{
	struct run r;

	run_init(&r, 20, 60);
	/* a probe before the full period (data came) does not lengthen it */
	assert_int_equal(idle_learn_survived(&r.s, &r.k, 5, r.now), 0);
	assert_true(r.s.cur == 20 && r.s.survived == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settles_with_margin),
		cmocka_unit_test(test_settled_stays),
		cmocka_unit_test(test_falling_T),
		cmocka_unit_test(test_falling_T_within_a_step),
		cmocka_unit_test(test_rising_T_found_again),
		cmocka_unit_test(test_trial_death_budget),
		cmocka_unit_test(test_no_trials_when_off),
		cmocka_unit_test(test_T_below_idle_min),
		cmocka_unit_test(test_T_beyond_idle_max),
		cmocka_unit_test(test_fixed_learns_nothing),
		cmocka_unit_test(test_short_idle_counts_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
