/* The data path of one link (relay.h): a local endpoint with at most one
 * client, a bounded queue toward the server sent with #SSENDEXT one chunk at
 * a time, #SRECV reads into a bounded buffer toward the client, #SI polls
 * that follow the server's acknowledgements, and the account of every byte
 * when a connection dies.
 *
 * Replies of the modem are never dropped here, not even after the link went
 * down: a send or read that completes late still moved bytes, and the AT
 * queue answers in order, so everything issued before the last #SI of a
 * dead connection is known when that #SI answers. Only a freed AT engine
 * (its requests are never answered) resets the slots. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "conf/conf.h"
#include "daemon/daemon.h"
#include "dialect/dialect.h"
#include "link/link.h"
#include "log.h"
#include "modem/modem.h"
#include "dialect/opslot.h"
#include "relay/relay.h"
#include "util.h"
#include "xmalloc.h"

#define RELAY_FLUSH_TIMEOUT	30	/* seconds a closing client has to read */
#define RELAY_RETRY_SEC		5	/* bind again after a failure */
#define RELAY_ACCEPT_PAUSE_SEC	1	/* accept paused after EMFILE */
#define RELAY_RESEND_MIN_MS	100	/* a refused send is tried again after this, */
#define RELAY_RESEND_MAX_MS	250	/* doubling up to this, */
#define RELAY_RESEND_PROBE	64	/* with a small chunk until one passes */
#define RELAY_BACKLOG		4
#define RELAY_REFUSED_FMT	"cellsockd: link %s already has a client\n"

struct relay {
	struct link *l;
	const struct notify *news;	/* data-loss events */
	struct opslots ops;		/* every request: send, read, #SI, #SS */
	unsigned long engine;		/* m->opens when they were made */

	/* the local endpoint */
	char *local;			/* as bound; a reload that changes it rebinds */
	char *unlink_path;		/* our socket file, removed at the end */
	struct evconnlistener *listener;
	struct event *ev_retry;		/* bind again, or accept again */
	struct bufferevent *client;
	struct evbuffer_cb_entry *delivered_cb;
	int client_eof;			/* the client will write no more */
	int client_closing;		/* deliver what is queued, then close */
	int client_paused;		/* reading stopped: the queue is full */
	struct event *ev_flush;		/* deadline of a closing client */
	int ending;			/* transparent: the client is done; close
					 * the server connection once its bytes
					 * are sent */

	/* toward the server */
	struct evbuffer *txq;		/* accepted, not yet sent; resends first */
	size_t resend_left;		/* bytes at the front of txq sent before */
	struct evbuffer *window;	/* copies of sent, unacknowledged bytes */
	size_t sending;			/* bytes of the #SSENDEXT in flight */
	uint64_t conn_sent;		/* sent on this connection */
	uint64_t conn_acked;		/* of those, acknowledged */
	uint64_t ack_progress_ms;	/* last time conn_acked grew, or sending
					 * started from all acknowledged */
	int info_busy;			/* a #SI poll in flight */
	int final_busy;			/* the #SI after the connection died */
	int status_busy;		/* #SS after a failed send */
	unsigned send_failures;		/* refused sends in a row (module full) */
	char fail_text[DIALECT_TEXT_MAX + 64];
	struct event *ev_ack;
	struct event *ev_resend;	/* try a refused send again */

	/* toward the client */
	struct evbuffer *rxq;		/* received, no client to take it */
	int reading;			/* a #SRECV in flight */
	size_t asked;			/* its maxByte */
	int want_read;			/* the module has, or may have, data */
	int announced;			/* more announced while a read was in flight */
	long pending;			/* announced bytes left, -1 unknown */

	int up;
	int down;			/* died; the account is not closed yet */
	int down_issuing;		/* relay_link_down() is queueing requests */
	enum dead_cause cause;
	uint64_t module_unread;		/* buff_in of the final #SI */
	uint64_t conn_received;		/* read on this connection (#SRECV) */
	uint64_t read_lost;		/* read by the module, answer never came */
	uint64_t filler;		/* CR filler the module sent to the server */
	uint64_t fill_hold;		/* the filled chunk: never counted acked */
	int zombie;			/* freed with requests in flight */
	struct relay_counters c;
};

static void relay_kick_send(struct relay *r);
static void relay_sent(struct relay *r, size_t n);
static void relay_kick_recv(struct relay *r);
static void relay_down_check(struct relay *r);
static void relay_session_check(struct relay *r);
static void relay_client_close(struct relay *r);
static void relay_client_free(struct relay *r);
static void relay_listen(struct relay *r);
static void relay_listener_update(struct relay *r);

static const struct conf_link *
relay_conf(const struct relay *r)
{
	return r->l->conf;
}

static int
relay_persistent(const struct relay *r)
{
	return relay_conf(r)->session == CONF_SESSION_PERSISTENT;
}

/* Copies of sent bytes are kept only when they may be sent again. */
static int
relay_keeps_window(const struct relay *r)
{
	return relay_persistent(r) && relay_conf(r)->resend_unacked;
}

