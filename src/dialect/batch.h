/* Commands of one dialect operation, queued on the AT engine together and
 * answered once (vendor-neutral: the Telit and Quectel dialects use it): the supervisor's callback runs when the last command of
 * the batch is done, with the first failure of a command that is not
 * optional, or at once with DIALECT_GONE if the engine refused them all. */
#ifndef CELLSOCK_DIALECT_BATCH_H
#define CELLSOCK_DIALECT_BATCH_H

#include "at/atq.h"
#include "dialect/dialect.h"

/* Fill out from a successful answer; -1 if the answer is malformed. id is
 * the connId or cid the answer must match. */
typedef int dialect_read_fn(const struct at_response *r, int id, struct dialect_reply *out);

/* How to read the answer to one kind of command: which answer lines belong
 * to it (prefixes), whether raw bytes follow, and the reader that fills the
 * supervisor's reply from a successful answer. */
struct dialect_answer {
	const char *const *prefixes;	/* answer lines, NULL: the engine's rule */
	const char *raw_prefix;		/* announces raw bytes, or NULL */
	at_raw_len_fn raw_len;
	dialect_read_fn *read;		/* NULL: only the final result counts */
	int send;			/* a prompt command (payload after "> ") */
	/* A failure is classified into u.dial from its +CME ERROR number. */
	enum dial_error (*dial)(int cme);
	/* When the command answers ERROR (or +CME ERROR), this one is sent
	 * in its place, once, and read the same way (NULL: none). */
	const char *fallback;
};

struct dialect_batch {
	dialect_cb *cb;
	void *arg;
	int pending;		/* commands not yet answered */
	int refs;		/* commands not yet destroyed */
	int failed;		/* first failure recorded in reply */
	struct dialect_reply reply;
};

/* A new batch answering cb(arg); freed once answered and released. */
struct dialect_batch *dialect_batch_new(dialect_cb *cb, void *arg);
/* Queue one command of batch b; the answer's prefixes and raw payload come
 * from ans, the rest of c (command, deadline, flags, payload) from the
 * caller. id: the connId or cid the answer must match. Returns 0, or -1 if
 * the engine refused it. */
int dialect_submit(struct at *at, struct dialect_batch *b, const struct at_command *c,
    const struct dialect_answer *ans, int id, int optional);
/* After queueing a batch: if anything was refused, answer GONE (at once
 * when nothing was queued). */
void dialect_finish(struct dialect_batch *b, int refused);
/* One command: a batch of one (timeout_ms 0: the engine's default). */
void dialect_one(struct at *at, const char *cmd, const struct dialect_answer *ans, int timeout_ms,
    int id, dialect_cb *cb, void *arg);
/* The same with an urgency and flags (e.g. AT_SLOW, AT_CMD_BLOCKING). A
 * batch's commands must share one urgency and channel to keep their order. */
void dialect_one_as(struct at *at, const char *cmd, const struct dialect_answer *ans,
    int timeout_ms, int id, enum at_urgency urgency, unsigned flags, dialect_cb *cb, void *arg);

#endif
