/* The socket slots (ids 0..SOCK_SLOTS-1) as the host sees them: each slot
 * drives one kernel connection (conn.c) and reports to the module through
 * the struct sock_listener it was attached with. */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "dial.h"
#include "log.h"
#include "profile.h"
#include "sim.h"
#include "sock.h"
#include "util.h"
#include "xmalloc.h"

static void sock_close_local(struct sock *s, int cause);
static void sock_remote_abort(struct sock *s);

static struct timeval
sock_tv(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* The slot lets go of its connection: it is the caller's to dispose of. */
struct conn *
sock_take_conn(struct sock *s)
{
	struct conn *c = s->conn;

	s->conn = NULL;
	return c;
}

/* Free the slot's connection (abort: RST). */
static void
sock_conn_free(struct sock *s, int abort)
{
	conn_free(sock_take_conn(s), abort);
}

void
sock_default_cfg(struct sock_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cid = 1;
	cfg->pktsz = 300;
	cfg->maxto = 90;
	cfg->connto = 600;
	cfg->txto = 50;
}

static void
sock_maxto_cb(int fd, short what, void *arg)
{
	struct sock *s = arg;

	if (s->phase != SOCK_OPEN)
		return;
	sim_event(s->sim, "event", "socket %d inactivity timeout (maxTo %d s)", s->id, s->cfg.maxto);
	sock_close_local(s, CLOSURE_INACTIVITY);
}

/* The radio was down at #SD: nothing answers, so the connect times out. */
static void
sock_connto_cb(int fd, short what, void *arg)
{
	struct sock *s = arg;

	if (s->phase != SOCK_CONNECTING || s->conn != NULL)
		return;
	sim_event(s->sim, "event", "socket %d connect timed out (no network)", s->id);
	s->phase = SOCK_CLOSED;
	s->stack->ls->connected(s->stack->ls_arg, s, 559);
}

void
sock_init(struct sock *s, struct sim *sim, struct stack *st, int id)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->sim = sim;
	s->stack = st;
	s->rxbuf = evbuffer_new();
	s->ev_maxto = evtimer_new(sim->base, sock_maxto_cb, s);
	s->ev_connto = evtimer_new(sim->base, sock_connto_cb, s);
	if (s->rxbuf == NULL || s->ev_maxto == NULL || s->ev_connto == NULL)
		fatalx("sock: out of memory");
	sock_default_cfg(&s->cfg);
	s->conn_mode = 1;
}

void
sock_free(struct sock *s)
{
	if (s->conn != NULL)
		sock_conn_free(s, 1);
	evbuffer_free(s->rxbuf);
	event_free(s->ev_maxto);
	if (s->ev_idle != NULL)
		event_free(s->ev_idle);
	event_free(s->ev_connto);
}

void
sock_stop_timers(struct sock *s)
{
	evtimer_del(s->ev_maxto);
	if (s->ev_idle != NULL)
		evtimer_del(s->ev_idle);
	evtimer_del(s->ev_connto);
}

/* Counters and state of a fresh connection (#SI is cleared on reconnect). */
static void
sock_clear(struct sock *s)
{
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	s->sent = s->received = 0;
	s->last_closure = CLOSURE_NONE;
	s->dropped = 0;
	s->remote_closed = 0;
	s->sring_sent = 0;
	s->raddr[0] = '\0';
	s->lport = 0;
	s->imm = 0;
}

void
sock_reset(struct sock *s)
{
	sock_stop_timers(s);
	if (s->conn != NULL)
		sock_conn_free(s, 1);
	sock_clear(s);
	s->rhost[0] = '\0';
	s->rport = 0;
	s->phase = SOCK_CLOSED;
	s->conn_mode = 1;
	s->closure_type = 0;
	sock_default_cfg(&s->cfg);
}

int
sock_stalled(const struct sock *s)
{
	return s->dropped || s->stack->jammed || !s->stack->ls->data_path(s->stack->ls_arg);
}

/* Bytes moved: restart the maxTo and nat-timeout clocks. */
void
sock_activity(struct sock *s)
{
	struct timeval tv;

	s->last_activity_ms = util_now_ms();
	if (s->phase != SOCK_OPEN)
		return;
	if (s->cfg.maxto > 0) {
		tv = sock_tv((unsigned)s->cfg.maxto * 1000);
		evtimer_add(s->ev_maxto, &tv);
	}
	if (s->nat_timeout_ms > 0 && !s->dropped) {
		tv = sock_tv(s->nat_timeout_ms);
		evtimer_add(s->ev_idle, &tv);
	}
}

/* Start the connect; a CME code on failure. */
static int
sock_dial(struct sock *s, const char *host, int port)
{
	struct dial_keepalive ka = { s->cfg.ka_idle_s, s->cfg.ka_interval_s, s->cfg.ka_probes };
	int fd = -1, rc;

	if (s->cfg.keepalive > 0)
		ka = (struct dial_keepalive){ s->cfg.keepalive * 60, 0, 0 };
	rc = dial_start(host, port, s->sim->opt.bind, &ka, &fd);
	if (rc != 0)
		return rc;
	s->conn = conn_start(s->stack, s, fd, (unsigned)s->cfg.connto * 100);
	return 0;
}

