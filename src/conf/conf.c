/*
 * Configuration: libconfig text parsed into struct conf. Each group is a table
 * of keys {name, parser, offset, flags, range}; a walker checks every setting
 * against its table, so unknown keys, wrong types and bad values are all
 * found in one pass. Problems are collected, never only the first, sorted by
 * line and handed back as "FILE:LINE: message". Secrets are never echoed.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf/conf.h"
#include "log.h"
#include "proto.h"
#include "util.h"
#include "xmalloc.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define CONF_INIT_MAX 32	/* modem.init commands */
#define CONF_ATCMD_MAX 255	/* longest modem.init command */
#define CONF_NAME_MAX 32	/* link and group names */

/* One problem; line 0 means the file as a whole. */
struct conf_msg {
	int line;
	int seq;		/* discovery order, keeps the sort stable */
	char *text;
};

/* State of one load: where messages go and what the pre-scan found. */
struct conf_ctx {
	const char *file;
	struct conf_msg *msgs;
	int n_msgs, cap_msgs;
	int *wrapped;		/* lines of integers libconfig wrapped */
	int n_wrapped;
};

struct conf_key;
typedef void conf_parse_fn(struct conf_ctx *, const struct conf_key *,
    const config_setting_t *, const char *, void *);

/* One key of a group: how to parse it and where it goes in the struct. */
struct conf_key {
	const char *name;
	conf_parse_fn *parse;
	size_t off;			/* in the group's struct */
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

static const char *const conf_flow_words[] = {
	[CONF_FLOW_NONE] = "none",
	[CONF_FLOW_RTSCTS] = "rtscts",
	[CONF_FLOW_XONXOFF] = "xonxoff",
};
static const char *const conf_dialect_words[] = {
	[CONF_DIALECT_TELIT] = "telit",
};
static const char *const conf_session_words[] = {
	[CONF_SESSION_TRANSPARENT] = "transparent",
	[CONF_SESSION_PERSISTENT] = "persistent",
};
static const char *const conf_pdp_words[] = { "IP", "IPV6", "IPV4V6" };

static const int conf_baudrates[] = {
	300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
	460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000,
	2500000, 3000000, 3500000, 4000000,
};

/* Record one problem at a line (0: no particular line). */
static void __attribute__((format(printf, 3, 4)))
conf_err(struct conf_ctx *ctx, int line, const char *fmt, ...)
{
	struct conf_msg *m;
	va_list ap;

	if (ctx->n_msgs == ctx->cap_msgs) {
		ctx->cap_msgs = ctx->cap_msgs ? ctx->cap_msgs * 2 : 16;
		ctx->msgs = xrealloc(ctx->msgs,
		    (size_t)ctx->cap_msgs * sizeof(*ctx->msgs));
	}
	m = &ctx->msgs[ctx->n_msgs];
	m->line = line;
	m->seq = ctx->n_msgs++;
	va_start(ap, fmt);
	if (vasprintf(&m->text, fmt, ap) == -1)
		fatalx("out of memory formatting a string");
	va_end(ap);
}

static int
conf_msg_cmp(const void *a, const void *b)
{
	const struct conf_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Append one formatted message to the caller's list. */
static void
conf_errors_add(struct conf_errors *errs, char *msg)
{
	errs->msgs = xrealloc(errs->msgs,
	    (size_t)(errs->n + 1) * sizeof(char *));
	errs->msgs[errs->n++] = msg;
}

/* Hand the problems, in line order, to the caller as "FILE:LINE: text". */
static void
conf_flush(struct conf_ctx *ctx, struct conf_errors *errs)
{
	char *s;
	int i;

	if (ctx->n_msgs > 0)
		qsort(ctx->msgs, (size_t)ctx->n_msgs, sizeof(*ctx->msgs),
		    conf_msg_cmp);
	for (i = 0; i < ctx->n_msgs && errs != NULL; i++) {
		if (i == CONF_ERRORS_MAX) {
			xasprintf(&s, "%s: %d more problems not shown",
			    ctx->file, ctx->n_msgs - i);
			conf_errors_add(errs, s);
			break;
		}
		if (ctx->msgs[i].line > 0)
			xasprintf(&s, "%s:%d: %s", ctx->file, ctx->msgs[i].line,
			    ctx->msgs[i].text);
		else
			xasprintf(&s, "%s: %s", ctx->file, ctx->msgs[i].text);
		conf_errors_add(errs, s);
	}
	for (i = 0; i < ctx->n_msgs; i++)
		free(ctx->msgs[i].text);
	free(ctx->msgs);
	free(ctx->wrapped);
}

/* Where a key's value goes in its group's struct. */
static void *
conf_field(void *base, const struct conf_key *key)
{
	return (char *)base + key->off;
}

static int
conf_line(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* Line of member name of group g, or of g itself when it is absent. */
static int
conf_line_of(const config_setting_t *g, const char *name)
{
	const config_setting_t *m;

	if (g == NULL)
		return 0;
	if ((m = config_setting_get_member(g, name)) == NULL)
		return conf_line(g);
	return conf_line(m);
}

/* A float with a decimal point, so 2.0 does not read as the integer 2. */
static void
conf_format_float(double v, char *buf, size_t sz)
{
	snprintf(buf, sz, "%g", v);
	if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 3 <= sz)
		strcat(buf, ".0");
}

/* Describe a setting's value for "(got ...)": strings quoted and escaped. */
static void
conf_describe(const config_setting_t *s, char *buf, size_t sz)
{
	const char *str;
	char esc[64];

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		snprintf(buf, sz, "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		snprintf(buf, sz, "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		conf_format_float(config_setting_get_float(s), buf, sz);
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, sz, "%s",
		    config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		util_escape(str, strlen(str), esc, sizeof(esc));
		snprintf(buf, sz, "\"%s\"", esc);
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, sz, "a group");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, sz, "an array");
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, sz, "a list");
		break;
	default:
		snprintf(buf, sz, "nothing");
		break;
	}
}

