/* cellsockctl's human units: durations, times, ages, byte counts, and the
 * colour rules (no colour off a terminal or with NO_COLOR set). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "human.h"

static void
duration_is(double seconds, const char *want)
{
	char buf[HUMAN_MAX];

	human_duration(seconds, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_duration(void **state)
{
	duration_is(0, "0s");
	duration_is(2.5, "2.5s");
	duration_is(-3, "0s");			/* a clock step never shows negative */
	duration_is(59, "59s");
	duration_is(59.6, "1m00s");		/* rounded, then split */
	duration_is(245, "4m05s");
	duration_is(3600, "1h00m");
	duration_is(3 * 3600 + 12 * 60 + 40, "3h12m");
	duration_is(86400 * 2 + 3600 * 5, "2d05h");
}

static void
test_duration_text(void **state)
{
	char buf[HUMAN_MAX];

	human_duration_text(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	human_duration_text("", buf, sizeof(buf));
	assert_string_equal(buf, "-");
	human_duration_text("90", buf, sizeof(buf));
	assert_string_equal(buf, "1m30s");
	human_duration_text("n/a", buf, sizeof(buf));	/* not a number: as it came */
	assert_string_equal(buf, "n/a");
}

static void
test_time_and_age(void **state)
{
	char buf[HUMAN_MAX];

	human_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "never");
	setenv("TZ", "UTC", 1);
	tzset();
	human_time(1796342400, buf, sizeof(buf));	/* 2026-12-04 00:00:00 UTC */
	assert_string_equal(buf, "2026-12-04 00:00:00");
	human_age_text("1000", 1000 + 3725, buf, sizeof(buf));
	assert_string_equal(buf, "1h02m");
	human_age_text("0", 5000, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	human_age_text(NULL, 5000, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	human_age_text("6000", 5000, buf, sizeof(buf));	/* in the future: 0 */
	assert_string_equal(buf, "0s");
}

static void
bytes_is(const char *bytes, const char *want)
{
	char buf[HUMAN_MAX];

	human_bytes_text(bytes, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_bytes(void **state)
{
	bytes_is(NULL, "-");
	bytes_is("", "-");
	bytes_is("0", "0 B");
	bytes_is("512", "512 B");
	bytes_is("1536", "1.5 KiB");
	bytes_is("24117248", "23 MiB");
	bytes_is("1099511627776", "1.0 TiB");
	bytes_is("1152921504606846976", "1024 PiB");	/* the largest unit, however many */
}

static void
test_colour_rules(void **state)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	unsetenv("NO_COLOR");
	assert_int_equal(human_colour_wanted(f), 0);	/* not a terminal */
	fclose(f);
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(human_colour_wanted(stdout), 0);
	unsetenv("NO_COLOR");
	assert_string_equal(human_state_colour("up"), "\033[32m");
	assert_string_equal(human_state_colour("connecting"), "\033[33m");
	assert_string_equal(human_state_colour("backoff"), "\033[31m");
	assert_string_equal(human_state_colour("something-new"), "");
}

static void
test_put_state(void **state)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	human_put_state(f, "up", 6, 0);
	human_put_state(f, "|", 0, 0);
	human_put_state(f, "down", 2, 1);		/* wider than asked: no padding */
	fclose(f);
	assert_string_equal(buf, "up    |\033[31mdown\033[0m");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_text),
		cmocka_unit_test(test_time_and_age),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_colour_rules),
		cmocka_unit_test(test_put_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
