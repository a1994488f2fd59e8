#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "modem.h"
#include "profile.h"
#include "sim.h"
#include "sock.h"
#include "util.h"
#include "xmalloc.h"

#define CONN_CLOSE_MS	10000	/* a closing connection waits this long for EOF */
#define CONN_POLL_MS	5	/* #SH polls the kernel's TCP state this often */
#define STACK_ZOMBIES	256	/* forgotten connections kept open at most */

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar) \
	for ((var) = TAILQ_FIRST(head); (var) != NULL && \
	    ((tvar) = TAILQ_NEXT(var, field), 1); (var) = (tvar))
#endif

static void conn_begin_close(struct conn *c);
static void sock_close_local(struct sock *s, int cause);
static void sock_activity(struct sock *s);

static struct modem *
sock_modem(const struct sock *s)
{
	return s->sim->modem;
}

static struct timeval
sock_tv(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

static void
conn_arm_timer(struct conn *c, unsigned ms)
{
	struct timeval tv = sock_tv(ms);

	evtimer_add(c->ev_timer, &tv);
}

/* Close the kernel socket and free the connection. abort: RST, not FIN. */
static void
conn_free(struct conn *c, int abort)
{
	struct linger lg = { 1, 0 };

	if (c->sock == NULL)
		TAILQ_REMOVE(&c->stack->conns, c, entry);
	else if (c->sock->conn == c)
		c->sock->conn = NULL;
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->ev_timer);
	evbuffer_free(c->txq);
	if (abort)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c->fd);
	free(c);
}

/* Move a connection off its slot onto the stack's list in a new phase. */
static void
conn_detach(struct conn *c, enum conn_phase phase)
{
	if (c->sock != NULL) {
		if (c->sock->conn == c)
			c->sock->conn = NULL;
		c->sock = NULL;
		TAILQ_INSERT_TAIL(&c->stack->conns, c, entry);
	}
	c->phase = phase;
	c->waiter = NULL;
	event_del(c->ev_read);
	event_del(c->ev_write);
	evtimer_del(c->ev_timer);
}

static int
stack_count(const struct stack *st, enum conn_phase phase)
{
	const struct conn *c;
	int n = 0;

	TAILQ_FOREACH(c, &st->conns, entry)
		n += c->phase == phase;
	return n;
}

/* The network or the module forgot the connection: keep the kernel socket
 * so the peer learns nothing (or, rst, a reset when it next sends). */
static void
conn_zombie(struct conn *c, int rst)
{
	conn_detach(c, rst ? CONN_ZOMBIE_RST : CONN_ZOMBIE);
	evbuffer_drain(c->txq, evbuffer_get_length(c->txq));
	if (rst)
		event_add(c->ev_read, NULL);
}

/* Keep at most STACK_ZOMBIES forgotten connections: reset the oldest. */
static void
stack_trim(struct stack *st)
{
	struct conn *c;

	while (stack_count(st, CONN_ZOMBIE) + stack_count(st, CONN_ZOMBIE_RST) > STACK_ZOMBIES) {
		TAILQ_FOREACH(c, &st->conns, entry)
			if (c->phase == CONN_ZOMBIE || c->phase == CONN_ZOMBIE_RST)
				break;
		conn_free(c, 1);
	}
}

/* Write queued bytes. 0: all out or waiting for EV_WRITE; -1: broken. */
static int
conn_flush(struct conn *c)
{
	int n;

	while (evbuffer_get_length(c->txq) > 0) {
		n = evbuffer_write(c->txq, c->fd);
		if (n > 0) {
			if (c->sock != NULL)
				sock_activity(c->sock);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			event_add(c->ev_write, NULL);
			return 0;
		}
		return -1;
	}
	return 0;
}

/* Our FIN has been acknowledged (or the connection is gone). */
static int
conn_fin_acked(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return 1;
	return ti.tcpi_state == TCP_FIN_WAIT2 || ti.tcpi_state == TCP_TIME_WAIT ||
	    ti.tcpi_state == TCP_CLOSE;
}

