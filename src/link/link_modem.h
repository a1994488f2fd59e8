/* A link as a client of the modem: it hears the modem's state and the URCs
 * of its own socket. The daemon attaches a link after creating or
 * reconfiguring it (configuration order) and detaches it before freeing. */
#ifndef CELLSOCK_LINK_MODEM_H
#define CELLSOCK_LINK_MODEM_H

struct link;
struct modem;

/* Attach l to m (again: at the end, with its current socket id). */
void link_modem_attach(struct link *l, struct modem *m);
/* Detach l from its modem, if attached. */
void link_modem_detach(struct link *l);

#endif