/* The modem, when socket commands may be sent. */
static struct modem *
relay_modem(const struct relay *r)
{
	struct modem *m = r->l->env.modem;

	if (m == NULL || m->state != MODEM_READY || m->at == NULL)
		return NULL;
	return m;
}

static int
relay_busy(const struct relay *r)
{
	for (int i = 0; i < OPSLOT_MAX; i++)
		if (r->ops.slot[i].busy)
			return 1;
	return 0;
}

/* A slot for one request on modem m; NULL if none is free. */
static struct opslot *
relay_slot(struct relay *r, struct modem *m, opslot_fn *fn)
{
	struct opslot *slot = opslot_take(&r->ops, fn);

	if (slot != NULL)
		r->engine = m->opens;
	return slot;
}

/* After issuing a request: refused at once by the engine (DIALECT_GONE),
 * which opslot_reply() does not pass on, so the caller clears its flag. An
 * engine that goes away later is noticed by relay_engine_check(). */
static int
relay_refused(const struct opslot *slot)
{
	return !slot->busy;
}

/* In every reply callback first: a relay freed with requests in flight
 * goes away with the last answer. Returns 1 if r must not be used. */
static int
relay_zombie(struct relay *r)
{
	if (!r->zombie)
		return 0;
	if (!relay_busy(r))
		free(r);
	return 1;
}

static size_t
relay_client_out(const struct relay *r)
{
	return r->client ? evbuffer_get_length(bufferevent_get_output(r->client)) : 0;
}

/* Room left in the buffer toward the client (a closing client's last
 * bytes belong to the session that ended). */
static size_t
relay_rx_space(const struct relay *r)
{
	size_t q = evbuffer_get_length(r->rxq) + (r->client_closing ? 0 : relay_client_out(r));
	size_t max = relay_conf(r)->rx_buffer;

	return q >= max ? 0 : max - q;
}

/* One line and one event for bytes that did not, or may not, arrive. */
static void
relay_loss(struct relay *r, uint64_t unsent, uint64_t unacked, uint64_t unread,
    uint64_t undelivered, uint64_t lost, int resend, const char *cause)
{
	unsigned long long total = unsent + unacked + unread + undelivered;

	if (total == 0 && r->filler == 0)
		return;
	log_warnx("link %s: data at risk (%s): %llu unsent, %llu unacknowledged, %llu unread "
	    "in the module, %llu undelivered; %llu lost%s", r->l->name, cause,
	    (unsigned long long)unsent, (unsigned long long)unacked,
	    (unsigned long long)unread, (unsigned long long)undelivered,
	    (unsigned long long)lost, resend ? ", the unacknowledged bytes are sent again" : "");
	notify_event(r->news, EV_DATA_LOSS, "name=%s bytes=%llu lost=%llu unsent=%llu "
	    "unacked=%llu unread=%llu undelivered=%llu filler=%llu resend=%d cause=%s",
	    r->l->name, total, (unsigned long long)lost, (unsigned long long)unsent,
	    (unsigned long long)unacked, (unsigned long long)unread,
	    (unsigned long long)undelivered, (unsigned long long)r->filler, resend, cause);
}

/* ---- toward the server ---- */

/* Poll #SI later, while sent bytes wait for their acknowledgement. */
static void
relay_ack_schedule(struct relay *r)
{
	struct timeval tv = util_tv_from_sec(link_ack_poll_interval(r->l));

	if (!r->up || r->info_busy || r->conn_sent == r->conn_acked ||
	    evtimer_pending(r->ev_ack, NULL))
		return;
	evtimer_add(r->ev_ack, &tv);
}

/* #SI says how much of this connection's bytes wait for their ACK: the rest
 * is acknowledged and leaves the retransmit window. Probes of the link on
 * the same socket only make ack_waiting larger, which keeps more. */
static void
relay_acked(struct relay *r, const struct sock_info *info)
{
	uint64_t waiting, acked, delta, unacked;
	size_t w = evbuffer_get_length(r->window);

	if (info->sent < r->conn_sent)
		return;		/* the counters are not this connection's */
	waiting = info->ack_waiting < r->conn_sent ? info->ack_waiting : r->conn_sent;
	if (waiting < r->fill_hold)
		waiting = r->fill_hold;	/* acknowledged, but partly filler */
	acked = r->conn_sent - waiting;
	if (acked <= r->conn_acked)
		return;
	r->ack_progress_ms = util_now_ms();
	delta = acked - r->conn_acked;
	r->conn_acked = acked;
	r->c.acked += delta;
	unacked = r->conn_sent - r->conn_acked;
	if (w > unacked)
		evbuffer_drain(r->window, (size_t)(w - unacked));
}

/* Sent bytes wait for their acknowledgement without progress for
 * keepalive.ack_timeout: the connection is dead even though the module
 * still reports it open (seed 003: keepalive never fires while data is
 * unacknowledged). The in-modem TCP_USER_TIMEOUT. */
static int
relay_ack_stalled(struct relay *r)
{
	double timeout = relay_conf(r)->keepalive.ack_timeout;
	uint64_t now = util_now_ms(), since = now - r->ack_progress_ms;
	char why[160];

	if (r->conn_sent == r->conn_acked || since < (uint64_t)(timeout * 1000))
		return 0;
	snprintf(why, sizeof(why), "%llu sent bytes unacknowledged, no progress for %.1f s",
	    (unsigned long long)(r->conn_sent - r->conn_acked), (double)since / 1000.0);
	link_dead(r->l, CAUSE_ACK_STALL, why);
	return 1;
}

