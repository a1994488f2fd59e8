#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fault.h"
#include "log.h"
#include "modem.h"
#include "port.h"
#include "personality.h"
#include "profile.h"
#include "proto.h"
#include "sim.h"
#include "sock.h"
#include "util.h"
#include "xmalloc.h"

#define FAULT_LOGGED	0x1	/* a fault: logged with a timestamp before it runs */
#define FAULT_GARBAGE_MAX 65536
#define FAULT_STORM_MAX	10000

/* A failed control command: the proto error and a message. */
struct fault_err {
	enum proto_err code;
	char msg[256];
};

typedef int fault_fn(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err);

struct fault_def {
	const char *name;
	int minargs, maxargs;	/* words after the name; -1: the rest of the line */
	int flags;
	const char *usage;
	const char *help;
	fault_fn *fn;
};

static int
fault_fail(struct fault_err *err, enum proto_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fault_fail(struct fault_err *err, enum proto_err code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal number within [min, max]; -1 if it is not one. */
static int
fault_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Argument i as a socket of the module, connected. */
static struct sock *
fault_sock(struct sim *sim, const struct proto_request *req, int i, struct fault_err *err)
{
	struct sock *s;
	long id;

	if (fault_number(req->argv[i], 1, SOCK_COUNT, &id) == -1) {
		fault_fail(err, ERR_USAGE, "socket id must be 1..%d", SOCK_COUNT);
		return NULL;
	}
	s = &sim->modem->sock[id];
	if (s->phase != SOCK_OPEN) {
		fault_fail(err, ERR_FAILED, "socket %ld is not connected", id);
		return NULL;
	}
	return s;
}

static int
fault_state(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_state(sim->modem, out);
	stack_state(sim->stack, out);
	port_state(sim->port, out);
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

static int
fault_drop(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	struct sock *s = fault_sock(sim, req, 1, err);

	if (s == NULL)
		return -1;
	sock_drop(s, "drop");
	return 0;
}

static int
fault_rst(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	struct sock *s = fault_sock(sim, req, 1, err);

	if (s == NULL)
		return -1;
	sock_rst(s);
	return 0;
}

static int
fault_fin(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	struct sock *s = fault_sock(sim, req, 1, err);

	if (s == NULL)
		return -1;
	if (s->remote_closed)
		return fault_fail(err, ERR_FAILED, "socket %d is already closed by the remote", s->id);
	sock_fin(s);
	return 0;
}

/* nat-timeout ID|all SECONDS: forget a socket idle that long (0: never). */
static int
fault_nat_timeout(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long id = 0, sec;

	if (fault_number(req->argv[2], 0, 86400 * 7, &sec) == -1)
		return fault_fail(err, ERR_USAGE, "SECONDS must be 0..604800");
	if (strcmp(req->argv[1], "all") != 0 &&
	    fault_number(req->argv[1], 1, SOCK_COUNT, &id) == -1)
		return fault_fail(err, ERR_USAGE, "ID must be 1..%d or all", SOCK_COUNT);
	if (id == 0)
		sim->stack->nat_default_s = (unsigned)sec;
	for (int i = 1; i <= SOCK_COUNT; i++)
		if (id == 0 || id == i)
			sock_set_nat_timeout(&sim->modem->sock[i], (unsigned)sec);
	return 0;
}

/* An optional millisecond argument at i (default def). */
static int
fault_ms(const struct proto_request *req, int i, unsigned def, unsigned *ms, struct fault_err *err)
{
	long v;

	*ms = def;
	if (req->argc <= i)
		return 0;
	if (fault_number(req->argv[i], 0, 86400000, &v) == -1)
		return fault_fail(err, ERR_USAGE, "MS must be 0..86400000");
	*ms = (unsigned)v;
	return 0;
}

static int
fault_hang(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	unsigned ms;

	if (fault_ms(req, 1, 0, &ms, err) == -1)
		return -1;
	modem_hang(sim->modem, ms);
	return 0;
}

static int
fault_unhang(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_unhang(sim->modem);
	return 0;
}

/* N seeded random bytes, with NULs, CRs and LFs mixed in: partial lines. */
static int
fault_garbage(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	static const unsigned char special[] = { '\0', '\r', '\n', '\r', '\n', 'O', 'K', '+' };
	unsigned char *buf;
	long n;

	if (fault_number(req->argv[1], 1, FAULT_GARBAGE_MAX, &n) == -1)
		return fault_fail(err, ERR_USAGE, "N must be 1..%d", FAULT_GARBAGE_MAX);
	buf = xmalloc((size_t)n);
	for (long i = 0; i < n; i++) {
		uint32_t r = sim_random(sim);

		buf[i] = (r & 3) == 0 ? special[(r >> 8) % sizeof(special)] : (unsigned char)(r >> 16);
	}
	buf[sim_random(sim) % (uint32_t)n] = '\0';
	modem_inject(sim->modem, buf, (size_t)n);
	free(buf);
	return 0;
}

static int
fault_urc(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	char *line;

	xasprintf(&line, "\r\n%s\r\n", proto_rest(req, 1));
	modem_inject(sim->modem, line, strlen(line));
	free(line);
	return 0;
}

static int
fault_urc_mid(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_set_urc_mid(sim->modem, proto_rest(req, 1));
	return 0;
}

/* storm N [TEXT]: N URC lines back to back; by default +CREG/+CGREG with
 * the current registration, which a host may ignore. */
static int
fault_storm(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	struct evbuffer *buf;
	long n;

	if (fault_number(req->argv[1], 1, FAULT_STORM_MAX, &n) == -1)
		return fault_fail(err, ERR_USAGE, "N must be 1..%d", FAULT_STORM_MAX);
	if ((buf = evbuffer_new()) == NULL)
		return fault_fail(err, ERR_FAILED, "out of memory");
	for (long i = 0; i < n; i++) {
		if (req->argc > 2)
			evbuffer_add_printf(buf, "\r\n%s\r\n", proto_rest(req, 2));
		else
			evbuffer_add_printf(buf, "\r\n%s: %d\r\n", i % 2 ? "+CGREG" : "+CREG",
			    sim->modem->reg_stat);
	}
	modem_inject(sim->modem, evbuffer_pullup(buf, -1), evbuffer_get_length(buf));
	evbuffer_free(buf);
	return 0;
}

static int
fault_deregister(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long stat = 2;

	if (req->argc > 1 && (fault_number(req->argv[1], 0, 4, &stat) == -1 || stat == 1))
		return fault_fail(err, ERR_USAGE, "STAT must be 0, 2, 3 or 4");
	modem_deregister(sim->modem, (int)stat);
	return 0;
}

static int
fault_register(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	int roaming = req->argc > 1 && strcmp(req->argv[1], "roaming") == 0;

	if (req->argc > 1 && !roaming && strcmp(req->argv[1], "home") != 0)
		return fault_fail(err, ERR_USAGE, "register [home|roaming]");
	if (sim->modem->mode == MODE_OFF)
		return fault_fail(err, ERR_FAILED, "the module is rebooting");
	modem_set_reg(sim->modem, roaming ? 5 : 1);
	return 0;
}

static int
fault_pdp_drop(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long cid = 0;

	if (req->argc > 1 && fault_number(req->argv[1], 1, PDP_COUNT, &cid) == -1)
		return fault_fail(err, ERR_USAGE, "CID must be 1..%d", PDP_COUNT);
	stack_pdp_lost(sim->stack);
	for (int i = 1; i <= PDP_COUNT; i++)
		if (cid == 0 || cid == i)
			modem_pdp_deactivate(sim->modem, i, 1);
	return 0;
}

static int
fault_reboot(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	unsigned ms;

	if (fault_ms(req, 1, sim->opt.reboot_ms, &ms, err) == -1)
		return -1;
	if (sim->modem->mode == MODE_OFF)
		return fault_fail(err, ERR_FAILED, "already rebooting");
	modem_reboot(sim->modem, ms, "fault");
	return 0;
}

/* error CMD CODE [COUNT]: the next COUNT (1) CMD fail with +CME ERROR: CODE. */
static int
fault_error(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long code, count = 1;

	if (fault_number(req->argv[2], 0, 65535, &code) == -1 ||
	    (req->argc > 3 && fault_number(req->argv[3], -1, 1000000, &count) == -1) || count == 0)
		return fault_fail(err, ERR_USAGE, "error CMD CODE [COUNT]");
	modem_arm_error(sim->modem, req->argv[1], (int)code, (int)count);
	return 0;
}

/* lose|mute CMD [COUNT]: the next COUNT (1) lines starting with CMD get no
 * answer at all (lose), or run and their answer never reaches the host
 * (mute). */
static int
fault_lose_mute(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	int mute = strcmp(req->argv[0], "mute") == 0;
	long count = 1;

	if (req->argc > 2 && (fault_number(req->argv[2], 1, 1000000, &count) == -1))
		return fault_fail(err, ERR_USAGE, mute ? "mute CMD [COUNT]" : "lose CMD [COUNT]");
	if (mute)
		modem_arm_mute(sim->modem, req->argv[1], (int)count);
	else
		modem_arm_loss(sim->modem, req->argv[1], (int)count);
	return 0;
}

/* delay CMD MS: every CMD answers MS later (0 clears; CMD "*" is all). */
static int
fault_delay(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	unsigned ms;

	if (fault_ms(req, 2, 0, &ms, err) == -1)
		return -1;
	modem_set_delay(sim->modem, req->argv[1], ms);
	return 0;
}

static int
fault_jam(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	stack_jam(sim->stack, "forced");
	return 0;
}

static int
fault_unjam(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	stack_unjam(sim->stack, "forced");
	return 0;
}

static int
fault_signal(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long rssi, ber = 99;

	if (fault_number(req->argv[1], 0, 99, &rssi) == -1 || (rssi > 31 && rssi != 99) ||
	    (req->argc > 2 && (fault_number(req->argv[2], 0, 99, &ber) == -1 ||
	    (ber > 7 && ber != 99))))
		return fault_fail(err, ERR_USAGE, "signal RSSI(0-31,99) [BER(0-7,99)]");
	sim->modem->rssi = (int)rssi;
	sim->modem->ber = (int)ber;
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
