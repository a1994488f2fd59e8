/* The relay's machines (relay_fsm.h): one table each, every (state, event)
 * pair with a row. The actions are the relay's functions that step the
 * machine (named in each table's comment); RELAY_STAY rows are events the
 * state ignores, RELAY_UNREACHABLE rows cannot happen (the callers check
 * first) and are only logged. */
#include "config.h"

#include <stddef.h>

#include "log.h"
#include "relay/relay_fsm.h"

#define T(n)	{ 1, (n) }
#define STAY	{ 1, RELAY_STAY }
#define NEVER	{ 1, RELAY_UNREACHABLE }

static const char *const conn_states[RC_STATE_COUNT] = {
	[RC_IDLE] = "idle", [RC_UP] = "up", [RC_ISSUING] = "issuing",
	[RC_DRAINING] = "draining", [RC_FREED] = "freed",
};
static const char *const conn_events[RCE_COUNT] = {
	[RCE_UP] = "up", [RCE_DOWN] = "down", [RCE_ISSUE] = "issue",
	[RCE_ISSUED] = "issued", [RCE_SETTLED] = "settled", [RCE_FREE] = "free",
};

/* relay.c: relay_link_up (up: start counters, send), relay_link_down
 * (down, issue, issued: the last read and #SI), relay_down_check (settled:
 * close the account, report the loss), relay_free (free: zombie or gone). */
static const struct relay_transition conn_table[RC_STATE_COUNT][RCE_COUNT] = {
	/*		 up		down		issue		issued		settled		free */
	[RC_IDLE] =	{ T(RC_UP),	STAY,		STAY,		STAY,		NEVER,		T(RC_FREED) },
	[RC_UP] =	{ STAY,		T(RC_DRAINING),	NEVER,		NEVER,		NEVER,		T(RC_FREED) },
	[RC_ISSUING] =	{ NEVER,	NEVER,		NEVER,		T(RC_DRAINING),	NEVER,		NEVER },
	[RC_DRAINING] =	{ NEVER,	STAY,		T(RC_ISSUING),	NEVER,		T(RC_IDLE),	T(RC_FREED) },
	[RC_FREED] =	{ NEVER,	NEVER,		NEVER,		NEVER,		NEVER,		NEVER },
};

static const char *const client_states[CL_STATE_COUNT] = {
	[CL_NONE] = "none", [CL_OPEN] = "open", [CL_PAUSED] = "paused",
	[CL_EOF] = "eof", [CL_CLOSING] = "closing",
};
static const char *const client_events[CLE_COUNT] = {
	[CLE_ACCEPT] = "accept", [CLE_FULL] = "full", [CLE_ROOM] = "room",
	[CLE_EOF] = "eof", [CLE_CLOSE] = "close", [CLE_GONE] = "gone",
};

/* relay_client.c: relay_client_attach (accept), relay_pull (full: stop
 * reading), relay_client_resume (room), relay_client_done and
 * relay_link_down (eof), relay_client_close (close: flush with a deadline),
 * relay_client_free (gone). */
static const struct relay_transition client_table[CL_STATE_COUNT][CLE_COUNT] = {
	/*		 accept		full		room		eof		close		gone */
	[CL_NONE] =	{ T(CL_OPEN),	NEVER,		NEVER,		NEVER,		NEVER,		STAY },
	[CL_OPEN] =	{ NEVER,	T(CL_PAUSED),	STAY,		T(CL_EOF),	T(CL_CLOSING),	T(CL_NONE) },
	[CL_PAUSED] =	{ NEVER,	STAY,		T(CL_OPEN),	T(CL_EOF),	T(CL_CLOSING),	T(CL_NONE) },
	[CL_EOF] =	{ NEVER,	STAY,		STAY,		STAY,		T(CL_CLOSING),	T(CL_NONE) },
	[CL_CLOSING] =	{ NEVER,	STAY,		STAY,		STAY,		STAY,		T(CL_NONE) },
};

static const char *const session_states[SS_STATE_COUNT] = {
	[SS_OPEN] = "open", [SS_ENDING] = "ending",
};
static const char *const session_events[SSE_COUNT] = {
	[SSE_CLIENT_DONE] = "client-done", [SSE_FLUSHED] = "flushed", [SSE_RESET] = "reset",
};

/* relay_client.c: relay_client_done (client-done), relay_session_check
 * (flushed: ask the link to reconnect, or close the client); relay_link_down
 * and relay_free (reset). */
static const struct relay_transition session_table[SS_STATE_COUNT][SSE_COUNT] = {
	/*		 client-done	flushed		reset */
	[SS_OPEN] =	{ T(SS_ENDING),	STAY,		STAY },
	[SS_ENDING] =	{ STAY,		T(SS_OPEN),	T(SS_OPEN) },
};

