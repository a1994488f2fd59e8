/* The relay against a fake modem: a dialect whose socket operations answer
 * from the event loop one at a time, in order, like the AT engine, with
 * sends that can be held back or refused, reads from a scripted module
 * buffer and #SI answers under the test's control. The owner is a
 * struct relay_listener that records what the relay reports (a dead
 * connection, a reconnect, a closed socket) and the data-loss events,
 * instead of running the link's FSM. Local clients are real unix and tcp sockets on the same loop. */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "conf/conf.h"
#include "dialect/dialect.h"
#include "log.h"
#include "modem/modem.h"
#include "relay/relay.h"
#include "util.h"
#include "xmalloc.h"

#define FAKE_MAX_SEND 100
#define DEADLINE_MS 10000

/* ---- the fake module ---- */

enum fake_kind { FK_SEND, FK_RECV, FK_INFO, FK_STATUS };

struct fake_op {
	TAILQ_ENTRY(fake_op) entry;
	enum fake_kind kind;
	dialect_cb *cb;
	void *arg;
	uint8_t *data;
	size_t len;
};

struct fake {
	struct event_base *base;
	struct event *ev;
	TAILQ_HEAD(, fake_op) queue;
	int hold;			/* do not answer the head while it is a send */
	int refuse;			/* answer DIALECT_GONE at once (engine gone) */
	int send_fail;			/* next sends answer ERROR */
	enum sock_state ss;		/* what #SS says */
	struct evbuffer *sent;		/* everything the module took, in order */
	struct evbuffer *module_rx;	/* what the server sent, unread */
	uint64_t conn_sent;		/* the module's #SI sent for this connection */
	uint64_t unacked_max;		/* #SI ack_waiting = min(this, conn_sent) */
	unsigned sends, recvs, infos, statuses;
	size_t max_chunk;
	unsigned queued_max;
	size_t recv_sizes[64];
};

static struct fake fk;

static void fake_run(evutil_socket_t fd, short what, void *arg);

static void
fake_kick(void)
{
	struct timeval tv = { 0, 0 };

	if (!TAILQ_EMPTY(&fk.queue) && !evtimer_pending(fk.ev, NULL))
		evtimer_add(fk.ev, &tv);
}

