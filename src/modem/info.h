/* Small helpers the modem's files share: the state timer, the last error,
 * registration stat meaning. (The quiet time and the names for status
 * output are public: modem.h.) */
#ifndef CELLSOCK_MODEM_INFO_H
#define CELLSOCK_MODEM_INFO_H

#include "dialect/dialect.h"

struct modem;

/* Arm the state's deadline or retry timer. */
void modem_timer(struct modem *m, double sec);
/* Remember the last error (printf-style) with the time it happened. */
void modem_set_error(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The condition cleared (the modem is ready): no last error, or the
 * configuration problem found at bring-up (m->conf_problem). */
void modem_clear_error(struct modem *m);
/* Remember and log a failed request: what, and the module's answer. */
void modem_fail_reply(struct modem *m, const char *what, const struct dialect_reply *r);
/* 3GPP stat 1 (home) or 5 (roaming). */
int modem_registered(int stat);

#endif
