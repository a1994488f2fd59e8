/* The control commands: one table shared by the control socket (ctl.c)
 * and --script (script.c), the queries, and running or checking a line.
 * The faults themselves are in fault_act.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "conn.h"
#include "fault.h"
#include "fault_act.h"
#include "modem.h"
#include "personality.h"
#include "port.h"
#include "profile.h"
#include "proto.h"
#include "sim.h"
#include "util.h"
#include "xmalloc.h"

#define FAULT_LOGGED	0x1	/* a fault: logged with a timestamp before it runs */

struct fault_def {
	const char *name;
	int minargs, maxargs;	/* words after the name; -1: the rest of the line */
	int flags;
	const char *usage;
	const char *help;
	fault_fn *fn;
};

static int
fault_state(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_state(sim->modem, out);
	stack_state(sim->stack, out);
	for (int i = 0; i < sim->nports; i++)
		port_state(sim->port[i], out);
	evbuffer_add_printf(out, "uptime_ms=%llu\n",
	    (unsigned long long)(util_now_ms() - sim->start_ms));
	return 0;
}

static int
fault_sockets(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_sockets(sim->modem, out);
	return 0;
}

static int
fault_events(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long n = 0;

	if (req->argc > 1 && fault_number(req->argv[1], 1, SIM_HISTORY, &n) == -1)
		return fault_fail(err, ERR_USAGE, "N must be 1..%d", SIM_HISTORY);
	sim_history(sim, (int)n, out);
	return 0;
}

/* The AT commands the module answers, from the command table. */
static int
fault_commands(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	const struct cmd_def *defs = sim->pers->cmds;
	int n = sim->pers->ncmds;

	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out, "%s\n", strcmp(defs[i].name, "S") == 0 ? "Sn" : defs[i].name);
	return 0;
}

static int
fault_version(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	evbuffer_add_printf(out, "cellsock-modemsim %s %s\n", PACKAGE_VERSION,
	    sim->opt.profile->name);
	return 0;
}

static int fault_help(struct sim *, const struct proto_request *, struct evbuffer *,
    struct fault_err *);

static const struct fault_def fault_defs[] = {
	{ "help", 0, 0, 0, "help", "this list", fault_help },
	{ "state", 0, 0, 0, "state", "key=value lines: module, stack and port", fault_state },
	{ "sockets", 0, 0, 0, "sockets", "one line per socket", fault_sockets },
	{ "events", 0, 1, 0, "events [N]", "the last N event and fault lines", fault_events },
	{ "version", 0, 0, 0, "version", "program version and firmware profile", fault_version },
	{ "commands", 0, 0, 0, "commands", "the AT commands the module answers", fault_commands },
	{ "drop", 1, 1, FAULT_LOGGED, "drop ID", "the network forgets the socket", fault_drop },
	{ "rst", 1, 1, FAULT_LOGGED, "rst ID", "reset the connection both ways", fault_rst },
	{ "fin", 1, 1, FAULT_LOGGED, "fin ID", "the remote closes the connection", fault_fin },
	{ "nat-timeout", 2, 2, FAULT_LOGGED, "nat-timeout ID|all SECONDS",
	    "forget a socket idle that long (0: never)", fault_nat_timeout },
	{ "hang", 0, 1, FAULT_LOGGED, "hang [MS]", "stop answering (for MS)", fault_hang },
	{ "unhang", 0, 0, FAULT_LOGGED, "unhang", "answer again", fault_unhang },
	{ "garbage", 1, 1, FAULT_LOGGED, "garbage N", "send N random bytes", fault_garbage },
	{ "urc", 1, -1, FAULT_LOGGED, "urc TEXT", "send the line TEXT now", fault_urc },
	{ "urc-mid", 1, -1, FAULT_LOGGED, "urc-mid TEXT",
	    "send TEXT inside the next response", fault_urc_mid },
	{ "storm", 1, -1, FAULT_LOGGED, "storm N [TEXT]", "N URC lines back to back", fault_storm },
	{ "deregister", 0, 1, FAULT_LOGGED, "deregister [STAT]",
	    "lose registration (stat 2 by default)", fault_deregister },
	{ "register", 0, 1, FAULT_LOGGED, "register [home|roaming]", "register again",
	    fault_register },
	{ "pdp-drop", 0, 1, FAULT_LOGGED, "pdp-drop [CID]",
	    "the network deactivates the context(s)", fault_pdp_drop },
	{ "reboot", 0, 1, FAULT_LOGGED, "reboot [MS]",
	    "the port goes away and comes back after MS", fault_reboot },
	{ "error", 2, 3, FAULT_LOGGED, "error CMD CODE [COUNT]",
	    "the next CMD fails with +CME ERROR: CODE", fault_error },
	{ "lose", 1, 2, FAULT_LOGGED, "lose CMD [COUNT]",
	    "the next CMD line gets no answer at all", fault_lose_mute },
	{ "mute", 1, 2, FAULT_LOGGED, "mute CMD [COUNT]",
	    "the next CMD line runs but its answer is lost", fault_lose_mute },
	{ "delay", 2, 2, FAULT_LOGGED, "delay CMD MS", "CMD answers MS later (0 clears)",
	    fault_delay },
	{ "jam", 0, 0, FAULT_LOGGED, "jam", "jam the stack now", fault_jam },
	{ "unjam", 0, 0, FAULT_LOGGED, "unjam", "clear the jam", fault_unjam },
	{ "signal", 1, 2, FAULT_LOGGED, "signal RSSI [BER]", "what +CSQ reports", fault_signal },
};

