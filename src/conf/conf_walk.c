/*
 * The table walker: every member of a group is looked up in the group's key
 * table and handed to that key's parser, so unknown keys, wrong types and bad
 * values are all found in one pass; required keys that are absent are
 * reported at the group's line. Also the parsers of the plain types
 * (integers, seconds, booleans, strings, words) that the tables use.
 */
#include "config.h"

#include <sys/types.h>

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_report.h"
#include "conf/conf_walk.h"
#include "xmalloc.h"

/* Where a key's value goes in its group's struct. */
void *
conf_field(void *base, const struct conf_key *key)
{
	return (char *)base + key->off;
}

/* Set the defaults of every key of the table, nested groups included. */
void
conf_walk_defaults(const struct conf_key *keys, void *base)
{
	const struct conf_key *k;
	void *f;

	for (k = keys; k->name != NULL; k++) {
		f = conf_field(base, k);
		switch (k->store) {
		case CONF_STORE_NONE:
			break;
		case CONF_STORE_INT:
			*(int *)f = (int)k->def;
			break;
		case CONF_STORE_SIZE:
			*(size_t *)f = (size_t)k->def;
			break;
		case CONF_STORE_DOUBLE:
			*(double *)f = k->def;
			break;
		case CONF_STORE_MODE:
			*(mode_t *)f = (mode_t)k->def;
			break;
		case CONF_STORE_STRING:
			*(char **)f = k->def_str != NULL ?
			    xstrdup(k->def_str) : NULL;
			break;
		case CONF_STORE_GROUP:
			conf_walk_defaults(k->sub, f);
			break;
		}
	}
}

/* Report a bad value: "PATH: WHY (got VALUE)", no value for secrets. */
void
conf_bad(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, const char *why)
{
	char got[96];

	if (key != NULL && (key->flags & CONF_SECRET)) {
		conf_err(ctx, conf_line(s), "%s: %s", path, why);
		return;
	}
	conf_describe(s, got, sizeof(got));
	conf_err(ctx, conf_line(s), "%s: %s (got %s)", path, why, got);
}

/* Whether s is an integer on a line where the pre-scan found a literal that
 * libconfig wrapped around; that line has already been reported. */
int
conf_wrapped(const struct conf_ctx *ctx, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return 0;
	return conf_line_wrapped(ctx, conf_line(s));
}

int
conf_get_integer(const config_setting_t *s, long long *v)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*v = config_setting_get_int(s);
		return 0;
	case CONFIG_TYPE_INT64:
		*v = config_setting_get_int64(s);
		return 0;
	default:
		return -1;
	}
}

/* A number, integer or float: "idle = 300;" is as good as "idle = 300.0;". */
int
conf_get_number(const config_setting_t *s, double *v)
{
	long long i;

	if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
		*v = config_setting_get_float(s);
		return 0;
	}
	if (conf_get_integer(s, &i) == -1)
		return -1;
	*v = (double)i;
	return 0;
}

/* Whether v is within the key's range (NaN never is). */
int
conf_in_range(const struct conf_key *key, double v)
{
	if (key->flags & CONF_MIN_EXCL)
		return v > key->min && v <= key->max;
	return v >= key->min && v <= key->max;
}

/* "must be a number > 0 and <= 600 seconds" or "... from 0 to 600 seconds". */
void
conf_range_text(const struct conf_key *key, const char *what, char *buf,
    size_t sz)
{
	const char *unit = key->unit != NULL ? key->unit : "";
	const char *sp = key->unit != NULL ? " " : "";

	if (key->flags & CONF_MIN_EXCL)
		snprintf(buf, sz, "must be %s > %.15g and <= %.15g%s%s", what,
		    key->min, key->max, sp, unit);
	else
		snprintf(buf, sz, "must be %s from %.15g to %.15g%s%s", what,
		    key->min, key->max, sp, unit);
}

/* An integer within the key's range; -1 when reported. */
static int
conf_int_value(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, long long *v)
{
	char why[128];

	if (conf_wrapped(ctx, s))
		return -1;
	if (conf_get_integer(s, v) == -1 || !conf_in_range(key, (double)*v)) {
		conf_range_text(key, "an integer", why, sizeof(why));
		conf_bad(ctx, key, s, path, why);
		return -1;
	}
	return 0;
}

void
conf_parse_int(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	long long v;

	if (conf_int_value(ctx, key, s, path, &v) == 0)
		*(int *)conf_field(base, key) = (int)v;
}

void
conf_parse_size(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	long long v;

	if (conf_int_value(ctx, key, s, path, &v) == 0)
		*(size_t *)conf_field(base, key) = (size_t)v;
}

/* Seconds (integer or float) within the key's range; -1 when reported. */
static int
conf_seconds_value(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, double *v)
{
	char why[128];

	if (conf_wrapped(ctx, s))
		return -1;
	if (conf_get_number(s, v) == -1 || !conf_in_range(key, *v)) {
		conf_range_text(key, "a number", why, sizeof(why));
		conf_bad(ctx, key, s, path, why);
		return -1;
	}
	return 0;
}

