/* AT command engine: see atq.h. */
#include "config.h"

#include <sys/queue.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "xmalloc.h"
#include "at/atq.h"
#include "at/framer.h"
#include "at/mask.h"
#include "at/serial.h"
#include "at/urc.h"

/* Internal commands run by the resynchronisation. */
enum at_step {
	AT_STEP_NONE,		/* a user command */
	AT_STEP_AT,		/* "AT": is anybody there? */
	AT_STEP_ECHO_OFF,	/* "ATE0" */
	AT_STEP_PROBE,		/* params.sync_probe */
};

struct at_cmd {
	TAILQ_ENTRY(at_cmd) entry;
	unsigned id;
	enum at_step step;
	char *cmd;
	char **prefixes;		/* NULL-terminated copy, or NULL */
	char *auto_prefix;		/* derived from the name, or NULL */
	int timeout_ms;
	unsigned flags;
	uint8_t *payload;
	size_t payload_len;
	int prompted;			/* payload written */
	int filling;			/* past the deadline: CRs sent, see at_fill */
	int fill_taken;			/* the module answered the CRs: it took them */
	char *raw_prefix;
	at_raw_len_fn raw_len;
	at_cb cb;
	void *arg;
	at_destroy destroy;
	int cancelled;			/* destroy already ran */
	char **lines;
	size_t n_lines;
	uint8_t *rx;			/* raw payload collected */
	size_t rx_len, rx_cap;
};
TAILQ_HEAD(at_cmd_list, at_cmd);

enum at_sync { AT_SYNC_RUNNING, AT_SYNC_OK };

struct at {
	struct event_base *base;
	struct serial *serial;
	struct framer framer;
	struct urc_registry *urcs;
	struct at_params p;
	char *name;
	char *sync_probe, *sync_probe_prefix;
	struct at_events ev;
	void *ev_arg;
	struct at_cmd_list queue;
	struct at_cmd *current;
	struct at_cmd *late;		/* a timed-out read that may still answer */
	int late_reading;		/* its payload is coming in */
	struct event *ev_deadline;
	struct event *ev_next;
	unsigned next_id;
	unsigned n_user;		/* user commands queued or in flight */
	enum at_sync sync;
	unsigned timeouts_in_row;
	int reported;			/* not_answering sent for this streak */
	int gone;
	int depth;			/* inside callbacks from the loop */
	int dead;			/* at_free() deferred */
	uint64_t last_final_ms;
	struct at_stats stats;
};

static void at_kick(struct at *);
static void at_resync_insert(struct at *, enum at_step);
static void at_free_now(struct at *);
static void at_late_finish(struct at *, enum at_final_kind);
static void at_cmd_add_line(struct at *, struct at_cmd *, const char *);

void
at_params_default(struct at_params *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "at";
	p->gap_ms = 20;
	p->gap_slow_ms = 0;
	p->queue_max = 32;
	p->timeout_ms = 5000;
	p->resync_timeout_ms = 1000;
	p->not_answering_after = 3;
	p->sync_probe = "AT+CMEE?";	/* 3GPP TS 27.007: every modem has it */
	p->sync_probe_prefix = "+CMEE:";
}

/* Enter and leave a callback from the event loop; the last one out performs
 * a deferred at_free(). Returns 1 when the engine is gone. */
static void
at_enter(struct at *at)
{
	at->depth++;
}

static int
at_leave(struct at *at)
{
	if (--at->depth == 0 && at->dead) {
		at_free_now(at);
		return 1;
	}
	return 0;
}

/* Log bytes escaped at debug level when tracing. */
static void
at_trace(struct at *at, const char *dir, const void *buf, size_t len)
{
	char *esc;
	size_t sz;

	if (!at->p.trace || log_current_level < LOG_LEVEL_DEBUG)
		return;
	sz = len * 4 + 8;
	esc = xmalloc(sz);
	util_escape(buf, len, esc, sz);
	log_debug("%s: %s %s", at->name, dir, esc);
	free(esc);
}

