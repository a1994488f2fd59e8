/* Final result table and prefix matching: see result.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "at/result.h"

static const char *const at_final_names[AT_FINAL_COUNT] = {
	[AT_FINAL_OK] = "OK",
	[AT_FINAL_ERROR] = "ERROR",
	[AT_FINAL_CME_ERROR] = "CME ERROR",
	[AT_FINAL_CMS_ERROR] = "CMS ERROR",
	[AT_FINAL_NO_CARRIER] = "NO CARRIER",
	[AT_FINAL_CONNECT] = "CONNECT",
	[AT_FINAL_NO_ANSWER] = "NO ANSWER",
	[AT_FINAL_BUSY] = "BUSY",
	[AT_FINAL_NO_DIALTONE] = "NO DIALTONE",
	[AT_FINAL_DIALECT] = "DIALECT",
	[AT_FINAL_TIMEOUT] = "TIMEOUT",
	[AT_FINAL_GONE] = "GONE",
};

/* V.250 and 3GPP TS 27.007 final result codes. */
static const struct at_final_def at_base_finals[] = {
	{ "OK", AT_FINAL_OK, 1, 0, 0 },
	{ "ERROR", AT_FINAL_ERROR, 0, 0, 0 },
	{ "+CME ERROR", AT_FINAL_CME_ERROR, 0, 1, 0 },
	{ "+CMS ERROR", AT_FINAL_CMS_ERROR, 0, 1, 0 },
	{ "NO CARRIER", AT_FINAL_NO_CARRIER, 0, 1, 0 },
	{ "CONNECT", AT_FINAL_CONNECT, 1, 1, 0 },
	{ "NO ANSWER", AT_FINAL_NO_ANSWER, 0, 0, 0 },
	{ "BUSY", AT_FINAL_BUSY, 0, 0, 0 },
	{ "NO DIALTONE", AT_FINAL_NO_DIALTONE, 0, 0, 0 },
};

/* General +CME ERROR codes of 3GPP TS 27.007 §9.2.1 (vendor-neutral). */
static const struct at_cme_def at_base_cme[] = {
	{ 0, "phone failure" },
	{ 1, "no connection to phone" },
	{ 2, "phone-adaptor link reserved" },
	{ 3, "operation not allowed" },
	{ 4, "operation not supported" },
	{ 5, "PH-SIM PIN required" },
	{ 10, "SIM not inserted" },
	{ 11, "SIM PIN required" },
	{ 12, "SIM PUK required" },
	{ 13, "SIM failure" },
	{ 14, "SIM busy" },
	{ 15, "SIM wrong" },
	{ 16, "incorrect password" },
	{ 17, "SIM PIN2 required" },
	{ 18, "SIM PUK2 required" },
	{ 20, "memory full" },
	{ 21, "invalid index" },
	{ 22, "not found" },
	{ 23, "memory failure" },
	{ 24, "text string too long" },
	{ 25, "invalid characters in text string" },
	{ 26, "dial string too long" },
	{ 27, "invalid characters in dial string" },
	{ 30, "no network service" },
	{ 31, "network timeout" },
	{ 32, "network not allowed - emergency calls only" },
	{ 100, "unknown" },
};
#define AT_BASE_CME_COUNT (sizeof(at_base_cme) / sizeof(at_base_cme[0]))

const char *
at_final_name(enum at_final_kind kind)
{
	if ((unsigned)kind >= AT_FINAL_COUNT)
		return "UNKNOWN";
	return at_final_names[kind];
}

/* Length of s without trailing spaces and tabs. */
static size_t
at_trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* Does line (of trimmed length n) match one table row? */
static int
at_final_match(const struct at_final_def *d, const char *line, size_t n)
{
	size_t tl = strlen(d->text);

	if (n < tl || strncmp(line, d->text, tl) != 0)
		return 0;
	if (n == tl)
		return 1;
	return d->args && (line[tl] == ':' || line[tl] == ' ');
}

