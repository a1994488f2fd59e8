/* Serial transport on pseudo-terminals: the termios path, exclusive access,
 * reads and writes through libevent, a vanished port, clear errors. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "at/serial.h"

#define LIMIT_MS 5000

struct ctx {
	struct event_base *base;
	char got[256];
	size_t got_len;
	int gone;
	int gone_error;
};

static void
on_read(const uint8_t *buf, size_t len, void *arg)
{
	struct ctx *c = arg;

	if (c->got_len + len < sizeof(c->got)) {
		memcpy(c->got + c->got_len, buf, len);
		c->got_len += len;
	}
}

static void
on_gone(int error, void *arg)
{
	struct ctx *c = arg;

	c->gone++;
	c->gone_error = error;
}

static const struct serial_ops ops = { on_read, on_gone };

/* Open a pty pair; returns the master, slave path in path. */
static int
open_pty(char *path, size_t pathsz)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, path, pathsz), 0);
	return m;
}

static void
loop_until(struct ctx *c, int (*done)(struct ctx *))
{
	uint64_t end = util_now_ms() + LIMIT_MS;
	struct timeval tv = { 0, 20000 };

	while (!done(c)) {
		assert_true(util_now_ms() < end);
		event_base_loopexit(c->base, &tv);
		event_base_dispatch(c->base);
	}
}

static int
got_hello(struct ctx *c)
{
	return c->got_len >= 5;
}

static int
is_gone(struct ctx *c)
{
	return c->gone > 0;
}

/* Read n bytes from fd within the time limit. */
static void
read_exact(int fd, char *buf, size_t n)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		assert_true(poll(&pfd, 1, LIMIT_MS) == 1);
		r = read(fd, buf + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static void
test_pty(void **state)
{
	struct ctx c = { 0 };
	char path[128], err[256], buf[16];
	struct serial_config cfg = { path, 115200, SERIAL_FLOW_NONE };
	struct serial *s, *s2;
	int m = open_pty(path, sizeof(path));

	c.base = event_base_new();
	s = serial_open(c.base, &cfg, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(serial_kind(s), SERIAL_KIND_TERMIOS);
	assert_string_equal(serial_name(s), path);
	serial_start(s, &ops, &c);

	/* a second user is refused clearly */
	s2 = serial_open(c.base, &cfg, err, sizeof(err));
	assert_null(s2);
	assert_non_null(strstr(err, "in use"));

	assert_int_equal(write(m, "hello", 5), 5);
	loop_until(&c, got_hello);
	assert_memory_equal(c.got, "hello", 5);

	/* raw mode: CR and ^Z pass untouched in both directions */
	serial_write(s, "AT\r\x1a", 4);
	read_exact(m, buf, 4);
	assert_memory_equal(buf, "AT\r\x1a", 4);
	assert_int_equal(serial_pending(s), 0);

	/* the modem goes away */
	close(m);
	loop_until(&c, is_gone);
	assert_int_equal(c.gone, 1);
	assert_true(serial_is_gone(s));
	serial_write(s, "AT\r", 3);	/* ignored, no second report */
	serial_close(s);
	event_base_free(c.base);
}

static void
test_symlink_and_flow(void **state)
{
	struct ctx c = { 0 };
	char path[128], link[64], err[256];
	struct serial_config cfg = { link, 9600, SERIAL_FLOW_RTSCTS };
	struct serial *s;
	int m = open_pty(path, sizeof(path));

	snprintf(link, sizeof(link), "/tmp/test_serial.%d", (int)getpid());
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	c.base = event_base_new();
	s = serial_open(c.base, &cfg, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(serial_kind(s), SERIAL_KIND_TERMIOS);
	serial_close(s);
	/* the lock is released on close */
	cfg.flow = SERIAL_FLOW_XONXOFF;
	s = serial_open(c.base, &cfg, err, sizeof(err));
	assert_non_null(s);
	serial_close(s);
	unlink(link);
	close(m);
	event_base_free(c.base);
}

static void
test_errors(void **state)
{
	struct event_base *base = event_base_new();
	char err[256];
	struct serial_config cfg = { "/nonexistent/ttyUSB9", 115200,
	    SERIAL_FLOW_NONE };

	assert_null(serial_open(base, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/ttyUSB9"));
	assert_non_null(strstr(err, "No such file"));
	cfg.path = "/dev/null";
	assert_null(serial_open(base, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "not a serial port"));
	assert_string_equal(serial_kind_name(SERIAL_KIND_UART),
	    "libserialport");
	event_base_free(base);
}

static void
test_fd_eof(void **state)
{
	struct ctx c = { 0 };
	int p[2];
	struct serial *s;

	assert_int_equal(pipe(p), 0);
	c.base = event_base_new();
	s = serial_from_fd(c.base, p[0], "pipe");
	assert_int_equal(serial_kind(s), SERIAL_KIND_FD);
	serial_start(s, &ops, &c);
	assert_int_equal(write(p[1], "hello", 5), 5);
	close(p[1]);
	loop_until(&c, is_gone);
	assert_int_equal(c.got_len, 5);
	assert_int_equal(c.gone_error, 0);	/* end of file */
	serial_close(s);
	event_base_free(c.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pty),
		cmocka_unit_test(test_symlink_and_flow),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_fd_eof),
	};

	log_init("test_serial", LOG_LEVEL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
