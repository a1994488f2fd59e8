/* The arguments of AT answer lines (V.250 syntax, vendor-neutral): fields
 * split at commas outside double quotes, read as range-checked numbers,
 * text, addresses or "(lo-hi)" ranges. Pure functions over the caller's
 * line; a field points into it. Each returns 0, or -1 when malformed. */
#ifndef CELLSOCK_AT_FIELD_H
#define CELLSOCK_AT_FIELD_H

#include <stddef.h>
#include <stdint.h>

#define AT_FIELDS_MAX	12

/* One comma-separated field; quoted fields exclude their quotes. */
struct at_field {
	const char *p;
	size_t len;
	int quoted;
};

/* Parse one field starting at s; returns the byte after it (a comma or the
 * end) or NULL. */
const char *at_field_next(const char *s, struct at_field *f);
/* Split s into at most max fields; returns the count or -1. */
int at_field_split(const char *s, struct at_field *f, int max);
/* Split the arguments that follow prefix in line (at_prefix_match). */
int at_field_args(const char *prefix, const char *line, struct at_field *f, int max);
/* An unquoted decimal number within [min, max]. */
int at_field_long(const struct at_field *f, long min, long max, long *out);
int at_field_int(const struct at_field *f, int min, int max, int *out);
int at_field_u64(const struct at_field *f, uint64_t *out);
/* Copy a field's text (quoted or not) into out. */
int at_field_str(const struct at_field *f, char *out, size_t outsz);
/* An IPv4 or IPv6 address. */
int at_field_ip(const struct at_field *f, char *out, size_t outsz);
/* A hexadecimal location field (lac, tac, ci); empty gives -1. */
int at_field_hex(const struct at_field *f, long *out);
/* One "(lo-hi)" range at *pp (a test command's answer); advances past it. */
int at_field_range(const char **pp, long *lo, long *hi);

#endif