/* Read and throw away what a closing connection still receives. */
static void
conn_discard(struct conn *c)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(c->fd, buf, sizeof(buf))) > 0)
		;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (c->phase == CONN_CLOSING) {
		conn_free(c, 0);
		return;
	}
	/* SHUTTING: the peer's FIN (or an error); #SH keeps polling. */
	event_del(c->ev_read);
}

/* Closing: any unsent bytes, then the FIN, then wait for the peer's EOF. */
static void
conn_begin_close(struct conn *c)
{
	if (c->phase != CONN_CLOSING)
		conn_detach(c, CONN_CLOSING);
	evtimer_del(c->ev_timer);
	conn_arm_timer(c, CONN_CLOSE_MS);
	if (evbuffer_get_length(c->txq) > 0) {
		if (conn_flush(c) == -1) {
			conn_free(c, 0);
			return;
		}
		if (evbuffer_get_length(c->txq) > 0)
			return;
	}
	if (!c->fin_sent)
		shutdown(c->fd, SHUT_WR);
	c->fin_sent = 1;
	event_add(c->ev_read, NULL);
}

/* The handshake finished (or failed). */
static void
conn_connected(struct conn *c)
{
	struct sock *s = c->sock;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int err = 0;

	evtimer_del(c->ev_timer);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		sim_event(s->sim, "event", "socket %d connect to %s:%d failed: %s", s->id,
		    s->rhost, s->rport, strerror(err));
		conn_free(c, 0);
		s->phase = SOCK_CLOSED;
		modem_sock_connected(sock_modem(s), s, err == ETIMEDOUT ? 559 : 562);
		return;
	}
	len = sizeof(ss);
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == 0)
		getnameinfo((struct sockaddr *)&ss, len, s->raddr, sizeof(s->raddr), NULL, 0,
		    NI_NUMERICHOST);
	len = sizeof(ss);
	if (getsockname(c->fd, (struct sockaddr *)&ss, &len) == 0)
		s->lport = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	c->phase = CONN_OPEN;
	s->phase = SOCK_OPEN;
	sim_event(s->sim, "event", "socket %d connected %s:%d -> %s:%d%s", s->id,
	    modem_local_ip(sock_modem(s), s->cfg.cid), s->lport, s->raddr, s->rport,
	    s->sim->stack->jammed ? " (jammed)" : "");
	sock_activity(s);
	sock_update_io(s);
	modem_sock_connected(sock_modem(s), s, 0);
}

/* #SH on 12.00.006: poll until the FIN is acknowledged, then answer. */
static void
conn_shut_poll(struct conn *c)
{
	struct sock *waiter = c->waiter;
	int eof_seen = !event_pending(c->ev_read, EV_READ, NULL);

	if (util_now_ms() < c->deadline_ms && (!c->fin_sent || !conn_fin_acked(c->fd))) {
		conn_arm_timer(c, CONN_POLL_MS);
		return;
	}
	c->waiter = NULL;
	if (!c->fin_sent) {
		/* Timed out with data the peer never took: keep trying a while. */
		conn_begin_close(c);
	} else {
		c->phase = CONN_CLOSING;
		conn_arm_timer(c, CONN_CLOSE_MS);
		if (eof_seen)
			conn_free(c, 0);
	}
	if (waiter != NULL)
		modem_sock_shutdown_done(sock_modem(waiter), waiter);
}

static void sock_read(struct sock *s);
static void sock_remote_abort(struct sock *s);

static void
conn_read_cb(int fd, short what, void *arg)
{
	struct conn *c = arg;

	switch (c->phase) {
	case CONN_OPEN:
		sock_read(c->sock);
		break;
	case CONN_CLOSING:
	case CONN_SHUTTING:
		conn_discard(c);
		break;
	case CONN_ZOMBIE_RST:
		conn_free(c, 1);
		break;
	case CONN_CONNECTING:
	case CONN_DEFERRED:
	case CONN_ZOMBIE:
		event_del(c->ev_read);
		break;
	}
}

