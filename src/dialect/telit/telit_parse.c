/* Telit response parsers: see telit_parse.h. Fields are split at commas
 * outside double quotes; every number is range-checked. */
#include "config.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at/result.h"
#include "dialect/telit/telit_parse.h"

#define TP_FIELDS_MAX	12

/* One comma-separated field; quoted fields exclude their quotes. */
struct tp_field {
	const char *p;
	size_t len;
	int quoted;
};

/* Parse one field starting at s; returns the byte after it or NULL. */
static const char *
tp_field(const char *s, struct tp_field *f)
{
	const char *q;

	while (*s == ' ')
		s++;
	f->quoted = (*s == '"');
	if (f->quoted) {
		if ((q = strchr(s + 1, '"')) == NULL)
			return NULL;
		f->p = s + 1;
		f->len = (size_t)(q - s - 1);
		s = q + 1;
		while (*s == ' ')
			s++;
		return (*s == ',' || *s == '\0') ? s : NULL;
	}
	f->p = s;
	while (*s != ',' && *s != '\0' && *s != '"')
		s++;
	if (*s == '"')
		return NULL;
	f->len = (size_t)(s - f->p);
	while (f->len > 0 && f->p[f->len - 1] == ' ')
		f->len--;
	return s;
}

/* Split s into at most max fields; returns the count or -1. */
static int
tp_split(const char *s, struct tp_field *f, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		if ((s = tp_field(s, &f[n++])) == NULL)
			return -1;
		if (*s == '\0')
			return n;
		s++;	/* the comma */
	}
}

/* Split the arguments that follow prefix in line. */
static int
tp_args(const char *prefix, const char *line, struct tp_field *f, int max)
{
	const char *args;

	if (!at_prefix_match(prefix, line, &args))
		return -1;
	return tp_split(args, f, max);
}

