/* JSON string literals: escapes, valid UTF-8 kept, every byte of invalid
 * UTF-8 (overlong forms, surrogates, past U+10FFFF, truncated) as \ufffd. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jsonstr.h"

static void
quote_is(const char *in, const char *want)
{
	char out[JSON_QUOTED_MAX(64)];
	size_t n = json_quote(in, out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void
test_plain_and_escapes(void **state)
{
	quote_is("", "\"\"");
	quote_is("abc", "\"abc\"");
	quote_is("a\"b\\c", "\"a\\\"b\\\\c\"");
	quote_is("\x01\n\x1f\x7f", "\"\\u0001\\u000a\\u001f\\u007f\"");
}

static void
test_utf8(void **state)
{
	quote_is("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80\"");
	quote_is("\xff", "\"\\ufffd\"");
	quote_is("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	quote_is("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* a surrogate */
	quote_is("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* past U+10FFFF */
	quote_is("\xe2\x98", "\"\\ufffd\\ufffd\"");		/* truncated */
	quote_is("\xe2\x98x", "\"\\ufffd\\ufffdx\"");
}

static void
test_worst_case_fits(void **state)
{
	char in[65], out[JSON_QUOTED_MAX(64)];

	memset(in, 0x01, 64);
	in[64] = '\0';
	assert_int_equal(json_quote(in, out), 6 * 64 + 2);
	memset(in, 0xff, 64);
	assert_int_equal(json_quote(in, out), 6 * 64 + 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_worst_case_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
