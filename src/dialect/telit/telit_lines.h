/* The Telit commands that carry configured values (APN, credentials, host
 * names), formatted in one place, and the check that each fits the
 * module's command line: 80 characters on the old modules, 400 on LE910 V2
 * and ME310G1 (shared/reference/at-commands.md, "General Telit notes"). */
#ifndef CELLSOCK_DIALECT_TELIT_LINES_H
#define CELLSOCK_DIALECT_TELIT_LINES_H

#include <stddef.h>

struct conf;

#define TELIT_LINE_OLD 80	/* GM862, UC864, HE863 (and HE910, assumed) */
#define TELIT_LINE_NEW 400	/* LE910 V2, ME310G1 (and ME910, assumed) */

/* The longest command line (from "AT" to before the <CR>) model takes;
 * an unknown model gets the old modules' limit. */
size_t telit_line_max(const char *model);

/* Each writes one command into buf (at most sz bytes, NUL-terminated) and
 * returns its full length, as snprintf does. */
int telit_cmd_cgdcont(char *buf, size_t sz, int cid, const char *type, const char *apn);
/* Activation, with the credentials when either is set. */
int telit_cmd_sgact_on(char *buf, size_t sz, int cid, const char *user, const char *password);
int telit_cmd_sd(char *buf, size_t sz, int connid, int port, const char *host);
int telit_cmd_scfg(char *buf, size_t sz, int connid, int cid);

/* The dialect's line_check: 0, or -1 and why (naming the setting, never
 * a secret's value). */
int telit_line_check(const struct conf *conf, const char *model, char *why, size_t len);

#endif
