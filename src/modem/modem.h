/* The modem supervisor: opens the port, brings the module up (resync, init,
 * identity, SIM, registration, PDP context), follows it afterwards, and runs
 * the escalation ladder (PDP cycle, radio cycle, module reboot, external
 * hook) when connects keep failing or the module stops answering.
 * States and transitions are listed in modem.c; one modem_enter() logs
 * "old -> new (why)", arms the state's timer and tells the links. */
#ifndef CELLSOCK_MODEM_H
#define CELLSOCK_MODEM_H

#include <stdint.h>
#include <time.h>

#include "at/atq.h"
#include "backoff.h"
#include "notify.h"
#include "dialect/dialect.h"
#include "dialect/opslot.h"
#include "proto.h"

struct daemon;
struct event;
struct at;

enum modem_state {
	MODEM_CLOSED,		/* port not open; a retry is scheduled */
	MODEM_SYNCING,		/* port open, engine resynchronising */
	MODEM_INIT,		/* init commands, identification */
	MODEM_SIM,		/* SIM state, PIN */
	MODEM_REGISTERING,	/* waiting for home or roaming registration */
	MODEM_ATTACHING,	/* PDP context define and activate */
	MODEM_READY,		/* sockets may be used */
	MODEM_RECOVERING,	/* an escalation step runs */
	MODEM_FAILED,		/* a fatal configuration problem (SIM PIN): stays */
	MODEM_STATE_COUNT
};

extern const char *const modem_state_names[MODEM_STATE_COUNT];

struct modem {
	struct daemon *d;
	const struct notify *news;	/* modem-state and escalation events */
	const struct dialect_ops *ops;
	struct at *at;
	enum modem_state state;
	struct event *ev_timer;		/* the state's deadline or retry */
	struct event *ev_hook;		/* hook process poll */
	struct event *ev_escalate;	/* escalation decided from the loop */
	uint64_t hook_deadline_ms;
	struct backoff reopen;		/* port reopen retries */
	struct backoff_rng *rng;
	struct opslots ops_slots;	/* replies from an older state are dropped */
	struct dialect_listener listener;	/* URC events for this modem */
	unsigned unanswered;		/* not-answering reports since the last READY */

	struct modem_ident ident;
	enum sim_state sim;
	int pin_tried;			/* the PIN is entered at most once */
	int reg_stat;			/* 3GPP stat, -1 unknown */
	int dbm, rssi;
	char oper[DIALECT_TEXT_MAX];
	char ip[48];
	char last_error[512];
	double quiet_time;		/* after every close: config or firmware quirk */
	int gap_ms;			/* after each final result; kept across engines */
	uint64_t quiet_until_ms;	/* no socket/PDP command before this */

	/* escalation, counted over consecutive failed or jammed connects */
	unsigned failures;
	int step_done[STEP_COUNT];	/* ran during this failure streak */
	time_t step_last[STEP_COUNT];	/* for the cool-down */
	int step_running;		/* enum escalation_step, -1 none */
	unsigned long steps_total[STEP_COUNT];
	int hook_pid;

	unsigned long opens, losses, timeouts_reported;
	struct at_stats at_retired;	/* counters of engines already freed */
};

struct modem *modem_new(struct daemon *d);
void modem_free(struct modem *m);
/* Open the port and start the bring-up. */
void modem_start(struct modem *m);
/* Milliseconds until socket and PDP commands may be sent again (0: now). */
uint64_t modem_quiet_left_ms(const struct modem *m);
/* A socket was verified closed: no socket/PDP command for quiet_time. */
void modem_quiet_begin(struct modem *m);
/* A connect failed or was jammed: count it and maybe escalate. */
void modem_link_failed(struct modem *m, int jammed);
/* A link stayed up for its stable period: the failure streak is over. */
void modem_link_stable(struct modem *m);
/* Operator: run one step now (reset pdp|radio|modem). */
int modem_reset(struct modem *m, enum escalation_step step);
/* The PDP context may be gone (a socket closed with cause PDP): check it. */
void modem_check_pdp(struct modem *m);
/* The largest payload of one send: the module's own limit when it
 * announced one (at most the dialect's max_send_cap), else the dialect's
 * default. */
/* command_gap = "auto": the gap until a command goes unanswered. */
#define MODEM_GAP_AUTO_MS	5
static inline size_t
modem_max_send(const struct modem *m)
{
	if (m->ident.max_send == 0)
		return m->ops->max_send;
	return m->ident.max_send > m->ops->max_send_cap ? m->ops->max_send_cap :
	    m->ident.max_send;
}
/* The AT engine of the open port (NULL while closed) and the dialect that
 * speaks to it: what the modules above use to issue socket commands. */
static inline struct at *
modem_at(const struct modem *m)
{
	return m->at;
}

static inline const struct dialect_ops *
modem_dialect(const struct modem *m)
{
	return m->ops;
}

/* Changes whenever the engine is replaced (the port was reopened): a
 * request made under an older number will never be answered. */
static inline unsigned long
modem_engine_id(const struct modem *m)
{
	return m->opens;
}

/* Names for status output. */
const char *modem_sim_name(const struct modem *m);
const char *modem_reg_name(int stat);
/* Registration lost or regained (URC). */
void modem_registration(struct modem *m, int stat);

#endif
