/* The modem's clients (modem_attach, modem_detach in modem.h): news of the
 * modem's state to all of them in attach order, a socket's URCs to the one
 * that owns the socket id. */
#ifndef CELLSOCK_MODEM_CLIENTS_H
#define CELLSOCK_MODEM_CLIENTS_H

#include "dialect/dialect.h"
#include "modem/modem.h"

void modem_clients_news(struct modem *m, enum modem_news news);
/* Data waits on socket sock_id. */
void modem_clients_data(struct modem *m, int sock_id, long pending);
/* Socket sock_id closed; a negative id goes to every client, unnamed. */
void modem_clients_closed(struct modem *m, int sock_id, enum sock_closure closure);
/* The engine was freed: every client's requests in flight are void. */
void modem_clients_engine_gone(struct modem *m);

#endif