/* #SI: bytes the module has handed out (received - buff_in) beyond what
 * reached us were taken by a read whose answer was lost: a hole in the
 * stream toward the client. Returns its size (counted in read_lost). */
static uint64_t
relay_read_hole(struct relay *r, const struct sock_info *info)
{
	uint64_t out, hole;

	if (info->received < info->buff_in)
		return 0;
	out = info->received - info->buff_in;
	if (out <= r->conn_received)
		return 0;
	hole = out - r->conn_received;
	r->conn_received = out;
	r->read_lost += hole;
	log_warnx("link %s: the module handed out %llu received bytes whose answer never "
	    "came", r->l->name, (unsigned long long)hole);
	return hole;
}

static void
relay_on_info(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;

	r->info_busy = 0;
	if (relay_zombie(r))
		return;
	if (reply->status == DIALECT_OK) {
		if (relay_read_hole(r, &reply->u.info) > 0) {
			link_dead(r->l, CAUSE_MODEM_ERROR, "a read's answer was lost");
			return;
		}
		relay_acked(r, &reply->u.info);
		if (reply->u.info.buff_in > 0 && !r->reading)
			relay_data(r, (long)reply->u.info.buff_in);	/* an SRING was lost */
		if (relay_ack_stalled(r))
			return;
	}
	relay_ack_schedule(r);
	relay_kick_send(r);
}

static void
relay_on_ack_timer(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct modem *m = relay_modem(r);
	struct opslot *slot;

	if (!r->up || m == NULL || r->info_busy)
		return;
	if ((slot = relay_slot(r, m, relay_on_info)) == NULL)
		return;
	r->info_busy = 1;
	m->ops->sock_info(m->at, relay_conf(r)->socket, opslot_reply, slot);
	if (relay_refused(slot))
		r->info_busy = 0;
}

/* Read more from the client once the queue has room again. */
static void
relay_pull(struct relay *r, int unbounded)
{
	struct evbuffer *in;
	size_t n, q, take;

	if (r->client == NULL || r->client_closing)
		return;
	in = bufferevent_get_input(r->client);
	n = evbuffer_get_length(in);
	q = evbuffer_get_length(r->txq);
	take = q >= relay_conf(r)->tx_buffer ? 0 : relay_conf(r)->tx_buffer - q;
	if (unbounded || take > n)
		take = n;
	if (take > 0) {
		evbuffer_remove_buffer(in, r->txq, take);
		r->c.accepted += take;
	}
	if (take < n && !r->client_paused) {
		bufferevent_disable(r->client, EV_READ);
		r->client_paused = 1;
	}
}

static void
relay_client_resume(struct relay *r)
{
	if (r->client == NULL || !r->client_paused || r->client_closing ||
	    evbuffer_get_length(r->txq) >= relay_conf(r)->tx_buffer)
		return;
	r->client_paused = 0;
	relay_pull(r, 0);
	if (!r->client_paused && !r->client_eof)
		bufferevent_enable(r->client, EV_READ);
}

/* The module refused a send but its socket is open: its buffer is full
 * because the server reads slowly. Try again later; a server that stops
 * acknowledging for good is the link's ack watch's to judge. */
static void
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

/* After a failed send: a closed socket is the link's to explain (the
 * closure cause); an open one is full, and sending waits a little. */
static void
relay_on_send_status(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;

	r->status_busy = 0;
	if (relay_zombie(r))
		return;
	relay_down_check(r);
	if (!r->up)
		return;
	if (reply->status != DIALECT_OK) {
		link_dead(r->l, CAUSE_MODEM_ERROR, r->fail_text);
		return;
	}
	if (reply->u.sock == SOCK_CLOSED) {
		link_remote_closed(r->l, 1, CLOSURE_UNKNOWN);
		return;
	}
	relay_send_later(r);
}

static void
relay_send_failed(struct relay *r, size_t n, const struct dialect_reply *reply)
{
	struct modem *m = relay_modem(r);
	struct opslot *slot;

	if (reply->status == DIALECT_GONE || !r->up)
		return;		/* the modem is going away; the link hears of it */
	snprintf(r->fail_text, sizeof(r->fail_text), "sending %zu bytes failed (%s)", n,
	    reply->status == DIALECT_TIMEOUT ? "no answer" : reply->text);
	if (r->send_failures == 0)
		log_info("link %s: %s; checking the socket", r->l->name, r->fail_text);
	else
		log_debug("link %s: %s (%u in a row)", r->l->name, r->fail_text,
		    r->send_failures + 1);
	if (reply->status == DIALECT_TIMEOUT) {
		/* the payload (or filler ending it) may have gone out: the chunk
		 * counts as sent and unacknowledged */
		relay_sent(r, n);
		r->filler += reply->filler;
		if (reply->filler > 0)
			r->fill_hold = r->conn_sent - r->conn_acked;
	}
	if (reply->status == DIALECT_TIMEOUT || m == NULL ||
	    (slot = relay_slot(r, m, relay_on_send_status)) == NULL) {
		link_dead(r->l, CAUSE_MODEM_ERROR, r->fail_text);
		return;
	}
	r->status_busy = 1;
	m->ops->sock_status(m->at, relay_conf(r)->socket, opslot_reply, slot);
	if (relay_refused(slot))
		r->status_busy = 0;
}

