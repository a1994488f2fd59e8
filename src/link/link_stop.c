/* The end of a link for good (link_stop.h): the daemon stops, or a reload
 * removes the link. Phases (enum link_stop_phase):
 *
 *   drain   the link is up: the relay keeps sending what is queued and
 *           polling #SI, until nothing is queued or unacknowledged, or
 *           stop_timeout is over;
 *   close   LEV_STOP: an up or connecting link closes its socket with the
 *           usual verified steps (link_steps.c: #SH, #SS until closed); at
 *           reconnect.teardown_timeout the stop goes on without the proof;
 *   notify  the link is idle: the owner hears it from the loop (it may free
 *           the link then).
 *
 * The relay reports what was not delivered when the owner frees the link
 * (relay_free after relay_stop). Events go to the FSM through l->fire. */
#include "config.h"

#include <event2/event.h>

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_stop.h"
#include "log.h"
#include "relay/relay.h"
#include "util.h"

#define LINK_STOP_POLL_MS 100	/* how often the drain is checked */

static void
link_stop_timer_ms(struct link *l, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(l->stop.ev, &tv);
}

/* The drain is over: close the socket (up, connecting) or go idle. */
static void
link_stop_close(struct link *l)
{
	double bound = l->conf->reconnect.teardown_timeout;

	l->stop.phase = LSTOP_CLOSE;
	l->stop.deadline_ms = util_now_ms() + (uint64_t)(bound * 1000);
	evtimer_del(l->stop.ev);
	l->fire(l, LEV_STOP);
	if (l->state == LINK_IDLE) {
		link_stop_idle(l);	/* LEV_STOP in idle changes nothing */
		return;
	}
	link_stop_timer_ms(l, (uint64_t)(bound * 1000));
}

/* One look at the drain: go on polling, or close. */
static void
link_stop_drain(struct link *l)
{
	uint64_t now = util_now_ms();
	double took = (double)(now - l->stop.begun_ms) / 1000.0;

	if (l->state == LINK_UP && !relay_drained(l->relay) && now < l->stop.deadline_ms) {
		link_stop_timer_ms(l, LINK_STOP_POLL_MS);
		return;
	}
	if (l->state != LINK_UP)
		log_info("link %s: %s: the connection ended while draining", l->name, l->stop.why);
	else if (relay_drained(l->relay))
		log_info("link %s: %s: every byte sent and acknowledged in %.1f s", l->name,
		    l->stop.why, took);
	else
		log_warnx("link %s: %s: %zu bytes still queued, %llu unacknowledged after "
		    "%.1f s (stop_timeout); closing", l->name, l->stop.why,
		    relay_tx_queued(l->relay), (unsigned long long)relay_unacked(l->relay), took);
	link_stop_close(l);
}

/* The close was not verified in time: go idle without the proof. */
static void
link_stop_give_up(struct link *l)
{
	log_warnx("link %s: %s: socket %d not verified closed within %.1f s; going on "
	    "without it", l->name, l->stop.why, l->conf->socket,
	    l->conf->reconnect.teardown_timeout);
	if (l->state == LINK_CLOSING)
		l->fire(l, LEV_CLOSED);
	if (l->state != LINK_IDLE)
		l->fire(l, LEV_STOP);
	if (l->state == LINK_CLOSING)
		l->fire(l, LEV_CLOSED);
	link_stop_idle(l);
}

static void
link_stop_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	switch (l->stop.phase) {
	case LSTOP_NONE:
	case LSTOP_DONE:
		return;
	case LSTOP_DRAIN:
		link_stop_drain(l);
		return;
	case LSTOP_CLOSE:
		link_stop_give_up(l);
		return;
	case LSTOP_NOTIFY:
		l->stop.phase = LSTOP_DONE;
		log_info("link %s: %s: done in %.1f s", l->name, l->stop.why,
		    (double)(util_now_ms() - l->stop.begun_ms) / 1000.0);
		if (l->stop.done != NULL)
			l->stop.done(l->stop.arg, l);	/* may free l */
		return;
	}
}

void
link_stop_init(struct link *l, struct event_base *base)
{
	l->stop.ev = evtimer_new(base, link_stop_on_timer, l);
}

void
link_stop_free(struct link *l)
{
	if (l->stop.ev != NULL)
		event_free(l->stop.ev);
	l->stop.ev = NULL;
}

void
link_stop(struct link *l, const char *why, link_stopped_fn *done, void *arg)
{
	if (l->stop.phase != LSTOP_NONE)
		return;
	l->stop.why = why;
	l->stop.done = done;
	l->stop.arg = arg;
	l->stop.begun_ms = util_now_ms();
	l->stop.deadline_ms = l->stop.begun_ms + (uint64_t)(l->conf->stop_timeout * 1000);
	l->want_up = 0;
	l->stopped = 1;
	relay_stop(l->relay, why);
	if (l->state != LINK_UP || relay_drained(l->relay)) {
		link_stop_close(l);
		return;
	}
	l->stop.phase = LSTOP_DRAIN;
	log_info("link %s: %s: sending %zu queued bytes, waiting for %llu unacknowledged, "
	    "for at most %.1f s", l->name, why, relay_tx_queued(l->relay),
	    (unsigned long long)relay_unacked(l->relay), l->conf->stop_timeout);
	link_stop_timer_ms(l, LINK_STOP_POLL_MS);
}

void
link_stop_idle(struct link *l)
{
	if (l->stop.phase == LSTOP_NONE || l->stop.phase == LSTOP_NOTIFY ||
	    l->stop.phase == LSTOP_DONE)
		return;
	l->stop.phase = LSTOP_NOTIFY;
	evtimer_del(l->stop.ev);
	link_stop_timer_ms(l, 0);
}

int
link_stop_finished(const struct link *l)
{
	return l->stop.phase == LSTOP_DONE;
}

double
link_stop_bound(const struct link *l)
{
	return l->conf->stop_timeout + l->conf->reconnect.teardown_timeout;
}
