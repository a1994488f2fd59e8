/* The relay's small shared pieces: the modem it may use, its request
 * slots, the steps of its machines, and the data-loss report. */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "modem/modem.h"
#include "relay/relay_int.h"

/* The modem, when socket commands may be sent. */
struct modem *
relay_modem(const struct relay *r)
{
	struct modem *m = r->up.modem(r->up.arg);

	if (m == NULL || m->state != MODEM_READY || modem_at(m) == NULL)
		return NULL;
	return m;
}

int
relay_busy(const struct relay *r)
{
	for (int i = 0; i < OPSLOT_MAX; i++)
		if (r->ops.slot[i].busy)
			return 1;
	return 0;
}

void
relay_op_step(struct relay *r, enum relay_op op, enum relay_op_event ev)
{
	int s = (int)r->op[op];

	relay_fsm_step(&relay_op_fsm, &s, ev, r->name, relay_op_names[op]);
	r->op[op] = (enum relay_op_state)s;
}

int
relay_op_busy(const struct relay *r, enum relay_op op)
{
	return r->op[op] != OPS_IDLE;
}

static opslot_fn *
relay_op_handler(const struct relay *r, enum relay_op op)
{
	switch (op) {
	case OP_SEND:
		return r->h->on_sent;
	case OP_RECV:
		return r->h->on_recv;
	case OP_INFO:
		return r->h->on_info;
	case OP_FINAL:
		return r->h->on_final_info;
	case OP_STATUS:
		return r->h->on_send_status;
	case OP_COUNT:
		break;
	}
	return NULL;
}

/* A slot for one request on modem m, marked in flight; NULL if none is
 * free. */
struct opslot *
relay_op_take(struct relay *r, struct modem *m, enum relay_op op)
{
	struct opslot *slot = opslot_take(&r->ops, relay_op_handler(r, op));

	if (slot == NULL)
		return NULL;
	r->engine = modem_engine_id(m);
	relay_op_step(r, op, OPE_ISSUE);
	return slot;
}

/* After issuing a request: refused at once by the engine (DIALECT_GONE),
 * which opslot_reply() does not pass on, so it is not in flight. An engine
 * that goes away later is noticed by relay_engine_check(). */
void
relay_op_issued(struct relay *r, enum relay_op op, const struct opslot *slot)
{
	if (!slot->busy)
		relay_op_step(r, op, OPE_REFUSED);
}

/* In every reply callback first: a relay freed with requests in flight
 * goes away with the last answer. Returns 1 if r must not be used. */
int
relay_zombie(struct relay *r)
{
	if (r->conn != RC_FREED)
		return 0;
	if (!relay_busy(r)) {
		free(r->name);
		free(r);
	}
	return 1;
}

void
relay_conn_step(struct relay *r, enum relay_conn_event ev)
{
	int s = (int)r->conn;

	relay_fsm_step(&relay_conn_fsm, &s, ev, r->name, "");
	r->conn = (enum relay_conn_state)s;
}

void
relay_client_step(struct relay *r, enum relay_client_event ev)
{
	int s = (int)r->client_st;

	relay_fsm_step(&relay_client_fsm, &s, ev, r->name, "");
	r->client_st = (enum relay_client_state)s;
}

void
relay_session_step(struct relay *r, enum relay_session_event ev)
{
	int s = (int)r->session;

	relay_fsm_step(&relay_session_fsm, &s, ev, r->name, "");
	r->session = (enum relay_session_state)s;
}

void
relay_demand_step(struct relay *r, enum relay_demand_event ev)
{
	int s = (int)r->demand;

	relay_fsm_step(&relay_demand_fsm, &s, ev, r->name, "");
	r->demand = (enum relay_demand_state)s;
}

int
relay_persistent(const struct relay *r)
{
	return r->conf->session == CONF_SESSION_PERSISTENT;
}

/* Copies of sent bytes are kept only when they may be sent again. */
int
relay_keeps_window(const struct relay *r)
{
	return relay_persistent(r) && r->conf->resend_unacked;
}

size_t
relay_client_out(const struct relay *r)
{
	return r->client ? evbuffer_get_length(bufferevent_get_output(r->client)) : 0;
}

/* Room left in the buffer toward the client (a closing client's last
 * bytes belong to the session that ended). */
size_t
relay_rx_space(const struct relay *r)
{
	size_t q = evbuffer_get_length(r->rxq) +
	    (r->client_st == CL_CLOSING ? 0 : relay_client_out(r));
	size_t max = r->conf->rx_buffer;

	return q >= max ? 0 : max - q;
}

/* One line and one event for bytes that did not, or may not, arrive. */
void
relay_report_loss(struct relay *r, const struct relay_loss *loss, const char *cause)
{
	struct relay_loss l = *loss;
	char text[512];

	if (!ledger_loss_reportable(loss))
		return;
	l.why = r->why;
	ledger_loss_text(&l, cause, text, sizeof(text));
	log_fields(LOG_LEVEL_WARNING, (const struct log_field[]){
		{ "LINK", r->name },
		{ "CAUSE", cause },
		{ "CELLSOCK_EVENT", proto_event_names[EV_DATA_LOSS] },
		{ NULL, NULL } },
	    "link %s: %s", r->name, text);
	ledger_loss_event(&l, r->name, cause, text, sizeof(text));
	notify_event(r->news, EV_DATA_LOSS, "%s", text);
}
