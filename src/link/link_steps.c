/* Sub-steps of connecting (quiet time, stale check, configure, dial,
 * verify) and of a verified close (#SH, then #SS until it reads closed,
 * then the modem's quiet time). The FSM in link.c calls down into them on
 * LEV_TIMER; they answer through l->fire, never by naming link.c. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_bound.h"
#include "link/link_int.h"
#include "link/link_steps.h"
#include "log.h"
#include "modem/modem.h"
#include "util.h"

enum connect_step { CSTEP_QUIET, CSTEP_STALE, CSTEP_CONFIGURE, CSTEP_DIAL, CSTEP_VERIFY };
enum close_step { XSTEP_CLOSE, XSTEP_POLL };

/* ---- connecting ---- */

static const char *
dial_error_text(enum dial_error e)
{
	switch (e) {
	case DIAL_ERR_NONE: return "no error";
	case DIAL_ERR_DNS: return "the modem could not resolve the host";
	case DIAL_ERR_TIMEOUT: return "connect timed out";
	case DIAL_ERR_REFUSED: return "connection refused or failed";
	case DIAL_ERR_NO_CONTEXT: return "PDP context not active";
	case DIAL_ERR_OTHER: return "dial failed";
	}
	return "dial failed";
}

/* A dial step failed: remember why and feed the FSM. */
static void
link_dial_failed(struct link *l, enum dial_error e, const struct dialect_reply *r)
{
	l->dial_error = e;
	link_set_error(l, "%s (%s)", dial_error_text(e),
	    r != NULL && r->text[0] ? r->text : "no answer");
	log_warnx("link %s: %s", l->name, l->last_error);
	if (e == DIAL_ERR_NO_CONTEXT)
		modem_check_pdp(link_modem(l));
	l->fire(l, LEV_DIAL_FAILED);
}

/* The last step: the socket reads connected. */
static void
link_on_verify(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status == DIALECT_OK && (r->u.sock == SOCK_CONNECTED ||
	    r->u.sock == SOCK_CONNECTED_DATA)) {
		log_info("link %s: connected to %s:%d (socket %d)", l->name, l->conf->host,
		    l->conf->port, l->conf->socket);
		l->fire(l, LEV_DIAL_OK);
		if (r->u.sock == SOCK_CONNECTED_DATA)
			link_data(l, -1);
		return;
	}
	link_dial_failed(l, DIAL_ERR_OTHER, r);
}

/* The dial answered: on success verify the socket's state. */
static void
link_on_dial(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_dial_failed(l, r->status == DIALECT_ERROR ? r->u.dial : DIAL_ERR_TIMEOUT, r);
		return;
	}
	l->step = CSTEP_VERIFY;
	l->fire(l, LEV_TIMER);
}

/* Never configure or dial on top of an open socket (seed 000): a module
 * may refuse #SCFG on a connected socket, and the stale one would never be
 * shut. */
static void
link_on_stale_check(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_dial_failed(l, DIAL_ERR_OTHER, r);
		return;
	}
	if (r->u.sock != SOCK_CLOSED) {
		log_warnx("link %s: modem socket %d is still open (stale); closing it "
		    "before configuring and dialling", l->name, l->conf->socket);
		l->fire(l, LEV_STALE);
		return;
	}
	l->step = CSTEP_CONFIGURE;
	l->fire(l, LEV_TIMER);
}

/* The socket is configured: dial. */
static void
link_on_configured(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK) {
		link_dial_failed(l, DIAL_ERR_OTHER, r);
		return;
	}
	l->step = CSTEP_DIAL;
	l->fire(l, LEV_TIMER);
}

/* The modem's quiet time, and the hard minimum interval between two dials
 * of this link, whatever led to the new dial (operator, registration
 * flapping): no reconnect storm is possible. */
static uint64_t
link_wait_before_dial_ms(const struct link *l)
{
	uint64_t quiet = modem_quiet_left_ms(link_modem(l)), now = util_now_ms();
	uint64_t next = l->last_dial_ms + (uint64_t)(l->conf->reconnect.min * 1000);

	if (l->last_dial_ms != 0 && next > now && next - now > quiet)
		return next - now;
	return quiet;
}