/* Trace a command line or an echo with its secrets masked. */
static void
at_trace_masked(struct at *at, const char *dir, const char *line, int all,
    const char *suffix)
{
	char *masked, *full;

	if (!at->p.trace || log_current_level < LOG_LEVEL_DEBUG)
		return;
	masked = at_mask_dup(at->p.dialect, line, all);
	xasprintf(&full, "%s%s", masked, suffix);
	at_trace(at, dir, full, strlen(full));
	free(full);
	free(masked);
}

/* "AT+CSQ" -> "+CSQ:", "AT#SS=1" -> "#SS:"; NULL for basic commands. */
static char *
at_derive_prefix(const char *cmd)
{
	size_t n;
	char *p;

	if (strncasecmp(cmd, "AT", 2) != 0 || cmd[2] == '\0' ||
	    strchr("+#$%^*", cmd[2]) == NULL)
		return NULL;
	n = strcspn(cmd + 2, "=?;");
	p = xmalloc(n + 2);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)toupper((unsigned char)cmd[2 + i]);
	p[n] = ':';
	p[n + 1] = '\0';
	return p;
}

static char **
at_copy_prefixes(const char *const *src)
{
	char **dst;
	size_t n = 0;

	if (src == NULL)
		return NULL;
	while (src[n] != NULL)
		n++;
	dst = xcalloc(n + 1, sizeof(*dst));
	for (size_t i = 0; i < n; i++)
		dst[i] = xstrdup(src[i]);
	return dst;
}

static void
at_cmd_free(struct at_cmd *c)
{
	for (size_t i = 0; c->prefixes != NULL && c->prefixes[i] != NULL; i++)
		free(c->prefixes[i]);
	free(c->prefixes);
	for (size_t i = 0; i < c->n_lines; i++)
		free(c->lines[i]);
	free(c->lines);
	free(c->auto_prefix);
	free(c->raw_prefix);
	free(c->payload);
	free(c->rx);
	free(c->cmd);
	free(c);
}