static const char *const op_states[OPS_STATE_COUNT] = {
	[OPS_IDLE] = "idle", [OPS_BUSY] = "busy", [OPS_BUSY_MORE] = "busy+more",
};
static const char *const op_events[OPE_COUNT] = {
	[OPE_ISSUE] = "issue", [OPE_MORE] = "more", [OPE_ANSWER] = "answer",
	[OPE_REFUSED] = "refused", [OPE_GONE] = "gone",
};

const char *const relay_op_names[OP_COUNT] = {
	[OP_SEND] = "send", [OP_RECV] = "recv", [OP_INFO] = "info",
	[OP_FINAL] = "final-info", [OP_STATUS] = "status",
};

/* relay_op_issue (issue, refused), relay_data (more: a read in flight will
 * be followed by another), the reply callbacks (answer), relay_engine_gone
 * (gone). */
static const struct relay_transition op_table[OPS_STATE_COUNT][OPE_COUNT] = {
	/*		 issue		more		answer		refused		gone */
	[OPS_IDLE] =	{ T(OPS_BUSY),	STAY,		NEVER,		NEVER,		STAY },
	[OPS_BUSY] =	{ NEVER,	T(OPS_BUSY_MORE), T(OPS_IDLE),	T(OPS_IDLE),	T(OPS_IDLE) },
	[OPS_BUSY_MORE] = { NEVER,	STAY,		T(OPS_IDLE),	T(OPS_IDLE),	T(OPS_IDLE) },
};

static const char *const demand_states[RD_STATE_COUNT] = {
	[RD_NONE] = "none", [RD_WANT] = "want",
};
static const char *const demand_events[RDE_COUNT] = {
	[RDE_DATA] = "data", [RDE_MORE] = "more", [RDE_DONE] = "done", [RDE_RESET] = "reset",
};

/* relay_rx.c: relay_rx_data (data), relay_on_recv (more, done); link up,
 * link down and engine gone (reset). */
static const struct relay_transition demand_table[RD_STATE_COUNT][RDE_COUNT] = {
	/*		 data		more		done		reset */
	[RD_NONE] =	{ T(RD_WANT),	T(RD_WANT),	STAY,		STAY },
	[RD_WANT] =	{ STAY,		STAY,		T(RD_NONE),	T(RD_NONE) },
};

#define MACHINE(nm, st, ev, tab) { nm, (int)(sizeof(st) / sizeof(st[0])), \
	(int)(sizeof(ev) / sizeof(ev[0])), st, ev, &tab[0][0] }

const struct relay_machine relay_conn_fsm =
    MACHINE("conn", conn_states, conn_events, conn_table);
const struct relay_machine relay_client_fsm =
    MACHINE("client", client_states, client_events, client_table);
const struct relay_machine relay_session_fsm =
    MACHINE("session", session_states, session_events, session_table);
const struct relay_machine relay_op_fsm =
    MACHINE("op ", op_states, op_events, op_table);
const struct relay_machine relay_demand_fsm =
    MACHINE("demand", demand_states, demand_events, demand_table);

int
relay_fsm_step(const struct relay_machine *m, int *state, int event, const char *link,
    const char *what)
{
	const struct relay_transition *t = &m->table[*state * m->n_events + event];

	if (t->next == RELAY_STAY)
		return *state;
	if (!t->defined || t->next == RELAY_UNREACHABLE) {
		log_debug("link %s: relay %s%s: unexpected %s in %s", link, m->name, what,
		    m->events[event], m->states[*state]);
		return *state;
	}
	log_debug("link %s: relay %s%s: %s -> %s (%s)", link, m->name, what,
	    m->states[*state], m->states[t->next], m->events[event]);
	*state = t->next;
	return *state;
}

static int
relay_fsm_machine_complete(const struct relay_machine *m)
{
	for (int s = 0; s < m->n_states; s++) {
		if (m->states[s] == NULL)
			return 0;
		for (int e = 0; e < m->n_events; e++) {
			const struct relay_transition *t = &m->table[s * m->n_events + e];
			if (!t->defined || m->events[e] == NULL)
				return 0;
			if (t->next < RELAY_UNREACHABLE || t->next >= m->n_states)
				return 0;
		}
	}
	return 1;
}

int
relay_fsm_complete(void)
{
	return relay_fsm_machine_complete(&relay_conn_fsm) &&
	    relay_fsm_machine_complete(&relay_client_fsm) &&
	    relay_fsm_machine_complete(&relay_session_fsm) &&
	    relay_fsm_machine_complete(&relay_op_fsm) &&
	    relay_fsm_machine_complete(&relay_demand_fsm);
}
