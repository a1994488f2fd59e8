/*
 * Configuration problems: each one recorded with its line while the file is
 * checked, then sorted by line and handed back as "FILE:LINE: message".
 * Also how a setting is named in a message: its line and its value as
 * written ("(got ...)").
 */
#include "config.h"

#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_report.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* Record one problem at a line (0: no particular line). */
void
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

/* Remember a line where an integer literal was wrapped by libconfig. */
void
conf_mark_wrapped(struct conf_ctx *ctx, int line)
{
	ctx->wrapped = xrealloc(ctx->wrapped,
	    (size_t)(ctx->n_wrapped + 1) * sizeof(int));
	ctx->wrapped[ctx->n_wrapped++] = line;
}

int
conf_line_wrapped(const struct conf_ctx *ctx, int line)
{
	int i;

	for (i = 0; i < ctx->n_wrapped; i++)
		if (ctx->wrapped[i] == line)
			return 1;
	return 0;
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
void
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

int
conf_line(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* Line of member name of group g, or of g itself when it is absent. */
int
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
void
conf_format_float(double v, char *buf, size_t sz)
{
	snprintf(buf, sz, "%g", v);
	if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 3 <= sz)
		strcat(buf, ".0");
}

/* Describe a setting's value for "(got ...)": strings quoted and escaped. */
void
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
