/* The modem FSM. Bring-up: CLOSED -> SYNCING -> INIT -> SIM -> REGISTERING
 * -> ATTACHING -> READY, step by step as the table in steps.c says. Losses
 * go back to CLOSED (port gone, not answering), REGISTERING (registration
 * lost) or ATTACHING (context lost). Escalation steps (escalate.c decides)
 * run in RECOVERING and re-enter the bring-up where the step leaves the
 * module. This file runs the table, owns the port and the engine, and
 * passes URCs to the clients. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "at/atq.h"
#include "at/serial.h"
#include "conf/conf.h"
#include "log.h"
#include "modem/clients.h"
#include "modem/detect.h"
#include "modem/escalate.h"
#include "modem/info.h"
#include "modem/modem.h"
#include "modem/steps.h"
#include "dialect/opslot.h"
#include "util.h"
#include "xmalloc.h"

#define MODEM_REOPEN_MIN 0.5		/* seconds between port open attempts */
#define MODEM_REOPEN_MAX 30.0
#define MODEM_RETRY_DELAY 5.0		/* SIM busy, attach failure */

static void modem_open(struct modem *m);
static void modem_lost(struct modem *m, const char *why);
static void modem_step_run(struct modem *m, enum modem_step s);

/* ---- the step table's runner ---- */

/* Entry actions of a state: its deadline, then its first step. */
static void
modem_state_entry(struct modem *m)
{
	const struct modem_state_row *st = &modem_states[m->state];

	if (st->deadline != NULL)
		modem_timer(m, st->deadline(m));
	modem_step_run(m, st->first);
}

/* The one place the modem changes state. */
static void
modem_enter(struct modem *m, enum modem_state next, const char *why)
{
	enum modem_state old = m->state;

	if (next == old)
		return;
	log_fields(LOG_LEVEL_INFO, (const struct log_field[]){
		{ "MODEM_STATE", modem_state_names[next] },
		{ "MODEM_STATE_OLD", modem_state_names[old] },
		{ "CELLSOCK_EVENT", proto_event_names[EV_MODEM_STATE] },
		{ NULL, NULL } },
	    "modem: %s -> %s (%s)", modem_state_names[old], modem_state_names[next], why);
	m->state = next;
	opslot_invalidate(&m->ops_slots);
	evtimer_del(m->ev_timer);
	notify_event(m->news, EV_MODEM_STATE, "state=%s old=%s", modem_state_names[next],
	    modem_state_names[old]);
	if (next == MODEM_READY) {
		modem_clear_error(m);	/* whatever went wrong works again */
		modem_clients_news(m, MODEM_NEWS_READY);
	} else if (next == MODEM_RECOVERING)
		modem_clients_news(m, MODEM_NEWS_RECOVERING);
	else if (old == MODEM_READY || old == MODEM_RECOVERING || next == MODEM_CLOSED)
		modem_clients_news(m, MODEM_NEWS_DOWN);
	notify_status(m->news);
	modem_state_entry(m);
}

/* Go where the table says: an action, a step of this state, or another
 * state (whose entry runs the step). */
static void
modem_step_next(struct modem *m, enum modem_step next, const char *why)
{
	if (next == MSTEP_STAY)
		return;
	if (next == MSTEP_RETRY) {
		modem_timer(m, MODEM_RETRY_DELAY);
		return;
	}
	if (next == MSTEP_OPEN) {
		modem_open(m);
		return;
	}
	if (next == MSTEP_LOST) {
		modem_lost(m, why);
		return;
	}
	if (modem_steps[next].state != m->state) {
		modem_enter(m, modem_steps[next].state, why);
		return;
	}
	modem_step_run(m, next);
}

/* A step's reply (NULL for a decision): success or error picks the next. */
static void
modem_step_end(struct modem *m, enum modem_step s, const struct dialect_reply *r)
{
	const struct modem_step_row *row = &modem_steps[s];
	const char *why = NULL;
	int ok = row->reply(m, r, &why);

	if (why == NULL)
		why = ok ? row->why_ok : row->why_err;
	modem_step_next(m, ok ? row->next_ok : row->next_err, why);
}

