/* What libconfig 1.5 cannot answer through its API, found in the text. */
#ifndef CELLSOCK_CONF_SCAN_H
#define CELLSOCK_CONF_SCAN_H

#include "conf/conf_report.h"

/* Report every line starting with @include; whether there was one. */
int conf_scan_includes(struct conf_ctx *ctx, const char *text);
/* Report integer literals libconfig wrapped, marking their lines. */
void conf_scan_integers(struct conf_ctx *ctx, const char *text);

#endif
