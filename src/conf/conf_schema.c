/*
 * The schema: one key table per group {name, parser, offset, flags, range,
 * unit, words, check}, the defaults of the keys that are absent, and the
 * links list, whose elements are parsed into fresh links with defaults.
 * cellsockd.conf(5) documents the same keys, defaults and units.
 */
#include "config.h"

#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_check.h"
#include "conf/conf_local.h"
#include "conf/conf_report.h"
#include "conf/conf_schema.h"
#include "conf/conf_value.h"
#include "conf/conf_walk.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

static const char *const conf_flow_words[] = {
	[CONF_FLOW_NONE] = "none",
	[CONF_FLOW_RTSCTS] = "rtscts",
	[CONF_FLOW_XONXOFF] = "xonxoff",
};
static const char *const conf_dialect_words[] = {
	[CONF_DIALECT_TELIT] = "telit",
	[CONF_DIALECT_QUECTEL] = "quectel",
	[CONF_DIALECT_AUTO] = "auto",
};
static const char *const conf_session_words[] = {
	[CONF_SESSION_TRANSPARENT] = "transparent",
	[CONF_SESSION_PERSISTENT] = "persistent",
};
static const char *const conf_pdp_words[] = { "IP", "IPV6", "IPV4V6" };

/* One line per key: name, parser, range, unit and default. */
#define KEY_STRING(st, f, fl, chk, d) \
	.name = #f, .parse = conf_parse_string, .off = offsetof(st, f), \
	.flags = (fl), .check = (chk), .store = CONF_STORE_STRING, \
	.def_str = (d)
#define KEY_SECONDS(st, f, fl, lo, hi, d) \
	.name = #f, .parse = conf_parse_seconds, .off = offsetof(st, f), \
	.flags = (fl), .min = (lo), .max = (hi), .unit = "seconds", \
	.store = CONF_STORE_DOUBLE, .def = (d)
#define KEY_INT(st, f, lo, hi, u, d) \
	.name = #f, .parse = conf_parse_int, .off = offsetof(st, f), \
	.min = (lo), .max = (hi), .unit = (u), .store = CONF_STORE_INT, \
	.def = (d)
#define KEY_SIZE(st, f, lo, hi, u, d) \
	.name = #f, .parse = conf_parse_size, .off = offsetof(st, f), \
	.min = (lo), .max = (hi), .unit = (u), .store = CONF_STORE_SIZE, \
	.def = (d)
#define KEY_ENUM(st, f, w, d) \
	.name = #f, .parse = conf_parse_enum, .off = offsetof(st, f), \
	.words = (w), .n_words = nitems(w), .store = CONF_STORE_INT, \
	.def = (d)
#define KEY_BOOL(st, f, d) \
	.name = #f, .parse = conf_parse_bool, .off = offsetof(st, f), \
	.store = CONF_STORE_INT, .def = (d)
#define KEY_GROUP(st, f, fl, keys) \
	.name = #f, .parse = conf_parse_group, .off = offsetof(st, f), \
	.flags = (fl), .sub = (keys), .store = CONF_STORE_GROUP
#define FAILS "failures"

static const struct conf_key conf_modem_keys[] = {
	/* device or ports (or both, device = ports[0]): see conf_check() */
	{ KEY_STRING(struct conf_modem, device, 0, conf_check_path, NULL) },
	{ .name = "ports", .parse = conf_parse_ports },
	{ .name = "baudrate", .parse = conf_parse_baudrate,
	    .off = offsetof(struct conf_modem, baudrate),
	    .store = CONF_STORE_INT, .def = 115200 },
	{ KEY_ENUM(struct conf_modem, flow_control, conf_flow_words,
	    CONF_FLOW_NONE) },
	{ KEY_ENUM(struct conf_modem, dialect, conf_dialect_words,
	    CONF_DIALECT_AUTO) },
	{ .name = "init", .parse = conf_parse_init },
	{ KEY_SECONDS(struct conf_modem, command_timeout, CONF_MIN_EXCL,
	    0, 600, 5.0) },
	/* default "auto": see conf_defaults() */
	{ .name = "command_gap", .parse = conf_parse_gap, .min = 0, .max = 1,
	    .unit = "seconds" },
	{ KEY_STRING(struct conf_modem, pin, CONF_SECRET, conf_check_pin,
	    "") },
	{ .name = NULL }
};

static const struct conf_key conf_network_keys[] = {
	{ KEY_STRING(struct conf_network, apn, 0, conf_check_apn,
	    "internet") },
	{ KEY_INT(struct conf_network, cid, 1, 5, NULL, 1) },
	{ .name = "pdp_type", .parse = conf_parse_word,
	    .off = offsetof(struct conf_network, pdp_type),
	    .words = conf_pdp_words, .n_words = nitems(conf_pdp_words),
	    .store = CONF_STORE_STRING, .def_str = "IP" },
	{ KEY_STRING(struct conf_network, user, 0, conf_check_user, "") },
	{ KEY_STRING(struct conf_network, password, CONF_SECRET,
	    conf_check_user, "") },
	{ KEY_SECONDS(struct conf_network, registration_timeout, CONF_MIN_EXCL,
	    0, 86400, 180.0) },
	{ .name = NULL }
};

