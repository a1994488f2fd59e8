/* Small helpers the modem's files share: the state timer, the last error,
 * registration stat meaning. (The quiet time and the names for status
 * output are public: modem.h.) */
#ifndef CELLSOCK_MODEM_INFO_H
#define CELLSOCK_MODEM_INFO_H

#include "dialect/dialect.h"

struct modem;

/* Arm the state's deadline or retry timer. */
void modem_timer(struct modem *m, double sec);
/* Remember and log a failed request: what, and the module's answer. */
void modem_fail_reply(struct modem *m, const char *what, const struct dialect_reply *r);
/* Speak ops to the engine from now on: its final results, its URC
 * handlers (attached once per engine), and why it was chosen. */
void modem_use_dialect(struct modem *m, const struct dialect_ops *ops, const char *reason);
/* dialect = "auto": the dialect of the manufacturer the module named in
 * its answer to cmd ("+CGMI"); Telit, with a warning, for any other. */
void modem_pick_dialect(struct modem *m, const char *cmd, const char *manufacturer);
/* 3GPP stat 1 (home) or 5 (roaming). */
int modem_registered(int stat);

#endif
