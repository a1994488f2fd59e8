/* The modem's bring-up as a table: each step runs in one state, sends at
 * most one request, and names the step that follows on success and on
 * error. A next step in another state is that state's first step: the
 * runner (modem.c) enters the state, which runs it. Pseudo-steps after
 * MSTEP_COUNT are actions of the runner. */
#ifndef CELLSOCK_MODEM_STEPS_H
#define CELLSOCK_MODEM_STEPS_H

#include "dialect/dialect.h"
#include "dialect/opslot.h"
#include "modem/modem.h"
#include "proto.h"

enum modem_step {
	MSTEP_CLOSED,		/* closed: the reopen timer runs */
	MSTEP_RESYNC,		/* the engine resynchronises; it reports ready */
	MSTEP_DETECT,		/* the dialect: configured, or asked with +CGMI */
	MSTEP_DETECT_GMI,	/* +CGMI failed: asked with +GMI */
	MSTEP_BOOT_WAIT,	/* after a boot: the ready URC, or its deadline */
	MSTEP_INIT,		/* the init commands */
	MSTEP_IDENTIFY,
	MSTEP_SIM_STATUS,
	MSTEP_SIM_READY,	/* decision: the SIM is ready */
	MSTEP_SIM_PIN,		/* decision: a PIN we may enter */
	MSTEP_SIM_UNLOCK,
	MSTEP_REG_ENABLE,
	MSTEP_REG_QUERY,
	MSTEP_SIGNAL,		/* sent without waiting for the reply */
	MSTEP_REG_CHECK,	/* decision: registered */
	MSTEP_REG_TIMEOUT,	/* the registration deadline passed */
	MSTEP_OPERATOR,		/* registered: signal and operator read again */
	MSTEP_PDP_DEFINE,
	MSTEP_SOCK_BIND,	/* the links' sockets tied to the context;
				 * after the quiet time */
	MSTEP_PDP_QUERY,
	MSTEP_PDP_ACTIVATE,	/* after the quiet time */
	MSTEP_READY,		/* ready: sockets may be used */
	MSTEP_PDP_CHECK,	/* ready: is the context still active */
	MSTEP_FAILED,		/* failed: stays */
	MSTEP_RECOVER,		/* recovering: the escalation step follows */
	MSTEP_PDP_OFF,		/* PDP cycle */
	MSTEP_RADIO_OFF,	/* radio cycle */
	MSTEP_RADIO_ON,
	MSTEP_REBOOT,		/* module reboot: the port goes and comes back */
	MSTEP_COUNT,
	/* actions of the runner, used as next steps only */
	MSTEP_STAY = MSTEP_COUNT,	/* the state's timer or a URC moves on */
	MSTEP_RETRY,		/* the state's timer, after MODEM_RETRY_DELAY */
	MSTEP_OPEN,		/* open the port */
	MSTEP_LOST,		/* drop the engine and reopen */
	MSTEP_ACTION_END
};

/* What a step's operation did. */
enum modem_sent {
	MODEM_SENT,		/* a request went out; its reply ends the step */
	MODEM_DEFERRED,		/* not yet: the state's timer runs the step again */
	MODEM_ASYNC,		/* sent; go on to next_ok without the reply */
};

struct modem_step_row {
	enum modem_state state;		/* the state the step runs in */
	const char *name;
	/* Send the step's request with done as its reply callback. NULL: a
	 * decision (reply is called at once with NULL) or a wait (both NULL). */
	enum modem_sent (*op)(struct modem *m, opslot_fn *done);
	/* Take the reply: 1 success, 0 error; *why may override the row's. */
	int (*reply)(struct modem *m, const struct dialect_reply *r, const char **why);
	enum modem_step next_ok, next_err;
	const char *why_ok, *why_err;	/* the reason logged when entering a state */
};

struct modem_state_row {
	enum modem_step first;		/* run on entry */
	double (*deadline)(struct modem *m);	/* the entry timer, NULL none */
	enum modem_step on_timer;	/* what the state's timer runs */
	const char *timer_why;		/* for MSTEP_LOST */
};

extern const struct modem_step_row modem_steps[MSTEP_COUNT];
extern const struct modem_state_row modem_states[MODEM_STATE_COUNT];
/* The first step of each escalation step (MSTEP_RECOVER: none, the hook). */
extern const enum modem_step modem_escalation_first[STEP_COUNT];

#endif
