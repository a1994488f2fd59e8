/* Keepalive of an up link.
 * Idle: after keepalive.idle seconds without a byte crossing the network
 * either way (data, probe or reply: l->ka.last_net_ms) the socket's
 * status is read: data the module holds without having announced it (a lost
 * SRING) is read, a socket the module closed without a NO CARRIER is
 * noticed, and a probe is sent. At most one wake-up per idle period, none
 * while data comes in.
 * Probes (seed 001), three outcomes: the send fails: the module says the
 * socket is gone -> dead at once. No reply within keepalive.timeout,
 * retries + 1 times in a row -> dead (probe-timeout). A reply (or, with
 * reply = "any", any inbound data) -> healthy, RTT recorded. Any byte
 * in or out restarts the idle period, so probes go only over a quiet link;
 * local status polls do not (they move nothing on the network).
 * The connect check: a connection that carries nothing is jammed (below).
 * Deaths are recorded here and fed to the FSM as LEV_DEAD through l->fire. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_bound.h"
#include "link/link_idle.h"
#include "link/link_int.h"
#include "link/link_keepalive.h"
#include "log.h"
#include "relay/relay.h"
#include "util.h"

static void link_on_idle(evutil_socket_t fd, short what, void *arg);
static void link_on_reply_timeout(evutil_socket_t fd, short what, void *arg);
static void link_on_check_timer(evutil_socket_t fd, short what, void *arg);
static void link_on_deadline(evutil_socket_t fd, short what, void *arg);
static void link_deadline_arm(struct link *l);
static void link_check_start(struct link *l);

/* The timers of the idle period, the probe reply and the connect check. */
void
link_keepalive_init(struct link *l, struct event_base *base)
{
	l->ka.ev_check = evtimer_new(base, link_on_check_timer, l);
	l->ka.ev_idle = evtimer_new(base, link_on_idle, l);
	l->ka.ev_reply = evtimer_new(base, link_on_reply_timeout, l);
	l->ka.acct_start_ms = util_now_ms();
	l->ka.ev_deadline = evtimer_new(base, link_on_deadline, l);
}

void
link_keepalive_free(struct link *l)
{
	event_free(l->ka.ev_check);
	event_free(l->ka.ev_idle);
	event_free(l->ka.ev_reply);
	event_free(l->ka.ev_deadline);
	l->ka.ev_check = l->ka.ev_idle = l->ka.ev_reply = l->ka.ev_deadline = NULL;
}

/* ---- the idle clock: from the last byte on the network (issue 17) ---- */

/* Milliseconds left of the idle period counted from the last byte that
 * crossed the network; 0 when it is over. */
static uint64_t
link_idle_left_ms(const struct link *l)
{
	uint64_t end = l->ka.last_net_ms + (uint64_t)(link_idle_period(l) * 1000.0);
	uint64_t now = util_now_ms();

	return end > now ? end - now : 0;
}

/* (Re)start the idle period: it ends idle seconds after the last byte on
 * the network (a settled link may first start a longer trial). */
static void
link_keepalive_arm(struct link *l)
{
	struct timeval tv;

	link_idle_tick(l);
	tv = util_tv_from_sec((double)link_idle_left_ms(l) / 1000.0);
	evtimer_add(l->ka.ev_idle, &tv);
	evtimer_del(l->ka.ev_deadline);		/* a sign of life: no deadline */
}

/* Bytes crossed the network on this connection (either way). */
static void
link_net_mark(struct link *l)
{
	l->ka.last_net_ms = util_now_ms();
}

/* The relay handed bytes to the module: the idle period restarts from
 * them (the idle timer finds that out when it fires). */
void
link_net_sent(struct link *l)
{
	if (l->state == LINK_UP)
		link_net_mark(l);
}

/* Entering up: nothing sent or missed yet; check, then the idle period. */
void
link_keepalive_start(struct link *l)
{
	l->ka.own_sent = 0;
	l->ka.probe_out = 0;
	l->ka.missed = 0;
	l->verified = 0;
	link_net_mark(l);		/* the connect's own segments */
	link_check_start(l);
	link_keepalive_arm(l);
}

