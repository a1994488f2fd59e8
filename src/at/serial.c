/* Serial transport: see serial.h. */
#include "config.h"

#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <libserialport.h>

#include "log.h"
#include "xmalloc.h"
#include "at/serial.h"

#define UNIX98_PTY_SLAVE_MAJOR	136	/* Linux: majors 136..143 */
#define UNIX98_PTY_MAJOR_COUNT	8
#define BSD_PTY_SLAVE_MAJOR	3

struct serial {
	struct event_base *base;
	char *name;
	enum serial_kind kind;
	int fd;			/* the descriptor we read and write */
	int lock_fd;		/* holds the flock(); -1 when fd does */
	struct sp_port *sp;	/* SERIAL_KIND_UART only */
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_gone;	/* reports a write error from the loop */
	struct evbuffer *out;
	struct serial_ops ops;
	void *arg;
	int gone;
	int gone_error;
};

static const char *const serial_kind_names[] = {
	[SERIAL_KIND_UART] = "libserialport",
	[SERIAL_KIND_TERMIOS] = "termios",
	[SERIAL_KIND_FD] = "descriptor",
};

const char *
serial_kind_name(enum serial_kind kind)
{
	return serial_kind_names[kind];
}

/* Map a baud rate to its termios constant; 0 if unsupported. */
static speed_t
serial_speed(int baud)
{
	static const struct { int baud; speed_t speed; } t[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
		{ 460800, B460800 }, { 921600, B921600 },
		{ 1000000, B1000000 }, { 2000000, B2000000 },
		{ 3000000, B3000000 }, { 4000000, B4000000 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].baud == baud)
			return t[i].speed;
	return 0;
}

/* Is the open descriptor a pseudo-terminal slave? */
static int
serial_is_pty(int fd)
{
	struct stat st;
	unsigned maj;

	if (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode))
		return 0;
	maj = major(st.st_rdev);
	return (maj >= UNIX98_PTY_SLAVE_MAJOR &&
	    maj < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT) ||
	    maj == BSD_PTY_SLAVE_MAJOR;
}

/* Raw 8N1 with VMIN=1 so that a read of 0 bytes always means hang-up. */
static int
serial_termios(int fd, int baud, enum serial_flow flow, int strict)
{
	struct termios t;
	speed_t sp = serial_speed(baud);

	if (tcgetattr(fd, &t) == -1)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD | CS8;
	t.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	if (flow == SERIAL_FLOW_RTSCTS)
		t.c_cflag |= CRTSCTS;
	if (flow == SERIAL_FLOW_XONXOFF)
		t.c_iflag |= IXON | IXOFF;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (sp == 0 && strict) {
		errno = EINVAL;
		return -1;
	}
	if (sp != 0 && cfsetspeed(&t, sp) == -1)
		return -1;
	if (tcsetattr(fd, TCSANOW, &t) == -1)
		return -1;
	tcflush(fd, TCIOFLUSH);
	return 0;
}

static enum sp_flowcontrol
serial_sp_flow(enum serial_flow flow)
{
	switch (flow) {
	case SERIAL_FLOW_NONE:
		return SP_FLOWCONTROL_NONE;
	case SERIAL_FLOW_RTSCTS:
		return SP_FLOWCONTROL_RTSCTS;
	case SERIAL_FLOW_XONXOFF:
		return SP_FLOWCONTROL_XONXOFF;
	}
	return SP_FLOWCONTROL_NONE;
}

/* Describe libserialport's last error into err. */
static void
serial_sp_error(const char *path, const char *what, char *err, size_t errsz)
{
	char *msg = sp_last_error_message();

	snprintf(err, errsz, "%s: %s: %s", path, what,
	    msg != NULL ? msg : "unknown error");
	sp_free_error_message(msg);
}

/* Copy a string into a buffer of size sz, truncating. */
static void
serial_copy(char *dst, const char *src, size_t sz)
{
	snprintf(dst, sz, "%s", src);
}

