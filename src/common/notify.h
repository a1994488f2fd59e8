/* News going up the layers. A lower module (modem, link, relay) never names
 * the module above it: its owner hands it a struct notify, and the lower
 * module reports events and state changes through it. */
#ifndef CELLSOCK_NOTIFY_H
#define CELLSOCK_NOTIFY_H

#include "proto.h"

struct notify {
	/* An event line, "EVENT <name> key=value ...", for monitor clients. */
	void (*event)(void *arg, enum proto_event ev, const char *line);
	/* A modem or link state changed: the one-line summary may differ. */
	void (*status)(void *arg);
	void *arg;
};

/* Format "EVENT <name> <fmt...>", log it at debug level and hand it on. */
void notify_event(const struct notify *n, enum proto_event ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void notify_status(const struct notify *n);

#endif
