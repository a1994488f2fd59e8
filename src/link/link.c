/* The link FSM. Every (state, event) pair has a row in link_fsm: an action
 * and the next state (LINK_NEXT_BY_ACTION: the action decides). Sub-steps of
 * connecting (quiet time, configure, stale check, dial, verify) and closing
 * (close, poll until closed) run inside their state. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "log.h"
#include "modem/modem.h"
#include "dialect/opslot.h"
#include "relay/relay.h"
#include "util.h"

#define LINK_POLL_MS 200		/* #SS polls while verifying a close or a dial */
#define LINK_DNS_FLOOR_FACTOR 5.0	/* a DNS failure waits at least 5 x min */
#define LINK_NEXT_BY_ACTION (-1)
#define LINK_STAY (-2)

const char *const link_event_names[LEV_COUNT] = {
	[LEV_START] = "start",
	[LEV_STOP] = "stop",
	[LEV_RECONNECT] = "reconnect",
	[LEV_MODEM_READY] = "modem-ready",
	[LEV_MODEM_DOWN] = "modem-down",
	[LEV_MODEM_RECOVERING] = "modem-recovering",
	[LEV_DIAL_OK] = "dial-ok",
	[LEV_DIAL_FAILED] = "dial-failed",
	[LEV_DEAD] = "dead",
	[LEV_CLOSED] = "closed",
	[LEV_TIMER] = "timer",
	[LEV_STALE] = "stale-socket",
};

enum connect_step { CSTEP_QUIET, CSTEP_CONFIGURE, CSTEP_STALE, CSTEP_DIAL, CSTEP_VERIFY };
enum close_step { XSTEP_CLOSE, XSTEP_POLL };

typedef int link_action(struct link *l);

struct link_transition {
	link_action *fn;	/* NULL: nothing to do */
	int next;		/* a state, LINK_STAY, or LINK_NEXT_BY_ACTION */
	int defined;
};

static link_action act_start, act_stop, act_close_then_connect, act_close_then_backoff,
    act_connect_or_wait, act_connect_step, act_close_step, act_after_close,
    act_modem_down, act_want_up_again, act_want_down, act_dial_failed,
    act_dead_while_up, act_escalated_while_up;

static void link_dead_quiet(struct link *l, enum dead_cause cause, const char *why);
static void link_check_start(struct link *l);
static void link_idle_arm(struct link *l);
static void link_idle_init(struct link *l);
static void link_on_closure(void *owner, const struct dialect_reply *r);
static void link_on_idle(evutil_socket_t fd, short what, void *arg);
static void link_on_reply_timeout(evutil_socket_t fd, short what, void *arg);
static void link_on_check_timer(evutil_socket_t fd, short what, void *arg);

#define T(f, n) { f, n, 1 }
#define IGNORE { NULL, LINK_STAY, 1 }

