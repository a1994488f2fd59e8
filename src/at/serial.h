/* Serial transport: opens the modem's port (libserialport for real UARTs and
 * USB serial, termios raw mode for pseudo-terminals such as the simulator,
 * socat or ser2net), then drives its non-blocking descriptor from libevent.
 * A vanished port (EOF, EIO, ENODEV, ENXIO, hang-up) is reported once through
 * the gone callback; reopening is the supervisor's business. */
#ifndef CELLSOCK_AT_SERIAL_H
#define CELLSOCK_AT_SERIAL_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

enum serial_flow {
	SERIAL_FLOW_NONE,
	SERIAL_FLOW_RTSCTS,
	SERIAL_FLOW_XONXOFF,
};

enum serial_kind {
	SERIAL_KIND_UART,	/* configured through libserialport */
	SERIAL_KIND_TERMIOS,	/* pseudo-terminal (or a tty unknown to
				 * libserialport) in termios raw mode */
	SERIAL_KIND_FD,		/* a descriptor handed in (tests, sockets) */
};

struct serial_config {
	const char *path;	/* e.g. /dev/serial/by-id/usb-..._...-if00 */
	int baudrate;
	enum serial_flow flow;
};

struct serial_ops {
	/* Bytes arrived. The callee may close the port from here. */
	void (*read)(const uint8_t *buf, size_t len, void *arg);
	/* The port vanished (errno value, 0 for end of file). Called once,
	 * from the event loop, never from inside serial_write(). */
	void (*gone)(int error, void *arg);
};

struct serial;

/* Open, lock for exclusive use and configure 8N1 at the given speed and flow
 * control. On failure returns NULL with a one-line reason in err. */
struct serial *serial_open(struct event_base *, const struct serial_config *,
    char *err, size_t errsz);
/* Wrap an already open descriptor (made non-blocking); takes ownership. */
struct serial *serial_from_fd(struct event_base *, int fd, const char *name);
/* Start delivering reads and hang-ups to ops. */
void serial_start(struct serial *, const struct serial_ops *, void *arg);
/* Queue bytes for writing; never blocks, never calls back synchronously. */
void serial_write(struct serial *, const void *buf, size_t len);
/* Bytes queued but not yet accepted by the kernel. */
size_t serial_pending(const struct serial *);
int serial_is_gone(const struct serial *);
const char *serial_name(const struct serial *);
enum serial_kind serial_kind(const struct serial *);
const char *serial_kind_name(enum serial_kind);
/* Close the port and free everything; safe from inside a callback. */
void serial_close(struct serial *);

#endif
