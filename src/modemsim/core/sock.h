/* The module's TCP/IP stack: socket slots (ids 0..SOCK_SLOTS-1; a personality
 * uses its own range of them), each backed by
 * a real non-blocking kernel TCP socket, plus the connections the slots have
 * let go of (closing, deferred by 12.00.004, or forgotten by the network). */
#ifndef MODEMSIM_SOCK_H
#define MODEMSIM_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "conn.h"

struct sim;
struct event;
struct evbuffer;

#define SOCK_SLOTS 13	/* slot ids 0..12: Telit uses 1..6, Quectel 0..11 */

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

/* #SCFG, #SCFGEXT, #SCFGEXT2, #SCFGEXT3 values of one socket. */
struct sock_cfg {
	int cid, pktsz, maxto, connto, txto;
	int srmode, recv_hex, keepalive, listen_auto, send_hex;
	int buffer_start, abort_conn, sring_len, sring_to, nocarrier_mode;
	int imm_rsp, closure_cmd;
	/* Module keepalive in seconds (0: off), when keepalive (minutes) is 0. */
	int ka_idle_s, ka_interval_s, ka_probes;
};

/* One socket slot as the host sees it. */
struct sock {
	int id;
	struct sim *sim;
	struct stack *stack;
	struct sock_cfg cfg;
	enum sock_phase phase;
	struct conn *conn;
	struct evbuffer *rxbuf;		/* received, waiting for #SRECV or online mode */
	int conn_mode;			/* 0 online, 1 command mode */
	int closure_type;
	int imm;			/* connect started with immRsp: no command waits */
	int port;			/* the AT port that opened it (or waits on #SH) */
	uint64_t sent;
	uint64_t received;
	int last_closure;
	int dropped;			/* the network forgot it (drop, nat-timeout) */
	int remote_closed;		/* the peer closed; waiting for the host to read */
	int sring_sent;			/* srMode 0: SRING given since the last #SRECV */
	unsigned nat_timeout_ms;	/* 0: never */
	uint64_t last_activity_ms;
	struct event *ev_idle;		/* nat-timeout */
	struct event *ev_maxto;		/* #SCFG maxTo inactivity */
	struct event *ev_connto;	/* #SD connTo */
	char rhost[256];
	char raddr[64];
	int rport;
	int lport;
};

/* What the slots report to the module above them (modem.c registers it). */
struct sock_listener {
	/* The connect started by sock_connect() ended: 0 or a +CME ERROR code. */
	void (*connected)(void *arg, struct sock *s, int cme);
	/* Received bytes wait in s->rxbuf (or the remote closed with bytes left). */
	void (*data)(void *arg, struct sock *s);
	/* The slot closed with a #SLASTCLOSURE cause. */
	void (*closed)(void *arg, struct sock *s, int cause);
	/* The peer's FIN arrived (bytes may still wait in s->rxbuf). */
	void (*remote_fin)(void *arg, struct sock *s);
	/* A pending #SH is done. */
	void (*shutdown_done)(void *arg, struct sock *s);
	/* Whether the network carries bytes now (radio, SIM, registration). */
	int (*data_path)(void *arg);
	/* The module's address on context cid. */
	const char *(*local_ip)(void *arg, int cid);
};

/* The slots socks[0..SOCK_SLOTS-1] live on st and report to ls. */
void sock_attach(struct stack *st, struct sock *socks, const struct sock_listener *ls, void *arg);
/* The module reboots: the slot's connection is forgotten (the peer gets a
 * reset when it next sends, unless the network had dropped it already). */
void sock_forget(struct sock *s);
void sock_init(struct sock *s, struct sim *sim, struct stack *st, int id);
void sock_free(struct sock *s);
void sock_default_cfg(struct sock_cfg *cfg);
/* Back to a closed slot with zeroed counters (reboot). */
void sock_reset(struct sock *s);
/* Start a connection. Returns 0 (the outcome comes later through
 * the listener's connected) or a +CME ERROR code. */
int sock_connect(struct sock *s, const char *host, int port, int conn_mode, int closure, int imm);
/* Accept bytes from the host. Returns 0 or a +CME ERROR code. */
int sock_send(struct sock *s, const void *buf, size_t len);
/* Take up to max received bytes out of the buffer. */
size_t sock_recv(struct sock *s, void *buf, size_t max);
/* #SH, +QICLOSE: our FIN, waiting at most wait_ms for its ACK. Returns 1
 * when done, 0 when the listener's shutdown_done follows. */
int sock_shutdown(struct sock *s, unsigned wait_ms);
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
void sock_set_nat_timeout(struct sock *s, unsigned ms);
/* #SI numbers. */
size_t sock_buff_in(const struct sock *s);
size_t sock_ack_waiting(const struct sock *s);
int sock_stalled(const struct sock *s);


/* Between sock.c and sock_net.c (which calls sock.c, never the reverse). */
void sock_stop_timers(struct sock *s);
/* Bytes moved: restart the maxTo and nat-timeout clocks. */
void sock_activity(struct sock *s);
/* Gone at once with cause 2; linger 1 resets the peer too. */
void sock_reset_now(struct sock *s, int linger);
/* The slot lets go of its connection: the caller disposes of it. */
struct conn *sock_take_conn(struct sock *s);

#endif