static const struct link_transition link_fsm[LINK_STATE_COUNT][LEV_COUNT] = {
	[LINK_IDLE] = {
		[LEV_START] = T(act_start, LINK_NEXT_BY_ACTION),
		[LEV_STOP] = IGNORE,
		[LEV_RECONNECT] = T(act_start, LINK_NEXT_BY_ACTION),
		[LEV_MODEM_READY] = IGNORE, [LEV_MODEM_DOWN] = IGNORE,
		[LEV_MODEM_RECOVERING] = IGNORE, [LEV_DIAL_OK] = IGNORE,
		[LEV_DIAL_FAILED] = IGNORE, [LEV_DEAD] = IGNORE, [LEV_CLOSED] = IGNORE,
		[LEV_TIMER] = IGNORE,
		[LEV_STALE] = IGNORE,
	},
	[LINK_WAITING] = {
		[LEV_START] = IGNORE,
		[LEV_STOP] = T(act_stop, LINK_IDLE),
		[LEV_RECONNECT] = IGNORE,
		[LEV_MODEM_READY] = T(NULL, LINK_CONNECTING),
		[LEV_MODEM_DOWN] = IGNORE,
		[LEV_MODEM_RECOVERING] = T(NULL, LINK_RECOVERING),
		[LEV_DIAL_OK] = IGNORE, [LEV_DIAL_FAILED] = IGNORE, [LEV_DEAD] = IGNORE,
		[LEV_CLOSED] = IGNORE, [LEV_TIMER] = IGNORE,
		[LEV_STALE] = IGNORE,
	},
	[LINK_CONNECTING] = {
		[LEV_START] = IGNORE,
		[LEV_STOP] = T(act_want_down, LINK_CLOSING),
		[LEV_RECONNECT] = T(act_close_then_connect, LINK_CLOSING),
		[LEV_MODEM_READY] = IGNORE,
		[LEV_MODEM_DOWN] = T(act_modem_down, LINK_NEXT_BY_ACTION),
		[LEV_MODEM_RECOVERING] = T(NULL, LINK_RECOVERING),
		[LEV_DIAL_OK] = T(NULL, LINK_UP),
		[LEV_DIAL_FAILED] = T(act_dial_failed, LINK_CLOSING),
		[LEV_DEAD] = T(act_close_then_backoff, LINK_CLOSING),
		[LEV_CLOSED] = IGNORE,
		[LEV_TIMER] = T(act_connect_step, LINK_STAY),
		[LEV_STALE] = T(act_close_then_connect, LINK_CLOSING),
	},
	[LINK_UP] = {
		[LEV_START] = IGNORE,
		[LEV_STOP] = T(act_want_down, LINK_CLOSING),
		[LEV_RECONNECT] = T(act_close_then_connect, LINK_CLOSING),
		[LEV_MODEM_READY] = IGNORE,
		[LEV_MODEM_DOWN] = T(act_modem_down, LINK_NEXT_BY_ACTION),
		[LEV_MODEM_RECOVERING] = T(act_escalated_while_up, LINK_RECOVERING),
		[LEV_DIAL_OK] = IGNORE, [LEV_DIAL_FAILED] = IGNORE,
		[LEV_DEAD] = T(act_dead_while_up, LINK_CLOSING),
		[LEV_CLOSED] = IGNORE, [LEV_TIMER] = IGNORE,
		[LEV_STALE] = IGNORE,
	},
	[LINK_CLOSING] = {
		[LEV_START] = T(act_want_up_again, LINK_STAY),
		[LEV_STOP] = T(act_want_down, LINK_STAY),
		[LEV_RECONNECT] = T(act_want_up_again, LINK_STAY),
		[LEV_MODEM_READY] = IGNORE,
		[LEV_MODEM_DOWN] = T(act_modem_down, LINK_NEXT_BY_ACTION),
		[LEV_MODEM_RECOVERING] = T(NULL, LINK_RECOVERING),
		[LEV_DIAL_OK] = IGNORE, [LEV_DIAL_FAILED] = IGNORE, [LEV_DEAD] = IGNORE,
		[LEV_CLOSED] = T(act_after_close, LINK_NEXT_BY_ACTION),
		[LEV_TIMER] = T(act_close_step, LINK_STAY),
		[LEV_STALE] = IGNORE,
	},
	[LINK_BACKOFF] = {
		[LEV_START] = IGNORE,
		[LEV_STOP] = T(act_stop, LINK_IDLE),
		[LEV_RECONNECT] = T(act_connect_or_wait, LINK_NEXT_BY_ACTION),
		[LEV_MODEM_READY] = IGNORE,
		[LEV_MODEM_DOWN] = T(NULL, LINK_WAITING),
		[LEV_MODEM_RECOVERING] = T(NULL, LINK_RECOVERING),
		[LEV_DIAL_OK] = IGNORE, [LEV_DIAL_FAILED] = IGNORE, [LEV_DEAD] = IGNORE,
		[LEV_CLOSED] = IGNORE,
		[LEV_TIMER] = T(act_connect_or_wait, LINK_NEXT_BY_ACTION),
		[LEV_STALE] = IGNORE,
	},
	[LINK_RECOVERING] = {
		[LEV_START] = IGNORE,
		[LEV_STOP] = T(act_stop, LINK_IDLE),
		[LEV_RECONNECT] = IGNORE,
		[LEV_MODEM_READY] = T(NULL, LINK_CONNECTING),
		[LEV_MODEM_DOWN] = T(NULL, LINK_WAITING),
		[LEV_MODEM_RECOVERING] = IGNORE,
		[LEV_DIAL_OK] = IGNORE, [LEV_DIAL_FAILED] = IGNORE, [LEV_DEAD] = IGNORE,
		[LEV_CLOSED] = IGNORE, [LEV_TIMER] = IGNORE,
		[LEV_STALE] = IGNORE,
	},
};

/* For the unit test: is every (state, event) pair handled? */
int link_fsm_complete(void);

int
link_fsm_complete(void)
{
	for (int s = 0; s < LINK_STATE_COUNT; s++)
		for (int e = 0; e < LEV_COUNT; e++)
			if (!link_fsm[s][e].defined)
				return 0;
	return 1;
}

static struct modem *
link_modem(const struct link *l)
{
	return l->d->modem;
}

static int
link_modem_ready(const struct link *l)
{
	return link_modem(l) != NULL && link_modem(l)->state == MODEM_READY;
}

static void
link_timer_ms(struct link *l, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(l->ev_timer, &tv);
}

static void
link_on_timer(evutil_socket_t fd, short what, void *arg)
{
	link_event(arg, LEV_TIMER);
}

/* Up for reconnect.stable seconds: the failure streak is over. */
static void
link_on_stable(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	log_info("link %s: stable for %.0f s; backoff reset", l->name, l->conf->reconnect.stable);
	backoff_reset(&l->backoff);
	l->attempts = 0;
	modem_link_stable(link_modem(l));
}