/* Is this a command line we are willing to send? */
static int
at_cmd_valid(const char *cmd)
{
	size_t n;

	if (cmd == NULL || (n = strlen(cmd)) == 0 || n > AT_CMD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
			return 0;
	return 1;
}

static struct at_cmd *
at_cmd_new(struct at *at, const struct at_command *ac)
{
	struct at_cmd *c = xcalloc(1, sizeof(*c));

	c->id = at->next_id++;
	if (at->next_id == 0)
		at->next_id = 1;
	c->cmd = xstrdup(ac->cmd);
	c->prefixes = at_copy_prefixes(ac->prefixes);
	if (c->prefixes == NULL)
		c->auto_prefix = at_derive_prefix(ac->cmd);
	c->timeout_ms = ac->timeout_ms > 0 ? ac->timeout_ms : at->p.timeout_ms;
	c->flags = ac->flags;
	if (ac->payload != NULL) {
		c->payload = xmalloc(ac->payload_len);
		memcpy(c->payload, ac->payload, ac->payload_len);
		c->payload_len = ac->payload_len;
	}
	if (ac->raw_prefix != NULL && ac->raw_len != NULL) {
		c->raw_prefix = xstrdup(ac->raw_prefix);
		c->raw_len = ac->raw_len;
	}
	return c;
}

unsigned
at_submit(struct at *at, const struct at_command *ac, at_cb cb, void *arg,
    at_destroy destroy)
{
	struct at_cmd *c;

	if (at->gone || at->dead || !at_cmd_valid(ac->cmd))
		return 0;
	if (at->n_user >= at->p.queue_max) {
		log_warnx("%s: command queue full (%u commands), refusing "
		    "another", at->name, at->n_user);
		return 0;
	}
	c = at_cmd_new(at, ac);
	c->cb = cb;
	c->arg = arg;
	c->destroy = destroy;
	TAILQ_INSERT_TAIL(&at->queue, c, entry);
	at->n_user++;
	at_kick(at);
	return c->id;
}

/* Run destroy once for a command that will not get its callback. */
static void
at_cmd_cancel(struct at_cmd *c)
{
	if (c->cancelled)
		return;
	c->cancelled = 1;
	c->cb = NULL;
	if (c->destroy != NULL)
		c->destroy(c->arg);
}

/* Find a user command that may still be cancelled; *queued tells where. */
static struct at_cmd *
at_find(struct at *at, unsigned id, int *queued)
{
	struct at_cmd *c;

	*queued = 0;
	if ((c = at->current) != NULL && c->id == id &&
	    c->step == AT_STEP_NONE && !c->cancelled)
		return c;
	*queued = 1;
	TAILQ_FOREACH(c, &at->queue, entry)
		if (c->id == id && c->step == AT_STEP_NONE)
			return c;
	return NULL;
}

int
at_cancel(struct at *at, unsigned id)
{
	struct at_cmd *c;
	int queued;

	if (id == 0 || (c = at_find(at, id, &queued)) == NULL)
		return -1;
	at_enter(at);
	if (queued) {
		TAILQ_REMOVE(&at->queue, c, entry);
		at->n_user--;
	}
	at_cmd_cancel(c);	/* a command in flight stays until its answer */
	if (queued)
		at_cmd_free(c);
	at_leave(at);
	return 0;
}

/* Schedule the next command once the gap after the last final has passed. */
static void
at_kick(struct at *at)
{
	uint64_t now, since;
	int delay = 0;
	struct timeval tv;

	if (at->current != NULL || at->gone || at->dead ||
	    TAILQ_EMPTY(&at->queue) || evtimer_pending(at->ev_next, NULL))
		return;
	now = util_now_ms();
	since = now - at->last_final_ms;
	if (at->p.gap_ms > 0 && since < (uint64_t)at->p.gap_ms)
		delay = at->p.gap_ms - (int)since;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(at->ev_next, &tv);
}

/* Arm the deadline of the command in flight. */
static void
at_arm(struct at *at, struct at_cmd *c, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(at->ev_deadline, &tv);
}

/* Write the head of the queue and arm its deadline. A prompt command has
 * one deadline for prompt, payload and result: a prompt that comes late must
 * still find the engine waiting, or whatever is written next would become
 * its payload. */
static void
at_send(struct at *at, struct at_cmd *c)
{
	at->current = c;
	framer_expect_echo(&at->framer, c->cmd);
	framer_expect_prompt(&at->framer, c->payload != NULL);
	at_trace_masked(at, ">", c->cmd, (c->flags & AT_CMD_SECRET) != 0, "\r");
	serial_write(at->serial, c->cmd, strlen(c->cmd));
	serial_write(at->serial, "\r", 1);
	at_arm(at, c, c->timeout_ms);
}

static void
at_on_next(evutil_socket_t fd, short what, void *arg)
{
	struct at *at = arg;
	struct at_cmd *c;

	if (at->current != NULL || at->gone ||
	    (c = TAILQ_FIRST(&at->queue)) == NULL)
		return;
	TAILQ_REMOVE(&at->queue, c, entry);
	at_send(at, c);
}

/* Hand the finished command its response, then release it. */
static void
at_deliver(struct at *at, struct at_cmd *c, const struct at_result *res)
{
	struct at_response r;

	r.cmd = c->cmd;
	r.result = *res;
	r.lines = c->lines;
	r.n_lines = c->n_lines;
	r.payload = c->rx;
	r.payload_len = c->rx_len;
	r.payload_written = c->prompted;
	r.fill_taken = c->fill_taken;
	r.fill_len = c->filling ? c->payload_len : 0;
	if (c->cb != NULL && !c->cancelled)
		c->cb(&r, c->arg);
	if (c->destroy != NULL && !c->cancelled)
		c->destroy(c->arg);
	c->cancelled = 1;
	at_cmd_free(c);
}

/* A resync step finished: go on, start over, or declare sync. */
static void
at_resync_step(struct at *at, enum at_step step, const struct at_result *res)
{
	if (res->kind != AT_FINAL_OK) {
		if (res->kind != AT_FINAL_GONE)
			at_resync_insert(at, AT_STEP_AT);
		return;
	}
	if (step == AT_STEP_AT) {
		at_resync_insert(at, AT_STEP_ECHO_OFF);
		return;
	}
	if (step == AT_STEP_ECHO_OFF && at->sync_probe != NULL) {
		at_resync_insert(at, AT_STEP_PROBE);
		return;
	}
	if (at->late != NULL) {
		at_late_finish(at, AT_FINAL_TIMEOUT);
		if (at->dead)
			return;
	}
	at->sync = AT_SYNC_OK;
	log_debug("%s: synchronised", at->name);
	if (at->ev.ready != NULL)
		at->ev.ready(at->ev_arg);
}

/* The command in flight is over with this result. */
static void
at_complete(struct at *at, const struct at_result *res)
{
	struct at_cmd *c = at->current;
	enum at_step step = c->step;

	evtimer_del(at->ev_deadline);
	framer_expect_echo(&at->framer, NULL);
	framer_expect_prompt(&at->framer, 0);
	at->current = NULL;
	at->last_final_ms = util_now_ms();
	at->stats.commands++;
	if (res->kind != AT_FINAL_TIMEOUT && res->kind != AT_FINAL_GONE) {
		at->timeouts_in_row = 0;
		at->reported = 0;
	}
	if (step == AT_STEP_NONE)
		at->n_user--;
	at_deliver(at, c, res);
	if (at->dead)
		return;
	if (step != AT_STEP_NONE)
		at_resync_step(at, step, res);
	at_kick(at);
}

/* The timed-out read kept aside is over: with its late payload (OK) or,
 * once the resync is done without it, as a timeout. */
static void
at_late_finish(struct at *at, enum at_final_kind kind)
{
	struct at_cmd *c = at->late;
	struct at_result res;

	at->late = NULL;
	at->late_reading = 0;
	at->stats.commands++;
	at_result_synthetic(kind, &res);
	res.success = (kind == AT_FINAL_OK);
	if (kind == AT_FINAL_OK)
		log_info("%s: late answer to %s: %zu bytes", at->name, c->cmd, c->rx_len);
	at_deliver(at, c, &res);
}

/* A read (a command with a raw payload, #SRECV) went unanswered. The module
 * may still answer it with data it has already taken from its buffer, so
 * it is kept aside during the resync instead of failing now. */
static int
at_keep_late(struct at *at, struct at_cmd *c)
{
	if (c->raw_prefix == NULL || c->step != AT_STEP_NONE || at->late != NULL)
		return 0;
	evtimer_del(at->ev_deadline);
	framer_expect_echo(&at->framer, NULL);
	at->current = NULL;
	at->n_user--;
	at->late = c;
	return 1;
}

/* During the resync: the late answer's header line starts its payload. */
static int
at_late_line(struct at *at, const char *line)
{
	struct at_cmd *c = at->late;

	if (c == NULL || at->late_reading || !at_prefix_match(c->raw_prefix, line, NULL))
		return 0;
	at_cmd_add_line(at, c, line);
	if (c->rx_cap == 0) {
		at_late_finish(at, AT_FINAL_OK);	/* nothing follows the header */
		return 1;
	}
	at->late_reading = 1;
	return 1;
}

/* Put a resync step at the head of the queue. */
static void
at_resync_insert(struct at *at, enum at_step step)
{
	struct at_command ac;
	const char *probe[2] = { at->sync_probe_prefix, NULL };
	struct at_cmd *c;

	memset(&ac, 0, sizeof(ac));
	ac.timeout_ms = at->p.resync_timeout_ms;
	ac.cmd = step == AT_STEP_AT ? "AT" :
	    step == AT_STEP_ECHO_OFF ? "ATE0" : at->sync_probe;
	if (step == AT_STEP_PROBE)
		ac.prefixes = probe;
	c = at_cmd_new(at, &ac);
	c->step = step;
	TAILQ_INSERT_HEAD(&at->queue, c, entry);
}

/* Start resynchronising unless a resync is already under way. */
static void
at_resync_begin(struct at *at, const char *why)
{
	struct at_cmd *c;

	if (at->current != NULL && at->current->step != AT_STEP_NONE)
		return;
	TAILQ_FOREACH(c, &at->queue, entry)
		if (c->step != AT_STEP_NONE)
			return;
	log_debug("%s: resynchronising (%s)", at->name, why);
	at->stats.resyncs++;
	at->sync = AT_SYNC_RUNNING;
	at_resync_insert(at, AT_STEP_AT);
	at_kick(at);
}

void
at_resync(struct at *at)
{
	if (!at->gone && !at->dead)
		at_resync_begin(at, "requested");
}

/* A command went unanswered: if the gap after final results is shorter
 * than the safe one, the module may not have been ready; use the safe gap
 * from now on. */
static void
at_widen_gap(struct at *at)
{
	if (at->p.gap_slow_ms <= at->p.gap_ms)
		return;
	log_warnx("%s: waiting %d ms instead of %d ms after each result from now on",
	    at->name, at->p.gap_slow_ms, at->p.gap_ms);
	at->p.gap_ms = at->p.gap_slow_ms;
}

/* A prompt command past its deadline. The module may still wait behind a
 * prompt that noise hid, or for the rest of a payload it partly lost; then
 * whatever is written next would be taken as payload. It waits for at most
 * payload_len bytes: send that many CRs (in command mode an empty line,
 * ignored) and give it the default deadline to answer. An answer means it
 * took them (fill_taken): the server got filler, the send is not retried. */
static void
at_fill(struct at *at, struct at_cmd *c)
{
	uint8_t *cr = xmalloc(c->payload_len);

	memset(cr, '\r', c->payload_len);
	framer_expect_prompt(&at->framer, 0);
	c->filling = 1;
	log_warnx("%s: sending %zu CR bytes in case the module still waits for a payload",
	    at->name, c->payload_len);
	serial_write(at->serial, cr, c->payload_len);
	free(cr);
	at_arm(at, c, at->p.timeout_ms);
}

static void
at_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct at *at = arg;
	struct at_result res;
	struct at_cmd *c = at->current;
	char *masked;
	unsigned n;

	if (c == NULL)
		return;
	at_enter(at);
	if (c->filling) {	/* the CRs got no answer: nothing was taken */
		at_resync_begin(at, "timeout");
		at_result_synthetic(AT_FINAL_TIMEOUT, &res);
		at_complete(at, &res);
		at_leave(at);
		return;
	}
	masked = at_mask_dup(at->p.dialect, c->cmd, (c->flags & AT_CMD_SECRET) != 0);
	log_warnx("%s: no answer to %s within %d ms%s", at->name, masked,
	    c->timeout_ms, c->payload != NULL && !c->prompted ? " (no prompt)" : "");
	free(masked);
	at_widen_gap(at);
	framer_reset(&at->framer);
	at->stats.timeouts++;
	n = ++at->timeouts_in_row;
	if (c->payload != NULL && c->step == AT_STEP_NONE)
		at_fill(at, c);
	else if (at_keep_late(at, c))
		at_resync_begin(at, "timeout");
	else {
		if (c->step == AT_STEP_NONE)
			at_resync_begin(at, "timeout");
		at_result_synthetic(AT_FINAL_TIMEOUT, &res);
		at_complete(at, &res);
	}
	if (!at->dead && n >= at->p.not_answering_after && !at->reported) {
		at->reported = 1;
		log_warnx("%s: modem not answering (%u timeouts in a row)",
		    at->name, n);
		if (at->ev.not_answering != NULL)
			at->ev.not_answering(n, at->ev_arg);
	}
	at_leave(at);
}