void
link_keepalive_stop(struct link *l)
{
	evtimer_del(l->ka.ev_check);
	evtimer_del(l->ka.ev_idle);
	evtimer_del(l->ka.ev_reply);
	evtimer_del(l->ka.ev_deadline);
}

/* ---- deaths ---- */

void
link_dead_quiet(struct link *l, enum dead_cause cause, const char *why)
{
	uint64_t quiet = util_now_ms() - l->last_alive_ms;

	l->cause = cause;
	l->dead_by_cause[cause]++;
	link_set_error(l, "%s: %s", dead_cause_names[cause], why);
	log_fields(LOG_LEVEL_WARNING, (const struct log_field[]){
		{ "LINK", l->name },
		{ "CAUSE", dead_cause_names[cause] },
		{ "CELLSOCK_EVENT", proto_event_names[EV_LINK_DEAD] },
		{ NULL, NULL } },
	    "link %s: dead (%s): %s; last sign of life %.1f s ago", l->name,
	    dead_cause_names[cause], why, (double)quiet / 1000.0);
	notify_event(l->news, EV_LINK_DEAD, "name=%s cause=%s silent=%.1f", l->name,
	    dead_cause_names[cause], (double)quiet / 1000.0);
}

/* The connection died: record it and feed LEV_DEAD (up or connecting). */
void
link_dead(struct link *l, enum dead_cause cause, const char *why)
{
	if (l->state != LINK_UP && l->state != LINK_CONNECTING)
		return;
	link_dead_quiet(l, cause, why);
	l->fire(l, LEV_DEAD);
}

/* ---- data: the relay reads it ---- */

/* SRING: a sign of life; the relay reads the data. */
void
link_data(struct link *l, long pending)
{
	if (l->state != LINK_UP)
		return;
	l->last_alive_ms = util_now_ms();
	link_net_mark(l);
	link_keepalive_arm(l);
	relay_data(l->relay, pending);
}

/* ---- the module says a socket closed ---- */

static enum dead_cause
link_cause_of(enum sock_closure c)
{
	switch (c) {
	case CLOSURE_RST: return CAUSE_REMOTE_RESET;
	case CLOSURE_PDP: return CAUSE_PDP_LOST;
	case CLOSURE_FIN:
	case CLOSURE_INACTIVITY:
	case CLOSURE_UNKNOWN:
		break;
	}
	return CAUSE_REMOTE_CLOSE;
}

static const char *
link_closure_text(enum sock_closure c)
{
	switch (c) {
	case CLOSURE_FIN: return "the server closed the connection (FIN)";
	case CLOSURE_RST: return "the connection was reset (RST or abort)";
	case CLOSURE_INACTIVITY: return "the module's inactivity timer closed it";
	case CLOSURE_PDP: return "the network deactivated the PDP context";
	case CLOSURE_UNKNOWN: break;
	}
	return "the module reports the socket closed";
}

/* The module's closure cause for our socket: the link is dead. A lost
 * context is re-activated at once, before the link dials again. */
static void
link_on_closure(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	enum sock_closure c = r->status == DIALECT_OK ? r->u.closure : CLOSURE_UNKNOWN;

	if (c == CLOSURE_PDP && link_modem(l) != NULL)
		modem_check_pdp(link_modem(l));
	link_dead(l, link_cause_of(c), link_closure_text(c));
}

/* After a NO CARRIER that names no socket: is ours the one that closed? */
static void
link_on_alive_check(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED)
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
}

/* A send was refused: a closed socket is the remote's doing, anything else
 * the module's (seed 001's first outcome: the send fails -> dead at once). */
static void
link_on_send_failed_check(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED) {
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
		return;
	}
	link_dead(l, CAUSE_MODEM_ERROR, "the module refused to send on an open socket");
}

/* A send was refused: read the socket status to learn why. */
void
link_send_failed(struct link *l)
{
	if (l->state == LINK_UP)
		LINK_OP(l, link_on_send_failed_check, sock_status, l->conf->socket);
}

/* NO CARRIER: named sockets with a known cause die at once; otherwise ask
 * the module which socket closed and why. */