/* Run the connecting sub-step in l->step (the FSM's LEV_TIMER). */
void
link_steps_connect(struct link *l)
{
	const struct conf_link *c = l->conf;
	uint64_t quiet;

	if (l->modem_client.modem == NULL) {
		/* not attached: a link leaving the configuration still closes
		 * this socket (daemon.c attaches this one after it) */
		link_timer_ms(l, LINK_POLL_MS);
		return;
	}
	if (!link_modem_ready(l))
		return;
	switch ((enum connect_step)l->step) {
	case CSTEP_QUIET:
		if ((quiet = link_wait_before_dial_ms(l)) > 0) {
			link_timer_ms(l, quiet);
			break;
		}
		l->step = CSTEP_STALE;
		LINK_OP(l, link_on_stale_check, sock_status, c->socket);
		break;
	case CSTEP_STALE:
		break;	/* waiting for the answer */
	case CSTEP_CONFIGURE:
		LINK_OP(l, link_on_configured, sock_configure, c->socket, l->env.cid,
		    c->keepalive.modem_keepalive);
		break;
	case CSTEP_DIAL:
		log_info("link %s: dialling %s:%d on socket %d (attempt %u)", l->name, c->host,
		    c->port, c->socket, l->attempts);
		l->last_dial_ms = util_now_ms();
		LINK_OP(l, link_on_dial, sock_dial, c->socket, l->env.cid, c->host, c->port,
		    link_dial_timeout_ms(l));
		break;
	case CSTEP_VERIFY:
		LINK_OP(l, link_on_verify, sock_status, c->socket);
		break;
	}
}

/* ---- closing ---- */

/* One #SS answer: closed (quiet time begins), or poll again, or after
 * reconnect.teardown_timeout close again and count a jammed connect. */
static void
link_on_close_poll(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;
	struct modem *m = link_modem(l);

	if (r->status == DIALECT_OK && r->u.sock == SOCK_CLOSED) {
		log_info("link %s: socket %d verified closed in %" PRIu64 " ms; quiet for %.1f s",
		    l->name, l->conf->socket, util_now_ms() - l->since_ms, m->quiet_time);
		modem_quiet_begin(m);
		l->fire(l, LEV_CLOSED);
		return;
	}
	if (util_now_ms() < l->close_deadline_ms) {
		link_timer_ms(l, LINK_POLL_MS);
		return;
	}
	if (l->stop.phase != LSTOP_NONE)
		return;		/* a stop does not close again: link_stop.c gives up */
	link_set_error(l, "socket %d still open %.0f s after "
	    "#SH", l->conf->socket, l->conf->reconnect.teardown_timeout);
	log_warnx("link %s: teardown not verified: %s; closing again", l->name, l->last_error);
	modem_link_failed(m, 1);
	l->close_deadline_ms = util_now_ms() +
	    (uint64_t)(l->conf->reconnect.teardown_timeout * 1000);
	l->step = XSTEP_CLOSE;
	link_timer_ms(l, LINK_POLL_MS);
}

/* #SH answered (whatever it said): poll until the socket reads closed. */
static void
link_on_close(void *owner, const struct dialect_reply *r)
{
	struct link *l = owner;

	if (r->status != DIALECT_OK)
		log_debug("link %s: close answered %s", l->name, r->text);
	l->step = XSTEP_POLL;
	l->fire(l, LEV_TIMER);
}

/* Run the closing sub-step in l->step, once the modem has an engine. */
void
link_steps_close(struct link *l)
{
	struct modem *m = link_modem(l);

	if (l->modem_client.modem == NULL) {
		l->fire(l, LEV_CLOSED);	/* never dialled: the socket is not ours */
		return;
	}
	if (m == NULL || modem_at(m) == NULL || m->state == MODEM_CLOSED)
		return;
	switch ((enum close_step)l->step) {
	case XSTEP_CLOSE:
		LINK_OP(l, link_on_close, sock_close, l->conf->socket,
		    link_close_timeout_ms(l));
		break;
	case XSTEP_POLL:
		LINK_OP(l, link_on_close_poll, sock_status, l->conf->socket);
		break;
	}
}

/* ---- a socket nobody follows (reload) ---- */

static void
link_on_forgotten(const struct dialect_reply *r, void *arg)
{
	(void)r;
	(void)arg;
}

/* Close a socket no link follows any more; the quiet time applies. */
void
link_close_orphan(struct link *l, int connid)
{
	struct modem *m = link_modem(l);

	if (m == NULL || modem_at(m) == NULL)
		return;
	log_info("link %s: closing modem socket %d", l->name, connid);
	modem_dialect(m)->sock_close(modem_at(m), connid, modem_dialect(m)->close_timeout_ms,
	    link_on_forgotten, NULL);
	modem_quiet_begin(m);
}
