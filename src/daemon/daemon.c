#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "conf/conf_probe.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "link/link_modem.h"
#include "link/link_stop.h"
#include "modem/modem.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static void daemon_on_link_done(void *arg, struct link *l);

/* Whether conf is still pointed into by a link leaving the configuration. */
static int
daemon_conf_held(const struct daemon *d, const struct conf *conf)
{
	for (int i = 0; i < d->n_leaving; i++)
		if (d->leaving[i].conf == conf)
			return 1;
	return 0;
}

/* Whether a link leaving the configuration still holds modem socket sock. */
static int
daemon_socket_leaving(const struct daemon *d, int sock)
{
	for (int i = 0; i < d->n_leaving; i++) {
		const struct link *l = d->leaving[i].link;
		if (l->conf->socket == sock && l->modem_client.modem != NULL)
			return 1;
	}
	return 0;
}

/* Attach the links to the modem in configuration order, except those
 * whose socket a leaving link still closes: they wait, not attached (their
 * connect step polls), until that link is gone. */
static void
daemon_attach_all(struct daemon *d)
{
	for (int i = 0; i < d->n_links; i++) {
		struct link *l = d->link[i];
		int was = l->modem_client.modem != NULL;
		if (daemon_socket_leaving(d, l->conf->socket)) {
			if (was)
				link_modem_detach(l);
			log_info("link %s: socket %d is still being closed by a link that left "
			    "the configuration; waiting for it", l->name, l->conf->socket);
			continue;
		}
		link_modem_attach(l, d->modem);
		if (!was && d->modem != NULL && d->modem->state != MODEM_READY &&
		    l->state == LINK_CONNECTING)
			link_event(l, LEV_MODEM_DOWN);	/* missed while it waited */
	}
}

/* A reload removed link l, which points into conf: it drains and closes
 * its socket (link_stop.h), then daemon_on_link_done frees it. */
static void
daemon_leave(struct daemon *d, struct link *l, struct conf *conf)
{
	log_info("link %s: removed from the configuration", l->name);
	if (d->n_leaving == DAEMON_LEAVING_MAX) {
		link_stop(l, "removed", NULL, NULL);	/* no room: no drain */
		link_modem_detach(l);
		link_forget(l);
		return;
	}
	d->leaving[d->n_leaving++] = (struct daemon_leaving){ l, conf };
	link_stop(l, "removed", daemon_on_link_done, d);
}

/* The old link of that name, taken out of old[]; NULL if none. */
static struct link *
daemon_take_old(struct link **old, int n_old, const char *name)
{
	struct link *l;

	for (int j = 0; j < n_old; j++)
		if (old[j] != NULL && strcmp(old[j]->name, name) == 0) {
			l = old[j];
			old[j] = NULL;
			return l;
		}
	return NULL;
}

/* Build the links of a new configuration. A link whose name is unchanged
 * keeps its object, state and counters; a changed server or socket takes
 * effect through a reconnect. Links that are gone leave first (their local
 * endpoints close before new ones open), drain and close on the modem. */
static void
daemon_links_from_conf(struct daemon *d, const struct conf *conf)
{
	struct link *old[CONF_MAX_LINKS] = { 0 };
	int n_old = d->n_links;
	const struct link_env env = {
		.base = d->base, .modem = d->modem, .news = &d->news,
		.state_dir = d->state_dir, .rng = &d->rng, .cid = conf->network.cid,
		.conf = &d->conf, .stopping = &d->stopping,
	};

	memcpy(old, d->link, sizeof(old));
	memset(d->link, 0, sizeof(d->link));
	d->n_links = 0;		/* a state change below reports the links */
	for (int j = 0; j < n_old; j++)
		if (conf_find_link(conf, old[j]->name) == NULL) {
			daemon_leave(d, old[j], d->conf);
			old[j] = NULL;
		}
	for (int i = 0; i < conf->n_links; i++) {
		const struct conf_link *c = &conf->links[i];
		struct link *l = daemon_take_old(old, n_old, c->name);
		if (l == NULL) {
			l = xcalloc(1, sizeof(*l));
			link_init(l, &env, i, c);
		} else
			link_reconfigure(l, &env, c);
		l->index = i;
		d->link[i] = l;
		d->n_links = i + 1;
	}
	daemon_attach_all(d);
}