/* Does an answer line belong to the command in flight? */
static int
at_cmd_owns(struct at *at, struct at_cmd *c, const char *line)
{
	if (c->prefixes != NULL) {
		for (size_t i = 0; c->prefixes[i] != NULL; i++)
			if (at_prefix_match(c->prefixes[i], line, NULL))
				return 1;
		return 0;
	}
	if (c->step != AT_STEP_NONE)
		return 0;
	if (c->auto_prefix != NULL &&
	    at_prefix_match(c->auto_prefix, line, NULL))
		return 1;
	return !urc_matches(at->urcs, line);
}

/* Store an answer line; a raw-prefix line switches the framer to payload. */
static void
at_cmd_add_line(struct at *at, struct at_cmd *c, const char *line)
{
	const char *args;
	long n;

	if (c->n_lines >= AT_RESPONSE_MAX_LINES) {
		at->stats.dropped_lines++;
		return;
	}
	c->lines = xrealloc(c->lines, (c->n_lines + 1) * sizeof(*c->lines));
	c->lines[c->n_lines++] = xstrdup(line);
	if (c->raw_prefix == NULL ||
	    !at_prefix_match(c->raw_prefix, line, &args))
		return;
	if ((n = c->raw_len(args)) <= 0)
		return;
	c->rx_cap = c->rx_len + (size_t)n;
	c->rx = xrealloc(c->rx, c->rx_cap);
	framer_expect_payload(&at->framer, (size_t)n);
}

