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
	p->port_setup = "AT+CMEE=2";	/* 3GPP TS 27.007: verbose errors */
	p->patience_ms[AT_URGENT] = 0;
	p->patience_ms[AT_NORMAL] = 10000;
	p->patience_ms[AT_SLOW] = 30000;
	p->max_passes = 8;
}

/* Enter and leave a callback from the event loop (on any channel); the
 * last one out performs a deferred at_free() of the whole group. Returns 1
 * when the engine is gone. */
static void
at_enter(struct at *at)
{
	at->group->depth++;
}

static int
at_leave(struct at *at)
{
	struct at *g = at->group;

	if (--g->depth == 0 && g->dead) {
		at_free_now(g);
		return 1;
	}
	return 0;
}

unsigned
at_submit(struct at *at, const struct at_command *ac, at_cb cb, void *arg,
    at_destroy destroy)
{
	struct at_cmd *c;

	at = at_route(at->group, ac);
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

/* Find a user command on one channel that may still be cancelled;
 * *queued tells where. */
static struct at_cmd *
at_find_on(struct at *at, unsigned id, int *queued)
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

/* The same over every channel; *chan is the one holding it. */
static struct at_cmd *
at_find(struct at *g, unsigned id, int *queued, struct at **chan)
{
	struct at_cmd *c;

	for (unsigned i = 0; i < g->n_ports; i++)
		if ((c = at_find_on(g->ports[i], id, queued)) != NULL) {
			*chan = g->ports[i];
			return c;
		}
	return NULL;
}

int
at_cancel(struct at *at, unsigned id)
{
	struct at_cmd *c;
	int queued;

	if (id == 0 || (c = at_find(at->group, id, &queued, &at)) == NULL)
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
	struct at *g = at->group;

	for (unsigned i = 0; i < g->n_ports; i++)
		if (!g->ports[i]->gone && !g->ports[i]->dead)
			at_resync_begin(g->ports[i], "requested");
}

static void
at_on_next(evutil_socket_t fd, short what, void *arg)
{
	struct at *at = arg;
	struct at_cmd *c;

	if (at->current != NULL || at->gone || at->dead || (c = at_next(at)) == NULL)
		return;
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

/* One channel on a port; group is NULL for the first (which becomes the
 * group and owns the URC registry). */
static struct at *
at_chan_new(struct event_base *base, struct serial *serial, struct at *group,
    const struct at_params *params, const struct at_events *events, void *arg)
{
	struct at *at = xcalloc(1, sizeof(*at));
	static const struct serial_ops ops = { at_on_read, at_on_gone };

	at->group = group != NULL ? group : at;
	at->base = base;
	at->serial = serial;
	at->p = *params;
	at->name = xstrdup(params->name != NULL ? params->name : "at");
	at->p.name = at->name;
	if (params->sync_probe != NULL && params->sync_probe_prefix != NULL) {
		at->sync_probe = xstrdup(params->sync_probe);
		at->sync_probe_prefix = xstrdup(params->sync_probe_prefix);
	}
	if (params->port_setup != NULL)
		at->port_setup = xstrdup(params->port_setup);
	at->p.sync_probe = at->sync_probe;
	at->p.sync_probe_prefix = at->sync_probe_prefix;
	at->p.port_setup = at->port_setup;
	if (events != NULL)
		at->ev = *events;
	at->ev_arg = arg;
	framer_init(&at->framer);
	at->urcs = group != NULL ? group->urcs : urc_new(at->name);
	TAILQ_INIT(&at->queue);
	at->next_id = 1;
	at->ev_deadline = evtimer_new(base, at_on_deadline, at);
	at->ev_next = evtimer_new(base, at_on_next, at);
	if (at->ev_deadline == NULL || at->ev_next == NULL)
		fatalx("evtimer_new");
	at->group->ports[at->group->n_ports++] = at;
	serial_start(serial, &ops, at);
	at_resync_begin(at, "start");
	return at;
}

struct at *
at_new(struct event_base *base, struct serial *serial,
    const struct at_params *params, const struct at_events *events, void *arg)
{
	return at_chan_new(base, serial, NULL, params, events, arg);
}

int
at_add_port(struct at *at, struct serial *serial, const char *name)
{
	struct at *g = at->group;
	struct at_params p = g->p;

	if (g->n_ports >= AT_PORTS_MAX) {
		serial_close(serial);
		return -1;
	}
	p.name = name;
	at_chan_new(g->base, serial, g, &p, &g->ev, g->ev_arg);
	return (int)g->n_ports - 1;
}

unsigned
at_ports(const struct at *at)
{
	return at->group->n_ports;
}

const char *
at_port_name(const struct at *at, unsigned i)
{
	const struct at *g = at->group;

	return i < g->n_ports ? g->ports[i]->name : NULL;
}

/* Release one channel; commands not completed get their destroy call. */
static void
at_chan_free(struct at *at)
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
	if (at->group == at)
		urc_free(at->urcs);
	free(at->sync_probe);
	free(at->sync_probe_prefix);
	free(at->port_setup);
	free(at->name);
	free(at);
}

/* Release every channel, the group last. */
static void
at_free_now(struct at *g)
{
	while (g->n_ports > 1)
		at_chan_free(g->ports[--g->n_ports]);
	at_chan_free(g);
}

void
at_free(struct at *at)
{
	struct at *g;

	if (at == NULL)
		return;
	g = at->group;
	if (g->depth > 0) {
		for (unsigned i = 0; i < g->n_ports; i++)
			g->ports[i]->dead = 1;
		return;
	}
	at_free_now(g);
}

struct event_base *
at_base(const struct at *at)
{
	return at->base;
}

struct urc_registry *
at_urcs(struct at *at)
{
	return at->group->urcs;
}

int
at_is_synced(const struct at *at)
{
	const struct at *g = at->group;

	for (unsigned i = 0; i < g->n_ports; i++)
		if (g->ports[i]->sync != AT_SYNC_OK)
			return 0;
	return 1;
}

const char *
at_sync_trouble(const struct at *at)
{
	const struct at *g = at->group, *c;

	for (unsigned i = 0; i < g->n_ports; i++) {
		c = g->ports[i];
		if (c->sync == AT_SYNC_RUNNING && c->refused[0] != '\0')
			return c->refused;
	}
	return NULL;
}

unsigned
at_queue_length(const struct at *at)
{
	const struct at *g = at->group;
	unsigned n = 0;

	for (unsigned i = 0; i < g->n_ports; i++)
		n += g->ports[i]->n_user;
	return n;
}

void
at_set_trace(struct at *at, int on)
{
	struct at *g = at->group;

	for (unsigned i = 0; i < g->n_ports; i++)
		g->ports[i]->p.trace = on;
}

void
at_set_dialect(struct at *at, const struct at_dialect *dialect)
{
	struct at *g = at->group;

	for (unsigned i = 0; i < g->n_ports; i++)
		g->ports[i]->p.dialect = dialect;
}

/* Add one channel's counters to st. */
static void
at_add_stats(const struct at *c, struct at_stats *st)
{
	struct at_chan_stats *cs = &st->chan[st->n_chans++];

	st->commands += c->stats.commands;
	st->timeouts += c->stats.timeouts;
	st->resyncs += c->stats.resyncs;
	st->stray += c->stats.stray;
	st->echoes += c->stats.echoes;
	st->urcs += c->stats.urcs;
	st->dropped_lines += c->stats.dropped_lines;
	st->overlong += c->framer.stats.overlong;
	st->nul += c->framer.stats.nul;
	*cs = c->cstats;
	cs->queued = c->n_user;
	if (cs->urgent_wait_max_ms > st->urgent_wait_max_ms)
		st->urgent_wait_max_ms = cs->urgent_wait_max_ms;
}

void
at_get_stats(const struct at *at, struct at_stats *st)
{
	const struct at *g = at->group;

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < g->n_ports; i++)
		at_add_stats(g->ports[i], st);
}

/* The gap after finals now: the widest of the channels'. */
int
at_gap_ms(const struct at *at)
{
	const struct at *g = at->group;
	int gap = 0;

	for (unsigned i = 0; i < g->n_ports; i++)
		if (g->ports[i]->p.gap_ms > gap)
			gap = g->ports[i]->p.gap_ms;
	return gap;
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
