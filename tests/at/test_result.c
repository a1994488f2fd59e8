/* Final result table, +CME ERROR mapping and prefix matching. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "at/result.h"
#include "dialect/telit/telit.h"

static void
expect_final(const struct at_dialect *d, const char *line,
    enum at_final_kind kind, int success, int code)
{
	struct at_result r;

	assert_int_equal(at_result_parse(d, line, &r), 1);
	assert_int_equal(r.kind, kind);
	assert_int_equal(r.success, success);
	assert_int_equal(r.code, code);
	assert_ptr_equal(r.text, line);
}

static void
expect_not_final(const char *line)
{
	struct at_result r;

	assert_int_equal(at_result_parse(&telit_dialect, line, &r), 0);
}

static void
test_base_table(void **state)
{
	expect_final(NULL, "OK", AT_FINAL_OK, 1, -1);
	expect_final(NULL, "OK  ", AT_FINAL_OK, 1, -1);
	expect_final(NULL, "ERROR", AT_FINAL_ERROR, 0, -1);
	expect_final(NULL, "NO CARRIER", AT_FINAL_NO_CARRIER, 0, -1);
	expect_final(NULL, "NO CARRIER: 1,2", AT_FINAL_NO_CARRIER, 0, -1);
	expect_final(NULL, "NO CARRIER:3", AT_FINAL_NO_CARRIER, 0, -1);
	expect_final(NULL, "CONNECT", AT_FINAL_CONNECT, 1, -1);
	expect_final(NULL, "CONNECT 115200", AT_FINAL_CONNECT, 1, -1);
	expect_final(NULL, "NO ANSWER", AT_FINAL_NO_ANSWER, 0, -1);
	expect_final(NULL, "BUSY", AT_FINAL_BUSY, 0, -1);
	expect_final(NULL, "NO DIALTONE", AT_FINAL_NO_DIALTONE, 0, -1);
	expect_final(NULL, "+CMS ERROR: 500", AT_FINAL_CMS_ERROR, 0, 500);
	expect_final(NULL, "+CMS ERROR: unknown", AT_FINAL_CMS_ERROR, 0, -1);
	expect_not_final("OKAY");
	expect_not_final("ERRORS");
	expect_not_final("+CSQ: 1,2");
	expect_not_final("");
	expect_not_final("BUSYBOX");
	expect_not_final(" OK");
}

static void
test_cme(void **state)
{
	/* numeric and text forms map to the same code */
	expect_final(&telit_dialect, "+CME ERROR: 553", AT_FINAL_CME_ERROR, 0,
	    553);
	expect_final(&telit_dialect, "+CME ERROR: context already activated",
	    AT_FINAL_CME_ERROR, 0, 553);
	expect_final(&telit_dialect, "+CME ERROR: Context Already Activated",
	    AT_FINAL_CME_ERROR, 0, TELIT_CME_CONTEXT_ACTIVE);
	expect_final(&telit_dialect, "+CME ERROR: time-out in opening socket",
	    AT_FINAL_CME_ERROR, 0, 559);
	expect_final(&telit_dialect, "+CME ERROR: timeout in opening socket",
	    AT_FINAL_CME_ERROR, 0, 559);
	expect_final(&telit_dialect, "+CME ERROR: cannot resolve DN",
	    AT_FINAL_CME_ERROR, 0, 558);
	expect_final(&telit_dialect, "+CME ERROR: ipv6 not enabled",
	    AT_FINAL_CME_ERROR, 0, 568);
	expect_final(&telit_dialect, "+CME ERROR:558", AT_FINAL_CME_ERROR, 0,
	    558);
	/* 27.007 codes come from the shared base table */
	expect_final(&telit_dialect, "+CME ERROR: SIM PIN required",
	    AT_FINAL_CME_ERROR, 0, 11);
	expect_final(NULL, "+CME ERROR: 10", AT_FINAL_CME_ERROR, 0, 10);
	/* without the Telit dialect the IP stack text is unknown */
	expect_final(NULL, "+CME ERROR: context already activated",
	    AT_FINAL_CME_ERROR, 0, -1);
	expect_final(&telit_dialect, "+CME ERROR: something new",
	    AT_FINAL_CME_ERROR, 0, -1);
	expect_final(&telit_dialect, "+CME ERROR", AT_FINAL_CME_ERROR, 0, -1);
	assert_string_equal(at_cme_text(&telit_dialect, 558),
	    "can not resolve DN");
	assert_string_equal(at_cme_text(&telit_dialect, 3),
	    "operation not allowed");
	assert_null(at_cme_text(NULL, 558));
	assert_int_equal(at_cme_code(&telit_dialect, "connection failed"), 562);
	/* every Telit number 550..568 has a text that maps back to it */
	for (int c = 550; c <= 568; c++) {
		const char *t = at_cme_text(&telit_dialect, c);
		assert_non_null(t);
		assert_int_equal(at_cme_code(&telit_dialect, t), c);
	}
}

