/* The data path of one link (relay.h): its life (new, reconfigure, free),
 * the connection's machine (up, down, the last answers, the account), and
 * the owner's questions. The work is done in relay_client.c (the local
 * client and the session), relay_tx.c (toward the server), relay_rx.c
 * (toward the client), relay_reply.c (the callbacks), ledger.c (the
 * account) and endpoint.c (the listening socket).
 *
 * Replies of the modem are never dropped here, not even after the link went
 * down: a send or read that completes late still moved bytes, and the AT
 * queue answers in order, so everything issued before the last #SI of a
 * dead connection is known when that #SI answers. Only a freed AT engine
 * (its requests are never answered) resets the slots. */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "modem/modem.h"
#include "relay/relay_int.h"
#include "xmalloc.h"

/* Queued before the link's #SH: one last read of what the server sent
 * before it closed, then the counters of the dead socket. */
static void
relay_down_issue(struct relay *r, enum dead_cause cause)
{
	struct modem *m;
	struct opslot *slot;

	relay_conn_step(r, RCE_ISSUE);
	if ((m = relay_modem(r)) != NULL) {
		if (!relay_op_busy(r, OP_RECV) &&
		    (r->demand == RD_WANT || cause == CAUSE_REMOTE_CLOSE))
			relay_recv_issue(r, m);
		if ((slot = relay_op_take(r, m, OP_FINAL)) != NULL) {
			modem_dialect(m)->sock_info(modem_at(m), r->conf->socket, opslot_reply,
			    slot);
			relay_op_issued(r, OP_FINAL, slot);
		}
	}
	relay_conn_step(r, RCE_ISSUED);
}

void
relay_link_down(struct relay *r, enum dead_cause cause)
{
	if (r->conn != RC_UP)
		return;
	relay_conn_step(r, RCE_DOWN);
	r->cause = cause;
	relay_session_step(r, SSE_RESET);
	r->send_failures = 0;
	evtimer_del(r->ev_ack);
	evtimer_del(r->ev_resend);
	relay_engine_check(r);
	endpoint_update(r->ep);
	if (!relay_persistent(r) && r->client != NULL && r->client_st != CL_CLOSING) {
		relay_pull(r, 1);	/* the session ends with what it wrote */
		bufferevent_disable(r->client, EV_READ);
		relay_client_step(r, CLE_EOF);
	}
	relay_down_issue(r, cause);
	relay_demand_step(r, RDE_RESET);
	r->pending = 0;
	relay_down_check(r);
}

void
relay_link_up(struct relay *r)
{
	relay_engine_check(r);
	if (r->conn == RC_DRAINING) {
		/* The last answers of the old connection cannot come. */
		if (relay_busy(r))
			relay_engine_gone(r);
		else
			relay_down_done(r);
	}
	relay_conn_step(r, RCE_UP);
	ledger_conn_start(&r->lg);
	relay_demand_step(r, RDE_RESET);
	r->pending = 0;
	if (r->lg.resend_left > 0)
		log_info("link %s: sending %llu unacknowledged bytes again", r->name,
		    (unsigned long long)r->lg.resend_left);
	relay_kick_send(r);
	relay_session_check(r);
}

void
relay_data(struct relay *r, long pending)
{
	relay_rx_data(r, pending);
}

int
relay_send(struct relay *r, const void *buf, size_t len)
{
	if (r->conn != RC_UP || r->why != NULL ||
	    evbuffer_get_length(r->txq) + len > r->conf->tx_buffer)
		return -1;
	evbuffer_add(r->txq, buf, len);
	ledger_accept(&r->lg, len);
	relay_kick_send(r);
	return 0;
}

