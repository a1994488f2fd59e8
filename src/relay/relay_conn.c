/* The connection's account: the dead connection's last answers, then its
 * loss by class (ledger.c) and, in transparent mode, the client's end. */
#include "config.h"

#include "log.h"
#include "modem/modem.h"
#include "relay/relay_int.h"

/* The AT engine was freed: its requests will never be answered. */
void
relay_engine_gone(struct relay *r)
{
	opslot_reset(&r->ops);
	r->sending = 0;
	for (int op = 0; op < OP_COUNT; op++)
		relay_op_step(r, (enum relay_op)op, OPE_GONE);
	relay_demand_step(r, RDE_RESET);
	r->pending = 0;
	relay_down_check(r);
}

/* Notice a freed or replaced engine even if nobody said so. */
void
relay_engine_check(struct relay *r)
{
	struct modem *m = r->up.modem(r->up.arg);

	if (!relay_busy(r))
		return;
	if (m == NULL || modem_at(m) == NULL || modem_engine_id(m) != r->engine)
		relay_engine_gone(r);
}

/* A link that ends for good (relay_stop) keeps nothing: its account
 * closes as a transparent session's does. */
static enum ledger_mode
relay_ledger_mode(const struct relay *r)
{
	if (!relay_persistent(r) || r->why != NULL)
		return LEDGER_TRANSPARENT;
	return relay_keeps_window(r) ? LEDGER_RESEND : LEDGER_PERSISTENT;
}

/* Close the account: report what is at risk, keep what will be sent
 * again. */
static void
relay_account(struct relay *r)
{
	enum ledger_mode mode = relay_ledger_mode(r);
	struct relay_loss loss;

	ledger_conn_down(&r->lg, mode, r->client != NULL, &loss);
	switch (mode) {
	case LEDGER_TRANSPARENT:
		evbuffer_drain(r->txq, evbuffer_get_length(r->txq));
		evbuffer_drain(r->rxq, (size_t)loss.undelivered);
		evbuffer_drain(r->window, evbuffer_get_length(r->window));
		break;
	case LEDGER_RESEND:
		evbuffer_prepend_buffer(r->txq, r->window);
		break;
	case LEDGER_PERSISTENT:
		evbuffer_drain(r->window, evbuffer_get_length(r->window));
		break;
	}
	relay_report_loss(r, &loss, dead_cause_names[r->cause]);
	if (mode == LEDGER_TRANSPARENT)
		relay_client_close(r);
	endpoint_update(r->ep);
}

/* Everything the dead connection had in flight is answered: close its
 * account. */
void
relay_down_done(struct relay *r)
{
	relay_conn_step(r, RCE_SETTLED);
	relay_account(r);
}

/* The link ends for good (relay_free after relay_stop): the local client
 * goes, and whatever was not delivered, whether the connection is still
 * up, its last answers never came, or it is long gone, is reported once,
 * with r->why. */
void
relay_stop_account(struct relay *r)
{
	const struct relay_counters *c = &r->lg.c;

	if (r->why == NULL)
		return;
	if (r->client != NULL) {
		relay_client_step(r, CLE_CLOSE);
		relay_client_free(r);
	}
	if (r->conn != RC_DRAINING)
		r->cause = CAUSE_OPERATOR;	/* ended here, by the stop */
	if (r->conn == RC_UP)
		relay_conn_step(r, RCE_DOWN);
	if (r->conn == RC_DRAINING)
		relay_conn_step(r, RCE_SETTLED);
	relay_account(r);
	log_info("link %s: %s: %llu bytes accepted from the local client, %llu acknowledged "
	    "by the server, %llu reported lost (%llu unsent, %llu unacknowledged)", r->name,
	    r->why, (unsigned long long)c->accepted, (unsigned long long)c->acked,
	    (unsigned long long)(c->lost_unsent + c->lost_unacked),
	    (unsigned long long)c->lost_unsent, (unsigned long long)c->lost_unacked);
}

/* The dead connection's account closes once nothing is in flight. */
void
relay_down_check(struct relay *r)
{
	if (r->conn == RC_DRAINING && !relay_op_busy(r, OP_SEND) &&
	    !relay_op_busy(r, OP_RECV) && !relay_op_busy(r, OP_FINAL) &&
	    !relay_op_busy(r, OP_STATUS))
		relay_down_done(r);
}