/* Open and configure a real serial port through libserialport. */
static int
serial_open_sp(struct serial *s, const struct serial_config *cfg, char *err,
    size_t errsz)
{
	char real[PATH_MAX];

	/* libserialport finds a port in sysfs by its kernel name, so resolve
	 * /dev/serial/by-id/... links to /dev/ttyUSBn first. */
	if (realpath(cfg->path, real) == NULL)
		serial_copy(real, cfg->path, sizeof(real));
	if (sp_get_port_by_name(real, &s->sp) != SP_OK) {
		s->sp = NULL;
		return 1;	/* unknown to libserialport: use termios */
	}
	if (sp_open(s->sp, SP_MODE_READ_WRITE) != SP_OK) {
		serial_sp_error(cfg->path, "cannot open", err, errsz);
		return -1;
	}
	if (sp_set_baudrate(s->sp, cfg->baudrate) != SP_OK ||
	    sp_set_bits(s->sp, 8) != SP_OK ||
	    sp_set_parity(s->sp, SP_PARITY_NONE) != SP_OK ||
	    sp_set_stopbits(s->sp, 1) != SP_OK ||
	    sp_set_flowcontrol(s->sp, serial_sp_flow(cfg->flow)) != SP_OK) {
		serial_sp_error(cfg->path, "cannot configure", err, errsz);
		return -1;
	}
	if (sp_get_port_handle(s->sp, &s->fd) != SP_OK) {
		serial_sp_error(cfg->path, "no descriptor", err, errsz);
		return -1;
	}
	return 0;
}