/* Report a bad value: "PATH: WHY (got VALUE)", no value for secrets. */
static void
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
static int
conf_wrapped(const struct conf_ctx *ctx, const config_setting_t *s)
{
	int i;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return 0;
	for (i = 0; i < ctx->n_wrapped; i++)
		if (ctx->wrapped[i] == conf_line(s))
			return 1;
	return 0;
}

static int
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
static int
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
static int
conf_in_range(const struct conf_key *key, double v)
{
	if (key->flags & CONF_MIN_EXCL)
		return v > key->min && v <= key->max;
	return v >= key->min && v <= key->max;
}

/* "must be a number > 0 and <= 600 seconds" or "... from 0 to 600 seconds". */
static void
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

static void
conf_parse_int(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	long long v;

	if (conf_int_value(ctx, key, s, path, &v) == 0)
		*(int *)conf_field(base, key) = (int)v;
}

static void
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

static void
conf_parse_seconds(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	double v;

	if (conf_seconds_value(ctx, key, s, path, &v) == 0)
		*(double *)conf_field(base, key) = v;
}

static void
conf_parse_bool(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_bad(ctx, key, s, path, "must be true or false");
		return;
	}
	*(int *)conf_field(base, key) = config_setting_get_bool(s);
}

static void
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
static void
conf_parse_enum(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	int i;

	if ((i = conf_word_index(ctx, key, s, path)) != -1)
		*(int *)conf_field(base, key) = i;
}

/* A word stored as a string (network.pdp_type). */
static void
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

static void
conf_parse_baudrate(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	long long v;
	size_t i;

	if (conf_wrapped(ctx, s))
		return;
	if (conf_get_integer(s, &v) == 0) {
		for (i = 0; i < nitems(conf_baudrates); i++) {
			if (v == conf_baudrates[i]) {
				*(int *)conf_field(base, key) = (int)v;
				return;
			}
		}
	}
	conf_bad(ctx, key, s, path, "must be a standard rate from 300 to "
	    "4000000, such as 9600, 115200 or 921600");
}

static void
conf_parse_level(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	int level = -1;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		level = log_level_parse(config_setting_get_string(s));
	if (level == -1) {
		conf_bad(ctx, key, s, path, "must be one of \"error\", "
		    "\"warning\", \"notice\", \"info\" or \"debug\"");
		return;
	}
	*(int *)conf_field(base, key) = level;
}

/* control.mode: an octal string; a bare 0660 would be read as decimal. */
static void
conf_parse_mode(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	const char *v;
	unsigned long m;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_bad(ctx, key, s, path, "must be an octal string such as "
		    "\"0660\" (in quotes: a bare 0660 is the decimal number "
		    "660)");
		return;
	}
	v = config_setting_get_string(s);
	if (*v == '\0' || strlen(v) > 4 || strspn(v, "01234567") != strlen(v) ||
	    (m = strtoul(v, NULL, 8)) > 0777) {
		conf_bad(ctx, key, s, path, "must be an octal mode from "
		    "\"0000\" to \"0777\", such as \"0660\"");
		return;
	}
	*(mode_t *)conf_field(base, key) = (mode_t)m;
}

/* A nested group, walked with its own key table. */
static void conf_walk(struct conf_ctx *, const config_setting_t *, const char *,
    const struct conf_key *, void *);

static void
conf_parse_group(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	if (!config_setting_is_group(s)) {
		conf_bad(ctx, key, s, path, "must be a group { ... }");
		return;
	}
	conf_walk(ctx, s, path, key->sub, conf_field(base, key));
}

static void
conf_strv_free(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const char *
conf_check_atcmd(const char *v)
{
	size_t i, len = strlen(v);

	if (len < 2 || len > CONF_ATCMD_MAX || strncasecmp(v, "AT", 2) != 0)
		goto bad;
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			goto bad;
	return NULL;
bad:
	return "must be one AT command line of printable ASCII starting with "
	    "\"AT\", at most 255 characters";
}

/* modem.init: a list or array of AT command strings. */
static void
conf_parse_init(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_modem *m = base;
	const config_setting_t *e;
	const char *why;
	char *epath;
	int i, n;

	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		conf_bad(ctx, key, s, path, "must be a list of strings such as "
		    "[ \"AT#SLED=2\" ]");
		return;
	}
	if ((n = config_setting_length(s)) > CONF_INIT_MAX) {
		conf_err(ctx, conf_line(s), "%s: at most %d commands (got %d)",
		    path, CONF_INIT_MAX, n);
		return;
	}
	conf_strv_free(m->init, m->n_init);
	m->init = xcalloc((size_t)n, sizeof(char *));
	m->n_init = 0;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		xasprintf(&epath, "%s[%d]", path, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			conf_bad(ctx, key, e, epath, "must be a string");
		else if ((why = conf_check_atcmd(
		    config_setting_get_string(e))) != NULL)
			conf_bad(ctx, key, e, epath, why);
		else
			m->init[m->n_init++] =
			    xstrdup(config_setting_get_string(e));
		free(epath);
	}
}

