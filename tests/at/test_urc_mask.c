/* URC registry and secret masking. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "at/mask.h"
#include "at/urc.h"
#include "dialect/telit/telit.h"

struct seen {
	int calls;
	char args[64];
	struct urc_registry *r;
	unsigned remove_id;
};

static void
handler(const char *line, const char *args, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	strncpy(s->args, args, sizeof(s->args) - 1);
	if (s->remove_id != 0)
		urc_remove(s->r, s->remove_id);
}

static void
test_registry(void **state)
{
	struct urc_registry *r = urc_new("test");
	struct seen sring = { 0 }, nc = { 0 }, creg = { 0 }, plus = { 0 };
	unsigned id;

	urc_add(r, "SRING:", handler, &sring);
	urc_add(r, "+SRING:", handler, &plus);
	urc_add(r, "NO CARRIER", handler, &nc);
	id = urc_add(r, "+CREG:", handler, &creg);
	assert_true(id != 0);

	assert_int_equal(urc_dispatch(r, "SRING: 1,20"), 1);
	assert_string_equal(sring.args, "1,20");
	assert_int_equal(urc_dispatch(r, "SRING : 1"), 1);
	assert_string_equal(sring.args, "1");
	assert_int_equal(sring.calls, 2);
	assert_int_equal(urc_dispatch(r, "+SRING : 4"), 1);
	assert_string_equal(plus.args, "4");
	assert_int_equal(sring.calls, 2);
	assert_int_equal(urc_dispatch(r, "NO CARRIER"), 1);
	assert_int_equal(urc_dispatch(r, "NO CARRIER: 1,2"), 1);
	assert_string_equal(nc.args, "1,2");
	assert_int_equal(urc_dispatch(r, "NO CARRIER:3"), 1);
	assert_string_equal(nc.args, "3");
	assert_int_equal(nc.calls, 3);
	assert_int_equal(urc_dispatch(r, "+CREG: 5"), 1);
	assert_true(urc_matches(r, "+CREG: 1"));
	assert_false(urc_matches(r, "+CGREG: 1"));

	assert_int_equal(urc_dispatch(r, "+CGREG: 1"), 0);
	assert_int_equal(urc_dispatch(r, "garbage"), 0);
	assert_int_equal(urc_unknown(r), 2);
	assert_int_equal(urc_handled(r), 7);

	urc_remove(r, id);
	assert_false(urc_matches(r, "+CREG: 1"));
	assert_int_equal(urc_dispatch(r, "+CREG: 5"), 0);
	assert_int_equal(creg.calls, 1);
	urc_free(r);
}

static void
test_remove_in_handler(void **state)
{
	struct urc_registry *r = urc_new(NULL);
	struct seen a = { 0 }, b = { 0 };
	unsigned ida, idb;

	ida = urc_add(r, "X:", handler, &a);
	idb = urc_add(r, "X:", handler, &b);
	/* a removes b and itself while the registry dispatches */
	a.r = r;
	a.remove_id = idb;
	assert_int_equal(urc_dispatch(r, "X: 1"), 1);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	a.remove_id = ida;
	assert_int_equal(urc_dispatch(r, "X: 2"), 1);
	assert_int_equal(urc_dispatch(r, "X: 3"), 0);
	assert_int_equal(a.calls, 2);
	urc_free(r);
}

static void
expect_mask(const char *in, int all, const char *want)
{
	char *out = at_mask_dup(&telit_dialect, in, all);

	assert_string_equal(out, want);
	free(out);
}

static void
test_mask(void **state)
{
	expect_mask("AT+CPIN=1234", 0, "AT+CPIN=***");
	expect_mask("AT+CPIN=\"1234\"", 0, "AT+CPIN=\"***\"");
	expect_mask("AT+CPIN=\"12345678\",\"4321\"", 0,
	    "AT+CPIN=\"***\",\"***\"");
	expect_mask("at+cpin=1234", 0, "at+cpin=***");
	expect_mask("AT+CPIN?", 0, "AT+CPIN?");
	expect_mask("AT#SGACT=1,1,\"user\",\"secret\"", 0,
	    "AT#SGACT=1,1,\"user\",\"***\"");
	expect_mask("AT#SGACT=1,1", 0, "AT#SGACT=1,1");
	expect_mask("AT+CGAUTH=1,1,\"u\",\"p,w\"", 0,
	    "AT+CGAUTH=1,1,\"u\",\"***\"");
	expect_mask("AT#PDPAUTH=1,2,\"u\",\"pw\"", 0,
	    "AT#PDPAUTH=1,2,\"u\",\"***\"");
	expect_mask("AT+CLCK=\"SC\",1,\"1234\"", 0, "AT+CLCK=\"SC\",1,\"***\"");
	expect_mask("AT+CPWD=\"SC\",\"1111\",\"2222\"", 0,
	    "AT+CPWD=\"SC\",\"***\",\"***\"");
	expect_mask("AT+CMEE=2;+CPIN=1234;+CSQ", 0, "AT+CMEE=2;+CPIN=***;+CSQ");
	expect_mask("AT#SS=1", 0, "AT#SS=1");
	expect_mask("AT+CUSTOM=1,\"x\"", 1, "AT+CUSTOM=***,\"***\"");
	expect_mask("AT+CPIN=,", 0, "AT+CPIN=,");
	expect_mask("ATZ", 1, "ATZ");
	expect_mask("", 0, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_remove_in_handler),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
