/* Backoff: bounds, growth, jitter distribution and reset, with a seeded RNG. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

static void
test_never_below_min_never_above_max(void **state)
{
	struct backoff_rng rng;
	struct backoff b;

	backoff_rng_seed(&rng, 1);
	backoff_init(&b, 1.0, 300.0, &rng);
	for (int i = 0; i < 10000; i++) {
		double d = backoff_next(&b, 0);
		assert_true(d >= 1.0);
		assert_true(d <= 300.0);
	}
}

static void
test_ceiling_grows_then_caps(void **state)
{
	struct backoff_rng rng;
	struct backoff b;
	double prev = 0;

	backoff_rng_seed(&rng, 2);
	backoff_init(&b, 1.0, 60.0, &rng);
	for (int i = 0; i < 30; i++) {
		double c = backoff_ceiling(&b);
		assert_true(c >= prev);
		assert_true(c <= 60.0);
		prev = c;
		backoff_next(&b, 0);
	}
	assert_true(prev == 60.0);
}

static void
test_first_delay_is_min(void **state)
{
	struct backoff_rng rng;
	struct backoff b;

	backoff_rng_seed(&rng, 3);
	backoff_init(&b, 2.0, 300.0, &rng);
	assert_true(backoff_next(&b, 0) == 2.0);	/* ceiling(0) == min */
}

/* Full jitter: at the cap, delays spread over [min, max]: each quarter of the
 * range gets a fair share of 20,000 draws. */
static void
test_jitter_spreads(void **state)
{
	struct backoff_rng rng;
	struct backoff b;
	int bins[4] = { 0 };

	backoff_rng_seed(&rng, 4);
	backoff_init(&b, 1.0, 101.0, &rng);
	for (int i = 0; i < 20; i++)
		backoff_next(&b, 0);
	for (int i = 0; i < 20000; i++) {
		double d = backoff_next(&b, 0);
		bins[(int)((d - 1.0) / 25.0) > 3 ? 3 : (int)((d - 1.0) / 25.0)]++;
	}
	for (int i = 0; i < 4; i++) {
		assert_true(bins[i] > 4500);
		assert_true(bins[i] < 5500);
	}
}

static void
test_first_min_raises_floor(void **state)
{
	struct backoff_rng rng;
	struct backoff b;

	backoff_rng_seed(&rng, 5);
	backoff_init(&b, 1.0, 300.0, &rng);
	for (int i = 0; i < 100; i++)
		assert_true(backoff_next(&b, 10.0) >= 10.0);
	backoff_init(&b, 1.0, 5.0, &rng);
	assert_true(backoff_next(&b, 10.0) <= 5.0);	/* never above max */
}

static void
test_reset_after_stable(void **state)
{
	struct backoff_rng rng;
	struct backoff b;

	backoff_rng_seed(&rng, 6);
	backoff_init(&b, 1.0, 300.0, &rng);
	for (int i = 0; i < 10; i++)
		backoff_next(&b, 0);
	assert_true(backoff_ceiling(&b) > 50.0);
	backoff_reset(&b);
	assert_true(backoff_ceiling(&b) == 1.0);
}

static void
test_seeded_is_reproducible(void **state)
{
	struct backoff_rng r1, r2;

	backoff_rng_seed(&r1, 42);
	backoff_rng_seed(&r2, 42);
	for (int i = 0; i < 100; i++)
		assert_true(backoff_rng_next(&r1) == backoff_rng_next(&r2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_below_min_never_above_max),
		cmocka_unit_test(test_ceiling_grows_then_caps),
		cmocka_unit_test(test_first_delay_is_min),
		cmocka_unit_test(test_jitter_spreads),
		cmocka_unit_test(test_first_min_raises_floor),
		cmocka_unit_test(test_reset_after_stable),
		cmocka_unit_test(test_seeded_is_reproducible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
