/* The modem FSM. Bring-up: CLOSED -> SYNCING -> INIT -> SIM -> REGISTERING
 * -> ATTACHING -> READY. Losses go back to CLOSED (port gone, not
 * answering), REGISTERING (registration lost) or ATTACHING (context lost).
 * Escalation steps run in RECOVERING and re-enter the bring-up where the
 * step leaves the module. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "at/atq.h"
#include "at/serial.h"
#include "conf/conf.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "log.h"
#include "modem/modem.h"
#include "dialect/opslot.h"
#include "relay/relay.h"
#include "util.h"
#include "xmalloc.h"

#define MODEM_REOPEN_MIN 0.5		/* seconds between port open attempts */
#define MODEM_REOPEN_MAX 30.0
#define MODEM_SYNC_TIMEOUT 15.0		/* resync must succeed within this */
#define MODEM_RETRY_DELAY 5.0		/* SIM busy, attach failure */
#define MODEM_REBOOT_WAIT 20.0		/* for the port to vanish after #REBOOT */
#define MODEM_HOOK_EXTRA_FAILURES 2	/* hook after reboot_after + this */

extern char **environ;

const char *const modem_state_names[MODEM_STATE_COUNT] = {
	[MODEM_CLOSED] = "closed",
	[MODEM_SYNCING] = "syncing",
	[MODEM_INIT] = "initializing",
	[MODEM_SIM] = "sim",
	[MODEM_REGISTERING] = "registering",
	[MODEM_ATTACHING] = "attaching",
	[MODEM_READY] = "ready",
	[MODEM_RECOVERING] = "recovering",
	[MODEM_FAILED] = "failed",
};

static void modem_open(struct modem *m);
static void modem_run_state(struct modem *m);
static unsigned modem_step_threshold(const struct modem *m, enum escalation_step step);
static void modem_run_step(struct modem *m, enum escalation_step step, const char *why);

static struct opslots *
modem_slots(struct modem *m)
{
	return &m->ops_slots;
}

static void
modem_timer(struct modem *m, double sec)
{
	struct timeval tv = util_tv_from_sec(sec);

	evtimer_add(m->ev_timer, &tv);
}

/* Tell every link about the modem's change. */
static void
modem_tell_links(struct modem *m, enum link_event ev)
{
	for (int i = 0; i < m->d->n_links; i++)
		link_event(m->d->link[i], ev);
}

/* The one place the modem changes state. */
static void
modem_enter(struct modem *m, enum modem_state next, const char *why)
{
	enum modem_state old = m->state;

	if (next == old)
		return;
	log_info("modem: %s -> %s (%s)", modem_state_names[old], modem_state_names[next], why);
	m->state = next;
	opslot_invalidate(modem_slots(m));
	evtimer_del(m->ev_timer);
	notify_event(m->news, EV_MODEM_STATE, "state=%s old=%s", modem_state_names[next],
	    modem_state_names[old]);
	if (next == MODEM_READY)
		modem_tell_links(m, LEV_MODEM_READY);
	else if (next == MODEM_RECOVERING)
		modem_tell_links(m, LEV_MODEM_RECOVERING);
	else if (old == MODEM_READY || old == MODEM_RECOVERING || next == MODEM_CLOSED)
		modem_tell_links(m, LEV_MODEM_DOWN);
	notify_status(m->news);
	modem_run_state(m);
}

/* Queue a dialect request for the modem; replies from an older state drop. */
#define MODEM_OP(m, fn, call, ...) do { \
	struct opslot *slot_ = opslot_take(modem_slots(m), fn); \
	if (slot_ != NULL) \
		(m)->ops->call((m)->at, __VA_ARGS__, opslot_reply, slot_); \
} while (0)
#define MODEM_OP0(m, fn, call) do { \
	struct opslot *slot_ = opslot_take(modem_slots(m), fn); \
	if (slot_ != NULL) \
		(m)->ops->call((m)->at, opslot_reply, slot_); \
} while (0)

static void
modem_fail_reply(struct modem *m, const char *what, const struct dialect_reply *r)
{
	snprintf(m->last_error, sizeof(m->last_error), "%.300s: %.100s", what,
	    r->text[0] ? r->text : r->status == DIALECT_TIMEOUT ? "timeout" : "error");
	log_warnx("modem: %s", m->last_error);
}

/* ---- bring-up ---- */