static const struct conf_key conf_keepalive_keys[] = {
	{ .name = "idle", .parse = conf_parse_idle, .min = 1, .max = 86400,
	    .unit = "seconds", .off = offsetof(struct conf_keepalive, idle),
	    .store = CONF_STORE_DOUBLE, .def = 300.0 },
	{ KEY_SECONDS(struct conf_keepalive, idle_min, 0, 1, 86400, 30.0) },
	{ KEY_SECONDS(struct conf_keepalive, idle_max, 0, 1, 86400, 1800.0) },
	{ KEY_SECONDS(struct conf_keepalive, idle_probe_up, 0, 0, 30 * 86400,
	    86400.0) },
	{ KEY_INT(struct conf_keepalive, idle_trial_deaths_per_day, 0, 24, NULL,
	    1) },
	{ KEY_SECONDS(struct conf_keepalive, timeout, CONF_MIN_EXCL, 0, 3600,
	    20.0) },
	{ KEY_INT(struct conf_keepalive, retries, 0, 100, NULL, 2) },
	/* probe "FF" and reply "FE" by default: see conf_link_defaults() */
	{ .name = "probe", .parse = conf_parse_probe },
	{ .name = "reply", .parse = conf_parse_reply },
	{ KEY_SECONDS(struct conf_keepalive, ack_timeout, CONF_MIN_EXCL,
	    0, 3600, 60.0) },
	{ KEY_INT(struct conf_keepalive, modem_keepalive, 0, 240, "minutes",
	    0) },
	{ .name = NULL }
};

static const struct conf_key conf_reconnect_keys[] = {
	{ KEY_SECONDS(struct conf_reconnect, min, CONF_MIN_EXCL, 0, 86400,
	    1.0) },
	{ KEY_SECONDS(struct conf_reconnect, max, CONF_MIN_EXCL, 0, 86400,
	    300.0) },
	{ KEY_SECONDS(struct conf_reconnect, stable, 0, 0, 86400, 60.0) },
	{ KEY_SECONDS(struct conf_reconnect, teardown_timeout, CONF_MIN_EXCL,
	    0, 600, 20.0) },
	{ KEY_SECONDS(struct conf_reconnect, quiet_time, 0, 0, 600, 2.0) },
	{ .name = NULL }
};

static const struct conf_key conf_link_keys[] = {
	{ KEY_STRING(struct conf_link, name, CONF_REQUIRED,
	    conf_check_linkname, NULL) },
	{ KEY_STRING(struct conf_link, host, CONF_REQUIRED, conf_check_host,
	    NULL) },
	{ KEY_INT(struct conf_link, port, 1, 65535, NULL, 0),
	    .flags = CONF_REQUIRED },
	{ KEY_INT(struct conf_link, socket, 1, CONF_TELIT_SOCKET_MAX, NULL, -1),
	    .flags = CONF_REQUIRED },
	{ .name = "local", .parse = conf_parse_local },
	{ .name = "local_users", .parse = conf_parse_local_users },
	{ KEY_ENUM(struct conf_link, session, conf_session_words,
	    CONF_SESSION_TRANSPARENT) },
	{ KEY_BOOL(struct conf_link, resend_unacked, 0) },
	{ KEY_SIZE(struct conf_link, tx_buffer, 1024, 16777216, "bytes",
	    65536) },
	{ KEY_SIZE(struct conf_link, rx_buffer, 1024, 16777216, "bytes",
	    65536) },
	{ KEY_SECONDS(struct conf_link, stop_timeout, 0, 0, 60, 5.0) },
	{ KEY_GROUP(struct conf_link, keepalive, 0, conf_keepalive_keys) },
	{ KEY_GROUP(struct conf_link, reconnect, 0, conf_reconnect_keys) },
	{ .name = NULL }
};

static const struct conf_key conf_recovery_keys[] = {
	{ KEY_INT(struct conf_recovery, pdp_cycle_after, 1, 100, FAILS, 3) },
	{ KEY_INT(struct conf_recovery, radio_cycle_after, 1, 100, FAILS, 5) },
	{ KEY_INT(struct conf_recovery, modem_reboot_after, 1, 100, FAILS,
	    7) },
	{ KEY_STRING(struct conf_recovery, hook, 0, conf_check_hook, "") },
	{ KEY_SECONDS(struct conf_recovery, hook_timeout, CONF_MIN_EXCL,
	    0, 3600, 60.0) },
	{ KEY_SECONDS(struct conf_recovery, cooldown, 0, 0, 86400, 300.0) },
	{ .name = NULL }
};