static void
relay_on_resend_timer(evutil_socket_t fd, short what, void *arg)
{
	relay_kick_send(arg);
}

/* n bytes at the front of the queue reached the module. */
static void
relay_sent(struct relay *r, size_t n)
{
	size_t again = n < r->resend_left ? n : r->resend_left;

	if (relay_keeps_window(r))
		evbuffer_remove_buffer(r->txq, r->window, n);
	else
		evbuffer_drain(r->txq, n);
	r->send_failures = 0;
	r->resend_left -= again;
	r->c.resent += again;
	r->c.sent += n;
	if (r->conn_sent == r->conn_acked)
		r->ack_progress_ms = util_now_ms();	/* the stall clock starts now */
	r->conn_sent += n;
	log_debug("link %s: %zu bytes sent, %zu queued", r->l->name, n,
	    evbuffer_get_length(r->txq));
	relay_ack_schedule(r);
	relay_client_resume(r);
}

static void
relay_on_sent(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;
	size_t n = r->sending;

	r->sending = 0;
	if (relay_zombie(r))
		return;
	if (reply->status == DIALECT_OK)
		relay_sent(r, n);
	else
		relay_send_failed(r, n, reply);
	relay_down_check(r);
	if (reply->status != DIALECT_OK)
		return;
	relay_kick_send(r);
	relay_session_check(r);
}

/* Send the next chunk if the connection is up and nothing is in flight. */
static void
relay_kick_send(struct relay *r)
{
	const struct conf_link *c = relay_conf(r);
	struct modem *m;
	struct opslot *slot;
	size_t n, w;

	if (!r->up || r->sending > 0 || r->status_busy || evtimer_pending(r->ev_resend, NULL) ||
	    (m = relay_modem(r)) == NULL)
		return;
	if ((n = evbuffer_get_length(r->txq)) == 0)
		return;
	if (n > modem_max_send(m))
		n = modem_max_send(m);
	if (r->send_failures > 0 && n > RELAY_RESEND_PROBE)
		n = RELAY_RESEND_PROBE;	/* the module was full: cheap to refuse */
	if (relay_keeps_window(r)) {
		if ((w = evbuffer_get_length(r->window)) >= c->tx_buffer) {
			relay_ack_schedule(r);	/* the window is full: wait for ACKs */
			return;
		}
		if (n > c->tx_buffer - w)
			n = c->tx_buffer - w;
	}
	if ((slot = relay_slot(r, m, relay_on_sent)) == NULL)
		return;
	r->sending = n;
	m->ops->sock_send(m->at, c->socket, evbuffer_pullup(r->txq, (ev_ssize_t)n), n,
	    opslot_reply, slot);
	if (relay_refused(slot))
		r->sending = 0;
}

/* ---- toward the client ---- */

static void
relay_received(struct relay *r, const uint8_t *data, size_t len)
{
	size_t reply = link_inbound(r->l, data, len);

	r->conn_received += len;
	r->c.received += len;
	r->c.probe_replies += reply;	/* a probe's reply is not the application's */
	data += reply;
	len -= reply;
	if (len == 0)
		return;
	if (r->client != NULL && !r->client_closing) {
		evbuffer_add(bufferevent_get_output(r->client), data, len);
		return;
	}
	if (relay_conf(r)->local_kind == CONF_LOCAL_NONE) {
		/* No endpoint: nobody can ever read them. Counted, not kept. */
		r->c.undelivered += len;
		log_debug("link %s: %zu bytes received without a local endpoint; "
		    "discarded", r->l->name, len);
		return;
	}
	evbuffer_add(r->rxq, data, len);
}

/* Whether the module may hold more after a read of len bytes. Announced
 * amounts are hints: a full read asks again, a short one ends the loop
 * unless an SRING came meanwhile. */
static int
relay_read_more(struct relay *r, size_t len)
{
	if (r->pending > 0)
		r->pending = (size_t)r->pending > len ? r->pending - (long)len : 0;
	if (r->announced)
		return 1;
	if (len == 0)
		return 0;
	if (r->pending < 0)
		return len == r->asked;
	return r->pending > 0;
}

static void
relay_on_recv(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;
	size_t len = reply->status == DIALECT_OK ? reply->u.recv.len : 0;

	r->reading = 0;
	if (relay_zombie(r))
		return;
	if (len > 0)
		relay_received(r, reply->u.recv.data, len);
	if (reply->status == DIALECT_TIMEOUT && r->up)
		relay_on_ack_timer(-1, 0, r);	/* did it take bytes? #SI tells */
	if (reply->status == DIALECT_TIMEOUT || reply->status == DIALECT_GONE)
		r->want_read = 0;
	else
		r->want_read = relay_read_more(r, len);
	if (!r->want_read)
		r->pending = 0;
	relay_down_check(r);
	relay_kick_recv(r);
}

