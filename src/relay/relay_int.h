/* Inside the relay: its struct and the functions its files share. The
 * files call one way:
 *   relay.c (API, connection life)      relay_reply.c (the callbacks)
 *        \                                 /
 *         -> relay_conn.c (the account) <-
 *            -> relay_client.c -> relay_tx.c -> relay_rx.c -> relay_base.c
 *   and any of them -> ledger.c, endpoint.c, relay_fsm.c (which call none).
 * relay_reply.c's callbacks are reached only through r->h, which relay.c
 * sets: nobody calls into relay_reply.c or relay.c. */
#ifndef CELLSOCK_RELAY_INT_H
#define CELLSOCK_RELAY_INT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "conf/conf.h"
#include "dialect/dialect.h"
#include "dialect/opslot.h"
#include "notify.h"
#include "proto.h"
#include "relay/endpoint.h"
#include "relay/ledger.h"
#include "relay/relay.h"
#include "relay/relay_fsm.h"

#define RELAY_FLUSH_TIMEOUT	30	/* seconds a closing client has to read */

/* The callbacks of requests, timers and the client (relay_reply.c). */
struct relay_handlers {
	opslot_fn *on_sent, *on_send_status, *on_info, *on_final_info, *on_recv;
	event_callback_fn on_ack_timer, on_resend_timer, on_flush_timeout;
	bufferevent_data_cb on_client_read, on_client_write;
	bufferevent_event_cb on_client_event;
	evbuffer_cb_func on_delivered;
	struct endpoint_cb endpoint;	/* arg filled in per relay */
};
extern const struct relay_handlers relay_handlers;

struct relay {
	char *name;			/* the link's */
	const struct conf_link *conf;
	struct relay_listener up;	/* the owner: news goes there (a copy) */
	const struct notify *news;	/* data-loss events */
	struct event_base *base;
	const struct relay_handlers *h;	/* relay_reply.c's, set by relay_new */
	struct opslots ops;		/* every request: send, read, #SI, #SS */
	unsigned long engine;		/* the engine id when they were made */

	/* the machines (relay_fsm.h) */
	enum relay_conn_state conn;
	enum relay_client_state client_st;
	enum relay_session_state session;
	enum relay_op_state op[OP_COUNT];
	enum relay_demand_state demand;

	struct endpoint *ep;
	struct endpoint_cb ep_cb;
	struct bufferevent *client;
	struct evbuffer_cb_entry *delivered_cb;
	struct event *ev_flush;		/* deadline of a closing client */

	/* toward the server */
	struct evbuffer *txq;		/* accepted, not yet sent; resends first */
	struct evbuffer *window;	/* copies of sent, unacknowledged bytes */
	size_t sending;			/* bytes of the #SSENDEXT in flight */
	uint64_t ack_progress_ms;	/* last time conn_acked grew, or sending
					 * started from all acknowledged */
	unsigned send_failures;		/* refused sends in a row (module full) */
	char fail_text[DIALECT_TEXT_MAX + 64];
	struct event *ev_ack;
	struct event *ev_resend;	/* try a refused send again */

	/* toward the client */
	struct evbuffer *rxq;		/* received, no client to take it */
	size_t asked;			/* the read's maxByte */
	long pending;			/* announced bytes left, -1 unknown */

	enum dead_cause cause;
	const char *why;		/* NULL, or the link ends for good
					 * (relay_stop): nothing is kept */
	struct relay_ledger lg;
};

/* relay_base.c: the modem, request slots, machine steps, small questions */
struct modem *relay_modem(const struct relay *r);
struct opslot *relay_op_take(struct relay *r, struct modem *m, enum relay_op op);
void relay_op_issued(struct relay *r, enum relay_op op, const struct opslot *slot);
void relay_op_step(struct relay *r, enum relay_op op, enum relay_op_event ev);
int relay_op_busy(const struct relay *r, enum relay_op op);
int relay_busy(const struct relay *r);
int relay_zombie(struct relay *r);
void relay_conn_step(struct relay *r, enum relay_conn_event ev);
void relay_client_step(struct relay *r, enum relay_client_event ev);
void relay_session_step(struct relay *r, enum relay_session_event ev);
void relay_demand_step(struct relay *r, enum relay_demand_event ev);
int relay_persistent(const struct relay *r);
int relay_keeps_window(const struct relay *r);
size_t relay_client_out(const struct relay *r);
size_t relay_rx_space(const struct relay *r);
void relay_report_loss(struct relay *r, const struct relay_loss *loss, const char *cause);

/* relay_rx.c: reads from the module */
void relay_received(struct relay *r, const uint8_t *data, size_t len);
int relay_read_more(struct relay *r, size_t len, int announced);
void relay_recv_issue(struct relay *r, struct modem *m);
void relay_kick_recv(struct relay *r);
void relay_rx_data(struct relay *r, long pending);
uint64_t relay_read_hole(struct relay *r, const struct sock_info *info);

/* relay_tx.c: the queue toward the server, the send window, #SI polls */
void relay_kick_send(struct relay *r);
void relay_sent(struct relay *r, size_t n);
void relay_send_failed(struct relay *r, size_t n, const struct dialect_reply *reply);
void relay_send_later(struct relay *r);
void relay_ack_schedule(struct relay *r);
void relay_ack_poll(struct relay *r);
void relay_acked(struct relay *r, const struct sock_info *info);
int relay_ack_stalled(struct relay *r);
void relay_pull(struct relay *r, int unbounded);
void relay_client_resume(struct relay *r);

/* relay_client.c: the local client and the session */
void relay_client_attach(struct relay *r, int fd);
void relay_client_free(struct relay *r);
void relay_client_close(struct relay *r);
void relay_client_done(struct relay *r, int failed);
void relay_session_check(struct relay *r);
int relay_accepting(void *arg);

/* relay_conn.c: the connection's account */
void relay_engine_check(struct relay *r);
void relay_down_done(struct relay *r);
void relay_down_check(struct relay *r);
void relay_stop_account(struct relay *r);

#endif