void
link_remote_closed(struct link *l, int named, enum sock_closure closure)
{
	if (l->state != LINK_UP)
		return;
	if (!named)
		LINK_OP(l, link_on_alive_check, sock_status, l->conf->socket);
	else if (closure == CLOSURE_UNKNOWN)
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
	else
		link_dead(l, link_cause_of(closure), link_closure_text(closure));
}

/* ---- probes ---- */

/* A probe went out: how long it waited for the channel since wanted. */
static void
link_probe_waited(struct link *l)
{
	uint64_t wait = util_now_ms() - l->ka.probe_want_ms;

	l->ka.round_sent++;
	if (wait > l->ka.probe_wait_max_ms)
		l->ka.probe_wait_max_ms = wait;
	if (wait >= 1000)
		log_info("link %s: probe waited %.1f s for the AT channel", l->name,
		    (double)wait / 1000.0);
}

/* The probe went out: count it and wait keepalive.timeout for a reply. */
static void
link_on_probe_sent(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	struct timeval tv = util_tv_from_sec(l->conf->keepalive.timeout);

	if (r->status != DIALECT_OK) {
		link_send_failed(l);
		return;
	}
	l->ka.own_sent += l->conf->keepalive.probe_len;
	l->ka.probe_bytes += l->conf->keepalive.probe_len;
	link_net_mark(l);
	link_probe_waited(l);
	evtimer_add(l->ka.ev_reply, &tv);
}

/* Send the configured probe over a quiet link. */
static void
link_probe_send(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	l->ka.probe_out = 1;
	l->ka.probes_sent++;
	l->ka.probe_sent_ms = util_now_ms();
	log_debug("link %s: probe %llu (missed %u)", l->name,
	    (unsigned long long)l->ka.probes_sent, l->ka.missed);
	LINK_OP(l, link_on_probe_sent, sock_probe, l->conf->socket, k->probe, k->probe_len);
}

/* The idle period passed: read the socket's status, then probe. */
static void
link_on_idle_status(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED) {
		LINK_OP(l, link_on_closure, sock_closure, l->conf->socket);
		return;
	}
	if (r->status == DIALECT_OK && r->u.sock == SOCK_CONNECTED_DATA) {
		log_info("link %s: the module holds unannounced data (lost SRING); reading it",
		    l->name);
		relay_data(l->relay, -1);
	}
	if (l->conf->keepalive.probe_len > 0) {
		l->ka.probe_idle = (double)(util_now_ms() - l->ka.last_net_ms) / 1000.0;
		link_probe_send(l);
	} else {
		/* no probe: nothing crossed the network; read the status again
		 * one period from now */
		struct timeval tv = util_tv_from_sec(link_idle_period(l));

		evtimer_add(l->ka.ev_idle, &tv);
	}
}

static void
link_on_idle(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	if (l->state != LINK_UP)
		return;
	if (link_idle_left_ms(l) > 0) {
		link_keepalive_arm(l);	/* bytes went out since: not idle yet */
		return;
	}
	link_deadline_arm(l);
	LINK_OP(l, link_on_idle_status, sock_status, l->conf->socket);
}

/* ---- the death deadline (issue 13) ----
 * Runs from the last sign of life, whatever the AT channel does: the
 * probes' own timers start only once a probe is out, and a probe can wait
 * behind another link's dial or close. At the deadline a link that
 * probed and heard nothing died of probe-timeout; one whose probe never
 * got the channel is declared dead as unprobed (counted apart: its
 * silence was not tested). */

/* The idle period ended: the deadline is link_deadline_ms after the
 * instant the idle period counts from (the last byte on the network, issue
 * 17: outbound bytes delay the idle period, so they delay this too). */
static void
link_deadline_arm(struct link *l)
{
	uint64_t at = l->ka.last_net_ms + link_deadline_ms(l), now = util_now_ms();
	struct timeval tv;

	if (l->conf->keepalive.probe_len == 0)
		return;
	l->ka.round_sent = 0;
	l->ka.probe_want_ms = now;
	at = at > now ? at - now : 0;
	tv = (struct timeval){ (time_t)(at / 1000), (suseconds_t)(at % 1000) * 1000 };
	evtimer_add(l->ka.ev_deadline, &tv);
}

