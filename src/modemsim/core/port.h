/* The serial port: a pseudo-terminal in raw mode whose slave path is printed
 * and linked, paced at --baud in both directions, that survives the reader
 * closing and reopening it, and that can disappear and come back (reboot). */
#ifndef MODEMSIM_PORT_H
#define MODEMSIM_PORT_H

#include <stddef.h>
#include <stdint.h>

struct sim;
struct evbuffer;
struct port;

/* Bytes from the host, in order, at the paced rate. */
typedef void port_input_cb(void *arg, const unsigned char *buf, size_t len);
/* The output queue fell below PORT_LOW_WATER: there is room for more. */
typedef void port_drain_cb(void *arg);

#define PORT_LOW_WATER 2048

/* Port idx of the module: its --link is PATH for 0, PATH.idx for the others. */
struct port *port_new(struct sim *sim, int idx);
void port_free(struct port *p);
void port_set_callbacks(struct port *p, port_input_cb *in, port_drain_cb *drain, void *arg);
/* Create a new pty, publish its path (stdout for port 0, --link). 0 or -1. */
int port_open(struct port *p);
/* Close the pty (the reader sees EOF) and remove the link. */
void port_close(struct port *p);
/* Queue bytes for the host; dropped when the port is closed or unread. */
void port_write(struct port *p, const void *buf, size_t len);
/* Mark the end of what is queued now; port_mark_left_ms() then tells when
 * its last byte was written to the pty: the time in ms (CLOCK_MONOTONIC),
 * 0 while it is still queued, or UINT64_MAX before the first mark. */
void port_mark(struct port *p);
uint64_t port_mark_left_ms(const struct port *p);
/* Bytes queued but not yet written to the pty. */
size_t port_queued(const struct port *p);
int port_is_open(const struct port *p);
/* Someone has the slave open: what is written now reaches a reader. */
int port_has_reader(const struct port *p);
/* key=value lines for the "state" control command; port i >= 1 gives only
 * its pty<i>= and reader<i>= lines. */
void port_state(const struct port *p, struct evbuffer *out);
/* The pty's path, "" while the port is gone. */
const char *port_path(const struct port *p);

#endif
