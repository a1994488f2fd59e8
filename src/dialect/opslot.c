#include "config.h"

#include <string.h>

#include "log.h"
#include "dialect/opslot.h"

void
opslot_init(struct opslots *set, void *owner)
{
	memset(set, 0, sizeof(*set));
	set->owner = owner;
	for (int i = 0; i < OPSLOT_MAX; i++)
		set->slot[i].set = set;
}

void
opslot_invalidate(struct opslots *set)
{
	set->gen++;
}

void
opslot_reset(struct opslots *set)
{
	set->gen++;
	for (int i = 0; i < OPSLOT_MAX; i++)
		set->slot[i].busy = 0;
}

struct opslot *
opslot_take(struct opslots *set, opslot_fn *fn)
{
	for (int i = 0; i < OPSLOT_MAX; i++) {
		struct opslot *s = &set->slot[i];
		if (s->busy)
			continue;
		s->busy = 1;
		s->gen = set->gen;
		s->fn = fn;
		return s;
	}
	log_warnx("too many modem requests in flight");
	return NULL;
}

int
opslot_release(struct opslots *set, void (*drained)(void *owner))
{
	set->gen++;
	for (int i = 0; i < OPSLOT_MAX; i++)
		if (set->slot[i].busy) {
			set->drained = drained;
			return 1;
		}
	return 0;
}

/* After a reply to a released set: free the owner once nothing is pending. */
static void
opslot_maybe_drained(struct opslots *set)
{
	for (int i = 0; i < OPSLOT_MAX; i++)
		if (set->slot[i].busy)
			return;
	set->drained(set->owner);
}

void
opslot_reply(const struct dialect_reply *reply, void *arg)
{
	struct opslot *s = arg;
	int current = s->gen == s->set->gen;

	s->busy = 0;
	if (s->set->drained != NULL) {
		opslot_maybe_drained(s->set);
		return;
	}
	/* GONE: the port vanished; the engine's gone report takes the modem
	 * and every link down with the right cause, so the asker does nothing. */
	if (current && reply->status != DIALECT_GONE)
		s->fn(s->set->owner, reply);
}