/* A leaving link is gone: free it (and the configuration it held). */
static void
daemon_leaving_free(struct daemon *d, int i, int now)
{
	struct daemon_leaving lv = d->leaving[i];

	d->leaving[i] = d->leaving[--d->n_leaving];
	link_modem_detach(lv.link);
	if (now) {
		link_free(lv.link);
		free(lv.link);
	} else
		link_forget(lv.link);	/* idle: frees it when its last reply came */
	if (lv.conf != d->conf && !daemon_conf_held(d, lv.conf))
		conf_free(lv.conf);
}

static void
daemon_free_links(struct daemon *d)
{
	for (int i = 0; i < d->n_links; i++) {
		link_modem_detach(d->link[i]);
		link_free(d->link[i]);
		free(d->link[i]);
		d->link[i] = NULL;
	}
	d->n_links = 0;
	while (d->n_leaving > 0)
		daemon_leaving_free(d, d->n_leaving - 1, 1);
}

/* The sink the modem and the links report to: events go up to the
 * listener (the control socket's monitor clients), state changes to
 * systemd's STATUS=. */
static void
daemon_on_event(void *arg, enum proto_event ev, const char *line)
{
	struct daemon *d = arg;

	if (d->up != NULL && d->up->event != NULL)
		d->up->event(d->up->arg, ev, line);
}

static void
daemon_on_status(void *arg)
{
	daemon_notify_status(arg);
}

/* A seed for the backoff jitter: different on every gateway and start. */
static uint64_t
daemon_seed(void)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return seed;
}

struct daemon *
daemon_new(struct event_base *base, struct conf *conf, const char *conf_path)
{
	struct daemon *d = xcalloc(1, sizeof(*d));

	d->base = base;
	d->news.event = daemon_on_event;
	d->news.status = daemon_on_status;
	d->news.arg = d;
	d->conf = conf;
	d->conf_path = xstrdup(conf_path);
	d->started = time(NULL);
	backoff_rng_seed(&d->rng, daemon_seed());
	d->state_dir = xstrdup(getenv("STATE_DIRECTORY") && *getenv("STATE_DIRECTORY") ?
	    getenv("STATE_DIRECTORY") : LOCALSTATEDIR "/lib/cellsock");
	d->modem = modem_new(base, conf, &d->news, &d->rng);	/* before the links: they hold it */
	daemon_links_from_conf(d, conf);
	return d;
}

void
daemon_set_listener(struct daemon *d, const struct notify *up)
{
	d->up = up;
}

void
daemon_free(struct daemon *d)
{
	if (d == NULL)
		return;
	daemon_free_links(d);
	modem_free(d->modem);
	if (d->ev_sigterm != NULL) {
		event_free(d->ev_sigterm);
		event_free(d->ev_sigint);
		event_free(d->ev_sighup);
	}
	if (d->ev_watchdog != NULL)
		event_free(d->ev_watchdog);
	if (d->ev_stop != NULL)
		event_free(d->ev_stop);
	conf_free(d->conf);
	free(d->conf_path);
	free(d->socket_path);
	free(d->state_dir);
	free(d);
}

int
daemon_log_level(const struct daemon *d)
{
	int level = d->conf->log.level;

	if (d->verbose > 0 && LOG_LEVEL_INFO + d->verbose > level)
		level = LOG_LEVEL_INFO + d->verbose;
	return level > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG : level;
}

struct link *
daemon_link(const struct daemon *d, const char *name)
{
	for (int i = 0; i < d->n_links; i++)
		if (strcmp(d->link[i]->name, name) == 0)
			return d->link[i];
	return NULL;
}


