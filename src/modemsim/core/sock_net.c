/* What happens to a slot from outside: the network forgets it (drop,
 * nat-timeout), the peer resets or closes it, the context goes away. */
#include "config.h"

#include <sys/socket.h>

#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "conn.h"
#include "log.h"
#include "sim.h"
#include "sock.h"

static void
sock_idle_cb(int fd, short what, void *arg)
{
	sock_drop(arg, "nat-timeout");
}

void
sock_drop(struct sock *s, const char *why)
{
	if (s->phase != SOCK_OPEN || s->dropped)
		return;
	s->dropped = 1;
	if (s->ev_idle != NULL)
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
		s->stack->ls->data(s->stack->ls_arg, s);
	s->stack->ls->remote_fin(s->stack->ls_arg, s);
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
		struct conn *c = sock_take_conn(s);

		if (c->phase == CONN_CONNECTING)
			conn_free(c, 1);
		else
			conn_zombie(c, 0);
		stack_trim(s->stack);
	}
	s->phase = SOCK_CLOSED;
	s->remote_closed = 0;
	evbuffer_drain(s->rxbuf, evbuffer_get_length(s->rxbuf));
	if (was == SOCK_CONNECTING) {
		s->stack->ls->connected(s->stack->ls_arg, s, 562);
		return;
	}
	if (!notify)
		return;
	if (s->last_closure == CLOSURE_NONE)
		s->last_closure = CLOSURE_PDP;
	s->stack->ls->closed(s->stack->ls_arg, s, CLOSURE_PDP);
}

void
sock_set_nat_timeout(struct sock *s, unsigned ms)
{
	if (s->ev_idle == NULL &&
	    (s->ev_idle = evtimer_new(s->sim->base, sock_idle_cb, s)) == NULL)
		fatalx("sock: out of memory");
	s->nat_timeout_ms = ms;
	evtimer_del(s->ev_idle);
	sock_activity(s);
}
