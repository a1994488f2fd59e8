/* The escalation ladder: thresholds, failure streaks, cool-downs and the
 * external hook process. The owner runs the AT side of each step. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "log.h"
#include "modem/escalate.h"
#include "util.h"

#define ESCALATE_HOOK_EXTRA_FAILURES 2	/* hook after reboot_after + this */
/* Bring-ups that failed in a row (the module does not answer, or its port
 * does not come back) escalate to the external hook: AT commands cannot
 * reach a module in that state, a power cycle can. */
#define ESCALATE_DEAD_BRINGUPS 3

static unsigned
escalate_threshold(const struct escalate *e, enum escalation_step step)
{
	const struct conf_recovery *r = &e->conf->recovery;

	switch (step) {
	case STEP_PDP_CYCLE: return (unsigned)r->pdp_cycle_after;
	case STEP_RADIO_CYCLE: return (unsigned)r->radio_cycle_after;
	case STEP_MODEM_REBOOT: return (unsigned)r->modem_reboot_after;
	case STEP_HOOK:
		if (r->hook == NULL || *r->hook == '\0')
			return 0;
		return (unsigned)r->modem_reboot_after + ESCALATE_HOOK_EXTRA_FAILURES;
	case STEP_COUNT: break;
	}
	return 0;
}

/* The step to run now, or -1. The highest step whose threshold is reached
 * runs if it has not run in this failure streak and its cool-down (which
 * spans streaks) is over; a step already run in this streak is not repeated,
 * except the top of the ladder, once per cool-down. */
static int
escalate_pick(const struct escalate *e)
{
	time_t now = time(NULL);
	double cooldown = e->conf->recovery.cooldown;
	int top = -1;

	for (int s = 0; s < STEP_COUNT; s++)
		if (escalate_threshold(e, (enum escalation_step)s) > 0)
			top = s;
	for (int s = STEP_COUNT - 1; s >= 0; s--) {
		unsigned t = escalate_threshold(e, (enum escalation_step)s);
		int cooled = e->step_last[s] == 0 || difftime(now, e->step_last[s]) >= cooldown;
		if (t == 0 || e->failures < t)
			continue;
		if (e->step_done[s] && s != top)
			return -1;
		return cooled ? s : -1;
	}
	return -1;
}

/* The hook ended (or was killed): the module is reopened from scratch. */
static void
escalate_hook_done(struct escalate *e, int status)
{
	char why[96];

	evtimer_del(e->ev_hook);
	snprintf(why, sizeof(why), "recovery hook finished (%s %d)",
	    WIFEXITED(status) ? "exit" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	e->ev->hook_done(e->arg, why);
}

static void
escalate_on_hook_poll(evutil_socket_t fd, short what, void *arg)
{
	struct escalate *e = arg;
	struct timeval poll = { 0, 100000 };
	int status, killed, terminating = e->hook.terminating;

	if (!hook_running(&e->hook))
		return;
	if (hook_poll(&e->hook, &status, &killed)) {
		escalate_hook_done(e, status);
		return;
	}
	if (killed && !terminating)
		log_warnx("modem: recovery hook still running after %.0f s; killing it",
		    e->conf->recovery.hook_timeout);
	evtimer_add(e->ev_hook, &poll);
}

/* Run the configured executable without a shell: HOOK DEVICE, in its own
 * process group, with a minimal environment (see hook_spawn()). */
static void
escalate_hook_start(struct escalate *e, const char *why)
{
	const struct conf_recovery *r = &e->conf->recovery;
	struct hook_info info = { e->conf->modem.device, escalation_step_names[STEP_HOOK],
	    e->failures, why };
	struct timeval poll = { 0, 100000 };
	int err;

	if ((err = hook_spawn(&e->hook, r->hook, &info, r->hook_timeout)) != 0) {
		errno = err;
		log_warn("modem: cannot run recovery hook %s", r->hook);
		e->ev->hook_done(e->arg, "recovery hook could not run");
		return;
	}
	log_info("modem: recovery hook %s started (pid %ld)", r->hook, (long)e->hook.pid);
	evtimer_add(e->ev_hook, &poll);
}

/* Run one escalation step: links wait in recovering until the modem is back. */
void
escalate_run(struct escalate *e, enum escalation_step step, const char *why)
{
	e->step_done[step] = 1;
	e->step_last[step] = time(NULL);
	e->steps_total[step]++;
	log_fields(LOG_LEVEL_WARNING, (const struct log_field[]){
		{ "ESCALATION_STEP", escalation_step_names[step] },
		{ "CELLSOCK_EVENT", proto_event_names[EV_ESCALATION] },
		{ NULL, NULL } },
	    "modem: escalation: %s (%s)", escalation_step_names[step], why);
	notify_event(e->news, EV_ESCALATION, "step=%s failures=%u", escalation_step_names[step],
	    e->failures);
	e->ev->run(e->arg, step);
	if (step == STEP_HOOK)
		escalate_hook_start(e, why);
}

/* Decide on a step from the loop, not from inside a link's transition. */
static void
escalate_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct escalate *e = arg;
	char why[64];
	int step;

	if (!e->ev->may_run(e->arg))
		return;
	if ((step = escalate_pick(e)) < 0)
		return;
	snprintf(why, sizeof(why), "%u consecutive failures", e->failures);
	escalate_run(e, (enum escalation_step)step, why);
}

int
escalate_try_hook(struct escalate *e)
{
	if (++e->unanswered < ESCALATE_DEAD_BRINGUPS || escalate_threshold(e, STEP_HOOK) == 0)
		return 0;
	if (e->step_last[STEP_HOOK] != 0 &&
	    difftime(time(NULL), e->step_last[STEP_HOOK]) < e->conf->recovery.cooldown)
		return 0;
	e->unanswered = 0;
	escalate_run(e, STEP_HOOK, "the module stays unreachable");
	return 1;
}

void
escalate_failed(struct escalate *e, int jammed)
{
	struct timeval now = { 0, 0 };

	e->failures++;
	log_info("modem: %u consecutive failed%s connects", e->failures, jammed ? " or jammed" : "");
	evtimer_add(e->ev_escalate, &now);
}

void
escalate_stable(struct escalate *e)
{
	if (e->failures > 0)
		log_info("modem: a link is stable again; failure count %u cleared", e->failures);
	e->failures = 0;
	memset(e->step_done, 0, sizeof(e->step_done));
}

void
escalate_not_answering(struct escalate *e)
{
	e->unanswered++;
}

void
escalate_answering(struct escalate *e)
{
	e->unanswered = 0;
}

int
escalate_hook_running(const struct escalate *e)
{
	return hook_running(&e->hook);
}

void
escalate_set_conf(struct escalate *e, const struct conf *conf)
{
	e->conf = conf;
}

void
escalate_init(struct escalate *e, struct event_base *base, const struct conf *conf,
    const struct notify *news, const struct escalate_events *ev, void *arg)
{
	memset(e, 0, sizeof(*e));
	e->ev = ev;
	e->arg = arg;
	e->conf = conf;
	e->news = news;
	e->ev_hook = evtimer_new(base, escalate_on_hook_poll, e);
	e->ev_escalate = evtimer_new(base, escalate_on_timer, e);
}

void
escalate_cleanup(struct escalate *e)
{
	hook_stop(&e->hook);
	event_free(e->ev_hook);
	event_free(e->ev_escalate);
}
