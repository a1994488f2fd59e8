/* Framer tests: lines, echo, prompt, raw payload, bounds, and identical
 * results for every split of the input. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "at/framer.h"

#define TRANSCRIPT_MAX 16384

/* Collects events as text: "L:line|E:echo|P|D:payload|". */
struct transcript {
	char text[TRANSCRIPT_MAX];
	uint8_t payload[8192];
	size_t payload_len;
};

static void
transcript_add(struct transcript *t, const char *tag, const void *buf,
    size_t len)
{
	char esc[8192];

	util_escape(buf, len, esc, sizeof(esc));
	strncat(t->text, tag, TRANSCRIPT_MAX - strlen(t->text) - 1);
	strncat(t->text, esc, TRANSCRIPT_MAX - strlen(t->text) - 1);
	strncat(t->text, "|", TRANSCRIPT_MAX - strlen(t->text) - 1);
}

/* What an engine would do on an event; only reacts to event contents. */
static void
react(struct framer *f, const struct framer_event *ev)
{
	if (ev->kind != FRAMER_LINE)
		return;
	if (strncmp(ev->line, "#SRECV: ", 8) == 0)
		framer_expect_payload(f, (size_t)atoi(strchr(ev->line, ',') + 1));
	if (strcmp(ev->line, "SRING: 1,8") == 0)
		framer_expect_echo(f, "AT#SRECV=1,1500");
	if (strcmp(ev->line, "PROMPT AGAIN") == 0)
		framer_expect_prompt(f, 1);
}

static void
record(struct framer *f, struct transcript *t, const struct framer_event *ev)
{
	switch (ev->kind) {
	case FRAMER_NONE:
		break;
	case FRAMER_LINE:
		transcript_add(t, "L:", ev->line, ev->len);
		break;
	case FRAMER_ECHO:
		transcript_add(t, "E:", ev->line, ev->len);
		break;
	case FRAMER_PROMPT:
		transcript_add(t, "P", "", 0);
		break;
	case FRAMER_PAYLOAD:
		memcpy(t->payload + t->payload_len, ev->data, ev->data_len);
		t->payload_len += ev->data_len;
		if (ev->last) {
			transcript_add(t, "D:", t->payload, t->payload_len);
			t->payload_len = 0;
		}
		break;
	}
	react(f, ev);
}

static void
feed_all(struct framer *f, struct transcript *t, const uint8_t *buf,
    size_t len)
{
	struct framer_event ev;
	size_t n;

	while (len > 0) {
		n = framer_feed(f, buf, len, &ev);
		assert_true(n > 0 && n <= len);
		buf += n;
		len -= n;
		record(f, t, &ev);
	}
}

/* Feed buf in pieces cut at the given offsets (ascending). */
static void
run_split(const uint8_t *buf, size_t len, const size_t *cuts, size_t ncuts,
    struct transcript *t, struct framer_stats *st)
{
	struct framer f;
	size_t at = 0;

	memset(t, 0, sizeof(*t));
	framer_init(&f);
	framer_expect_echo(&f, "AT#SSENDEXT=1,4");
	framer_expect_prompt(&f, 1);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		feed_all(&f, t, buf + at, end - at);
		at = end;
	}
	if (st != NULL)
		*st = f.stats;
}

static const char stream[] =
    "AT#SSENDEXT=1,4\r"
    "\r\n> "
    "\r\nOK\r\n"
    "\r\nSRING: 1,8\r\n"
    "AT#SRECV=1,1500\r"
    "\r\n#SRECV: 1,8\r\n"
    "\r\nOK\r\n\0>"
    "\r\n\r\nOK\r\n"
    "> not a prompt\r\n"
    "x\0y\r\n"
    "PROMPT AGAIN\r\n"
    "> "
    "\r\nOK\r\n";

static const char expected[] =
    "E:AT#SSENDEXT=1,4|P|L:OK|L:SRING: 1,8|E:AT#SRECV=1,1500|"
    "L:#SRECV: 1,8|D:\\r\\nOK\\r\\n\\x00>|L:OK|L:> not a prompt|L:xy|"
    "L:PROMPT AGAIN|P|L:OK|";

