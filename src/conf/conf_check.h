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
/* modem.device and modem.ports: one of them (device alone is one port);
 * both only when device is ports[0]. Fills the one that is missing. */
void conf_check_ports(struct conf_ctx *ctx, const config_t *cfg, struct conf *conf);
/* Old Telit modules (GM862, UC864, HE863 manuals; HE910 assumed) take
 * command lines of at most this many characters, "AT" included. */
#define CONF_TELIT_LINE_MAX 80

/* Across groups: escalation order, endpoints vs the control socket, and
 * the Telit commands carrying configured values against
 * CONF_TELIT_LINE_MAX (an error with modem.dialect "telit", advice kept in
 * conf->advice with "auto"). */
void conf_check(struct conf_ctx *ctx, const config_t *cfg, struct conf *conf);

#endif
