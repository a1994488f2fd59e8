/* Batches of dialect commands: see batch.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "dialect/batch.h"
#include "log.h"
#include "xmalloc.h"

/* One command of a batch, the engine's callback argument. */
struct dialect_req {
	struct dialect_batch *batch;
	const struct dialect_answer *ans;
	int id;			/* connId or cid the answer must match */
	int optional;		/* a failure does not fail the batch */
	struct at *at;		/* for the fallback command, */
	struct at_command how;	/* sent with this deadline, urgency and flags */
	int is_fallback;	/* sent in place of a command that failed */
};

struct dialect_batch *
dialect_batch_new(dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = xcalloc(1, sizeof(*b));

	b->cb = cb;
	b->arg = arg;
	b->reply.status = DIALECT_OK;
	b->reply.cme = -1;
	return b;
}

static void
dialect_req_destroy(void *arg)
{
	struct dialect_req *r = arg;

	if (--r->batch->refs == 0)
		free(r->batch);
	free(r);
}

static enum dialect_status
dialect_status_of(const struct at_result *res)
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
dialect_req_status(const struct dialect_req *q, const struct at_response *r, struct dialect_batch *b)
{
	enum dialect_status st = dialect_status_of(&r->result);

	if (st == DIALECT_TIMEOUT && q->ans->send && !r->payload_written &&
	    !r->fill_taken) {
		st = DIALECT_ERROR;	/* no prompt: nothing left; the caller may retry */
		snprintf(b->reply.text, sizeof(b->reply.text), "no prompt");
	}
	if (q->ans->send && r->fill_taken)
		b->reply.filler = r->fill_len;
	if (q->ans->send && r->payload_written)
		b->reply.payload_out = 1;
	if (st == DIALECT_OK && q->ans->read != NULL &&
	    q->ans->read(r, q->id, &b->reply) != 0) {
		st = DIALECT_ERROR;
		log_debug("dialect: unexpected answer to %s", r->cmd);
	}
	return st;
}

static struct dialect_req *dialect_queue(struct at *at, struct dialect_batch *b,
    const struct at_command *c, const struct dialect_answer *ans, int id, int optional);

/* The command failed and its answer names a fallback: send that in its
 * place. 1 when it went out (it answers for this one). */
static int
dialect_fall_back(struct dialect_req *q, const struct at_response *r, enum dialect_status st)
{
	struct at_command c = { .cmd = q->ans->fallback, .timeout_ms = q->how.timeout_ms,
		.urgency = q->how.urgency, .flags = q->how.flags };
	struct dialect_req *f;

	if (st != DIALECT_ERROR || q->ans->fallback == NULL || q->is_fallback)
		return 0;
	if ((f = dialect_queue(q->at, q->batch, &c, q->ans, q->id, q->optional)) == NULL)
		return 0;
	f->is_fallback = 1;
	log_debug("dialect: %s answered %s; trying %s", r->cmd,
	    r->result.text ? r->result.text : at_final_name(r->result.kind), c.cmd);
	q->batch->pending--;	/* f is pending in its place */
	return 1;
}

/* One command of a batch answered. */
static void
dialect_done(const struct at_response *r, void *arg)
{
	struct dialect_req *q = arg;
	struct dialect_batch *b = q->batch;
	enum dialect_status st;

	if (!b->failed)
		b->reply.text[0] = '\0';	/* a failure's own text, not an earlier OK */
	st = dialect_req_status(q, r, b);
	if (dialect_fall_back(q, r, st))
		return;
	if (st != DIALECT_OK && !q->optional && !b->failed) {
		b->failed = 1;
		b->reply.status = st;
		b->reply.cme = r->result.kind == AT_FINAL_CME_ERROR ? r->result.code : -1;
		if (q->ans->dial != NULL)
			b->reply.u.dial = q->ans->dial(b->reply.cme);
	}
	if (!b->failed || b->reply.text[0] == '\0')
		snprintf(b->reply.text, sizeof(b->reply.text), "%s",
		    r->result.text ? r->result.text : at_final_name(r->result.kind));
	if (--b->pending == 0)
		b->cb(&b->reply, b->arg);
}

/* Queue one command of b; the request, or NULL if the engine refused. */
static struct dialect_req *
dialect_queue(struct at *at, struct dialect_batch *b, const struct at_command *c,
    const struct dialect_answer *ans, int id, int optional)
{
	struct dialect_req *q = xcalloc(1, sizeof(*q));
	struct at_command full = *c;

	full.prefixes = ans->prefixes;
	full.raw_prefix = ans->raw_prefix;
	full.raw_len = ans->raw_len;
	q->batch = b;
	q->ans = ans;
	q->id = id;
	q->optional = optional;
	q->at = at;
	q->how = full;
	q->how.cmd = NULL;	/* not kept: the caller's buffer */
	b->pending++;
	b->refs++;
	if (at_submit(at, &full, dialect_done, q, dialect_req_destroy) != 0)
		return q;
	b->pending--;
	b->refs--;
	free(q);
	return NULL;
}

int
dialect_submit(struct at *at, struct dialect_batch *b, const struct at_command *c,
    const struct dialect_answer *ans, int id, int optional)
{
	return dialect_queue(at, b, c, ans, id, optional) != NULL ? 0 : -1;
}

void
dialect_finish(struct dialect_batch *b, int refused)
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
dialect_one_as(struct at *at, const char *cmd, const struct dialect_answer *ans, int timeout_ms,
    int id, enum at_urgency urgency, unsigned flags, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = cmd, .timeout_ms = timeout_ms, .urgency = urgency,
		.flags = flags };

	dialect_finish(b, dialect_submit(at, b, &c, ans, id, 0) != 0);
}

void
dialect_one(struct at *at, const char *cmd, const struct dialect_answer *ans, int timeout_ms,
    int id, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, cmd, ans, timeout_ms, id, AT_NORMAL, 0, cb, arg);
}