static void
modem_on_ready_attached(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status == DIALECT_OK && r->u.pdp.ip[0])
		snprintf(m->ip, sizeof(m->ip), "%s", r->u.pdp.ip);
	m->unanswered = 0;
	m->step_running = -1;
	modem_enter(m, MODEM_READY, "PDP context active");
}

static void
modem_on_activate(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK) {
		modem_fail_reply(m, "PDP activation failed", r);
		modem_link_failed(m, 0);
		if (m->state == MODEM_ATTACHING)
			modem_timer(m, MODEM_RETRY_DELAY);
		return;
	}
	modem_on_ready_attached(m, r);
}

/* Activate the context once the quiet time after the last close is over. */
static void
modem_activate(struct modem *m)
{
	const struct conf_network *n = &m->d->conf->network;
	uint64_t quiet = modem_quiet_left_ms(m);

	if (quiet > 0) {
		modem_timer(m, (double)quiet / 1000.0);
		return;
	}
	log_info("modem: activating PDP context %d (APN %s)", n->cid, n->apn);
	MODEM_OP(m, modem_on_activate, pdp_activate, n->cid, n->user, n->password);
}

static void
modem_on_pdp_query(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status == DIALECT_OK && r->u.pdp.active) {
		modem_on_ready_attached(m, r);
		return;
	}
	modem_activate(m);
}

static void
modem_on_pdp_defined(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK)
		modem_fail_reply(m, "PDP context definition refused", r);
	MODEM_OP(m, modem_on_pdp_query, pdp_query, m->d->conf->network.cid);
}

static void
modem_attach(struct modem *m)
{
	const struct conf_network *n = &m->d->conf->network;

	MODEM_OP(m, modem_on_pdp_defined, pdp_define, n->cid, n->pdp_type, n->apn);
}

static int
modem_registered(int stat)
{
	return stat == 1 || stat == 5;
}

static void
modem_on_signal(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK)
		return;
	m->dbm = r->u.signal.dbm;
	m->rssi = r->u.signal.rssi;
	snprintf(m->oper, sizeof(m->oper), "%s", r->u.signal.oper);
}

static void
modem_on_reg_query(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status == DIALECT_OK)
		m->reg_stat = r->u.reg_stat;
	MODEM_OP0(m, modem_on_signal, signal);
	if (modem_registered(m->reg_stat))
		modem_enter(m, MODEM_ATTACHING, m->reg_stat == 5 ? "registered, roaming" :
		    "registered, home network");
}

static void
modem_on_reg_enabled(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	MODEM_OP0(m, modem_on_reg_query, reg_query);
}

static void
modem_on_sim(void *owner, const struct dialect_reply *r);

static void
modem_on_unlock(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK) {
		modem_fail_reply(m, "the SIM refused the configured PIN; not retrying "
		    "(repeated wrong PINs lock the SIM)", r);
		modem_enter(m, MODEM_FAILED, "wrong SIM PIN");
		return;
	}
	log_info("modem: SIM PIN accepted");
	MODEM_OP0(m, modem_on_sim, sim_status);
}

static void
modem_on_sim(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;
	const char *pin = m->d->conf->modem.pin;

	if (r->status != DIALECT_OK) {
		modem_fail_reply(m, "SIM not ready", r);
		modem_timer(m, MODEM_RETRY_DELAY);
		return;
	}
	m->sim = r->u.sim;
	switch (r->u.sim) {
	case SIM_READY:
		modem_enter(m, MODEM_REGISTERING, "SIM ready");
		return;
	case SIM_PIN:
		if (pin == NULL || *pin == '\0' || m->pin_tried) {
			snprintf(m->last_error, sizeof(m->last_error), "the SIM needs a PIN%s",
			    m->pin_tried ? " again" : ": set modem.pin");
			modem_enter(m, MODEM_FAILED, m->last_error);
			return;
		}
		m->pin_tried = 1;
		MODEM_OP(m, modem_on_unlock, sim_unlock, pin);
		return;
	case SIM_PUK:
		snprintf(m->last_error, sizeof(m->last_error), "the SIM is blocked (PUK needed)");
		modem_enter(m, MODEM_FAILED, m->last_error);
		return;
	case SIM_OTHER:
		snprintf(m->last_error, sizeof(m->last_error), "the SIM is locked in a way "
		    "cellsock does not handle");
		modem_enter(m, MODEM_FAILED, m->last_error);
		return;
	}
}