/* An unquoted decimal number within [min, max]. */
static int
tp_long(const struct tp_field *f, long min, long max, long *out)
{
	long v = 0;

	if (f->quoted || f->len == 0 || f->len > 10)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		if (!isdigit((unsigned char)f->p[i]))
			return -1;
		v = v * 10 + (f->p[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
tp_int(const struct tp_field *f, int min, int max, int *out)
{
	long v;

	if (tp_long(f, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
tp_u64(const struct tp_field *f, uint64_t *out)
{
	uint64_t v = 0;

	if (f->quoted || f->len == 0 || f->len > 19)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		if (!isdigit((unsigned char)f->p[i]))
			return -1;
		v = v * 10 + (uint64_t)(f->p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Copy a field's text (quoted or not) into out. */
static int
tp_str(const struct tp_field *f, char *out, size_t outsz)
{
	if (f->len >= outsz)
		return -1;
	memcpy(out, f->p, f->len);
	out[f->len] = '\0';
	return 0;
}

/* An IPv4 or IPv6 address. */
static int
tp_ip(const struct tp_field *f, char *out, size_t outsz)
{
	unsigned char buf[16];

	if (tp_str(f, out, outsz) == -1)
		return -1;
	if (inet_pton(AF_INET, out, buf) == 1 ||
	    inet_pton(AF_INET6, out, buf) == 1)
		return 0;
	return -1;
}

/* A hexadecimal location field (lac, tac, ci); empty gives -1. */
static int
tp_hex(const struct tp_field *f, long *out)
{
	long v = 0;
	int d;

	*out = -1;
	if (f->len == 0)
		return 0;
	if (f->len > 8)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		d = isdigit((unsigned char)f->p[i]) ? f->p[i] - '0' :
		    isxdigit((unsigned char)f->p[i]) ?
		    tolower((unsigned char)f->p[i]) - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	*out = v;
	return 0;
}

int
telit_parse_ss(const char *line, struct telit_ss *ss)
{
	struct tp_field f[TP_FIELDS_MAX];
	int n = tp_args("#SS:", line, f, TP_FIELDS_MAX), state;

	memset(ss, 0, sizeof(*ss));
	ss->local_port = ss->remote_port = -1;
	if (n != 2 && n != 4 && n != 6)
		return -1;
	if (tp_int(&f[0], 1, TELIT_CONNID_MAX, &ss->conn_id) == -1 ||
	    tp_int(&f[1], 0, 7, &state) == -1)
		return -1;
	ss->state = (enum telit_ss_state)state;
	if (n >= 4 && (tp_ip(&f[2], ss->local_ip, sizeof(ss->local_ip)) == -1 ||
	    tp_int(&f[3], 0, 65535, &ss->local_port) == -1))
		return -1;
	if (n == 6 && (tp_ip(&f[4], ss->remote_ip,
	    sizeof(ss->remote_ip)) == -1 ||
	    tp_int(&f[5], 0, 65535, &ss->remote_port) == -1))
		return -1;
	return 0;
}

int
telit_parse_si(const char *line, struct telit_si *si)
{
	struct tp_field f[TP_FIELDS_MAX];

	memset(si, 0, sizeof(*si));
	if (tp_args("#SI:", line, f, TP_FIELDS_MAX) != 5)
		return -1;
	if (tp_int(&f[0], 1, TELIT_CONNID_MAX, &si->conn_id) == -1 ||
	    tp_u64(&f[1], &si->sent) == -1 ||
	    tp_u64(&f[2], &si->received) == -1 ||
	    tp_u64(&f[3], &si->buff_in) == -1 ||
	    tp_u64(&f[4], &si->ack_waiting) == -1)
		return -1;
	return 0;
}

/* The fields of a #SRECV header after its prefix. */
static int
telit_srecv_args(const char *args, struct telit_srecv *r)
{
	struct tp_field f[TP_FIELDS_MAX];
	int n = tp_split(args, f, TP_FIELDS_MAX);
	long len;

	memset(r, 0, sizeof(*r));
	r->src_port = -1;
	r->left = -1;
	if (n == 2) {
		if (tp_int(&f[0], 1, TELIT_CONNID_MAX, &r->conn_id) == -1 ||
		    tp_long(&f[1], 0, TELIT_SRECV_MAX, &len) == -1)
			return -1;
		r->len = (size_t)len;
		return 0;
	}
	if (n != 5)
		return -1;
	if (tp_ip(&f[0], r->src_ip, sizeof(r->src_ip)) == -1 ||
	    tp_int(&f[1], 0, 65535, &r->src_port) == -1 ||
	    tp_int(&f[2], 1, TELIT_CONNID_MAX, &r->conn_id) == -1 ||
	    tp_long(&f[3], 0, TELIT_SRECV_MAX, &len) == -1 ||
	    tp_long(&f[4], 0, 1L << 30, &r->left) == -1)
		return -1;
	r->len = (size_t)len;
	return 0;
}

int
telit_parse_srecv(const char *line, struct telit_srecv *r)
{
	const char *args;

	if (!at_prefix_match("#SRECV:", line, &args)) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return telit_srecv_args(args, r);
}

long
telit_srecv_len(const char *args)
{
	struct telit_srecv r;

	if (telit_srecv_args(args, &r) == -1)
		return -1;
	return (long)r.len;
}

/* Recognise "SRING:", "SRING :", "+SRING :" ; returns the arguments. */
static const char *
telit_sring_prefix(const char *line, int *incoming)
{
	const char *p = line;
	int plus = (*p == '+'), spaces = 0;

	if (plus)
		p++;
	if (strncmp(p, "SRING", 5) != 0)
		return NULL;
	for (p += 5; *p == ' '; p++)
		spaces++;
	if (*p != ':')
		return NULL;
	for (p++; *p == ' '; p++)
		;
	*incoming = plus || spaces > 0;
	return p;
}

/* Data modes 2 and 3: the data is the raw rest after the n-th comma. */
static int
telit_sring_data(const char *args, int commas, struct telit_sring *s)
{
	const char *p = args;

	for (int i = 0; i < commas; i++) {
		if ((p = strchr(p, ',')) == NULL)
			return -1;
		p++;
	}
	s->data = p;
	s->data_len = strlen(p);
	return 0;
}

/* srMode 3: "ip",port,connId,recData,dataLeft,data */
static int
telit_sring_udp(const char *args, struct telit_sring *s)
{
	struct tp_field f[5];
	const char *p = args;

	for (int i = 0; i < 5; i++) {
		if ((p = tp_field(p, &f[i])) == NULL || *p != ',')
			return -1;
		p++;
	}
	s->mode = 3;
	if (tp_ip(&f[0], s->src_ip, sizeof(s->src_ip)) == -1 ||
	    tp_int(&f[1], 0, 65535, &s->src_port) == -1 ||
	    tp_int(&f[2], 1, TELIT_CONNID_MAX, &s->conn_id) == -1 ||
	    tp_long(&f[3], 0, 1L << 30, &s->pending) == -1 ||
	    tp_long(&f[4], 0, 1L << 30, &s->left) == -1)
		return -1;
	s->data = p;
	s->data_len = strlen(p);
	return 0;
}

int
telit_parse_sring(const char *line, struct telit_sring *s)
{
	struct tp_field f[2];
	const char *args, *p;

	memset(s, 0, sizeof(*s));
	s->pending = s->left = -1;
	s->src_port = -1;
	if ((args = telit_sring_prefix(line, &s->incoming)) == NULL)
		return -1;
	if (s->incoming) {
		if (tp_split(args, f, 1) != 1 ||
		    tp_int(&f[0], 1, TELIT_CONNID_MAX, &s->conn_id) == -1)
			return -1;
		return 0;
	}
	if ((p = tp_field(args, &f[0])) == NULL)
		return -1;
	if (f[0].quoted || memchr(f[0].p, '.', f[0].len) != NULL ||
	    memchr(f[0].p, ':', f[0].len) != NULL)
		return telit_sring_udp(args, s);
	if (tp_int(&f[0], 1, TELIT_CONNID_MAX, &s->conn_id) == -1)
		return -1;
	if (*p == '\0')
		return 0;
	if ((p = tp_field(p + 1, &f[1])) == NULL ||
	    tp_long(&f[1], 0, 1L << 30, &s->pending) == -1)
		return -1;
	s->mode = 1;
	if (*p == '\0')
		return 0;
	s->mode = 2;
	return telit_sring_data(args, 2, s);
}

int
telit_parse_no_carrier(const char *line, struct telit_no_carrier *nc)
{
	struct tp_field f[TP_FIELDS_MAX];
	const char *args;
	int n;

	nc->conn_id = nc->cause = -1;
	if (!at_prefix_match("NO CARRIER", line, &args))
		return -1;
	if (args == line + strlen(line) && strchr(line, ':') == NULL)
		return 0;	/* bare NO CARRIER */
	n = tp_split(args, f, TP_FIELDS_MAX);
	if (n < 1 || n > 2 ||
	    tp_int(&f[0], 1, TELIT_CONNID_MAX, &nc->conn_id) == -1)
		return -1;
	if (n == 2 && tp_int(&f[1], 0, 255, &nc->cause) == -1)
		return -1;
	return 0;
}

int
telit_parse_slastclosure(const char *line, struct telit_slastclosure *sc)
{
	struct tp_field f[TP_FIELDS_MAX];

	sc->conn_id = sc->cause = -1;
	if (tp_args("#SLASTCLOSURE:", line, f, TP_FIELDS_MAX) != 2 ||
	    tp_int(&f[0], 1, TELIT_CONNID_MAX, &sc->conn_id) == -1 ||
	    tp_int(&f[1], 0, 255, &sc->cause) == -1)
		return -1;
	return 0;
}

int
telit_parse_sgact_ip(const char *line, char *ip, size_t ipsz)
{
	struct tp_field f[TP_FIELDS_MAX];

	if (ipsz > 0)
		ip[0] = '\0';
	if (tp_args("#SGACT:", line, f, TP_FIELDS_MAX) != 1 ||
	    tp_ip(&f[0], ip, ipsz) == -1)
		return -1;
	return 0;
}

int
telit_parse_sgact_read(const char *line, struct telit_sgact *sg)
{
	struct tp_field f[TP_FIELDS_MAX];

	sg->cid = sg->stat = -1;
	if (tp_args("#SGACT:", line, f, TP_FIELDS_MAX) != 2 ||
	    tp_int(&f[0], 0, 255, &sg->cid) == -1 ||
	    tp_int(&f[1], 0, 1, &sg->stat) == -1)
		return -1;
	return 0;
}

/* Which registration line is this, and where do its arguments start? */
static const char *
telit_reg_kind(const char *line, enum telit_reg_kind *kind)
{
	static const struct { const char *prefix; enum telit_reg_kind kind; }
	    t[] = {
		{ "+CREG:", TELIT_REG_CREG },
		{ "+CGREG:", TELIT_REG_CGREG },
		{ "+CEREG:", TELIT_REG_CEREG },
	};
	const char *args;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (at_prefix_match(t[i].prefix, line, &args)) {
			*kind = t[i].kind;
			return args;
		}
	}
	return NULL;
}

/* The optional fields after <stat>: lac/tac, ci, AcT, (cause_type, cause). */
static int
telit_reg_location(const struct tp_field *f, int n, struct telit_reg *r)
{
	if (n >= 1 && tp_hex(&f[0], &r->lac) == -1)
		return -1;
	if (n >= 2 && tp_hex(&f[1], &r->ci) == -1)
		return -1;
	if (n >= 3 && f[2].len > 0 && tp_int(&f[2], 0, 255, &r->act) == -1)
		return -1;
	if (n >= 4 && f[3].len > 0 &&
	    tp_int(&f[3], 0, 255, &r->cause_type) == -1)
		return -1;
	if (n >= 5 && f[4].len > 0 &&
	    tp_int(&f[4], 0, 65535, &r->reject_cause) == -1)
		return -1;
	return 0;
}

int
telit_parse_reg(const char *line, enum telit_reg_form form,
    struct telit_reg *r)
{
	struct tp_field f[TP_FIELDS_MAX];
	const char *args;
	int n, i = 0;

	memset(r, 0, sizeof(*r));
	r->n = r->stat = r->act = r->cause_type = r->reject_cause = -1;
	r->lac = r->ci = -1;
	if ((args = telit_reg_kind(line, &r->kind)) == NULL)
		return -1;
	if ((n = tp_split(args, f, TP_FIELDS_MAX)) < 1)
		return -1;
	if (form == TELIT_REG_READ) {
		if (n < 2 || tp_int(&f[0], 0, 5, &r->n) == -1)
			return -1;
		i = 1;
	}
	if (tp_int(&f[i], 0, 10, &r->stat) == -1)
		return -1;
	return telit_reg_location(f + i + 1, n - i - 1, r);
}

int
telit_reg_registered(const struct telit_reg *r)
{
	return r->stat == 1 || r->stat == 5;
}

int
telit_parse_csq(const char *line, struct telit_csq *q)
{
	struct tp_field f[TP_FIELDS_MAX];

	q->rssi = q->ber = -1;
	if (tp_args("+CSQ:", line, f, TP_FIELDS_MAX) != 2 ||
	    tp_int(&f[0], 0, 99, &q->rssi) == -1 ||
	    tp_int(&f[1], 0, 99, &q->ber) == -1)
		return -1;
	if ((q->rssi > 31 && q->rssi != 99) || (q->ber > 7 && q->ber != 99))
		return -1;
	return 0;
}

int
telit_csq_dbm(const struct telit_csq *q)
{
	if (q->rssi < 0 || q->rssi > 31)
		return 0;
	return -113 + 2 * q->rssi;
}

int
telit_parse_cops(const char *line, struct telit_cops *c)
{
	struct tp_field f[TP_FIELDS_MAX];
	int n = tp_args("+COPS:", line, f, TP_FIELDS_MAX);

	c->mode = c->format = c->act = -1;
	c->oper[0] = '\0';
	if (n < 1 || n > 4 || n == 2)
		return -1;
	if (tp_int(&f[0], 0, 4, &c->mode) == -1)
		return -1;
	if (n >= 3 && (tp_int(&f[1], 0, 2, &c->format) == -1 ||
	    tp_str(&f[2], c->oper, sizeof(c->oper)) == -1))
		return -1;
	if (n == 4 && tp_int(&f[3], 0, 255, &c->act) == -1)
		return -1;
	return 0;
}

static const char *const telit_pin_names[] = {
	[TELIT_PIN_READY] = "READY",
	[TELIT_PIN_SIM_PIN] = "SIM PIN",
	[TELIT_PIN_SIM_PUK] = "SIM PUK",
	[TELIT_PIN_PH_SIM_PIN] = "PH-SIM PIN",
	[TELIT_PIN_PH_FSIM_PIN] = "PH-FSIM PIN",
	[TELIT_PIN_PH_FSIM_PUK] = "PH-FSIM PUK",
	[TELIT_PIN_SIM_PIN2] = "SIM PIN2",
	[TELIT_PIN_SIM_PUK2] = "SIM PUK2",
	[TELIT_PIN_PH_NET_PIN] = "PH-NET PIN",
	[TELIT_PIN_PH_NET_PUK] = "PH-NET PUK",
	[TELIT_PIN_PH_NETSUB_PIN] = "PH-NETSUB PIN",
	[TELIT_PIN_PH_NETSUB_PUK] = "PH-NETSUB PUK",
	[TELIT_PIN_PH_SP_PIN] = "PH-SP PIN",
	[TELIT_PIN_PH_SP_PUK] = "PH-SP PUK",
	[TELIT_PIN_PH_CORP_PIN] = "PH-CORP PIN",
	[TELIT_PIN_PH_CORP_PUK] = "PH-CORP PUK",
};

const char *
telit_pin_name(enum telit_pin pin)
{
	if ((size_t)pin >= sizeof(telit_pin_names) / sizeof(telit_pin_names[0]))
		return "unknown";
	return telit_pin_names[pin];
}

int
telit_parse_cpin(const char *line, enum telit_pin *pin)
{
	struct tp_field f[TP_FIELDS_MAX];
	size_t nl;

	if (tp_args("+CPIN:", line, f, TP_FIELDS_MAX) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(telit_pin_names) /
	    sizeof(telit_pin_names[0]); i++) {
		nl = strlen(telit_pin_names[i]);
		if (f[0].len == nl && strncmp(f[0].p, telit_pin_names[i],
		    nl) == 0) {
			*pin = (enum telit_pin)i;
			return 0;
		}
	}
	return -1;
}

/* Skip an optional "+XXXX: " style prefix of an identification line. */
static const char *
telit_skip_ident_prefix(const char *line)
{
	const char *p = line;

	if (*p != '+' && *p != '#')
		return line;
	p++;
	while (isalnum((unsigned char)*p))
		p++;
	if (*p != ':')
		return line;
	for (p++; *p == ' '; p++)
		;
	return p;
}

int
telit_parse_ident(const char *line, char *out, size_t outsz)
{
	const char *p = telit_skip_ident_prefix(line);
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= outsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)p[i]))
			return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
telit_parse_imei(const char *line, char *out, size_t outsz)
{
	char buf[TELIT_TEXT_MAX];
	const char *p = buf;
	size_t n;

	if (telit_parse_ident(line, buf, sizeof(buf)) == -1)
		return -1;
	n = strlen(buf);
	if (n >= 2 && buf[0] == '"' && buf[n - 1] == '"') {
		p++;
		n -= 2;
	}
	if (n < 14 || n > 17 || n >= outsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* Read a decimal component of a version; returns the byte after it. */
static const char *
telit_fw_num(const char *p, int *v)
{
	long x = 0;
	int digits = 0;

	while (isdigit((unsigned char)*p) && digits < 6) {
		x = x * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || isdigit((unsigned char)*p))
		return NULL;
	*v = (int)x;
	return p;
}

int
telit_parse_fw(const char *line, struct telit_fw *fw)
{
	char buf[TELIT_TEXT_MAX];
	const char *p = buf;

	memset(fw, 0, sizeof(*fw));
	if (telit_parse_ident(line, buf, sizeof(buf)) == -1)
		return -1;
	if ((p = telit_fw_num(p, &fw->major)) == NULL || *p++ != '.' ||
	    (p = telit_fw_num(p, &fw->minor)) == NULL || *p++ != '.' ||
	    (p = telit_fw_num(p, &fw->feature)) == NULL)
		return -1;
	if (strlen(p) >= sizeof(fw->extra))
		return -1;
	strcpy(fw->extra, p);
	return 0;
}

int
telit_fw_cmp(const struct telit_fw *a, const struct telit_fw *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->feature != b->feature)
		return a->feature < b->feature ? -1 : 1;
	return 0;
}

int
telit_parse_swpkgv(char *const *lines, size_t n, struct telit_swpkgv *sw)
{
	memset(sw, 0, sizeof(*sw));
	if (n < 4)
		return -1;
	if (telit_parse_ident(lines[0], sw->package, sizeof(sw->package)) ||
	    telit_parse_ident(lines[1], sw->modem_fw, sizeof(sw->modem_fw)) ||
	    telit_parse_ident(lines[2], sw->prod_params,
	    sizeof(sw->prod_params)) ||
	    telit_parse_ident(lines[3], sw->app_fw, sizeof(sw->app_fw)))
		return -1;
	return 0;
}

/* One "(lo-hi)" range at *pp; advances past it. */
static int
tp_range(const char **pp, long *lo, long *hi)
{
	const char *p = *pp;
	char *end;

	if (*p++ != '(' || !isdigit((unsigned char)*p))
		return -1;
	*lo = strtol(p, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return -1;
	*hi = strtol(end + 1, &end, 10);
	if (*end != ')')
		return -1;
	*pp = end + 1;
	return 0;
}

int
telit_parse_ssendext_test(const char *line, size_t *max)
{
	const char *p;
	long lo, hi;

	if (!at_prefix_match("#SSENDEXT:", line, &p) ||
	    tp_range(&p, &lo, &hi) == -1)	/* connection ids */
		return -1;
	while (*p == ' ')
		p++;
	if (*p++ != ',')
		return -1;
	while (*p == ' ')
		p++;
	if (tp_range(&p, &lo, &hi) == -1 || lo < 1 || hi < lo || hi > 65535)
		return -1;
	*max = (size_t)hi;
	return 0;
}
