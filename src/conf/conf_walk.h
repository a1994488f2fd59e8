/* The table walker and the parsers of the plain types it offers the schema. */
#ifndef CELLSOCK_CONF_WALK_H
#define CELLSOCK_CONF_WALK_H

#include <stddef.h>

#include <libconfig.h>

#include "conf/conf_report.h"

#ifndef nitems
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct conf_key;
/* Parse setting s (named path in messages) into the struct at base. */
typedef void conf_parse_fn(struct conf_ctx *, const struct conf_key *,
    const config_setting_t *, const char *, void *);

/* How a key's value is stored, so its default can be set without a parse. */
enum conf_store {
	CONF_STORE_NONE,		/* set by the group's own defaults code */
	CONF_STORE_INT,			/* int: numbers, words, booleans */
	CONF_STORE_SIZE,		/* size_t */
	CONF_STORE_DOUBLE,		/* double: seconds */
	CONF_STORE_MODE,		/* mode_t */
	CONF_STORE_STRING,		/* char *, a copy of def_str or NULL */
	CONF_STORE_GROUP,		/* a nested struct, keys in sub */
};

/* One key of a group: how to parse it, where it goes in the struct and what
 * it is when absent. */
struct conf_key {
	const char *name;
	conf_parse_fn *parse;
	size_t off;			/* in the group's struct */
	enum conf_store store;
	double def;			/* default of a number, word index or bool */
	const char *def_str;		/* default of a string; NULL: none */
	int flags;
#define CONF_REQUIRED	0x1
#define CONF_SECRET	0x2		/* never echo the value */
#define CONF_MIN_EXCL	0x4		/* the value must be > min, not >= */
	double min, max;
	const char *unit;
	const char *const *words;	/* allowed strings, indexed by value */
	size_t n_words;
	const char *(*check)(const char *);	/* NULL, or why v is bad */
	const struct conf_key *sub;	/* keys of a nested group */
};

/* Parse every member of group g with the table keys (ended by a NULL
 * name) into base; report unknown members and missing required keys. */
void conf_walk(struct conf_ctx *ctx, const config_setting_t *g,
    const char *path, const struct conf_key *keys, void *base);

/* Set the defaults of every key of the table, nested groups included. */
void conf_walk_defaults(const struct conf_key *keys, void *base);

/* Where a key's value goes in its group's struct. */
void *conf_field(void *base, const struct conf_key *key);
/* Report a bad value: "PATH: WHY (got VALUE)", no value for secrets
 * (key may be NULL). */
void conf_bad(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, const char *why);
/* Whether s is an integer on a line where the pre-scan found a literal that
 * libconfig wrapped around; that line has already been reported. */
int conf_wrapped(const struct conf_ctx *ctx, const config_setting_t *s);
/* An integer setting's value; -1 when s is no integer. */
int conf_get_integer(const config_setting_t *s, long long *v);
/* A number, integer or float; -1 when s is neither. */
int conf_get_number(const config_setting_t *s, double *v);
/* Whether v is within the key's range (NaN never is). */
int conf_in_range(const struct conf_key *key, double v);
/* "must be WHAT > min and <= max UNIT" or "... from min to max UNIT". */
void conf_range_text(const struct conf_key *key, const char *what, char *buf,
    size_t sz);
/* Seconds within the key's range, or "auto" (then *is_auto is set and *v
 * left alone). */
void conf_seconds_or_auto(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, double *v, int *is_auto);

/* Parsers of the plain types, for the key tables. */
conf_parse_fn conf_parse_int;		/* int within min..max */
conf_parse_fn conf_parse_size;		/* size_t within min..max */
conf_parse_fn conf_parse_seconds;	/* double within min..max */
conf_parse_fn conf_parse_bool;		/* int, true or false */
conf_parse_fn conf_parse_string;	/* char *, passing key->check */
conf_parse_fn conf_parse_enum;		/* int, index among key->words */
conf_parse_fn conf_parse_word;		/* char *, one of key->words */
conf_parse_fn conf_parse_group;		/* nested group, keys key->sub */

#endif