/* One #SRECV of what the buffer toward the client can take. */
static void
relay_recv_issue(struct relay *r, struct modem *m)
{
	struct opslot *slot;
	size_t space = relay_rx_space(r), max = r->l->env.modem->ops->max_read;

	if (space == 0)
		return;		/* paused: the client's reads resume it */
	if (r->pending > 0 && (size_t)r->pending < max)
		max = (size_t)r->pending;
	if (max > space)
		max = space;
	if ((slot = relay_slot(r, m, relay_on_recv)) == NULL)
		return;
	r->reading = 1;
	r->asked = max;
	r->announced = 0;
	m->ops->sock_recv(m->at, relay_conf(r)->socket, max, opslot_reply, slot);
	if (relay_refused(slot))
		r->reading = 0;
}

static void
relay_kick_recv(struct relay *r)
{
	struct modem *m;

	if (!r->up || r->reading || !r->want_read || (m = relay_modem(r)) == NULL)
		return;
	relay_recv_issue(r, m);
}

void
relay_data(struct relay *r, long pending)
{
	if (pending > 0)
		r->pending = pending;
	else if (pending < 0)
		r->pending = -1;
	r->want_read = 1;
	if (r->reading)
		r->announced = 1;
	relay_kick_recv(r);
}

/* ---- the local client ---- */

static void
relay_on_delivered(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct relay *r = arg;

	r->c.delivered += info->n_deleted;
}

/* Close the client now. What it did not read is kept for the next client
 * in a persistent session and counted as undelivered otherwise. */
static void
relay_client_free(struct relay *r)
{
	struct evbuffer *out;
	size_t left;

	if (r->client == NULL)
		return;
	out = bufferevent_get_output(r->client);
	evbuffer_remove_cb_entry(out, r->delivered_cb);
	left = evbuffer_get_length(out);
	if (left > 0 && relay_persistent(r) && !r->client_closing) {
		evbuffer_prepend_buffer(r->rxq, out);
		left = 0;
	}
	r->c.undelivered += left;
	if (left > 0)
		relay_loss(r, 0, 0, 0, left, left, 0, "local-client-gone");
	bufferevent_free(r->client);
	r->client = NULL;
	r->delivered_cb = NULL;
	r->client_eof = r->client_closing = r->client_paused = 0;
	evtimer_del(r->ev_flush);
	log_info("link %s: local client closed", r->l->name);
	relay_listener_update(r);
	relay_kick_recv(r);
}

/* Transparent session over: deliver what is queued, then close. */
static void
relay_client_close(struct relay *r)
{
	struct timeval tv = { RELAY_FLUSH_TIMEOUT, 0 };

	if (r->client == NULL || r->client_closing)
		return;
	r->client_closing = 1;
	relay_listener_update(r);
	bufferevent_disable(r->client, EV_READ);
	bufferevent_setwatermark(r->client, EV_WRITE, 0, 0);
	if (relay_client_out(r) == 0) {
		relay_client_free(r);
		return;
	}
	evtimer_add(r->ev_flush, &tv);
}

static void
relay_on_flush_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	log_warnx("link %s: the local client did not read its last %zu bytes within %d s; "
	    "closing it", r->l->name, relay_client_out(r), RELAY_FLUSH_TIMEOUT);
	relay_client_free(r);
}

/* Transparent: the client is gone or done; once its bytes are sent, the
 * server connection ends too, so the next client starts a new one. */
static void
relay_session_check(struct relay *r)
{
	if (!r->ending || r->sending > 0 || evbuffer_get_length(r->txq) > 0)
		return;
	r->ending = 0;
	if (r->up) {
		log_info("link %s: the local client ended its session; closing the "
		    "connection to the server as well", r->l->name);
		link_event(r->l, LEV_RECONNECT);
		return;
	}
	relay_client_close(r);
}

/* The client sent EOF or failed: take what it wrote; a persistent session
 * lets it go, a transparent one ends. */
static void
relay_client_done(struct relay *r, int failed)
{
	relay_pull(r, 1);
	if (relay_persistent(r) || failed)
		relay_client_free(r);
	else {
		r->client_eof = 1;
		relay_listener_update(r);
	}
	if (relay_persistent(r))
		return;
	r->ending = 1;
	relay_session_check(r);
}

static void
relay_on_client_read(struct bufferevent *bev, void *arg)
{
	struct relay *r = arg;

	relay_pull(r, 0);
	relay_kick_send(r);
}

static void
relay_on_client_write(struct bufferevent *bev, void *arg)
{
	struct relay *r = arg;

	if (r->client_closing && relay_client_out(r) == 0) {
		relay_client_free(r);
		return;
	}
	relay_kick_recv(r);
}

static void
relay_on_client_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay *r = arg;

	if (r->client_closing) {
		if (what & BEV_EVENT_ERROR)
			relay_client_free(r);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		log_info("link %s: local client sent EOF", r->l->name);
		relay_client_done(r, 0);
	} else if (what & BEV_EVENT_ERROR) {
		log_info("link %s: local client: %s", r->l->name,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		relay_client_done(r, 1);
	}
	relay_kick_send(r);
}

