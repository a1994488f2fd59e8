/* The glue between the modem's client interface and a link: each callback
 * calls the link's (or its relay's) public functions. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "dialect/opslot.h"
#include "link/link.h"
#include "link/link_modem.h"
#include "log.h"
#include "modem/modem.h"
#include "relay/relay.h"

/* The dialect found at bring-up (modem.dialect "auto") has no socket with
 * the configured id: the link stays waiting, says why once, never dials. */
static int
link_modem_sock_id_bad(struct link *l)
{
	const struct modem *m = l->modem_client.modem;
	char why[sizeof(l->last_error)];

	if (modem_sock_id_ok(m, l->conf->socket))
		return 0;
	snprintf(why, sizeof(why), "socket %d is not a %s socket id (%d to %d): not dialing; "
	    "change links[].socket", l->conf->socket, modem_dialect(m)->name,
	    modem_dialect(m)->sock_id_min, modem_dialect(m)->sock_id_max);
	if (strcmp(why, l->last_error) != 0) {
		link_set_error(l, "%s", why);
		log_warnx("link %s: %s", l->name, why);
		notify_status(l->news);
	}
	return 1;
}

static void
link_modem_on_state(void *arg, enum modem_news news)
{
	struct link *l = arg;

	switch (news) {
	case MODEM_NEWS_READY:
		if (link_modem_sock_id_bad(l))
			return;
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
