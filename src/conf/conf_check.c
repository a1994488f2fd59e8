/*
 * Checks across keys, once each key is valid on its own: ordered bounds in a
 * link, names, sockets and endpoints used by one link only, the escalation
 * order of recovery, and endpoints against the control socket.
 */
#include "config.h"

#include <libconfig.h>
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

/* Checks across groups: escalation order, endpoints vs the control socket. */
void
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