static void
test_whole(void **state)
{
	struct transcript t;
	struct framer_stats st;

	run_split((const uint8_t *)stream, sizeof(stream) - 1, NULL, 0, &t,
	    &st);
	assert_string_equal(t.text, expected);
	assert_int_equal(st.nul, 1);
	assert_int_equal(st.payload_bytes, 8);
	assert_int_equal(st.prompts, 2);
}

static void
test_every_split(void **state)
{
	struct transcript t;
	size_t len = sizeof(stream) - 1, cuts[2];

	for (size_t i = 1; i < len; i++) {
		cuts[0] = i;
		run_split((const uint8_t *)stream, len, cuts, 1, &t, NULL);
		assert_string_equal(t.text, expected);
		for (size_t j = i + 1; j < len; j += 3) {
			cuts[1] = j;
			run_split((const uint8_t *)stream, len, cuts, 2, &t,
			    NULL);
			assert_string_equal(t.text, expected);
		}
	}
}

static void
test_byte_by_byte(void **state)
{
	struct transcript t;
	size_t len = sizeof(stream) - 1, cuts[sizeof(stream)];

	for (size_t i = 0; i < len - 1; i++)
		cuts[i] = i + 1;
	run_split((const uint8_t *)stream, len, cuts, len - 1, &t, NULL);
	assert_string_equal(t.text, expected);
}

/* Feed a string into a fresh framer with no expectations. */
static void
simple(const char *in, size_t len, const char *want, struct framer_stats *st)
{
	struct transcript t;
	struct framer f;

	memset(&t, 0, sizeof(t));
	framer_init(&f);
	feed_all(&f, &t, (const uint8_t *)in, len);
	assert_string_equal(t.text, want);
	if (st != NULL)
		*st = f.stats;
}

static void
test_lines(void **state)
{
	simple("\r\nOK\r\n", 6, "L:OK|", NULL);
	simple("A\rB\nC\r\n\r\n\n\rD\r", 13, "L:A|L:B|L:C|L:D|", NULL);
	simple("partial", 7, "", NULL);
	/* without an expected prompt, "> " is ordinary text */
	simple("> \r\n", 4, "L:> |", NULL);
}

static void
test_prompt_variants(void **state)
{
	struct transcript t;
	struct framer f;
	struct framer_event ev;

	/* bare "> " right after the echo, no CRLF */
	memset(&t, 0, sizeof(t));
	framer_init(&f);
	framer_expect_echo(&f, "AT#SSENDEXT=1,2");
	framer_expect_prompt(&f, 1);
	feed_all(&f, &t, (const uint8_t *)"AT#SSENDEXT=1,2\r> ", 18);
	assert_string_equal(t.text, "E:AT#SSENDEXT=1,2|P|");

	/* ME310G1 style "\r\n> " */
	framer_init(&f);
	framer_expect_prompt(&f, 1);
	assert_int_equal(framer_feed(&f, (const uint8_t *)"\r\n> ", 4, &ev), 4);
	assert_int_equal(ev.kind, FRAMER_PROMPT);

	/* a bare ">" the module stops after is the prompt (no space follows) */
	memset(&t, 0, sizeof(t));
	framer_init(&f);
	framer_expect_prompt(&f, 1);
	feed_all(&f, &t, (const uint8_t *)"\r\n>", 3);
	assert_string_equal(t.text, "P|");
	/* ... and a space that comes later is the rest of "> ", not text */
	feed_all(&f, &t, (const uint8_t *)" \r\nSEND OK\r\n", 12);
	assert_string_equal(t.text, "P|L:SEND OK|");

	/* ">" followed by text in the same read is not a prompt */
	memset(&t, 0, sizeof(t));
	framer_init(&f);
	framer_expect_prompt(&f, 1);
	feed_all(&f, &t, (const uint8_t *)">x\r\n", 4);
	assert_string_equal(t.text, "L:>x|");

	/* noise before the prompt does not hide it */
	memset(&t, 0, sizeof(t));
	framer_init(&f);
	framer_expect_prompt(&f, 1);
	feed_all(&f, &t, (const uint8_t *)"\x93z\x01> \r\nOK\r\n", 11);
	assert_string_equal(t.text, "P|L:OK|");
	assert_int_equal(f.stats.noise_prompts, 1);

	/* the prompt is one-shot */
	memset(&t, 0, sizeof(t));
	framer_init(&f);
	framer_expect_prompt(&f, 1);
	feed_all(&f, &t, (const uint8_t *)"> > \r\n", 6);
	assert_string_equal(t.text, "P|L:> |");
}