static void
at_urc(struct at *at, const char *line)
{
	at->stats.urcs++;
	urc_dispatch(at->urcs, line);
}

/* A final result while a command is in flight. */
static void
at_final(struct at *at, struct at_cmd *c, const char *line,
    const struct at_result *res)
{
	struct at_result res2;

	if (res->kind == AT_FINAL_NO_CARRIER &&
	    !(c->flags & AT_CMD_NO_CARRIER)) {
		at_urc(at, line);
		return;
	}
	if (c->filling) {
		c->fill_taken = 1;
		log_warnx("%s: the module took the CR bytes: a send of %zu bytes ended with "
		    "filler", at->name, c->payload_len);
		at_resync_begin(at, "filled send");
		at_result_synthetic(AT_FINAL_TIMEOUT, &res2);
		at_complete(at, &res2);
		return;
	}
	if (c->step == AT_STEP_PROBE && c->n_lines == 0) {
		at->stats.stray++;
		log_debug("%s: ignoring a late final result during resync",
		    at->name);
		return;
	}
	at_complete(at, res);
}

static void
at_handle_line(struct at *at, const char *line)
{
	struct at_result res;
	struct at_cmd *c = at->current;
	int final;

	if (strncasecmp(line, "AT", 2) == 0) {
		at_trace_masked(at, "< echo", line, 0, "");
		at->stats.echoes++;
		return;
	}
	at_trace(at, "<", line, strlen(line));
	if (at->late != NULL && at_late_line(at, line))
		return;
	final = at_result_parse(at->p.dialect, line, &res);
	if (c != NULL && final) {
		at_final(at, c, line, &res);
		return;
	}
	if (c != NULL && at_cmd_owns(at, c, line)) {
		at_cmd_add_line(at, c, line);
		return;
	}
	if (final && res.kind != AT_FINAL_NO_CARRIER) {
		at->stats.stray++;
		log_debug("%s: final result with no command waiting",
		    at->name);
		at_resync_begin(at, "stray final result");
		return;
	}
	at_urc(at, line);
}

