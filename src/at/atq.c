/* AT command engine: see atq.h. This file holds the engine object, the
 * event loop's entry points (guarded so that at_free() from a callback is
 * deferred) and the public calls; the layers below are listed in
 * atq_int.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"
#include "at/atq_int.h"
#include "at/result.h"
#include "at/serial.h"
#include "at/urc.h"

static void at_free_now(struct at *);

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

void
at_resync(struct at *at)
{
	if (!at->gone && !at->dead)
		at_resync_begin(at, "requested");
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

static void
at_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct at *at = arg;
	struct at_cmd *c = at->current;

	if (c == NULL)
		return;
	at_enter(at);
	at_deadline_passed(at, c);
	at_leave(at);
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

	if (at->current != NULL)
		at_cmd_drop(at->current);
	at->current = NULL;
	if (at->late != NULL)
		at_cmd_drop(at->late);
	at->late = NULL;
	while ((c = TAILQ_FIRST(&at->queue)) != NULL) {
		TAILQ_REMOVE(&at->queue, c, entry);
		at_cmd_drop(c);
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

struct event_base *
at_base(const struct at *at)
{
	return at->base;
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

const char *
at_sync_trouble(const struct at *at)
{
	return at->sync == AT_SYNC_RUNNING && at->refused[0] != '\0' ? at->refused : NULL;
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
at_set_dialect(struct at *at, const struct at_dialect *dialect)
{
	at->p.dialect = dialect;
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
