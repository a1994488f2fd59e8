/*
 * Configuration: libconfig text parsed into struct conf. The file is read
 * (a regular file, no NUL byte, at most CONF_FILE_MAX bytes), pre-scanned for
 * what libconfig cannot tell (conf_scan.c), parsed by libconfig, walked with
 * the schema's key tables (conf_schema.c, conf_walk.c) and checked across
 * keys (conf_check.c). Problems are collected, never only the first, sorted by
 * line and handed back as "FILE:LINE: message" (conf_report.c). Secrets are
 * never echoed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_check.h"
#include "conf/conf_report.h"
#include "conf/conf_scan.h"
#include "conf/conf_schema.h"
#include "conf/conf_value.h"
#include "conf/conf_walk.h"
#include "xmalloc.h"

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
	conf_check_ports(ctx, &cfg, conf);
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
	conf_strv_free(conf->modem.ports, conf->modem.n_ports);
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
	conf_strv_free(conf->advice, conf->n_advice);
	free(conf);
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
