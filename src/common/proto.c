#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proto.h"

const char *const link_state_names[LINK_STATE_COUNT] = {
	[LINK_IDLE] = "idle",
	[LINK_WAITING] = "waiting",
	[LINK_CONNECTING] = "connecting",
	[LINK_UP] = "up",
	[LINK_CLOSING] = "closing",
	[LINK_BACKOFF] = "backoff",
	[LINK_RECOVERING] = "recovering",
};

const char *const proto_event_names[EV_COUNT] = {
	[EV_LINK_STATE] = "link-state",
	[EV_LINK_DEAD] = "link-dead",
	[EV_ESCALATION] = "escalation",
	[EV_MODEM_STATE] = "modem-state",
	[EV_DATA_LOSS] = "data-loss",
	[EV_CONFIG_RELOADED] = "config-reloaded",
};

const char *const dead_cause_names[CAUSE_COUNT] = {
	[CAUSE_PROBE_TIMEOUT] = "probe-timeout",
	[CAUSE_ACK_STALL] = "ack-stall",
	[CAUSE_REMOTE_CLOSE] = "remote-close",
	[CAUSE_REMOTE_RESET] = "remote-reset",
	[CAUSE_PDP_LOST] = "pdp-lost",
	[CAUSE_MODEM_ERROR] = "modem-error",
	[CAUSE_MODEM_GONE] = "modem-gone",
	[CAUSE_OPERATOR] = "operator",
	[CAUSE_UNPROBED] = "unprobed",
};

const char *const escalation_step_names[STEP_COUNT] = {
	[STEP_PDP_CYCLE] = "pdp-cycle",
	[STEP_RADIO_CYCLE] = "radio-cycle",
	[STEP_MODEM_REBOOT] = "modem-reboot",
	[STEP_HOOK] = "hook",
};

const char *const proto_err_names[ERR_COUNT] = {
	[ERR_USAGE] = "usage",
	[ERR_UNKNOWN_COMMAND] = "unknown-command",
	[ERR_PERMISSION] = "permission-denied",
	[ERR_NOT_AVAILABLE] = "not-available",
	[ERR_NO_SUCH_LINK] = "no-such-link",
	[ERR_LINE_TOO_LONG] = "line-too-long",
	[ERR_BAD_REQUEST] = "bad-request",
	[ERR_FAILED] = "failed",
	[ERR_BUSY] = "busy",
};

/* Bytes allowed in a request: printable ASCII, blanks and UTF-8 octets. */
static int
proto_byte_ok(unsigned char c)
{
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

enum proto_parse_result
proto_parse_request(const char *line, size_t len, struct proto_request *req)
{
	char *p;

	req->argc = 0;
	if (len && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(req->buf))
		return PROTO_PARSE_TOO_LONG;
	for (size_t i = 0; i < len; i++)
		if (!proto_byte_ok((unsigned char)line[i]))
			return PROTO_PARSE_BINARY;
	memcpy(req->buf, line, len);
	req->buf[len] = '\0';
	memcpy(req->raw, line, len);
	req->raw[len] = '\0';
	for (p = req->buf; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (req->argc == PROTO_ARGS_MAX)
			return PROTO_PARSE_TOO_MANY_ARGS;
		req->off[req->argc] = (size_t)(p - req->buf);
		req->argv[req->argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	return req->argc == 0 ? PROTO_PARSE_EMPTY : PROTO_PARSE_OK;
}

int
proto_lookup(const char *const *names, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *
proto_rest(const struct proto_request *req, int i)
{
	if (i < 0 || i >= req->argc)
		return "";
	return req->raw + req->off[i];
}

void
proto_value_encode(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		int plain = *p > 0x20 && *p != 0x7f && *p != '%';
		if (o + (plain ? 1 : 3) >= outsz)
			break;
		if (plain)
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, outsz - o, "%%%02X", *p);
	}
	out[o] = '\0';
}

static int
proto_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
proto_value_decode(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		int hi, lo;
		if (*r == '%' && (hi = proto_hexdigit(r[1])) >= 0 &&
		    (lo = proto_hexdigit(r[2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return s;
}

long
proto_bytes_decode(const char *in, unsigned char *out, size_t outsz)
{
	size_t n = 0;

	for (const char *r = in; *r != '\0'; r++) {
		int hi = -1, lo = -1;
		if (n == outsz)
			return -1;
		if (*r != '%') {
			out[n++] = (unsigned char)*r;
			continue;
		}
		if ((hi = proto_hexdigit(r[1])) < 0 || (lo = proto_hexdigit(r[2])) < 0)
			return PROTO_BYTES_MALFORMED;
		out[n++] = (unsigned char)(hi << 4 | lo);
		r += 2;
	}
	return (long)n;
}
