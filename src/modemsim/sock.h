/* The module's TCP/IP stack: six socket slots (connId 1..6), each backed by
 * a real non-blocking kernel TCP socket, plus the connections the slots have
 * let go of (closing, deferred by 12.00.004, or forgotten by the network). */
#ifndef MODEMSIM_SOCK_H
#define MODEMSIM_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct sim;
struct event;
struct evbuffer;

#define SOCK_COUNT 6

/* #SLASTCLOSURE causes. */
enum closure_cause {
	CLOSURE_NONE = 0,
	CLOSURE_REMOTE_FIN = 1,
	CLOSURE_REMOTE_RST = 2,
	CLOSURE_INACTIVITY = 3,
	CLOSURE_PDP = 4,
};

enum sock_phase {
	SOCK_CLOSED,
	SOCK_CONNECTING,	/* #SD waiting for the handshake */
	SOCK_OPEN,
	SOCK_SHUTTING,		/* #SH waiting for the ACK of our FIN */
};

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
	struct sock *sock;	/* the slot it serves; NULL once detached (then
				 * it is on the stack's list) */
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

/* #SCFG, #SCFGEXT, #SCFGEXT2, #SCFGEXT3 values of one socket. */
struct sock_cfg {
	int cid, pktsz, maxto, connto, txto;
	int srmode, recv_hex, keepalive, listen_auto, send_hex;
	int buffer_start, abort_conn, sring_len, sring_to, nocarrier_mode;
	int imm_rsp, closure_cmd;
};

/* One socket slot as the host sees it. */
struct sock {
	int id;
	struct sim *sim;
	struct sock_cfg cfg;
	enum sock_phase phase;
	struct conn *conn;
	struct evbuffer *rxbuf;		/* received, waiting for #SRECV or online mode */
	int conn_mode;			/* 0 online, 1 command mode */
	int closure_type;
	int imm;			/* connect started with immRsp: no command waits */
	uint64_t sent;
	uint64_t received;
	int last_closure;
	int dropped;			/* the network forgot it (drop, nat-timeout) */
	int remote_closed;		/* the peer closed; waiting for the host to read */
	int sring_sent;			/* srMode 0: SRING given since the last #SRECV */
	unsigned nat_timeout_s;		/* 0: never */
	uint64_t last_activity_ms;
	struct event *ev_idle;		/* nat-timeout */
	struct event *ev_maxto;		/* #SCFG maxTo inactivity */
	struct event *ev_connto;	/* #SD connTo */
	char rhost[256];
	char raddr[64];
	int rport;
	int lport;
};

/* The stack as a whole: the jam of 12.00.004 lives here. */
struct stack {
	struct sim *sim;
	struct conn_list conns;		/* detached connections */
	int jammed;
	unsigned overlaps;
	unsigned jams;
	unsigned nat_default_s;
	struct event *ev_jam_clear;
};

struct stack *stack_new(struct sim *sim);
void stack_free(struct stack *st);
/* The module reboots: every attached connection is forgotten (the peer gets
 * a reset when it next sends), overlaps and the jam are cleared. */
void stack_reboot(struct stack *st, struct sock *socks);
/* Send the FINs 12.00.004 deferred. Returns how many were pending. */
int stack_flush_deferred(struct stack *st);
int stack_deferred_count(const struct stack *st);
/* The network deactivated the context: deferred FINs are never sent. */
void stack_pdp_lost(struct stack *st);
/* The stack stops moving payload on every connection until a reboot. */
void stack_jam(struct stack *st, const char *why);
void stack_unjam(struct stack *st, const char *why);
void stack_state(const struct stack *st, struct evbuffer *out);

void sock_init(struct sock *s, struct sim *sim, int id);
void sock_free(struct sock *s);
void sock_default_cfg(struct sock_cfg *cfg);
/* Back to a closed slot with zeroed counters (reboot). */
void sock_reset(struct sock *s);
/* Start a connection. Returns 0 (the outcome comes later through
 * modem_sock_connected) or a +CME ERROR code. */
int sock_connect(struct sock *s, const char *host, int port, int conn_mode, int closure, int imm);
/* Accept bytes from the host. Returns 0 or a +CME ERROR code. */
int sock_send(struct sock *s, const void *buf, size_t len);
/* Take up to max received bytes out of the buffer. */
size_t sock_recv(struct sock *s, void *buf, size_t max);
/* #SH. Returns 1 when done, 0 when modem_sock_shutdown_done follows. */
int sock_shutdown(struct sock *s);
/* The buffer was read or pumped: resume reading, finish a remote close. */
void sock_consumed(struct sock *s);
/* Re-evaluate whether bytes may move (drop, jam, registration changed). */
void sock_update_io(struct sock *s);
/* Faults and network events. */
void sock_drop(struct sock *s, const char *why);
void sock_rst(struct sock *s);
void sock_fin(struct sock *s);
/* The context went away: the network forgets the connection. */
void sock_pdp_lost(struct sock *s, int notify);
void sock_set_nat_timeout(struct sock *s, unsigned sec);
/* #SS state (0..7) and #SI numbers. */
int sock_ss_state(const struct sock *s, int online);
size_t sock_buff_in(const struct sock *s);
size_t sock_ack_waiting(const struct sock *s);
int sock_stalled(const struct sock *s);

#endif
