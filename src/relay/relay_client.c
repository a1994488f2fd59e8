/* The local client: at most one, a transparent session that ends with it
 * (or with the server connection), a persistent one that outlives both. */
#include "config.h"

#include <string.h>

#include <event2/util.h>

#include "log.h"
#include "relay/relay_int.h"

/* Whether the endpoint accepts new clients: they wait in the backlog while
 * a transparent session winds down (its client is done or gets its last
 * bytes, its account is closed), so that they start the next session
 * instead of being refused. */
int
relay_accepting(void *arg)
{
	const struct relay *r = arg;
	int down = r->conn == RC_ISSUING || r->conn == RC_DRAINING;

	if (r->why != NULL)
		return 0;
	return !(r->client_st == CL_CLOSING || (r->client != NULL && r->client_st == CL_EOF) ||
	    (down && !relay_persistent(r)));
}

/* Close the client now. What it did not read is kept for the next client
 * in a persistent session and counted as undelivered otherwise. */
void
relay_client_free(struct relay *r)
{
	struct evbuffer *out;
	struct relay_loss loss;
	size_t left;

	if (r->client == NULL)
		return;
	out = bufferevent_get_output(r->client);
	evbuffer_remove_cb_entry(out, r->delivered_cb);
	left = evbuffer_get_length(out);
	if (left > 0 && relay_persistent(r) && r->client_st != CL_CLOSING) {
		evbuffer_prepend_buffer(r->rxq, out);
		left = 0;
	}
	ledger_client_gone(&r->lg, left, &loss);
	if (left > 0)
		relay_report_loss(r, &loss, "local-client-gone");
	bufferevent_free(r->client);
	r->client = NULL;
	r->delivered_cb = NULL;
	relay_client_step(r, CLE_GONE);
	evtimer_del(r->ev_flush);
	log_info("link %s: local client closed", r->name);
	endpoint_update(r->ep);
	relay_kick_recv(r);
}

/* Transparent session over: deliver what is queued, then close. */
void
relay_client_close(struct relay *r)
{
	struct timeval tv = { RELAY_FLUSH_TIMEOUT, 0 };

	if (r->client == NULL || r->client_st == CL_CLOSING)
		return;
	relay_client_step(r, CLE_CLOSE);
	endpoint_update(r->ep);
	bufferevent_disable(r->client, EV_READ);
	bufferevent_setwatermark(r->client, EV_WRITE, 0, 0);
	if (relay_client_out(r) == 0) {
		relay_client_free(r);
		return;
	}
	evtimer_add(r->ev_flush, &tv);
}

/* Transparent: the client is gone or done; once its bytes are sent, the
 * server connection ends too, so the next client starts a new one. */
void
relay_session_check(struct relay *r)
{
	if (r->session != SS_ENDING || relay_op_busy(r, OP_SEND) ||
	    evbuffer_get_length(r->txq) > 0)
		return;
	relay_session_step(r, SSE_FLUSHED);
	if (r->conn == RC_UP) {
		log_info("link %s: the local client ended its session; closing the "
		    "connection to the server as well", r->name);
		r->up.reconnect(r->up.arg);
		return;
	}
	relay_client_close(r);
}

/* The client sent EOF or failed: take what it wrote; a persistent session
 * lets it go, a transparent one ends. */
void
relay_client_done(struct relay *r, int failed)
{
	relay_pull(r, 1);
	if (relay_persistent(r) || failed)
		relay_client_free(r);
	else {
		relay_client_step(r, CLE_EOF);
		endpoint_update(r->ep);
	}
	if (relay_persistent(r))
		return;
	relay_session_step(r, SSE_CLIENT_DONE);
	relay_session_check(r);
}

/* A client connected: refuse a second one, else it takes what waits. */
void
relay_client_attach(struct relay *r, int fd)
{
	struct evbuffer *out;

	if (r->client != NULL) {
		endpoint_refuse(r->ep, fd);
		r->lg.c.refused++;
		return;
	}
	r->client = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (r->client == NULL) {
		log_warnx("link %s: cannot set up the local client", r->name);
		evutil_closesocket(fd);
		return;
	}
	out = bufferevent_get_output(r->client);
	r->delivered_cb = evbuffer_add_cb(out, r->h->on_delivered, r);
	bufferevent_setcb(r->client, r->h->on_client_read,
	    r->h->on_client_write, r->h->on_client_event, r);
	bufferevent_setwatermark(r->client, EV_WRITE, r->conf->rx_buffer / 2, 0);
	bufferevent_enable(r->client, EV_READ | EV_WRITE);
	relay_client_step(r, CLE_ACCEPT);
	r->lg.c.clients++;
	log_info("link %s: local client connected (link %s)", r->name,
	    r->up.state_name(r->up.arg));
	evbuffer_add_buffer(out, r->rxq);
	relay_kick_recv(r);
}
