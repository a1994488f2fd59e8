/* Which dialect speaks to the module: configured, or (modem.dialect =
 * "auto") asked with the 3GPP identification command AT+CGMI (AT+GMI on
 * modules without it) and decided from the manufacturer's name. */
#ifndef CELLSOCK_MODEM_DETECT_H
#define CELLSOCK_MODEM_DETECT_H

#include "dialect/dialect.h"

struct modem;

/* Ask the manufacturer: AT+CGMI, or AT+GMI when legacy is set; the answer
 * goes to reply.u.ident.manufacturer. */
void modem_ask_manufacturer(struct at *at, int legacy, dialect_cb *cb, void *arg);
/* Speak ops to the engine from now on: its final results, its URC
 * handlers (attached once per engine), and why it was chosen. */
void modem_use_dialect(struct modem *m, const struct dialect_ops *ops, const char *reason);
/* Before the dialect is known ("auto"): every dialect's boot URC handler,
 * so that a ready URC sent during the resync is not missed. */
void modem_watch_boot(struct modem *m);
/* The dialect of the manufacturer the module named in its answer to cmd
 * ("+CGMI"); Telit, with a warning, for a name cellsock does not know. */
void modem_pick_dialect(struct modem *m, const char *cmd, const char *manufacturer);

#endif
