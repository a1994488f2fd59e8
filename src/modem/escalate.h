/* The escalation ladder: counts consecutive failed or jammed connects and
 * picks the step to run (PDP cycle, radio cycle, module reboot, external
 * hook) by the configured thresholds and cool-down; runs the hook process.
 * It knows no modem: the step itself is run by the owner, told through
 * struct escalate_events. */
#ifndef CELLSOCK_ESCALATE_H
#define CELLSOCK_ESCALATE_H

#include <stdint.h>
#include <time.h>

#include "modem/hook.h"
#include "notify.h"
#include "proto.h"

struct conf;
struct event;
struct event_base;

struct escalate_events {
	/* Whether a step may start now (decided from the loop). */
	int (*may_run)(void *arg);
	/* Run this step now (the hook process is started after it returns). */
	void (*run)(void *arg, enum escalation_step step);
	/* The hook ended or could not start: reopen the module from scratch. */
	void (*hook_done)(void *arg, const char *why);
};

struct escalate {
	const struct escalate_events *ev;
	void *arg;
	const struct conf *conf;	/* recovery thresholds, hook, device */
	const struct notify *news;	/* escalation events */
	struct event *ev_hook;		/* hook process poll */
	struct event *ev_escalate;	/* escalation decided from the loop */
	struct hook_proc hook;		/* the hook process, if it runs */
	unsigned unanswered;		/* not-answering reports since the last READY */
	unsigned failures;		/* consecutive failed or jammed connects */
	int step_done[STEP_COUNT];	/* ran during this failure streak */
	time_t step_last[STEP_COUNT];	/* for the cool-down */
	unsigned long steps_total[STEP_COUNT];
};

void escalate_init(struct escalate *e, struct event_base *base, const struct conf *conf,
    const struct notify *news, const struct escalate_events *ev, void *arg);
/* Stop a running hook (bounded: see hook_stop()) and free the timers. */
void escalate_cleanup(struct escalate *e);
/* A reload: thresholds, cool-down and hook from now on. */
void escalate_set_conf(struct escalate *e, const struct conf *conf);
/* A connect failed or was jammed: count it; a step may follow from the loop. */
void escalate_failed(struct escalate *e, int jammed);
/* A link stayed up for its stable period: the failure streak is over. */
void escalate_stable(struct escalate *e);
/* Run one step now, for why. */
void escalate_run(struct escalate *e, enum escalation_step step, const char *why);
/* The module stays unreachable: run the hook when its turn has come.
 * Returns 1 if the hook step was started. */
int escalate_try_hook(struct escalate *e);
/* The module did not answer a command (counts toward the hook). */
void escalate_not_answering(struct escalate *e);
/* The module came up: the not-answering count starts again. */
void escalate_answering(struct escalate *e);
/* Whether the hook process runs. */
int escalate_hook_running(const struct escalate *e);

#endif
