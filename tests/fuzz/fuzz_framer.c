/* libFuzzer target for the AT framer: feeds the input whole and in pieces
 * whose sizes come from the input itself, reacting to events the way the
 * engine does, and checks that both give the same events and that no event
 * breaks the framer's bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at/framer.h"

struct digest {
	uint64_t h;
	unsigned long events;
};

static void
digest_add(struct digest *d, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		d->h = (d->h ^ p[i]) * 1099511628211ULL;
}

/* React like the engine: payload after "#SRECV: x,N", prompts on demand. */
static void
react(struct framer *f, const struct framer_event *ev)
{
	const char *comma;

	if (ev->kind != FRAMER_LINE)
		return;
	if (strncmp(ev->line, "#SRECV:", 7) == 0 &&
	    (comma = strchr(ev->line, ',')) != NULL)
		framer_expect_payload(f, (size_t)strtoul(comma + 1, NULL, 10) %
		    5000);
	if (ev->line[0] == 'P')
		framer_expect_prompt(f, 1);
	if (ev->line[0] == 'E')
		framer_expect_echo(f, "ATE");
	if (ev->line[0] == 'R')
		framer_reset(f);
}

static void
record(struct framer *f, struct digest *d, const struct framer_event *ev)
{
	uint8_t k = (uint8_t)ev->kind;

	if (ev->kind == FRAMER_NONE)
		return;
	if (ev->kind == FRAMER_LINE || ev->kind == FRAMER_ECHO) {
		if (ev->len > FRAMER_LINE_MAX || strlen(ev->line) != ev->len)
			abort();
		digest_add(d, &k, 1);
		digest_add(d, ev->line, ev->len);
	} else if (ev->kind == FRAMER_PAYLOAD) {
		digest_add(d, ev->data, ev->data_len);
		if (ev->last)
			digest_add(d, &k, 1);
	} else
		digest_add(d, &k, 1);
	d->events++;
	react(f, ev);
}

static void
run(const uint8_t *data, size_t size, const uint8_t *cuts, size_t ncuts,
    struct digest *d)
{
	static struct framer f;
	struct framer_event ev;
	size_t off = 0, chunk, n, ci = 0;

	framer_init(&f);
	framer_expect_echo(&f, "AT");
	while (off < size) {
		chunk = size - off;
		if (ncuts > 0)
			chunk = 1 + cuts[ci++ % ncuts] % (size - off);
		while (chunk > 0) {
			n = framer_feed(&f, data + off, chunk, &ev);
			if (n == 0 || n > chunk)
				abort();
			off += n;
			chunk -= n;
			record(&f, d, &ev);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = { 14695981039346656037ULL, 0 };
	struct digest split = { 14695981039346656037ULL, 0 };
	size_t ncuts;

	if (size < 1)
		return 0;
	ncuts = data[0] % 8 + 1;
	if (size < 1 + ncuts)
		return 0;
	run(data + 1 + ncuts, size - 1 - ncuts, NULL, 0, &whole);
	run(data + 1 + ncuts, size - 1 - ncuts, data + 1, ncuts, &split);
	if (whole.h != split.h)
		abort();
	return 0;
}
