/* Asynchronous replies that may arrive after their asker moved on: each
 * request takes a slot stamped with the owner's generation; a reply whose
 * generation is old is dropped. Slots are owned storage (no allocation), so
 * an engine freed with requests pending leaks nothing. */
#ifndef CELLSOCK_OPSLOT_H
#define CELLSOCK_OPSLOT_H

#include "dialect/dialect.h"

#define OPSLOT_MAX 16

typedef void opslot_fn(void *owner, const struct dialect_reply *reply);

struct opslots;

struct opslot {
	struct opslots *set;
	opslot_fn *fn;
	unsigned gen;
	int busy;
};

struct opslots {
	void *owner;
	unsigned gen;		/* bumped by opslot_invalidate() */
	void (*drained)(void *owner);	/* set by opslot_release() */
	struct opslot slot[OPSLOT_MAX];
};

void opslot_init(struct opslots *set, void *owner);
/* Drop every reply still to come (the state changed). */
void opslot_invalidate(struct opslots *set);
/* The engine was freed: its requests will never be answered, so every slot
 * is free again (and their replies, which cannot come, invalid). */
void opslot_reset(struct opslots *set);
/* The owner is going away: drop every reply to come. Returns 0 if none is
 * pending (free the owner now); otherwise drained(owner) is called when the
 * last reply arrives, and the owner must stay allocated until then. */
int opslot_release(struct opslots *set, void (*drained)(void *owner));
/* A slot for one request: pass opslot_reply as the dialect callback and the
 * returned slot as its argument. NULL when all slots are busy. */
struct opslot *opslot_take(struct opslots *set, opslot_fn *fn);
void opslot_reply(const struct dialect_reply *reply, void *arg);

#endif