/* The one place a link changes state: log, timers, event, STATUS=. */
static void
link_enter(struct link *l, enum link_state next, enum link_event why)
{
	enum link_state old = l->state;
	struct timeval stable;

	if (next == old)
		return;
	log_info("link %s: %s -> %s (%s)", l->name, link_state_names[old],
	    link_state_names[next], link_event_names[why]);
	l->state = next;
	l->since = time(NULL);
	l->since_ms = util_now_ms();
	l->step = 0;
	opslot_invalidate(&l->ops);
	evtimer_del(l->ev_timer);
	if (old == LINK_UP) {
		evtimer_del(l->ev_stable);
		evtimer_del(l->ev_check);
		evtimer_del(l->ev_idle);
		evtimer_del(l->ev_reply);
		relay_link_down(l->relay, l->cause);
	}
	notify_event(l->news, EV_LINK_STATE, "name=%s state=%s old=%s", l->name,
	    link_state_names[next], link_state_names[old]);
	notify_status(l->news);
	switch (next) {
	case LINK_CONNECTING:
		l->attempts++;
		link_timer_ms(l, 0);	/* first step from the loop, not from here */
		break;
	case LINK_CLOSING:
		l->close_deadline_ms = l->since_ms + (uint64_t)(l->conf->reconnect.teardown_timeout * 1000);
		link_timer_ms(l, 0);
		break;
	case LINK_BACKOFF:
		l->backoff_until_ms = l->since_ms + (uint64_t)(l->backoff_delay * 1000);
		link_timer_ms(l, (uint64_t)(l->backoff_delay * 1000));
		break;
	case LINK_UP:
		l->connects++;
		l->last_alive_ms = l->since_ms;
		l->last_error[0] = '\0';
		stable = util_tv_from_sec(l->conf->reconnect.stable);
		evtimer_add(l->ev_stable, &stable);
		l->own_sent = 0;
		l->probe_out = 0;
		l->missed = 0;
		l->verified = 0;
		link_check_start(l);
		link_idle_arm(l);
		relay_link_up(l->relay);
		break;
	case LINK_IDLE:
	case LINK_WAITING:
	case LINK_RECOVERING:
		break;
	case LINK_STATE_COUNT:
		break;
	}
}

void
link_event(struct link *l, enum link_event ev)
{
	const struct link_transition *t = &link_fsm[l->state][ev];
	int next = t->next;

	log_debug("link %s: %s in %s", l->name, link_event_names[ev], link_state_names[l->state]);
	if (t->fn != NULL) {
		int r = t->fn(l);
		if (next == LINK_NEXT_BY_ACTION)
			next = r;
	}
	if (next >= 0)
		link_enter(l, (enum link_state)next, ev);
}

void
link_init(struct link *l, struct daemon *d, int index, const struct conf_link *conf,
    struct backoff_rng *rng)
{
	memset(l, 0, sizeof(*l));
	l->d = d;
	l->news = &d->news;
	l->index = index;
	l->conf = conf;
	snprintf(l->name, sizeof(l->name), "%s", conf->name);
	l->state = LINK_IDLE;
	l->since = time(NULL);
	l->since_ms = util_now_ms();
	l->after_close = LINK_BACKOFF;
	link_idle_init(l);
	opslot_init(&l->ops, l);
	l->ev_timer = evtimer_new(d->base, link_on_timer, l);
	l->ev_stable = evtimer_new(d->base, link_on_stable, l);
	l->ev_check = evtimer_new(d->base, link_on_check_timer, l);
	l->ev_idle = evtimer_new(d->base, link_on_idle, l);
	l->ev_reply = evtimer_new(d->base, link_on_reply_timeout, l);
	backoff_init(&l->backoff, conf->reconnect.min, conf->reconnect.max, rng);
	l->relay = relay_new(l);
}

void
link_free(struct link *l)
{
	if (l->ev_timer == NULL)
		return;
	relay_free(l->relay);
	l->relay = NULL;
	event_free(l->ev_timer);
	event_free(l->ev_stable);
	event_free(l->ev_check);
	event_free(l->ev_idle);
	event_free(l->ev_reply);
	l->ev_timer = l->ev_stable = l->ev_check = l->ev_idle = l->ev_reply = NULL;
}

uint64_t
link_deaths(const struct link *l)
{
	uint64_t n = 0;

	for (int i = 0; i < CAUSE_COUNT; i++)
		n += l->dead_by_cause[i];
	return n;
}

double
link_backoff_left(const struct link *l)
{
	uint64_t now = util_now_ms();

	if (l->state != LINK_BACKOFF || now >= l->backoff_until_ms)
		return 0;
	return (double)(l->backoff_until_ms - now) / 1000.0;
}

/* Record a failure and choose the delay before the next dial. */
static void
link_plan_backoff(struct link *l)
{
	double floor = 0;

	if (l->dial_error == DIAL_ERR_DNS)
		floor = l->conf->reconnect.min * LINK_DNS_FLOOR_FACTOR;
	l->backoff_delay = backoff_next(&l->backoff, floor);
	log_info("link %s: next attempt in %.1f s (attempt %u)", l->name, l->backoff_delay,
	    l->attempts + 1);
}

/* Record a death (counters, last error, link-dead event) without feeding
 * the FSM: for actions that are already in a transition. */
static void
link_dead_quiet(struct link *l, enum dead_cause cause, const char *why)
{
	uint64_t quiet = util_now_ms() - l->last_alive_ms;

	l->cause = cause;
	l->dead_by_cause[cause]++;
	snprintf(l->last_error, sizeof(l->last_error), "%s: %s", dead_cause_names[cause], why);
	log_warnx("link %s: dead (%s): %s; last sign of life %.1f s ago", l->name,
	    dead_cause_names[cause], why, (double)quiet / 1000.0);
	notify_event(l->news, EV_LINK_DEAD, "name=%s cause=%s silent=%.1f", l->name,
	    dead_cause_names[cause], (double)quiet / 1000.0);
}

void
link_dead(struct link *l, enum dead_cause cause, const char *why)
{
	if (l->state != LINK_UP && l->state != LINK_CONNECTING)
		return;
	link_dead_quiet(l, cause, why);
	link_event(l, LEV_DEAD);
}

/* ---- actions ---- */