int
sock_connect(struct sock *s, const char *host, int port, int conn_mode, int closure, int imm)
{
	struct timeval tv;
	int rc;

	sock_stop_timers(s);
	sock_clear(s);
	snprintf(s->rhost, sizeof(s->rhost), "%s", host);
	s->rport = port;
	s->conn_mode = conn_mode;
	s->closure_type = closure;
	s->imm = imm;
	s->phase = SOCK_CONNECTING;
	if (!s->stack->ls->data_path(s->stack->ls_arg)) {
		tv = sock_tv((unsigned)s->cfg.connto * 100);
		evtimer_add(s->ev_connto, &tv);
		return 0;
	}
	if ((rc = sock_dial(s, host, port)) != 0) {
		sim_event(s->sim, "event", "socket %d connect to %s:%d failed (%d)", s->id, host,
		    port, rc);
		s->phase = SOCK_CLOSED;
	}
	return rc;
}

/* The handshake finished (or failed). */
static void
sock_connected(struct sock *s)
{
	struct conn *c = s->conn;
	int err;

	evtimer_del(c->ev_timer);
	if ((err = dial_result(c->fd)) != 0) {
		sim_event(s->sim, "event", "socket %d connect to %s:%d failed: %s", s->id,
		    s->rhost, s->rport, strerror(err));
		sock_conn_free(s, 0);
		s->phase = SOCK_CLOSED;
		s->stack->ls->connected(s->stack->ls_arg, s, err == ETIMEDOUT ? 559 : 562);
		return;
	}
	dial_names(c->fd, s->raddr, sizeof(s->raddr), &s->lport);
	c->phase = CONN_OPEN;
	s->phase = SOCK_OPEN;
	sim_event(s->sim, "event", "socket %d connected %s:%d -> %s:%d%s", s->id,
	    s->stack->ls->local_ip(s->stack->ls_arg, s->cfg.cid), s->lport, s->raddr, s->rport,
	    s->stack->jammed ? " (jammed)" : "");
	sock_activity(s);
	sock_update_io(s);
	s->stack->ls->connected(s->stack->ls_arg, s, 0);
}

void
sock_update_io(struct sock *s)
{
	struct conn *c = s->conn;

	if (c == NULL || c->phase != CONN_OPEN)
		return;
	if (!sock_stalled(s) && !s->remote_closed &&
	    evbuffer_get_length(s->rxbuf) < s->sim->opt.rx_buffer)
		event_add(c->ev_read, NULL);
	else
		event_del(c->ev_read);
	if (sock_stalled(s)) {
		event_del(c->ev_write);
		return;
	}
	if (conn_flush(c) == -1)
		sock_remote_abort(s);
}

int
sock_send(struct sock *s, const void *buf, size_t len)
{
	struct conn *c = s->conn;

	if (s->phase != SOCK_OPEN || c == NULL || s->remote_closed)
		return 563;
	if (evbuffer_get_length(c->txq) + len > s->sim->opt.tx_buffer)
		return 563;
	evbuffer_add(c->txq, buf, len);
	s->sent += len;
	sock_activity(s);
	if (!sock_stalled(s) && conn_flush(c) == -1)
		sock_remote_abort(s);
	return 0;
}

size_t
sock_recv(struct sock *s, void *buf, size_t max)
{
	int n = evbuffer_remove(s->rxbuf, buf, max);

	return n > 0 ? (size_t)n : 0;
}

/* Data from the kernel into the socket's buffer, bounded by --rx-buffer. */
static void
sock_read(struct sock *s)
{
	size_t have = evbuffer_get_length(s->rxbuf), room;
	int n;

	if (have >= s->sim->opt.rx_buffer || sock_stalled(s)) {
		event_del(s->conn->ev_read);
		return;
	}
	room = s->sim->opt.rx_buffer - have;
	n = evbuffer_read(s->rxbuf, s->conn->fd, room > 65536 ? 65536 : (int)room);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		sock_remote_abort(s);
		return;
	}
	if (n == 0) {
		sim_event(s->sim, "event", "socket %d: the remote closed (FIN)", s->id);
		s->remote_closed = 1;
		event_del(s->conn->ev_read);
		if (evbuffer_get_length(s->rxbuf) > 0)
			s->stack->ls->data(s->stack->ls_arg, s);
		s->stack->ls->remote_fin(s->stack->ls_arg, s);
		sock_consumed(s);
		return;
	}
	s->received += (uint64_t)n;
	sock_activity(s);
	if (evbuffer_get_length(s->rxbuf) >= s->sim->opt.rx_buffer)
		event_del(s->conn->ev_read);
	s->stack->ls->data(s->stack->ls_arg, s);
}