static void
test_payload_binary(void **state)
{
	struct transcript t;
	struct framer f;
	static const uint8_t in[] = "#SRECV: 1,13\r\n\r\nOK\r\n\0\x1a\xff\r\nOK\r\n"
	    "\r\n\r\nOK\r\n";

	memset(&t, 0, sizeof(t));
	framer_init(&f);
	feed_all(&f, &t, in, sizeof(in) - 1);
	assert_string_equal(t.text,
	    "L:#SRECV: 1,13|D:\\r\\nOK\\r\\n\\x00^Z\\xff\\r\\nOK|L:OK|");
	/* LF-only header: payload starts right after the LF */
	memset(&t, 0, sizeof(t));
	framer_init(&f);
	feed_all(&f, &t, (const uint8_t *)"#SRECV: 1,2\n\nA\r\nOK\r\n", 20);
	assert_string_equal(t.text, "L:#SRECV: 1,2|D:\\nA|L:OK|");
}

static void
test_payload_chunks(void **state)
{
	struct framer f;
	struct framer_event ev;

	framer_init(&f);
	framer_expect_payload(&f, 5);
	assert_int_equal(framer_feed(&f, (const uint8_t *)"abc", 3, &ev), 3);
	assert_int_equal(ev.kind, FRAMER_PAYLOAD);
	assert_int_equal(ev.data_len, 3);
	assert_false(ev.last);
	assert_int_equal(framer_payload_left(&f), 2);
	assert_int_equal(framer_feed(&f, (const uint8_t *)"de\r\nOK\r\n", 8,
	    &ev), 2);
	assert_true(ev.last);
	framer_reset(&f);
	assert_int_equal(framer_payload_left(&f), 0);
}

static void
test_echo(void **state)
{
	struct transcript t;
	struct framer f;

	memset(&t, 0, sizeof(t));
	framer_init(&f);
	framer_expect_echo(&f, "AT+CSQ");
	feed_all(&f, &t, (const uint8_t *)"AT+CSQ\r\r\n+CSQ: 1,2\r\nAT+CSQ\r", 27);
	/* the echo is recognised once */
	assert_string_equal(t.text, "E:AT+CSQ|L:+CSQ: 1,2|L:AT+CSQ|");
}

static void
test_overlong(void **state)
{
	struct framer_stats st;
	size_t n = FRAMER_LINE_MAX + 10;
	char *in = malloc(n + 16), *want = malloc(FRAMER_LINE_MAX + 16);

	memset(in, 'x', n);
	memcpy(in + n, "\r\nOK\r\n", 6);
	simple(in, n + 6, "L:OK|", &st);
	assert_int_equal(st.overlong, 1);
	/* exactly the maximum is kept */
	memset(in, 'y', FRAMER_LINE_MAX);
	memcpy(in + FRAMER_LINE_MAX, "\r\n", 2);
	strcpy(want, "L:");
	memset(want + 2, 'y', FRAMER_LINE_MAX);
	strcpy(want + 2 + FRAMER_LINE_MAX, "|");
	simple(in, FRAMER_LINE_MAX + 2, want, &st);
	assert_int_equal(st.overlong, 0);
	free(in);
	free(want);
}

static void
test_nul(void **state)
{
	struct framer_stats st;

	simple("\0\0O\0K\0\r\n", 8, "L:OK|", &st);
	assert_int_equal(st.nul, 4);
}

static void
test_reset(void **state)
{
	struct transcript t;
	struct framer f;

	memset(&t, 0, sizeof(t));
	framer_init(&f);
	feed_all(&f, &t, (const uint8_t *)"garb", 4);
	framer_expect_payload(&f, 100);
	framer_expect_prompt(&f, 1);
	framer_reset(&f);
	feed_all(&f, &t, (const uint8_t *)"> OK\r\n", 6);
	assert_string_equal(t.text, "L:> OK|");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_prompt_variants),
		cmocka_unit_test(test_payload_binary),
		cmocka_unit_test(test_payload_chunks),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
