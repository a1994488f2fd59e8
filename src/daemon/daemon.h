/* The daemon context: one event_base, the running configuration, the modem
 * and the links. Passed down explicitly; no globals. It knows nothing of
 * the control socket above it: its news goes to the listener main.c sets. */
#ifndef CELLSOCK_DAEMON_H
#define CELLSOCK_DAEMON_H

#include <stdint.h>
#include <time.h>

#include "backoff.h"
#include "conf/conf.h"
#include "notify.h"
#include "proto.h"

struct event_base;
struct event;
struct link;
struct modem;

#define DAEMON_LEAVING_MAX (4 * CONF_MAX_LINKS)

/* A link a reload removed, still draining and closing (link_stop.h), and
 * the configuration it points into (freed with the last such link). */
struct daemon_leaving {
	struct link *link;
	struct conf *conf;
};

struct daemon {
	struct event_base *base;
	struct conf *conf;
	char *conf_path;
	char *socket_path;	/* -s, overrides control.socket */
	char *state_dir;	/* $STATE_DIRECTORY or LOCALSTATEDIR/lib/cellsock */
	int verbose;		/* -v count */
	struct event *ev_sigterm, *ev_sigint, *ev_sighup, *ev_watchdog;
	struct modem *modem;
	struct link *link[CONF_MAX_LINKS];	/* in configuration order */
	int n_links;
	struct backoff_rng rng;		/* jitter for every backoff */
	int autostart;			/* links start when the daemon does (not in unit tests) */
	time_t started;
	uint64_t reloads;
	int draining;		/* a clean stop is under way (daemon_stop) */
	struct event *ev_stop;	/* its deadline */
	int stopping;		/* the loop ends: no engine will answer any more */
	struct daemon_leaving leaving[DAEMON_LEAVING_MAX];
	int n_leaving;
	struct notify news;		/* what the modem and links report to */
	const struct notify *up;	/* who hears the daemon's events; NULL: nobody */
};

/* What the layers above read (status, metrics): the running configuration,
 * the modem, and the links in configuration order. */
static inline const struct conf *
daemon_conf(const struct daemon *d)
{
	return d->conf;
}

static inline struct modem *
daemon_modem(const struct daemon *d)
{
	return d->modem;
}

static inline int
daemon_n_links(const struct daemon *d)
{
	return d->n_links;
}

static inline struct link *
daemon_link_at(const struct daemon *d, int i)
{
	return d->link[i];
}

/* Create the daemon around a loaded configuration; takes ownership of conf. */
struct daemon *daemon_new(struct event_base *base, struct conf *conf, const char *conf_path);
void daemon_free(struct daemon *d);
/* Who hears the events of the daemon, its modem and its links (monitor
 * clients, above); up is the caller's and must outlive d. */
void daemon_set_listener(struct daemon *d, const struct notify *up);
/* Install signal handlers, the watchdog timer and the READY notification,
 * open the modem and start the links. */
void daemon_start(struct daemon *d);
/* A clean stop (SIGTERM, SIGINT): every link drains (stop_timeout), its
 * losses are reported and its socket closed with a verified teardown, then
 * the loop ends; at most the largest stop_timeout + teardown_timeout of a
 * link, plus a second. Called again during that stop: stop now (the loop
 * ends after this pass; what is not delivered is still reported). */
void daemon_stop(struct daemon *d);
/* Reload the configuration file. Returns 0, or -1 with errs filled and the
 * old configuration still running. */
int daemon_reload(struct daemon *d, struct conf_errors *errs);
/* The effective log level: configuration raised by -v. */
int daemon_log_level(const struct daemon *d);
/* A link by name, NULL if none. */
struct link *daemon_link(const struct daemon *d, const char *name);
/* Tell systemd the one-line summary (STATUS=). */
void daemon_notify_status(struct daemon *d);

#endif
