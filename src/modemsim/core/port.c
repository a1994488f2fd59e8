#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "port.h"
#include "sim.h"
#include "trace.h"
#include "xmalloc.h"

#define PORT_OUTQ_MAX	(1024 * 1024)	/* beyond this, output is dropped */
#define PORT_TICK_US	2000		/* pacing timer while a direction waits */
#define PORT_HUP_MS	20		/* how often a closed port is checked for a reader */
#define PORT_BURST_SEC	0.005		/* token bucket depth: absorbs late timer ticks
					 * without banking idle line time (a real
					 * UART cannot send faster after a pause) */

/* A token bucket: rate bytes per second, refilled from the monotonic clock. */
struct pace {
	double rate;		/* 0: unlimited */
	double tokens;
	double burst;
	uint64_t last_us;
};

struct port {
	struct sim *sim;
	int idx;		/* which AT port of the module */
	char *link;		/* --link (PATH, PATH.1, ...) or NULL */
	char rx[8], tx[8];	/* trace directions: "rx", "rx1", ... */
	int master;		/* -1 while the port is gone */
	char path[PATH_MAX];
	int reader;		/* the slave is open on the other side */
	int read_blocked;	/* input waits for tokens */
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_tick;
	struct event *ev_hup;
	struct event *ev_flush;
	struct evbuffer *outq;
	struct pace in;
	struct pace out;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t bytes_dropped;
	uint64_t mark;			/* bytes_out once the marked byte is out */
	uint64_t mark_left_ms;		/* when it went out; 0 not yet */
	int marked;
	unsigned opens;
	port_input_cb *input_cb;
	port_drain_cb *drain_cb;
	void *cb_arg;
};

static void port_flush(struct port *p);

static uint64_t
port_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* 8N1: ten bits on the wire per byte. */
static void
pace_init(struct pace *pc, unsigned long baud)
{
	pc->rate = (double)baud / 10.0;
	pc->burst = pc->rate * PORT_BURST_SEC;
	if (pc->burst < 1)
		pc->burst = 1;
	pc->tokens = 0;
	pc->last_us = port_now_us();
}

/* How many of want bytes may move now. */
static size_t
pace_allow(struct pace *pc, size_t want)
{
	uint64_t now;
	double n;

	if (pc->rate == 0)
		return want;
	now = port_now_us();
	pc->tokens += (double)(now - pc->last_us) * pc->rate / 1e6;
	if (pc->tokens > pc->burst)
		pc->tokens = pc->burst;
	pc->last_us = now;
	n = pc->tokens < 0 ? 0 : pc->tokens;
	return (size_t)n < want ? (size_t)n : want;
}

static void
pace_consume(struct pace *pc, size_t n)
{
	if (pc->rate != 0)
		pc->tokens -= (double)n;
}

static void
port_arm_tick(struct port *p)
{
	struct timeval tv = { 0, PORT_TICK_US };

	if (!evtimer_pending(p->ev_tick, NULL))
		evtimer_add(p->ev_tick, &tv);
}

/* Nobody has the slave open: stop reading, drop what was queued, and poll
 * until a reader comes back (a real UART loses bytes nobody listens to). */
static void
port_reader_lost(struct port *p)
{
	struct timeval tv = { 0, PORT_HUP_MS * 1000 };
	size_t n = evbuffer_get_length(p->outq);

	if (!p->reader)
		return;
	p->reader = 0;
	event_del(p->ev_read);
	event_del(p->ev_write);
	if (n > 0) {
		p->bytes_dropped += n;
		trace_bytes(p->sim->trace, "drop", evbuffer_pullup(p->outq, -1), n);
		evbuffer_drain(p->outq, n);
	}
	event_add(p->ev_hup, &tv);
	sim_event(p->sim, "event", "port reader closed");
}

/* Timer while no reader: a reader is back when the master stops reporting HUP. */
static void
port_hup_cb(int fd, short what, void *arg)
{
	struct port *p = arg;
	struct pollfd pfd = { .fd = p->master, .events = POLLIN };

	if (p->master == -1 || poll(&pfd, 1, 0) == -1 || (pfd.revents & POLLHUP))
		return;
	event_del(p->ev_hup);
	p->reader = 1;
	p->read_blocked = 0;
	event_add(p->ev_read, NULL);
	sim_event(p->sim, "event", "port reader opened");
	port_flush(p);
}

static void
port_read_cb(int fd, short what, void *arg)
{
	struct port *p = arg;
	unsigned char buf[4096];
	size_t allow;
	ssize_t n;

	allow = pace_allow(&p->in, sizeof(buf));
	if (allow == 0) {
		event_del(p->ev_read);
		p->read_blocked = 1;
		port_arm_tick(p);
		return;
	}
	n = read(p->master, buf, allow);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		port_reader_lost(p);
		return;
	}
	pace_consume(&p->in, (size_t)n);
	p->bytes_in += (uint64_t)n;
	trace_bytes(p->sim->trace, p->rx, buf, (size_t)n);
	if (p->input_cb != NULL)
		p->input_cb(p->cb_arg, buf, (size_t)n);
}

