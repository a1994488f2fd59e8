/* Toward the server: the bounded queue fed by the client, sent with
 * #SSENDEXT one chunk at a time, the window of sent bytes kept for a
 * resend, and the #SI polls that follow the server's acknowledgements. */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "modem/modem.h"
#include "relay/relay_int.h"
#include "util.h"

#define RELAY_RESEND_MIN_MS	100	/* a refused send is tried again after this, */
#define RELAY_RESEND_MAX_MS	250	/* doubling up to this, */
#define RELAY_RESEND_PROBE	64	/* with a small chunk until one passes */

#define RELAY_STOP_POLL	0.25	/* #SI polls while a stopping link drains */

/* Poll #SI later, while sent bytes wait for their acknowledgement (often
 * while the link drains before its end). */
void
relay_ack_schedule(struct relay *r)
{
	double every = r->up.ack_poll_interval(r->up.arg);
	struct timeval tv = util_tv_from_sec(r->why != NULL && every > RELAY_STOP_POLL ?
	    RELAY_STOP_POLL : every);

	if (r->conn != RC_UP || relay_op_busy(r, OP_INFO) || ledger_unacked(&r->lg) == 0 ||
	    evtimer_pending(r->ev_ack, NULL))
		return;
	evtimer_add(r->ev_ack, &tv);
}

/* One #SI poll now, if the connection is up and none is in flight. */
void
relay_ack_poll(struct relay *r)
{
	struct modem *m = relay_modem(r);
	struct opslot *slot;

	if (r->conn != RC_UP || m == NULL || relay_op_busy(r, OP_INFO))
		return;
	if ((slot = relay_op_take(r, m, OP_INFO)) == NULL)
		return;
	modem_dialect(m)->sock_info(modem_at(m), r->conf->socket, opslot_reply, slot);
	relay_op_issued(r, OP_INFO, slot);
}

/* #SI: the acknowledged bytes leave the retransmit window. */
void
relay_acked(struct relay *r, const struct sock_info *info)
{
	size_t w = evbuffer_get_length(r->window);
	uint64_t unacked;

	if (ledger_acked(&r->lg, info->sent, info->ack_waiting) == 0)
		return;
	r->ack_progress_ms = util_now_ms();
	unacked = ledger_unacked(&r->lg);
	if (w > unacked)
		evbuffer_drain(r->window, (size_t)(w - unacked));
}

/* Sent bytes wait for their acknowledgement without progress for
 * keepalive.ack_timeout: the connection is dead even though the module
 * still reports it open (seed 003: keepalive never fires while data is
 * unacknowledged). The in-modem TCP_USER_TIMEOUT. */
int
relay_ack_stalled(struct relay *r)
{
	double timeout = r->conf->keepalive.ack_timeout;
	uint64_t now = util_now_ms(), since = now - r->ack_progress_ms;
	char why[160];

	if (ledger_unacked(&r->lg) == 0 || since < (uint64_t)(timeout * 1000))
		return 0;
	snprintf(why, sizeof(why), "%llu sent bytes unacknowledged, no progress for %.1f s",
	    (unsigned long long)ledger_unacked(&r->lg), (double)since / 1000.0);
	r->up.dead(r->up.arg, CAUSE_ACK_STALL, why);
	return 1;
}

/* Read more from the client once the queue has room again. */
void
relay_pull(struct relay *r, int unbounded)
{
	struct evbuffer *in;
	size_t n, q, take;

	if (r->client == NULL || r->client_st == CL_CLOSING || r->why != NULL)
		return;		/* a relay that stops takes no more */
	in = bufferevent_get_input(r->client);
	n = evbuffer_get_length(in);
	q = evbuffer_get_length(r->txq);
	take = q >= r->conf->tx_buffer ? 0 : r->conf->tx_buffer - q;
	if (unbounded || take > n)
		take = n;
	if (take > 0) {
		evbuffer_remove_buffer(in, r->txq, take);
		ledger_accept(&r->lg, take);
	}
	if (take < n && r->client_st != CL_PAUSED) {
		bufferevent_disable(r->client, EV_READ);
		relay_client_step(r, CLE_FULL);
	}
}

void
relay_client_resume(struct relay *r)
{
	if (r->client_st != CL_PAUSED || evbuffer_get_length(r->txq) >= r->conf->tx_buffer ||
	    r->why != NULL)
		return;
	relay_client_step(r, CLE_ROOM);
	relay_pull(r, 0);
	if (r->client_st == CL_OPEN)
		bufferevent_enable(r->client, EV_READ);
}

/* Move n bytes from the queue to the ledger's sent side (and the resend
 * window when the session keeps one). */
static void
relay_account_sent(struct relay *r, size_t n)
{
	int window = relay_keeps_window(r);

	if (window)
		evbuffer_remove_buffer(r->txq, r->window, n);
	else
		evbuffer_drain(r->txq, n);
	ledger_sent(&r->lg, n, window);
}