void
conf_parse_seconds(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	double v;

	if (conf_seconds_value(ctx, key, s, path, &v) == 0)
		*(double *)conf_field(base, key) = v;
}

void
conf_parse_bool(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_bad(ctx, key, s, path, "must be true or false");
		return;
	}
	*(int *)conf_field(base, key) = config_setting_get_bool(s);
}

void
conf_parse_string(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	char **dst = (char **)conf_field(base, key);
	const char *v, *why;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_bad(ctx, key, s, path, "must be a string");
		return;
	}
	v = config_setting_get_string(s);
	if (key->check != NULL && (why = key->check(v)) != NULL) {
		conf_bad(ctx, key, s, path, why);
		return;
	}
	free(*dst);
	*dst = xstrdup(v);
}

/* The index of a string among the key's words; -1 when reported. */
static int
conf_word_index(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path)
{
	const char *v;
	char why[256];
	size_t i, len;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		for (i = 0; i < key->n_words; i++)
			if (strcmp(v, key->words[i]) == 0)
				return (int)i;
	}
	len = (size_t)snprintf(why, sizeof(why), "must be one of");
	for (i = 0; i < key->n_words && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len,
		    "%s \"%s\"", i == 0 ? "" :
		    (i + 1 == key->n_words ? " or" : ","), key->words[i]);
	conf_bad(ctx, key, s, path, why);
	return -1;
}

/* A word stored as its enum value. */
void
conf_parse_enum(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	int i;

	if ((i = conf_word_index(ctx, key, s, path)) != -1)
		*(int *)conf_field(base, key) = i;
}

/* A word stored as a string (network.pdp_type). */
void
conf_parse_word(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	char **dst = (char **)conf_field(base, key);
	int i;

	if ((i = conf_word_index(ctx, key, s, path)) == -1)
		return;
	free(*dst);
	*dst = xstrdup(key->words[i]);
}

/* A nested group, walked with its own key table. */
void
conf_parse_group(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	if (!config_setting_is_group(s)) {
		conf_bad(ctx, key, s, path, "must be a group { ... }");
		return;
	}
	conf_walk(ctx, s, path, key->sub, conf_field(base, key));
}

/* Seconds, or "auto" (then *is_auto is set and *v left alone). */
void
conf_seconds_or_auto(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, double *v, int *is_auto)
{
	char why[160];
	size_t len;
	double d;

	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    strcasecmp(config_setting_get_string(s), "auto") == 0) {
		*is_auto = 1;
		return;
	}
	if (conf_wrapped(ctx, s))
		return;
	if (conf_get_number(s, &d) == -1 || !conf_in_range(key, d)) {
		conf_range_text(key, "a number", why, sizeof(why));
		len = strlen(why);
		snprintf(why + len, sizeof(why) - len, " or \"auto\"");
		conf_bad(ctx, key, s, path, why);
		return;
	}
	*v = d;
	*is_auto = 0;
}

/* Report a setting no table knows, naming the keys that are known. */
static void
conf_unknown(struct conf_ctx *ctx, const config_setting_t *s, const char *path,
    const struct conf_key *keys, int top)
{
	char known[512];
	size_t len = 0;

	known[0] = '\0';
	for (; keys->name != NULL && len < sizeof(known); keys++)
		len += (size_t)snprintf(known + len, sizeof(known) - len,
		    "%s%s", len == 0 ? "" : ", ", keys->name);
	if (top)
		conf_err(ctx, conf_line(s), "%s: unknown %s (the groups are "
		    "%s)", path, config_setting_is_group(s) ? "group" :
		    "setting", known);
	else
		conf_err(ctx, conf_line(s), "%s: unknown key (known keys: %s)",
		    path, known);
}

/* Check one member of a group against the table and parse it. */
static void
conf_member(struct conf_ctx *ctx, const config_setting_t *s, const char *parent,
    const struct conf_key *keys, void *base)
{
	const char *name = config_setting_name(s);
	const struct conf_key *k;
	char *path;

	xasprintf(&path, "%s%s%s", parent, *parent != '\0' ? "." : "", name);
	for (k = keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			break;
	if (k->name == NULL)
		conf_unknown(ctx, s, path, keys, *parent == '\0');
	else
		k->parse(ctx, k, s, path, base);
	free(path);
}

/* Parse every member of group g with the table keys; report missing
 * required keys at the group's line. */
void
conf_walk(struct conf_ctx *ctx, const config_setting_t *g, const char *path,
    const struct conf_key *keys, void *base)
{
	const struct conf_key *k;
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++)
		conf_member(ctx, config_setting_get_elem(g, (unsigned int)i),
		    path, keys, base);
	for (k = keys; k->name != NULL; k++) {
		if (!(k->flags & CONF_REQUIRED) ||
		    config_setting_get_member(g, k->name) != NULL)
			continue;
		conf_err(ctx, conf_line(g), "%s%s%s: required %s is missing",
		    path, *path != '\0' ? "." : "", k->name,
		    k->sub != NULL ? "group" : "key");
	}
}
