/* Socket-id dispatch: the modem does not know links, only the clients that
 * attached. Each call takes the next client before telling the current one,
 * so a client may detach itself from its callback. */
#include "config.h"

#include <stddef.h>

#include "modem/clients.h"
#include "modem/modem.h"

void
modem_attach(struct modem *m, struct modem_client *c)
{
	if (c->modem != NULL)
		modem_detach(c->modem, c);
	c->modem = m;
	TAILQ_INSERT_TAIL(&m->clients, c, entry);
}

void
modem_detach(struct modem *m, struct modem_client *c)
{
	if (c->modem != m)
		return;
	TAILQ_REMOVE(&m->clients, c, entry);
	c->modem = NULL;
}

void
modem_clients_news(struct modem *m, enum modem_news news)
{
	struct modem_client *c, *next;

	for (c = TAILQ_FIRST(&m->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		c->ops->modem_state(c->arg, news);
	}
}

void
modem_clients_data(struct modem *m, int sock_id, long pending)
{
	struct modem_client *c, *next;

	for (c = TAILQ_FIRST(&m->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->sock_id == sock_id)
			c->ops->sock_data(c->arg, pending);
	}
}

void
modem_clients_closed(struct modem *m, int sock_id, enum sock_closure closure)
{
	struct modem_client *c, *next;

	for (c = TAILQ_FIRST(&m->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (sock_id < 0 || c->sock_id == sock_id)
			c->ops->sock_closed(c->arg, sock_id >= 0, closure);
	}
}

void
modem_clients_engine_gone(struct modem *m)
{
	struct modem_client *c, *next;

	for (c = TAILQ_FIRST(&m->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		c->ops->engine_gone(c->arg);
	}
}
