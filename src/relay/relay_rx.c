/* Toward the client: #SRECV reads into a bounded buffer, as much as the
 * module announced (SRING) or may hold. */
#include "config.h"

#include "log.h"
#include "modem/modem.h"
#include "relay/relay_int.h"

void
relay_received(struct relay *r, const uint8_t *data, size_t len)
{
	size_t reply = r->up.inbound(r->up.arg, data, len);

	ledger_received(&r->lg, len, reply);
	data += reply;
	len -= reply;
	if (len == 0)
		return;
	if (r->client != NULL && r->client_st != CL_CLOSING) {
		evbuffer_add(bufferevent_get_output(r->client), data, len);
		return;
	}
	if (r->conf->local_kind == CONF_LOCAL_NONE) {
		/* No endpoint: nobody can ever read them. Counted, not kept. */
		ledger_undelivered(&r->lg, len);
		log_debug("link %s: %zu bytes received without a local endpoint; "
		    "discarded", r->name, len);
		return;
	}
	evbuffer_add(r->rxq, data, len);
}

/* Whether the module may hold more after a read of len bytes. Announced
 * amounts are hints: a full read asks again, a short one ends the loop
 * unless an SRING came meanwhile (announced). */
int
relay_read_more(struct relay *r, size_t len, int announced)
{
	if (r->pending > 0)
		r->pending = (size_t)r->pending > len ? r->pending - (long)len : 0;
	if (announced)
		return 1;
	if (len == 0)
		return 0;
	if (r->pending < 0)
		return len == r->asked;
	return r->pending > 0;
}

/* One #SRECV of what the buffer toward the client can take. */
void
relay_recv_issue(struct relay *r, struct modem *m)
{
	struct opslot *slot;
	size_t space = relay_rx_space(r), max = modem_dialect(m)->max_read;

	if (space == 0)
		return;		/* paused: the client's reads resume it */
	if (r->pending > 0 && (size_t)r->pending < max)
		max = (size_t)r->pending;
	if (max > space)
		max = space;
	if ((slot = relay_op_take(r, m, OP_RECV)) == NULL)
		return;
	r->asked = max;
	modem_dialect(m)->sock_recv(modem_at(m), r->conf->socket, max, opslot_reply, slot);
	relay_op_issued(r, OP_RECV, slot);
}

void
relay_kick_recv(struct relay *r)
{
	struct modem *m;

	if (r->conn != RC_UP || relay_op_busy(r, OP_RECV) || r->demand != RD_WANT ||
	    (m = relay_modem(r)) == NULL)
		return;
	relay_recv_issue(r, m);
}

void
relay_rx_data(struct relay *r, long pending)
{
	if (pending > 0)
		r->pending = pending;
	else if (pending < 0)
		r->pending = -1;
	relay_demand_step(r, RDE_DATA);
	relay_op_step(r, OP_RECV, OPE_MORE);
	relay_kick_recv(r);
}

/* #SI: bytes the module has handed out beyond what reached us were taken
 * by a read whose answer was lost: a hole in the stream toward the client.
 * Returns its size (counted in read_lost). */
uint64_t
relay_read_hole(struct relay *r, const struct sock_info *info)
{
	uint64_t hole = ledger_read_hole(&r->lg, info->received, info->buff_in);

	if (hole > 0)
		log_warnx("link %s: the module handed out %llu received bytes whose answer "
		    "never came", r->name, (unsigned long long)hole);
	return hole;
}