static void
conn_write_cb(int fd, short what, void *arg)
{
	struct conn *c = arg;

	switch (c->phase) {
	case CONN_CONNECTING:
		conn_connected(c);
		break;
	case CONN_OPEN:
		if (conn_flush(c) == -1)
			sock_remote_abort(c->sock);
		break;
	case CONN_CLOSING:
		conn_begin_close(c);
		break;
	case CONN_SHUTTING:
		if (conn_flush(c) == -1 || evbuffer_get_length(c->txq) == 0) {
			shutdown(c->fd, SHUT_WR);
			c->fin_sent = 1;
		}
		break;
	case CONN_DEFERRED:
	case CONN_ZOMBIE:
	case CONN_ZOMBIE_RST:
		break;
	}
}

static void
conn_timer_cb(int fd, short what, void *arg)
{
	struct conn *c = arg;
	struct sock *s = c->sock;

	switch (c->phase) {
	case CONN_CONNECTING:
		sim_event(s->sim, "event", "socket %d connect to %s:%d timed out", s->id,
		    s->rhost, s->rport);
		conn_free(c, 1);
		s->phase = SOCK_CLOSED;
		modem_sock_connected(sock_modem(s), s, 559);
		break;
	case CONN_SHUTTING:
		conn_shut_poll(c);
		break;
	case CONN_DEFERRED:
		sim_event(c->stack->sim, "event", "deferred close sent after %u ms",
		    c->stack->sim->opt.close_defer_ms);
		conn_begin_close(c);
		break;
	case CONN_CLOSING:
		conn_free(c, 1);
		break;
	case CONN_OPEN:
	case CONN_ZOMBIE:
	case CONN_ZOMBIE_RST:
		break;
	}
}

static struct conn *
conn_new(struct stack *st, struct sock *s, int fd)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	struct event_base *base = st->sim->base;

	c->stack = st;
	c->sock = s;
	c->fd = fd;
	c->phase = CONN_CONNECTING;
	c->txq = evbuffer_new();
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->ev_write = event_new(base, fd, EV_WRITE, conn_write_cb, c);
	c->ev_timer = evtimer_new(base, conn_timer_cb, c);
	if (c->txq == NULL || c->ev_read == NULL || c->ev_write == NULL || c->ev_timer == NULL)
		fatalx("sock: out of memory");
	return c;
}

static void
stack_jam_clear_cb(int fd, short what, void *arg)
{
	stack_unjam(arg, "jam-clear time passed");
}

struct stack *
stack_new(struct sim *sim)
{
	struct stack *st = xcalloc(1, sizeof(*st));

	st->sim = sim;
	TAILQ_INIT(&st->conns);
	if ((st->ev_jam_clear = evtimer_new(sim->base, stack_jam_clear_cb, st)) == NULL)
		fatalx("stack: out of memory");
	return st;
}

void
stack_free(struct stack *st)
{
	struct conn *c;

	if (st == NULL)
		return;
	while ((c = TAILQ_FIRST(&st->conns)) != NULL)
		conn_free(c, c->phase == CONN_ZOMBIE_RST);
	event_free(st->ev_jam_clear);
	free(st);
}

void
stack_reboot(struct stack *st, struct sock *socks)
{
	struct conn *c, *next;

	for (int i = 1; i <= SOCK_COUNT; i++) {
		struct sock *s = &socks[i];

		if ((c = s->conn) == NULL)
			continue;
		if (c->phase == CONN_CONNECTING)
			conn_free(c, 1);
		else
			conn_zombie(c, !s->dropped);
	}
	TAILQ_FOREACH_SAFE(c, &st->conns, entry, next) {
		if (c->phase == CONN_DEFERRED)
			conn_zombie(c, 1);
		else if (c->phase == CONN_SHUTTING)
			c->waiter = NULL;
	}
	stack_trim(st);
	if (st->jammed)
		stack_unjam(st, "reboot");
	st->overlaps = 0;
}

