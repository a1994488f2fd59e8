/* The fault commands of the control socket and --script: what each one
 * does to the module, its sockets, the stack and the network. fault.c holds
 * the table that names them. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "conn.h"
#include "fault_act.h"
#include "modem.h"
#include "personality.h"
#include "proto.h"
#include "sim.h"
#include "sock.h"
#include "xmalloc.h"

#define FAULT_GARBAGE_MAX 65536
#define FAULT_STORM_MAX	10000

int
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
int
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

	if (fault_number(req->argv[i], sim->pers->sock_min, sim->pers->sock_max, &id) == -1) {
		fault_fail(err, ERR_USAGE, "socket id must be %d..%d", sim->pers->sock_min,
		    sim->pers->sock_max);
		return NULL;
	}
	s = &sim->modem->sock[id];
	if (s->phase != SOCK_OPEN) {
		fault_fail(err, ERR_FAILED, "socket %ld is not connected", id);
		return NULL;
	}
	return s;
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

int
fault_drop(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	struct sock *s = fault_sock(sim, req, 1, err);

	if (s == NULL)
		return -1;
	sock_drop(s, "drop");
	return 0;
}

int
fault_rst(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	struct sock *s = fault_sock(sim, req, 1, err);

	if (s == NULL)
		return -1;
	sock_rst(s);
	return 0;
}

int
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

/* SECONDS with up to millisecond precision, 0..max, in ms; -1 if not. */
static int
fault_millis(const char *s, double max, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= max))
		return -1;
	*ms = (unsigned)(v * 1000.0 + 0.5);
	return 0;
}

/* nat-timeout ID|all SECONDS: forget a socket idle that long (0: never;
 * fractions of a second allowed, for time-scaled benchmarks). */
int
fault_nat_timeout(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long id = -1;
	unsigned ms;

	if (fault_millis(req->argv[2], 86400 * 7, &ms) == -1)
		return fault_fail(err, ERR_USAGE, "SECONDS must be 0..604800");
	if (strcmp(req->argv[1], "all") != 0 &&
	    fault_number(req->argv[1], sim->pers->sock_min, sim->pers->sock_max, &id) == -1)
		return fault_fail(err, ERR_USAGE, "ID must be %d..%d or all", sim->pers->sock_min,
		    sim->pers->sock_max);
	if (id == -1)
		sim->stack->nat_default_ms = ms;
	for (int i = sim->pers->sock_min; i <= sim->pers->sock_max; i++)
		if (id == -1 || id == i)
			sock_set_nat_timeout(&sim->modem->sock[i], ms);
	return 0;
}

int
fault_hang(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	unsigned ms;

	if (fault_ms(req, 1, 0, &ms, err) == -1)
		return -1;
	modem_hang(sim->modem, ms);
	return 0;
}

int
fault_unhang(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_unhang(sim->modem);
	return 0;
}

/* N seeded random bytes, with NULs, CRs and LFs mixed in: partial lines. */
int
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

int
fault_urc(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	char *line;

	xasprintf(&line, "\r\n%s\r\n", proto_rest(req, 1));
	modem_inject(sim->modem, line, strlen(line));
	free(line);
	return 0;
}

int
fault_urc_mid(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	modem_set_urc_mid(sim->modem, proto_rest(req, 1));
	return 0;
}

/* storm N [TEXT]: N URC lines back to back; by default +CREG/+CGREG with
 * the current registration, which a host may ignore. */
int
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

int
fault_deregister(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long stat = 2;

	if (req->argc > 1 && (fault_number(req->argv[1], 0, 4, &stat) == -1 || stat == 1))
		return fault_fail(err, ERR_USAGE, "STAT must be 0, 2, 3 or 4");
	modem_deregister(sim->modem, (int)stat);
	return 0;
}

int
fault_register(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	int roaming = req->argc > 1 && strcmp(req->argv[1], "roaming") == 0;

	if (req->argc > 1 && !roaming && strcmp(req->argv[1], "home") != 0)
		return fault_fail(err, ERR_USAGE, "register [home|roaming]");
	if (modem_is_off(sim->modem))
		return fault_fail(err, ERR_FAILED, "the module is rebooting");
	modem_set_reg(sim->modem, roaming ? 5 : 1);
	return 0;
}

int
fault_pdp_drop(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	long cid = 0;

	if (req->argc > 1 && fault_number(req->argv[1], 1, sim->pers->pdp_count, &cid) == -1)
		return fault_fail(err, ERR_USAGE, "CID must be 1..%d", sim->pers->pdp_count);
	stack_pdp_lost(sim->stack);
	for (int i = 1; i <= sim->pers->pdp_count; i++)
		if (cid == 0 || cid == i)
			modem_pdp_deactivate(sim->modem, i, 1);
	return 0;
}

int
fault_reboot(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	unsigned ms;

	if (fault_ms(req, 1, sim->opt.reboot_ms, &ms, err) == -1)
		return -1;
	if (modem_is_off(sim->modem))
		return fault_fail(err, ERR_FAILED, "already rebooting");
	modem_reboot(sim->modem, ms, "fault");
	return 0;
}

/* error CMD CODE [COUNT]: the next COUNT (1) CMD fail with +CME ERROR: CODE. */
int
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
int
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
int
fault_delay(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	unsigned ms;

	if (fault_ms(req, 2, 0, &ms, err) == -1)
		return -1;
	modem_set_delay(sim->modem, req->argv[1], ms);
	return 0;
}

int
fault_jam(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	stack_jam(sim->stack, "forced");
	return 0;
}

int
fault_unjam(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err)
{
	stack_unjam(sim->stack, "forced");
	return 0;
}

int
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