/* Seconds, or "auto" (then *is_auto is set and *v left alone). */
static void
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

/* keepalive.idle: seconds, or "auto" to learn the network's idle timeout. */
static void
conf_parse_idle(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_keepalive *ka = base;

	conf_seconds_or_auto(ctx, key, s, path, &ka->idle, &ka->idle_auto);
}

/* modem.command_gap: seconds, or "auto" (short, lengthened on a timeout). */
static void
conf_parse_gap(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_modem *m = base;

	conf_seconds_or_auto(ctx, key, s, path, &m->command_gap, &m->command_gap_auto);
}

/* A hex byte string into buf/len; "" allowed when allow_empty. 0 or -1. */
static int
conf_hex_value(const config_setting_t *s, int allow_empty, uint8_t *buf,
    size_t *len)
{
	const char *v;
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return -1;
	v = config_setting_get_string(s);
	if (*v == '\0' && allow_empty) {
		*len = 0;
		return 0;
	}
	if ((n = util_hex_decode(v, buf, CONF_HEX_MAX)) <= 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

static void
conf_parse_probe(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_keepalive *ka = base;
	uint8_t buf[CONF_HEX_MAX];
	size_t len;

	if (conf_hex_value(s, 1, buf, &len) == -1) {
		conf_bad(ctx, key, s, path, "must be hex bytes such as \"FF\" "
		    "(an even number of hex digits, at most 32 bytes) or \"\" "
		    "for no probe");
		return;
	}
	memcpy(ka->probe, buf, len);
	ka->probe_len = len;
}

static void
conf_parse_reply(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_keepalive *ka = base;
	uint8_t buf[CONF_HEX_MAX];
	size_t len;

	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    strcasecmp(config_setting_get_string(s), "any") == 0) {
		ka->reply_any = 1;
		ka->reply_len = 0;
		return;
	}
	if (conf_hex_value(s, 0, buf, &len) == -1) {
		conf_bad(ctx, key, s, path, "must be hex bytes such as \"FE\" "
		    "(an even number of hex digits, at most 32 bytes) or "
		    "\"any\"");
		return;
	}
	memcpy(ka->reply, buf, len);
	ka->reply_len = len;
	ka->reply_any = 0;
}

/* "PORT" as a decimal 1..65535 with nothing else around it; -1 if not. */
static int
conf_port(const char *p)
{
	size_t n = strlen(p);
	long v;

	if (n == 0 || n > 5 || strspn(p, "0123456789") != n)
		return -1;
	v = strtol(p, NULL, 10);
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Split "ADDR:PORT" or "[ADDR]:PORT" of a tcp: endpoint; NULL when the
 * syntax is wrong, else the address (caller frees) and *port. */
static char *
conf_tcp_split(const char *v, int *port)
{
	const char *colon, *end;

	if (*v == '[') {
		if ((end = strchr(v, ']')) == NULL || end[1] != ':')
			return NULL;
		if ((*port = conf_port(end + 2)) == -1)
			return NULL;
		return xstrndup(v + 1, (size_t)(end - v - 1));
	}
	/* unbracketed: IPv4, so exactly one colon */
	if ((colon = strchr(v, ':')) == NULL ||
	    (*port = conf_port(colon + 1)) == -1)
		return NULL;
	return xstrndup(v, (size_t)(colon - v));
}

/* Whether addr is a numeric loopback address; writes its canonical form. */
static int
conf_loopback(const char *addr, char *canon, size_t sz)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1) {
		inet_ntop(AF_INET, &a4, canon, (socklen_t)sz);
		return (ntohl(a4.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		inet_ntop(AF_INET6, &a6, canon, (socklen_t)sz);
		return IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return -1;
}

/* The tcp: part of a link's local endpoint; loopback addresses only. */
static void
conf_local_tcp(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, struct conf_link *l)
{
	char canon[INET6_ADDRSTRLEN], *addr, why[192];
	int port, r;

	addr = conf_tcp_split(config_setting_get_string(s) + 4, &port);
	if (addr == NULL) {
		conf_bad(ctx, key, s, path, "must be \"tcp:127.0.0.1:PORT\" or "
		    "\"tcp:[::1]:PORT\" with PORT from 1 to 65535");
		return;
	}
	if ((r = conf_loopback(addr, canon, sizeof(canon))) != 1) {
		snprintf(why, sizeof(why), r == -1 ?
		    "the tcp: address must be a numeric loopback address, "
		    "127.0.0.1 or [::1]" :
		    "%s is not a loopback address: local endpoints accept only "
		    "applications on this machine (use 127.0.0.1 or [::1])",
		    canon);
		conf_bad(ctx, key, s, path, why);
		free(addr);
		return;
	}
	free(addr);
	l->local_kind = CONF_LOCAL_TCP;
	l->local_addr = xstrdup(canon);
	l->local_port = port;
	l->local = xstrdup(config_setting_get_string(s));
}

/* The unix: part of a link's local endpoint: an absolute socket path. */
static void
conf_local_unix(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, struct conf_link *l)
{
	struct sockaddr_un sun;
	const char *p = config_setting_get_string(s) + 5;
	size_t i, len = strlen(p);

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			break;
	if (p[0] != '/' || len >= sizeof(sun.sun_path) || i != len) {
		conf_bad(ctx, key, s, path, "the unix: path must be absolute, "
		    "without control characters and shorter than 108 bytes");
		return;
	}
	l->local_kind = CONF_LOCAL_UNIX;
	l->local_path = xstrdup(p);
	l->local = xstrdup(config_setting_get_string(s));
}

static void
conf_local_clear(struct conf_link *l)
{
	free(l->local);
	free(l->local_path);
	free(l->local_addr);
	l->local = l->local_path = l->local_addr = NULL;
	l->local_port = 0;
	l->local_kind = CONF_LOCAL_NONE;
}

/* links[].local: "unix:/abs/path", "tcp:127.0.0.1:PORT" or "" for none. */
static void
conf_parse_local(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_link *l = base;
	const char *v;

	conf_local_clear(l);
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		if (*v == '\0')
			return;
		if (strncmp(v, "unix:", 5) == 0) {
			conf_local_unix(ctx, key, s, path, l);
			return;
		}
		if (strncmp(v, "tcp:", 4) == 0) {
			conf_local_tcp(ctx, key, s, path, l);
			return;
		}
	}
	conf_bad(ctx, key, s, path, "must be \"unix:/ABSOLUTE/PATH\", "
	    "\"tcp:127.0.0.1:PORT\", \"tcp:[::1]:PORT\" or \"\"");
}

/* Whether every byte of v is printable ASCII and none is in reject. */
static int
conf_printable(const char *v, const char *reject)
{
	for (; *v != '\0'; v++)
		if (*v < 0x20 || *v > 0x7e || strchr(reject, *v) != NULL)
			return 0;
	return 1;
}

static const char *
conf_check_path(const char *v)
{
	if (v[0] != '/' || strlen(v) >= PATH_MAX || !conf_printable(v, ""))
		return "must be an absolute path";
	return NULL;
}

static const char *
conf_check_hook(const char *v)
{
	if (*v == '\0')
		return NULL;
	if (conf_check_path(v) != NULL)
		return "must be an absolute path to an executable, or \"\" "
		    "for none";
	return NULL;
}

/* metrics.textfile: node_exporter's textfile collector reads only *.prom. */
static const char *
conf_check_textfile(const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return NULL;
	if (conf_check_path(v) != NULL || n < 7 || v[n - 6] == '/' ||
	    strcmp(v + n - 5, ".prom") != 0)
		return "must be an absolute path ending in \".prom\" (a file "
		    "in node_exporter's textfile directory), or \"\" for none";
	return NULL;
}

static const char *
conf_check_socket(const char *v)
{
	struct sockaddr_un sun;

	if (conf_check_path(v) != NULL || strlen(v) >= sizeof(sun.sun_path))
		return "must be an absolute path shorter than 108 bytes";
	return NULL;
}

/* A name: [A-Za-z0-9_.-], 1..32 characters (or 0 when empty_ok). */
static int
conf_is_name(const char *v, int empty_ok)
{
	size_t n = strlen(v);

	if ((n == 0 && !empty_ok) || n > CONF_NAME_MAX)
		return 0;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

static const char *
conf_check_linkname(const char *v)
{
	if (!conf_is_name(v, 0))
		return "must be 1 to 32 characters from A-Z a-z 0-9 _ . -";
	return NULL;
}

static const char *
conf_check_group(const char *v)
{
	if (!conf_is_name(v, 1))
		return "must be a group name (at most 32 characters from "
		    "A-Z a-z 0-9 _ . -) or \"\"";
	return NULL;
}

static const char *
conf_check_host(const char *v)
{
	if (*v == '\0' || strlen(v) > 253 || !conf_printable(v, " \",;"))
		return "must be a host name or IP address (no spaces, quotes, "
		    "commas or semicolons; at most 253 characters)";
	return NULL;
}

/* apn and user end up inside quotes in AT commands. */
static const char *
conf_check_apn(const char *v)
{
	if (strlen(v) > 100 || !conf_printable(v, "\""))
		return "must be printable ASCII without double quotes, at most "
		    "100 characters";
	return NULL;
}

static const char *
conf_check_user(const char *v)
{
	if (strlen(v) > 64 || !conf_printable(v, "\""))
		return "must be printable ASCII without double quotes, at most "
		    "64 characters";
	return NULL;
}

static const char *
conf_check_pin(const char *v)
{
	size_t n = strlen(v);

	if (n != 0 && (n < 4 || n > 8 || strspn(v, "0123456789") != n))
		return "must be 4 to 8 digits, or \"\" when the SIM has no PIN";
	return NULL;
}

#define KEY_STRING(st, f, fl, chk) \
	.name = #f, .parse = conf_parse_string, .off = offsetof(st, f), \
	.flags = (fl), .check = (chk)
#define KEY_SECONDS(st, f, fl, lo, hi) \
	.name = #f, .parse = conf_parse_seconds, .off = offsetof(st, f), \
	.flags = (fl), .min = (lo), .max = (hi), .unit = "seconds"
#define KEY_INT(st, f, lo, hi, u) \
	.name = #f, .parse = conf_parse_int, .off = offsetof(st, f), \
	.min = (lo), .max = (hi), .unit = (u)
#define FAILS "failures"
#define KEY_ENUM(st, f, w) \
	.name = #f, .parse = conf_parse_enum, .off = offsetof(st, f), \
	.words = (w), .n_words = nitems(w)

static const struct conf_key conf_modem_keys[] = {
	{ KEY_STRING(struct conf_modem, device, CONF_REQUIRED,
	    conf_check_path) },
	{ .name = "baudrate", .parse = conf_parse_baudrate,
	    .off = offsetof(struct conf_modem, baudrate) },
	{ KEY_ENUM(struct conf_modem, flow_control, conf_flow_words) },
	{ KEY_ENUM(struct conf_modem, dialect, conf_dialect_words) },
	{ .name = "init", .parse = conf_parse_init },
	{ KEY_SECONDS(struct conf_modem, command_timeout, CONF_MIN_EXCL,
	    0, 600) },
	{ .name = "command_gap", .parse = conf_parse_gap, .min = 0, .max = 1,
	    .unit = "seconds" },
	{ KEY_STRING(struct conf_modem, pin, CONF_SECRET, conf_check_pin) },
	{ .name = NULL }
};

static const struct conf_key conf_network_keys[] = {
	{ KEY_STRING(struct conf_network, apn, 0, conf_check_apn) },
	{ KEY_INT(struct conf_network, cid, 1, 5, NULL) },
	{ .name = "pdp_type", .parse = conf_parse_word,
	    .off = offsetof(struct conf_network, pdp_type),
	    .words = conf_pdp_words, .n_words = nitems(conf_pdp_words) },
	{ KEY_STRING(struct conf_network, user, 0, conf_check_user) },
	{ KEY_STRING(struct conf_network, password, CONF_SECRET,
	    conf_check_user) },
	{ KEY_SECONDS(struct conf_network, registration_timeout, CONF_MIN_EXCL,
	    0, 86400) },
	{ .name = NULL }
};

static const struct conf_key conf_keepalive_keys[] = {
	{ .name = "idle", .parse = conf_parse_idle, .min = 1, .max = 86400,
	    .unit = "seconds" },
	{ KEY_SECONDS(struct conf_keepalive, idle_min, 0, 1, 86400) },
	{ KEY_SECONDS(struct conf_keepalive, idle_max, 0, 1, 86400) },
	{ KEY_SECONDS(struct conf_keepalive, timeout, CONF_MIN_EXCL, 0, 3600) },
	{ KEY_INT(struct conf_keepalive, retries, 0, 100, NULL) },
	{ .name = "probe", .parse = conf_parse_probe },
	{ .name = "reply", .parse = conf_parse_reply },
	{ KEY_SECONDS(struct conf_keepalive, ack_timeout, CONF_MIN_EXCL,
	    0, 3600) },
	{ KEY_INT(struct conf_keepalive, modem_keepalive, 0, 240, "minutes") },
	{ .name = NULL }
};

static const struct conf_key conf_reconnect_keys[] = {
	{ KEY_SECONDS(struct conf_reconnect, min, CONF_MIN_EXCL, 0, 86400) },
	{ KEY_SECONDS(struct conf_reconnect, max, CONF_MIN_EXCL, 0, 86400) },
	{ KEY_SECONDS(struct conf_reconnect, stable, 0, 0, 86400) },
	{ KEY_SECONDS(struct conf_reconnect, teardown_timeout, CONF_MIN_EXCL,
	    0, 600) },
	{ KEY_SECONDS(struct conf_reconnect, quiet_time, 0, 0, 600) },
	{ .name = NULL }
};

static const struct conf_key conf_link_keys[] = {
	{ KEY_STRING(struct conf_link, name, CONF_REQUIRED,
	    conf_check_linkname) },
	{ KEY_STRING(struct conf_link, host, CONF_REQUIRED, conf_check_host) },
	{ KEY_INT(struct conf_link, port, 1, 65535, NULL),
	    .flags = CONF_REQUIRED },
	{ KEY_INT(struct conf_link, socket, 1, CONF_MAX_LINKS, NULL),
	    .flags = CONF_REQUIRED },
	{ .name = "local", .parse = conf_parse_local },
	{ KEY_ENUM(struct conf_link, session, conf_session_words) },
	{ .name = "resend_unacked", .parse = conf_parse_bool,
	    .off = offsetof(struct conf_link, resend_unacked) },
	{ .name = "tx_buffer", .parse = conf_parse_size,
	    .off = offsetof(struct conf_link, tx_buffer), .min = 1024,
	    .max = 16777216, .unit = "bytes" },
	{ .name = "rx_buffer", .parse = conf_parse_size,
	    .off = offsetof(struct conf_link, rx_buffer), .min = 1024,
	    .max = 16777216, .unit = "bytes" },
	{ .name = "keepalive", .parse = conf_parse_group,
	    .off = offsetof(struct conf_link, keepalive),
	    .sub = conf_keepalive_keys },
	{ .name = "reconnect", .parse = conf_parse_group,
	    .off = offsetof(struct conf_link, reconnect),
	    .sub = conf_reconnect_keys },
	{ .name = NULL }
};

static const struct conf_key conf_recovery_keys[] = {
	{ KEY_INT(struct conf_recovery, pdp_cycle_after, 1, 100, FAILS) },
	{ KEY_INT(struct conf_recovery, radio_cycle_after, 1, 100, FAILS) },
	{ KEY_INT(struct conf_recovery, modem_reboot_after, 1, 100, FAILS) },
	{ KEY_STRING(struct conf_recovery, hook, 0, conf_check_hook) },
	{ KEY_SECONDS(struct conf_recovery, hook_timeout, CONF_MIN_EXCL,
	    0, 3600) },
	{ KEY_SECONDS(struct conf_recovery, cooldown, 0, 0, 86400) },
	{ .name = NULL }
};

static const struct conf_key conf_control_keys[] = {
	{ KEY_STRING(struct conf_control, socket, 0, conf_check_socket) },
	{ KEY_STRING(struct conf_control, group, 0, conf_check_group) },
	{ .name = "mode", .parse = conf_parse_mode,
	    .off = offsetof(struct conf_control, mode) },
	{ .name = NULL }
};

static const struct conf_key conf_log_keys[] = {
	{ .name = "level", .parse = conf_parse_level,
	    .off = offsetof(struct conf_log, level) },
	{ .name = "at_trace", .parse = conf_parse_bool,
	    .off = offsetof(struct conf_log, at_trace) },
	{ .name = NULL }
};

static const struct conf_key conf_metrics_keys[] = {
	{ KEY_STRING(struct conf_metrics, textfile, 0, conf_check_textfile) },
	{ KEY_SECONDS(struct conf_metrics, interval, 0, 1, 86400) },
	{ .name = NULL }
};

static conf_parse_fn conf_parse_links;

static const struct conf_key conf_top_keys[] = {
	{ .name = "modem", .parse = conf_parse_group, .flags = CONF_REQUIRED,
	    .off = offsetof(struct conf, modem), .sub = conf_modem_keys },
	{ .name = "network", .parse = conf_parse_group,
	    .off = offsetof(struct conf, network), .sub = conf_network_keys },
	{ .name = "links", .parse = conf_parse_links },
	{ .name = "recovery", .parse = conf_parse_group,
	    .off = offsetof(struct conf, recovery), .sub = conf_recovery_keys },
	{ .name = "control", .parse = conf_parse_group,
	    .off = offsetof(struct conf, control), .sub = conf_control_keys },
	{ .name = "log", .parse = conf_parse_group,
	    .off = offsetof(struct conf, log), .sub = conf_log_keys },
	{ .name = "metrics", .parse = conf_parse_group,
	    .off = offsetof(struct conf, metrics), .sub = conf_metrics_keys },
	{ .name = NULL }
};

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
static void
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

static void
conf_link_defaults(struct conf_link *l)
{
	memset(l, 0, sizeof(*l));
	l->session = CONF_SESSION_TRANSPARENT;
	l->tx_buffer = l->rx_buffer = 65536;
	l->keepalive.idle = 300.0;
	l->keepalive.idle_min = 30.0;
	l->keepalive.idle_max = 1800.0;
	l->keepalive.timeout = 20.0;
	l->keepalive.retries = 2;
	l->keepalive.probe[0] = 0xff;
	l->keepalive.probe_len = 1;
	l->keepalive.reply[0] = 0xfe;
	l->keepalive.reply_len = 1;
	l->keepalive.ack_timeout = 60.0;
	l->reconnect.min = 1.0;
	l->reconnect.max = 300.0;
	l->reconnect.stable = 60.0;
	l->reconnect.teardown_timeout = 20.0;
	l->reconnect.quiet_time = 2.0;
}

static void
conf_link_free(struct conf_link *l)
{
	free(l->name);
	free(l->host);
	conf_local_clear(l);
}

/* Checks across the keys of one link: ordered bounds. */
static void
conf_link_check(struct conf_ctx *ctx, const config_setting_t *s,
    const char *path, struct conf_link *l)
{
	const config_setting_t *g;
	char a[32], b[32];

	if (l->reconnect.min > l->reconnect.max) {
		g = config_setting_get_member(s, "reconnect");
		conf_format_float(l->reconnect.min, a, sizeof(a));
		conf_format_float(l->reconnect.max, b, sizeof(b));
		conf_err(ctx, conf_line_of(g, "min"), "%s.reconnect.min: must "
		    "not be greater than reconnect.max (%s > %s)", path, a, b);
	}
	if (l->keepalive.idle_min > l->keepalive.idle_max) {
		g = config_setting_get_member(s, "keepalive");
		conf_format_float(l->keepalive.idle_min, a, sizeof(a));
		conf_format_float(l->keepalive.idle_max, b, sizeof(b));
		conf_err(ctx, conf_line_of(g, "idle_min"), "%s.keepalive."
		    "idle_min: must not be greater than keepalive.idle_max "
		    "(%s > %s)", path, a, b);
	}
	if (l->keepalive.idle_auto)
		l->keepalive.idle = l->keepalive.idle_min;
}

/* Whether two links would listen on the same local endpoint. */
static int
conf_local_same(const struct conf_link *a, const struct conf_link *b)
{
	if (a->local_kind != b->local_kind)
		return 0;
	switch (a->local_kind) {
	case CONF_LOCAL_NONE:
		return 0;
	case CONF_LOCAL_UNIX:
		return strcmp(a->local_path, b->local_path) == 0;
	case CONF_LOCAL_TCP:
		return a->local_port == b->local_port &&
		    strcmp(a->local_addr, b->local_addr) == 0;
	}
	return 0;
}

/* Names, modem sockets and local endpoints are each used by one link only. */
static void
conf_link_unique(struct conf_ctx *ctx, const struct conf *conf,
    const config_setting_t *s, const char *path, const struct conf_link *l)
{
	const struct conf_link *o;
	int i;

	for (i = 0; i < conf->n_links; i++) {
		o = &conf->links[i];
		if (l->name != NULL && o->name != NULL &&
		    strcmp(l->name, o->name) == 0)
			conf_err(ctx, conf_line_of(s, "name"), "%s.name: "
			    "duplicate link name \"%s\" (links[%d] at line %d "
			    "has it too)", path, l->name, i, o->line);
		if (l->socket != 0 && l->socket == o->socket)
			conf_err(ctx, conf_line_of(s, "socket"), "%s.socket: "
			    "modem socket %d is already used by links[%d] at "
			    "line %d", path, l->socket, i, o->line);
		if (conf_local_same(l, o))
			conf_err(ctx, conf_line_of(s, "local"), "%s.local: "
			    "endpoint \"%s\" is already used by links[%d] at "
			    "line %d", path, l->local, i, o->line);
	}
}

/* One element of links: a group, parsed into a fresh link with defaults. */
static void
conf_parse_link(struct conf_ctx *ctx, struct conf *conf,
    const config_setting_t *s, int i)
{
	struct conf_link l;
	char *path;

	xasprintf(&path, "links[%d]", i);
	if (!config_setting_is_group(s)) {
		conf_bad(ctx, NULL, s, path, "must be a group "
		    "{ name = ...; host = ...; port = ...; socket = ...; }");
		free(path);
		return;
	}
	conf_link_defaults(&l);
	l.line = conf_line(s);
	conf_walk(ctx, s, path, conf_link_keys, &l);
	conf_link_check(ctx, s, path, &l);
	if (conf->n_links == CONF_MAX_LINKS) {
		conf_err(ctx, l.line, "%s: too many links (at most %d, one per "
		    "modem socket)", path, CONF_MAX_LINKS);
		conf_link_free(&l);
	} else {
		conf_link_unique(ctx, conf, s, path, &l);
		conf->links[conf->n_links++] = l;
	}
	free(path);
}

/* links = ( { ... }, { ... } ); */
static void
conf_parse_links(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf *conf = base;
	int i, n = config_setting_length(s);

	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && n == 0)) {
		conf_bad(ctx, key, s, path, "must be a list of groups: "
		    "links = ( { ... }, { ... } );");
		return;
	}
	for (i = 0; i < n; i++)
		conf_parse_link(ctx, conf,
		    config_setting_get_elem(s, (unsigned int)i), i);
}

/* Checks across groups: escalation order, endpoints vs the control socket. */
static void
conf_check(struct conf_ctx *ctx, const config_t *cfg, const struct conf *conf)
{
	const config_setting_t *root = config_root_setting(cfg), *g;
	const struct conf_recovery *r = &conf->recovery;
	const struct conf_link *l;
	int i;

	g = config_setting_get_member(root, "recovery");
	if (r->radio_cycle_after < r->pdp_cycle_after)
		conf_err(ctx, conf_line_of(g, "radio_cycle_after"),
		    "recovery.radio_cycle_after: must not be less than "
		    "pdp_cycle_after (%d < %d)", r->radio_cycle_after,
		    r->pdp_cycle_after);
	if (r->modem_reboot_after < r->radio_cycle_after)
		conf_err(ctx, conf_line_of(g, "modem_reboot_after"),
		    "recovery.modem_reboot_after: must not be less than "
		    "radio_cycle_after (%d < %d)", r->modem_reboot_after,
		    r->radio_cycle_after);
	for (i = 0; i < conf->n_links; i++) {
		l = &conf->links[i];
		if (l->local_kind == CONF_LOCAL_UNIX &&
		    conf->control.socket != NULL &&
		    strcmp(l->local_path, conf->control.socket) == 0)
			conf_err(ctx, l->line, "links[%d].local: \"%s\" is the "
			    "control socket", i, l->local_path);
	}
}

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
		ctx->wrapped = xrealloc(ctx->wrapped,
		    (size_t)(ctx->n_wrapped + 1) * sizeof(int));
		ctx->wrapped[ctx->n_wrapped++] = line;
	}
	return p;
}

