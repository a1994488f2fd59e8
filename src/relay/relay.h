/* The data path of one link: a local endpoint (unix:PATH or
 * tcp:127.0.0.1:PORT) where one local application connects, and the bytes
 * between it and the server through the modem socket (#SSENDEXT out,
 * SRING + #SRECV in), with bounded buffers and backpressure, and an account
 * of every byte (accepted, sent, acknowledged, received, delivered, lost).
 *
 * The link FSM owns the relay and tells it when the connection is up or
 * gone; the relay never changes the link's state itself, it reports a
 * failed send through link_dead(). */
#ifndef CELLSOCK_RELAY_H
#define CELLSOCK_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct link;
struct relay;

/* Byte accounting, shown in status and metrics. */
struct relay_counters {
	uint64_t accepted;	/* read from the local client */
	uint64_t sent;		/* handed to the module (#SSENDEXT OK) */
	uint64_t acked;		/* acknowledged by the server (from #SI) */
	uint64_t received;	/* read from the module (#SRECV) */
	uint64_t delivered;	/* written to the local client */
	uint64_t lost_unsent;	/* queued but never sent when a connection died */
	uint64_t lost_unacked;	/* sent but never acknowledged when it died */
	uint64_t resent;	/* sent again on a new connection (resend_unacked) */
	uint64_t probe_replies;	/* keepalive replies removed before delivery */
	uint64_t clients;	/* local connections accepted */
	uint64_t refused;	/* local connections refused (one at a time) */
	uint64_t undelivered;	/* received but never delivered: the client
				 * went away, a transparent session ended
				 * without one, or there is no endpoint */
	uint64_t lost_unread;	/* held unread by the module when it died */
};

/* Create the link's local endpoint (if configured) and start listening. */
struct relay *relay_new(struct link *l);
void relay_free(struct relay *r);
/* A reload kept the link: follow a changed endpoint or buffer sizes. */
void relay_reconfigure(struct relay *r);
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
/* Bytes queued toward the server, bytes waiting for the local client. */
size_t relay_tx_queued(const struct relay *r);
size_t relay_rx_queued(const struct relay *r);
int relay_has_client(const struct relay *r);
/* The modem's AT engine was freed (modem_drop_engine): requests in flight
 * will never be answered. Also noticed on its own from m->opens. */
void relay_engine_gone(struct relay *r);
/* Bytes sent on this connection that the server has not acknowledged, as
 * of the last #SI (polled every 500 ms while it is not 0). */
uint64_t relay_unacked(const struct relay *r);
/* Reading from the module is paused: the buffer toward the client is full
 * (the module keeps the data and the server's window closes). */
int relay_rx_paused(const struct relay *r);

#endif
