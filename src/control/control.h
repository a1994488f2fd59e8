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

#define CONTROL_MAX_CLIENTS 128
#define CONTROL_OUTBUF_MAX (1024 * 1024)	/* a client that reads no replies is dropped past this */
#define CONTROL_IDLE_TIMEOUT 60			/* seconds a non-monitor client may stay silent */

/* One parsed request, handed to the handler. */
struct control_request {
	const struct proto_request *req;
	struct cmdtab_peer peer;	/* decided once, when the client connected */
	uint64_t client;		/* the client's id, for control_send() */
	struct evbuffer *out;		/* the reply goes here, ending with OK or ERR */
	int subscribe;			/* set by the handler: send this client events */
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
