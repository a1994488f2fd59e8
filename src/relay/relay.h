/* The data path of one link: a local endpoint (unix:PATH or
 * tcp:127.0.0.1:PORT) where one local application connects, and the bytes
 * between it and the server through the modem socket (#SSENDEXT out,
 * SRING + #SRECV in), with bounded buffers and backpressure, and an account
 * of every byte (ledger.h).
 *
 * The link owns the relay and tells it when the connection is up or gone;
 * the relay never changes the link's state itself: it reports up through
 * the struct relay_listener its owner registers (a failed send, a session
 * that ended, inbound bytes for the keepalive). */
#ifndef CELLSOCK_RELAY_H
#define CELLSOCK_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "notify.h"
#include "proto.h"
#include "relay/ledger.h"

struct conf_control;
struct conf_link;
struct event_base;
struct modem;
struct relay;

/* What the relay reports to, and asks of, its owner. */
struct relay_listener {
	/* Bytes from the server, before delivery: returns how many leading
	 * bytes are a keepalive probe's reply, to be removed. */
	size_t (*inbound)(void *arg, const uint8_t *data, size_t len);
	/* Bytes went to the server (handed to the module): the keepalive's
	 * idle clock restarts from them. May be NULL. */
	void (*sent)(void *arg);
	/* The connection is dead (a send failed, acks stalled, a lost read). */
	void (*dead)(void *arg, enum dead_cause cause, const char *why);
	/* Transparent: the client ended its session; close the connection. */
	void (*reconnect)(void *arg);
	/* A send failed and #SS says the socket is closed: find out why. */
	void (*remote_closed)(void *arg);
	/* Seconds between #SI polls while sent bytes are unacknowledged. */
	double (*ack_poll_interval)(void *arg);
	/* The owner's state name, for the log. */
	const char *(*state_name)(void *arg);
	/* The modem (NULL until the daemon made one). */
	struct modem *(*modem)(void *arg);
	/* Mode and group of unix endpoints (control.mode, control.group). */
	const struct conf_control *(*control)(void *arg);
	/* The daemon is stopping: no engine will answer any more. */
	int (*stopping)(void *arg);
	void *arg;
};

/* Create the link's local endpoint (if configured) and start listening.
 * The listener is copied; name is copied; conf and news stay the caller's
 * and must outlive the relay (conf until relay_reconfigure() replaces it).
 * Data-loss events go to news. */
struct relay *relay_new(struct event_base *base, const char *name,
    const struct conf_link *conf, const struct notify *news,
    const struct relay_listener *listener);
/* Free the relay. After relay_stop() every byte not delivered is first
 * reported (one data-loss event with why=..., and the log). */
void relay_free(struct relay *r);
/* The link ends for good (why: "stop" at the daemon's stop, "removed" when
 * a reload drops it): take no new client or byte (what the client wrote so
 * far is accepted), keep sending what is queued and following the
 * acknowledgements; from now on nothing is kept for a later connection,
 * and every loss is reported with why. */
void relay_stop(struct relay *r, const char *why);
/* Nothing queued, nothing being sent, everything sent acknowledged. */
int relay_drained(const struct relay *r);
/* A reload kept the link: follow a changed endpoint or buffer sizes. */
void relay_reconfigure(struct relay *r, const struct conf_link *conf);
/* The connection is up: start moving bytes (resend first if configured). */
void relay_link_up(struct relay *r);
/* The connection is gone: account for what is lost (data-loss event), and
 * in transparent mode close the local client after delivering what was
 * received. */
void relay_link_down(struct relay *r, enum dead_cause cause);
/* The module announced data (SRING), pending bytes or -1 if unknown. */
void relay_data(struct relay *r, long pending);
/* Operator's `send`: queue bytes as if the local client had written them.
 * Returns 0, or -1 when the link is not up or the queue is full. */
int relay_send(struct relay *r, const void *buf, size_t len);
const struct relay_counters *relay_counters(const struct relay *r);
/* The whole ledger, with its mirrors (tests check its identities). */
const struct relay_ledger *relay_ledger(const struct relay *r);
/* Bytes queued toward the server, bytes waiting for the local client. */
size_t relay_tx_queued(const struct relay *r);
size_t relay_rx_queued(const struct relay *r);
int relay_has_client(const struct relay *r);
/* The modem's AT engine was freed (modem_drop_engine): requests in flight
 * will never be answered. Also noticed on its own from the engine id. */
void relay_engine_gone(struct relay *r);
/* Bytes sent on this connection that the server has not acknowledged, as
 * of the last #SI (polled every 500 ms while it is not 0). */
uint64_t relay_unacked(const struct relay *r);
/* Reading from the module is paused: the buffer toward the client is full
 * (the module keeps the data and the server's window closes). */
int relay_rx_paused(const struct relay *r);

#endif