static int
act_start(struct link *l)
{
	l->want_up = 1;
	l->stopped = 0;
	return link_modem_ready(l) ? LINK_CONNECTING : LINK_WAITING;
}

static int
act_stop(struct link *l)
{
	l->want_up = 0;
	l->stopped = 1;
	return LINK_STAY;
}

static int
act_want_down(struct link *l)
{
	l->want_up = 0;
	l->stopped = 1;
	l->after_close = LINK_IDLE;
	if (l->state == LINK_UP)
		link_dead_quiet(l, CAUSE_OPERATOR, "disconnect requested");
	return LINK_STAY;
}

static int
act_want_up_again(struct link *l)
{
	l->want_up = 1;
	l->stopped = 0;
	l->after_close = LINK_CONNECTING;
	return LINK_STAY;
}

static int
act_close_then_connect(struct link *l)
{
	if (l->state == LINK_UP)
		link_dead_quiet(l, CAUSE_OPERATOR, "reconnect requested");
	l->after_close = LINK_CONNECTING;
	return LINK_STAY;
}

static int
act_close_then_backoff(struct link *l)
{
	l->failures++;
	link_plan_backoff(l);
	l->after_close = LINK_BACKOFF;
	return LINK_STAY;
}

/* A refused connect proves the modem's stack works (the server answered
 * with a reset): it backs off but does not climb the escalation ladder, so a
 * server that is down never reboots a fleet's modems. Timeouts, DNS and
 * context failures do count. */
static int
act_dial_failed(struct link *l)
{
	l->failures++;
	if (l->dial_error != DIAL_ERR_REFUSED)
		modem_link_failed(link_modem(l), 0);
	link_plan_backoff(l);
	l->after_close = LINK_BACKOFF;
	return LINK_STAY;
}

/* Died after being up: a connection that never carried anything counts as
 * a jammed connect for the escalation ladder. */
static int
act_dead_while_up(struct link *l)
{
	int jammed = !l->verified && (l->cause == CAUSE_ACK_STALL ||
	    l->cause == CAUSE_PROBE_TIMEOUT);

	if (jammed)
		modem_link_failed(link_modem(l), 1);
	link_plan_backoff(l);
	l->after_close = LINK_BACKOFF;
	return LINK_STAY;
}

/* An escalation step (for another link's failures, or by hand) takes this
 * connection down with it: a context or radio cycle loses the context, a
 * reboot or the hook the modem. */
static int
act_escalated_while_up(struct link *l)
{
	int step = link_modem(l)->step_running;

	link_dead_quiet(l, step == STEP_MODEM_REBOOT || step == STEP_HOOK ? CAUSE_MODEM_GONE :
	    CAUSE_PDP_LOST, "an escalation step runs");
	return LINK_STAY;
}

static int
act_connect_or_wait(struct link *l)
{
	return link_modem_ready(l) ? LINK_CONNECTING : LINK_WAITING;
}

static int
act_after_close(struct link *l)
{
	if (!l->want_up)
		return LINK_IDLE;
	if (l->after_close == LINK_CONNECTING)
		return act_connect_or_wait(l);
	return l->after_close;
}

/* The modem lost the context, registration or port: the socket is gone. */
static int
act_modem_down(struct link *l)
{
	if (l->state == LINK_UP)
		link_dead_quiet(l, link_modem(l)->state == MODEM_CLOSED ? CAUSE_MODEM_GONE :
		    CAUSE_PDP_LOST, "the modem went down");
	return l->want_up ? LINK_WAITING : LINK_IDLE;
}


/* ---- connecting: quiet time, configure, stale check, dial, verify ---- */

static const char *
dial_error_text(enum dial_error e)
{
	switch (e) {
	case DIAL_ERR_NONE: return "no error";
	case DIAL_ERR_DNS: return "the modem could not resolve the host";
	case DIAL_ERR_TIMEOUT: return "connect timed out";
	case DIAL_ERR_REFUSED: return "connection refused or failed";
	case DIAL_ERR_NO_CONTEXT: return "PDP context not active";
	case DIAL_ERR_OTHER: return "dial failed";
	}
	return "dial failed";
}

/* A dial step failed: remember why and feed the FSM. */
static void
link_dial_failed(struct link *l, enum dial_error e, const struct dialect_reply *r)
{
	l->dial_error = e;
	snprintf(l->last_error, sizeof(l->last_error), "%s (%s)", dial_error_text(e),
	    r != NULL && r->text[0] ? r->text : "no answer");
	log_warnx("link %s: %s", l->name, l->last_error);
	if (e == DIAL_ERR_NO_CONTEXT)
		modem_check_pdp(link_modem(l));
	link_event(l, LEV_DIAL_FAILED);
}

static void
link_on_verify(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && (r->u.sock == SOCK_CONNECTED || r->u.sock == SOCK_CONNECTED_DATA)) {
		log_info("link %s: connected to %s:%d (socket %d)", l->name, l->conf->host,
		    l->conf->port, l->conf->socket);
		link_event(l, LEV_DIAL_OK);
		if (r->u.sock == SOCK_CONNECTED_DATA)
			link_data(l, -1);
		return;
	}
	link_dial_failed(l, DIAL_ERR_OTHER, r);
}

static void
link_on_dial(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_dial_failed(l, r->status == DIALECT_ERROR ? r->u.dial : DIAL_ERR_TIMEOUT, r);
		return;
	}
	l->step = CSTEP_VERIFY;
	link_event(l, LEV_TIMER);
}

