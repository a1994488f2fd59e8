/* Unsolicited result code registry: line prefix -> handler. Prefixes match
 * with at_prefix_match(), so "+X:" also takes "+X : 1". */
#ifndef CELLSOCK_AT_URC_H
#define CELLSOCK_AT_URC_H

/* line is the whole line; args points past the prefix and colon. */
typedef void (*urc_handler)(const char *line, const char *args, void *arg);

struct urc_registry;

struct urc_registry *urc_new(const char *name);
void urc_free(struct urc_registry *);
/* Register a handler; returns its id (never 0). prefix is copied. */
unsigned urc_add(struct urc_registry *, const char *prefix, urc_handler,
    void *arg);
/* The same, with a destroy function run once when the handler is removed
 * or the registry freed (the engine freed): state that must live exactly as
 * long as the registration, e.g. an operation waiting for its URC. */
unsigned urc_add_owned(struct urc_registry *, const char *prefix, urc_handler,
    void *arg, void (*destroy)(void *arg));
/* Remove a handler by id; safe from inside a handler. */
void urc_remove(struct urc_registry *, unsigned id);
/* Does any registered prefix match line? */
int urc_matches(const struct urc_registry *, const char *line);
/* Call every handler whose prefix matches; returns how many ran. A line
 * nobody handles is logged at debug level and counted as unknown. */
int urc_dispatch(struct urc_registry *, const char *line);
unsigned long urc_handled(const struct urc_registry *);
unsigned long urc_unknown(const struct urc_registry *);

#endif
