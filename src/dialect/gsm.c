/* 3GPP answers: see gsm.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "at/field.h"
#include "at/result.h"
#include "dialect/gsm.h"

static const char *const P_NONE[] = { NULL };
static const char *const P_CPIN[] = { "+CPIN:", NULL };
static const char *const P_REG[] = { "+CGREG:", "+CEREG:", "+CREG:", NULL };
static const char *const P_CSQ[] = { "+CSQ:", NULL };
static const char *const P_COPS[] = { "+COPS:", NULL };

/* The text of an identification line without its "+CGMx:" (or "+GMx:")
 * prefix, quotes and surrounding blanks; 0 if it is a printable non-empty
 * text that fits out. */
static int
gsm_ident_text(const char *line, char *out, size_t outsz)
{
	const char *p = line;
	size_t n;

	if (line[0] == '+' && (p = strchr(line, ':')) != NULL)
		p++;
	else
		p = line;
	while (*p == ' ' || *p == '"')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '"'))
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

/* The first identification line of the answer into buf. */
static void
gsm_read_text(const struct at_response *r, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (gsm_ident_text(r->lines[i], buf, bufsz) == 0)
			return;
}

static int
gsm_read_manufacturer(const struct at_response *r, int id, struct dialect_reply *out)
{
	gsm_read_text(r, out->u.ident.manufacturer, sizeof(out->u.ident.manufacturer));
	return 0;
}

static int
gsm_read_model(const struct at_response *r, int id, struct dialect_reply *out)
{
	gsm_read_text(r, out->u.ident.model, sizeof(out->u.ident.model));
	return 0;
}

static int
gsm_read_firmware(const struct at_response *r, int id, struct dialect_reply *out)
{
	gsm_read_text(r, out->u.ident.firmware, sizeof(out->u.ident.firmware));
	return 0;
}

/* 14..17 digits: an IMEI or IMEISV. */
static int
gsm_read_imei(const struct at_response *r, int id, struct dialect_reply *out)
{
	char buf[DIALECT_TEXT_MAX];
	size_t n;

	for (size_t i = 0; i < r->n_lines; i++) {
		if (gsm_ident_text(r->lines[i], buf, sizeof(buf)) != 0)
			continue;
		n = strspn(buf, "0123456789");
		if (buf[n] == '\0' && n >= 14 && n <= 17 && n < sizeof(out->u.ident.imei)) {
			memcpy(out->u.ident.imei, buf, n + 1);
			return 0;
		}
	}
	return 0;
}

/* "+CPIN: <code>": the code quoted or not, in any case. */
static int
gsm_read_cpin(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct at_field f;
	char code[32];

	if (r->n_lines < 1 || at_field_args("+CPIN:", r->lines[0], &f, 1) != 1 ||
	    at_field_str(&f, code, sizeof(code)) == -1)
		return -1;
	out->u.sim = strcasecmp(code, "READY") == 0 ? SIM_READY :
	    strcasecmp(code, "SIM PIN") == 0 ? SIM_PIN :
	    strcasecmp(code, "SIM PUK") == 0 ? SIM_PUK : SIM_OTHER;
	return 0;
}

/* The stat of a read-form line "<n>,<stat>[,...]", or -1. */
static int
gsm_reg_read_stat(const char *line)
{
	static const char *const pfx[] = { "+CREG:", "+CGREG:", "+CEREG:" };
	struct at_field f[AT_FIELDS_MAX];
	int stat;

	for (size_t i = 0; i < 3; i++)
		if (at_field_args(pfx[i], line, f, AT_FIELDS_MAX) >= 2 &&
		    at_field_int(&f[1], 0, 11, &stat) == 0)
			return stat;
	return -1;
}

static int
gsm_registered(int stat)
{
	return stat == 1 || stat == 5;
}

static int
gsm_read_reg(const struct at_response *r, int id, struct dialect_reply *out)
{
	int stat;

	for (size_t i = 0; i < r->n_lines; i++)
		if ((stat = gsm_reg_read_stat(r->lines[i])) >= 0 &&
		    (out->u.reg_stat < 0 || gsm_registered(stat)))
			out->u.reg_stat = stat;
	return 0;
}

int
gsm_reg_urc_stat(const char *args)
{
	struct at_field f[AT_FIELDS_MAX];
	int n = at_field_split(args, f, AT_FIELDS_MAX), stat;

	/* "<stat>" or "<stat>,<lac>,<ci>[,<AcT>]" (lac quoted); a read-form
	 * "<n>,<stat>" answer seen as a URC gives its second field */
	if (n < 1)
		return -1;
	if (n >= 2 && !f[1].quoted && at_field_int(&f[1], 0, 11, &stat) == 0)
		return stat;
	return at_field_int(&f[0], 0, 11, &stat) == 0 ? stat : -1;
}

static int
gsm_read_csq(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct at_field f[AT_FIELDS_MAX];
	int rssi;

	if (r->n_lines < 1 || at_field_args("+CSQ:", r->lines[0], f, AT_FIELDS_MAX) < 1 ||
	    at_field_int(&f[0], 0, 99, &rssi) == -1)
		return -1;
	out->u.signal.rssi = rssi;
	out->u.signal.dbm = rssi <= 31 ? -113 + 2 * rssi : 0;
	return 0;
}

static int
gsm_read_cops(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct at_field f[AT_FIELDS_MAX];

	if (r->n_lines >= 1 && at_field_args("+COPS:", r->lines[0], f, AT_FIELDS_MAX) >= 3)
		at_field_str(&f[2], out->u.signal.oper, sizeof(out->u.signal.oper));
	return 0;
}

const struct dialect_answer gsm_ans_plain = { .prefixes = P_NONE };
const struct dialect_answer gsm_ans_user = { .prefixes = NULL };
const struct dialect_answer gsm_ans_manufacturer = { .read = gsm_read_manufacturer };
const struct dialect_answer gsm_ans_model = { .read = gsm_read_model };
const struct dialect_answer gsm_ans_firmware = { .read = gsm_read_firmware };
const struct dialect_answer gsm_ans_imei = { .read = gsm_read_imei };
const struct dialect_answer gsm_ans_cpin = { .prefixes = P_CPIN, .read = gsm_read_cpin };
const struct dialect_answer gsm_ans_reg = { .prefixes = P_REG, .read = gsm_read_reg };
const struct dialect_answer gsm_ans_csq = { .prefixes = P_CSQ, .read = gsm_read_csq };
const struct dialect_answer gsm_ans_cops = { .prefixes = P_COPS, .read = gsm_read_cops };