/* The module refused a send but its socket is open: its buffer is full
 * because the server reads slowly. Try again later; a server that stops
 * acknowledging for good is the link's ack watch's to judge. */
void
relay_send_later(struct relay *r)
{
	unsigned shift = r->send_failures < 3 ? r->send_failures : 3;
	int ms = RELAY_RESEND_MIN_MS << shift;
	struct timeval tv;

	if (ms > RELAY_RESEND_MAX_MS)
		ms = RELAY_RESEND_MAX_MS;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	r->send_failures++;
	evtimer_add(r->ev_resend, &tv);
}

static void
relay_send_failed_log(struct relay *r, size_t n, const struct dialect_reply *reply)
{
	snprintf(r->fail_text, sizeof(r->fail_text), "sending %zu bytes failed (%s)", n,
	    reply->status == DIALECT_TIMEOUT ? "no answer" : reply->text);
	if (r->send_failures == 0)
		log_info("link %s: %s; checking the socket", r->name, r->fail_text);
	else
		log_debug("link %s: %s (%u in a row)", r->name, r->fail_text,
		    r->send_failures + 1);
}

/* A send failed: a timeout may have sent it (the connection is suspect);
 * a refusal asks #SS whether the socket is closed or only full. */
void
relay_send_failed(struct relay *r, size_t n, const struct dialect_reply *reply)
{
	struct modem *m = relay_modem(r);
	struct opslot *slot;

	if (reply->status == DIALECT_GONE || r->conn != RC_UP) {
		/* The modem is going away (the link hears of it), or the
		 * connection died meanwhile. A payload written to the module
		 * may have gone out: it counts as sent and unacknowledged, so
		 * the loss account (and a resend) covers it. */
		if (reply->payload_out && n > 0 && n <= evbuffer_get_length(r->txq)) {
			relay_account_sent(r, n);
			ledger_filler(&r->lg, reply->filler);
		}
		return;
	}
	relay_send_failed_log(r, n, reply);
	if (reply->status == DIALECT_TIMEOUT) {
		/* the payload (or filler ending it) may have gone out: the chunk
		 * counts as sent and unacknowledged */
		relay_sent(r, n);
		ledger_filler(&r->lg, reply->filler);
	}
	if (reply->status == DIALECT_TIMEOUT || m == NULL ||
	    (slot = relay_op_take(r, m, OP_STATUS)) == NULL) {
		r->up.dead(r->up.arg, CAUSE_MODEM_ERROR, r->fail_text);
		return;
	}
	modem_dialect(m)->sock_status(modem_at(m), r->conf->socket, opslot_reply, slot);
	relay_op_issued(r, OP_STATUS, slot);
}

/* n bytes at the front of the queue reached the module. */
void
relay_sent(struct relay *r, size_t n)
{
	relay_account_sent(r, n);
	r->send_failures = 0;
	if (ledger_unacked(&r->lg) == n)
		r->ack_progress_ms = util_now_ms();	/* the stall clock starts now */
	if (r->up.sent != NULL)
		r->up.sent(r->up.arg);
	log_debug("link %s: %zu bytes sent, %zu queued", r->name, n,
	    evbuffer_get_length(r->txq));
	relay_ack_schedule(r);
	relay_client_resume(r);
}

/* How much of the queue the next chunk takes; 0: wait. */
static size_t
relay_chunk(struct relay *r, struct modem *m)
{
	size_t n = evbuffer_get_length(r->txq), w;

	if (n == 0)
		return 0;
	if (n > modem_max_send(m))
		n = modem_max_send(m);
	if (r->send_failures > 0 && n > RELAY_RESEND_PROBE)
		n = RELAY_RESEND_PROBE;	/* the module was full: cheap to refuse */
	if (!relay_keeps_window(r))
		return n;
	if ((w = evbuffer_get_length(r->window)) >= r->conf->tx_buffer) {
		relay_ack_schedule(r);	/* the window is full: wait for ACKs */
		return 0;
	}
	if (n > r->conf->tx_buffer - w)
		n = r->conf->tx_buffer - w;
	return n;
}

/* Send the next chunk if the connection is up and nothing is in flight. */
void
relay_kick_send(struct relay *r)
{
	struct modem *m;
	struct opslot *slot;
	size_t n;

	if (r->conn != RC_UP || relay_op_busy(r, OP_SEND) || relay_op_busy(r, OP_STATUS) ||
	    evtimer_pending(r->ev_resend, NULL) || (m = relay_modem(r)) == NULL)
		return;
	if ((n = relay_chunk(r, m)) == 0)
		return;
	if ((slot = relay_op_take(r, m, OP_SEND)) == NULL)
		return;
	r->sending = n;
	modem_dialect(m)->sock_send(modem_at(m), r->conf->socket,
	    evbuffer_pullup(r->txq, (ev_ssize_t)n), n, opslot_reply, slot);
	relay_op_issued(r, OP_SEND, slot);
	if (!relay_op_busy(r, OP_SEND))
		r->sending = 0;
}