/* Open the path and take the advisory lock that keeps other programs out. */
static int
serial_open_lock(const char *path, char *err, size_t errsz)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd == -1) {
		if (errno == EBUSY)
			snprintf(err, errsz, "%s: in exclusive use by another "
			    "program", path);
		else
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errsz, "%s: in use by another program "
			    "(locked)", path);
		else
			snprintf(err, errsz, "%s: lock: %s", path,
			    strerror(errno));
		close(fd);
		return -1;
	}
	if (!isatty(fd)) {
		snprintf(err, errsz, "%s: not a serial port or terminal", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Allocate the common part and the libevent machinery around s->fd. */
static void serial_on_read(evutil_socket_t, short, void *);
static void serial_on_write(evutil_socket_t, short, void *);
static void serial_on_gone(evutil_socket_t, short, void *);

static struct serial *
serial_alloc(struct event_base *base, const char *name)
{
	struct serial *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->name = xstrdup(name);
	s->fd = -1;
	s->lock_fd = -1;
	s->out = evbuffer_new();
	if (s->out == NULL)
		fatalx("evbuffer_new");
	return s;
}

static void
serial_events(struct serial *s)
{
	s->ev_read = event_new(s->base, s->fd, EV_READ | EV_PERSIST,
	    serial_on_read, s);
	s->ev_write = event_new(s->base, s->fd, EV_WRITE, serial_on_write, s);
	s->ev_gone = evtimer_new(s->base, serial_on_gone, s);
	if (s->ev_read == NULL || s->ev_write == NULL || s->ev_gone == NULL)
		fatalx("event_new");
}

struct serial *
serial_open(struct event_base *base, const struct serial_config *cfg,
    char *err, size_t errsz)
{
	struct serial *s;
	int lock_fd, r = 1;

	if ((lock_fd = serial_open_lock(cfg->path, err, errsz)) == -1)
		return NULL;
	s = serial_alloc(base, cfg->path);
	s->lock_fd = lock_fd;
	if (!serial_is_pty(lock_fd))
		r = serial_open_sp(s, cfg, err, errsz);
	if (r < 0)
		goto fail;
	if (r > 0) {
		s->kind = SERIAL_KIND_TERMIOS;
		s->fd = lock_fd;
		s->lock_fd = -1;
	} else
		s->kind = SERIAL_KIND_UART;
	if (serial_termios(s->fd, cfg->baudrate, cfg->flow,
	    s->kind == SERIAL_KIND_TERMIOS && !serial_is_pty(s->fd)) == -1) {
		snprintf(err, errsz, "%s: cannot configure: %s", cfg->path,
		    strerror(errno));
		goto fail;
	}
	ioctl(s->fd, TIOCEXCL);
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	fcntl(s->fd, F_SETFD, FD_CLOEXEC);
	serial_events(s);
	log_info("%s: opened with %s (%s), %d baud, flow %s", cfg->path,
	    serial_kind_name(s->kind), s->kind == SERIAL_KIND_UART ?
	    "serial port" : serial_is_pty(s->fd) ? "pseudo-terminal" :
	    "terminal unknown to libserialport", cfg->baudrate,
	    cfg->flow == SERIAL_FLOW_RTSCTS ? "rtscts" :
	    cfg->flow == SERIAL_FLOW_XONXOFF ? "xonxoff" : "none");
	return s;
fail:
	serial_close(s);
	return NULL;
}

struct serial *
serial_from_fd(struct event_base *base, int fd, const char *name)
{
	struct serial *s = serial_alloc(base, name);

	s->kind = SERIAL_KIND_FD;
	s->fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	serial_events(s);
	return s;
}

void
serial_start(struct serial *s, const struct serial_ops *ops, void *arg)
{
	s->ops = *ops;
	s->arg = arg;
	if (!s->gone)
		event_add(s->ev_read, NULL);
}

/* Mark the port gone and stop all I/O; the report follows from the loop. */
static void
serial_vanish(struct serial *s, int error)
{
	struct timeval tv = { 0, 0 };

	if (s->gone)
		return;
	s->gone = 1;
	s->gone_error = error;
	event_del(s->ev_read);
	event_del(s->ev_write);
	evbuffer_drain(s->out, evbuffer_get_length(s->out));
	log_warnx("%s: port gone: %s", s->name,
	    error != 0 ? strerror(error) : "end of file (hang-up)");
	event_add(s->ev_gone, &tv);
}

static void
serial_on_gone(evutil_socket_t fd, short what, void *arg)
{
	struct serial *s = arg;

	if (s->ops.gone != NULL)
		s->ops.gone(s->gone_error, s->arg);
}

static void
serial_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct serial *s = arg;
	uint8_t buf[4096];
	ssize_t n;

	n = read(s->fd, buf, sizeof(buf));
	if (n > 0) {
		/* The callee may close s: touch nothing after this call. */
		s->ops.read(buf, (size_t)n, s->arg);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	serial_vanish(s, n == 0 ? 0 : errno);
}

/* Push queued bytes to the kernel; wait for writability if some remain. */
static void
serial_flush(struct serial *s)
{
	if (evbuffer_write(s->out, s->fd) == -1 && errno != EAGAIN &&
	    errno != EINTR) {
		serial_vanish(s, errno);
		return;
	}
	if (evbuffer_get_length(s->out) > 0)
		event_add(s->ev_write, NULL);
}

static void
serial_on_write(evutil_socket_t fd, short what, void *arg)
{
	serial_flush(arg);
}

void
serial_write(struct serial *s, const void *buf, size_t len)
{
	if (s->gone || len == 0)
		return;
	if (evbuffer_add(s->out, buf, len) == -1)
		fatalx("evbuffer_add");
	serial_flush(s);
}

size_t
serial_pending(const struct serial *s)
{
	return evbuffer_get_length(s->out);
}

int
serial_is_gone(const struct serial *s)
{
	return s->gone;
}

const char *
serial_name(const struct serial *s)
{
	return s->name;
}

enum serial_kind
serial_kind(const struct serial *s)
{
	return s->kind;
}

void
serial_close(struct serial *s)
{
	if (s == NULL)
		return;
	if (s->ev_read != NULL)
		event_free(s->ev_read);
	if (s->ev_write != NULL)
		event_free(s->ev_write);
	if (s->ev_gone != NULL)
		event_free(s->ev_gone);
	evbuffer_free(s->out);
	if (s->sp != NULL) {
		sp_close(s->sp);	/* closes s->fd */
		sp_free_port(s->sp);
	} else if (s->fd != -1)
		close(s->fd);
	if (s->lock_fd != -1)
		close(s->lock_fd);
	free(s->name);
	free(s);
}