/* Tell a second client why it is turned away, and close it. */
static void
relay_refuse(struct relay *r, evutil_socket_t fd)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), RELAY_REFUSED_FMT, r->l->name);

	if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_debug("link %s: refusal message: %s", r->l->name, strerror(errno));
	evutil_closesocket(fd);
	r->c.refused++;
	log_info("link %s: a second local client was refused", r->l->name);
}

static void
relay_on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	struct relay *r = arg;
	struct evbuffer *out;
	size_t low = relay_conf(r)->rx_buffer / 2;

	if (r->client != NULL) {
		relay_refuse(r, fd);
		return;
	}
	r->client = bufferevent_socket_new(r->l->env.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (r->client == NULL) {
		log_warnx("link %s: cannot set up the local client", r->l->name);
		evutil_closesocket(fd);
		return;
	}
	out = bufferevent_get_output(r->client);
	r->delivered_cb = evbuffer_add_cb(out, relay_on_delivered, r);
	bufferevent_setcb(r->client, relay_on_client_read, relay_on_client_write,
	    relay_on_client_event, r);
	bufferevent_setwatermark(r->client, EV_WRITE, low, 0);
	bufferevent_enable(r->client, EV_READ | EV_WRITE);
	r->c.clients++;
	log_info("link %s: local client connected (link %s)", r->l->name,
	    link_state_names[r->l->state]);
	evbuffer_add_buffer(out, r->rxq);
	relay_kick_recv(r);
}

/* ---- the endpoint ---- */

/* New clients wait in the backlog while a transparent session winds down
 * (its client is done or gets its last bytes, its account is closed), so
 * that they start the next session instead of being refused; else accept. */
static void
relay_listener_update(struct relay *r)
{
	if (r->listener == NULL || evtimer_pending(r->ev_retry, NULL))
		return;
	if (r->client_closing || (r->client != NULL && r->client_eof) ||
	    (r->down && !relay_persistent(r)))
		evconnlistener_disable(r->listener);
	else
		evconnlistener_enable(r->listener);
}

static void
relay_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	if (r->listener != NULL) {
		relay_listener_update(r);
		return;
	}
	relay_listen(r);
}

static void
relay_on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct relay *r = arg;
	struct timeval tv = { RELAY_ACCEPT_PAUSE_SEC, 0 };
	int e = EVUTIL_SOCKET_ERROR();

	log_warnx("link %s: accept on %s: %s", r->l->name, r->local,
	    evutil_socket_error_to_string(e));
	evconnlistener_disable(lev);	/* EMFILE would spin: pause */
	evtimer_add(r->ev_retry, &tv);
}

/* A socket file left by a dead process is removed; one that answers, or
 * anything that is not a socket, is left alone. */
static int
relay_unix_stale(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s exists and is not a socket; not replacing it", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (ret == 0) {
		log_warnx("%s: another process is listening there", path);
		return -1;
	}
	if (unlink(path) == 0)
		log_info("removed stale socket %s", path);
	return 0;
}

/* Mode and group as the control socket's (control.mode, control.group). */
static void
relay_unix_perms(const struct relay *r, const char *path)
{
	const struct conf_control *cc = &(*r->l->env.conf)->control;
	struct group *gr;

	if (chmod(path, cc->mode) == -1)
		log_warn("chmod %s", path);
	if (cc->group == NULL || *cc->group == '\0')
		return;
	if ((gr = getgrnam(cc->group)) == NULL)
		return;
	if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
		log_warn("chgrp %s", path);
}

static evutil_socket_t
relay_unix_bind(struct relay *r, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *copy;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path) || relay_unix_stale(path) == -1)
		return -1;
	copy = xstrdup(path);
	if (mkdir(dirname(copy), 0755) == 0)
		log_info("created the directory of %s", path);
	free(copy);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	relay_unix_perms(r, path);
	free(r->unlink_path);
	r->unlink_path = xstrdup(path);
	return fd;
}

static struct evconnlistener *
relay_tcp_listener(struct relay *r, const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE;
	struct event_base *base = r->l->env.base;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_port = htons((uint16_t)port);
		return evconnlistener_new_bind(base, relay_on_accept, r, flags, RELAY_BACKLOG,
		    (struct sockaddr *)&sin, sizeof(sin));
	}
	if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sin6.sin6_port = htons((uint16_t)port);
		return evconnlistener_new_bind(base, relay_on_accept, r, flags, RELAY_BACKLOG,
		    (struct sockaddr *)&sin6, sizeof(sin6));
	}
	errno = EINVAL;
	return NULL;
}