static void
at_handle_prompt(struct at *at)
{
	struct at_cmd *c = at->current;

	if (c == NULL || c->payload == NULL || c->prompted)
		return;
	c->prompted = 1;
	at_trace(at, "< prompt, >", c->payload, c->payload_len);
	serial_write(at->serial, c->payload, c->payload_len);
}

static void
at_handle_payload(struct at *at, const struct framer_event *ev)
{
	struct at_cmd *c = at->late_reading ? at->late : at->current;

	at_trace(at, "< raw", ev->data, ev->data_len);
	if (c == NULL || c->rx_len + ev->data_len > c->rx_cap)
		return;
	memcpy(c->rx + c->rx_len, ev->data, ev->data_len);
	c->rx_len += ev->data_len;
	if (c == at->late && ev->last)
		at_late_finish(at, AT_FINAL_OK);
}

static void
at_handle_event(struct at *at, const struct framer_event *ev)
{
	switch (ev->kind) {
	case FRAMER_NONE:
		break;
	case FRAMER_LINE:
		at_handle_line(at, ev->line);
		break;
	case FRAMER_ECHO:
		at->stats.echoes++;
		at_trace_masked(at, "< echo", ev->line, at->current != NULL &&
		    (at->current->flags & AT_CMD_SECRET), "");
		break;
	case FRAMER_PROMPT:
		at_handle_prompt(at);
		break;
	case FRAMER_PAYLOAD:
		at_handle_payload(at, ev);
		break;
	}
}

static void
at_on_read(const uint8_t *buf, size_t len, void *arg)
{
	struct at *at = arg;
	struct framer_event ev;
	size_t n;

	at_enter(at);
	while (len > 0 && !at->dead && !at->gone) {
		n = framer_feed(&at->framer, buf, len, &ev);
		buf += n;
		len -= n;
		at_handle_event(at, &ev);
	}
	at_leave(at);
}

