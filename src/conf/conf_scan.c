/*
 * The two checks libconfig 1.5 (the oldest release configure accepts) cannot
 * answer through its API, done on the text before libconfig reads it. This
 * is the only code that looks at the text itself; everything else goes
 * through config_setting_*() and config_error_*():
 *
 * - @include. libconfig 1.5 opens, inside config_read_string(), any file an
 *   @include line names; it has no option or hook to refuse the directive
 *   (config_set_include_dir() only prefixes the name; an include hook came
 *   with later releases). So the directive must be found before libconfig
 *   sees the text. A line scan suffices: any line starting with @include is
 *   refused, even inside a string or a comment.
 *
 * - Integer literals that do not fit. libconfig 1.5 converts a plain integer
 *   with atoi() and a hex one with strtoul() into an int and throws the
 *   literal away: "port = 4294967297;" becomes the setting 1 of type
 *   CONFIG_TYPE_INT, indistinguishable through config_setting_get_int(),
 *   config_setting_type() or config_setting_get_format() from "port = 1;".
 *   A setting carries its line (config_setting_source_line()) but no column
 *   and no text. So this scan tokenizes just enough (comments, strings,
 *   names, numbers) to find each integer literal and its line, reports those
 *   libconfig wrapped, and marks their lines; the walker then leaves integer
 *   settings on those lines alone (conf_wrapped() in conf_walk.c).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_report.h"
#include "conf/conf_scan.h"

/* Skip a string literal (p after the opening quote); counts newlines. */
static const char *
conf_skip_string(const char *p, int *line)
{
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\n')
			(*line)++;
		if (*p == '\\' && p[1] != '\0')
			if (*++p == '\n')
				(*line)++;
	}
	return *p == '"' ? p + 1 : p;
}

/* Skip a C comment (p after the opening slash-star); counts newlines. */
static const char *
conf_skip_comment(const char *p, int *line)
{
	for (; *p != '\0'; p++) {
		if (p[0] == '*' && p[1] == '/')
			return p + 2;
		if (*p == '\n')
			(*line)++;
	}
	return p;
}

/* Whether an integer literal (with its 'L' suffix or not) fits libconfig's
 * type: it reads plain integers with atoi() and wraps anything larger. */
static int
conf_literal_fits(const char *p, int hex, int wide)
{
	unsigned long long u;
	long long v;

	errno = 0;
	if (hex) {
		u = strtoull(p, NULL, 16);
		return errno == 0 &&
		    u <= (wide ? (unsigned long long)LLONG_MAX : INT_MAX);
	}
	v = strtoll(p, NULL, 10);
	return errno == 0 && (wide || (v >= INT_MIN && v <= INT_MAX));
}

/* Scan one number literal at p (a digit, a sign or a dot); report integers
 * that libconfig would wrap. Returns the first byte after the literal. */
static const char *
conf_scan_number(struct conf_ctx *ctx, const char *p, int line)
{
	const char *start = p;
	int hex = 0, wide;

	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		hex = 1;
		for (p += 2; isxdigit((unsigned char)*p); p++)
			;
	} else {
		p += strspn(p, "0123456789");
		if (*p == '.' || ((*p == 'e' || *p == 'E') &&
		    (isdigit((unsigned char)p[1]) || ((p[1] == '-' ||
		    p[1] == '+') && isdigit((unsigned char)p[2]))))) {
			/* a float: libconfig reads those with strtod */
			p += strspn(p, ".0123456789");
			if (*p == 'e' || *p == 'E')
				p += 1 + strspn(p + 1, "+-0123456789");
			return p;
		}
	}
	wide = *p == 'L';
	if (!conf_literal_fits(start, hex, wide)) {
		conf_err(ctx, line, "integer literal out of range (plain "
		    "integers are 32-bit: append L for a 64-bit value)");
		conf_mark_wrapped(ctx, line);
	}
	return p;
}

/* libconfig 1.5 silently wraps integer literals that do not fit: find them
 * in the text (outside strings and comments) before trusting the values. */
void
conf_scan_integers(struct conf_ctx *ctx, const char *p)
{
	int line = 1;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/'))
			p += strcspn(p, "\n");
		else if (p[0] == '/' && p[1] == '*')
			p = conf_skip_comment(p + 2, &line);
		else if (*p == '"')
			p = conf_skip_string(p + 1, &line);
		else if (isalpha((unsigned char)*p) || *p == '*')
			p += strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789_*-");
		else if (isdigit((unsigned char)*p) ||
		    (*p == '.' && isdigit((unsigned char)p[1])) ||
		    ((*p == '-' || *p == '+') &&
		    (isdigit((unsigned char)p[1]) || p[1] == '.')))
			p = conf_scan_number(ctx, p, line);
		else
			p++;
	}
}

/* libconfig opens any file an @include names: the directive is refused
 * (checked on every line, even inside strings, to be sure). */
int
conf_scan_includes(struct conf_ctx *ctx, const char *p)
{
	int line = 1, found = 0;

	for (;;) {
		p += strspn(p, " \t\r\f\v");
		if (strncasecmp(p, "@include", 8) == 0) {
			conf_err(ctx, line, "@include is not supported: keep "
			    "the configuration in one file");
			found = 1;
		}
		if ((p = strchr(p, '\n')) == NULL)
			return found;
		p++;
		line++;
	}
}
