/* The Quectel answer descriptors and their readers: see quectel_answer.h. */
#include "config.h"

#include <stdio.h>

#include "dialect/quectel/quectel_answer.h"
#include "dialect/quectel/quectel_parse.h"

static const char *const P_NONE[] = { NULL };
static const char *const P_QIACT[] = { "+QIACT:", NULL };
static const char *const P_QISTATE[] = { "+QISTATE:", NULL };
static const char *const P_QISEND[] = { "+QISEND:", NULL };
static const char *const P_QIRD[] = { "+QIRD:", NULL };
static const char *const P_QIGETERROR[] = { "+QIGETERROR:", NULL };

enum sock_state
quectel_sock_state(int state)
{
	switch (state) {
	case QUECTEL_SOCK_INITIAL: return SOCK_CLOSED;
	case QUECTEL_SOCK_OPENING: return SOCK_OPENING;
	case QUECTEL_SOCK_CONNECTED: return SOCK_CONNECTED;
	case QUECTEL_SOCK_LISTENING: return SOCK_OTHER;
	case QUECTEL_SOCK_CLOSING: return SOCK_OTHER;
	default: return SOCK_OTHER;
	}
}

static int
quectel_read_qiact(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct quectel_qiact a;

	out->u.pdp.active = 0;
	for (size_t i = 0; i < r->n_lines; i++)
		if (quectel_parse_qiact(r->lines[i], &a) == 0 && a.ctx == id) {
			out->u.pdp.active = a.state == 1;
			snprintf(out->u.pdp.ip, sizeof(out->u.pdp.ip), "%s", a.ip);
		}
	return 0;
}

/* No line for the id, or one in state 0: closed (both readings of the
 * manual). A line for the id that does not read is SOCK_OTHER: never take
 * an id for free on an answer we did not understand. */
static int
quectel_read_qistate(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct quectel_qistate s;

	out->u.sock = SOCK_CLOSED;
	for (size_t i = 0; i < r->n_lines; i++) {
		if (quectel_parse_qistate(r->lines[i], &s) == 0 && s.conn_id == id) {
			out->u.sock = quectel_sock_state((int)s.state);
			return 0;
		}
		if (s.conn_id == id)
			out->u.sock = SOCK_OTHER;
	}
	return 0;
}

/* After AT+QIACT=<id>: the context reads active, so a refusal of the
 * activation ("already active" is an ERROR on Quectel) is no failure. */
static int
quectel_read_qiact_after(const struct at_response *r, int id, struct dialect_reply *out)
{
	quectel_read_qiact(r, id, out);
	if (out->u.pdp.active && out->status != DIALECT_OK) {
		out->status = DIALECT_OK;
		out->cme = -1;
	}
	return 0;
}

static int
quectel_read_qird_unread(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct quectel_qird_info q;

	for (size_t i = 0; i < r->n_lines; i++)
		if (quectel_parse_qird_info(r->lines[i], &q) == 0 && q.unread > 0 &&
		    out->u.sock == SOCK_CONNECTED)
			out->u.sock = SOCK_CONNECTED_DATA;
	return 0;
}

static int
quectel_read_qisend_info(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct quectel_qisend_info q;

	for (size_t i = 0; i < r->n_lines; i++)
		if (quectel_parse_qisend_info(r->lines[i], &q) == 0) {
			out->u.info.sent = q.total;
			out->u.info.ack_waiting = q.unacked;
			return 0;
		}
	return -1;
}

static int
quectel_read_qird_info(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct quectel_qird_info q;

	for (size_t i = 0; i < r->n_lines; i++)
		if (quectel_parse_qird_info(r->lines[i], &q) == 0) {
			out->u.info.received = q.total;
			out->u.info.buff_in = q.unread;
			return 0;
		}
	return -1;
}

/* The data, or none: "+QIRD: 0" (empty buffer) has no payload. */
static int
quectel_read_qird(const struct at_response *r, int id, struct dialect_reply *out)
{
	out->u.recv.data = r->payload;
	out->u.recv.len = r->payload != NULL ? r->payload_len : 0;
	return 0;
}

static int
quectel_read_qigeterror(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct quectel_qigeterror e;

	out->u.closure = CLOSURE_UNKNOWN;
	for (size_t i = 0; i < r->n_lines; i++)
		if (quectel_parse_qigeterror(r->lines[i], &e) == 0 && e.code == 570)
			out->u.closure = CLOSURE_PDP;
	return 0;
}

const struct dialect_answer quectel_ans_qiact = { .prefixes = P_QIACT,
	.read = quectel_read_qiact };
const struct dialect_answer quectel_ans_qiact_after = { .prefixes = P_QIACT,
	.read = quectel_read_qiact_after };
const struct dialect_answer quectel_ans_qistate = { .prefixes = P_QISTATE,
	.read = quectel_read_qistate };
const struct dialect_answer quectel_ans_qird_unread = { .prefixes = P_QIRD,
	.read = quectel_read_qird_unread };
const struct dialect_answer quectel_ans_qisend_info = { .prefixes = P_QISEND,
	.read = quectel_read_qisend_info };
const struct dialect_answer quectel_ans_qird_info = { .prefixes = P_QIRD,
	.read = quectel_read_qird_info };
const struct dialect_answer quectel_ans_qird = { .prefixes = P_QIRD, .raw_prefix = "+QIRD:",
	.raw_len = quectel_qird_len, .read = quectel_read_qird };
const struct dialect_answer quectel_ans_send = { .prefixes = P_NONE, .send = 1 };
const struct dialect_answer quectel_ans_qigeterror = { .prefixes = P_QIGETERROR,
	.read = quectel_read_qigeterror };
const struct dialect_answer quectel_ans_qiopen = { .prefixes = P_NONE,
	.dial = quectel_error_class };
