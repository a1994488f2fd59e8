/* AT argument fields: see field.h. */
#include "config.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "at/field.h"
#include "at/result.h"

const char *
at_field_next(const char *s, struct at_field *f)
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
int
at_field_split(const char *s, struct at_field *f, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		if ((s = at_field_next(s, &f[n++])) == NULL)
			return -1;
		if (*s == '\0')
			return n;
		s++;	/* the comma */
	}
}

/* Split the arguments that follow prefix in line. */
int
at_field_args(const char *prefix, const char *line, struct at_field *f, int max)
{
	const char *args;

	if (!at_prefix_match(prefix, line, &args))
		return -1;
	return at_field_split(args, f, max);
}

/* An unquoted decimal number within [min, max]. */
int
at_field_long(const struct at_field *f, long min, long max, long *out)
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

int
at_field_int(const struct at_field *f, int min, int max, int *out)
{
	long v;

	if (at_field_long(f, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

int
at_field_u64(const struct at_field *f, uint64_t *out)
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
int
at_field_str(const struct at_field *f, char *out, size_t outsz)
{
	if (f->len >= outsz)
		return -1;
	memcpy(out, f->p, f->len);
	out[f->len] = '\0';
	return 0;
}

/* An IPv4 or IPv6 address. */
int
at_field_ip(const struct at_field *f, char *out, size_t outsz)
{
	unsigned char buf[16];

	if (at_field_str(f, out, outsz) == -1)
		return -1;
	if (inet_pton(AF_INET, out, buf) == 1 ||
	    inet_pton(AF_INET6, out, buf) == 1)
		return 0;
	return -1;
}

/* A hexadecimal location field (lac, tac, ci); empty gives -1. */
int
at_field_hex(const struct at_field *f, long *out)
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

/* One "(lo-hi)" range at *pp; advances past it. */
int
at_field_range(const char **pp, long *lo, long *hi)
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
