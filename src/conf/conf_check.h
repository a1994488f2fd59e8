/* Checks across keys, once each key is valid on its own. */
#ifndef CELLSOCK_CONF_CHECK_H
#define CELLSOCK_CONF_CHECK_H

#include <libconfig.h>

#include "conf/conf.h"
#include "conf/conf_report.h"

/* Within link l (setting s, named path): ordered bounds; settles
 * keepalive.idle when it is "auto". */
void conf_link_check(struct conf_ctx *ctx, const config_setting_t *s,
    const char *path, struct conf_link *l);
/* Names, modem sockets and endpoints of l against the links already in conf. */
void conf_link_unique(struct conf_ctx *ctx, const struct conf *conf,
    const config_setting_t *s, const char *path, const struct conf_link *l);
/* Across groups: escalation order, endpoints vs the control socket. */
/* modem.device and modem.ports: one of them (device alone is one port);
 * both only when device is ports[0]. Fills the one that is missing. */
void conf_check_ports(struct conf_ctx *ctx, const config_t *cfg, struct conf *conf);
void conf_check(struct conf_ctx *ctx, const config_t *cfg,
    const struct conf *conf);

#endif
