/* cellsock-modemsim: a Telit "IP Easy" or Quectel TCP/IP modem on a
 * pseudo-terminal; the firmware profile picks the personality. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "modemsim/core/conn.h"
#include "modemsim/core/ctl.h"
#include "modemsim/core/fault.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/personality.h"
#include "modemsim/core/port.h"
#include "modemsim/core/profile.h"
#include "modemsim/core/sim.h"
#include "modemsim/core/trace.h"
#include "modemsim/quectel/quectel.h"
#include "modemsim/telit/telit.h"
#include "util.h"

/* The vendors the simulator plays; the first one's default profile is the
 * default. */
static const struct sim_personality *const main_pers[] = {
	&telit_personality,
	&quectel_personality,
};
#define MAIN_NPERS ((int)(sizeof(main_pers) / sizeof(main_pers[0])))

enum {
	OPT_JAM_AFTER = 256, OPT_JAM_CLEAR, OPT_SGACT_DELAY, OPT_CLOSE_DEFER, OPT_REG_DELAY,
	OPT_REBOOT_TIME, OPT_SH_TIMEOUT, OPT_SEED, OPT_PIN, OPT_BIND, OPT_PDP_IP,
	OPT_OPERATOR, OPT_ROAMING, OPT_RX_BUFFER, OPT_TX_BUFFER, OPT_LINE_MAX, OPT_MIN_GAP,
	OPT_PORTS, OPT_READY_DELAY,
};

static const struct option main_longopts[] = {
	{ "link", required_argument, NULL, 'l' },
	{ "control", required_argument, NULL, 'c' },
	{ "baud", required_argument, NULL, 'b' },
	{ "firmware", required_argument, NULL, 'f' },
	{ "trace", required_argument, NULL, 't' },
	{ "script", required_argument, NULL, 's' },
	{ "jam-after", required_argument, NULL, OPT_JAM_AFTER },
	{ "jam-clear", required_argument, NULL, OPT_JAM_CLEAR },
	{ "sgact-delay", required_argument, NULL, OPT_SGACT_DELAY },
	{ "close-defer", required_argument, NULL, OPT_CLOSE_DEFER },
	{ "reg-delay", required_argument, NULL, OPT_REG_DELAY },
	{ "reboot-time", required_argument, NULL, OPT_REBOOT_TIME },
	{ "ready-delay", required_argument, NULL, OPT_READY_DELAY },
	{ "sh-timeout", required_argument, NULL, OPT_SH_TIMEOUT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "pdp-ip", required_argument, NULL, OPT_PDP_IP },
	{ "operator", required_argument, NULL, OPT_OPERATOR },
	{ "roaming", no_argument, NULL, OPT_ROAMING },
	{ "rx-buffer", required_argument, NULL, OPT_RX_BUFFER },
	{ "tx-buffer", required_argument, NULL, OPT_TX_BUFFER },
	{ "line-max", required_argument, NULL, OPT_LINE_MAX },
	{ "min-gap", required_argument, NULL, OPT_MIN_GAP },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
main_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: cellsock-modemsim [-v] [--link PATH] [--control PATH] [--baud N]\n"
	    "           [--firmware PROFILE] [--trace FILE] [--script FILE]\n"
	    "           [--jam-after N] [--jam-clear MS] [--sgact-delay MS] [--close-defer MS]\n"
	    "           [--reg-delay MS] [--reboot-time MS] [--ready-delay MS] [--sh-timeout MS]\n"
	    "           [--seed N] [--pin PIN] [--bind ADDR] [--pdp-ip ADDR] [--operator NAME]\n"
	    "           [--roaming] [--rx-buffer N] [--tx-buffer N] [--line-max N] [--min-gap MS]\n"
	    "           [--ports N]\n"
	    "Prints the pseudo-terminal's path on stdout, then runs until SIGTERM/SIGINT.\n"
	    "--ports N (1..%d): N AT ports onto one module; port i >= 1 is linked at\n"
	    "PATH.i (--link PATH) and shown as pty<i>= by the control socket's state.\n"
	    "Firmware profiles (default %s):\n", SIM_PORTS_MAX, main_pers[0]->profile_default);
	for (int p = 0; p < MAIN_NPERS; p++)
		for (int i = 0; i < main_pers[p]->nprofiles; i++)
			fprintf(fp, "  %-16s %s\n", main_pers[p]->profiles[i].name,
			    main_pers[p]->profiles[i].description);
	fprintf(fp, "See cellsock-modemsim(1).\n");
}

/* A decimal option value within [0, max]; exits with status 2 otherwise. */
static unsigned long
main_number(const char *opt, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max) {
		fprintf(stderr, "cellsock-modemsim: --%s: expected a number 0..%lu, got '%s'\n",
		    opt, max, s);
		exit(2);
	}
	return v;
}

/* --firmware: the profile, and with it the personality. */
static void
main_profile(struct sim *sim, const char *name)
{
	for (int p = 0; p < MAIN_NPERS; p++) {
		if ((sim->opt.profile = sim_profile(main_pers[p], name)) != NULL) {
			sim->pers = main_pers[p];
			return;
		}
	}
	fprintf(stderr, "cellsock-modemsim: unknown firmware profile '%s'\n", name);
	main_usage(stderr);
	exit(2);
}