struct relay *
relay_new(struct event_base *base, const char *name, const struct conf_link *conf,
    const struct notify *news, const struct relay_listener *listener)
{
	struct relay *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	r->conf = conf;
	r->up = *listener;
	r->news = news;
	r->base = base;
	r->h = &relay_handlers;
	opslot_init(&r->ops, r);
	r->txq = evbuffer_new();
	r->window = evbuffer_new();
	r->rxq = evbuffer_new();
	r->ev_ack = evtimer_new(base, r->h->on_ack_timer, r);
	r->ev_flush = evtimer_new(base, r->h->on_flush_timeout, r);
	r->ev_resend = evtimer_new(base, r->h->on_resend_timer, r);
	if (r->txq == NULL || r->window == NULL || r->rxq == NULL || r->ev_ack == NULL ||
	    r->ev_flush == NULL || r->ev_resend == NULL)
		fatalx("relay: out of memory");
	r->ep_cb = r->h->endpoint;
	r->ep_cb.arg = r;
	r->ep = endpoint_new(base, r->name, &r->ep_cb);
	endpoint_listen(r->ep, conf);
	return r;
}

void
relay_reconfigure(struct relay *r, const struct conf_link *conf)
{
	r->conf = conf;
	endpoint_reconfigure(r->ep, conf);
	if (r->client != NULL && r->client_st != CL_CLOSING)
		bufferevent_setwatermark(r->client, EV_WRITE, conf->rx_buffer / 2, 0);
	relay_client_resume(r);
	relay_kick_send(r);
	relay_kick_recv(r);
}

/* Requests in flight that the engine will still answer: the relay stays
 * (a zombie) until the last one. */
static int
relay_answers_due(const struct relay *r)
{
	struct modem *m = r->up.modem(r->up.arg);

	return relay_busy(r) && !r->up.stopping(r->up.arg) && m != NULL &&
	    modem_at(m) != NULL && modem_engine_id(m) == r->engine;
}

void
relay_stop(struct relay *r, const char *why)
{
	if (r->why != NULL)
		return;
	relay_pull(r, 1);	/* what the client wrote so far is accepted */
	r->why = why;
	endpoint_unlisten(r->ep);
	if (r->client != NULL && r->client_st != CL_CLOSING)
		bufferevent_disable(r->client, EV_READ);
	relay_kick_send(r);
	relay_ack_poll(r);	/* the drain ends on the server's acknowledgements */
}

int
relay_drained(const struct relay *r)
{
	return evbuffer_get_length(r->txq) == 0 && !relay_op_busy(r, OP_SEND) &&
	    ledger_unacked(&r->lg) == 0;
}

void
relay_free(struct relay *r)
{
	if (r == NULL)
		return;
	relay_stop_account(r);
	relay_conn_step(r, RCE_FREE);
	relay_session_step(r, SSE_RESET);
	endpoint_unlisten(r->ep);
	if (r->client != NULL) {
		relay_client_step(r, CLE_CLOSE);	/* nothing is kept for a next client */
		relay_client_free(r);
	}
	endpoint_free(r->ep);
	r->ep = NULL;
	event_free(r->ev_ack);
	event_free(r->ev_flush);
	event_free(r->ev_resend);
	evbuffer_free(r->txq);
	evbuffer_free(r->window);
	evbuffer_free(r->rxq);
	if (relay_answers_due(r))
		return;		/* freed with the last answer (relay_zombie) */
	free(r->name);
	free(r);
}

const struct relay_counters *
relay_counters(const struct relay *r)
{
	return &r->lg.c;
}

const struct relay_ledger *
relay_ledger(const struct relay *r)
{
	return &r->lg;
}

size_t
relay_tx_queued(const struct relay *r)
{
	return evbuffer_get_length(r->txq);
}

size_t
relay_rx_queued(const struct relay *r)
{
	return evbuffer_get_length(r->rxq) + relay_client_out(r);
}

int
relay_has_client(const struct relay *r)
{
	return r->client != NULL;
}

uint64_t
relay_unacked(const struct relay *r)
{
	return ledger_unacked(&r->lg);
}

int
relay_rx_paused(const struct relay *r)
{
	return r->demand == RD_WANT && !relay_op_busy(r, OP_RECV) && relay_rx_space(r) == 0;
}