static void
link_on_stale_check(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_dial_failed(l, DIAL_ERR_OTHER, r);
		return;
	}
	if (r->u.sock != SOCK_CLOSED) {
		/* Never dial on top of an open socket (seed 000). */
		log_warnx("link %s: modem socket %d is still open (stale); closing it "
		    "before dialling", l->name, l->conf->socket);
		link_event(l, LEV_STALE);
		return;
	}
	l->step = CSTEP_DIAL;
	link_event(l, LEV_TIMER);
}

static void
link_on_configured(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_dial_failed(l, DIAL_ERR_OTHER, r);
		return;
	}
	l->step = CSTEP_STALE;
	link_event(l, LEV_TIMER);
}

/* Queue one dialect request for this link; on a full slot table, fail. */
#define LINK_OP(l, fn, call, ...) do { \
	struct opslot *slot_ = opslot_take(&(l)->ops, fn); \
	struct modem *m_ = link_modem(l); \
	if (slot_ == NULL) { \
		link_timer_ms(l, LINK_POLL_MS); \
		break; \
	} \
	m_->ops->call(m_->at, __VA_ARGS__, opslot_reply, slot_); \
} while (0)

/* The modem's quiet time, and the hard minimum interval between two dials
 * of this link, whatever led to the new dial (operator, registration
 * flapping): no reconnect storm is possible. */
static uint64_t
link_wait_before_dial_ms(const struct link *l)
{
	uint64_t quiet = modem_quiet_left_ms(link_modem(l)), now = util_now_ms();
	uint64_t next = l->last_dial_ms + (uint64_t)(l->conf->reconnect.min * 1000);

	if (l->last_dial_ms != 0 && next > now && next - now > quiet)
		return next - now;
	return quiet;
}

static int
act_connect_step(struct link *l)
{
	const struct conf_link *c = l->conf;
	uint64_t quiet;

	if (!link_modem_ready(l))
		return LINK_STAY;
	switch ((enum connect_step)l->step) {
	case CSTEP_QUIET:
		if ((quiet = link_wait_before_dial_ms(l)) > 0) {
			link_timer_ms(l, quiet);
			break;
		}
		l->step = CSTEP_CONFIGURE;
		LINK_OP(l, link_on_configured, sock_configure, c->socket,
		    l->d->conf->network.cid, c->keepalive.modem_keepalive);
		break;
	case CSTEP_CONFIGURE:
		break;	/* waiting for the answer */
	case CSTEP_STALE:
		LINK_OP(l, link_on_stale_check, sock_status, c->socket);
		break;
	case CSTEP_DIAL:
		log_info("link %s: dialling %s:%d on socket %d (attempt %u)", l->name, c->host,
		    c->port, c->socket, l->attempts);
		l->last_dial_ms = util_now_ms();
		LINK_OP(l, link_on_dial, sock_dial, c->socket, c->host, c->port,
		    link_modem(l)->ops->dial_timeout_ms);
		break;
	case CSTEP_VERIFY:
		LINK_OP(l, link_on_verify, sock_status, c->socket);
		break;
	}
	return LINK_STAY;
}

/* ---- closing: #SH, then #SS until it reads closed, then the quiet time ---- */

static void
link_on_close_poll(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	struct modem *m = link_modem(l);

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED) {
		log_info("link %s: socket %d verified closed in %" PRIu64 " ms; quiet for %.1f s",
		    l->name, l->conf->socket, util_now_ms() - l->since_ms, m->quiet_time);
		modem_quiet_begin(m);
		link_event(l, LEV_CLOSED);
		return;
	}
	if (util_now_ms() < l->close_deadline_ms) {
		link_timer_ms(l, LINK_POLL_MS);
		return;
	}
	snprintf(l->last_error, sizeof(l->last_error), "socket %d still open %.0f s after "
	    "#SH", l->conf->socket, l->conf->reconnect.teardown_timeout);
	log_warnx("link %s: teardown not verified: %s; closing again", l->name, l->last_error);
	modem_link_failed(m, 1);
	l->close_deadline_ms = util_now_ms() + (uint64_t)(l->conf->reconnect.teardown_timeout * 1000);
	l->step = XSTEP_CLOSE;
	link_timer_ms(l, LINK_POLL_MS);
}

static void
link_on_close(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK)
		log_debug("link %s: close answered %s", l->name, r->text);
	l->step = XSTEP_POLL;
	link_event(l, LEV_TIMER);
}

static int
act_close_step(struct link *l)
{
	struct modem *m = link_modem(l);

	if (m == NULL || m->at == NULL || m->state == MODEM_CLOSED)
		return LINK_STAY;
	switch ((enum close_step)l->step) {
	case XSTEP_CLOSE:
		LINK_OP(l, link_on_close, sock_close, l->conf->socket,
		    link_modem(l)->ops->close_timeout_ms);
		break;
	case XSTEP_POLL:
		LINK_OP(l, link_on_close_poll, sock_status, l->conf->socket);
		break;
	}
	return LINK_STAY;
}

/* ---- data: the relay reads it ---- */

void
link_data(struct link *l, long pending)
{
	if (l->state != LINK_UP)
		return;
	l->last_alive_ms = util_now_ms();
	link_idle_arm(l);
	relay_data(l->relay, pending);
}