/* The long-only options, by their value. */
static void
main_option(struct sim_options *opt, int ch, const char *arg)
{
	switch (ch) {
	case OPT_JAM_AFTER: opt->jam_after = (int)main_number("jam-after", arg, 1000); break;
	case OPT_JAM_CLEAR: opt->jam_clear_ms = (unsigned)main_number("jam-clear", arg, 86400000UL * 7); break;
	case OPT_SGACT_DELAY: opt->sgact_delay_ms = (unsigned)main_number("sgact-delay", arg, 600000); break;
	case OPT_CLOSE_DEFER: opt->close_defer_ms = (unsigned)main_number("close-defer", arg, 3600000); break;
	case OPT_REG_DELAY: opt->reg_delay_ms = (unsigned)main_number("reg-delay", arg, 3600000); break;
	case OPT_REBOOT_TIME: opt->reboot_ms = (unsigned)main_number("reboot-time", arg, 600000); break;
	case OPT_READY_DELAY: opt->ready_delay_ms = (unsigned)main_number("ready-delay", arg, 600000); break;
	case OPT_SH_TIMEOUT: opt->sh_timeout_ms = (unsigned)main_number("sh-timeout", arg, 600000); break;
	case OPT_SEED: opt->seed = main_number("seed", arg, 0xffffffffUL); break;
	case OPT_PIN: opt->pin = arg; break;
	case OPT_BIND: opt->bind = arg; break;
	case OPT_PDP_IP: opt->pdp_ip = arg; break;
	case OPT_OPERATOR: opt->operator_name = arg; break;
	case OPT_ROAMING: opt->roaming = 1; break;
	case OPT_RX_BUFFER: opt->rx_buffer = main_number("rx-buffer", arg, 16 << 20); break;
	case OPT_TX_BUFFER: opt->tx_buffer = main_number("tx-buffer", arg, 16 << 20); break;
	case OPT_LINE_MAX: opt->line_max = (int)main_number("line-max", arg, 1000); break;
	case OPT_MIN_GAP: opt->min_gap_ms = (unsigned)main_number("min-gap", arg, 10000); break;
	case OPT_PORTS: opt->ports = (int)main_number("ports", arg, SIM_PORTS_MAX); break;
	default:
		main_usage(stderr);
		exit(2);
	}
}

static void
main_parse(int argc, char **argv, struct sim *sim)
{
	struct sim_options *opt = &sim->opt;
	int ch;

	while ((ch = getopt_long(argc, argv, "l:c:b:f:t:s:vhV", main_longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': opt->link = optarg; break;
		case 'c': opt->control = optarg; break;
		case 'b': opt->baud = main_number("baud", optarg, 4000000); break;
		case 'f': main_profile(sim, optarg); break;
		case 't': opt->trace = optarg; break;
		case 's': opt->script = optarg; break;
		case 'v': opt->verbose++; break;
		case 'h': main_usage(stdout); exit(0);
		case 'V': printf("cellsock-modemsim %s\n", PACKAGE_VERSION); exit(0);
		default: main_option(opt, ch, optarg); break;
		}
	}
	if (optind != argc) {
		main_usage(stderr);
		exit(2);
	}
	if (opt->ports == 0) {
		fprintf(stderr, "cellsock-modemsim: --ports: at least 1\n");
		exit(2);
	}
	if (opt->rx_buffer == 0 || opt->tx_buffer == 0) {
		fprintf(stderr, "cellsock-modemsim: buffers must not be 0\n");
		exit(2);
	}
}

static void
main_signal_cb(int sig, short what, void *arg)
{
	struct sim *sim = arg;

	sim_event(sim, "event", "signal %d: exiting", sig);
	event_base_loopexit(sim->base, NULL);
}

/* Build every part in order; the caller tears down in reverse. */
static int
main_setup(struct sim *sim)
{
	char err[512];

	if (sim->opt.trace != NULL && (sim->trace = trace_open(sim->opt.trace)) == NULL) {
		log_warn("trace %s", sim->opt.trace);
		return -1;
	}
	sim->nports = sim->opt.ports;
	for (int i = 0; i < sim->nports; i++)
		sim->port[i] = port_new(sim, i);
	sim->stack = stack_new(sim);
	sim->modem = modem_new(sim);
	if (sim->opt.control != NULL && (sim->ctl = ctl_new(sim, sim->opt.control)) == NULL)
		return -1;
	if (sim->opt.script != NULL &&
	    (sim->script = script_load(sim, sim->opt.script, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 2;
	}
	return modem_boot(sim->modem);
}

static void
main_teardown(struct sim *sim)
{
	script_free(sim->script);
	ctl_free(sim->ctl);
	modem_free(sim->modem);
	stack_free(sim->stack);
	for (int i = 0; i < sim->nports; i++)
		port_free(sim->port[i]);
	trace_close(sim->trace);
	for (int i = 0; i < SIM_HISTORY; i++)
		free(sim->history[i]);
}

int
main(int argc, char **argv)
{
	struct event *ev_term, *ev_int;
	struct sim sim;
	int rc;

	memset(&sim, 0, sizeof(sim));
	sim.pers = main_pers[0];
	sim_options_init(&sim.opt, main_pers[0]);
	main_parse(argc, argv, &sim);
	log_init("cellsock-modemsim", sim.opt.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	signal(SIGPIPE, SIG_IGN);
	sim.rng = sim.opt.seed * 0x9E3779B97F4A7C15ULL + 1;
	sim.start_ms = util_now_ms();
	if ((sim.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	ev_term = evsignal_new(sim.base, SIGTERM, main_signal_cb, &sim);
	ev_int = evsignal_new(sim.base, SIGINT, main_signal_cb, &sim);
	if (ev_term == NULL || ev_int == NULL)
		fatalx("signal events");
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	if ((rc = main_setup(&sim)) == 0) {
		sim_event(&sim, "event", "firmware %s baud %lu", sim.opt.profile->name, sim.opt.baud);
		event_base_dispatch(sim.base);
	}
	main_teardown(&sim);
	event_free(ev_term);
	event_free(ev_int);
	event_base_free(sim.base);
	return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}
