/* Commands of one Telit operation, queued on the AT engine together and
 * answered once: the supervisor's callback runs when the last command of
 * the batch is done, with the first failure of a command that is not
 * optional, or at once with DIALECT_GONE if the engine refused them all. */
#ifndef CELLSOCK_DIALECT_TELIT_BATCH_H
#define CELLSOCK_DIALECT_TELIT_BATCH_H

#include "at/atq.h"
#include "dialect/dialect.h"
#include "dialect/telit/telit_answer.h"

struct telit_batch {
	dialect_cb *cb;
	void *arg;
	int pending;		/* commands not yet answered */
	int refs;		/* commands not yet destroyed */
	int failed;		/* first failure recorded in reply */
	struct dialect_reply reply;
};

/* A new batch answering cb(arg); freed once answered and released. */
struct telit_batch *telit_batch_new(dialect_cb *cb, void *arg);
/* Queue one command of batch b; the answer's prefixes and raw payload come
 * from ans, the rest of c (command, deadline, flags, payload) from the
 * caller. id: the connId or cid the answer must match. Returns 0, or -1 if
 * the engine refused it. */
int telit_submit(struct at *at, struct telit_batch *b, const struct at_command *c,
    const struct telit_answer *ans, int id, int optional);
/* After queueing a batch: if anything was refused, answer GONE (at once
 * when nothing was queued). */
void telit_finish(struct telit_batch *b, int refused);
/* One command: a batch of one (timeout_ms 0: the engine's default). */
void telit_one(struct at *at, const char *cmd, const struct telit_answer *ans, int timeout_ms,
    int id, dialect_cb *cb, void *arg);

#endif