/* Known-bad firmware raises the quiet time and says what fixes it. */
static void
modem_apply_quirks(struct modem *m)
{
	const struct dialect_quirk *q = dialect_quirk_find(m->ident.model, m->ident.firmware);
	double quiet = 0;

	for (int i = 0; i < m->d->conf->n_links; i++)
		if (m->d->conf->links[i].reconnect.quiet_time > quiet)
			quiet = m->d->conf->links[i].reconnect.quiet_time;
	m->quiet_time = quiet;
	if (q == NULL)
		return;
	log_warnx("modem: %s firmware %s: %s", m->ident.model, m->ident.firmware, q->advice);
	if (q->min_quiet_time > m->quiet_time) {
		m->quiet_time = q->min_quiet_time;
		log_warnx("modem: quiet time after each close raised to %.1f s for this firmware",
		    m->quiet_time);
	}
}

static void
modem_on_identify(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status == DIALECT_OK) {
		m->ident = r->u.ident;
		log_info("modem: %s %s firmware %s, sends up to %zu bytes", m->ident.manufacturer,
		    m->ident.model, m->ident.firmware, modem_max_send(m));
	} else
		modem_fail_reply(m, "identification failed", r);
	modem_apply_quirks(m);
	modem_enter(m, MODEM_SIM, "identified");
}

static void
modem_on_init(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK)
		modem_fail_reply(m, "an init command failed (continuing)", r);
	MODEM_OP0(m, modem_on_identify, identify);
}

/* Entry actions of each state. */
static void
modem_run_state(struct modem *m)
{
	switch (m->state) {
	case MODEM_CLOSED:
		modem_timer(m, backoff_next(&m->reopen, 0));
		break;
	case MODEM_SYNCING:
		modem_timer(m, MODEM_SYNC_TIMEOUT);
		break;
	case MODEM_INIT:
		MODEM_OP(m, modem_on_init, init, &m->d->conf->modem);
		break;
	case MODEM_SIM:
		MODEM_OP0(m, modem_on_sim, sim_status);
		break;
	case MODEM_REGISTERING:
		modem_timer(m, m->d->conf->network.registration_timeout);
		MODEM_OP0(m, modem_on_reg_enabled, reg_enable);
		break;
	case MODEM_ATTACHING:
		modem_attach(m);
		break;
	case MODEM_READY:
	case MODEM_RECOVERING:
	case MODEM_FAILED:
		break;
	case MODEM_STATE_COUNT:
		break;
	}
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
	opslot_reset(modem_slots(m));
	for (int i = 0; i < m->d->n_links; i++) {
		opslot_reset(&m->d->link[i]->ops);
		relay_engine_gone(m->d->link[i]->relay);
	}
}

/* Bring-ups that failed in a row (the module does not answer, or its port
 * does not come back) escalate to the external hook: AT commands cannot
 * reach a module in that state, a power cycle can. */
#define MODEM_DEAD_BRINGUPS 3

static int
modem_try_hook(struct modem *m)
{
	if (++m->unanswered < MODEM_DEAD_BRINGUPS || modem_step_threshold(m, STEP_HOOK) == 0)
		return 0;
	if (m->step_last[STEP_HOOK] != 0 &&
	    difftime(time(NULL), m->step_last[STEP_HOOK]) < m->d->conf->recovery.cooldown)
		return 0;
	m->unanswered = 0;
	modem_run_step(m, STEP_HOOK, "the module stays unreachable");
	return 1;
}

/* The gap after final results: configured, or "auto": short until a
 * command goes unanswered, then what the manuals ask for (kept for the
 * daemon's life, across engines). */
static void
modem_gap_params(struct modem *m, struct at_params *p)
{
	const struct conf_modem *c = &m->d->conf->modem;

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
	snprintf(m->last_error, sizeof(m->last_error), "%s", why);
	log_warnx("modem: %s", why);
	modem_drop_engine(m);
	if (m->state != MODEM_RECOVERING && m->hook_pid == 0 && modem_try_hook(m))
		return;
	if (m->state == MODEM_CLOSED) {
		modem_run_state(m);
		return;
	}
	modem_enter(m, MODEM_CLOSED, why);
}

static void
modem_at_ready(void *arg)
{
	struct modem *m = arg;

	backoff_reset(&m->reopen);
	if (m->state == MODEM_SYNCING)
		modem_enter(m, MODEM_INIT, "the modem answers");
}

static void
modem_at_not_answering(unsigned timeouts, void *arg)
{
	struct modem *m = arg;
	char why[96];

	m->timeouts_reported++;
	m->unanswered++;
	snprintf(why, sizeof(why), "not answering (%u commands timed out)", timeouts);
	modem_lost(m, why);
}

