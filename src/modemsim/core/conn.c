/* Kernel TCP connections and the stack that keeps the ones the slots have
 * let go of. Reports go up through the stack's struct conn_events. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "conn.h"
#include "log.h"
#include "sim.h"
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

static struct timeval
conn_tv(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

void
conn_arm_timer(struct conn *c, unsigned ms)
{
	struct timeval tv = conn_tv(ms);

	evtimer_add(c->ev_timer, &tv);
}

/* Close the kernel socket and free the connection. abort: RST, not FIN. */
void
conn_free(struct conn *c, int abort)
{
	struct linger lg = { 1, 0 };

	if (c->sock == NULL)
		TAILQ_REMOVE(&c->stack->conns, c, entry);
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
void
conn_zombie(struct conn *c, int rst)
{
	conn_detach(c, rst ? CONN_ZOMBIE_RST : CONN_ZOMBIE);
	evbuffer_drain(c->txq, evbuffer_get_length(c->txq));
	if (rst)
		event_add(c->ev_read, NULL);
}

/* Keep at most STACK_ZOMBIES forgotten connections: reset the oldest. */
void
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
int
conn_flush(struct conn *c)
{
	int n;

	while (evbuffer_get_length(c->txq) > 0) {
		n = evbuffer_write(c->txq, c->fd);
		if (n > 0) {
			if (c->sock != NULL)
				c->stack->ev->wrote(c->sock);
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
void
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

/* #SH on 12.00.006: poll until the FIN is acknowledged, then answer. */
static void
conn_shut_poll(struct conn *c)
{
	struct sock *waiter = c->waiter;
	struct stack *st = c->stack;
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
		st->ev->shut_done(waiter);
}

static void
conn_read_cb(int fd, short what, void *arg)
{
	struct conn *c = arg;

	switch (c->phase) {
	case CONN_OPEN:
		c->stack->ev->readable(c->sock);
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
		c->stack->ev->connected(c->sock);
		break;
	case CONN_OPEN:
		if (conn_flush(c) == -1)
			c->stack->ev->broken(c->sock);
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

	switch (c->phase) {
	case CONN_CONNECTING:
		c->stack->ev->connect_timeout(c->sock);
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

struct conn *
conn_start(struct stack *st, struct sock *s, int fd, unsigned ms)
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
	event_add(c->ev_write, NULL);
	conn_arm_timer(c, ms);
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
stack_reboot(struct stack *st)
{
	struct conn *c, *next;

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
	struct timeval tv = conn_tv(st->sim->opt.jam_clear_ms);

	if (st->jammed)
		return;
	st->jammed = 1;
	st->jams++;
	sim_event(st->sim, "event", "stack jammed (%s): payload stops on every socket", why);
	if (st->sim->opt.jam_clear_ms > 0)
		evtimer_add(st->ev_jam_clear, &tv);
	st->ev->io_changed(st->ev_arg);
}

void
stack_unjam(struct stack *st, const char *why)
{
	if (!st->jammed)
		return;
	st->jammed = 0;
	evtimer_del(st->ev_jam_clear);
	sim_event(st->sim, "event", "stack unjammed (%s)", why);
	st->ev->io_changed(st->ev_arg);
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
	evbuffer_add_printf(out, "nat_timeout_default=%g\n", st->nat_default_ms / 1000.0);
}

void
conn_defer(struct conn *c, unsigned ms)
{
	conn_detach(c, CONN_DEFERRED);
	conn_arm_timer(c, ms);
}

void
conn_shut(struct conn *c, struct sock *waiter, uint64_t deadline_ms)
{
	conn_detach(c, CONN_SHUTTING);
	c->waiter = waiter;
	c->deadline_ms = deadline_ms;
	if (conn_flush(c) == -1 || evbuffer_get_length(c->txq) == 0) {
		shutdown(c->fd, SHUT_WR);
		c->fin_sent = 1;
	}
	event_add(c->ev_read, NULL);
	conn_arm_timer(c, CONN_POLL_MS);
}