/* libconfig 1.5 silently wraps integer literals that do not fit: find them
 * in the text (outside strings and comments) before trusting the values. */
static void
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
static int
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

static void
conf_defaults(struct conf *conf, const char *path)
{
	conf->path = xstrdup(path);
	conf->modem.baudrate = 115200;
	conf->modem.flow_control = CONF_FLOW_NONE;
	conf->modem.dialect = CONF_DIALECT_TELIT;
	conf->modem.command_timeout = 5.0;
	conf->modem.command_gap_auto = 1;
	conf->modem.pin = xstrdup("");
	conf->network.apn = xstrdup("internet");
	conf->network.cid = 1;
	conf->network.pdp_type = xstrdup("IP");
	conf->network.user = xstrdup("");
	conf->network.password = xstrdup("");
	conf->network.registration_timeout = 180.0;
	conf->recovery.pdp_cycle_after = 3;
	conf->recovery.radio_cycle_after = 5;
	conf->recovery.modem_reboot_after = 7;
	conf->recovery.hook = xstrdup("");
	conf->recovery.hook_timeout = 60.0;
	conf->recovery.cooldown = 300.0;
	conf->control.socket = xstrdup(PROTO_DEFAULT_SOCKET);
	conf->control.group = xstrdup("cellsock");
	conf->control.mode = 0660;
	conf->log.level = LOG_LEVEL_INFO;
	conf->log.at_trace = 0;
	conf->metrics.textfile = xstrdup("");
	conf->metrics.interval = 60.0;
}