/* The deadline passed without a sign of life: probe-timeout or unprobed. */
static void
link_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;
	char why[160];

	if (l->state != LINK_UP)
		return;
	if (l->ka.round_sent == 0) {
		snprintf(why, sizeof(why), "no probe got the AT channel within the %.1f s "
		    "deadline", (double)link_deadline_ms(l) / 1000.0);
		link_dead(l, CAUSE_UNPROBED, why);
		return;
	}
	snprintf(why, sizeof(why), "%u probe(s) unanswered at the %.1f s deadline (the AT "
	    "channel was busy)", l->ka.round_sent, (double)link_deadline_ms(l) / 1000.0);
	link_idle_settle(l, l->ka.probe_idle);
	link_dead(l, CAUSE_PROBE_TIMEOUT, why);
}

/* No reply within keepalive.timeout: probe again, or the link is dead. */
static void
link_on_reply_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;
	const struct conf_keepalive *k = &l->conf->keepalive;
	char why[128];

	if (l->state != LINK_UP || !l->ka.probe_out)
		return;
	l->ka.missed++;
	if (l->ka.missed <= (unsigned)k->retries) {
		log_info("link %s: probe unanswered after %.1f s (%u of %d); probing again",
		    l->name, k->timeout, l->ka.missed, k->retries + 1);
		l->ka.probe_want_ms = util_now_ms();
		link_probe_send(l);
		return;
	}
	snprintf(why, sizeof(why), "%u probes in a row unanswered (%.1f s each)", l->ka.missed,
	    k->timeout);
	link_idle_settle(l, l->ka.probe_idle);
	link_dead(l, CAUSE_PROBE_TIMEOUT, why);
}

/* The probe was answered: record the RTT, back to the idle period. */
static void
link_probe_answered(struct link *l, int matched)
{
	link_idle_grow(l, l->ka.probe_idle);
	l->verified = 1;	/* the connection carries data both ways */
	if (matched) {
		l->ka.rtt_last_ms = util_now_ms() - l->ka.probe_sent_ms;
		l->ka.rtt_sum_ms += l->ka.rtt_last_ms;
		l->ka.probes_answered++;
		log_debug("link %s: probe answered in %llu ms", l->name,
		    (unsigned long long)l->ka.rtt_last_ms);
	}
	l->ka.probe_out = 0;
	l->ka.missed = 0;
	evtimer_del(l->ka.ev_reply);
}

/* Inbound bytes while a probe waits: its reply (stripped) or application
 * data (kept); either answers it. Returns the bytes to strip. */
static size_t
link_probe_reply(struct link *l, const uint8_t *data, size_t len)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (k->reply_any || k->reply_len == 0) {
		link_probe_answered(l, 1);
		return 0;
	}
	/* The reply is stripped only when it arrives whole at the start of the
	 * first read after the probe; anything else is application data and is
	 * delivered as it is (it still proves the link alive). */
	if (len >= k->reply_len && memcmp(data, k->reply, k->reply_len) == 0) {
		l->ka.probe_bytes += k->reply_len;
		link_probe_answered(l, 1);
		return k->reply_len;
	}
	link_probe_answered(l, 0);
	return 0;
}

/* Inbound bytes: a sign of life; strip a probe's reply (see link.h). */
size_t
link_inbound(struct link *l, const uint8_t *data, size_t len)
{
	size_t strip = 0;

	l->last_alive_ms = util_now_ms();
	link_net_mark(l);
	l->verified = 1;
	if (l->ka.probe_out)
		strip = link_probe_reply(l, data, len);
	/* armed after the answer: a period the answer lengthened is used at
	 * once (issue 17: never the old one a second time) */
	if (l->state == LINK_UP)
		link_keepalive_arm(l);
	return strip;
}

/* ---- connect check: a connection that carries nothing is jammed ----
 * On entering up, the configured probe is sent at once and #SI is polled
 * until the module reports it acknowledged (ack_waiting 0). If nothing is
 * acknowledged within keepalive.ack_timeout, the link is dead (ack-stall)
 * and the connect counts as jammed for the escalation ladder (seed 000: a
 * jammed stack completes connects but never moves payload). */