/* Compare two error texts ignoring case, spaces and punctuation. */
static int
at_text_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a != '\0' && !isalnum((unsigned char)*a))
			a++;
		while (*b != '\0' && !isalnum((unsigned char)*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

/* Search one error table by text. */
static int
at_cme_lookup(const struct at_cme_def *t, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (at_text_equal(t[i].text, text))
			return t[i].code;
	return -1;
}

int
at_cme_code(const struct at_dialect *d, const char *text)
{
	int code = -1;

	if (d != NULL && d->cme != NULL)
		code = at_cme_lookup(d->cme, d->n_cme, text);
	if (code < 0)
		code = at_cme_lookup(at_base_cme, AT_BASE_CME_COUNT, text);
	return code;
}

const char *
at_cme_text(const struct at_dialect *d, int code)
{
	if (d != NULL && d->cme != NULL)
		for (size_t i = 0; i < d->n_cme; i++)
			if (d->cme[i].code == code)
				return d->cme[i].text;
	for (size_t i = 0; i < AT_BASE_CME_COUNT; i++)
		if (at_base_cme[i].code == code)
			return at_base_cme[i].text;
	return NULL;
}

/* Parse the argument of +CME/+CMS ERROR: a number, or (CME) a text. */
static int
at_error_code(const struct at_dialect *d, enum at_final_kind kind,
    const char *line, size_t n)
{
	const char *p = strchr(line, ':');
	char *end;
	long v;

	if (p == NULL || (size_t)(p - line) >= n)
		return -1;
	p++;
	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)*p)) {
		v = strtol(p, &end, 10);
		if ((size_t)(end - line) == n && v >= 0 && v <= 65535)
			return (int)v;
	}
	if (kind == AT_FINAL_CME_ERROR && *p != '\0')
		return at_cme_code(d, p);
	return -1;
}

/* Fill *res from a matching row. */
static void
at_result_fill(const struct at_dialect *d, const struct at_final_def *def,
    const char *line, size_t n, struct at_result *res)
{
	res->kind = def->kind;
	res->success = def->success;
	res->text = line;
	res->code = -1;
	if (def->kind == AT_FINAL_DIALECT)
		res->code = def->code;
	if (def->kind == AT_FINAL_CME_ERROR || def->kind == AT_FINAL_CMS_ERROR)
		res->code = at_error_code(d, def->kind, line, n);
}

int
at_result_parse(const struct at_dialect *d, const char *line,
    struct at_result *res)
{
	size_t n = at_trimmed_len(line);
	size_t nb = sizeof(at_base_finals) / sizeof(at_base_finals[0]);

	if (d != NULL && d->finals != NULL) {
		for (size_t i = 0; i < d->n_finals; i++) {
			if (at_final_match(&d->finals[i], line, n)) {
				at_result_fill(d, &d->finals[i], line, n, res);
				return 1;
			}
		}
	}
	for (size_t i = 0; i < nb; i++) {
		if (at_final_match(&at_base_finals[i], line, n)) {
			at_result_fill(d, &at_base_finals[i], line, n, res);
			return 1;
		}
	}
	return 0;
}

void
at_result_synthetic(enum at_final_kind kind, struct at_result *res)
{
	res->kind = kind;
	res->success = 0;
	res->code = -1;
	res->text = NULL;
}

int
at_prefix_match(const char *prefix, const char *line, const char **args)
{
	size_t pl = strlen(prefix);
	int colon = (pl > 0 && prefix[pl - 1] == ':');
	const char *p;

	if (colon)
		pl--;
	if (pl == 0 || strncmp(prefix, line, pl) != 0)
		return 0;
	p = line + pl;
	if (!colon && *p == '\0') {
		if (args != NULL)
			*args = p;
		return 1;
	}
	while (*p == ' ')
		p++;
	if (*p != ':')
		return 0;
	p++;
	while (*p == ' ')
		p++;
	if (args != NULL)
		*args = p;
	return 1;
}