int
stack_flush_deferred(struct stack *st)
{
	struct conn *c, *next;
	int n = 0;

	TAILQ_FOREACH_SAFE(c, &st->conns, entry, next) {
		if (c->phase != CONN_DEFERRED)
			continue;
		conn_begin_close(c);
		n++;
	}
	return n;
}

void
stack_pdp_lost(struct stack *st)
{
	struct conn *c, *next;

	TAILQ_FOREACH_SAFE(c, &st->conns, entry, next)
		if (c->phase == CONN_DEFERRED)
			conn_zombie(c, 0);
	stack_trim(st);
}

int
stack_deferred_count(const struct stack *st)
{
	return stack_count(st, CONN_DEFERRED);
}

void
stack_jam(struct stack *st, const char *why)
{
	struct timeval tv = sock_tv(st->sim->opt.jam_clear_ms);

	if (st->jammed)
		return;
	st->jammed = 1;
	st->jams++;
	sim_event(st->sim, "event", "stack jammed (%s): payload stops on every socket", why);
	if (st->sim->opt.jam_clear_ms > 0)
		evtimer_add(st->ev_jam_clear, &tv);
	modem_update_io(st->sim->modem);
}

void
stack_unjam(struct stack *st, const char *why)
{
	if (!st->jammed)
		return;
	st->jammed = 0;
	evtimer_del(st->ev_jam_clear);
	sim_event(st->sim, "event", "stack unjammed (%s)", why);
	modem_update_io(st->sim->modem);
}

void
stack_state(const struct stack *st, struct evbuffer *out)
{
	evbuffer_add_printf(out, "jammed=%d\noverlaps=%u\njam_after=%d\njams=%u\n",
	    st->jammed, st->overlaps, st->sim->opt.jam_after, st->jams);
	evbuffer_add_printf(out, "deferred_closes=%d\nclosing=%d\nzombies=%d\n",
	    stack_count(st, CONN_DEFERRED),
	    stack_count(st, CONN_CLOSING) + stack_count(st, CONN_SHUTTING),
	    stack_count(st, CONN_ZOMBIE) + stack_count(st, CONN_ZOMBIE_RST));
	evbuffer_add_printf(out, "nat_timeout_default=%u\n", st->nat_default_s);
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

static void
sock_idle_cb(int fd, short what, void *arg)
{
	sock_drop(arg, "nat-timeout");
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
	modem_sock_connected(sock_modem(s), s, 559);
}

void
sock_init(struct sock *s, struct sim *sim, int id)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->sim = sim;
	s->rxbuf = evbuffer_new();
	s->ev_maxto = evtimer_new(sim->base, sock_maxto_cb, s);
	s->ev_idle = evtimer_new(sim->base, sock_idle_cb, s);
	s->ev_connto = evtimer_new(sim->base, sock_connto_cb, s);
	if (s->rxbuf == NULL || s->ev_maxto == NULL || s->ev_idle == NULL || s->ev_connto == NULL)
		fatalx("sock: out of memory");
	sock_default_cfg(&s->cfg);
	s->conn_mode = 1;
}

void
sock_free(struct sock *s)
{
	if (s->conn != NULL)
		conn_free(s->conn, 1);
	evbuffer_free(s->rxbuf);
	event_free(s->ev_maxto);
	event_free(s->ev_idle);
	event_free(s->ev_connto);
}

static void
sock_stop_timers(struct sock *s)
{
	evtimer_del(s->ev_maxto);
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
		conn_free(s->conn, 1);
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
	return s->dropped || s->sim->stack->jammed || !modem_data_path(sock_modem(s));
}