void
daemon_notify_status(struct daemon *d)
{
	char status[512];
	size_t o;

	o = (size_t)snprintf(status, sizeof(status), "STATUS=%d link%s;", d->n_links,
	    d->n_links == 1 ? "" : "s");
	if (d->modem != NULL && o < sizeof(status))
		o += (size_t)snprintf(status + o, sizeof(status) - o, " modem=%s",
		    modem_state_names[d->modem->state]);
	for (int i = 0; i < d->n_links && o < sizeof(status); i++)
		o += (size_t)snprintf(status + o, sizeof(status) - o, " %s=%s",
		    d->link[i]->name, link_state_names[d->link[i]->state]);
	sd_notify(0, status);
}

/* Whether the lists of AT ports differ. */
static int
daemon_ports_differ(const struct conf_modem *a, const struct conf_modem *b)
{
	if (a->n_ports != b->n_ports)
		return 1;
	for (int i = 0; i < a->n_ports; i++)
		if (strcmp(a->ports[i], b->ports[i]) != 0)
			return 1;
	return 0;
}

/* Whether anything the modem bring-up uses differs. */
static int
daemon_modem_changed(const struct conf *a, const struct conf *b)
{
	return strcmp(a->modem.device, b->modem.device) != 0 ||
	    daemon_ports_differ(&a->modem, &b->modem) ||
	    a->modem.baudrate != b->modem.baudrate ||
	    a->modem.flow_control != b->modem.flow_control ||
	    strcmp(a->network.apn, b->network.apn) != 0 ||
	    a->network.cid != b->network.cid ||
	    strcmp(a->network.user, b->network.user) != 0 ||
	    strcmp(a->network.password, b->network.password) != 0 ||
	    strcmp(a->modem.pin, b->modem.pin) != 0;
}

int
daemon_reload(struct daemon *d, struct conf_errors *errs)
{
	struct conf *conf;

	if (d->draining) {
		log_warnx("reload refused: the daemon is stopping");
		return -1;
	}
	conf = conf_load_probed(d->conf_path, errs);	/* libconfig leaks on some refusals */
	if (conf == NULL) {
		log_warnx("reload of %s refused; the running configuration stays",
		    d->conf_path);
		for (int i = 0; i < errs->n; i++)
			log_warnx("%s", errs->msgs[i]);
		return -1;
	}
	if (strcmp(conf->control.socket, d->conf->control.socket) != 0 && d->socket_path == NULL)
		log_warnx("control.socket changed; it takes effect at the next restart");
	if (daemon_modem_changed(d->conf, conf))
		log_warnx("modem or network settings changed; they take effect at the next "
		    "modem bring-up ('cellsockctl reset modem') or restart");
	daemon_links_from_conf(d, conf);
	modem_set_conf(d->modem, conf);
	if (!daemon_conf_held(d, d->conf))
		conf_free(d->conf);	/* else with its last leaving link */
	d->conf = conf;
	d->reloads++;
	if (d->autostart)
		for (int i = 0; i < d->n_links; i++)
			if (d->link[i]->state == LINK_IDLE && !d->link[i]->stopped)
				link_event(d->link[i], LEV_START);
	log_setlevel(daemon_log_level(d));
	log_info("configuration reloaded from %s (%d link%s)", d->conf_path,
	    conf->n_links, conf->n_links == 1 ? "" : "s");
	notify_event(&d->news, EV_CONFIG_RELOADED, "links=%d", conf->n_links);
	daemon_notify_status(d);
	return 0;
}

/* The loop ends after this pass. */
static void
daemon_exit(struct daemon *d)
{
	d->stopping = 1;
	event_base_loopexit(d->base, NULL);
}

/* The clean stop is over once every link is idle and every leaving link
 * gone. */
