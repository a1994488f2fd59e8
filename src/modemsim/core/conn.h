/* The kernel side of the module's TCP/IP stack: one struct conn per real
 * non-blocking TCP socket, and the stack that holds the connections the
 * slots have let go of (closing, deferred by 12.00.004, or forgotten by the
 * network) and the jam. It knows nothing of the slots above it: it reports
 * through the struct conn_events the slot layer (sock.c) gives it. */
#ifndef MODEMSIM_CONN_H
#define MODEMSIM_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct sim;
struct sock;
struct sock_listener;
struct event;
struct evbuffer;

enum conn_phase {
	CONN_CONNECTING,
	CONN_OPEN,
	CONN_SHUTTING,		/* our FIN is out; #SH waits for its ACK */
	CONN_DEFERRED,		/* 12.00.004: #SH answered, the FIN is not sent yet */
	CONN_CLOSING,		/* unsent data, then FIN; discarding until EOF */
	CONN_ZOMBIE,		/* the network forgot it: never read, never closed */
	CONN_ZOMBIE_RST,	/* the module forgot it: reset when the peer sends */
};

/* One kernel TCP connection. */
struct conn {
	struct stack *stack;
	struct sock *sock;	/* the slot it serves (opaque here); NULL once
				 * detached (then it is on the stack's list) */
	struct sock *waiter;	/* SHUTTING: the slot whose #SH waits */
	int fd;
	enum conn_phase phase;
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_timer;
	struct evbuffer *txq;	/* accepted from the host, not yet in the kernel */
	uint64_t deadline_ms;
	int fin_sent;
	TAILQ_ENTRY(conn) entry;
};
TAILQ_HEAD(conn_list, conn);

/* What an attached connection reports to its slot. */
struct conn_events {
	void (*connected)(struct sock *s);	/* CONNECTING: handshake over (or failed) */
	void (*connect_timeout)(struct sock *s); /* CONNECTING: connTo ran out */
	void (*readable)(struct sock *s);	/* OPEN: bytes or EOF to read */
	void (*broken)(struct sock *s);		/* OPEN: a write failed */
	void (*wrote)(struct sock *s);		/* bytes went into the kernel */
	void (*shut_done)(struct sock *waiter);	/* SHUTTING: #SH may answer now */
	void (*io_changed)(void *arg);		/* the jam began or ended */
};

/* The stack as a whole: the jam of 12.00.004 lives here. */
struct stack {
	struct sim *sim;
	struct conn_list conns;		/* detached connections */
	int jammed;
	unsigned overlaps;
	unsigned jams;
	unsigned nat_default_ms;
	struct event *ev_jam_clear;
	const struct conn_events *ev;	/* set by the slot layer */
	void *ev_arg;			/* for io_changed */
	const struct sock_listener *ls;	/* the slots' own listener, kept for them */
	void *ls_arg;
};

struct stack *stack_new(struct sim *sim);
void stack_free(struct stack *st);
/* The module reboots: deferred FINs are forgotten (reset on the peer's next
 * send), #SH waiters dropped, overlaps and the jam cleared. */
void stack_reboot(struct stack *st);
/* Send the FINs 12.00.004 deferred. Returns how many were pending. */
int stack_flush_deferred(struct stack *st);
int stack_deferred_count(const struct stack *st);
/* The network deactivated the context: deferred FINs are never sent. */
void stack_pdp_lost(struct stack *st);
/* The stack stops moving payload on every connection until a reboot. */
void stack_jam(struct stack *st, const char *why);
void stack_unjam(struct stack *st, const char *why);
void stack_state(const struct stack *st, struct evbuffer *out);
/* Keep at most a bounded number of forgotten connections. */
void stack_trim(struct stack *st);

/* A connect in progress on fd for slot s, timing out after ms. */
struct conn *conn_start(struct stack *st, struct sock *s, int fd, unsigned ms);
/* Close the kernel socket and free the connection. abort: RST, not FIN.
 * The slot must have let go of it (s->conn cleared) first. */
void conn_free(struct conn *c, int abort);
/* Forgotten: keep the kernel socket (rst: reset when the peer sends). */
void conn_zombie(struct conn *c, int rst);
/* Closing: any unsent bytes, then the FIN, then wait for the peer's EOF. */
void conn_begin_close(struct conn *c);
/* 12.00.004's #SH: the FIN goes out ms later. */
void conn_defer(struct conn *c, unsigned ms);
/* #SH: FIN now, waiter hears shut_done once it is acknowledged or at
 * deadline_ms. */
void conn_shut(struct conn *c, struct sock *waiter, uint64_t deadline_ms);
/* Write queued bytes. 0: all out or waiting for EV_WRITE; -1: broken. */
int conn_flush(struct conn *c);
void conn_arm_timer(struct conn *c, unsigned ms);

#endif