/* Writes of one event-loop pass go out together (one write, one trace line). */
static void
port_write_cb(int fd, short what, void *arg)
{
	port_flush(arg);
}

/* Pacing timer: resume whichever direction waited for tokens. */
static void
port_tick_cb(int fd, short what, void *arg)
{
	struct port *p = arg;

	if (p->master == -1)
		return;
	if (p->read_blocked && p->reader) {
		p->read_blocked = 0;
		event_add(p->ev_read, NULL);
		port_read_cb(p->master, EV_READ, p);
	}
	port_flush(p);
}

/* Write as much of the output queue as the pacing and the pty allow. */
static void
port_flush(struct port *p)
{
	size_t len, allow;
	ssize_t n;
	int was_high = evbuffer_get_length(p->outq) >= PORT_LOW_WATER;

	while (p->master != -1 && p->reader && (len = evbuffer_get_length(p->outq)) > 0) {
		allow = pace_allow(&p->out, len < 4096 ? len : 4096);
		if (allow == 0) {
			port_arm_tick(p);
			break;
		}
		n = write(p->master, evbuffer_pullup(p->outq, (ssize_t)allow), allow);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			event_add(p->ev_write, NULL);
			break;
		}
		if (n <= 0) {
			port_reader_lost(p);
			break;
		}
		trace_bytes(p->sim->trace, p->tx, evbuffer_pullup(p->outq, n), (size_t)n);
		evbuffer_drain(p->outq, (size_t)n);
		pace_consume(&p->out, (size_t)n);
		p->bytes_out += (uint64_t)n;
		if (p->marked && p->mark_left_ms == 0 && p->bytes_out >= p->mark)
			p->mark_left_ms = port_now_us() / 1000;
	}
	if ((was_high || evbuffer_get_length(p->outq) == 0) &&
	    evbuffer_get_length(p->outq) < PORT_LOW_WATER && p->drain_cb != NULL)
		p->drain_cb(p->cb_arg);
}

void
port_mark(struct port *p)
{
	p->marked = 1;
	p->mark = p->bytes_out + evbuffer_get_length(p->outq);
	p->mark_left_ms = evbuffer_get_length(p->outq) == 0 ? port_now_us() / 1000 : 0;
}

uint64_t
port_mark_left_ms(const struct port *p)
{
	return p->marked ? p->mark_left_ms : UINT64_MAX;
}

struct port *
port_new(struct sim *sim, int idx)
{
	struct port *p = xcalloc(1, sizeof(*p));

	p->sim = sim;
	p->idx = idx;
	if (sim->opt.link != NULL && idx == 0)
		p->link = xstrdup(sim->opt.link);
	else if (sim->opt.link != NULL)
		xasprintf(&p->link, "%s.%d", sim->opt.link, idx);
	snprintf(p->rx, sizeof(p->rx), idx == 0 ? "rx" : "rx%d", idx);
	snprintf(p->tx, sizeof(p->tx), idx == 0 ? "tx" : "tx%d", idx);
	p->master = -1;
	p->outq = evbuffer_new();
	p->ev_tick = evtimer_new(sim->base, port_tick_cb, p);
	p->ev_hup = event_new(sim->base, -1, EV_PERSIST, port_hup_cb, p);
	p->ev_flush = event_new(sim->base, -1, 0, port_write_cb, p);
	if (p->outq == NULL || p->ev_tick == NULL || p->ev_hup == NULL || p->ev_flush == NULL)
		fatalx("port: out of memory");
	return p;
}

void
port_set_callbacks(struct port *p, port_input_cb *in, port_drain_cb *drain, void *arg)
{
	p->input_cb = in;
	p->drain_cb = drain;
	p->cb_arg = arg;
}