/* Parse and validate text; a struct (maybe with problems recorded) or NULL. */
static struct conf *
conf_parse_text(struct conf_ctx *ctx, const char *text)
{
	struct conf *conf;
	const char *why;
	config_t cfg;
	size_t len = strnlen(text, (size_t)CONF_FILE_MAX + 1);

	if (len == 0) {
		conf_err(ctx, 0, "the configuration is empty (at least "
		    "modem.device must be set)");
		return NULL;
	}
	if (len > CONF_FILE_MAX) {
		conf_err(ctx, 0, "too large (the limit is %d bytes)",
		    CONF_FILE_MAX);
		return NULL;
	}
	if (conf_scan_includes(ctx, text))
		return NULL;
	config_init(&cfg);
	if (config_read_string(&cfg, text) == CONFIG_FALSE) {
		why = config_error_text(&cfg);
		if (why == NULL || strcmp(why, "syntax error") == 0)
			conf_err(ctx, config_error_line(&cfg), "syntax error");
		else
			conf_err(ctx, config_error_line(&cfg),
			    "syntax error: %s", why);
		config_destroy(&cfg);
		return NULL;
	}
	conf_scan_integers(ctx, text);
	conf = xcalloc(1, sizeof(*conf));
	conf_defaults(conf, ctx->file);
	conf_walk(ctx, config_root_setting(&cfg), "", conf_top_keys, conf);
	conf_check(ctx, &cfg, conf);
	config_destroy(&cfg);
	return conf;
}