static const struct at_final_def quectel_like_finals[] = {
	{ "SEND OK", AT_FINAL_DIALECT, 1, 0, 1 },
	{ "SEND FAIL", AT_FINAL_DIALECT, 0, 0, 2 },
};
static const struct at_cme_def quectel_like_cme[] = {
	{ 558, "socket write failed" },
};
static const struct at_dialect quectel_like = {
	.name = "quectel-like",
	.finals = quectel_like_finals,
	.n_finals = 2,
	.cme = quectel_like_cme,
	.n_cme = 1,
};

static void
test_dialect_extension(void **state)
{
	expect_final(&quectel_like, "SEND OK", AT_FINAL_DIALECT, 1, 1);
	expect_final(&quectel_like, "SEND FAIL", AT_FINAL_DIALECT, 0, 2);
	expect_final(&quectel_like, "OK", AT_FINAL_OK, 1, -1);
	expect_not_final("SEND OK");	/* not a Telit final */
	/* the same number means different things per dialect */
	assert_string_equal(at_cme_text(&quectel_like, 558),
	    "socket write failed");
	assert_string_equal(at_cme_text(&telit_dialect, 558),
	    "can not resolve DN");
	expect_final(&quectel_like, "+CME ERROR: can not resolve DN",
	    AT_FINAL_CME_ERROR, 0, -1);
}

static void
test_synthetic(void **state)
{
	struct at_result r;

	at_result_synthetic(AT_FINAL_TIMEOUT, &r);
	assert_int_equal(r.kind, AT_FINAL_TIMEOUT);
	assert_false(r.success);
	assert_null(r.text);
	assert_string_equal(at_final_name(AT_FINAL_TIMEOUT), "TIMEOUT");
	assert_string_equal(at_final_name(AT_FINAL_CME_ERROR), "CME ERROR");
	for (int k = 0; k < AT_FINAL_COUNT; k++)
		assert_non_null(at_final_name((enum at_final_kind)k));
}

static void
test_prefix(void **state)
{
	const char *args;

	assert_true(at_prefix_match("SRING:", "SRING: 1,20", &args));
	assert_string_equal(args, "1,20");
	assert_true(at_prefix_match("SRING:", "SRING : 1", &args));
	assert_string_equal(args, "1");
	assert_true(at_prefix_match("+SRING:", "+SRING : 2", &args));
	assert_string_equal(args, "2");
	assert_true(at_prefix_match("#SS:", "#SS:1,0", &args));
	assert_string_equal(args, "1,0");
	assert_false(at_prefix_match("SRING:", "+SRING: 1", NULL));
	assert_false(at_prefix_match("#SS:", "#SSENDEXT: 1", NULL));
	assert_false(at_prefix_match("#SS:", "#SS", NULL));
	assert_true(at_prefix_match("NO CARRIER", "NO CARRIER", &args));
	assert_string_equal(args, "");
	assert_true(at_prefix_match("NO CARRIER", "NO CARRIER: 1,2", &args));
	assert_string_equal(args, "1,2");
	assert_true(at_prefix_match("NO CARRIER", "NO CARRIER:3", &args));
	assert_string_equal(args, "3");
	assert_false(at_prefix_match("NO CARRIER", "NO CARRIERS", NULL));
	assert_false(at_prefix_match("", "anything", NULL));
	assert_false(at_prefix_match(":", "anything", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_table),
		cmocka_unit_test(test_cme),
		cmocka_unit_test(test_dialect_extension),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
