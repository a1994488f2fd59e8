/* AT engine: resynchronisation (AT, ATE0, the probe) at the head of the
 * queue, and the timed-out read kept aside while it runs (see atq_int.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "at/atq_int.h"

/* Put a resync step at the head of the queue. */
static void
at_resync_insert(struct at *at, enum at_step step)
{
	struct at_command ac;
	const char *probe[2] = { at->sync_probe_prefix, NULL };
	struct at_cmd *c;

	memset(&ac, 0, sizeof(ac));
	ac.timeout_ms = at->p.resync_timeout_ms;
	ac.cmd = step == AT_STEP_AT ? "AT" : step == AT_STEP_ECHO_OFF ? "ATE0" :
	    step == AT_STEP_SETUP ? at->port_setup : at->sync_probe;
	if (step == AT_STEP_PROBE)
		ac.prefixes = probe;
	c = at_cmd_new(at, &ac);
	c->step = step;
	TAILQ_INSERT_HEAD(&at->queue, c, entry);
}

/* Start resynchronising unless a resync is already under way. */
void
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

/* A resync step got an answer other than OK: the port is alive, the
 * module refuses; remembered for the owner (see at_sync_trouble()). */
static void
at_resync_refused(struct at *at, enum at_step step, const struct at_result *res)
{
	const char *cmd = step == AT_STEP_AT ? "AT" : step == AT_STEP_ECHO_OFF ? "ATE0" :
	    step == AT_STEP_SETUP ? at->port_setup : at->sync_probe;

	if (res->kind == AT_FINAL_TIMEOUT || res->kind == AT_FINAL_GONE)
		return;
	snprintf(at->refused, sizeof(at->refused), "the module answers %s to %s",
	    res->text != NULL ? res->text : "an error", cmd);
	log_debug("%s: resync: %s", at->name, at->refused);
}

/* The resync step after step (AT_STEP_NONE: none, synchronised). The
 * port setup runs only when the module is reached through several
 * channels; its refusal is no reason to start over. */
static enum at_step
at_resync_after(struct at *at, enum at_step step)
{
	switch (step) {
	case AT_STEP_AT:
		return AT_STEP_ECHO_OFF;
	case AT_STEP_ECHO_OFF:
		if (at->port_setup != NULL && at->group->n_ports > 1)
			return AT_STEP_SETUP;
		/* FALLTHROUGH */
	case AT_STEP_SETUP:
		return at->sync_probe != NULL ? AT_STEP_PROBE : AT_STEP_NONE;
	case AT_STEP_PROBE:
	case AT_STEP_NONE:
		break;
	}
	return AT_STEP_NONE;
}

/* Every channel of the group is synchronised. */
static int
at_group_synced(const struct at *g)
{
	for (unsigned i = 0; i < g->n_ports; i++)
		if (g->ports[i]->sync != AT_SYNC_OK)
			return 0;
	return 1;
}

/* A resync step finished: go on, start over (paced, see at_send()), or
 * declare sync (reported once every channel is synchronised). */
void
at_resync_step(struct at *at, enum at_step step, const struct at_result *res)
{
	enum at_step next;

	if (res->kind != AT_FINAL_OK && step == AT_STEP_SETUP &&
	    res->kind != AT_FINAL_TIMEOUT && res->kind != AT_FINAL_GONE) {
		log_warnx("%s: %s refused (%s)", at->name, at->port_setup,
		    res->text != NULL ? res->text : "error");
	} else if (res->kind != AT_FINAL_OK) {
		at_resync_refused(at, step, res);
		if (res->kind != AT_FINAL_GONE)
			at_resync_insert(at, AT_STEP_AT);
		return;
	}
	if ((next = at_resync_after(at, step)) != AT_STEP_NONE) {
		at_resync_insert(at, next);
		return;
	}
	if (at->late != NULL) {
		at_late_finish(at, AT_FINAL_TIMEOUT);
		if (at->dead)
			return;
	}
	at->sync = AT_SYNC_OK;
	at->refused[0] = '\0';
	log_debug("%s: synchronised", at->name);
	if (at_group_synced(at->group) && at->ev.ready != NULL)
		at->ev.ready(at->ev_arg);
}

/* The timed-out read kept aside is over: with its late payload (OK) or,
 * once the resync is done without it, as a timeout. */
void
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

/* A read (a command with a raw payload) went unanswered. The module
 * may still answer it with data it has already taken from its buffer, so
 * it is kept aside during the resync instead of failing now. */
int
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
int
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