/* Bytes moved: restart the maxTo and nat-timeout clocks. */
static void
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
	if (s->nat_timeout_s > 0 && !s->dropped) {
		tv = sock_tv(s->nat_timeout_s * 1000);
		evtimer_add(s->ev_idle, &tv);
	}
}

/* Resolve host and start a non-blocking connect; a CME code on failure. */
static int
sock_dial(struct sock *s, const char *host, int port)
{
	struct addrinfo hints, *res, *bres = NULL;
	char portstr[16];
	int fd, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = s->sim->opt.bind != NULL && strchr(s->sim->opt.bind, ':') == NULL ?
	    AF_INET : AF_UNSPEC;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host, portstr, &hints, &res) != 0)
		return 558;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		freeaddrinfo(res);
		return 557;
	}
	if (s->sim->opt.bind != NULL) {
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
		hints.ai_family = res->ai_family;
		if (getaddrinfo(s->sim->opt.bind, "0", &hints, &bres) != 0 ||
		    bind(fd, bres->ai_addr, bres->ai_addrlen) == -1)
			log_warn("bind %s", s->sim->opt.bind);
		if (bres != NULL)
			freeaddrinfo(bres);
	}
	if (s->cfg.keepalive > 0) {
		int idle = s->cfg.keepalive * 60;

		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	}
	rc = connect(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc == -1 && errno != EINPROGRESS) {
		close(fd);
		return errno == ETIMEDOUT ? 559 : 562;
	}
	s->conn = conn_new(s->sim->stack, s, fd);
	event_add(s->conn->ev_write, NULL);
	conn_arm_timer(s->conn, (unsigned)s->cfg.connto * 100);
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
	if (!modem_data_path(sock_modem(s))) {
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
			modem_sock_data(sock_modem(s), s);
		sock_consumed(s);
		return;
	}
	s->received += (uint64_t)n;
	sock_activity(s);
	if (evbuffer_get_length(s->rxbuf) >= s->sim->opt.rx_buffer)
		event_del(s->conn->ev_read);
	modem_sock_data(sock_modem(s), s);
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
	if (c != NULL && s->dropped) {
		conn_zombie(c, 0);
		stack_trim(s->sim->stack);
	} else if (c != NULL)
		conn_begin_close(c);
	if (s->last_closure == CLOSURE_NONE)
		s->last_closure = cause;
	modem_sock_closed(sock_modem(s), s, cause);
}

/* The connection is gone at once with cause 2 (reset); linger 1 sends the
 * peer a reset too (the rst fault), 0 closes after the peer's own abort. */