static void
modem_on_step_reply(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	modem_step_end(m, (enum modem_step)m->step, r);
}

/* Run one step: send its request, or decide at once, or wait. */
static void
modem_step_run(struct modem *m, enum modem_step s)
{
	const struct modem_step_row *row = &modem_steps[s];

	if (row->op == NULL) {
		if (row->reply != NULL)
			modem_step_end(m, s, NULL);
		return;
	}
	m->step = (int)s;
	switch (row->op(m, modem_on_step_reply)) {
	case MODEM_SENT:
	case MODEM_DEFERRED:
		return;
	case MODEM_ASYNC:
		modem_step_next(m, row->next_ok, row->why_ok);
		return;
	}
}

/* The state's deadline or retry timer. */
static void
modem_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct modem *m = arg;
	const struct modem_state_row *st = &modem_states[m->state];
	const char *trouble = m->state == MODEM_SYNCING && m->at != NULL ?
	    at_sync_trouble(m->at) : NULL;
	char why[256];

	/* The engine's text dies with the engine, which the step may drop. */
	if (trouble != NULL)
		snprintf(why, sizeof(why), "%s", trouble);
	modem_step_next(m, st->on_timer, trouble != NULL ? why : st->timer_why);
}

/* ---- the engine and the port ---- */

/* Drop the engine (and the port with it) after a loss. */
static void
modem_drop_engine(struct modem *m)
{
	struct at_stats st;

	if (m->at == NULL)
		return;
	at_get_stats(m->at, &st);
	m->gap_ms = at_gap_ms(m->at);
	m->at_retired.commands += st.commands;
	m->at_retired.timeouts += st.timeouts;
	m->at_retired.resyncs += st.resyncs;
	m->at_retired.urcs += st.urcs;
	at_free(m->at);
	m->at = NULL;
	opslot_reset(&m->ops_slots);
	modem_clients_engine_gone(m);
}

/* The gap after final results: configured, or "auto": short until a
 * command goes unanswered, then what the manuals ask for (kept for the
 * daemon's life, across engines). */
static void
modem_gap_params(struct modem *m, struct at_params *p)
{
	const struct conf_modem *c = &m->conf->modem;

	if (!c->command_gap_auto) {
		p->gap_ms = (int)(c->command_gap * 1000 + 0.5);
		p->gap_slow_ms = 0;
		return;
	}
	p->gap_ms = m->gap_ms > 0 ? m->gap_ms : MODEM_GAP_AUTO_MS;
	p->gap_slow_ms = m->ops->gap_ms;
}

/* The port vanished or the module stopped answering: close, reopen later. */
static void
modem_lost(struct modem *m, const char *why)
{
	m->losses++;
	modem_set_error(m, "%s", why);
	log_warnx("modem: %s", why);
	modem_drop_engine(m);
	if (m->state != MODEM_RECOVERING && !escalate_hook_running(&m->esc) &&
	    escalate_try_hook(&m->esc))
		return;
	if (m->state == MODEM_CLOSED) {
		modem_state_entry(m);
		return;
	}
	modem_enter(m, MODEM_CLOSED, why);
}

static void
modem_at_ready(void *arg)
{
	struct modem *m = arg;
	const struct modem_step_row *row = &modem_steps[MSTEP_RESYNC];

	backoff_reset(&m->reopen);
	if (m->state == MODEM_SYNCING)
		modem_step_next(m, row->next_ok, row->why_ok);
}

static void
modem_at_not_answering(unsigned timeouts, void *arg)
{
	struct modem *m = arg;
	char why[96];

	m->timeouts_reported++;
	escalate_not_answering(&m->esc);
	snprintf(why, sizeof(why), "not answering (%u commands timed out)", timeouts);
	modem_lost(m, why);
}