/* Close our side: the slot is free, the kernel connection winds down. */
static void
sock_close_local(struct sock *s, int cause)
{
	struct conn *c = s->conn;

	sock_stop_timers(s);
	s->phase = SOCK_CLOSED;
	s->remote_closed = 0;
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	s->conn = NULL;
	if (c != NULL && s->dropped) {
		conn_zombie(c, 0);
		stack_trim(s->stack);
	} else if (c != NULL)
		conn_begin_close(c);
	if (s->last_closure == CLOSURE_NONE)
		s->last_closure = cause;
	s->stack->ls->closed(s->stack->ls_arg, s, cause);
}

/* The connection is gone at once with cause 2 (reset); linger 1 sends the
 * peer a reset too (the rst fault), 0 closes after the peer's own abort. */
void
sock_reset_now(struct sock *s, int linger)
{
	sock_conn_free(s, linger);
	sock_stop_timers(s);
	s->phase = SOCK_CLOSED;
	s->remote_closed = 0;
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	if (s->last_closure == CLOSURE_NONE)
		s->last_closure = CLOSURE_REMOTE_RST;
	s->stack->ls->closed(s->stack->ls_arg, s, CLOSURE_REMOTE_RST);
}

/* A reset or a fatal error: the connection is gone at once. */
static void
sock_remote_abort(struct sock *s)
{
	if (s->conn == NULL)
		return;
	sim_event(s->sim, "event", "socket %d: connection reset (%s)", s->id, strerror(errno));
	sock_reset_now(s, 0);
}

void
sock_consumed(struct sock *s)
{
	sock_update_io(s);
	if (s->phase == SOCK_OPEN && s->remote_closed && s->closure_type != 255 &&
	    evbuffer_get_length(s->rxbuf) == 0)
		sock_close_local(s, CLOSURE_REMOTE_FIN);
}

int
sock_shutdown(struct sock *s, unsigned wait_ms)
{
	struct conn *c = s->conn;
	const struct profile *prof = s->sim->opt.profile;

	sock_stop_timers(s);
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	s->remote_closed = 0;
	s->phase = SOCK_CLOSED;
	if (c == NULL)
		return 1;
	s->conn = NULL;
	sim_event(s->sim, "event", "socket %d closed by #SH", s->id);
	if (c->phase == CONN_CONNECTING) {
		conn_free(c, 1);
		return 1;
	}
	if (s->dropped) {
		conn_zombie(c, 0);
		stack_trim(s->stack);
		return 1;
	}
	if (s->stack->jammed)
		evbuffer_drain(c->txq, evbuffer_get_length(c->txq));
	if (prof->deferred_close) {
		conn_defer(c, s->sim->opt.close_defer_ms);
		sim_event(s->sim, "event", "socket %d: #SH answered, FIN deferred (%d pending)",
		    s->id, stack_deferred_count(s->stack));
		return 1;
	}
	conn_shut(c, s, util_now_ms() + wait_ms);
	return 0;
}

size_t
sock_buff_in(const struct sock *s)
{
	return evbuffer_get_length(s->rxbuf);
}

size_t
sock_ack_waiting(const struct sock *s)
{
	size_t n;

	if (s->conn == NULL)
		return 0;
	/* Every byte the host handed over that the peer has not acknowledged:
	 * the kernel's whole send queue (sent and not yet sent: SIOCOUTQ) plus
	 * what the module still holds itself. Counting only the bytes on the
	 * wire (SIOCOUTQ - SIOCOUTQNSD) would make a stream into a dead
	 * connection look like progress, since under loss most of it waits
	 * unsent behind the retransmissions. */
	n = dial_outq(s->conn->fd);
	n += evbuffer_get_length(s->conn->txq);
	return n;
}

/* The FIN of a #SH was acknowledged (or the wait timed out). */
static void
sock_shutdown_done(struct sock *s)
{
	s->stack->ls->shutdown_done(s->stack->ls_arg, s);
}

/* A connect in progress timed out in the kernel's hands (connTo). */
static void
sock_connect_timeout(struct sock *s)
{
	sim_event(s->sim, "event", "socket %d connect to %s:%d timed out", s->id,
	    s->rhost, s->rport);
	sock_conn_free(s, 1);
	s->phase = SOCK_CLOSED;
	s->stack->ls->connected(s->stack->ls_arg, s, 559);
}

/* The jam began or ended: every slot re-evaluates whether bytes may move. */
static void
sock_io_changed(void *arg)
{
	struct sock *socks = arg;

	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_update_io(&socks[i]);
}

static const struct conn_events sock_conn_events = {
	.connected = sock_connected,
	.connect_timeout = sock_connect_timeout,
	.readable = sock_read,
	.broken = sock_remote_abort,
	.wrote = sock_activity,
	.shut_done = sock_shutdown_done,
	.io_changed = sock_io_changed,
};

void
sock_attach(struct stack *st, struct sock *socks, const struct sock_listener *ls, void *arg)
{
	st->ev = &sock_conn_events;
	st->ev_arg = socks;
	st->ls = ls;
	st->ls_arg = arg;
}

void
sock_forget(struct sock *s)
{
	struct conn *c;

	if (s->conn == NULL)
		return;
	c = sock_take_conn(s);
	if (c->phase == CONN_CONNECTING)
		conn_free(c, 1);
	else
		conn_zombie(c, !s->dropped);
}
