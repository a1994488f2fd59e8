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
};
static const char *const conf_session_words[] = {
	[CONF_SESSION_TRANSPARENT] = "transparent",
	[CONF_SESSION_PERSISTENT] = "persistent",
};
static const char *const conf_pdp_words[] = { "IP", "IPV6", "IPV4V6" };

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

const struct conf_key conf_top_keys[] = {
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

void
conf_link_free(struct conf_link *l)
{
	free(l->name);
	free(l->host);
	conf_local_clear(l);
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

void
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