/* Hand over the problems; the struct only when there were none. */
static struct conf *
conf_finish(struct conf_ctx *ctx, struct conf *conf, struct conf_errors *errs)
{
	if (ctx->n_msgs > 0) {
		conf_free(conf);
		conf = NULL;
	}
	conf_flush(ctx, errs);
	return conf;
}

struct conf *
conf_load_string(const char *text, const char *name, struct conf_errors *errs)
{
	struct conf_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.file = name != NULL ? name : "<string>";
	return conf_finish(&ctx, conf_parse_text(&ctx, text), errs);
}

/* Line of the first NUL byte in buf, or 0 when there is none. */
static int
conf_nul_line(const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len), *p;
	int line = 1;

	if (nul == NULL)
		return 0;
	for (p = buf; p < nul; p++)
		if (*p == '\n')
			line++;
	return line;
}

/* Read all of fd, at most CONF_FILE_MAX bytes, NUL-terminated; NULL when
 * reported. */
static char *
conf_read_fd(struct conf_ctx *ctx, int fd)
{
	char *buf = xmalloc((size_t)CONF_FILE_MAX + 2);
	size_t len = 0;
	ssize_t n;
	int line;

	while (len <= CONF_FILE_MAX) {
		n = read(fd, buf + len, (size_t)CONF_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			conf_err(ctx, 0, "cannot read: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONF_FILE_MAX) {
		conf_err(ctx, 0, "too large (the limit is %d bytes)",
		    CONF_FILE_MAX);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if ((line = conf_nul_line(buf, len)) != 0) {
		conf_err(ctx, line, "contains a NUL byte: not a text file");
		free(buf);
		return NULL;
	}
	return buf;
}

/* Open a regular file and read it; NULL when reported. */
static char *
conf_read_file(struct conf_ctx *ctx, const char *path)
{
	struct stat st;
	char *text = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		conf_err(ctx, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		conf_err(ctx, 0, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		conf_err(ctx, 0, "not a regular file");
	else if (st.st_size > CONF_FILE_MAX)
		conf_err(ctx, 0, "too large: %lld bytes (the limit is %d)",
		    (long long)st.st_size, CONF_FILE_MAX);
	else
		text = conf_read_fd(ctx, fd);
	close(fd);
	return text;
}

struct conf *
conf_load(const char *path, struct conf_errors *errs)
{
	struct conf_ctx ctx;
	struct conf *conf = NULL;
	char *text;

	memset(&ctx, 0, sizeof(ctx));
	ctx.file = path;
	if ((text = conf_read_file(&ctx, path)) != NULL) {
		conf = conf_parse_text(&ctx, text);
		free(text);
	}
	return conf_finish(&ctx, conf, errs);
}

void
conf_free(struct conf *conf)
{
	int i;

	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->modem.device);
	conf_strv_free(conf->modem.init, conf->modem.n_init);
	free(conf->modem.pin);
	free(conf->network.apn);
	free(conf->network.pdp_type);
	free(conf->network.user);
	free(conf->network.password);
	for (i = 0; i < conf->n_links; i++)
		conf_link_free(&conf->links[i]);
	free(conf->recovery.hook);
	free(conf->control.socket);
	free(conf->control.group);
	free(conf->metrics.textfile);
	free(conf);
}

void
conf_errors_init(struct conf_errors *errs)
{
	errs->msgs = NULL;
	errs->n = 0;
}

void
conf_errors_free(struct conf_errors *errs)
{
	int i;

	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	conf_errors_init(errs);
}

const struct conf_link *
conf_find_link(const struct conf *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->n_links; i++)
		if (conf->links[i].name != NULL &&
		    strcmp(conf->links[i].name, name) == 0)
			return &conf->links[i];
	return NULL;
}

const char *
conf_session_name(enum conf_session session)
{
	return conf_session_words[session];
}

const char *
conf_flow_name(enum conf_flow flow)
{
	return conf_flow_words[flow];
}
