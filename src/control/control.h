/* The control socket, in the OpenBSD control.c shape: check, init, listen,
 * accept (peer credentials), dispatch, close. */
#ifndef CELLSOCK_CONTROL_H
#define CELLSOCK_CONTROL_H

#include <sys/types.h>

#include <stdint.h>

struct evbuffer;

struct daemon;
struct control;

#define CONTROL_MAX_CLIENTS 128
#define CONTROL_OUTBUF_MAX (1024 * 1024)	/* a client that reads no replies is dropped past this */
#define CONTROL_IDLE_TIMEOUT 60			/* seconds a non-monitor client may stay silent */

/* Bind the socket (or take the one systemd passed). NULL on failure, logged. */
struct control *control_init(struct daemon *d, const char *path, const char *group, mode_t mode);
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
