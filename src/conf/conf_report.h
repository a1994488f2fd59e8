/* Configuration problems, collected while loading and handed back sorted by
 * line as "FILE:LINE: message"; how a setting is named in a message. */
#ifndef CELLSOCK_CONF_REPORT_H
#define CELLSOCK_CONF_REPORT_H

#include <stddef.h>

#include <libconfig.h>

#include "conf/conf.h"

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

/* Record one problem at a line (0: no particular line). */
void conf_err(struct conf_ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Hand the problems, in line order, to errs (may be NULL); frees them. */
void conf_flush(struct conf_ctx *ctx, struct conf_errors *errs);
/* Remember a line where an integer literal was wrapped by libconfig. */
void conf_mark_wrapped(struct conf_ctx *ctx, int line);
/* Whether conf_mark_wrapped() was called for that line. */
int conf_line_wrapped(const struct conf_ctx *ctx, int line);

/* The line of a setting in the file. */
int conf_line(const config_setting_t *s);
/* Line of member name of group g, or of g itself when it is absent. */
int conf_line_of(const config_setting_t *g, const char *name);
/* A float with a decimal point, so 2.0 does not read as the integer 2. */
void conf_format_float(double v, char *buf, size_t sz);
/* Describe a setting's value for "(got ...)": strings quoted and escaped. */
void conf_describe(const config_setting_t *s, char *buf, size_t sz);

#endif