/* Listen where the configuration says; on failure try again later. */
static void
relay_listen(struct relay *r)
{
	const struct conf_link *c = relay_conf(r);
	struct timeval tv = { RELAY_RETRY_SEC, 0 };
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
	evutil_socket_t fd;

	if (c->local_kind == CONF_LOCAL_NONE || r->listener != NULL)
		return;
	free(r->local);
	r->local = xstrdup(c->local);
	if (c->local_kind == CONF_LOCAL_TCP)
		r->listener = relay_tcp_listener(r, c->local_addr, c->local_port);
	else if ((fd = relay_unix_bind(r, c->local_path)) != -1 &&
	    (r->listener = evconnlistener_new(r->l->env.base, relay_on_accept, r, flags,
	    RELAY_BACKLOG, fd)) == NULL)
		close(fd);
	if (r->listener == NULL) {
		log_warn("link %s: cannot listen on %s; trying again in %d s", r->l->name,
		    c->local, RELAY_RETRY_SEC);
		evtimer_add(r->ev_retry, &tv);
		return;
	}
	evconnlistener_set_error_cb(r->listener, relay_on_accept_error);
	log_info("link %s: local endpoint %s", r->l->name, c->local);
	relay_listener_update(r);
}

static void
relay_unlisten(struct relay *r)
{
	evtimer_del(r->ev_retry);
	if (r->listener != NULL)
		evconnlistener_free(r->listener);
	r->listener = NULL;
	if (r->unlink_path != NULL && unlink(r->unlink_path) == -1 && errno != ENOENT)
		log_warn("unlink %s", r->unlink_path);
	free(r->unlink_path);
	r->unlink_path = NULL;
	free(r->local);
	r->local = NULL;
}

/* ---- the connection's life ---- */

/* The AT engine was freed: its requests will never be answered. */
void
relay_engine_gone(struct relay *r)
{
	opslot_reset(&r->ops);
	r->sending = 0;
	r->reading = 0;
	r->info_busy = r->final_busy = r->status_busy = 0;
	r->want_read = 0;
	r->pending = 0;
	relay_down_check(r);
}

/* Notice a freed or replaced engine even if nobody said so. */
static void
relay_engine_check(struct relay *r)
{
	struct modem *m = r->l->env.modem;

	if (!relay_busy(r))
		return;
	if (m == NULL || m->at == NULL || m->opens != r->engine)
		relay_engine_gone(r);
}

/* Everything the dead connection had in flight is answered: close its
 * account, report what is at risk and keep what will be sent again. */
static void
relay_down_done(struct relay *r)
{
	int persistent = relay_persistent(r), resend = relay_keeps_window(r);
	uint64_t unsent = evbuffer_get_length(r->txq);
	uint64_t unacked = r->conn_sent - r->conn_acked;
	uint64_t w = evbuffer_get_length(r->window), undelivered = 0, lost;

	r->down = 0;
	if (!persistent) {
		if (r->client == NULL)
			undelivered = evbuffer_get_length(r->rxq);
		evbuffer_drain(r->txq, (size_t)unsent);
		evbuffer_drain(r->rxq, (size_t)undelivered);
		evbuffer_drain(r->window, (size_t)w);
		r->resend_left = 0;
		r->c.lost_unsent += unsent;
		r->c.lost_unacked += unacked;
		r->c.undelivered += undelivered;
		lost = unsent + unacked + undelivered;
	} else if (resend) {
		/* The window holds the unacknowledged tail; all of it with
		 * resend_unacked on for the whole connection. */
		lost = unacked > w ? unacked - w : 0;
		r->c.lost_unacked += lost;
		evbuffer_prepend_buffer(r->txq, r->window);
		r->resend_left += (size_t)w;
	} else {
		evbuffer_drain(r->window, (size_t)w);
		r->c.lost_unacked += unacked;
		lost = unacked;
	}
	r->c.lost_unread += r->module_unread + r->read_lost;
	lost += r->module_unread + r->read_lost;
	relay_loss(r, unsent, unacked, r->module_unread + r->read_lost, undelivered, lost,
	    resend, dead_cause_names[r->cause]);
	r->conn_sent = r->conn_acked = r->module_unread = 0;
	r->conn_received = r->read_lost = r->filler = r->fill_hold = 0;
	if (!persistent)
		relay_client_close(r);
	relay_listener_update(r);
}

static void
relay_down_check(struct relay *r)
{
	if (r->down && !r->down_issuing && !r->sending && !r->reading && !r->final_busy &&
	    !r->status_busy)
		relay_down_done(r);
}

/* Causes after which the module's socket still holds its TCP state: its
 * ack_waiting is the truth. After a reset or a lost context it is not. */
static int
relay_cause_keeps_socket(enum dead_cause cause)
{
	switch (cause) {
	case CAUSE_PROBE_TIMEOUT:
	case CAUSE_ACK_STALL:
	case CAUSE_REMOTE_CLOSE:
	case CAUSE_MODEM_ERROR:
	case CAUSE_OPERATOR:
		return 1;
	case CAUSE_REMOTE_RESET:
	case CAUSE_PDP_LOST:
	case CAUSE_MODEM_GONE:
	case CAUSE_COUNT:
		break;
	}
	return 0;
}

static void
relay_on_final_info(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;

	r->final_busy = 0;
	if (relay_zombie(r))
		return;
	if (reply->status == DIALECT_OK) {
		relay_read_hole(r, &reply->u.info);
		r->module_unread = reply->u.info.buff_in;
		if (relay_cause_keeps_socket(r->cause))
			relay_acked(r, &reply->u.info);
	}
	relay_down_check(r);
}

