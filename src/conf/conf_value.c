/*
 * Parsers and checks of the values that are more than a plain type: baud
 * rates, log levels, file modes, AT commands, "auto" seconds, hex byte
 * strings, paths, names and the strings that end up in AT commands.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <libconfig.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_report.h"
#include "conf/conf_value.h"
#include "conf/conf_walk.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CONF_INIT_MAX 32	/* modem.init commands */
#define CONF_ATCMD_MAX 255	/* longest modem.init command */
#define CONF_NAME_MAX 32	/* link and group names */

static const int conf_baudrates[] = {
	300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
	460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000,
	2500000, 3000000, 3500000, 4000000,
};

void
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

void
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
void
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

void
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
void
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

/* modem.ports: one to CONF_MAX_PORTS distinct device paths. */
void
conf_parse_ports(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_modem *m = base;
	const config_setting_t *e;
	const char *v, *why;
	int i, j, n;

	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		conf_bad(ctx, key, s, path, "must be a list of device paths such as "
		    "[ \"/dev/ttyUSB2\", \"/dev/ttyUSB3\" ]");
		return;
	}
	if ((n = config_setting_length(s)) < 1 || n > CONF_MAX_PORTS) {
		conf_err(ctx, conf_line(s), "%s: 1 to %d ports (got %d)", path,
		    CONF_MAX_PORTS, n);
		return;
	}
	conf_strv_free(m->ports, m->n_ports);
	m->ports = xcalloc((size_t)n, sizeof(char *));
	m->n_ports = 0;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		v = config_setting_type(e) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(e) : NULL;
		why = v == NULL ? "must be a string" : conf_check_path(v);
		for (j = 0; why == NULL && j < m->n_ports; j++)
			if (strcmp(m->ports[j], v) == 0)
				why = "is listed twice";
		if (why != NULL)
			conf_err(ctx, conf_line(e), "%s[%d]: %s", path, i, why);
		else
			m->ports[m->n_ports++] = xstrdup(v);
	}
}

/* keepalive.idle: seconds, or "auto" to learn the network's idle timeout. */
void
conf_parse_idle(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_keepalive *ka = base;

	conf_seconds_or_auto(ctx, key, s, path, &ka->idle, &ka->idle_auto);
}

/* modem.command_gap: seconds, or "auto" (short, lengthened on a timeout). */
void
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

void
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

void
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

/* Whether every byte of v is printable ASCII and none is in reject. */
static int
conf_printable(const char *v, const char *reject)
{
	for (; *v != '\0'; v++)
		if (*v < 0x20 || *v > 0x7e || strchr(reject, *v) != NULL)
			return 0;
	return 1;
}

const char *
conf_check_path(const char *v)
{
	if (v[0] != '/' || strlen(v) >= PATH_MAX || !conf_printable(v, ""))
		return "must be an absolute path";
	return NULL;
}

const char *
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
const char *
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

const char *
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

const char *
conf_check_linkname(const char *v)
{
	if (!conf_is_name(v, 0))
		return "must be 1 to 32 characters from A-Z a-z 0-9 _ . -";
	return NULL;
}

const char *
conf_check_group(const char *v)
{
	if (!conf_is_name(v, 1))
		return "must be a group name (at most 32 characters from "
		    "A-Z a-z 0-9 _ . -) or \"\"";
	return NULL;
}

const char *
conf_check_host(const char *v)
{
	if (*v == '\0' || strlen(v) > 253 || !conf_printable(v, " \",;"))
		return "must be a host name or IP address (no spaces, quotes, "
		    "commas or semicolons; at most 253 characters)";
	return NULL;
}

/* apn and user end up inside quotes in AT commands. */
const char *
conf_check_apn(const char *v)
{
	if (strlen(v) > 100 || !conf_printable(v, "\""))
		return "must be printable ASCII without double quotes, at most "
		    "100 characters";
	return NULL;
}

const char *
conf_check_user(const char *v)
{
	if (strlen(v) > 64 || !conf_printable(v, "\""))
		return "must be printable ASCII without double quotes, at most "
		    "64 characters";
	return NULL;
}

const char *
conf_check_pin(const char *v)
{
	size_t n = strlen(v);

	if (n != 0 && (n < 4 || n > 8 || strspn(v, "0123456789") != n))
		return "must be 4 to 8 digits, or \"\" when the SIM has no PIN";
	return NULL;
}
