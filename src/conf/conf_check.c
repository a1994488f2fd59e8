/*
 * Checks across keys, once each key is valid on its own: ordered bounds in a
 * link, names, sockets and endpoints used by one link only, the escalation
 * order of recovery, endpoints against the control socket, and values that
 * would make a Telit command longer than the old modules' command line.
 */
#include "config.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_check.h"
#include "conf/conf_local.h"
#include "conf/conf_report.h"
#include "xmalloc.h"

/* Checks across the keys of one link: ordered bounds. */
void
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
	if (l->n_local_uids > 0 && l->local_kind == CONF_LOCAL_NONE)
		conf_err(ctx, conf_line_of(s, "local_users"), "%s.local_users: "
		    "needs a local endpoint (links[].local)", path);
}

/* Names, modem sockets and local endpoints are each used by one link only. */
void
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
		if (l->socket >= 0 && l->socket == o->socket)
			conf_err(ctx, conf_line_of(s, "socket"), "%s.socket: "
			    "modem socket %d is already used by links[%d] at "
			    "line %d", path, l->socket, i, o->line);
		if (conf_local_same(l, o))
			conf_err(ctx, conf_line_of(s, "local"), "%s.local: "
			    "endpoint \"%s\" is already used by links[%d] at "
			    "line %d", path, l->local, i, o->line);
	}
}

/* A Telit command too long for the old modules: an error with dialect
 * "telit", advice with "auto" (the model, known at bring-up, decides). */
static void
conf_line_long(struct conf_ctx *ctx, struct conf *conf, int line, const char *what,
    const char *cmd, int n)
{
	char *text;

	if (n <= CONF_TELIT_LINE_MAX || conf->modem.dialect == CONF_DIALECT_QUECTEL)
		return;
	if (conf->modem.dialect == CONF_DIALECT_TELIT) {
		conf_err(ctx, line, "%s: makes %s %d characters long; old Telit modules "
		    "(UC864, HE910) take command lines of at most %d", what, cmd, n,
		    CONF_TELIT_LINE_MAX);
		return;
	}
	xasprintf(&text, "%s:%d: warning: %s: makes %s %d characters long: too long for old "
	    "Telit modules (UC864, HE910: %d); checked again when the module is known", ctx->file,
	    line, what, cmd, n, CONF_TELIT_LINE_MAX);
	conf->advice = xrealloc(conf->advice, (size_t)(conf->n_advice + 1) * sizeof(char *));
	conf->advice[conf->n_advice++] = text;
}

/* The Telit commands that carry configured values, measured as
 * dialect/telit/telit_lines.c formats them (tests/unit/test_conf.c checks
 * the two agree): AT+CGDCONT, AT#SGACT with credentials, AT#SD, init. */
static void
conf_check_lines(struct conf_ctx *ctx, const config_t *cfg, struct conf *conf)
{
	const config_setting_t *root = config_root_setting(cfg), *net, *links;
	const struct conf_network *nw = &conf->network;
	char what[64];
	int n;

	net = config_setting_get_member(root, "network");
	n = snprintf(NULL, 0, "AT+CGDCONT=%d,\"%s\",\"%s\"", nw->cid, nw->pdp_type, nw->apn);
	conf_line_long(ctx, conf, conf_line_of(net, "apn"), "network.apn", "AT+CGDCONT", n);
	if (nw->user[0] || nw->password[0]) {
		n = snprintf(NULL, 0, "AT#SGACT=%d,1,\"%s\",\"%s\"", nw->cid, nw->user,
		    nw->password);
		conf_line_long(ctx, conf, conf_line_of(net, nw->user[0] ? "user" : "password"),
		    "network.user and network.password", "AT#SGACT", n);
	}
	links = config_setting_get_member(root, "links");
	for (int i = 0; i < conf->n_links; i++) {
		const struct conf_link *l = &conf->links[i];

		n = snprintf(NULL, 0, "AT#SD=%d,0,%d,\"%s\",0,0,1", l->socket, l->port, l->host);
		snprintf(what, sizeof(what), "links[%d].host", i);
		conf_line_long(ctx, conf, links == NULL ? l->line : conf_line_of(
		    config_setting_get_elem(links, (unsigned)i), "host"), what, "AT#SD", n);
	}
	for (int i = 0; i < conf->modem.n_init; i++) {
		snprintf(what, sizeof(what), "modem.init[%d]", i);
		conf_line_long(ctx, conf, conf_line_of(config_setting_get_member(root, "modem"),
		    "init"), what, "the command", (int)strlen(conf->modem.init[i]));
	}
}

/* Checks across groups: escalation order, endpoints vs the control socket,
 * command lengths. */
void
conf_check(struct conf_ctx *ctx, const config_t *cfg, struct conf *conf)
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
	conf_check_lines(ctx, cfg, conf);
}

void
conf_check_ports(struct conf_ctx *ctx, const config_t *cfg, struct conf *conf)
{
	const config_setting_t *g = config_setting_get_member(config_root_setting(cfg), "modem");
	struct conf_modem *m = &conf->modem;

	if (g == NULL)
		return;		/* the walk reported the missing group */
	if (m->device == NULL && m->n_ports == 0) {
		if (config_setting_get_member(g, "device") == NULL &&
		    config_setting_get_member(g, "ports") == NULL)
			conf_err(ctx, conf_line(g), "modem.device: required key is missing "
			    "(or give modem.ports)");
		return;
	}
	if (m->device != NULL && m->n_ports > 0 && strcmp(m->device, m->ports[0]) != 0) {
		conf_err(ctx, conf_line_of(g, "device"), "modem.device: \"%s\" is not the "
		    "first of modem.ports (\"%s\"); give one of them, or the same port",
		    m->device, m->ports[0]);
		return;
	}
	if (m->device == NULL)
		m->device = xstrdup(m->ports[0]);
	if (m->n_ports == 0) {
		m->ports = xcalloc(1, sizeof(char *));
		m->ports[m->n_ports++] = xstrdup(m->device);
	}
}
