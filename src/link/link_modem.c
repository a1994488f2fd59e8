/* The glue between the modem's client interface and a link: each callback
 * calls the link's (or its relay's) public functions. */
#include "config.h"

#include <stddef.h>

#include "conf/conf.h"
#include "dialect/opslot.h"
#include "link/link.h"
#include "link/link_modem.h"
#include "modem/modem.h"
#include "relay/relay.h"

static void
link_modem_on_state(void *arg, enum modem_news news)
{
	struct link *l = arg;

	switch (news) {
	case MODEM_NEWS_READY:
		link_event(l, LEV_MODEM_READY);
		return;
	case MODEM_NEWS_DOWN:
		link_event(l, LEV_MODEM_DOWN);
		return;
	case MODEM_NEWS_RECOVERING:
		link_event(l, LEV_MODEM_RECOVERING);
		return;
	}
}

static void
link_modem_on_data(void *arg, long pending)
{
	link_data(arg, pending);
}

static void
link_modem_on_closed(void *arg, int named, enum sock_closure closure)
{
	link_remote_closed(arg, named, closure);
}

/* The engine is gone: the link's and its relay's requests will never be
 * answered. */
static void
link_modem_on_engine_gone(void *arg)
{
	struct link *l = arg;

	opslot_reset(&l->ops);
	relay_engine_gone(l->relay);
}

static const struct modem_client_ops link_modem_ops = {
	link_modem_on_state,
	link_modem_on_data,
	link_modem_on_closed,
	link_modem_on_engine_gone,
};

void
link_modem_attach(struct link *l, struct modem *m)
{
	if (m == NULL)
		return;
	l->modem_client.ops = &link_modem_ops;
	l->modem_client.arg = l;
	l->modem_client.sock_id = l->conf->socket;
	modem_attach(m, &l->modem_client);
}

void
link_modem_detach(struct link *l)
{
	if (l->modem_client.modem != NULL)
		modem_detach(l->modem_client.modem, &l->modem_client);
}
