/* Batches of Telit commands: see telit_batch.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "dialect/telit/telit_batch.h"
#include "log.h"
#include "xmalloc.h"

/* One command of a batch, the engine's callback argument. */
struct telit_req {
	struct telit_batch *batch;
	const struct telit_answer *ans;
	int id;			/* connId or cid the answer must match */
	int optional;		/* a failure does not fail the batch */
};

struct telit_batch *
telit_batch_new(dialect_cb *cb, void *arg)
{
	struct telit_batch *b = xcalloc(1, sizeof(*b));

	b->cb = cb;
	b->arg = arg;
	b->reply.status = DIALECT_OK;
	b->reply.cme = -1;
	return b;
}

static void
telit_req_destroy(void *arg)
{
	struct telit_req *r = arg;

	if (--r->batch->refs == 0)
		free(r->batch);
	free(r);
}

static enum dialect_status
telit_status(const struct at_result *res)
{
	switch (res->kind) {
	case AT_FINAL_OK: return DIALECT_OK;
	case AT_FINAL_TIMEOUT: return DIALECT_TIMEOUT;
	case AT_FINAL_GONE: return DIALECT_GONE;
	case AT_FINAL_ERROR: case AT_FINAL_CME_ERROR: case AT_FINAL_CMS_ERROR:
	case AT_FINAL_NO_CARRIER: case AT_FINAL_CONNECT: case AT_FINAL_NO_ANSWER:
	case AT_FINAL_BUSY: case AT_FINAL_NO_DIALTONE: case AT_FINAL_DIALECT:
		break;
	}
	return res->success ? DIALECT_OK : DIALECT_ERROR;
}

/* The status of one answered command, after its reader ran. */
static enum dialect_status
telit_req_status(const struct telit_req *q, const struct at_response *r, struct telit_batch *b)
{
	enum dialect_status st = telit_status(&r->result);

	if (st == DIALECT_TIMEOUT && q->ans->send && !r->payload_written &&
	    !r->fill_taken) {
		st = DIALECT_ERROR;	/* no prompt: nothing left; the caller may retry */
		snprintf(b->reply.text, sizeof(b->reply.text), "no prompt");
	}
	if (q->ans->send && r->fill_taken)
		b->reply.filler = r->fill_len;
	if (st == DIALECT_OK && q->ans->read != NULL &&
	    q->ans->read(r, q->id, &b->reply) != 0) {
		st = DIALECT_ERROR;
		log_debug("telit: unexpected answer to %s", r->cmd);
	}
	return st;
}

/* One command of a batch answered. */
static void
telit_done(const struct at_response *r, void *arg)
{
	struct telit_req *q = arg;
	struct telit_batch *b = q->batch;
	enum dialect_status st = telit_req_status(q, r, b);

	if (st != DIALECT_OK && !q->optional && !b->failed) {
		b->failed = 1;
		b->reply.status = st;
		b->reply.cme = r->result.kind == AT_FINAL_CME_ERROR ? r->result.code : -1;
		if (q->ans->dial)
			b->reply.u.dial = telit_dial_error(b->reply.cme);
	}
	if (!b->failed || b->reply.text[0] == '\0')
		snprintf(b->reply.text, sizeof(b->reply.text), "%s",
		    r->result.text ? r->result.text : at_final_name(r->result.kind));
	if (--b->pending == 0)
		b->cb(&b->reply, b->arg);
}

int
telit_submit(struct at *at, struct telit_batch *b, const struct at_command *c,
    const struct telit_answer *ans, int id, int optional)
{
	struct telit_req *q = xcalloc(1, sizeof(*q));
	struct at_command full = *c;

	full.prefixes = ans->prefixes;
	full.raw_prefix = ans->raw_prefix;
	full.raw_len = ans->raw_len;
	q->batch = b;
	q->ans = ans;
	q->id = id;
	q->optional = optional;
	b->pending++;
	b->refs++;
	if (at_submit(at, &full, telit_done, q, telit_req_destroy) != 0)
		return 0;
	b->pending--;
	b->refs--;
	free(q);
	return -1;
}

void
telit_finish(struct telit_batch *b, int refused)
{
	if (!refused)
		return;
	b->failed = 1;
	b->reply.status = DIALECT_GONE;
	snprintf(b->reply.text, sizeof(b->reply.text), "refused by the AT engine");
	if (b->pending == 0) {
		b->cb(&b->reply, b->arg);
		if (b->refs == 0)
			free(b);
	}
}

void
telit_one(struct at *at, const char *cmd, const struct telit_answer *ans, int timeout_ms,
    int id, dialect_cb *cb, void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .cmd = cmd, .timeout_ms = timeout_ms };

	telit_finish(b, telit_submit(at, b, &c, ans, id, 0) != 0);
}
