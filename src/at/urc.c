/* URC registry: see urc.h. */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "xmalloc.h"
#include "at/result.h"
#include "at/urc.h"

struct urc_entry {
	TAILQ_ENTRY(urc_entry) entry;
	unsigned id;
	char *prefix;
	urc_handler fn;
	void *arg;
	void (*destroy)(void *arg);
	int removed;		/* removed during a dispatch; freed later */
};
TAILQ_HEAD(urc_list, urc_entry);

struct urc_registry {
	char *name;
	struct urc_list entries;
	unsigned next_id;
	int dispatching;
	unsigned long handled;
	unsigned long unknown;
};

struct urc_registry *
urc_new(const char *name)
{
	struct urc_registry *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name != NULL ? name : "at");
	TAILQ_INIT(&r->entries);
	r->next_id = 1;
	return r;
}

static void
urc_entry_free(struct urc_registry *r, struct urc_entry *e)
{
	TAILQ_REMOVE(&r->entries, e, entry);
	if (e->destroy != NULL)
		e->destroy(e->arg);
	free(e->prefix);
	free(e);
}

void
urc_free(struct urc_registry *r)
{
	struct urc_entry *e;

	if (r == NULL)
		return;
	while ((e = TAILQ_FIRST(&r->entries)) != NULL)
		urc_entry_free(r, e);
	free(r->name);
	free(r);
}

unsigned
urc_add(struct urc_registry *r, const char *prefix, urc_handler fn, void *arg)
{
	return urc_add_owned(r, prefix, fn, arg, NULL);
}

unsigned
urc_add_owned(struct urc_registry *r, const char *prefix, urc_handler fn, void *arg,
    void (*destroy)(void *arg))
{
	struct urc_entry *e = xcalloc(1, sizeof(*e));

	e->id = r->next_id++;
	if (r->next_id == 0)
		r->next_id = 1;
	e->prefix = xstrdup(prefix);
	e->fn = fn;
	e->arg = arg;
	e->destroy = destroy;
	TAILQ_INSERT_TAIL(&r->entries, e, entry);
	return e->id;
}

void
urc_remove(struct urc_registry *r, unsigned id)
{
	struct urc_entry *e;

	TAILQ_FOREACH(e, &r->entries, entry) {
		if (e->id != id || e->removed)
			continue;
		if (r->dispatching)
			e->removed = 1;
		else
			urc_entry_free(r, e);
		return;
	}
}

int
urc_matches(const struct urc_registry *r, const char *line)
{
	struct urc_entry *e;

	TAILQ_FOREACH(e, &r->entries, entry)
		if (!e->removed && at_prefix_match(e->prefix, line, NULL))
			return 1;
	return 0;
}

/* Free the entries removed while handlers ran. */
static void
urc_purge(struct urc_registry *r)
{
	struct urc_entry *e, *next;

	for (e = TAILQ_FIRST(&r->entries); e != NULL; e = next) {
		next = TAILQ_NEXT(e, entry);
		if (e->removed)
			urc_entry_free(r, e);
	}
}

int
urc_dispatch(struct urc_registry *r, const char *line)
{
	struct urc_entry *e;
	const char *args;
	char esc[256];
	int n = 0;

	r->dispatching++;
	TAILQ_FOREACH(e, &r->entries, entry) {
		if (e->removed || !at_prefix_match(e->prefix, line, &args))
			continue;
		e->fn(line, args, e->arg);
		n++;
	}
	if (--r->dispatching == 0)
		urc_purge(r);
	if (n > 0) {
		r->handled++;
		return n;
	}
	r->unknown++;
	if (log_current_level >= LOG_LEVEL_DEBUG) {
		util_escape(line, strlen(line), esc, sizeof(esc));
		log_debug("%s: unsolicited line nobody handles: %s", r->name,
		    esc);
	}
	return 0;
}

unsigned long
urc_handled(const struct urc_registry *r)
{
	return r->handled;
}

unsigned long
urc_unknown(const struct urc_registry *r)
{
	return r->unknown;
}