void
relay_link_down(struct relay *r, enum dead_cause cause)
{
	struct modem *m;
	struct opslot *slot;

	if (!r->up)
		return;
	r->up = 0;
	r->down = 1;
	r->cause = cause;
	r->ending = 0;
	r->send_failures = 0;
	evtimer_del(r->ev_ack);
	evtimer_del(r->ev_resend);
	relay_engine_check(r);
	relay_listener_update(r);
	if (!relay_persistent(r) && r->client != NULL && !r->client_closing) {
		relay_pull(r, 1);	/* the session ends with what it wrote */
		bufferevent_disable(r->client, EV_READ);
		r->client_eof = 1;
	}
	/* Queued before the link's #SH: one last read of what the server
	 * sent before it closed, then the counters of the dead socket. */
	r->down_issuing = 1;
	if ((m = relay_modem(r)) != NULL) {
		if (!r->reading && (r->want_read || cause == CAUSE_REMOTE_CLOSE))
			relay_recv_issue(r, m);
		if ((slot = relay_slot(r, m, relay_on_final_info)) != NULL) {
			r->final_busy = 1;
			m->ops->sock_info(m->at, relay_conf(r)->socket, opslot_reply, slot);
			if (relay_refused(slot))
				r->final_busy = 0;
		}
	}
	r->down_issuing = 0;
	r->want_read = 0;
	r->pending = 0;
	relay_down_check(r);
}

void
relay_link_up(struct relay *r)
{
	relay_engine_check(r);
	if (r->down) {
		/* The last answers of the old connection cannot come. */
		if (relay_busy(r))
			relay_engine_gone(r);
		else
			relay_down_done(r);
	}
	r->up = 1;
	r->conn_sent = r->conn_acked = 0;
	r->conn_received = r->read_lost = 0;
	r->want_read = 0;
	r->pending = 0;
	if (r->resend_left > 0)
		log_info("link %s: sending %zu unacknowledged bytes again", r->l->name,
		    r->resend_left);
	relay_kick_send(r);
	relay_session_check(r);
}

int
relay_send(struct relay *r, const void *buf, size_t len)
{
	if (!r->up || evbuffer_get_length(r->txq) + len > relay_conf(r)->tx_buffer)
		return -1;
	evbuffer_add(r->txq, buf, len);
	r->c.accepted += len;
	relay_kick_send(r);
	return 0;
}

struct relay *
relay_new(struct link *l)
{
	struct relay *r = xcalloc(1, sizeof(*r));
	struct event_base *base = l->env.base;

	r->l = l;
	r->news = l->news;
	opslot_init(&r->ops, r);
	r->txq = evbuffer_new();
	r->window = evbuffer_new();
	r->rxq = evbuffer_new();
	r->ev_ack = evtimer_new(base, relay_on_ack_timer, r);
	r->ev_retry = evtimer_new(base, relay_on_retry, r);
	r->ev_flush = evtimer_new(base, relay_on_flush_timeout, r);
	r->ev_resend = evtimer_new(base, relay_on_resend_timer, r);
	if (r->txq == NULL || r->window == NULL || r->rxq == NULL || r->ev_ack == NULL ||
	    r->ev_retry == NULL || r->ev_flush == NULL || r->ev_resend == NULL)
		fatalx("relay: out of memory");
	relay_listen(r);
	return r;
}

void
relay_reconfigure(struct relay *r)
{
	const struct conf_link *c = relay_conf(r);
	const char *want = c->local_kind == CONF_LOCAL_NONE ? "" : c->local;

	if (strcmp(want, r->local ? r->local : "") != 0 ||
	    (r->listener == NULL && c->local_kind != CONF_LOCAL_NONE)) {
		relay_unlisten(r);
		relay_listen(r);
	}
	if (r->client != NULL && !r->client_closing)
		bufferevent_setwatermark(r->client, EV_WRITE, c->rx_buffer / 2, 0);
	relay_client_resume(r);
	relay_kick_send(r);
	relay_kick_recv(r);
}

void
relay_free(struct relay *r)
{
	struct modem *m;

	if (r == NULL)
		return;
	r->up = r->down = r->ending = 0;
	relay_unlisten(r);
	if (r->client != NULL) {
		r->client_closing = 1;	/* nothing is kept for a next client */
		relay_client_free(r);
	}
	event_free(r->ev_ack);
	event_free(r->ev_retry);
	event_free(r->ev_flush);
	event_free(r->ev_resend);
	evbuffer_free(r->txq);
	evbuffer_free(r->window);
	evbuffer_free(r->rxq);
	free(r->local);
	m = r->l->env.modem;
	if (relay_busy(r) && !*r->l->env.stopping && m != NULL && m->at != NULL &&
	    m->opens == r->engine) {
		r->zombie = 1;	/* the engine will still answer: free with the last */
		return;
	}
	free(r);
}

const struct relay_counters *
relay_counters(const struct relay *r)
{
	return &r->c;
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
	return r->conn_sent - r->conn_acked;
}

int
relay_rx_paused(const struct relay *r)
{
	return r->want_read && !r->reading && relay_rx_space(r) == 0;
}
