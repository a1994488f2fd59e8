/* The listener a link registers with its relay (link_relay.h): each
 * callback hands the relay's news to the link's own functions (the FSM
 * through l->fire, so that this file names nothing of link.c). */
#include "config.h"

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_relay.h"
#include "relay/relay.h"

static size_t
link_relay_inbound(void *arg, const uint8_t *data, size_t len)
{
	return link_inbound(arg, data, len);
}

static void
link_relay_sent(void *arg)
{
	link_net_sent(arg);
}

static void
link_relay_dead(void *arg, enum dead_cause cause, const char *why)
{
	link_dead(arg, cause, why);
}

static void
link_relay_reconnect(void *arg)
{
	struct link *l = arg;

	l->fire(l, LEV_RECONNECT);
}

static void
link_relay_remote_closed(void *arg)
{
	link_remote_closed(arg, 1, CLOSURE_UNKNOWN);
}

static double
link_relay_ack_poll_interval(void *arg)
{
	return link_ack_poll_interval(arg);
}

static const char *
link_relay_state_name(void *arg)
{
	const struct link *l = arg;

	return link_state_names[l->state];
}

static struct modem *
link_relay_modem(void *arg)
{
	const struct link *l = arg;

	return l->env.modem;
}

static const struct conf_control *
link_relay_control(void *arg)
{
	const struct link *l = arg;

	return &(*l->env.conf)->control;
}

static int
link_relay_stopping(void *arg)
{
	const struct link *l = arg;

	return *l->env.stopping;
}

struct relay *
link_relay_new(struct link *l)
{
	const struct relay_listener listener = {
		.inbound = link_relay_inbound,
		.sent = link_relay_sent,
		.dead = link_relay_dead,
		.reconnect = link_relay_reconnect,
		.remote_closed = link_relay_remote_closed,
		.ack_poll_interval = link_relay_ack_poll_interval,
		.state_name = link_relay_state_name,
		.modem = link_relay_modem,
		.control = link_relay_control,
		.stopping = link_relay_stopping,
		.arg = l,
	};

	return relay_new(l->env.base, l->name, l->conf, l->news, &listener);
}

void
link_relay_reconfigure(struct link *l)
{
	relay_reconfigure(l->relay, l->conf);
}
