/* Telit network, SIM and identification parsers: see telit_parse.h (the
 * socket ones are in telit_parse_sock.c). Fields are split with at/field.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at/field.h"
#include "at/result.h"
#include "dialect/telit/telit_parse.h"

int
telit_parse_sgact_ip(const char *line, char *ip, size_t ipsz)
{
	struct at_field f[AT_FIELDS_MAX];

	if (ipsz > 0)
		ip[0] = '\0';
	if (at_field_args("#SGACT:", line, f, AT_FIELDS_MAX) != 1 ||
	    at_field_ip(&f[0], ip, ipsz) == -1)
		return -1;
	return 0;
}

int
telit_parse_sgact_read(const char *line, struct telit_sgact *sg)
{
	struct at_field f[AT_FIELDS_MAX];

	sg->cid = sg->stat = -1;
	if (at_field_args("#SGACT:", line, f, AT_FIELDS_MAX) != 2 ||
	    at_field_int(&f[0], 0, 255, &sg->cid) == -1 ||
	    at_field_int(&f[1], 0, 1, &sg->stat) == -1)
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
telit_reg_location(const struct at_field *f, int n, struct telit_reg *r)
{
	if (n >= 1 && at_field_hex(&f[0], &r->lac) == -1)
		return -1;
	if (n >= 2 && at_field_hex(&f[1], &r->ci) == -1)
		return -1;
	if (n >= 3 && f[2].len > 0 && at_field_int(&f[2], 0, 255, &r->act) == -1)
		return -1;
	if (n >= 4 && f[3].len > 0 &&
	    at_field_int(&f[3], 0, 255, &r->cause_type) == -1)
		return -1;
	if (n >= 5 && f[4].len > 0 &&
	    at_field_int(&f[4], 0, 65535, &r->reject_cause) == -1)
		return -1;
	return 0;
}

int
telit_parse_reg(const char *line, enum telit_reg_form form,
    struct telit_reg *r)
{
	struct at_field f[AT_FIELDS_MAX];
	const char *args;
	int n, i = 0;

	memset(r, 0, sizeof(*r));
	r->n = r->stat = r->act = r->cause_type = r->reject_cause = -1;
	r->lac = r->ci = -1;
	if ((args = telit_reg_kind(line, &r->kind)) == NULL)
		return -1;
	if ((n = at_field_split(args, f, AT_FIELDS_MAX)) < 1)
		return -1;
	if (form == TELIT_REG_READ) {
		if (n < 2 || at_field_int(&f[0], 0, 5, &r->n) == -1)
			return -1;
		i = 1;
	}
	if (at_field_int(&f[i], 0, 10, &r->stat) == -1)
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
	struct at_field f[AT_FIELDS_MAX];

	q->rssi = q->ber = -1;
	if (at_field_args("+CSQ:", line, f, AT_FIELDS_MAX) != 2 ||
	    at_field_int(&f[0], 0, 99, &q->rssi) == -1 ||
	    at_field_int(&f[1], 0, 99, &q->ber) == -1)
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
	struct at_field f[AT_FIELDS_MAX];
	int n = at_field_args("+COPS:", line, f, AT_FIELDS_MAX);

	c->mode = c->format = c->act = -1;
	c->oper[0] = '\0';
	if (n < 1 || n > 4 || n == 2)
		return -1;
	if (at_field_int(&f[0], 0, 4, &c->mode) == -1)
		return -1;
	if (n >= 3 && (at_field_int(&f[1], 0, 2, &c->format) == -1 ||
	    at_field_str(&f[2], c->oper, sizeof(c->oper)) == -1))
		return -1;
	if (n == 4 && at_field_int(&f[3], 0, 255, &c->act) == -1)
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
	struct at_field f[AT_FIELDS_MAX];
	size_t nl;

	if (at_field_args("+CPIN:", line, f, AT_FIELDS_MAX) != 1)
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
