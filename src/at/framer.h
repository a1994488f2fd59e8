/* AT byte framer: a pure function over the bytes read from the modem (no
 * I/O). It yields lines, the echo of the command just sent, the "> " prompt
 * of a prompt command and exactly N raw payload bytes when told to expect
 * them (a read's payload). Feeding the same bytes in any split gives the
 * same events. */
#ifndef CELLSOCK_AT_FRAMER_H
#define CELLSOCK_AT_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#define FRAMER_LINE_MAX 4096	/* longest line kept; longer ones are dropped */

enum framer_event_kind {
	FRAMER_NONE,		/* all input consumed, no complete event */
	FRAMER_LINE,		/* a non-empty line, without its terminator */
	FRAMER_ECHO,		/* a line equal to the expected echo */
	FRAMER_PROMPT,		/* "> " while a prompt was expected */
	FRAMER_PAYLOAD,		/* a chunk of the expected raw bytes */
};

struct framer_event {
	enum framer_event_kind kind;
	const char *line;	/* LINE/ECHO, NUL-terminated; valid until the
				 * next feed */
	size_t len;		/* LINE/ECHO: length of line */
	const uint8_t *data;	/* PAYLOAD: points into the fed buffer */
	size_t data_len;
	int last;		/* PAYLOAD: the expected count is complete */
};

struct framer_stats {
	unsigned long lines;		/* LINE and ECHO events */
	unsigned long overlong;		/* lines over FRAMER_LINE_MAX dropped */
	unsigned long nul;		/* NUL bytes dropped outside payload */
	unsigned long payload_bytes;
	unsigned long prompts;
	unsigned long noise_prompts;	/* of those, "> " after other bytes */
};

/* The caller owns this storage; the fields are private to framer.c. */
struct framer {
	char line[FRAMER_LINE_MAX + 1];
	size_t len;
	int discarding;		/* inside an over-long line */
	int pending_lf;		/* the last terminator was CR: swallow one LF */
	int expect_prompt;
	int eat_space;		/* a bare ">" was the prompt: a space right after is its own */
	size_t payload_left;
	const char *echo;	/* caller-owned; NULL: no echo expected */
	struct framer_stats stats;
};

void framer_init(struct framer *);
/* Drop any partial line and all expectations (prompt, payload, echo). */
void framer_reset(struct framer *);
/* Consume bytes up to and including the first complete event, which is
 * stored in *ev (FRAMER_NONE if none). Returns the number of bytes used. */
size_t framer_feed(struct framer *, const uint8_t *buf, size_t len,
    struct framer_event *ev);
/* Recognise a bare "> " at the start of a line as the prompt (one shot). */
void framer_expect_prompt(struct framer *, int on);
/* The next n bytes (after the terminator of the current line) are raw data. */
void framer_expect_payload(struct framer *, size_t n);
/* A line equal to cmd is the echo (one shot); cmd must outlive it. */
void framer_expect_echo(struct framer *, const char *cmd);
size_t framer_payload_left(const struct framer *);

#endif
