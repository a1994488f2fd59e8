/* The byte ledger (ledger.h): pure accounting steps over plain counters. */
#include "config.h"

#include <stdio.h>

#include "relay/ledger.h"

void
ledger_accept(struct relay_ledger *lg, uint64_t n)
{
	lg->c.accepted += n;
	lg->queued += n;
}

uint64_t
ledger_sent(struct relay_ledger *lg, uint64_t n, int window)
{
	uint64_t again = n < lg->resend_left ? n : lg->resend_left;

	lg->queued -= n;
	if (window)
		lg->window += n;
	lg->resend_left -= again;
	lg->c.resent += again;
	lg->c.sent += n;
	lg->conn_sent += n;
	return again;
}

/* The filled chunk is never counted acknowledged (the module's ack_waiting
 * does not tell filler from payload). */
void
ledger_filler(struct relay_ledger *lg, uint64_t filler)
{
	lg->filler += filler;
	if (filler > 0)
		lg->fill_hold = lg->conn_sent - lg->conn_acked;
}

uint64_t
ledger_unacked(const struct relay_ledger *lg)
{
	return lg->conn_sent - lg->conn_acked;
}

/* #SI says how much of this connection's bytes wait for their ACK: the rest
 * is acknowledged and leaves the retransmit window. Probes of the link on
 * the same socket only make ack_waiting larger, which keeps more. */
uint64_t
ledger_acked(struct relay_ledger *lg, uint64_t si_sent, uint64_t ack_waiting)
{
	uint64_t waiting, acked, delta, unacked;

	if (si_sent < lg->conn_sent)
		return 0;	/* the counters are not this connection's */
	waiting = ack_waiting < lg->conn_sent ? ack_waiting : lg->conn_sent;
	if (waiting < lg->fill_hold)
		waiting = lg->fill_hold;	/* acknowledged, but partly filler */
	acked = lg->conn_sent - waiting;
	if (acked <= lg->conn_acked)
		return 0;
	delta = acked - lg->conn_acked;
	lg->conn_acked = acked;
	lg->c.acked += delta;
	unacked = lg->conn_sent - lg->conn_acked;
	if (lg->window > unacked)
		lg->window = unacked;
	return delta;
}

/* Bytes the module has handed out (received - buff_in) beyond what reached
 * us were taken by a read whose answer was lost: a hole in the stream. */
uint64_t
ledger_read_hole(struct relay_ledger *lg, uint64_t si_received, uint64_t buff_in)
{
	uint64_t out, hole;

	if (si_received < buff_in)
		return 0;
	out = si_received - buff_in;
	if (out <= lg->conn_received)
		return 0;
	hole = out - lg->conn_received;
	lg->conn_received = out;
	lg->read_lost += hole;
	return hole;
}

void
ledger_received(struct relay_ledger *lg, uint64_t len, uint64_t reply)
{
	lg->conn_received += len;
	lg->c.received += len;
	lg->c.probe_replies += reply;	/* a probe's reply is not the application's */
	lg->held += len - reply;
}

void
ledger_delivered(struct relay_ledger *lg, uint64_t n)
{
	lg->c.delivered += n;
	lg->held -= n;
}

void
ledger_undelivered(struct relay_ledger *lg, uint64_t n)
{
	lg->c.undelivered += n;
	lg->held -= n;
}

void
ledger_conn_start(struct relay_ledger *lg)
{
	lg->conn_sent = lg->conn_acked = 0;
	lg->conn_received = lg->read_lost = 0;
}

/* Transparent: the session is over, nothing is kept. */
static uint64_t
ledger_down_transparent(struct relay_ledger *lg, int has_client, struct relay_loss *loss)
{
	loss->undelivered = has_client ? 0 : lg->held;
	lg->resend_dropped += lg->resend_left;
	lg->resend_left = 0;
	lg->queued = 0;
	lg->window = 0;
	lg->held -= loss->undelivered;
	lg->c.lost_unsent += loss->unsent;
	lg->c.lost_unacked += loss->unacked;
	lg->c.undelivered += loss->undelivered;
	return loss->unsent + loss->unacked + loss->undelivered;
}