static void
modem_at_gone(int error, void *arg)
{
	struct modem *m = arg;
	char why[128];

	snprintf(why, sizeof(why), "port %s%s vanished (%s)", m->conf->modem.device,
	    m->conf->modem.n_ports > 1 ? " (or another of modem.ports)" : "",
	    error ? strerror(error) : "end of file");
	m->boot_expected = 1;		/* when it comes back, it has booted */
	modem_lost(m, why);
}

static void
modem_ev_data(int connid, long pending, void *arg)
{
	modem_clients_data(arg, connid, pending);
}

static void
modem_ev_closed(int connid, enum sock_closure closure, void *arg)
{
	struct modem *m = arg;

	modem_clients_closed(m, connid, closure);
	if (closure == CLOSURE_PDP)
		modem_check_pdp(m);
}

static void
modem_ev_registration(int stat, void *arg)
{
	modem_registration(arg, stat);
}

/* The module's ready URC: the bring-up may go on if it waits for it. */
static void
modem_ev_booted(void *arg)
{
	struct modem *m = arg;

	if (m->booted)
		return;
	m->booted = 1;
	if (m->state == MODEM_INIT && m->boot_wait_until_ms != 0) {
		evtimer_del(m->ev_timer);
		modem_step_run(m, MSTEP_BOOT_WAIT);
	}
}

/* Open every configured port (closing those opened when one fails);
 * returns how many, 0 with the reason in m->last_error. */
static int
modem_open_ports(struct modem *m, struct serial **ports)
{
	const struct conf_modem *c = &m->conf->modem;
	struct serial_config sc = { NULL, c->baudrate, (enum serial_flow)c->flow_control };
	char err[256];
	int i;

	int n = c->n_ports > 0 ? c->n_ports : 1;	/* device alone: one port */

	for (i = 0; i < n && i < AT_PORTS_MAX; i++) {
		sc.path = c->n_ports > 0 ? c->ports[i] : c->device;
		if ((ports[i] = serial_open(m->base, &sc, err, sizeof(err))) != NULL)
			continue;
		modem_set_error(m, "%s", err);
		log_warnx("modem: %s", err);
		while (i > 0)
			serial_close(ports[--i]);
		return 0;
	}
	return i;
}

/* Open the ports and start one engine over them: a channel per port. */
static void
modem_open(struct modem *m)
{
	const struct conf_modem *c = &m->conf->modem;
	static const struct at_events events = { modem_at_ready, modem_at_not_answering, modem_at_gone };
	static const struct dialect_events dev = { modem_ev_data, modem_ev_closed,
		modem_ev_registration, modem_ev_booted };
	struct serial *ports[AT_PORTS_MAX];
	struct at_params p;
	int n;

	m->opens++;
	if ((n = modem_open_ports(m, ports)) == 0) {
		if (m->opens > 1 && escalate_try_hook(&m->esc))
			return;
		modem_state_entry(m);
		return;
	}
	at_params_default(&p);
	p.name = c->device;
	p.dialect = m->ops->at;
	p.timeout_ms = (int)(c->command_timeout * 1000);
	modem_gap_params(m, &p);
	p.trace = m->conf->log.at_trace;
	m->at = at_new(m->base, ports[0], &p, &events, m);
	for (int i = 1; i < n; i++)
		at_add_port(m->at, ports[i], c->ports[i]);
	m->listener.ev = &dev;
	m->listener.arg = m;
	m->booted = 0;
	m->boot_wait_until_ms = 0;
	if (c->dialect != CONF_DIALECT_AUTO)
		modem_use_dialect(m, c->dialect == CONF_DIALECT_QUECTEL ? &dialect_quectel :
		    &dialect_telit, "configured");
	else
		modem_watch_boot(m);
	modem_enter(m, MODEM_SYNCING, "port open");
}

/* ---- losses the module reports ---- */

