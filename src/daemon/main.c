/* cellsockd: keeps TCP connections alive through a cellular modem's own
 * TCP/IP stack. This is the composition root: it creates the daemon (modem
 * and links) and, above it, the control socket, its commands and the
 * metrics textfile, and wires the daemon's news up to them. Modules are set
 * up here in a fixed order and torn down in reverse (chrony main.c
 * discipline). */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "control/cmd.h"
#include "control/control.h"
#include "control/metrics.h"
#include "daemon/daemon.h"
#include "log.h"
#include "notify.h"
#include "xmalloc.h"

struct options {
	int foreground;
	int check_only;
	int verbose;
	const char *conf_path;
	const char *socket_path;
};

/* What sits above the daemon, wired here. */
struct top {
	struct control *control;
	struct metrics *metrics;	/* the textfile writer */
	struct cmd_server cmds;		/* what the commands act on */
	struct notify up;		/* the daemon's news, heard here */
};

/* --help (status 0, on stdout) or a usage error (status 2, on stderr). */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: cellsockd [-d] [-n] [-v...] [-f FILE] [-s SOCKET]\n"
	    "  -d, --foreground     stay in the foreground, log to stderr\n"
	    "  -n, --check          check the configuration and exit (0 valid, 1 not)\n"
	    "  -v, --verbose        more verbose (repeat for more)\n"
	    "  -f, --config FILE    configuration file (default %s)\n"
	    "  -s, --socket SOCKET  control socket (default: control.socket from the file)\n"
	    "  -V, --version        print the version and exit\n"
	    "  -h, --help           print this help and exit\n"
	    "See cellsockd(8).\n",
	    CONF_DEFAULT_PATH);
	exit(status);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "config", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->conf_path = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "dnvf:s:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': o->foreground = 1; break;
		case 'n': o->check_only = 1; break;
		case 'v': o->verbose++; break;
		case 'f': o->conf_path = optarg; break;
		case 's': o->socket_path = optarg; break;
		case 'V': printf("cellsockd %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(0);
		default: usage(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "cellsockd: unexpected argument '%s'\n", argv[optind]);
		usage(2);
	}
}

/* Load the file; print every problem, and with warn the advice about a
 * valid one (-n; the daemon logs it where it applies). Exits 1 when it is
 * invalid. */
static struct conf *
load_or_exit(const char *path, int warn)
{
	struct conf_errors errs;
	struct conf *conf;

	conf_errors_init(&errs);
	conf = conf_load(path, &errs);
	for (int i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	conf_errors_free(&errs);
	if (conf == NULL) {
		fprintf(stderr, "cellsockd: %s: configuration not valid\n", path);
		exit(1);
	}
	if (warn)
		conf_warnings(conf, &errs);
	for (int i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	conf_errors_free(&errs);
	return conf;
}

/* Relative -f and -s paths made absolute against the directory cellsockd
 * starts in: detaching changes to /, and every reload reads the file again. */
static void
options_absolute(struct options *o)
{
	static char conf[PATH_MAX], sock[PATH_MAX];
	char cwd[PATH_MAX];

	if (o->conf_path[0] == '/' && (o->socket_path == NULL || o->socket_path[0] == '/'))
		return;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fatal("cannot get the working directory");
	if (o->conf_path[0] != '/' &&
	    snprintf(conf, sizeof(conf), "%s/%s", cwd, o->conf_path) < (int)sizeof(conf))
		o->conf_path = conf;
	if (o->socket_path != NULL && o->socket_path[0] != '/' &&
	    snprintf(sock, sizeof(sock), "%s/%s", cwd, o->socket_path) < (int)sizeof(sock))
		o->socket_path = sock;
}

/* Under systemd (or with -d) stay in the foreground; otherwise detach. */
static void
detach_unless_supervised(const struct options *o)
{
	if (o->foreground || getenv("NOTIFY_SOCKET") != NULL || getenv("INVOCATION_ID") != NULL)
		return;
	if (daemon(0, 0) == -1)
		fatal("daemon");
	log_to_syslog();
}

/* The daemon's events go to the monitor clients; a reload may move the
 * metrics textfile. */
static void
top_on_event(void *arg, enum proto_event ev, const char *line)
{
	struct top *t = arg;

	control_broadcast(t->control, line);
	if (ev == EV_CONFIG_RELOADED)
		metrics_reconfigure(t->metrics);
}

/* Open the control socket with the commands behind it, start the metrics
 * writer and listen to the daemon. -1 when the socket cannot be opened. */
static int
top_init(struct top *t, struct daemon *d, const char *sock)
{
	const struct conf_control *cc = &d->conf->control;

	t->cmds.d = d;
	t->control = control_init(d->base, sock, cc->group, cc->mode, cmd_serve, &t->cmds);
	if (t->control == NULL)
		return -1;
	t->cmds.control = t->control;
	t->metrics = metrics_new(d);
	t->up = (struct notify){ .event = top_on_event, .arg = t };
	daemon_set_listener(d, &t->up);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct top top = { 0 };
	struct event_base *base;
	struct daemon *d;
	struct conf *conf;
	const char *sock;

	parse_options(argc, argv, &o);
	log_init("cellsockd", LOG_LEVEL_INFO);
	log_journal_detect();
	conf = load_or_exit(o.conf_path, o.check_only);
	if (o.check_only) {
		printf("%s: configuration valid (%d link%s)\n", o.conf_path, conf->n_links,
		    conf->n_links == 1 ? "" : "s");
		conf_free(conf);
		return 0;
	}
	options_absolute(&o);
	detach_unless_supervised(&o);
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	d = daemon_new(base, conf, o.conf_path);
	d->verbose = o.verbose;
	log_setlevel(daemon_log_level(d));
	if (o.socket_path != NULL)
		d->socket_path = xstrdup(o.socket_path);
	sock = o.socket_path ? o.socket_path : conf->control.socket;
	if (top_init(&top, d, sock) == -1) {
		log_errorx("cannot open the control socket %s", sock);
		daemon_free(d);
		event_base_free(base);
		return 1;
	}
	daemon_start(d);
	event_base_dispatch(base);
	metrics_free(top.metrics);
	daemon_free(d);
	control_free(top.control);
	event_base_free(base);
	log_info("stopped");
	return 0;
}
