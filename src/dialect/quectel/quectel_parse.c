/* Quectel response parsers: see quectel_parse.h. Fields are split at commas
 * outside double quotes by at/field.h; every number is range-checked. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "at/field.h"
#include "at/result.h"
#include "dialect/quectel/quectel_parse.h"

/* Room for the documented fields and the extra trailing ones newer
 * firmware may add (they are ignored). */
#define QP_FIELDS_MAX	(AT_FIELDS_MAX + 4)
#define QP_LONG_MAX	(1L << 30)	/* bound of lengths and range ends */

/* An unquoted decimal counter: the whole 64-bit range (at_field_u64 stops
 * at 19 digits; a module's byte counters may use all 20). */
static int
qp_u64(const struct at_field *f, uint64_t *out)
{
	uint64_t v = 0, d;

	if (f->quoted || f->len == 0)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		if (!isdigit((unsigned char)f->p[i]))
			return -1;
		d = (uint64_t)(f->p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* at_field_str, printable text only. */
static int
qp_str(const struct at_field *f, char *out, size_t outsz)
{
	for (size_t i = 0; i < f->len; i++)
		if (!isprint((unsigned char)f->p[i]))
			return -1;
	return at_field_str(f, out, outsz);
}

/* at_field_ip, or an empty field when allowed. */
static int
qp_ip(const struct at_field *f, int empty_ok, char *out, size_t outsz)
{
	if (f->len == 0 && outsz > 0) {
		out[0] = '\0';
		return empty_ok ? 0 : -1;
	}
	if (qp_str(f, out, outsz) == -1)
		return -1;
	return at_field_ip(f, out, outsz);
}

/* Does the field hold exactly s? */
static int
qp_is(const struct at_field *f, const char *s)
{
	return f->len == strlen(s) && strncmp(f->p, s, f->len) == 0;
}

static int
qp_connid(const struct at_field *f, int *out)
{
	return at_field_int(f, 0, QUECTEL_CONNID_MAX, out);
}

static int
qp_ctx(const struct at_field *f, int *out)
{
	return at_field_int(f, QUECTEL_CTX_MIN, QUECTEL_CTX_MAX, out);
}

static int
qp_port(const struct at_field *f, int *out)
{
	return at_field_int(f, 0, 65535, out);
}

int
quectel_parse_qiopen_urc(const char *line, struct quectel_qiopen *o)
{
	struct at_field f[QP_FIELDS_MAX];

	o->conn_id = o->err = -1;
	if (at_field_args("+QIOPEN:", line, f, QP_FIELDS_MAX) < 2 ||
	    qp_connid(&f[0], &o->conn_id) == -1 ||
	    at_field_int(&f[1], 0, 65535, &o->err) == -1)
		return -1;
	return 0;
}

/* "recv",<id>[,<len>[,"<ip>",<port>]]: the id and a length must be
 * numbers; what follows (the UDP sender, view mode 1's data, fields of
 * newer firmware) is taken when it reads as a sender, else ignored. */
static int
quectel_qiurc_recv(const struct at_field *f, int n, struct quectel_qiurc *u)
{
	if (n < 2 || qp_connid(&f[1], &u->conn_id) == -1)
		return -1;
	if (n >= 3 && at_field_long(&f[2], 0, QP_LONG_MAX, &u->len) == -1)
		return -1;
	if (n >= 5 && (qp_ip(&f[3], 0, u->remote_ip, sizeof(u->remote_ip)) == -1 ||
	    qp_port(&f[4], &u->remote_port) == -1)) {
		u->remote_ip[0] = '\0';
		u->remote_port = -1;
	}
	return 0;
}

/* "incoming",<id>,<serverID>,"<ip>",<port> */
static int
quectel_qiurc_incoming(const struct at_field *f, int n,
    struct quectel_qiurc *u)
{
	if (n < 5 || qp_connid(&f[1], &u->conn_id) == -1 ||
	    qp_connid(&f[2], &u->server_id) == -1 ||
	    qp_ip(&f[3], 0, u->remote_ip, sizeof(u->remote_ip)) == -1 ||
	    qp_port(&f[4], &u->remote_port) == -1)
		return -1;
	return 0;
}

/* The kind named by the first field, in any case; QUECTEL_URC_OTHER if
 * unknown. */
static enum quectel_urc_kind
quectel_qiurc_kind(const struct at_field *f)
{
	static const struct { const char *name; enum quectel_urc_kind kind; }
	    t[] = {
		{ "recv", QUECTEL_URC_RECV },
		{ "closed", QUECTEL_URC_CLOSED },
		{ "pdpdeact", QUECTEL_URC_PDPDEACT },
		{ "incoming", QUECTEL_URC_INCOMING },
		{ "incoming full", QUECTEL_URC_INCOMING_FULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (f->len == strlen(t[i].name) &&
		    strncasecmp(f->p, t[i].name, f->len) == 0)
			return t[i].kind;
	return QUECTEL_URC_OTHER;
}

/* The arguments of a known kind; n counts the kind's own field too. Extra
 * trailing fields (newer firmware) are ignored. */
static int
quectel_qiurc_args(const struct at_field *f, int n, struct quectel_qiurc *u)
{
	switch (u->kind) {
	case QUECTEL_URC_RECV:
		return quectel_qiurc_recv(f, n, u);
	case QUECTEL_URC_CLOSED:
		return n >= 2 ? qp_connid(&f[1], &u->conn_id) : -1;
	case QUECTEL_URC_PDPDEACT:
		return n >= 2 ? qp_ctx(&f[1], &u->ctx) : -1;
	case QUECTEL_URC_INCOMING:
		return quectel_qiurc_incoming(f, n, u);
	case QUECTEL_URC_INCOMING_FULL:
		return 0;
	case QUECTEL_URC_OTHER:
		return 0;
	}
	return -1;
}

int
quectel_parse_qiurc(const char *line, struct quectel_qiurc *u)
{
	struct at_field f[QP_FIELDS_MAX];
	const char *args;
	int n;

	memset(u, 0, sizeof(*u));
	u->conn_id = u->ctx = u->server_id = u->remote_port = -1;
	u->len = -1;
	if (!at_prefix_match("+QIURC:", line, &args))
		return -1;
	if (at_field_next(args, &f[0]) == NULL || f[0].len == 0 ||
	    qp_str(&f[0], u->name, sizeof(u->name)) == -1)
		return -1;
	if ((u->kind = quectel_qiurc_kind(&f[0])) == QUECTEL_URC_OTHER)
		return 0;	/* its arguments are not ours to judge */
	if ((n = at_field_split(args, f, QP_FIELDS_MAX)) < 1)
		return -1;
	return quectel_qiurc_args(f, n, u);
}

/* The service type named by a +QISTATE field. */
static enum quectel_service
quectel_service_of(const char *type)
{
	static const char *const names[] = {
		[QUECTEL_SVC_TCP] = "TCP",
		[QUECTEL_SVC_UDP] = "UDP",
		[QUECTEL_SVC_TCP_LISTENER] = "TCP LISTENER",
		[QUECTEL_SVC_TCP_INCOMING] = "TCP INCOMING",
		[QUECTEL_SVC_UDP_SERVICE] = "UDP SERVICE",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(type, names[i]) == 0)
			return (enum quectel_service)i;
	return QUECTEL_SVC_OTHER;
}

/* The fields around socket_state that the supervisor does not need: type,
 * address, ports, ctx, serverID, mode, AT port. Each is taken when it
 * reads well, else left unknown (-1, ""); fields past the tenth (newer
 * firmware) are ignored. */
static void
quectel_qistate_rest(const struct at_field *f, int n, struct quectel_qistate *s)
{
	if (qp_str(&f[1], s->type, sizeof(s->type)) == -1)
		s->type[0] = '\0';
	s->service = quectel_service_of(s->type);
	if (qp_str(&f[2], s->remote, sizeof(s->remote)) == -1)
		s->remote[0] = '\0';
	if (qp_port(&f[3], &s->remote_port) == -1)
		s->remote_port = -1;
	if (qp_port(&f[4], &s->local_port) == -1)
		s->local_port = -1;
	if (n >= 7 && qp_ctx(&f[6], &s->ctx) == -1)
		s->ctx = -1;
	if (n >= 8 && qp_connid(&f[7], &s->server_id) == -1)
		s->server_id = -1;
	if (n >= 9 && at_field_int(&f[8], 0, 2, &s->access_mode) == -1)
		s->access_mode = -1;
	if (n >= 10 && qp_str(&f[9], s->at_port, sizeof(s->at_port)) == -1)
		s->at_port[0] = '\0';
}

int
quectel_parse_qistate(const char *line, struct quectel_qistate *s)
{
	struct at_field f[QP_FIELDS_MAX];
	int n = at_field_args("+QISTATE:", line, f, QP_FIELDS_MAX), state;

	memset(s, 0, sizeof(*s));
	s->conn_id = s->remote_port = s->local_port = -1;
	s->ctx = s->server_id = s->access_mode = -1;
	if (n < 1 || qp_connid(&f[0], &s->conn_id) == -1)
		return -1;	/* not even an id: s->conn_id stays -1 */
	if (n < 6 || at_field_int(&f[5], 0, 255, &state) == -1)
		return -1;	/* s->conn_id names the socket of the bad line */
	s->state = (enum quectel_sock_state)state;
	quectel_qistate_rest(f, n, s);
	return 0;
}

/* Three 64-bit counters after prefix. */
static int
qp_counters(const char *prefix, const char *line, uint64_t *a, uint64_t *b,
    uint64_t *c)
{
	struct at_field f[QP_FIELDS_MAX];

	*a = *b = *c = 0;
	if (at_field_args(prefix, line, f, QP_FIELDS_MAX) < 3 ||
	    qp_u64(&f[0], a) == -1 || qp_u64(&f[1], b) == -1 ||
	    qp_u64(&f[2], c) == -1)
		return -1;
	return 0;
}

int
quectel_parse_qisend_info(const char *line, struct quectel_qisend_info *i)
{
	return qp_counters("+QISEND:", line, &i->total, &i->acked, &i->unacked);
}

int
quectel_parse_qird_info(const char *line, struct quectel_qird_info *i)
{
	return qp_counters("+QIRD:", line, &i->total, &i->read, &i->unread);
}

/* The fields of a +QIRD data header after its prefix: "<n>", or "<n>,
 * "<ip>",<port>[,...]" (the address quoted or not). The counters answer
 * "<total>,<read>,<unread>" (a number second) and "<n>,<x>" are not
 * headers: taking one for a header would swallow n bytes of what follows. */
static int
quectel_qird_args(const char *args, struct quectel_qird *r)
{
	struct at_field f[QP_FIELDS_MAX];
	int n = at_field_split(args, f, QP_FIELDS_MAX);
	long len;

	memset(r, 0, sizeof(*r));
	r->remote_port = -1;
	if (n != 1 && n < 3)
		return -1;
	if (at_field_long(&f[0], 0, QUECTEL_QIRD_MAX, &len) == -1)
		return -1;
	if (n >= 3 && (qp_ip(&f[1], 0, r->remote_ip, sizeof(r->remote_ip)) == -1 ||
	    qp_port(&f[2], &r->remote_port) == -1))
		return -1;
	r->len = (size_t)len;
	return 0;
}

int
quectel_parse_qird_header(const char *line, struct quectel_qird *r)
{
	const char *args;

	if (!at_prefix_match("+QIRD:", line, &args)) {
		memset(r, 0, sizeof(*r));
		r->remote_port = -1;
		return -1;
	}
	return quectel_qird_args(args, r);
}

long
quectel_qird_len(const char *args)
{
	struct quectel_qird r;

	if (quectel_qird_args(args, &r) == -1)
		return -1;
	return (long)r.len;
}

int
quectel_parse_qiact(const char *line, struct quectel_qiact *a)
{
	struct at_field f[QP_FIELDS_MAX];
	int n = at_field_args("+QIACT:", line, f, QP_FIELDS_MAX);

	a->ctx = a->state = a->type = -1;
	a->ip[0] = a->ip2[0] = '\0';
	if (n < 3)
		return -1;
	if (qp_ctx(&f[0], &a->ctx) == -1 || at_field_int(&f[1], 0, 1, &a->state) == -1 ||
	    at_field_int(&f[2], 0, 255, &a->type) == -1)
		return -1;
	/* the addresses are for logs: one that does not read is left empty
	 * rather than losing the state; later fields are ignored */
	if (n >= 4 && qp_ip(&f[3], 1, a->ip, sizeof(a->ip)) == -1)
		a->ip[0] = '\0';
	if (n >= 5 && qp_ip(&f[4], 1, a->ip2, sizeof(a->ip2)) == -1)
		a->ip2[0] = '\0';
	return 0;
}

int
quectel_parse_qigeterror(const char *line, struct quectel_qigeterror *e)
{
	struct at_field f[QP_FIELDS_MAX];
	int n = at_field_args("+QIGETERROR:", line, f, QP_FIELDS_MAX);

	e->code = -1;
	e->text[0] = '\0';
	if (n < 1 || at_field_int(&f[0], 0, 65535, &e->code) == -1)
		return -1;
	if (n >= 2 && qp_str(&f[1], e->text, sizeof(e->text)) == -1)
		e->text[0] = '\0';	/* the number is what counts */
	return 0;
}

/* A decimal number at *pp (at most QP_LONG_MAX); advances past it. */
static int
qp_num(const char **pp, long *out)
{
	const char *p = *pp;
	long v = 0;
	int d;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		d = *p - '0';
		if (v > (QP_LONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*pp = p;
	*out = v;
	return 0;
}

/* One "(lo-hi)", "(a,b,...)" or "(n)" group at *pp (optional spaces
 * before it); gives its smallest and largest value and advances past it. */
static int
qp_group(const char **pp, long *lo, long *hi)
{
	const char *p = *pp;
	long v;

	while (*p == ' ')
		p++;
	if (*p++ != '(' || qp_num(&p, lo) == -1)
		return -1;
	*hi = *lo;
	if (*p == '-') {
		p++;
		if (qp_num(&p, hi) == -1 || *hi < *lo)
			return -1;
	}
	while (*p == ',') {
		p++;
		if (qp_num(&p, &v) == -1)
			return -1;
		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
	}
	if (*p++ != ')')
		return -1;
	*pp = p;
	return 0;
}

/* Past a comma and the spaces around it; 0 at the end of the line. */
static int
qp_comma(const char **pp)
{
	const char *p = *pp;

	while (*p == ' ')
		p++;
	if (*p != ',')
		return 0;
	for (p++; *p == ' '; p++)
		;
	*pp = p;
	return 1;
}

/* The arguments of a +QICFG line after "tcp/keepalive", or NULL. */
static const char *
qp_keepalive_args(const char *line)
{
	struct at_field f;
	const char *args, *p;

	if (!at_prefix_match("+QICFG:", line, &args) ||
	    (p = at_field_next(args, &f)) == NULL || !qp_is(&f, "tcp/keepalive"))
		return NULL;
	return p;
}

int
quectel_parse_qicfg_keepalive_test(const char *line,
    struct quectel_keepalive_test *k)
{
	const char *p;
	long lo, hi;

	k->idle_min = k->idle_max = -1;
	k->interval_min = k->interval_max = k->probes_min = k->probes_max = -1;
	k->unit = QUECTEL_KA_MINUTES;
	if ((p = qp_keepalive_args(line)) == NULL || !qp_comma(&p) ||
	    qp_group(&p, &lo, &hi) == -1 || hi > 1 ||	/* enable */
	    !qp_comma(&p) || qp_group(&p, &k->idle_min, &k->idle_max) == -1 ||
	    k->idle_max == 0)
		return -1;
	k->unit = k->idle_max <= 120 ? QUECTEL_KA_MINUTES : QUECTEL_KA_SECONDS;
	if (qp_comma(&p) && qp_group(&p, &k->interval_min,
	    &k->interval_max) == -1)
		return -1;
	if (qp_comma(&p) && qp_group(&p, &k->probes_min, &k->probes_max) == -1)
		return -1;
	while (qp_comma(&p))	/* groups of newer firmware: not ours */
		if (qp_group(&p, &lo, &hi) == -1)
			return -1;
	while (*p == ' ')
		p++;
	return *p == '\0' ? 0 : -1;
}

int
quectel_parse_qicfg_keepalive(const char *line, struct quectel_keepalive *k)
{
	struct at_field f[QP_FIELDS_MAX];
	const char *p;
	int n;

	k->enable = -1;
	k->idle = k->interval = k->probes = -1;
	if ((p = qp_keepalive_args(line)) == NULL || *p++ != ',' ||
	    (n = at_field_split(p, f, QP_FIELDS_MAX)) == -1)
		return -1;
	if ((n != 1 && n < 4) || at_field_int(&f[0], 0, 1, &k->enable) == -1)
		return -1;
	if (n >= 4 && (at_field_long(&f[1], 0, QP_LONG_MAX, &k->idle) == -1 ||
	    at_field_long(&f[2], 0, QP_LONG_MAX, &k->interval) == -1 ||
	    at_field_long(&f[3], 0, QP_LONG_MAX, &k->probes) == -1))
		return -1;
	return 0;
}

/* Quectel's IP-stack codes (at-commands.md §3.9), never Telit's meanings.
 * REFUSED is kept for "the far end answered" (it does not climb the
 * escalation ladder); failures of the module's own stack are OTHER. */
static const struct {
	int code;
	const char *name;
	enum dial_error class;
} quectel_errors[] = {
	{ 550, "unknown error", DIAL_ERR_OTHER },	/* nothing to go on */
	{ 551, "operation blocked", DIAL_ERR_OTHER },	/* module busy */
	{ 552, "invalid parameters", DIAL_ERR_OTHER },	/* our command */
	{ 553, "memory not enough", DIAL_ERR_OTHER },	/* module state */
	{ 554, "create socket failed", DIAL_ERR_OTHER },	/* module stack */
	{ 555, "operation not supported", DIAL_ERR_OTHER },	/* firmware */
	{ 556, "socket bind failed", DIAL_ERR_OTHER },	/* local port */
	{ 557, "socket listen failed", DIAL_ERR_OTHER },	/* not a dial */
	{ 558, "socket write failed", DIAL_ERR_OTHER },	/* data path */
	{ 559, "socket read failed", DIAL_ERR_OTHER },	/* data path */
	{ 560, "socket accept failed", DIAL_ERR_OTHER },	/* not a dial */
	{ 561, "PDP context opening failed", DIAL_ERR_NO_CONTEXT },	/* no bearer */
	{ 562, "PDP context closure failed", DIAL_ERR_OTHER },	/* deactivation */
	{ 563, "socket identity has been used", DIAL_ERR_OTHER },	/* id not closed */
	{ 564, "DNS busy", DIAL_ERR_DNS },	/* resolver could not answer */
	{ 565, "DNS parse failed", DIAL_ERR_DNS },	/* name did not resolve */
	{ 566, "socket connect failed", DIAL_ERR_REFUSED },	/* peer refused */
	{ 567, "socket has been closed", DIAL_ERR_REFUSED },	/* peer closed */
	{ 568, "operation busy", DIAL_ERR_OTHER },	/* module busy */
	{ 569, "operation timeout", DIAL_ERR_TIMEOUT },	/* connect timed out */
	{ 570, "PDP context broken down", DIAL_ERR_NO_CONTEXT },	/* bearer lost */
	{ 571, "cancel sending", DIAL_ERR_OTHER },	/* data path */
	{ 572, "operation not allowed", DIAL_ERR_OTHER },	/* module state */
	{ 573, "APN not configured", DIAL_ERR_NO_CONTEXT },	/* context undefined */
	{ 574, "port busy", DIAL_ERR_OTHER },	/* local port in use */
};

/* The table row of code, or -1. */
static int
quectel_error_row(int code)
{
	for (size_t i = 0; i < sizeof(quectel_errors) /
	    sizeof(quectel_errors[0]); i++)
		if (quectel_errors[i].code == code)
			return (int)i;
	return -1;
}

enum dial_error
quectel_error_class(int code)
{
	int i;

	if (code == 0)
		return DIAL_ERR_NONE;
	if ((i = quectel_error_row(code)) == -1)
		return DIAL_ERR_OTHER;
	return quectel_errors[i].class;
}

const char *
quectel_error_name(int code)
{
	int i;

	if (code == 0)
		return "operation successful";
	if ((i = quectel_error_row(code)) == -1)
		return "unknown error";
	return quectel_errors[i].name;
}

int
quectel_is_manufacturer(const char *line)
{
	const char *p = line, *args;

	if (at_prefix_match("+CGMI:", line, &args) ||
	    at_prefix_match("+GMI:", line, &args))
		p = args;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "quectel", 7) != 0)
		return 0;
	p += 7;
	if (*p == '_' || *p == ' ')
		p++;	/* "Quectel_Ltd", "Quectel Wireless Solutions" */
	else if (*p == '\0' || *p == '\r' || *p == '\n')
		return 1;
	else
		return 0;
	for (; *p != '\0'; p++)
		if (!isprint((unsigned char)*p))
			return 0;
	return 1;
}
