/* Which dialect speaks to a module: asked with the 3GPP identification
 * command (AT+CGMI, or the V.25ter AT+GMI of modules without it) and
 * decided from the manufacturer's name. */
#ifndef CELLSOCK_DIALECT_DETECT_H
#define CELLSOCK_DIALECT_DETECT_H

#include "dialect/dialect.h"

/* Ask the manufacturer: AT+CGMI, or AT+GMI when legacy is set; the answer
 * goes to reply.u.ident.manufacturer. */
void dialect_ask_manufacturer(struct at *at, int legacy, dialect_cb *cb, void *arg);
/* The dialect of a manufacturer ("Quectel", "Telit"), or NULL when the
 * name is none cellsock knows. */
const struct dialect_ops *dialect_for_manufacturer(const char *manufacturer);

#endif