static void
fake_push(enum fake_kind kind, const void *data, size_t len, dialect_cb *cb, void *arg)
{
	struct fake_op *op;
	struct dialect_reply gone = { .status = DIALECT_GONE, .cme = -1 };
	unsigned n = 1;

	if (fk.refuse) {
		cb(&gone, arg);
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->kind = kind;
	op->cb = cb;
	op->arg = arg;
	op->len = len;
	if (data != NULL) {
		op->data = xmalloc(len);
		memcpy(op->data, data, len);
	}
	TAILQ_INSERT_TAIL(&fk.queue, op, entry);
	TAILQ_FOREACH(op, &fk.queue, entry)
		n++;
	if (n - 1 > fk.queued_max)
		fk.queued_max = n - 1;
	fake_kick();
}

static void
fake_answer(struct fake_op *op)
{
	struct dialect_reply r = { .status = DIALECT_OK, .cme = -1 };
	uint8_t buf[1500];

	switch (op->kind) {
	case FK_SEND:
		if (fk.send_fail > 0) {
			fk.send_fail--;
			r.status = DIALECT_ERROR;
			r.cme = 563;
			snprintf(r.text, sizeof(r.text), "+CME ERROR: 563");
			break;
		}
		evbuffer_add(fk.sent, op->data, op->len);
		fk.conn_sent += op->len;
		if (op->len > fk.max_chunk)
			fk.max_chunk = op->len;
		break;
	case FK_RECV:
		if (fk.recvs <= 64)
			fk.recv_sizes[fk.recvs - 1] = op->len;
		r.u.recv.len = (size_t)evbuffer_remove(fk.module_rx, buf,
		    op->len < sizeof(buf) ? op->len : sizeof(buf));
		r.u.recv.data = buf;
		if (r.u.recv.len == 0) {
			r.status = DIALECT_ERROR;
			r.cme = 555;
		}
		break;
	case FK_INFO:
		r.u.info.sent = fk.conn_sent;
		r.u.info.ack_waiting = fk.conn_sent < fk.unacked_max ? fk.conn_sent : fk.unacked_max;
		r.u.info.buff_in = evbuffer_get_length(fk.module_rx);
		break;
	case FK_STATUS:
		r.u.sock = fk.ss;
		break;
	}
	op->cb(&r, op->arg);
}

/* One answer per pass, in order, like the AT engine. */
static void
fake_run(evutil_socket_t fd, short what, void *arg)
{
	struct fake_op *op = TAILQ_FIRST(&fk.queue);

	if (op == NULL || (fk.hold && op->kind == FK_SEND))
		return;
	TAILQ_REMOVE(&fk.queue, op, entry);
	fake_answer(op);
	free(op->data);
	free(op);
	fake_kick();
}

static void
fake_release(void)
{
	fk.hold = 0;
	fake_kick();
}

/* The engine was freed: nothing in the queue is ever answered. */
static void
fake_drop_all(void)
{
	struct fake_op *op;

	while ((op = TAILQ_FIRST(&fk.queue)) != NULL) {
		TAILQ_REMOVE(&fk.queue, op, entry);
		free(op->data);
		free(op);
	}
}

static void
fake_sock_send(struct at *at, int connid, const void *data, size_t len, dialect_cb *cb,
    void *arg)
{
	assert_true(len > 0 && len <= FAKE_MAX_SEND);
	fk.sends++;
	fake_push(FK_SEND, data, len, cb, arg);
}

static void
fake_sock_recv(struct at *at, int connid, size_t max, dialect_cb *cb, void *arg)
{
	assert_true(max > 0 && max <= 1500);
	fk.recvs++;
	fake_push(FK_RECV, NULL, max, cb, arg);
}

static void
fake_sock_info(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	fk.infos++;
	fake_push(FK_INFO, NULL, 0, cb, arg);
}

static void
fake_sock_status(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	fk.statuses++;
	fake_push(FK_STATUS, NULL, 0, cb, arg);
}

static const struct dialect_ops fake_ops = {
	.name = "fake",
	.max_send = FAKE_MAX_SEND,
	.max_send_cap = 1500,
	.max_read = 1500,
	.sock_id_min = 1,
	.sock_id_max = 6,
	.dial_timeout_ms = 75000,
	.close_timeout_ms = 30000,
	.sock_status = fake_sock_status,
	.sock_info = fake_sock_info,
	.sock_send = fake_sock_send,
	.sock_recv = fake_sock_recv,
};

/* ---- the owner: a relay_listener that records what the relay reports ---- */

struct record {
	int reconnects;
	int dead;
	enum dead_cause dead_cause;
	int remote_closed;
	char events[16][512];
	int n_events;
};

static struct record rec;

static void
rec_reconnect(void *arg)
{
	rec.reconnects++;
}

static void
rec_dead(void *arg, enum dead_cause cause, const char *why)
{
	rec.dead++;
	rec.dead_cause = cause;
}

static void
rec_remote_closed(void *arg)
{
	rec.remote_closed++;
}

/* The link's keepalive sees inbound bytes first; here nothing is a reply. */
static size_t
rec_inbound(void *arg, const uint8_t *data, size_t len)
{
	return 0;
}

static double
rec_ack_poll_interval(void *arg)
{
	return 0.5;
}

static const char *
rec_state_name(void *arg)
{
	return "up";
}

static struct modem *rec_modem(void *arg);
static const struct conf_control *rec_control(void *arg);
static int rec_stopping(void *arg);

static const struct relay_listener rec_listener = {
	.inbound = rec_inbound,
	.dead = rec_dead,
	.reconnect = rec_reconnect,
	.remote_closed = rec_remote_closed,
	.ack_poll_interval = rec_ack_poll_interval,
	.state_name = rec_state_name,
	.modem = rec_modem,
	.control = rec_control,
	.stopping = rec_stopping,
};

/* The sink the relay's data-loss events go to. */
static void
rec_event(void *arg, enum proto_event ev, const char *line)
{
	(void)arg;
	(void)ev;
	if (rec.n_events >= 16)
		return;
	/* "EVENT <name> <args>" recorded as "<name> <args>" */
	snprintf(rec.events[rec.n_events], sizeof(rec.events[0]), "%s", line + 6);
	rec.n_events++;
}

static const struct notify rec_news = { .event = rec_event };

/* ---- the environment ---- */

struct env {
	struct event_base *base;
	struct conf *conf;
	struct modem m;
	int stopping;
	struct relay *r;
	char dir[64];
	char path[128];
	int any;
};

static struct env env;

static struct modem *
rec_modem(void *arg)
{
	return &env.m;
}

static const struct conf_control *
rec_control(void *arg)
{
	return &env.conf->control;
}

static int
rec_stopping(void *arg)
{
	return env.stopping;
}

/* A daemon with one link "a", its local endpoint and extra link keys. */
static void
env_start(const char *local, const char *extra)
{
	struct conf_errors errs;
	char text[2048], where[256];

	memset(&fk, 0, sizeof(fk));
	memset(&rec, 0, sizeof(rec));
	memset(&env, 0, sizeof(env));
	log_init("test_relay", getenv("RELAY_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	snprintf(env.dir, sizeof(env.dir), "/tmp/test-relay-XXXXXX");
	assert_non_null(mkdtemp(env.dir));
	snprintf(env.path, sizeof(env.path), "%s/a.sock", env.dir);
	if (local == NULL)
		snprintf(where, sizeof(where), "unix:%s", env.path);
	else
		snprintf(where, sizeof(where), "%s", local);
	snprintf(text, sizeof(text),
	    "modem: { device = \"/nonexistent\"; };\n"
	    "links = ( { name = \"a\"; host = \"127.0.0.1\"; port = 5000; socket = 1;\n"
	    "  local = \"%s\"; %s } );\n"
	    "control: { socket = \"%s/ctl.sock\"; group = \"\"; mode = \"0660\"; };\n",
	    where, extra ? extra : "", env.dir);
	conf_errors_init(&errs);
	env.conf = conf_load_string(text, "t.conf", &errs);
	for (int i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	assert_non_null(env.conf);
	conf_errors_free(&errs);

	env.base = event_base_new();
	fk.base = env.base;
	fk.ev = evtimer_new(env.base, fake_run, NULL);
	TAILQ_INIT(&fk.queue);
	fk.sent = evbuffer_new();
	fk.module_rx = evbuffer_new();
	fk.ss = SOCK_CONNECTED;

	env.m.base = env.base;
	env.m.conf = env.conf;
	env.m.ops = &fake_ops;
	env.m.at = (struct at *)&env.any;
	env.m.state = MODEM_READY;
	env.m.opens = 1;
	env.r = relay_new(env.base, "a", &env.conf->links[0], &rec_news, &rec_listener);
	assert_non_null(env.r);
}

static void
pump(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(env.base, &tv);
	event_base_dispatch(env.base);
}

/* Run the loop until pred() holds; fail after the deadline. */
static void
run_until(int (*pred)(void), const char *what)
{
	uint64_t end = util_now_ms() + DEADLINE_MS;

	while (!pred()) {
		if (util_now_ms() > end)
			fail_msg("timed out waiting for %s", what);
		pump(2);
	}
}

/* The ledger's identities hold, and its mirrors match the queues. */
static void
check_ledger(void)
{
	const struct relay_ledger *lg = relay_ledger(env.r);

	assert_true(ledger_check(lg));
	assert_int_equal(lg->queued, relay_tx_queued(env.r));
	assert_int_equal(lg->held, relay_rx_queued(env.r));
}

static void
env_stop(void)
{
	char cmd[128];

	env.stopping = 1;
	if (env.r != NULL)
		check_ledger();
	relay_free(env.r);
	fake_drop_all();
	event_free(fk.ev);
	evbuffer_free(fk.sent);
	evbuffer_free(fk.module_rx);
	event_base_free(env.base);
	conf_free(env.conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", env.dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- local clients ---- */

static int
client_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static int
client_tcp(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Write everything, running the loop while the socket is full. */
static void
client_write(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t end = util_now_ms() + DEADLINE_MS;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		assert_true(n == -1 && errno == EAGAIN);
		if (util_now_ms() > end)
			fail_msg("client write timed out, %zu bytes left", len);
		pump(2);
	}
}

/* Write as much as the socket takes now, pumping a little; returns bytes. */
static size_t
client_write_some(int fd, const uint8_t *buf, size_t len, int rounds)
{
	size_t done = 0;

	for (int i = 0; i < rounds && done < len; i++) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n > 0)
			done += (size_t)n;
		pump(2);
	}
	return done;
}

/* Read exactly len bytes. */
static void
client_read(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t end = util_now_ms() + DEADLINE_MS;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			fail_msg("EOF with %zu bytes still expected", len);
		assert_true(errno == EAGAIN);
		if (util_now_ms() > end)
			fail_msg("client read timed out, %zu bytes left", len);
		pump(2);
	}
}

/* Wait for EOF (after reading nothing more). */
static void
client_eof(int fd)
{
	uint64_t end = util_now_ms() + DEADLINE_MS;
	uint8_t b;

	for (;;) {
		ssize_t n = read(fd, &b, 1);
		if (n == 0)
			return;
		if (n > 0)
			fail_msg("unexpected byte 0x%02x before EOF", b);
		if (errno == ECONNRESET)
			return;
		assert_true(errno == EAGAIN);
		if (util_now_ms() > end)
			fail_msg("no EOF");
		pump(2);
	}
}

static void
fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < len; i++) {
		if (i % 512 < 256) {
			buf[i] = (uint8_t)(i % 256);	/* every byte value */
			continue;
		}
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}

static int
sent_is(size_t n)
{
	return evbuffer_get_length(fk.sent) == n;
}

static size_t want_n;

static int
sent_want(void)
{
	return sent_is(want_n);
}

static int
acked_want(void)
{
	return relay_counters(env.r)->acked == want_n;
}

static int
has_client(void)
{
	return relay_has_client(env.r);
}

static int
no_client(void)
{
	return !relay_has_client(env.r);
}

static int
reconnect_asked(void)
{
	return rec.reconnects > 0;
}

static int
queue_idle(void)
{
	return TAILQ_EMPTY(&fk.queue);
}

static int
has_event(void)
{
	return rec.n_events > 0;
}

static void
check_sent(const uint8_t *want, size_t len)
{
	uint8_t *got = xmalloc(len ? len : 1);

	assert_int_equal(evbuffer_get_length(fk.sent), len);
	evbuffer_copyout(fk.sent, got, len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* ---- tests ---- */

/* Bytes both ways through a unix endpoint: every byte value, chunks of at
 * most max_send, one send in flight at a time, counters that add up. */
static void
test_roundtrip(void **state)
{
	size_t out_len = 10240, in_len = 5000;
	uint8_t *out = xmalloc(out_len), *in = xmalloc(in_len), *got = xmalloc(in_len);
	const struct relay_counters *c;
	int fd;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client to be accepted");
	fill_pattern(out, out_len, 7);
	client_write(fd, out, out_len);
	want_n = out_len;
	run_until(sent_want, "every byte sent");
	check_sent(out, out_len);
	assert_int_equal(fk.max_chunk, FAKE_MAX_SEND);
	assert_true(fk.queued_max <= 2);	/* one send, maybe one #SI */

	fill_pattern(in, in_len, 99);
	evbuffer_add(fk.module_rx, in, in_len);
	relay_data(env.r, (long)in_len);
	client_read(fd, got, in_len);
	assert_memory_equal(got, in, in_len);
	assert_int_equal(evbuffer_get_length(fk.module_rx), 0);
	/* 5000 announced: 1500, 1500, 1500, 500, no read to find it empty */
	assert_int_equal(fk.recvs, 4);

	run_until(acked_want, "the acknowledgements (#SI)");
	c = relay_counters(env.r);
	assert_int_equal(c->accepted, out_len);
	assert_int_equal(c->sent, out_len);
	assert_int_equal(c->received, in_len);
	assert_int_equal(c->delivered, in_len);
	assert_int_equal(c->clients, 1);
	assert_int_equal(relay_tx_queued(env.r), 0);
	assert_int_equal(relay_rx_queued(env.r), 0);
	assert_int_equal(relay_unacked(env.r), 0);
	close(fd);
	free(out);
	free(in);
	free(got);
	env_stop();
}

/* A second client gets one line saying why and is closed; the first keeps
 * working. */
static void
test_second_client_refused(void **state)
{
	char buf[128] = { 0 };
	const char *want = "cellsockd: link a already has a client\n";
	int a, b;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	a = client_unix(env.path);
	run_until(has_client, "the first client");
	b = client_unix(env.path);
	client_read(b, buf, strlen(want));
	assert_string_equal(buf, want);
	client_eof(b);
	assert_int_equal(relay_counters(env.r)->refused, 1);
	client_write(a, "ok", 2);
	want_n = 2;
	run_until(sent_want, "the first client's bytes");
	close(a);
	close(b);
	env_stop();
}

/* Sends that do not complete fill the queue to tx_buffer; then the relay
 * stops reading the client. When sends resume, every byte goes in order. */
static void
test_tx_backpressure(void **state)
{
	size_t len = 512 * 1024, done;
	uint8_t *buf = xmalloc(len);
	int fd;

	env_start(NULL, "tx_buffer = 4096;");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(buf, len, 3);
	fk.hold = 1;
	done = client_write_some(fd, buf, len, 300);
	assert_true(done < len);	/* the kernel buffers filled up: not read */
	assert_true(relay_tx_queued(env.r) <= 4096);
	assert_true(relay_counters(env.r)->accepted <= 4096 + 64 * 1024);
	assert_int_equal(fk.sends, 1);	/* one in flight, held */
	fake_release();
	client_write(fd, buf + done, len - done);
	want_n = len;
	run_until(sent_want, "every byte sent");
	check_sent(buf, len);
	close(fd);
	free(buf);
	env_stop();
}

static int
rx_paused(void)
{
	return relay_rx_paused(env.r);
}

/* A client that does not read: the buffer toward it stops at rx_buffer and
 * the module keeps the rest; when it reads, everything arrives in order. */
static void
test_rx_backpressure(void **state)
{
	size_t len = 1024 * 1024;
	uint8_t *in = xmalloc(len), *got = xmalloc(len);
	unsigned recvs;
	int fd;

	env_start(NULL, "rx_buffer = 4096;");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(in, len, 5);
	evbuffer_add(fk.module_rx, in, len);
	relay_data(env.r, -1);
	run_until(rx_paused, "reading to pause");
	assert_true(relay_rx_queued(env.r) <= 4096);
	assert_true(evbuffer_get_length(fk.module_rx) > 0);
	recvs = fk.recvs;
	pump(50);
	assert_int_equal(fk.recvs, recvs);	/* no read while paused */
	client_read(fd, got, len);
	assert_memory_equal(got, in, len);
	assert_int_equal(relay_counters(env.r)->delivered, len);
	close(fd);
	free(in);
	free(got);
	env_stop();
}

/* Data announced without an amount (#SS after a lost SRING): full reads
 * continue, the empty read ends the loop. */
static void
test_read_unknown_amount(void **state)
{
	uint8_t in[3000], got[3000];
	int fd;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(in, sizeof(in), 11);
	evbuffer_add(fk.module_rx, in, sizeof(in));
	relay_data(env.r, -1);
	client_read(fd, got, sizeof(got));
	assert_memory_equal(got, in, sizeof(in));
	run_until(queue_idle, "the reads to end");
	assert_int_equal(fk.recvs, 3);	/* 1500, 1500, then empty (ERROR) */
	/* A short read ends the loop without asking again. */
	evbuffer_add(fk.module_rx, in, 700);
	relay_data(env.r, -1);
	client_read(fd, got, 700);
	run_until(queue_idle, "the reads to end");
	assert_int_equal(fk.recvs, 4);
	close(fd);
	env_stop();
}

/* Server bytes that arrive before the client connects wait for it. */
static void
test_rx_waits_for_client(void **state)
{
	uint8_t got[5];
	int fd;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	evbuffer_add(fk.module_rx, "HELLO", 5);
	relay_data(env.r, 5);
	run_until(queue_idle, "the read");
	assert_int_equal(relay_rx_queued(env.r), 5);
	fd = client_unix(env.path);
	client_read(fd, got, 5);
	assert_memory_equal(got, "HELLO", 5);
	close(fd);
	env_stop();
}

/* Transparent: the link dies with bytes queued, in flight and unread at the
 * module. The client gets what the server sent, then EOF; the loss is
 * reported; a client that connects while the link is down waits, and its
 * bytes go out when the link is up again. */
static void
test_transparent_down(void **state)
{
	uint8_t out[500], got[30], in[30];
	char *ev;
	int a, b;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	a = client_unix(env.path);
	run_until(has_client, "the client");
	fk.hold = 1;
	fk.unacked_max = 1000000;	/* the server acknowledges nothing */
	fill_pattern(out, sizeof(out), 1);
	client_write(a, out, sizeof(out));
	pump(20);
	assert_int_equal(fk.sends, 1);
	fill_pattern(in, sizeof(in), 2);
	evbuffer_add(fk.module_rx, in, sizeof(in));	/* SRING lost */
	relay_link_down(env.r, CAUSE_REMOTE_CLOSE);
	fake_release();			/* the send in flight completes */
	client_read(a, got, sizeof(got));
	assert_memory_equal(got, in, sizeof(in));
	client_eof(a);
	assert_int_equal(rec.n_events, 1);
	ev = rec.events[0];
	assert_non_null(strstr(ev, "data-loss name=a bytes=500 lost=500 unsent=400 unacked=100 "));
	assert_non_null(strstr(ev, "resend=0 cause=remote-close"));
	assert_int_equal(relay_counters(env.r)->lost_unsent, 400);
	assert_int_equal(relay_counters(env.r)->lost_unacked, 100);
	assert_int_equal(relay_tx_queued(env.r), 0);

	b = client_unix(env.path);
	run_until(has_client, "the new client");
	client_write(b, "next", 4);
	pump(20);
	assert_int_equal(relay_tx_queued(env.r), 4);
	assert_int_equal(evbuffer_get_length(fk.sent), 100);
	evbuffer_drain(fk.sent, 100);
	fk.conn_sent = 0;
	relay_link_up(env.r);
	want_n = 4;
	run_until(sent_want, "the waiting client's bytes");
	check_sent((const uint8_t *)"next", 4);
	close(a);
	close(b);
	env_stop();
}

/* Transparent: a client that closes ends the session: its last bytes are
 * sent, then the relay asks the link to reconnect; no loss is reported. */
static void
test_transparent_client_close(void **state)
{
	int fd, b;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fk.hold = 1;
	client_write(fd, "bye bye", 7);
	close(fd);
	pump(20);
	assert_int_equal(rec.reconnects, 0);	/* not before the bytes are out */
	fake_release();
	want_n = 7;
	run_until(sent_want, "the last bytes");
	pump(10);
	assert_int_equal(rec.reconnects, 1);
	/* the next client arrives before the link went down: it waits in the
	 * backlog instead of being refused */
	b = client_unix(env.path);
	client_write(b, "next", 4);
	pump(20);
	assert_int_equal(relay_counters(env.r)->refused, 0);
	relay_link_down(env.r, CAUSE_OPERATOR);
	run_until(queue_idle, "the final #SI");
	assert_int_equal(rec.n_events, 0);	/* all acknowledged: nothing at risk */
	run_until(has_client, "the waiting client");
	assert_int_equal(relay_counters(env.r)->clients, 2);
	fk.conn_sent = 0;
	relay_link_up(env.r);
	want_n = 11;
	run_until(sent_want, "its bytes on the new connection");
	check_sent((const uint8_t *)"bye byenext", 11);
	close(b);
	env_stop();
}

/* Persistent with resend_unacked: bytes not acknowledged when the
 * connection dies are sent again first on the next one, queued ones after;
 * the client stays connected throughout. */
static void
test_persistent_resend(void **state)
{
	uint8_t out[1200];
	size_t n;
	uint8_t *got;
	int fd;

	env_start(NULL, "session = \"persistent\"; resend_unacked = true;");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(out, sizeof(out), 9);
	fk.unacked_max = 300;
	client_write(fd, out, 1000);
	want_n = 700;
	run_until(acked_want, "700 bytes acknowledged");
	assert_int_equal(relay_unacked(env.r), 300);
	relay_link_down(env.r, CAUSE_PROBE_TIMEOUT);
	run_until(has_event, "the data-loss event");
	assert_non_null(strstr(rec.events[0], "bytes=300 lost=0 unsent=0 unacked=300 "));
	assert_non_null(strstr(rec.events[0], "resend=1 cause=probe-timeout"));
	client_write(fd, out + 1000, 200);	/* while down: queued */
	pump(20);
	assert_int_equal(relay_tx_queued(env.r), 500);
	assert_true(relay_has_client(env.r));

	evbuffer_drain(fk.sent, 1000);
	fk.conn_sent = 0;
	fk.unacked_max = 0;
	relay_link_up(env.r);
	want_n = 500;
	run_until(sent_want, "the resend and the new bytes");
	n = evbuffer_get_length(fk.sent);
	got = evbuffer_pullup(fk.sent, (ev_ssize_t)n);
	assert_memory_equal(got, out + 700, 500);
	assert_int_equal(relay_counters(env.r)->resent, 300);
	assert_int_equal(relay_counters(env.r)->sent, 1500);	/* 1000 + 300 again + 200 */
	assert_int_equal(relay_counters(env.r)->accepted, 1200);
	assert_int_equal(relay_counters(env.r)->lost_unacked, 0);
	close(fd);
	env_stop();
}

/* The link ends for good (relay_stop): no new bytes, the queue still goes
 * out, and what the server did not acknowledge is lost, not kept for a
 * resend, in one event with why=stop. */
static void
test_stop_drains_then_reports(void **state)
{
	uint8_t out[1000];
	int fd;

	env_start(NULL, "session = \"persistent\"; resend_unacked = true;");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(out, sizeof(out), 5);
	fk.unacked_max = 300;
	client_write(fd, out, 1000);
	want_n = 700;
	run_until(acked_want, "700 bytes acknowledged");
	assert_false(relay_drained(env.r));
	relay_stop(env.r, "stop");
	assert_int_equal(relay_send(env.r, "x", 1), -1);	/* takes nothing new */
	relay_link_down(env.r, CAUSE_OPERATOR);
	run_until(has_event, "the data-loss event");
	assert_non_null(strstr(rec.events[0], "bytes=300 lost=300 unsent=0 unacked=300 "));
	assert_non_null(strstr(rec.events[0], "resend=0 cause=operator why=stop"));
	assert_int_equal(relay_tx_queued(env.r), 0);
	assert_int_equal(relay_counters(env.r)->lost_unacked, 300);
	check_ledger();
	close(fd);
	env_stop();
	assert_int_equal(rec.n_events, 1);	/* nothing left for relay_free */
}

/* A persistent link that is down when it ends: its queue is reported by
 * relay_free. */
static void
test_stop_while_down(void **state)
{
	uint8_t out[400];
	int fd;

	env_start(NULL, "session = \"persistent\";");
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(out, sizeof(out), 6);
	client_write(fd, out, 400);
	pump(20);
	assert_int_equal(relay_tx_queued(env.r), 400);
	relay_stop(env.r, "removed");
	assert_true(relay_drained(env.r) == 0);
	check_ledger();
	close(fd);
	env_stop();
	assert_int_equal(rec.n_events, 1);
	assert_non_null(strstr(rec.events[0], "bytes=400 lost=400 unsent=400 unacked=0 "));
	assert_non_null(strstr(rec.events[0], "cause=operator why=removed"));
}

/* Persistent without resend: queued bytes survive (they were never sent),
 * unacknowledged ones are reported lost; a send whose answer can never
 * come (the engine was replaced) counts as unsent. */
static void
test_persistent_no_resend(void **state)
{
	uint8_t out[400];
	int fd;

	env_start(NULL, "session = \"persistent\";");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(out, sizeof(out), 4);
	fk.unacked_max = 1000000;	/* nothing is acknowledged */
	client_write(fd, out, 150);
	want_n = 150;
	run_until(sent_want, "150 bytes sent");
	fk.hold = 1;
	client_write(fd, out + 150, 250);
	pump(20);
	relay_link_down(env.r, CAUSE_REMOTE_RESET);
	fake_drop_all();		/* the held send never completes... */
	env.m.opens++;			/* ...because the engine was replaced */
	evbuffer_drain(fk.sent, evbuffer_get_length(fk.sent));
	fk.hold = 0;
	fk.conn_sent = 0;
	relay_link_up(env.r);
	assert_int_equal(rec.n_events, 1);
	assert_non_null(strstr(rec.events[0], "unsent=250 unacked=150 "));
	assert_non_null(strstr(rec.events[0], "lost=150 "));
	assert_non_null(strstr(rec.events[0], "resend=0 cause=remote-reset"));
	want_n = 250;
	run_until(sent_want, "the queued bytes on the new connection");
	check_sent(out + 150, 250);
	assert_int_equal(relay_counters(env.r)->lost_unacked, 150);
	close(fd);
	env_stop();
}

/* The #SI after a death is believed when the socket still holds its TCP
 * state (an operator's reconnect), not after a reset. */
static void
test_final_info_trust(void **state)
{
	uint8_t out[100];
	int fd;

	env_start(NULL, "session = \"persistent\";");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fill_pattern(out, sizeof(out), 8);
	fk.unacked_max = 1000000;
	client_write(fd, out, 100);
	want_n = 100;
	run_until(sent_want, "100 bytes");
	fk.unacked_max = 0;		/* after the reset the module says 0 */
	relay_link_down(env.r, CAUSE_REMOTE_RESET);
	run_until(has_event, "the data-loss event");
	assert_non_null(strstr(rec.events[0], "lost=100 unsent=0 unacked=100 "));

	fk.conn_sent = 0;
	relay_link_up(env.r);
	fk.unacked_max = 1000000;
	client_write(fd, out, 100);
	want_n = 200;
	run_until(sent_want, "100 more bytes");
	fk.unacked_max = 0;		/* acknowledged just before the teardown */
	relay_link_down(env.r, CAUSE_OPERATOR);
	run_until(queue_idle, "the final #SI");
	pump(10);
	assert_int_equal(rec.n_events, 1);
	assert_int_equal(relay_counters(env.r)->acked, 100);
	close(fd);
	env_stop();
}

/* A refused send on an open socket is tried again (the module was full);
 * on a closed socket the link is told to find out why. */
static void
test_send_refused(void **state)
{
	int fd;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fk.send_fail = 2;
	client_write(fd, "abc", 3);
	want_n = 3;
	run_until(sent_want, "the bytes after two refusals");
	check_sent((const uint8_t *)"abc", 3);
	assert_int_equal(fk.statuses, 2);
	assert_int_equal(rec.dead, 0);

	fk.send_fail = 1;
	fk.ss = SOCK_CLOSED;
	client_write(fd, "d", 1);
	run_until(queue_idle, "the status check");
	pump(10);
	assert_int_equal(rec.remote_closed, 1);
	close(fd);
	env_stop();
}

/* The operator's send: only while up, never beyond tx_buffer. */
static void
test_operator_send(void **state)
{
	static uint8_t big[2000];

	env_start(NULL, "tx_buffer = 1024;");
	assert_int_equal(relay_send(env.r, "x", 1), -1);	/* not up */
	relay_link_up(env.r);
	assert_int_equal(relay_send(env.r, "PING", 4), 0);
	assert_int_equal(relay_send(env.r, big, sizeof(big)), -1);
	want_n = 4;
	run_until(sent_want, "PING");
	check_sent((const uint8_t *)"PING", 4);
	assert_int_equal(relay_counters(env.r)->accepted, 4);
	env_stop();
}

static int
free_tcp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* A tcp endpoint on loopback works the same; a reload that moves the
 * endpoint rebinds it and removes the old socket file. */
static void
test_tcp_and_reconfigure(void **state)
{
	char local[64];
	uint8_t got[3];
	int port = free_tcp_port(), fd;
	struct conf_link *c;

	snprintf(local, sizeof(local), "tcp:127.0.0.1:%d", port);
	env_start(local, NULL);
	relay_link_up(env.r);
	fd = client_tcp(port);
	run_until(has_client, "the tcp client");
	client_write(fd, "tcp", 3);
	want_n = 3;
	run_until(sent_want, "the tcp bytes");
	evbuffer_add(fk.module_rx, "pct", 3);
	relay_data(env.r, 3);
	client_read(fd, got, 3);
	assert_memory_equal(got, "pct", 3);

	/* the reload: the same link now listens on a unix path */
	c = &env.conf->links[0];
	free(c->local);
	free(c->local_addr);
	c->local_addr = NULL;
	c->local_kind = CONF_LOCAL_UNIX;
	c->local_path = xstrdup(env.path);
	xasprintf(&c->local, "unix:%s", env.path);
	relay_reconfigure(env.r, c);
	assert_int_equal(access(env.path, F_OK), 0);
	assert_true(relay_has_client(env.r));	/* the client stays */
	close(fd);
	run_until(reconnect_asked, "the session to end");
	relay_link_down(env.r, CAUSE_OPERATOR);
	run_until(no_client, "the tcp client to go");
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the unix client");
	close(fd);
	relay_free(env.r);
	env.r = NULL;
	assert_int_equal(access(env.path, F_OK), -1);
	env_stop();
}

/* A stale socket file is replaced; a path that is not a socket is not. */
static void
test_stale_socket(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/test-relay-stale-XXXXXX", path[64], cmd[160];
	int fd, c;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.sock", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);		/* the file stays: stale */
	snprintf(cmd, sizeof(cmd), "unix:%s", path);
	env_start(cmd, NULL);
	c = client_unix(path);
	run_until(has_client, "a client on the replaced socket");
	close(c);
	env_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* No local endpoint: what the server sends is counted, not kept. */
static void
test_no_endpoint(void **state)
{
	env_start("", NULL);
	relay_link_up(env.r);
	evbuffer_add(fk.module_rx, "12345", 5);
	relay_data(env.r, 5);
	run_until(queue_idle, "the read");
	assert_int_equal(relay_counters(env.r)->received, 5);
	assert_int_equal(relay_counters(env.r)->undelivered, 5);
	assert_int_equal(relay_rx_queued(env.r), 0);
	env_stop();
}

/* The engine goes away with requests in flight: the relay is not stuck,
 * and a relay freed while the engine still runs waits for the answers. */
static void
test_engine_gone(void **state)
{
	int fd;

	env_start(NULL, NULL);
	relay_link_up(env.r);
	fd = client_unix(env.path);
	run_until(has_client, "the client");
	fk.hold = 1;
	client_write(fd, "stuck", 5);
	pump(20);
	fake_drop_all();
	env.m.at = NULL;
	relay_engine_gone(env.r);
	relay_link_down(env.r, CAUSE_MODEM_GONE);
	assert_int_equal(rec.n_events, 1);
	assert_non_null(strstr(rec.events[0], "unsent=5 "));
	env.m.at = (struct at *)&env.any;
	env.m.opens++;
	fk.hold = 0;
	fk.refuse = 1;			/* the new engine refuses at once */
	relay_link_up(env.r);
	close(fd);
	fd = client_unix(env.path);	/* transparent: a new session */
	run_until(has_client, "the new client");
	client_write(fd, "x", 1);
	pump(10);
	fk.refuse = 0;
	close(fd);

	/* freed with a read in flight while the engine lives: the answer
	 * comes to a zombie that frees itself (ASan checks both ways) */
	evbuffer_add(fk.module_rx, "zz", 2);
	relay_data(env.r, 2);
	env.stopping = 0;
	relay_free(env.r);
	env.r = NULL;
	run_until(queue_idle, "the last answer");
	env_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_second_client_refused),
		cmocka_unit_test(test_tx_backpressure),
		cmocka_unit_test(test_rx_backpressure),
		cmocka_unit_test(test_read_unknown_amount),
		cmocka_unit_test(test_rx_waits_for_client),
		cmocka_unit_test(test_transparent_down),
		cmocka_unit_test(test_transparent_client_close),
		cmocka_unit_test(test_persistent_resend),
		cmocka_unit_test(test_persistent_no_resend),
		cmocka_unit_test(test_final_info_trust),
		cmocka_unit_test(test_send_refused),
		cmocka_unit_test(test_operator_send),
		cmocka_unit_test(test_tcp_and_reconfigure),
		cmocka_unit_test(test_stale_socket),
		cmocka_unit_test(test_no_endpoint),
		cmocka_unit_test(test_engine_gone),
		cmocka_unit_test(test_stop_drains_then_reports),
		cmocka_unit_test(test_stop_while_down),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
