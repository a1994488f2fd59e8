/* The link FSM. Every (state, event) pair has a row in link_fsm: an action
 * and the next state (LINK_NEXT_BY_ACTION: the action decides). Sub-steps of
 * connecting (quiet time, configure, stale check, dial, verify) and closing
 * (close, poll until closed) run inside their state (link_steps.c); the
 * keepalive of an up link is in link_keepalive.c, idle learning in
 * link_idle.c. Those files call no function of this one: they feed events
 * back through l->fire. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "dialect/opslot.h"
#include "link/link.h"
#include "link/link_idle.h"
#include "link/link_int.h"
#include "link/link_keepalive.h"
#include "link/link_relay.h"
#include "link/link_steps.h"
#include "link/link_stop.h"
#include "log.h"
#include "modem/modem.h"
#include "relay/relay.h"
#include "util.h"

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
	log_fields(LOG_LEVEL_INFO, (const struct log_field[]){
		{ "LINK", l->name },
		{ "STATE", link_state_names[next] },
		{ "STATE_OLD", link_state_names[old] },
		{ "CELLSOCK_EVENT", proto_event_names[EV_LINK_STATE] },
		{ NULL, NULL } },
	    "link %s: %s -> %s (%s)", l->name, link_state_names[old],
	    link_state_names[next], link_event_names[why]);
	l->state = next;
	l->since = time(NULL);
	l->since_ms = util_now_ms();
	l->step = 0;
	opslot_invalidate(&l->ops);
	evtimer_del(l->ev_timer);
	if (old == LINK_UP) {
		evtimer_del(l->ev_stable);
		link_keepalive_stop(l);
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
		l->last_error[0] = '\0';	/* the condition cleared */
		l->last_error_at = 0;
		stable = util_tv_from_sec(l->conf->reconnect.stable);
		evtimer_add(l->ev_stable, &stable);
		link_keepalive_start(l);
		relay_link_up(l->relay);
		break;
	case LINK_IDLE:
		link_stop_idle(l);	/* a link that stops is done closing */
		break;
	case LINK_WAITING:
	case LINK_RECOVERING:
		break;
	case LINK_STATE_COUNT:
		break;
	}
}

/* Feed one event to the FSM: run the row's action, then enter its state. */
void
link_event(struct link *l, enum link_event ev)
{
	const struct link_transition *t = &link_fsm[l->state][ev];
	int next = t->next;

	log_debug("link %s: %s in %s", l->name, link_event_names[ev], link_state_names[l->state]);
	if (l->stop.phase != LSTOP_NONE && (ev == LEV_START || ev == LEV_RECONNECT)) {
		log_info("link %s: %s ignored: the link is ending (%s)", l->name,
		    link_event_names[ev], l->stop.why);
		return;
	}
	if (t->fn != NULL) {
		int r = t->fn(l);
		if (next == LINK_NEXT_BY_ACTION)
			next = r;
	}
	if (next >= 0)
		link_enter(l, (enum link_state)next, ev);
}

/* A new link in idle, with its timers and its relay (data path). */
void
link_init(struct link *l, const struct link_env *env, int index,
    const struct conf_link *conf)
{
	memset(l, 0, sizeof(*l));
	l->env = *env;
	l->news = env->news;
	l->fire = link_event;
	l->index = index;
	l->conf = conf;
	snprintf(l->name, sizeof(l->name), "%s", conf->name);
	l->state = LINK_IDLE;
	l->since = time(NULL);
	l->since_ms = util_now_ms();
	l->after_close = LINK_BACKOFF;
	link_idle_init(l);
	opslot_init(&l->ops, l);
	l->ev_timer = evtimer_new(env->base, link_on_timer, l);
	l->ev_stable = evtimer_new(env->base, link_on_stable, l);
	link_keepalive_init(l, env->base);
	link_stop_init(l, env->base);
	backoff_init(&l->backoff, conf->reconnect.min, conf->reconnect.max, env->rng);
	l->relay = link_relay_new(l);
}

/* Free the timers and the relay; the struct itself is the caller's. */
void
link_free(struct link *l)
{
	if (l->ev_timer == NULL)
		return;
	relay_free(l->relay);
	l->relay = NULL;
	event_free(l->ev_timer);
	event_free(l->ev_stable);
	l->ev_timer = l->ev_stable = NULL;
	link_keepalive_free(l);
	link_stop_free(l);
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
		link_dead_quiet(l, CAUSE_OPERATOR, l->stop.phase != LSTOP_NONE ? l->stop.why :
		    "disconnect requested");
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

/* The connecting state's next sub-step (link_steps.c). */
static int
act_connect_step(struct link *l)
{
	link_steps_connect(l);
	return LINK_STAY;
}

/* The closing state's next sub-step (link_steps.c). */
static int
act_close_step(struct link *l)
{
	link_steps_close(l);
	return LINK_STAY;
}

/* ---- reload ---- */

/* Reload: a moved socket is closed on the modem, a changed server or
 * socket takes effect through a reconnect. */
void
link_reconfigure(struct link *l, const struct link_env *env, const struct conf_link *conf)
{
	int moved = conf->socket != l->conf->socket;
	int changed = moved || conf->port != l->conf->port || strcmp(conf->host, l->conf->host) != 0;
	int active = l->state != LINK_IDLE && l->state != LINK_WAITING && l->state != LINK_BACKOFF;

	if (moved && active)
		link_close_orphan(l, l->conf->socket);
	l->env = *env;
	l->news = env->news;
	l->conf = conf;
	link_idle_init(l);
	link_relay_reconfigure(l);
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

/* The link left the configuration: close its socket, free it once the
 * last reply for it has come. */
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
