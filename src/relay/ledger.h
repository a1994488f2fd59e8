/* The byte ledger of one relay: a pure account (no I/O, no libevent) of
 * every byte between the local client and the server. The relay calls one
 * function per accounting step; the ledger keeps mirrors of its queues so
 * that these identities always hold (tests/relay/test_ledger.c):
 *
 *   accepted + requeued = sent + queued + lost_unsent
 *   sent = acked + lost_unacked + retired + (conn_sent - conn_acked)
 *   received = probe_replies + delivered + undelivered + held
 *   requeued = resent + resend_left + resend_dropped
 *   window <= conn_sent - conn_acked
 *
 * and every connection's loss is unsent + unacked (not kept for a resend)
 * + unread + undelivered. */
#ifndef CELLSOCK_RELAY_LEDGER_H
#define CELLSOCK_RELAY_LEDGER_H

#include <stddef.h>
#include <stdint.h>

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

struct relay_ledger {
	struct relay_counters c;

	/* mirrors of the relay's buffers, for the identities */
	uint64_t queued;	/* toward the server, not sent (txq) */
	uint64_t window;	/* copies of sent, unacknowledged bytes */
	uint64_t resend_left;	/* at the front of the queue, sent before */
	uint64_t held;		/* received, not yet delivered (rxq + client) */
	uint64_t requeued;	/* window bytes put back in the queue */
	uint64_t retired;	/* unacknowledged bytes handed to a resend */
	uint64_t resend_dropped; /* requeued bytes a transparent end dropped */

	/* this connection */
	uint64_t conn_sent;	/* sent on this connection */
	uint64_t conn_acked;	/* of those, acknowledged */
	uint64_t conn_received;	/* read on this connection (#SRECV) */
	uint64_t module_unread;	/* buff_in of the final #SI */
	uint64_t read_lost;	/* read by the module, answer never came */
	uint64_t filler;	/* CR filler the module sent to the server */
	uint64_t fill_hold;	/* the filled chunk: never counted acked */
};

/* What one connection's end (or a client's going) left at risk. */
struct relay_loss {
	uint64_t unsent, unacked, unread, undelivered;
	uint64_t lost;		/* of those, gone for good */
	uint64_t filler;
	int resend;		/* the unacknowledged bytes are sent again */
	const char *why;	/* NULL, or why the link ends for good: "stop"
				 * (the daemon stops), "removed" (a reload) */
};

/* How the session treats a dead connection. */
enum ledger_mode {
	LEDGER_TRANSPARENT,	/* the session ends: everything queued is lost */
	LEDGER_PERSISTENT,	/* kept for the next connection, no resend */
	LEDGER_RESEND,		/* persistent, unacknowledged bytes sent again */
};

/* n bytes from the local client (or the operator) entered the queue. */
void ledger_accept(struct relay_ledger *lg, uint64_t n);
/* n bytes at the front of the queue reached the module; keep copies in the
 * window if window is set. Returns how many were a resend. */
uint64_t ledger_sent(struct relay_ledger *lg, uint64_t n, int window);
/* A timed-out send's CR filler went out too. */
void ledger_filler(struct relay_ledger *lg, uint64_t filler);
/* Sent bytes not yet acknowledged on this connection. */
uint64_t ledger_unacked(const struct relay_ledger *lg);
/* #SI: sent and ack_waiting of the socket. Returns the bytes newly
 * acknowledged (0: no progress, or the counters are not ours). */
uint64_t ledger_acked(struct relay_ledger *lg, uint64_t si_sent, uint64_t ack_waiting);
/* #SI: received and buff_in. Returns bytes the module handed out whose
 * answer never came (counted in read_lost). */
uint64_t ledger_read_hole(struct relay_ledger *lg, uint64_t si_received, uint64_t buff_in);
/* A read brought len bytes, the first reply of them a probe's reply. */
void ledger_received(struct relay_ledger *lg, uint64_t len, uint64_t reply);
/* n held bytes reached the client, or never will. */
void ledger_delivered(struct relay_ledger *lg, uint64_t n);
void ledger_undelivered(struct relay_ledger *lg, uint64_t n);
/* A new connection is up. */
void ledger_conn_start(struct relay_ledger *lg);
/* The dead connection's account closes: what is lost by class. has_client:
 * a local client still takes what is held (transparent mode). */
void ledger_conn_down(struct relay_ledger *lg, enum ledger_mode mode, int has_client,
    struct relay_loss *loss);
/* A client went with n bytes it never read. */
void ledger_client_gone(struct relay_ledger *lg, uint64_t n, struct relay_loss *loss);
/* Whether a loss is worth a line and an event. */
int ledger_loss_reportable(const struct relay_loss *loss);
/* The data-loss event's arguments, "name=... cause=..." and, when the link
 * ends for good, " why=...". */
void ledger_loss_event(const struct relay_loss *loss, const char *name, const char *cause,
    char *buf, size_t size);
/* The warning's text, "data at risk (cause): ...". */
void ledger_loss_text(const struct relay_loss *loss, const char *cause, char *buf,
    size_t size);
/* 1 if every identity above holds. */
int ledger_check(const struct relay_ledger *lg);

#endif