/* Raw mode (cfmakeraw) through a short-lived slave descriptor. */
static int
port_make_raw(const char *path, unsigned long baud)
{
	struct termios tio;
	int fd;

	if ((fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (tcgetattr(fd, &tio) == -1) {
		close(fd);
		return -1;
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	if (baud == 9600)
		cfsetspeed(&tio, B9600);
	else if (baud == 57600)
		cfsetspeed(&tio, B57600);
	else
		cfsetspeed(&tio, B115200);
	if (tcsetattr(fd, TCSANOW, &tio) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Point --link at the pty: a temporary symlink renamed over the old one. */
static int
port_publish_link(struct port *p)
{
	const char *link = p->link;
	char *tmp;
	int rc;

	if (link == NULL)
		return 0;
	xasprintf(&tmp, "%s.tmp%ld", link, (long)getpid());
	unlink(tmp);
	rc = symlink(p->path, tmp);
	if (rc == 0 && (rc = rename(tmp, link)) == -1)
		unlink(tmp);
	if (rc == -1)
		log_warn("link %s", link);
	free(tmp);
	return rc;
}

/* Remove --link if it still points at our pty. */
static void
port_remove_link(struct port *p)
{
	const char *link = p->link;
	char target[PATH_MAX];
	ssize_t n;

	if (link == NULL)
		return;
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	if (strcmp(target, p->path) == 0)
		unlink(link);
}

int
port_open(struct port *p)
{
	struct timeval hup = { 0, PORT_HUP_MS * 1000 };
	int fd;

	if (p->master != -1)
		return 0;
	fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 || grantpt(fd) == -1 || unlockpt(fd) == -1 ||
	    ptsname_r(fd, p->path, sizeof(p->path)) != 0 ||
	    port_make_raw(p->path, p->sim->opt.baud) == -1) {
		log_warn("pseudo-terminal");
		if (fd != -1)
			close(fd);
		return -1;
	}
	p->master = fd;
	p->ev_read = event_new(p->sim->base, fd, EV_READ | EV_PERSIST, port_read_cb, p);
	p->ev_write = event_new(p->sim->base, fd, EV_WRITE, port_write_cb, p);
	if (p->ev_read == NULL || p->ev_write == NULL)
		fatalx("port: out of memory");
	pace_init(&p->in, p->sim->opt.baud);
	pace_init(&p->out, p->sim->opt.baud);
	evbuffer_drain(p->outq, evbuffer_get_length(p->outq));
	/* Making it raw opened and closed the slave: nobody reads it yet. */
	p->reader = 0;
	p->opens++;
	event_add(p->ev_hup, &hup);
	if (port_publish_link(p) == -1)
		return -1;
	if (p->idx == 0) {
		printf("%s\n", p->path);
		fflush(stdout);
	}
	sim_event(p->sim, "event", "port%s up %s", p->tx + 2, p->path);
	return 0;
}

void
port_close(struct port *p)
{
	if (p->master == -1)
		return;
	port_remove_link(p);
	event_free(p->ev_read);
	event_free(p->ev_write);
	p->ev_read = p->ev_write = NULL;
	event_del(p->ev_tick);
	event_del(p->ev_hup);
	event_del(p->ev_flush);
	close(p->master);
	p->master = -1;
	p->reader = 0;
	p->read_blocked = 0;
	evbuffer_drain(p->outq, evbuffer_get_length(p->outq));
	sim_event(p->sim, "event", "port%s down %s", p->tx + 2, p->path);
}

void
port_free(struct port *p)
{
	if (p == NULL)
		return;
	port_close(p);
	event_free(p->ev_tick);
	event_free(p->ev_hup);
	event_free(p->ev_flush);
	evbuffer_free(p->outq);
	free(p->link);
	free(p);
}

void
port_write(struct port *p, const void *buf, size_t len)
{
	if (len == 0)
		return;
	if (p->master == -1 || !p->reader ||
	    evbuffer_get_length(p->outq) + len > PORT_OUTQ_MAX) {
		p->bytes_dropped += len;
		trace_bytes(p->sim->trace, "drop", buf, len);
		return;
	}
	evbuffer_add(p->outq, buf, len);
	if (!event_pending(p->ev_flush, EV_TIMEOUT, NULL))
		event_active(p->ev_flush, EV_TIMEOUT, 0);
}

size_t
port_queued(const struct port *p)
{
	return evbuffer_get_length(p->outq);
}

int
port_is_open(const struct port *p)
{
	return p->master != -1;
}

int
port_has_reader(const struct port *p)
{
	return p->master != -1 && p->reader;
}

const char *
port_path(const struct port *p)
{
	return p->master != -1 ? p->path : "";
}

void
port_state(const struct port *p, struct evbuffer *out)
{
	if (p->idx > 0) {
		evbuffer_add_printf(out, "pty%d=%s\nreader%d=%d\n", p->idx, port_path(p),
		    p->idx, p->reader);
		return;
	}
	evbuffer_add_printf(out, "port=%s\n", p->master != -1 ? "up" : "down");
	evbuffer_add_printf(out, "pty=%s\n", p->master != -1 ? p->path : "");
	evbuffer_add_printf(out, "reader=%d\n", p->reader);
	evbuffer_add_printf(out, "baud=%lu\n", p->sim->opt.baud);
	evbuffer_add_printf(out, "port_opens=%u\n", p->opens);
	evbuffer_add_printf(out, "bytes_in=%llu\n", (unsigned long long)p->bytes_in);
	evbuffer_add_printf(out, "bytes_out=%llu\n", (unsigned long long)p->bytes_out);
	evbuffer_add_printf(out, "bytes_dropped=%llu\n", (unsigned long long)p->bytes_dropped);
	evbuffer_add_printf(out, "outq=%zu\n", evbuffer_get_length(p->outq));
}