/* Persistent with resend_unacked: the window holds the unacknowledged tail
 * (all of it with resend_unacked on for the whole connection) and goes back
 * to the front of the queue. */
static uint64_t
ledger_down_resend(struct relay_ledger *lg, struct relay_loss *loss)
{
	uint64_t w = lg->window, lost = loss->unacked > w ? loss->unacked - w : 0;

	lg->c.lost_unacked += lost;
	lg->retired += loss->unacked - lost;
	lg->requeued += w;
	lg->queued += w;
	lg->resend_left += w;
	lg->window = 0;
	return lost;
}

void
ledger_conn_down(struct relay_ledger *lg, enum ledger_mode mode, int has_client,
    struct relay_loss *loss)
{
	uint64_t unread = lg->module_unread + lg->read_lost;

	*loss = (struct relay_loss){ .unsent = lg->queued, .unacked = ledger_unacked(lg),
	    .unread = unread, .filler = lg->filler, .resend = mode == LEDGER_RESEND };
	switch (mode) {
	case LEDGER_TRANSPARENT:
		loss->lost = ledger_down_transparent(lg, has_client, loss);
		break;
	case LEDGER_RESEND:
		loss->lost = ledger_down_resend(lg, loss);
		break;
	case LEDGER_PERSISTENT:
		lg->window = 0;
		lg->c.lost_unacked += loss->unacked;
		loss->lost = loss->unacked;
		break;
	}
	lg->c.lost_unread += unread;
	loss->lost += unread;
	lg->conn_sent = lg->conn_acked = lg->module_unread = 0;
	lg->conn_received = lg->read_lost = lg->filler = lg->fill_hold = 0;
}

void
ledger_client_gone(struct relay_ledger *lg, uint64_t n, struct relay_loss *loss)
{
	ledger_undelivered(lg, n);
	*loss = (struct relay_loss){ .undelivered = n, .lost = n, .filler = lg->filler };
}

int
ledger_loss_reportable(const struct relay_loss *loss)
{
	return loss->unsent + loss->unacked + loss->unread + loss->undelivered > 0 ||
	    loss->filler > 0;
}

void
ledger_loss_event(const struct relay_loss *loss, const char *name, const char *cause,
    char *buf, size_t size)
{
	unsigned long long total = loss->unsent + loss->unacked + loss->unread +
	    loss->undelivered;

	snprintf(buf, size, "name=%s bytes=%llu lost=%llu unsent=%llu unacked=%llu "
	    "unread=%llu undelivered=%llu filler=%llu resend=%d cause=%s%s%s", name, total,
	    (unsigned long long)loss->lost, (unsigned long long)loss->unsent,
	    (unsigned long long)loss->unacked, (unsigned long long)loss->unread,
	    (unsigned long long)loss->undelivered, (unsigned long long)loss->filler,
	    loss->resend, cause, loss->why != NULL ? " why=" : "",
	    loss->why != NULL ? loss->why : "");
}

void
ledger_loss_text(const struct relay_loss *loss, const char *cause, char *buf, size_t size)
{
	snprintf(buf, size, "data at risk (%s%s%s): %llu unsent, %llu unacknowledged, %llu "
	    "unread in the module, %llu undelivered; %llu lost%s", cause,
	    loss->why != NULL ? ", " : "", loss->why != NULL ? loss->why : "",
	    (unsigned long long)loss->unsent, (unsigned long long)loss->unacked,
	    (unsigned long long)loss->unread, (unsigned long long)loss->undelivered,
	    (unsigned long long)loss->lost,
	    loss->resend ? ", the unacknowledged bytes are sent again" : "");
}

int
ledger_check(const struct relay_ledger *lg)
{
	const struct relay_counters *c = &lg->c;

	return c->accepted + lg->requeued == c->sent + lg->queued + c->lost_unsent &&
	    c->sent == c->acked + c->lost_unacked + lg->retired + ledger_unacked(lg) &&
	    c->received == c->probe_replies + c->delivered + c->undelivered + lg->held &&
	    lg->requeued == c->resent + lg->resend_left + lg->resend_dropped &&
	    lg->window <= ledger_unacked(lg) && lg->conn_acked <= lg->conn_sent;
}