static void
daemon_stop_check(struct daemon *d)
{
	if (d->stopping || !d->draining || d->n_leaving > 0)
		return;
	for (int i = 0; i < d->n_links; i++)
		if (!link_stop_finished(d->link[i]))
			return;
	daemon_exit(d);
}

/* A link that stopped or left is idle. */
static void
daemon_on_link_done(void *arg, struct link *l)
{
	struct daemon *d = arg;

	for (int i = 0; i < d->n_leaving; i++)
		if (d->leaving[i].link == l) {
			daemon_leaving_free(d, i, 0);
			if (!d->draining)
				daemon_attach_all(d);	/* its socket is free */
			break;
		}
	daemon_stop_check(d);
}

static void
daemon_on_stop_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	log_warnx("stopping: links still not closed at the deadline; exiting");
	daemon_exit(d);
}

/* The stop's bound: the slowest link's drain and close, and a second. */
static double
daemon_stop_bound(const struct daemon *d)
{
	double bound = 0;

	for (int i = 0; i < d->n_links; i++)
		if (link_stop_bound(d->link[i]) > bound)
			bound = link_stop_bound(d->link[i]);
	for (int i = 0; i < d->n_leaving; i++)
		if (link_stop_bound(d->leaving[i].link) > bound)
			bound = link_stop_bound(d->leaving[i].link);
	return bound + 1.0;
}

void
daemon_stop(struct daemon *d)
{
	struct timeval tv;

	if (d->stopping)
		return;
	if (d->draining) {
		log_warnx("stopping now: no more draining, no verified close");
		daemon_exit(d);
		return;
	}
	d->draining = 1;
	sd_notify(0, "STOPPING=1");
	tv = util_tv_from_sec(daemon_stop_bound(d));
	log_info("stopping (links drain and close within %.1f s)", daemon_stop_bound(d));
	d->ev_stop = evtimer_new(d->base, daemon_on_stop_deadline, d);
	evtimer_add(d->ev_stop, &tv);
	for (int i = 0; i < d->n_links; i++)
		link_stop(d->link[i], "stop", daemon_on_link_done, d);
	daemon_stop_check(d);
}

static void
daemon_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct conf_errors errs;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		daemon_stop(d);
		break;
	case SIGHUP:
		sd_notify(0, "RELOADING=1");
		conf_errors_init(&errs);
		daemon_reload(d, &errs);
		conf_errors_free(&errs);
		sd_notify(0, "READY=1");
		break;
	}
}

static void
daemon_watchdog(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

/* Runs on the first pass of the loop: only now are we really ready. */
static void
daemon_ready(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	sd_notify(0, "READY=1");
	daemon_notify_status(d);
	log_info("ready (%d link%s configured)", d->n_links, d->n_links == 1 ? "" : "s");
}

void
daemon_start(struct daemon *d)
{
	uint64_t usec = 0;
	struct timeval tv;

	signal(SIGPIPE, SIG_IGN);
	d->ev_sigterm = evsignal_new(d->base, SIGTERM, daemon_signal, d);
	d->ev_sigint = evsignal_new(d->base, SIGINT, daemon_signal, d);
	d->ev_sighup = evsignal_new(d->base, SIGHUP, daemon_signal, d);
	event_add(d->ev_sigterm, NULL);
	event_add(d->ev_sigint, NULL);
	event_add(d->ev_sighup, NULL);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		tv.tv_sec = (time_t)(usec / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(usec / 2 % 1000000);
		d->ev_watchdog = event_new(d->base, -1, EV_PERSIST, daemon_watchdog, d);
		event_add(d->ev_watchdog, &tv);
		log_debug("watchdog every %lld.%06ld s", (long long)tv.tv_sec, (long)tv.tv_usec);
	}
	event_base_once(d->base, -1, EV_TIMEOUT, daemon_ready, d, NULL);
	d->autostart = 1;
	modem_start(d->modem);
	for (int i = 0; i < d->n_links; i++)
		link_event(d->link[i], LEV_START);
}