static void
modem_at_gone(int error, void *arg)
{
	struct modem *m = arg;
	char why[128];

	snprintf(why, sizeof(why), "port %s vanished (%s)", m->d->conf->modem.device,
	    error ? strerror(error) : "end of file");
	modem_lost(m, why);
}

static void
modem_ev_data(int connid, long pending, void *arg)
{
	struct modem *m = arg;

	for (int i = 0; i < m->d->n_links; i++)
		if (m->d->link[i]->conf->socket == connid)
			link_data(m->d->link[i], pending);
}

static void
modem_ev_closed(int connid, enum sock_closure closure, void *arg)
{
	struct modem *m = arg;

	for (int i = 0; i < m->d->n_links; i++)
		if (connid < 0 || m->d->link[i]->conf->socket == connid)
			link_remote_closed(m->d->link[i], connid >= 0, closure);
	if (closure == CLOSURE_PDP)
		modem_check_pdp(m);
}

static void
modem_ev_registration(int stat, void *arg)
{
	modem_registration(arg, stat);
}

static void
modem_open(struct modem *m)
{
	const struct conf_modem *c = &m->d->conf->modem;
	static const struct at_events events = { modem_at_ready, modem_at_not_answering, modem_at_gone };
	static const struct dialect_events dev = { modem_ev_data, modem_ev_closed, modem_ev_registration };
	struct serial_config sc = { c->device, c->baudrate, (enum serial_flow)c->flow_control };
	struct at_params p;
	struct serial *port;
	char err[256];

	m->opens++;
	if ((port = serial_open(m->d->base, &sc, err, sizeof(err))) == NULL) {
		snprintf(m->last_error, sizeof(m->last_error), "%s", err);
		log_warnx("modem: %s", err);
		if (m->opens > 1 && modem_try_hook(m))
			return;
		modem_run_state(m);
		return;
	}
	at_params_default(&p);
	p.name = c->device;
	p.dialect = m->ops->at;
	p.timeout_ms = (int)(c->command_timeout * 1000);
	modem_gap_params(m, &p);
	p.trace = m->d->conf->log.at_trace;
	m->at = at_new(m->d->base, port, &p, &events, m);
	m->listener.ev = &dev;
	m->listener.arg = m;
	m->ops->attach(m->at, &m->listener);
	modem_enter(m, MODEM_SYNCING, "port open");
}

/* The state's deadline or retry timer. */
static void
modem_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct modem *m = arg;

	switch (m->state) {
	case MODEM_CLOSED:
		modem_open(m);
		break;
	case MODEM_SYNCING:
		modem_lost(m, "no answer to AT after opening the port");
		break;
	case MODEM_SIM:
		MODEM_OP0(m, modem_on_sim, sim_status);
		break;
	case MODEM_REGISTERING:
		log_warnx("modem: not registered after %.0f s", m->d->conf->network.registration_timeout);
		modem_link_failed(m, 0);
		if (m->state == MODEM_REGISTERING)
			modem_timer(m, m->d->conf->network.registration_timeout);
		break;
	case MODEM_ATTACHING:
		modem_activate(m);
		break;
	case MODEM_RECOVERING:
		modem_lost(m, "the module did not restart its port after a reboot");
		break;
	case MODEM_INIT:
	case MODEM_READY:
	case MODEM_FAILED:
		break;
	case MODEM_STATE_COUNT:
		break;
	}
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
		snprintf(m->last_error, sizeof(m->last_error), "registration lost (stat %d)", stat);
		modem_enter(m, MODEM_REGISTERING, m->last_error);
	}
}

static void
modem_on_pdp_check(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK || r->u.pdp.active)
		return;
	snprintf(m->last_error, sizeof(m->last_error), "the network deactivated the PDP context");
	modem_enter(m, MODEM_ATTACHING, m->last_error);
}

void
modem_check_pdp(struct modem *m)
{
	if (m->state == MODEM_READY)
		MODEM_OP(m, modem_on_pdp_check, pdp_query, m->d->conf->network.cid);
}

/* ---- quiet time ---- */

uint64_t
modem_quiet_left_ms(const struct modem *m)
{
	uint64_t now = util_now_ms();

	return m->quiet_until_ms > now ? m->quiet_until_ms - now : 0;
}

void
modem_quiet_begin(struct modem *m)
{
	m->quiet_until_ms = util_now_ms() + (uint64_t)(m->quiet_time * 1000);
}

/* ---- escalation ---- */