/* ---- idle: a quiet link reads its socket status ----
 * After keepalive.idle seconds without inbound data the socket's status is
 * read: data the module holds without having announced it (a lost SRING) is
 * read, and a socket the module closed without a NO CARRIER is noticed.
 * One wake-up per idle period, none while data flows. */

static void
link_idle_arm(struct link *l)
{
	struct timeval tv = util_tv_from_sec(link_idle_period(l));

	evtimer_add(l->ev_idle, &tv);
}

static void link_probe_send(struct link *l);
static void link_idle_grow(struct link *l);
static void link_idle_settle(struct link *l);

static void
link_on_idle_status(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED) {
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
		return;
	}
	if (r->status == DIALECT_OK && r->u.sock == SOCK_CONNECTED_DATA) {
		log_info("link %s: the module holds unannounced data (lost SRING); reading it",
		    l->name);
		relay_data(l->relay, -1);
	}
	if (l->conf->keepalive.probe_len > 0) {
		l->probe_idle = (double)(util_now_ms() - l->last_alive_ms) / 1000.0;
		link_probe_send(l);
	} else
		link_idle_arm(l);
}

static void
link_on_idle(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	if (l->state == LINK_UP)
		LINK_OP(l, link_on_idle_status, sock_status, l->conf->socket);
}

/* ---- keepalive probes (seed 001): three outcomes ----
 * The send fails: the module says the socket is gone -> dead at once.
 * No reply within keepalive.timeout, retries + 1 times in a row -> dead
 * (probe-timeout). A reply (or, with reply = "any", any inbound data) ->
 * healthy, RTT recorded. Any inbound data is a sign of life and restarts
 * the idle period, so probes go only over a quiet link. */

static void
link_on_probe_sent(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	struct timeval tv = util_tv_from_sec(l->conf->keepalive.timeout);

	if (r->status != DIALECT_OK) {
		link_send_failed(l);
		return;
	}
	l->own_sent += l->conf->keepalive.probe_len;
	l->probe_bytes += l->conf->keepalive.probe_len;
	evtimer_add(l->ev_reply, &tv);
}

static void
link_probe_send(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	l->probe_out = 1;
	l->probes_sent++;
	l->probe_sent_ms = util_now_ms();
	log_debug("link %s: probe %llu (missed %u)", l->name, (unsigned long long)l->probes_sent,
	    l->missed);
	LINK_OP(l, link_on_probe_sent, sock_send, l->conf->socket, k->probe, k->probe_len);
}

static void
link_on_reply_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;
	const struct conf_keepalive *k = &l->conf->keepalive;
	char why[128];

	if (l->state != LINK_UP || !l->probe_out)
		return;
	l->missed++;
	if (l->missed <= (unsigned)k->retries) {
		log_info("link %s: probe unanswered after %.1f s (%u of %d); probing again",
		    l->name, k->timeout, l->missed, k->retries + 1);
		link_probe_send(l);
		return;
	}
	snprintf(why, sizeof(why), "%u probes in a row unanswered (%.1f s each)", l->missed,
	    k->timeout);
	link_idle_settle(l);
	link_dead(l, CAUSE_PROBE_TIMEOUT, why);
}

/* The probe was answered: record the RTT, back to the idle period. */
static void
link_probe_answered(struct link *l, int matched)
{
	link_idle_grow(l);
	l->verified = 1;	/* the connection carries data both ways */
	if (matched) {
		l->rtt_last_ms = util_now_ms() - l->probe_sent_ms;
		l->rtt_sum_ms += l->rtt_last_ms;
		l->probes_answered++;
		log_debug("link %s: probe answered in %llu ms", l->name,
		    (unsigned long long)l->rtt_last_ms);
	}
	l->probe_out = 0;
	l->missed = 0;
	evtimer_del(l->ev_reply);
}

size_t
link_inbound(struct link *l, const uint8_t *data, size_t len)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	l->last_alive_ms = util_now_ms();
	l->verified = 1;
	if (l->state == LINK_UP)
		link_idle_arm(l);
	if (!l->probe_out)
		return 0;
	if (k->reply_any || k->reply_len == 0) {
		link_probe_answered(l, 1);
		return 0;
	}
	/* The reply is stripped only when it arrives whole at the start of the
	 * first read after the probe; anything else is application data and is
	 * delivered as it is (it still proves the link alive). */
	if (len >= k->reply_len && memcmp(data, k->reply, k->reply_len) == 0) {
		l->probe_bytes += k->reply_len;
		link_probe_answered(l, 1);
		return k->reply_len;
	}
	link_probe_answered(l, 0);
	return 0;
}

double
link_bound_idle(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	return link_idle_period(l) + (k->retries + 1) * k->timeout + 1.0;
}

double
link_bound_busy(const struct link *l)
{
	return l->conf->keepalive.ack_timeout + link_ack_poll_interval(l) + 1.0;
}

double
link_ack_poll_interval(const struct link *l)
{
	double p = l->conf->keepalive.ack_timeout / 8.0;

	return p < 0.25 ? 0.25 : p > 2.0 ? 2.0 : p;
}

double
link_probe_bytes_per_day(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;
	double idle = link_idle_period(l);

	if (k->probe_len == 0)
		return 0;
	/* probe and reply payload, 40 bytes of IP and TCP headers on each
	 * segment, and one ACK (40 bytes) for each */
	return 86400.0 / idle * (double)(k->probe_len + k->reply_len + 4 * 40);
}

