/* AT byte framer: see framer.h. A small state machine in the spirit of
 * oFono's gatsyntax, with raw payload reading and bounded lines. */
#include "config.h"

#include <string.h>

#include "at/framer.h"

void
framer_init(struct framer *f)
{
	memset(f, 0, sizeof(*f));
}

void
framer_reset(struct framer *f)
{
	struct framer_stats stats = f->stats;

	framer_init(f);
	f->stats = stats;
}

void
framer_expect_prompt(struct framer *f, int on)
{
	f->expect_prompt = on;
}

void
framer_expect_payload(struct framer *f, size_t n)
{
	f->payload_left = n;
}

void
framer_expect_echo(struct framer *f, const char *cmd)
{
	f->echo = cmd;
}

size_t
framer_payload_left(const struct framer *f)
{
	return f->payload_left;
}

/* A CR or LF ends the current line; returns 1 when it produced an event. */
static int
framer_end_line(struct framer *f, uint8_t c, struct framer_event *ev)
{
	f->pending_lf = (c == '\r');
	if (f->discarding) {
		f->discarding = 0;
		f->len = 0;
		return 0;
	}
	if (f->len == 0)
		return 0;
	f->line[f->len] = '\0';
	ev->kind = FRAMER_LINE;
	ev->line = f->line;
	ev->len = f->len;
	if (f->echo != NULL && strcmp(f->echo, f->line) == 0) {
		ev->kind = FRAMER_ECHO;
		f->echo = NULL;
	}
	f->stats.lines++;
	f->len = 0;
	return 1;
}

/* The space of a "> " is the prompt, if one is expected: at the start of a
 * line, or after bytes that are not a line (noise on the port, which must
 * not hide a prompt the module is waiting behind). */
static int
framer_prompt(struct framer *f, uint8_t c, struct framer_event *ev)
{
	if (!f->expect_prompt || c != ' ' || f->discarding)
		return 0;
	if (f->len < 1 || f->line[f->len - 1] != '>')
		return 0;
	if (f->len > 1)
		f->stats.noise_prompts++;
	f->len = 0;
	f->expect_prompt = 0;
	f->stats.prompts++;
	ev->kind = FRAMER_PROMPT;
	return 1;
}

/* A bare ">" at the start of a line that is the last byte the module has
 * sent is the prompt too: some modules send no space after it and wait. A
 * space that follows later is the rest of a "> " and is dropped. */
static int
framer_bare_prompt(struct framer *f, int last, struct framer_event *ev)
{
	if (!f->expect_prompt || !last || f->discarding || f->len != 1 || f->line[0] != '>')
		return 0;
	f->len = 0;
	f->expect_prompt = 0;
	f->eat_space = 1;
	f->stats.prompts++;
	ev->kind = FRAMER_PROMPT;
	return 1;
}

/* Append one byte of line text; NUL is dropped, an over-long line discarded. */
static void
framer_add(struct framer *f, uint8_t c)
{
	if (c == '\0') {
		f->stats.nul++;
		return;
	}
	if (f->discarding)
		return;
	if (f->len == FRAMER_LINE_MAX) {
		f->discarding = 1;
		f->stats.overlong++;
		f->len = 0;
		return;
	}
	f->line[f->len++] = (char)c;
}

/* Hand out as much of the expected raw payload as buf holds. */
static size_t
framer_payload(struct framer *f, const uint8_t *buf, size_t len,
    struct framer_event *ev)
{
	size_t n = len < f->payload_left ? len : f->payload_left;

	f->payload_left -= n;
	f->stats.payload_bytes += n;
	ev->kind = FRAMER_PAYLOAD;
	ev->data = buf;
	ev->data_len = n;
	ev->last = (f->payload_left == 0);
	return n;
}

size_t
framer_feed(struct framer *f, const uint8_t *buf, size_t len,
    struct framer_event *ev)
{
	size_t i = 0;
	uint8_t c;

	memset(ev, 0, sizeof(*ev));
	ev->kind = FRAMER_NONE;
	while (i < len) {
		c = buf[i];
		if (f->pending_lf) {
			f->pending_lf = 0;
			if (c == '\n') {
				i++;
				continue;
			}
		}
		if (f->eat_space) {
			f->eat_space = 0;
			if (c == ' ') {
				i++;
				continue;
			}
		}
		if (f->payload_left > 0)
			return i + framer_payload(f, buf + i, len - i, ev);
		i++;
		if (c == '\r' || c == '\n') {
			if (framer_end_line(f, c, ev))
				return i;
			continue;
		}
		if (framer_prompt(f, c, ev))
			return i;
		framer_add(f, c);
		if (framer_bare_prompt(f, i == len, ev))
			return i;
	}
	return i;
}