void
modem_registration(struct modem *m, int stat)
{
	int was = modem_registered(m->reg_stat);

	m->reg_stat = stat;
	if (modem_registered(stat) && m->state == MODEM_REGISTERING) {
		modem_enter(m, MODEM_ATTACHING, "registered");
		return;
	}
	if (!modem_registered(stat) && was &&
	    (m->state == MODEM_READY || m->state == MODEM_ATTACHING)) {
		modem_set_error(m, "registration lost (stat %d)", stat);
		modem_enter(m, MODEM_REGISTERING, m->last_error);
	}
}

/* The AT channels the configuration gives the modem (modem.ports). */
int
modem_channels(const struct modem *m)
{
	return m->conf->modem.n_ports > 1 ? m->conf->modem.n_ports : 1;
}

void
modem_check_pdp(struct modem *m)
{
	if (m->state == MODEM_READY)
		modem_step_run(m, MSTEP_PDP_CHECK);
}

/* ---- escalation: escalate.c decides, the steps run here ---- */

static int
modem_esc_may_run(void *arg)
{
	const struct modem *m = arg;

	return m->state == MODEM_READY || m->state == MODEM_REGISTERING ||
	    m->state == MODEM_ATTACHING;
}

/* Run one escalation step: links wait in recovering until the modem is back. */
static void
modem_esc_run(void *arg, enum escalation_step step)
{
	struct modem *m = arg;

	m->step_running = (int)step;
	modem_enter(m, MODEM_RECOVERING, escalation_step_names[step]);
	modem_step_run(m, modem_escalation_first[step]);
}

static void
modem_esc_hook_done(void *arg, const char *why)
{
	struct modem *m = arg;

	m->boot_expected = 1;		/* the hook may have cycled its power */
	modem_lost(m, why);
}

void
modem_link_failed(struct modem *m, int jammed)
{
	escalate_failed(&m->esc, jammed);
}

void
modem_link_stable(struct modem *m)
{
	escalate_stable(&m->esc);
}

int
modem_reset(struct modem *m, enum escalation_step step)
{
	if (m->at == NULL || m->state == MODEM_SYNCING || m->state == MODEM_RECOVERING)
		return -1;
	escalate_run(&m->esc, step, "requested by the operator");
	return 0;
}

/* ---- life cycle ---- */

struct modem *
modem_new(struct event_base *base, const struct conf *conf, const struct notify *news,
    struct backoff_rng *rng)
{
	static const struct escalate_events esc = { modem_esc_may_run, modem_esc_run,
		modem_esc_hook_done };
	struct modem *m = xcalloc(1, sizeof(*m));

	m->base = base;
	m->conf = conf;
	m->news = news;
	m->ops = conf->modem.dialect == CONF_DIALECT_QUECTEL ? &dialect_quectel : &dialect_telit;
	snprintf(m->dialect_reason, sizeof(m->dialect_reason), "%s",
	    conf->modem.dialect == CONF_DIALECT_AUTO ? "auto: not identified yet" : "configured");
	m->state = MODEM_CLOSED;
	m->reg_stat = -1;
	m->step_running = -1;
	m->rng = rng;
	TAILQ_INIT(&m->clients);
	opslot_init(&m->ops_slots, m);
	backoff_init(&m->reopen, MODEM_REOPEN_MIN, MODEM_REOPEN_MAX, m->rng);
	m->ev_timer = evtimer_new(base, modem_on_timer, m);
	escalate_init(&m->esc, base, conf, news, &esc, m);
	return m;
}

void
modem_set_conf(struct modem *m, const struct conf *conf)
{
	m->conf = conf;
	escalate_set_conf(&m->esc, conf);
}

void
modem_free(struct modem *m)
{
	if (m == NULL)
		return;
	escalate_cleanup(&m->esc);
	modem_drop_engine(m);
	event_free(m->ev_timer);
	free(m);
}

void
modem_start(struct modem *m)
{
	modem_open(m);
}