#define LINK_CHECK_POLLS 8	/* #SI polls per ack_timeout */

static void
link_check_timer(struct link *l)
{
	struct timeval tv = util_tv_from_sec(l->conf->keepalive.ack_timeout / LINK_CHECK_POLLS);

	evtimer_add(l->ka.ev_check, &tv);
}

/* One #SI answer: acknowledged, progress (deadline moves), or stalled. */
static void
link_on_check_info(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	char why[128];

	if (r->status == DIALECT_OK && r->u.info.ack_waiting == 0) {
		l->verified = 1;
		evtimer_del(l->ka.ev_check);
		/* a local poll, not a byte on the network: the acknowledgement
		 * came earlier, the idle clock (last_net_ms) already has it */
		log_info("link %s: connect check passed: the server acknowledged the probe", l->name);
		return;
	}
	if (r->status == DIALECT_OK && r->u.info.ack_waiting < l->ka.check_acked)
		l->ka.check_deadline_ms = util_now_ms() +
		    (uint64_t)(l->conf->keepalive.ack_timeout * 1000);
	if (r->status == DIALECT_OK)
		l->ka.check_acked = r->u.info.ack_waiting;
	if (util_now_ms() < l->ka.check_deadline_ms) {
		link_check_timer(l);
		return;
	}
	snprintf(why, sizeof(why), "%llu bytes sent after connecting were not acknowledged "
	    "within %.1f s", (unsigned long long)l->ka.check_acked, l->conf->keepalive.ack_timeout);
	link_dead(l, CAUSE_ACK_STALL, why);
}

static void
link_on_check_timer(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	if (l->state == LINK_UP)
		LINK_OP(l, link_on_check_info, sock_info, l->conf->socket);
}

/* The check's probe went out: poll #SI for its acknowledgement. */
static void
link_on_check_sent(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_send_failed(l);
		return;
	}
	l->ka.check_acked = l->conf->keepalive.probe_len;
	link_net_mark(l);
	l->ka.own_sent += l->conf->keepalive.probe_len;
	l->ka.probe_bytes += l->conf->keepalive.probe_len;
	link_check_timer(l);
}

/* Send the probe at once and watch for its acknowledgement. */
static void
link_check_start(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (k->probe_len == 0)
		return;
	l->ka.check_deadline_ms = util_now_ms() + (uint64_t)(k->ack_timeout * 1000);
	l->ka.probe_idle = 0;		/* not after an idle period: learns nothing */
	l->ka.probe_out = 1;		/* its reply is stripped like any probe's */
	l->ka.probes_sent++;
	l->ka.probe_sent_ms = util_now_ms();
	LINK_OP(l, link_on_check_sent, sock_probe, l->conf->socket, k->probe, k->probe_len);
}

/* ---- cost (the bounds are in link_bound.c) ---- */

/* Probe cost, TCP/IP overhead included: each probe sent costs its segment
 * and the peer's ACK, each reply its segment and our ACK (LINK_PROBE_TCPIP
 * bytes of headers each); retransmissions by the module's own TCP of an
 * unanswered probe are not seen and not counted. */
static double
link_probe_cost(const struct link *l, double sent, double answered)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	return sent * (double)(k->probe_len + 2 * LINK_PROBE_TCPIP) +
	    answered * (double)(k->reply_len + 2 * LINK_PROBE_TCPIP);
}

/* Measured: every probe sent and every reply since the link started, per
 * day (the connect check's probe included). */
double
link_probe_bytes_per_day(const struct link *l)
{
	double days = (double)(util_now_ms() - l->ka.acct_start_ms) / 86400000.0;

	if (days <= 0 || l->conf->keepalive.probe_len == 0)
		return 0;
	return link_probe_cost(l, (double)l->ka.probes_sent, (double)l->ka.probes_answered) /
	    days;
}

/* Projected: one answered probe per idle period at the current period. */
double
link_probe_bytes_per_day_at_idle(const struct link *l)
{
	if (l->conf->keepalive.probe_len == 0)
		return 0;
	return 86400.0 / link_idle_period(l) * link_probe_cost(l, 1, 1);
}