static const struct conf_key conf_control_keys[] = {
	{ KEY_STRING(struct conf_control, socket, 0, conf_check_socket,
	    PROTO_DEFAULT_SOCKET) },
	{ KEY_STRING(struct conf_control, group, 0, conf_check_group,
	    "cellsock") },
	{ .name = "mode", .parse = conf_parse_mode,
	    .off = offsetof(struct conf_control, mode),
	    .store = CONF_STORE_MODE, .def = 0660 },
	{ .name = NULL }
};

static const struct conf_key conf_log_keys[] = {
	{ .name = "level", .parse = conf_parse_level,
	    .off = offsetof(struct conf_log, level),
	    .store = CONF_STORE_INT, .def = LOG_LEVEL_INFO },
	{ KEY_BOOL(struct conf_log, at_trace, 0) },
	{ .name = NULL }
};

static const struct conf_key conf_metrics_keys[] = {
	{ KEY_STRING(struct conf_metrics, textfile, 0, conf_check_textfile,
	    "") },
	{ KEY_SECONDS(struct conf_metrics, interval, 0, 1, 86400, 60.0) },
	{ .name = NULL }
};

static conf_parse_fn conf_parse_links;

const struct conf_key conf_top_keys[] = {
	{ KEY_GROUP(struct conf, modem, CONF_REQUIRED, conf_modem_keys) },
	{ KEY_GROUP(struct conf, network, 0, conf_network_keys) },
	{ .name = "links", .parse = conf_parse_links },
	{ KEY_GROUP(struct conf, recovery, 0, conf_recovery_keys) },
	{ KEY_GROUP(struct conf, control, 0, conf_control_keys) },
	{ KEY_GROUP(struct conf, log, 0, conf_log_keys) },
	{ KEY_GROUP(struct conf, metrics, 0, conf_metrics_keys) },
	{ .name = NULL }
};

/* A fresh link: the table's defaults, and the probe and reply bytes. */
static void
conf_link_defaults(struct conf_link *l)
{
	memset(l, 0, sizeof(*l));
	conf_walk_defaults(conf_link_keys, l);
	l->keepalive.probe[0] = 0xff;
	l->keepalive.probe_len = 1;
	l->keepalive.reply[0] = 0xfe;
	l->keepalive.reply_len = 1;
}

void
conf_link_free(struct conf_link *l)
{
	free(l->name);
	free(l->host);
	conf_local_clear(l);
}

/* The link keys with another socket id range: 0..11 and a unit saying why. */
static const struct conf_key *
conf_link_keys_wide(struct conf_key *keys, const char *unit)
{
	if (keys[0].name != NULL)
		return keys;
	memcpy(keys, conf_link_keys, sizeof(conf_link_keys));
	for (struct conf_key *k = keys; k->name != NULL; k++)
		if (strcmp(k->name, "socket") == 0) {
			k->min = 0;
			k->max = CONF_QUECTEL_SOCKET_MAX;
			k->unit = unit;
		}
	return keys;
}

/* The socket id range depends on the dialect, which may come later in the
 * file than the links: read modem.dialect ahead from the root. "telit"
 * forces 1..6, "quectel" 0..11; "auto" (the default) accepts 0..11 and
 * the range of the dialect found is checked at bring-up. */
static const struct conf_key *
conf_link_keys_for(const config_setting_t *s)
{
	static struct conf_key quectel[nitems(conf_link_keys)];
	static struct conf_key any[nitems(conf_link_keys)];
	const config_setting_t *root = s, *modem;
	const char *dialect = conf_dialect_words[CONF_DIALECT_AUTO];

	while (config_setting_parent(root) != NULL)
		root = config_setting_parent(root);
	if ((modem = config_setting_get_member(root, "modem")) != NULL)
		config_setting_lookup_string(modem, "dialect", &dialect);
	if (strcmp(dialect, conf_dialect_words[CONF_DIALECT_TELIT]) == 0)
		return conf_link_keys;
	if (strcmp(dialect, conf_dialect_words[CONF_DIALECT_QUECTEL]) == 0)
		return conf_link_keys_wide(quectel,
		    "(a Quectel connectID; Telit connIds are 1 to 6)");
	return conf_link_keys_wide(any, "(dialect auto: Quectel connectIDs are 0 to 11, "
	    "Telit connIds 1 to 6, checked at bring-up)");
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
	conf_walk(ctx, s, path, conf_link_keys_for(s), &l);
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

/* Defaults of every key outside links: the tables', and command_gap "auto". */
void
conf_defaults(struct conf *conf, const char *path)
{
	conf->path = xstrdup(path);
	conf_walk_defaults(conf_top_keys, conf);
	conf->modem.command_gap_auto = 1;
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