/* ---- the module says a socket closed ---- */

static enum dead_cause
link_cause_of(enum sock_closure c)
{
	switch (c) {
	case CLOSURE_RST: return CAUSE_REMOTE_RESET;
	case CLOSURE_PDP: return CAUSE_PDP_LOST;
	case CLOSURE_FIN:
	case CLOSURE_INACTIVITY:
	case CLOSURE_UNKNOWN:
		break;
	}
	return CAUSE_REMOTE_CLOSE;
}

static const char *
link_closure_text(enum sock_closure c)
{
	switch (c) {
	case CLOSURE_FIN: return "the server closed the connection (FIN)";
	case CLOSURE_RST: return "the connection was reset (RST or abort)";
	case CLOSURE_INACTIVITY: return "the module's inactivity timer closed it";
	case CLOSURE_PDP: return "the network deactivated the PDP context";
	case CLOSURE_UNKNOWN: break;
	}
	return "the module reports the socket closed";
}

static void
link_on_closure(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	enum sock_closure c = r->status == DIALECT_OK ? r->u.closure : CLOSURE_UNKNOWN;

	link_dead(l, link_cause_of(c), link_closure_text(c));
}

/* After a NO CARRIER that names no socket: is ours the one that closed? */
static void
link_on_alive_check(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED)
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
}

/* A send was refused: a closed socket is the remote's doing, anything else
 * the module's (seed 001's first outcome: the send fails -> dead at once). */
static void
link_on_send_failed_check(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED) {
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
		return;
	}
	link_dead(l, CAUSE_MODEM_ERROR, "the module refused to send on an open socket");
}

void
link_send_failed(struct link *l)
{
	if (l->state == LINK_UP)
		LINK_OP(l, link_on_send_failed_check, sock_status, l->conf->socket);
}

void
link_remote_closed(struct link *l, int named, enum sock_closure closure)
{
	if (l->state != LINK_UP)
		return;
	if (!named)
		LINK_OP(l, link_on_alive_check, sock_status, l->conf->socket);
	else if (closure == CLOSURE_UNKNOWN)
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
	else
		link_dead(l, link_cause_of(closure), link_closure_text(closure));
}

/* ---- reload ---- */

static void
link_on_forgotten(const struct dialect_reply *r, void *arg)
{
	(void)r;
	(void)arg;
}

/* Close socket connid on the modem without a link to follow it. */
static void
link_close_orphan(struct link *l, int connid)
{
	struct modem *m = link_modem(l);

	if (m == NULL || m->at == NULL)
		return;
	log_info("link %s: closing modem socket %d", l->name, connid);
	m->ops->sock_close(m->at, connid, m->ops->close_timeout_ms, link_on_forgotten, NULL);
	modem_quiet_begin(m);
}

void
link_reconfigure(struct link *l, const struct conf_link *conf)
{
	int moved = conf->socket != l->conf->socket;
	int changed = moved || conf->port != l->conf->port || strcmp(conf->host, l->conf->host) != 0;
	int active = l->state != LINK_IDLE && l->state != LINK_WAITING && l->state != LINK_BACKOFF;

	if (moved && active)
		link_close_orphan(l, l->conf->socket);
	l->conf = conf;
	link_idle_init(l);
	relay_reconfigure(l->relay);
	l->backoff.min = conf->reconnect.min;
	l->backoff.max = conf->reconnect.max < conf->reconnect.min ? conf->reconnect.min :
	    conf->reconnect.max;
	if (!changed || !active)
		return;
	log_info("link %s: server or socket changed; reconnecting", l->name);
	link_event(l, LEV_RECONNECT);
}

static void
link_drained(void *owner)
{
	struct link *l = owner;

	link_free(l);
	free(l);
}

void
link_forget(struct link *l)
{
	if (l->state != LINK_IDLE && l->state != LINK_WAITING)
		link_close_orphan(l, l->conf->socket);
	link_free(l);
	/* Replies still to come point into l: free it when the last arrives. */
	if (opslot_release(&l->ops, link_drained))
		return;
	free(l);
}

/* ---- connect check: a connection that carries nothing is jammed ----
 * On entering up, the configured probe is sent at once and #SI is polled
 * until the module reports it acknowledged (ack_waiting 0). If nothing is
 * acknowledged within keepalive.ack_timeout, the link is dead (ack-stall)
 * and the connect counts as jammed for the escalation ladder (seed 000: a
 * jammed stack completes connects but never moves payload). */

#define LINK_CHECK_POLLS 8	/* #SI polls per ack_timeout */

static void
link_check_timer(struct link *l)
{
	struct timeval tv = util_tv_from_sec(l->conf->keepalive.ack_timeout / LINK_CHECK_POLLS);

	evtimer_add(l->ev_check, &tv);
}

static void
link_on_check_info(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	char why[128];

	if (r->status == DIALECT_OK && r->u.info.ack_waiting == 0) {
		l->verified = 1;
		evtimer_del(l->ev_check);
		l->last_alive_ms = util_now_ms();
		log_info("link %s: connect check passed: the server acknowledged the probe", l->name);
		return;
	}
	if (r->status == DIALECT_OK && r->u.info.ack_waiting < l->check_acked)
		l->check_deadline_ms = util_now_ms() + (uint64_t)(l->conf->keepalive.ack_timeout * 1000);
	if (r->status == DIALECT_OK)
		l->check_acked = r->u.info.ack_waiting;
	if (util_now_ms() < l->check_deadline_ms) {
		link_check_timer(l);
		return;
	}
	snprintf(why, sizeof(why), "%llu bytes sent after connecting were not acknowledged "
	    "within %.1f s", (unsigned long long)l->check_acked, l->conf->keepalive.ack_timeout);
	link_dead(l, CAUSE_ACK_STALL, why);
}

