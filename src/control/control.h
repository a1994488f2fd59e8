/* The control socket, in the OpenBSD control.c shape: check, init, listen,
 * accept (peer credentials), framing, throttling, monitor subscribers,
 * close. It knows no command: each request goes to the handler given at
 * init (the command layer, wired by main.c). */
#ifndef CELLSOCK_CONTROL_H
#define CELLSOCK_CONTROL_H

#include <sys/types.h>

#include <stdint.h>

#include "cmdtab.h"
#include "proto.h"

struct evbuffer;
struct event_base;
struct control;

/* Clients are limited per class, decided at accept from SO_PEERCRED:
 * root (and the daemon's own user) may fill the whole table; everyone else
 * leaves CONTROL_ROOT_RESERVE slots to root; users outside the socket's
 * group hold at most CONTROL_OTHERS_MAX, so the group keeps
 * CONTROL_MAX_CLIENTS - CONTROL_ROOT_RESERVE - CONTROL_OTHERS_MAX for itself. */
#define CONTROL_MAX_CLIENTS 128
#define CONTROL_ROOT_RESERVE 16
#define CONTROL_OTHERS_MAX 32
#define CONTROL_OUTBUF_MAX (1024 * 1024)	/* a client that reads no replies is dropped past this */
#define CONTROL_IDLE_TIMEOUT 60			/* seconds a non-monitor client may stay silent */
#define CONTROL_WRITE_TIMEOUT 10		/* seconds output may wait unread (replies or events) */

enum control_class {
	CONTROL_CLASS_ROOT,	/* uid 0 or the daemon's own user */
	CONTROL_CLASS_GROUP,	/* the socket's group (primary or supplementary) */
	CONTROL_CLASS_OTHER,	/* anyone else the socket's mode lets in */
	CONTROL_CLASS_COUNT
};

/* One parsed request, handed to the handler. */
struct control_request {
	const struct proto_request *req;
	struct cmdtab_peer peer;	/* decided once, when the client connected */
	uint64_t client;		/* the client's id, for control_send() */
	struct evbuffer *out;		/* the reply goes here, ending with OK or ERR */
	int subscribe;			/* set by the handler: send this client events */
	int json;			/* ... as JSON objects with their time */
	int deferred;			/* set by the handler: the reply comes later */
};

/* Answers one request into rq->out. */
typedef void control_handler(void *arg, struct control_request *rq);

/* Bind the socket (or take the one systemd passed); handler(arg, ...)
 * answers every request. NULL on failure, logged. */
struct control *control_init(struct event_base *base, const char *path, const char *group,
    mode_t mode, control_handler *handler, void *arg);
/* Close every client and the listener; unlink the path unless systemd owns it. */
void control_free(struct control *c);
/* Send one line (without newline) to every monitor subscriber. */
void control_broadcast(struct control *c, const char *line);
int control_client_count(const struct control *c);
/* Clients subscribed with `monitor`. */
int control_monitor_count(const struct control *c);
/* Finish a deferred reply: write out to the client with that id if it is
 * still connected, and let it send its next request. */
void control_send(struct control *c, uint64_t client, struct evbuffer *out);

#endif