static unsigned
modem_step_threshold(const struct modem *m, enum escalation_step step)
{
	const struct conf_recovery *r = &m->d->conf->recovery;

	switch (step) {
	case STEP_PDP_CYCLE: return (unsigned)r->pdp_cycle_after;
	case STEP_RADIO_CYCLE: return (unsigned)r->radio_cycle_after;
	case STEP_MODEM_REBOOT: return (unsigned)r->modem_reboot_after;
	case STEP_HOOK:
		if (r->hook == NULL || *r->hook == '\0')
			return 0;
		return (unsigned)r->modem_reboot_after + MODEM_HOOK_EXTRA_FAILURES;
	case STEP_COUNT: break;
	}
	return 0;
}

/* The step to run now, or -1. The highest step whose threshold is reached
 * runs if it has not run in this failure streak and its cool-down (which
 * spans streaks) is over; a step already run in this streak is not repeated,
 * except the top of the ladder, once per cool-down. */
static int
modem_pick_step(const struct modem *m)
{
	time_t now = time(NULL);
	double cooldown = m->d->conf->recovery.cooldown;
	int top = -1;

	for (int s = 0; s < STEP_COUNT; s++)
		if (modem_step_threshold(m, (enum escalation_step)s) > 0)
			top = s;
	for (int s = STEP_COUNT - 1; s >= 0; s--) {
		unsigned t = modem_step_threshold(m, (enum escalation_step)s);
		int cooled = m->step_last[s] == 0 || difftime(now, m->step_last[s]) >= cooldown;
		if (t == 0 || m->failures < t)
			continue;
		if (m->step_done[s] && s != top)
			return -1;
		return cooled ? s : -1;
	}
	return -1;
}

