/* Control protocol: request parsing, limits, garbage, value encoding. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static void
test_words(void **state)
{
	struct proto_request req;
	const char *line = "  send  server hello world\r";

	assert_int_equal(proto_parse_request(line, strlen(line), &req), PROTO_PARSE_OK);
	assert_int_equal(req.argc, 4);
	assert_string_equal(req.argv[0], "send");
	assert_string_equal(req.argv[1], "server");
	assert_string_equal(req.argv[3], "world");
	assert_string_equal(proto_rest(&req, 2), "hello world");
	assert_string_equal(proto_rest(&req, 9), "");
}

static void
test_empty(void **state)
{
	struct proto_request req;

	assert_int_equal(proto_parse_request("", 0, &req), PROTO_PARSE_EMPTY);
	assert_int_equal(proto_parse_request(" \t ", 3, &req), PROTO_PARSE_EMPTY);
	assert_int_equal(proto_parse_request("\r", 1, &req), PROTO_PARSE_EMPTY);
}

static void
test_too_long(void **state)
{
	static char line[PROTO_LINE_MAX + 10];
	struct proto_request req;

	memset(line, 'a', sizeof(line));
	assert_int_equal(proto_parse_request(line, PROTO_LINE_MAX, &req), PROTO_PARSE_TOO_LONG);
	assert_int_equal(proto_parse_request(line, PROTO_LINE_MAX - 1, &req), PROTO_PARSE_OK);
	assert_int_equal(req.argc, 1);
}

static void
test_too_many_words(void **state)
{
	struct proto_request req;
	char line[256] = "";

	for (int i = 0; i < PROTO_ARGS_MAX + 1; i++)
		strcat(line, "w ");
	assert_int_equal(proto_parse_request(line, strlen(line), &req), PROTO_PARSE_TOO_MANY_ARGS);
}

static void
test_binary(void **state)
{
	struct proto_request req;
	const char nul[] = { 's', 't', 0, 'x' };
	const char esc[] = "status\x1b[2J";

	assert_int_equal(proto_parse_request(nul, sizeof(nul), &req), PROTO_PARSE_BINARY);
	assert_int_equal(proto_parse_request(esc, strlen(esc), &req), PROTO_PARSE_BINARY);
	/* UTF-8 is text */
	assert_int_equal(proto_parse_request("send x \xc3\xa9", 9, &req), PROTO_PARSE_OK);
}

static void
test_encode_roundtrip(void **state)
{
	char enc[256], buf[256];
	const char *in = "a b%c\td=e\x01";

	proto_value_encode(in, enc, sizeof(enc));
	assert_null(strchr(enc, ' '));
	assert_null(strchr(enc, '\t'));
	assert_string_equal(enc, "a%20b%25c%09d=e%01");
	strcpy(buf, enc);
	assert_string_equal(proto_value_decode(buf), in);
	/* a truncated escape stays as it is */
	strcpy(buf, "50%");
	assert_string_equal(proto_value_decode(buf), "50%");
	/* output never overflows */
	proto_value_encode("          ", enc, 8);
	assert_true(strlen(enc) < 8);
}

/* DATA bytes: %XX decodes (binary-safe); a '%' without two hex digits
 * after it is refused, never passed on as literal bytes (issue 16). */
static void
test_bytes_decode(void **state)
{
	unsigned char out[16];

	assert_int_equal(proto_bytes_decode("A%00%ff%25z", out, sizeof(out)), 5);
	assert_memory_equal(out, "A\0\xff%z", 5);
	assert_int_equal(proto_bytes_decode("%ZZ%4", out, sizeof(out)), PROTO_BYTES_MALFORMED);
	assert_int_equal(proto_bytes_decode("ab%4", out, sizeof(out)), PROTO_BYTES_MALFORMED);
	assert_int_equal(proto_bytes_decode("ab%", out, sizeof(out)), PROTO_BYTES_MALFORMED);
	assert_int_equal(proto_bytes_decode("%%41", out, sizeof(out)), PROTO_BYTES_MALFORMED);
	assert_int_equal(proto_bytes_decode("%g0", out, sizeof(out)), PROTO_BYTES_MALFORMED);
	assert_int_equal(proto_bytes_decode("abc", out, 2), -1);
	assert_int_equal(proto_bytes_decode("", out, sizeof(out)), 0);
}

static void
test_names(void **state)
{
	for (int i = 0; i < LINK_STATE_COUNT; i++)
		assert_non_null(link_state_names[i]);
	for (int i = 0; i < EV_COUNT; i++)
		assert_non_null(proto_event_names[i]);
	for (int i = 0; i < CAUSE_COUNT; i++)
		assert_non_null(dead_cause_names[i]);
	for (int i = 0; i < STEP_COUNT; i++)
		assert_non_null(escalation_step_names[i]);
	for (int i = 0; i < ERR_COUNT; i++)
		assert_non_null(proto_err_names[i]);
	assert_int_equal(proto_lookup(link_state_names, LINK_STATE_COUNT, "backoff"), LINK_BACKOFF);
	assert_int_equal(proto_lookup(dead_cause_names, CAUSE_COUNT, "ack-stall"), CAUSE_ACK_STALL);
	assert_int_equal(proto_lookup(link_state_names, LINK_STATE_COUNT, "nope"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_too_many_words),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_bytes_decode),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
