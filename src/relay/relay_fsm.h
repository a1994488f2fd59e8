/* The relay's state, written down: five small machines, each an enum with a
 * complete transition table (relay_fsm.c), stepped by relay_fsm_step(),
 * which logs "old -> new (event)" at debug level.
 *
 *   conn     the server connection as the link reports it
 *   client   the local client
 *   session  transparent mode: the client is done, end the connection
 *   op       each request slot (send, read, #SI, final #SI, #SS)
 *   demand   whether the module has, or may have, data to read */
#ifndef CELLSOCK_RELAY_FSM_H
#define CELLSOCK_RELAY_FSM_H

enum relay_conn_state {
	RC_IDLE,		/* no connection; its account is closed */
	RC_UP,			/* bytes move */
	RC_ISSUING,		/* died: queueing the last read and #SI */
	RC_DRAINING,		/* died: waiting for the answers in flight */
	RC_FREED,		/* freed with requests in flight (zombie) */
	RC_STATE_COUNT
};

enum relay_conn_event {
	RCE_UP,			/* relay_link_up() */
	RCE_DOWN,		/* relay_link_down() */
	RCE_ISSUE,		/* queueing the last read and #SI begins */
	RCE_ISSUED,		/* the last requests are queued */
	RCE_SETTLED,		/* nothing of the dead connection in flight */
	RCE_FREE,		/* relay_free() */
	RCE_COUNT
};

enum relay_client_state {
	CL_NONE,		/* no local client */
	CL_OPEN,		/* reading from it */
	CL_PAUSED,		/* reading stopped: the queue is full */
	CL_EOF,			/* it will write no more (transparent) */
	CL_CLOSING,		/* deliver what is queued, then close */
	CL_STATE_COUNT
};

enum relay_client_event {
	CLE_ACCEPT,		/* a client connected */
	CLE_FULL,		/* the queue toward the server is full */
	CLE_ROOM,		/* it has room again */
	CLE_EOF,		/* EOF, or its connection died (transparent) */
	CLE_CLOSE,		/* the session is over: flush, then close */
	CLE_GONE,		/* closed */
	CLE_COUNT
};

enum relay_session_state {
	SS_OPEN,
	SS_ENDING,		/* the client is done: close the connection once
				 * its bytes are sent */
	SS_STATE_COUNT
};

enum relay_session_event {
	SSE_CLIENT_DONE,	/* transparent client sent EOF or failed */
	SSE_FLUSHED,		/* its bytes are sent */
	SSE_RESET,		/* the connection died, or the relay is freed */
	SSE_COUNT
};

enum relay_op {
	OP_SEND,		/* #SSENDEXT */
	OP_RECV,		/* #SRECV */
	OP_INFO,		/* #SI poll */
	OP_FINAL,		/* #SI after the connection died */
	OP_STATUS,		/* #SS after a failed send */
	OP_COUNT
};

enum relay_op_state {
	OPS_IDLE,
	OPS_BUSY,		/* in flight */
	OPS_BUSY_MORE,		/* a read in flight, and more was announced */
	OPS_STATE_COUNT
};

enum relay_op_event {
	OPE_ISSUE,		/* queued on the AT engine */
	OPE_MORE,		/* the module announced data */
	OPE_ANSWER,		/* the reply came */
	OPE_REFUSED,		/* the engine refused it at once */
	OPE_GONE,		/* the engine was freed */
	OPE_COUNT
};

enum relay_demand_state {
	RD_NONE,		/* nothing known to read */
	RD_WANT,		/* the module has, or may have, data */
	RD_STATE_COUNT
};

enum relay_demand_event {
	RDE_DATA,		/* announced, or a lost SRING found */
	RDE_MORE,		/* a read ended, more may be there */
	RDE_DONE,		/* a read ended, nothing more */
	RDE_RESET,		/* connection up or down, engine gone */
	RDE_COUNT
};

/* next of a row: a state, or one of these */
#define RELAY_STAY		-1	/* ignored: no change */
#define RELAY_UNREACHABLE	-2	/* cannot happen: logged, no change */

struct relay_transition {
	signed char defined;
	signed char next;
};

struct relay_machine {
	const char *name;
	int n_states, n_events;
	const char *const *states;
	const char *const *events;
	const struct relay_transition *table;	/* [state * n_events + event] */
};

extern const struct relay_machine relay_conn_fsm, relay_client_fsm, relay_session_fsm,
    relay_op_fsm, relay_demand_fsm;
extern const char *const relay_op_names[OP_COUNT];

/* Step machine m of link `link` from *state on event; returns the new state. */
int relay_fsm_step(const struct relay_machine *m, int *state, int event, const char *link,
    const char *what);
/* Every (state, event) of every machine has a row. */
int relay_fsm_complete(void);

#endif
