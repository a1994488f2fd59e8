/* Detection bounds under contention (issue 13). With one AT channel a
 * probe waits behind whatever is ahead of it; the commands that hold the
 * channel for long are another link's dial (Telit #SD in command mode
 * blocks until connect or the module's connTo) and close (Telit #SH,
 * Quectel QICLOSE). Each link allows the others at most half its probe
 * window, (retries + 1) x timeout / 2, per command where the module takes a
 * timer (connTo within the 1..120 s it accepts, QICLOSE's timeout), and
 * every such dial and close is given the tightest allowance of the links
 * that are up. Telit's #SH has no timer: it holds the channel until the FIN
 * exchange ends, at most the close's deadline (30 s), and the bound says
 * so. In a FIFO queue each other link has at most one such command ahead
 * of a probe, so the bound adds one hold per other link. */
#include "config.h"

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_bound.h"
#include "link/link_int.h"

#define LINK_BLOCK_MIN_MS 1000		/* Telit #SCFG connTo 10 (tenths) */
#define LINK_BLOCK_MAX_MS 120000	/* connTo 1200 */

/* The channel time (ms) one blocking command of another link may take
 * while l is up: half of l's probe window, within the module's range. */
static int
link_block_cap_ms(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;
	double ms = (k->retries + 1) * k->timeout * 500.0;

	if (ms < LINK_BLOCK_MIN_MS)
		return LINK_BLOCK_MIN_MS;
	return ms > LINK_BLOCK_MAX_MS ? LINK_BLOCK_MAX_MS : (int)ms;
}

/* The links on l's modem other than l. */
static int
link_others(const struct link *l)
{
	const struct modem *m = l->modem_client.modem;
	const struct modem_client *c;
	int n = 0;

	if (m == NULL)
		return 0;
	TAILQ_FOREACH(c, &m->clients, entry)
		if (c != &l->modem_client)
			n++;
	return n;
}

/* The tightest allowance of l and of the links up on its modem, ms. */
static int
link_block_allow_ms(const struct link *l)
{
	const struct modem *m = l->modem_client.modem;
	const struct modem_client *c;
	int ms = link_block_cap_ms(l), o;

	if (m == NULL)
		return ms;
	TAILQ_FOREACH(c, &m->clients, entry) {
		const struct link *other = c->arg;

		if (c->ops != l->modem_client.ops || other->state != LINK_UP)
			continue;
		if ((o = link_block_cap_ms(other)) < ms)
			ms = o;
	}
	return ms;
}

/* The longest one blocking command of another link may hold the channel
 * while l is up, ms: a dial or a close within l's allowance where the
 * module takes a timer, else a close's whole deadline (Telit #SH). */
static int
link_block_hold_ms(const struct link *l, const struct dialect_ops *d)
{
	int cap = link_block_cap_ms(l);
	int dial = d->dial_holds ? cap : 0;
	int close = d->close_bounded ? cap : d->close_timeout_ms;

	return dial > close ? dial : close;
}

double
link_bound_blocking(const struct link *l)
{
	const struct modem *m = l->modem_client.modem;

	if (m == NULL || modem_channels(m) >= 2)
		return 0;
	return link_others(l) * link_block_hold_ms(l, modem_dialect(m)) / 1000.0;
}

uint64_t
link_deadline_ms(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;
	double s = link_idle_period(l) + (k->retries + 1) * k->timeout +
	    link_bound_blocking(l) + 0.5;

	return (uint64_t)(s * 1000.0);
}

int
link_dial_timeout_ms(const struct link *l)
{
	const struct dialect_ops *d = modem_dialect(link_modem(l));
	int ms = link_block_allow_ms(l) + d->dial_margin_ms;

	if (!d->dial_holds || ms > d->dial_timeout_ms)
		return d->dial_timeout_ms;
	return ms;
}

int
link_close_timeout_ms(const struct link *l)
{
	const struct dialect_ops *d = modem_dialect(link_modem(l));
	int ms = link_block_allow_ms(l) + d->close_margin_ms;

	if (!d->close_bounded || ms > d->close_timeout_ms)
		return d->close_timeout_ms;
	return ms;
}

/* Detection bounds (cellsockd.conf(5)), with the blocking allowed. */
double
link_bound_idle(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	return link_idle_period(l) + (k->retries + 1) * k->timeout +
	    link_bound_blocking(l) + 1.0;
}

double
link_bound_busy(const struct link *l)
{
	return l->conf->keepalive.ack_timeout + link_ack_poll_interval(l) +
	    link_bound_blocking(l) + 1.0;
}

double
link_ack_poll_interval(const struct link *l)
{
	double p = l->conf->keepalive.ack_timeout / 8.0;

	return p < 0.25 ? 0.25 : p > 2.0 ? 2.0 : p;
}