static void
sock_reset_now(struct sock *s, int linger)
{
	conn_free(s->conn, linger);
	sock_stop_timers(s);
	s->phase = SOCK_CLOSED;
	s->remote_closed = 0;
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	if (s->last_closure == CLOSURE_NONE)
		s->last_closure = CLOSURE_REMOTE_RST;
	modem_sock_closed(sock_modem(s), s, CLOSURE_REMOTE_RST);
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
sock_shutdown(struct sock *s)
{
	struct conn *c = s->conn;
	const struct profile *prof = s->sim->opt.profile;

	sock_stop_timers(s);
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	s->remote_closed = 0;
	s->phase = SOCK_CLOSED;
	if (c == NULL)
		return 1;
	sim_event(s->sim, "event", "socket %d closed by #SH", s->id);
	if (c->phase == CONN_CONNECTING) {
		conn_free(c, 1);
		return 1;
	}
	if (s->dropped) {
		conn_zombie(c, 0);
		stack_trim(s->sim->stack);
		return 1;
	}
	if (s->sim->stack->jammed)
		evbuffer_drain(c->txq, evbuffer_get_length(c->txq));
	if (prof->deferred_close) {
		conn_detach(c, CONN_DEFERRED);
		conn_arm_timer(c, s->sim->opt.close_defer_ms);
		sim_event(s->sim, "event", "socket %d: #SH answered, FIN deferred (%d pending)",
		    s->id, stack_deferred_count(s->sim->stack));
		return 1;
	}
	conn_detach(c, CONN_SHUTTING);
	c->waiter = s;
	c->deadline_ms = util_now_ms() + s->sim->opt.sh_timeout_ms;
	if (conn_flush(c) == -1 || evbuffer_get_length(c->txq) == 0) {
		shutdown(c->fd, SHUT_WR);
		c->fin_sent = 1;
	}
	event_add(c->ev_read, NULL);
	conn_arm_timer(c, CONN_POLL_MS);
	return 0;
}

void
sock_drop(struct sock *s, const char *why)
{
	if (s->phase != SOCK_OPEN || s->dropped)
		return;
	s->dropped = 1;
	evtimer_del(s->ev_idle);
	sim_event(s->sim, "event", "socket %d forgotten by the network (%s)", s->id, why);
	sock_update_io(s);
}

void
sock_rst(struct sock *s)
{
	if (s->conn == NULL || s->phase != SOCK_OPEN)
		return;
	sock_reset_now(s, 1);
}

void
sock_fin(struct sock *s)
{
	if (s->conn == NULL || s->phase != SOCK_OPEN || s->remote_closed)
		return;
	shutdown(s->conn->fd, SHUT_WR);
	s->conn->fin_sent = 1;
	s->remote_closed = 1;
	event_del(s->conn->ev_read);
	if (evbuffer_get_length(s->rxbuf) > 0)
		modem_sock_data(sock_modem(s), s);
	sock_consumed(s);
}

void
sock_pdp_lost(struct sock *s, int notify)
{
	enum sock_phase was = s->phase;

	if (was == SOCK_CLOSED)
		return;
	sock_stop_timers(s);
	if (s->conn != NULL) {
		if (s->conn->phase == CONN_CONNECTING)
			conn_free(s->conn, 1);
		else
			conn_zombie(s->conn, 0);
		stack_trim(s->sim->stack);
	}
	s->phase = SOCK_CLOSED;
	s->remote_closed = 0;
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	if (was == SOCK_CONNECTING) {
		modem_sock_connected(sock_modem(s), s, 562);
		return;
	}
	if (!notify)
		return;
	if (s->last_closure == CLOSURE_NONE)
		s->last_closure = CLOSURE_PDP;
	modem_sock_closed(sock_modem(s), s, CLOSURE_PDP);
}

void
sock_set_nat_timeout(struct sock *s, unsigned sec)
{
	s->nat_timeout_s = sec;
	evtimer_del(s->ev_idle);
	sock_activity(s);
}

int
sock_ss_state(const struct sock *s, int online)
{
	switch (s->phase) {
	case SOCK_CLOSED:
	case SOCK_SHUTTING:
		return 0;
	case SOCK_CONNECTING:
		return s->sim->opt.profile->ss_max_state >= 7 ? 7 : 0;
	case SOCK_OPEN:
		if (online)
			return 1;
		return evbuffer_get_length(s->rxbuf) > 0 ? 3 : 2;
	}
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
	int outq = 0;
	size_t n = 0;

	if (s->conn == NULL)
		return 0;
	/* Every byte the host handed over that the peer has not acknowledged:
	 * the kernel's whole send queue (sent and not yet sent: SIOCOUTQ) plus
	 * what the module still holds itself. Counting only the bytes on the
	 * wire (SIOCOUTQ - SIOCOUTQNSD) would make a stream into a dead
	 * connection look like progress, since under loss most of it waits
	 * unsent behind the retransmissions. */
	if (ioctl(s->conn->fd, SIOCOUTQ, &outq) == 0 && outq > 0)
		n = (size_t)outq;
	n += evbuffer_get_length(s->conn->txq);
	return n;
}