static void
link_on_check_timer(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	if (l->state == LINK_UP)
		LINK_OP(l, link_on_check_info, sock_info, l->conf->socket);
}

static void
link_on_check_sent(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_send_failed(l);
		return;
	}
	l->check_acked = l->conf->keepalive.probe_len;
	l->own_sent += l->conf->keepalive.probe_len;
	l->probe_bytes += l->conf->keepalive.probe_len;
	link_check_timer(l);
}

static void
link_check_start(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (k->probe_len == 0)
		return;
	l->check_deadline_ms = util_now_ms() + (uint64_t)(k->ack_timeout * 1000);
	l->probe_idle = 0;		/* not after an idle period: learns nothing */
	l->probe_out = 1;		/* its reply is stripped like any probe's */
	l->probes_sent++;
	l->probe_sent_ms = util_now_ms();
	LINK_OP(l, link_on_check_sent, sock_send, l->conf->socket, k->probe, k->probe_len);
}

/* ---- adaptive idle (keepalive.idle = "auto") ----
 * Learn how long this network keeps an idle connection: start at idle_min
 * (or what an earlier run learned), lengthen x1.25 each time a probe sent
 * after a full idle period is answered, and when a connection dies silently
 * (probe-timeout) after an idle period T, settle at 0.8 T; always within
 * idle_min..idle_max. A settled period no longer grows; a new silent death
 * lowers it again. What is learned is kept in the state directory. */

#define IDLE_GROW 1.25
#define IDLE_MARGIN 0.8

double
link_idle_period(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	return k->idle_auto ? l->idle_cur : k->idle;
}

const char *
link_idle_mode_name(const struct link *l)
{
	switch (l->idle_mode) {
	case IDLE_FIXED: return "fixed";
	case IDLE_LEARNING: return "learning";
	case IDLE_SETTLED: return "settled";
	}
	return "fixed";
}

/* The file that keeps what was learned for this link. */
static void
link_idle_path(const struct link *l, char *path, size_t size)
{
	snprintf(path, size, "%s/idle-%s", l->d->state_dir, l->name);
}

static void
link_idle_save(const struct link *l)
{
	char path[1024], tmp[1100];
	FILE *f;

	link_idle_path(l, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("link %s: cannot keep the learned idle period in %s", l->name, tmp);
		return;
	}
	fprintf(f, "%s:%d %.3f %s\n", l->conf->host, l->conf->port, l->idle_cur,
	    link_idle_mode_name(l));
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		log_warn("link %s: cannot write %s", l->name, path);
		unlink(tmp);
	}
}

/* What an earlier run learned for the same server, if anything. */
static void
link_idle_load(struct link *l)
{
	char path[1024], server[300], want[300], mode[16];
	double v;
	FILE *f;

	link_idle_path(l, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return;
	snprintf(want, sizeof(want), "%s:%d", l->conf->host, l->conf->port);
	if (fscanf(f, "%299s %lf %15s", server, &v, mode) == 3 && strcmp(server, want) == 0) {
		l->idle_cur = v;
		l->idle_mode = strcmp(mode, "settled") == 0 ? IDLE_SETTLED : IDLE_LEARNING;
		log_info("link %s: idle period %.1f s (%s) learned earlier", l->name, v, mode);
	}
	fclose(f);
}

static void
link_idle_clamp(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (l->idle_cur < k->idle_min)
		l->idle_cur = k->idle_min;
	if (l->idle_cur > k->idle_max)
		l->idle_cur = k->idle_max;
}

static void
link_idle_init(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (!k->idle_auto) {
		l->idle_mode = IDLE_FIXED;
		l->idle_cur = k->idle;
		return;
	}
	if (l->idle_mode == IDLE_FIXED) {
		l->idle_mode = IDLE_LEARNING;
		l->idle_cur = k->idle_min;
		link_idle_load(l);
	}
	link_idle_clamp(l);
}

/* A probe sent after a full idle period was answered: try a longer one. */
static void
link_idle_grow(struct link *l)
{
	double before = l->idle_cur;

	if (l->idle_mode != IDLE_LEARNING || l->probe_idle < l->idle_cur * 0.99)
		return;
	l->idle_cur *= IDLE_GROW;
	link_idle_clamp(l);
	if (l->idle_cur == before)
		return;
	log_info("link %s: idle %.1f s survived; trying %.1f s", l->name, before, l->idle_cur);
	link_idle_save(l);
}

/* The connection died silently after probe_idle seconds: settle below. */
static void
link_idle_settle(struct link *l)
{
	if (l->idle_mode == IDLE_FIXED || l->probe_idle <= 0)
		return;
	l->idle_cur = l->probe_idle * IDLE_MARGIN;
	link_idle_clamp(l);
	l->idle_mode = IDLE_SETTLED;
	log_notice("link %s: the network forgot the connection after %.1f s idle; "
	    "settling at %.1f s", l->name, l->probe_idle, l->idle_cur);
	link_idle_save(l);
}