static int
fault_help(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	for (size_t i = 0; i < sizeof(fault_defs) / sizeof(fault_defs[0]); i++)
		evbuffer_add_printf(out, "%-28s %s\n", fault_defs[i].usage, fault_defs[i].help);
	return 0;
}

/* Parse a line and find its entry; NULL with err set. */
static const struct fault_def *
fault_lookup(const char *line, struct proto_request *req, struct fault_err *err)
{
	const struct fault_def *def = NULL;
	int nargs;

	switch (proto_parse_request(line, strlen(line), req)) {
	case PROTO_PARSE_OK:
		break;
	case PROTO_PARSE_EMPTY:
		fault_fail(err, ERR_BAD_REQUEST, "empty request");
		return NULL;
	case PROTO_PARSE_TOO_LONG:
		fault_fail(err, ERR_LINE_TOO_LONG, "request too long");
		return NULL;
	case PROTO_PARSE_TOO_MANY_ARGS:
		fault_fail(err, ERR_BAD_REQUEST, "too many words");
		return NULL;
	case PROTO_PARSE_BINARY:
		fault_fail(err, ERR_BAD_REQUEST, "control characters in the request");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(fault_defs) / sizeof(fault_defs[0]); i++)
		if (strcmp(fault_defs[i].name, req->argv[0]) == 0)
			def = &fault_defs[i];
	if (def == NULL) {
		fault_fail(err, ERR_UNKNOWN_COMMAND, "unknown command %s (try help)", req->argv[0]);
		return NULL;
	}
	nargs = req->argc - 1;
	if (nargs < def->minargs || (def->maxargs >= 0 && nargs > def->maxargs)) {
		fault_fail(err, ERR_USAGE, "usage: %s", def->usage);
		return NULL;
	}
	return def;
}

void
fault_run(struct sim *sim, const char *line, struct evbuffer *out)
{
	struct proto_request *req = xmalloc(sizeof(*req));
	const struct fault_def *def;
	struct fault_err err = { ERR_FAILED, "" };

	if ((def = fault_lookup(line, req, &err)) != NULL) {
		if (def->flags & FAULT_LOGGED)
			sim_event(sim, "fault", "%s", req->raw);
		if (def->fn(sim, req, out, &err) == 0) {
			evbuffer_add_printf(out, "OK\n");
			free(req);
			return;
		}
	}
	evbuffer_add_printf(out, "ERR %s %s\n", proto_err_names[err.code], err.msg);
	free(req);
}

int
fault_check(const char *line, char *errbuf, size_t errsz)
{
	struct proto_request *req = xmalloc(sizeof(*req));
	struct fault_err err;
	int rc = 0;

	if (fault_lookup(line, req, &err) == NULL) {
		snprintf(errbuf, errsz, "%s", err.msg);
		rc = -1;
	}
	free(req);
	return rc;
}
