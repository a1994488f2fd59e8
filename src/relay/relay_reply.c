/* The relay's callbacks: answers of the modem's requests (in the AT
 * queue's order), its timers, and its local client's events. Each one
 * reports the event to its machine, then does the step's work. */
#include "config.h"

#include <string.h>

#include <event2/util.h>

#include "log.h"
#include "relay/relay_int.h"

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
	case CAUSE_UNPROBED:
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
relay_on_info(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;

	relay_op_step(r, OP_INFO, OPE_ANSWER);
	if (relay_zombie(r))
		return;
	if (reply->status == DIALECT_OK) {
		if (relay_read_hole(r, &reply->u.info) > 0) {
			r->up.dead(r->up.arg, CAUSE_MODEM_ERROR, "a read's answer was lost");
			return;
		}
		relay_acked(r, &reply->u.info);
		if (reply->u.info.buff_in > 0 && !relay_op_busy(r, OP_RECV))
			relay_rx_data(r, (long)reply->u.info.buff_in);	/* an SRING was lost */
		if (relay_ack_stalled(r))
			return;
	}
	relay_ack_schedule(r);
	relay_kick_send(r);
}

static void
relay_on_final_info(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;

	relay_op_step(r, OP_FINAL, OPE_ANSWER);
	if (relay_zombie(r))
		return;
	if (reply->status == DIALECT_OK) {
		relay_read_hole(r, &reply->u.info);
		r->lg.module_unread = reply->u.info.buff_in;
		if (relay_cause_keeps_socket(r->cause))
			relay_acked(r, &reply->u.info);
	}
	relay_down_check(r);
}

/* After a failed send: a closed socket is the link's to explain (the
 * closure cause); an open one is full, and sending waits a little. */
static void
relay_on_send_status(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;

	relay_op_step(r, OP_STATUS, OPE_ANSWER);
	if (relay_zombie(r))
		return;
	relay_down_check(r);
	if (r->conn != RC_UP)
		return;
	if (reply->status != DIALECT_OK) {
		r->up.dead(r->up.arg, CAUSE_MODEM_ERROR, r->fail_text);
		return;
	}
	if (reply->u.sock == SOCK_CLOSED) {
		r->up.remote_closed(r->up.arg);
		return;
	}
	relay_send_later(r);
}

static void
relay_on_sent(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;
	size_t n = r->sending;

	r->sending = 0;
	relay_op_step(r, OP_SEND, OPE_ANSWER);
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

static void
relay_on_recv(void *owner, const struct dialect_reply *reply)
{
	struct relay *r = owner;
	size_t len = reply->status == DIALECT_OK ? reply->u.recv.len : 0;
	int announced = r->op[OP_RECV] == OPS_BUSY_MORE;

	relay_op_step(r, OP_RECV, OPE_ANSWER);
	if (relay_zombie(r))
		return;
	if (len > 0)
		relay_received(r, reply->u.recv.data, len);
	if (reply->status == DIALECT_TIMEOUT && r->conn == RC_UP)
		relay_ack_poll(r);	/* did it take bytes? #SI tells */
	if (reply->status == DIALECT_TIMEOUT || reply->status == DIALECT_GONE ||
	    !relay_read_more(r, len, announced)) {
		relay_demand_step(r, RDE_DONE);
		r->pending = 0;
	} else
		relay_demand_step(r, RDE_MORE);
	relay_down_check(r);
	relay_kick_recv(r);
}

static void
relay_on_ack_timer(evutil_socket_t fd, short what, void *arg)
{
	relay_ack_poll(arg);
}

static void
relay_on_resend_timer(evutil_socket_t fd, short what, void *arg)
{
	relay_kick_send(arg);
}

static void
relay_on_flush_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	log_warnx("link %s: the local client did not read its last %zu bytes within %d s; "
	    "closing it", r->name, relay_client_out(r), RELAY_FLUSH_TIMEOUT);
	relay_client_free(r);
}

static void
relay_on_delivered(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct relay *r = arg;

	ledger_delivered(&r->lg, info->n_deleted);
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

	if (r->client_st == CL_CLOSING && relay_client_out(r) == 0) {
		relay_client_free(r);
		return;
	}
	relay_kick_recv(r);
}

static void
relay_on_client_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay *r = arg;

	if (r->client_st == CL_CLOSING) {
		if (what & BEV_EVENT_ERROR)
			relay_client_free(r);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		log_info("link %s: local client sent EOF", r->name);
		relay_client_done(r, 0);
	} else if (what & BEV_EVENT_ERROR) {
		log_info("link %s: local client: %s", r->name,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		relay_client_done(r, 1);
	}
	relay_kick_send(r);
}

static void
relay_on_accept(void *arg, int fd)
{
	relay_client_attach(arg, fd);
}

static const struct conf_control *
relay_on_control(void *arg)
{
	const struct relay *r = arg;

	return r->up.control(r->up.arg);
}

const struct relay_handlers relay_handlers = {
	.on_sent = relay_on_sent,
	.on_send_status = relay_on_send_status,
	.on_info = relay_on_info,
	.on_final_info = relay_on_final_info,
	.on_recv = relay_on_recv,
	.on_ack_timer = relay_on_ack_timer,
	.on_resend_timer = relay_on_resend_timer,
	.on_flush_timeout = relay_on_flush_timeout,
	.on_client_read = relay_on_client_read,
	.on_client_write = relay_on_client_write,
	.on_client_event = relay_on_client_event,
	.on_delivered = relay_on_delivered,
	.endpoint = { relay_on_accept, relay_accepting, relay_on_control, NULL },
};