/* Complete the command in flight and every queued one with GONE. */
static void
at_on_gone(int error, void *arg)
{
	struct at *at = arg;
	struct at_result res;
	struct at_cmd *c;

	at_enter(at);
	at->gone = 1;
	evtimer_del(at->ev_next);
	at_result_synthetic(AT_FINAL_GONE, &res);
	if (at->current != NULL)
		at_complete(at, &res);
	if (!at->dead && at->late != NULL)
		at_late_finish(at, AT_FINAL_GONE);
	while (!at->dead && (c = TAILQ_FIRST(&at->queue)) != NULL) {
		TAILQ_REMOVE(&at->queue, c, entry);
		if (c->step == AT_STEP_NONE)
			at->n_user--;
		at_deliver(at, c, &res);
	}
	if (!at->dead && at->ev.gone != NULL)
		at->ev.gone(error, at->ev_arg);
	at_leave(at);
}

struct at *
at_new(struct event_base *base, struct serial *serial,
    const struct at_params *params, const struct at_events *events, void *arg)
{
	struct at *at = xcalloc(1, sizeof(*at));
	static const struct serial_ops ops = { at_on_read, at_on_gone };

	at->base = base;
	at->serial = serial;
	at->p = *params;
	at->name = xstrdup(params->name != NULL ? params->name : "at");
	at->p.name = at->name;
	if (params->sync_probe != NULL && params->sync_probe_prefix != NULL) {
		at->sync_probe = xstrdup(params->sync_probe);
		at->sync_probe_prefix = xstrdup(params->sync_probe_prefix);
	}
	if (events != NULL)
		at->ev = *events;
	at->ev_arg = arg;
	framer_init(&at->framer);
	at->urcs = urc_new(at->name);
	TAILQ_INIT(&at->queue);
	at->next_id = 1;
	at->ev_deadline = evtimer_new(base, at_on_deadline, at);
	at->ev_next = evtimer_new(base, at_on_next, at);
	if (at->ev_deadline == NULL || at->ev_next == NULL)
		fatalx("evtimer_new");
	serial_start(serial, &ops, at);
	at_resync_begin(at, "start");
	return at;
}

/* Release everything; commands not completed get their destroy call. */
static void
at_free_now(struct at *at)
{
	struct at_cmd *c;

	if (at->current != NULL) {
		at_cmd_cancel(at->current);
		at_cmd_free(at->current);
		at->current = NULL;
	}
	if (at->late != NULL) {
		at_cmd_cancel(at->late);
		at_cmd_free(at->late);
		at->late = NULL;
	}
	while ((c = TAILQ_FIRST(&at->queue)) != NULL) {
		TAILQ_REMOVE(&at->queue, c, entry);
		at_cmd_cancel(c);
		at_cmd_free(c);
	}
	event_free(at->ev_deadline);
	event_free(at->ev_next);
	serial_close(at->serial);
	urc_free(at->urcs);
	free(at->sync_probe);
	free(at->sync_probe_prefix);
	free(at->name);
	free(at);
}

void
at_free(struct at *at)
{
	if (at == NULL)
		return;
	if (at->depth > 0) {
		at->dead = 1;
		return;
	}
	at_free_now(at);
}

struct urc_registry *
at_urcs(struct at *at)
{
	return at->urcs;
}

int
at_is_synced(const struct at *at)
{
	return at->sync == AT_SYNC_OK;
}

unsigned
at_queue_length(const struct at *at)
{
	return at->n_user;
}

void
at_set_trace(struct at *at, int on)
{
	at->p.trace = on;
}

void
at_get_stats(const struct at *at, struct at_stats *st)
{
	*st = at->stats;
	st->overlong = at->framer.stats.overlong;
	st->nul = at->framer.stats.nul;
}

int
at_gap_ms(const struct at *at)
{
	return at->p.gap_ms;
}

const char *
at_response_next(const struct at_response *r, const char *prefix,
    size_t *iter)
{
	const char *args;

	for (; *iter < r->n_lines; (*iter)++) {
		if (prefix == NULL) {
			args = r->lines[*iter];
			(*iter)++;
			return args;
		}
		if (at_prefix_match(prefix, r->lines[*iter], &args)) {
			(*iter)++;
			return args;
		}
	}
	return NULL;
}