/* The hook ended (or was killed): the module is reopened from scratch. */
static void
modem_hook_done(struct modem *m, int status)
{
	char why[96];

	m->hook_pid = 0;
	evtimer_del(m->ev_hook);
	snprintf(why, sizeof(why), "recovery hook finished (%s %d)",
	    WIFEXITED(status) ? "exit" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	modem_lost(m, why);
}

static void
modem_on_hook_poll(evutil_socket_t fd, short what, void *arg)
{
	struct modem *m = arg;
	struct timeval poll = { 0, 100000 };
	int status;

	if (m->hook_pid <= 0)
		return;
	if (waitpid(m->hook_pid, &status, WNOHANG) == m->hook_pid) {
		modem_hook_done(m, status);
		return;
	}
	if (util_now_ms() > m->hook_deadline_ms) {
		log_warnx("modem: recovery hook still running after %.0f s; killing it",
		    m->d->conf->recovery.hook_timeout);
		kill(m->hook_pid, SIGKILL);
		waitpid(m->hook_pid, &status, 0);
		modem_hook_done(m, status);
		return;
	}
	evtimer_add(m->ev_hook, &poll);
}

/* Run the configured executable without a shell: HOOK DEVICE. */
static void
modem_run_hook(struct modem *m)
{
	const struct conf_recovery *r = &m->d->conf->recovery;
	char *argv[] = { r->hook, m->d->conf->modem.device, NULL };
	struct timeval poll = { 0, 100000 };
	pid_t pid;
	int err;

	if ((err = posix_spawn(&pid, r->hook, NULL, NULL, argv, environ)) != 0) {
		errno = err;
		log_warn("modem: cannot run recovery hook %s", r->hook);
		modem_lost(m, "recovery hook could not run");
		return;
	}
	log_info("modem: recovery hook %s started (pid %ld)", r->hook, (long)pid);
	m->hook_pid = pid;
	m->hook_deadline_ms = util_now_ms() + (uint64_t)(r->hook_timeout * 1000);
	evtimer_add(m->ev_hook, &poll);
}

static void
modem_on_step_pdp_off(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	modem_quiet_begin(m);
	modem_enter(m, MODEM_ATTACHING, "PDP cycle: context deactivated");
}

static void
modem_on_step_radio_on(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	m->reg_stat = -1;
	modem_enter(m, MODEM_REGISTERING, "radio cycle: radio back on");
}

static void
modem_on_step_radio_off(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	MODEM_OP(m, modem_on_step_radio_on, radio, 1);
}

static void
modem_on_step_reboot(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	log_info("modem: reboot %s; waiting for the port to go and come back",
	    r->status == DIALECT_OK ? "accepted" : "not confirmed");
	modem_timer(m, MODEM_REBOOT_WAIT);
}

/* Run one escalation step: links wait in recovering until the modem is back. */
static void
modem_run_step(struct modem *m, enum escalation_step step, const char *why)
{
	m->step_done[step] = 1;
	m->step_last[step] = time(NULL);
	m->steps_total[step]++;
	m->step_running = (int)step;
	log_warnx("modem: escalation: %s (%s)", escalation_step_names[step], why);
	notify_event(m->news, EV_ESCALATION, "step=%s failures=%u", escalation_step_names[step],
	    m->failures);
	modem_enter(m, MODEM_RECOVERING, escalation_step_names[step]);
	switch (step) {
	case STEP_PDP_CYCLE:
		MODEM_OP(m, modem_on_step_pdp_off, pdp_deactivate, m->d->conf->network.cid);
		break;
	case STEP_RADIO_CYCLE:
		MODEM_OP(m, modem_on_step_radio_off, radio, 0);
		break;
	case STEP_MODEM_REBOOT:
		MODEM_OP0(m, modem_on_step_reboot, reboot);
		break;
	case STEP_HOOK:
		modem_run_hook(m);
		break;
	case STEP_COUNT:
		break;
	}
}

/* Decide on a step from the loop, not from inside a link's transition. */
static void
modem_on_escalate(evutil_socket_t fd, short what, void *arg)
{
	struct modem *m = arg;
	char why[64];
	int step;

	if (m->state != MODEM_READY && m->state != MODEM_REGISTERING && m->state != MODEM_ATTACHING)
		return;
	if ((step = modem_pick_step(m)) < 0)
		return;
	snprintf(why, sizeof(why), "%u consecutive failures", m->failures);
	modem_run_step(m, (enum escalation_step)step, why);
}

void
modem_link_failed(struct modem *m, int jammed)
{
	struct timeval now = { 0, 0 };

	m->failures++;
	log_info("modem: %u consecutive failed%s connects", m->failures, jammed ? " or jammed" : "");
	evtimer_add(m->ev_escalate, &now);
}

void
modem_link_stable(struct modem *m)
{
	if (m->failures > 0)
		log_info("modem: a link is stable again; failure count %u cleared", m->failures);
	m->failures = 0;
	memset(m->step_done, 0, sizeof(m->step_done));
}

int
modem_reset(struct modem *m, enum escalation_step step)
{
	if (m->at == NULL || m->state == MODEM_SYNCING || m->state == MODEM_RECOVERING)
		return -1;
	modem_run_step(m, step, "requested by the operator");
	return 0;
}

/* ---- life cycle ---- */

struct modem *
modem_new(struct daemon *d)
{
	struct modem *m = xcalloc(1, sizeof(*m));

	m->d = d;
	m->news = &d->news;
	m->ops = &dialect_telit;
	m->state = MODEM_CLOSED;
	m->reg_stat = -1;
	m->step_running = -1;
	m->rng = &d->rng;
	opslot_init(&m->ops_slots, m);
	backoff_init(&m->reopen, MODEM_REOPEN_MIN, MODEM_REOPEN_MAX, m->rng);
	m->ev_timer = evtimer_new(d->base, modem_on_timer, m);
	m->ev_hook = evtimer_new(d->base, modem_on_hook_poll, m);
	m->ev_escalate = evtimer_new(d->base, modem_on_escalate, m);
	return m;
}

void
modem_free(struct modem *m)
{
	int status;

	if (m == NULL)
		return;
	if (m->hook_pid > 0) {
		kill(m->hook_pid, SIGTERM);
		waitpid(m->hook_pid, &status, 0);
	}
	modem_drop_engine(m);
	event_free(m->ev_timer);
	event_free(m->ev_hook);
	event_free(m->ev_escalate);
	free(m);
}

void
modem_start(struct modem *m)
{
	modem_open(m);
}

const char *
modem_sim_name(const struct modem *m)
{
	if (m->state < MODEM_SIM || m->state == MODEM_CLOSED)
		return "unknown";
	switch (m->sim) {
	case SIM_READY: return "ready";
	case SIM_PIN: return "pin-needed";
	case SIM_PUK: return "puk-needed";
	case SIM_OTHER: return "locked";
	}
	return "unknown";
}

const char *
modem_reg_name(int stat)
{
	static const char *const names[] = { "not-registered", "home", "searching",
		"denied", "unknown", "roaming" };

	if (stat < 0 || stat >= (int)(sizeof(names) / sizeof(names[0])))
		return stat == 8 ? "emergency-only" : "unknown";
	return names[stat];
}
