/* The Quectel dialect driven through the real AT engine against a scripted
 * fake module on a socketpair: byte-exact commands, answers as the TCP/IP
 * application notes print them (shared/reference/dialects/quectel.md). */
#include "config.h"

#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "util.h"
#include "at/atq.h"
#include "at/mask.h"
#include "at/serial.h"
#include "at/urc.h"
#include "conf/conf.h"
#include "dialect/dialect.h"
#include "dialect/quectel/quectel.h"
#include "../at/fakepeer.h"

#define RUN_LIMIT_MS 5000

struct fixture {
	struct event_base *base;
	struct event *tick;
	struct at *at;
	struct fakepeer *peer;
	struct dialect_listener listener;
	int ready;
	/* events */
	int n_data, data_id, n_closed, closed_id, n_reg, reg_stat, n_booted;
	long data_len;
	enum sock_closure closure;
};

/* One dialect reply, copied. */
struct got {
	int recv;		/* a sock_recv reply: copy the data */
	int calls;
	struct dialect_reply r;
	uint8_t data[256];
	size_t len;
};

static const struct dialect_ops *Q = &dialect_quectel;

static void
on_ready(void *arg)
{
	((struct fixture *)arg)->ready++;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
}

static void
ev_data(int connid, long pending, void *arg)
{
	struct fixture *fx = arg;

	fx->n_data++;
	fx->data_id = connid;
	fx->data_len = pending;
}

static void
ev_closed(int connid, enum sock_closure closure, void *arg)
{
	struct fixture *fx = arg;

	fx->n_closed++;
	fx->closed_id = connid;
	fx->closure = closure;
}

static void
ev_registration(int stat, void *arg)
{
	struct fixture *fx = arg;

	fx->n_reg++;
	fx->reg_stat = stat;
}

static void
ev_booted(void *arg)
{
	struct fixture *fx = arg;

	fx->n_booted++;
}

static void
got_cb(const struct dialect_reply *r, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->r = *r;
	if (g->recv && r->status == DIALECT_OK && r->u.recv.data != NULL &&
	    r->u.recv.len <= sizeof(g->data)) {
		memcpy(g->data, r->u.recv.data, r->u.recv.len);
		g->len = r->u.recv.len;
	}
}

static struct fixture *
fx_new(void)
{
	static const struct at_events events = { on_ready, NULL, NULL };
	static const struct dialect_events dev = { ev_data, ev_closed, ev_registration,
		ev_booted };
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct timeval tv = { 0, 20000 };
	struct at_params p;
	int sv[2];

	at_params_default(&p);
	p.name = "quectel";
	p.dialect = Q->at;
	p.gap_ms = 0;
	p.timeout_ms = 1000;
	p.resync_timeout_ms = 300;
	p.sync_probe = NULL;
	p.trace = 1;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fx->base = event_base_new();
	fx->tick = event_new(fx->base, -1, EV_PERSIST, on_tick, NULL);
	event_add(fx->tick, &tv);
	fx->peer = fakepeer_new(fx->base, sv[1]);
	fx->at = at_new(fx->base, serial_from_fd(fx->base, sv[0], "pair"), &p, &events, fx);
	fx->listener.ev = &dev;
	fx->listener.arg = fx;
	Q->attach(fx->at, &fx->listener);
	fakepeer_expect(fx->peer, "AT\r", "\r\nOK\r\n");
	fakepeer_expect(fx->peer, "ATE0\r", "\r\nOK\r\n");
	return fx;
}

static void
fx_free(struct fixture *fx)
{
	assert_false(fakepeer_mismatch(fx->peer));
	assert_int_equal(fakepeer_unmatched(fx->peer), 0);
	at_free(fx->at);
	fakepeer_free(fx->peer);
	event_free(fx->tick);
	event_base_free(fx->base);
	free(fx);
}

static void
fx_run_until(struct fixture *fx, const int *flag, int want)
{
	uint64_t end = util_now_ms() + RUN_LIMIT_MS;

	while (*flag < want) {
		assert_true(util_now_ms() < end);
		assert_false(fakepeer_mismatch(fx->peer));
		event_base_loop(fx->base, EVLOOP_ONCE);
	}
}

/* Run the loop for ms (let stray bytes arrive). */
static void
fx_run_ms(struct fixture *fx, uint64_t ms)
{
	uint64_t end = util_now_ms() + ms;

	while (util_now_ms() < end)
		event_base_loop(fx->base, EVLOOP_ONCE);
}

/* Expect cmd (with its CR) and answer reply. */
static void
expect(struct fixture *fx, const char *cmd, const char *reply)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s\r", cmd);
	fakepeer_expect(fx->peer, buf, reply);
}

/* ---- bring-up ---- */

static void
test_init(void **state)
{
	struct fixture *fx = fx_new();
	char *init[] = { "AT+QCFG=\"urc/ri/ring\",\"off\"" };
	struct conf_modem c = { .flow_control = CONF_FLOW_RTSCTS, .init = init, .n_init = 1 };
	struct got g = { 0 };

	expect(fx, "AT+CMEE=2", "\r\nOK\r\n");
	expect(fx, "AT+IFC=2,2", "\r\nOK\r\n");
	expect(fx, "AT+QISDE=0", "\r\nERROR\r\n");	/* optional */
	expect(fx, "AT+QCFG=\"urc/ri/ring\",\"off\"", "\r\nOK\r\n");
	Q->init(fx->at, &c, got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_OK);
	fx_free(fx);
}

static void
test_identify_bare_and_prefixed(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 }, h = { 0 };

	expect(fx, "AT+CGMI", "\r\nQuectel\r\n\r\nOK\r\n");
	expect(fx, "AT+CGMM", "\r\nBG96\r\n\r\nOK\r\n");
	expect(fx, "AT+CGMR", "\r\nBG96MAR02A07M1G\r\n\r\nOK\r\n");
	expect(fx, "AT+CGSN", "\r\n866425030000001\r\n\r\nOK\r\n");
	Q->identify(fx->at, got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_OK);
	assert_string_equal(g.r.u.ident.manufacturer, "Quectel");
	assert_string_equal(g.r.u.ident.model, "BG96");
	assert_string_equal(g.r.u.ident.firmware, "BG96MAR02A07M1G");
	assert_string_equal(g.r.u.ident.imei, "866425030000001");

	expect(fx, "AT+CGMI", "\r\n+CGMI: Quectel_Ltd\r\n\r\nOK\r\n");
	expect(fx, "AT+CGMM", "\r\n+CGMM: EC25\r\n\r\nOK\r\n");
	expect(fx, "AT+CGMR", "\r\n+CGMR: EC25EFAR06A06M4G\r\n\r\nOK\r\n");
	expect(fx, "AT+CGSN", "\r\n+CGSN: \"866425030000002\"\r\n\r\nOK\r\n");
	Q->identify(fx->at, got_cb, &h);
	fx_run_until(fx, &h.calls, 1);
	assert_string_equal(h.r.u.ident.manufacturer, "Quectel_Ltd");
	assert_string_equal(h.r.u.ident.model, "EC25");
	assert_string_equal(h.r.u.ident.firmware, "EC25EFAR06A06M4G");
	assert_string_equal(h.r.u.ident.imei, "866425030000002");
	fx_free(fx);
}

static void
test_sim_reg_signal(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 }, f = { 0 };

	expect(fx, "AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	Q->sim_status(fx->at, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.u.sim, SIM_PIN);

	/* quoted, other case, trailing space: the same answer */
	expect(fx, "AT+CPIN?", "\r\n+CPIN: \"Ready\" \r\n\r\nOK\r\n");
	Q->sim_status(fx->at, got_cb, &f);
	fx_run_until(fx, &f.calls, 1);
	assert_int_equal(f.r.status, DIALECT_OK);
	assert_int_equal(f.r.u.sim, SIM_READY);

	expect(fx, "AT+CREG=1", "\r\nOK\r\n");
	expect(fx, "AT+CGREG=1", "\r\nOK\r\n");
	expect(fx, "AT+CEREG=1", "\r\nERROR\r\n");	/* no LTE: optional */
	Q->reg_enable(fx->at, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.status, DIALECT_OK);

	expect(fx, "AT+CGREG?", "\r\n+CGREG: 0,2\r\n\r\nOK\r\n");
	expect(fx, "AT+CEREG?", "\r\n+CEREG: 0,5\r\n\r\nOK\r\n");
	Q->reg_query(fx->at, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.u.reg_stat, 5);

	expect(fx, "AT+CSQ", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
	expect(fx, "AT+COPS?", "\r\n+COPS: 0,0,\"Vodafone\",8\r\n\r\nOK\r\n");
	Q->signal(fx->at, got_cb, &d);
	fx_run_until(fx, &d.calls, 1);
	assert_int_equal(d.r.u.signal.rssi, 20);
	assert_int_equal(d.r.u.signal.dbm, -73);
	assert_string_equal(d.r.u.signal.oper, "Vodafone");

	fakepeer_expect(fx->peer, "AT+CPIN=\"1234\"\r", "\r\nOK\r\n");
	Q->sim_unlock(fx->at, "1234", got_cb, &e);
	fx_run_until(fx, &e.calls, 1);
	assert_int_equal(e.r.status, DIALECT_OK);
	fx_free(fx);
}

/* ---- the context ---- */

static void
test_pdp(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };

	expect(fx, "AT+QICSGP=1,1,\"internet\",\"\",\"\",0", "\r\nOK\r\n");
	Q->pdp_define(fx->at, 1, "IP", "internet", "", "", got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.status, DIALECT_OK);

	expect(fx, "AT+QICSGP=2,3,\"apn.x\",\"user\",\"pw\",1", "\r\nOK\r\n");
	Q->pdp_define(fx->at, 2, "IPV4V6", "apn.x", "user", "pw", got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.status, DIALECT_OK);

	/* plain OK: nothing active */
	expect(fx, "AT+QIACT?", "\r\nOK\r\n");
	Q->pdp_query(fx->at, 1, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.status, DIALECT_OK);
	assert_int_equal(c.r.u.pdp.active, 0);

	expect(fx, "AT+QIACT=1", "\r\nOK\r\n");
	expect(fx, "AT+QIACT?", "\r\n+QIACT: 1,1,1,\"10.7.1.2\"\r\n\r\nOK\r\n");
	Q->pdp_activate(fx->at, 1, "", "", got_cb, &d);
	fx_run_until(fx, &d.calls, 1);
	assert_int_equal(d.r.status, DIALECT_OK);
	assert_int_equal(d.r.u.pdp.active, 1);
	assert_string_equal(d.r.u.pdp.ip, "10.7.1.2");

	expect(fx, "AT+QIDEACT=1", "\r\nOK\r\n");
	Q->pdp_deactivate(fx->at, 1, got_cb, &e);
	fx_run_until(fx, &e.calls, 1);
	assert_int_equal(e.r.status, DIALECT_OK);
	fx_free(fx);
}

static void
test_pdp_activate_fails(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 };

	expect(fx, "AT+QIACT=1", "\r\n+CME ERROR: 561\r\n");
	expect(fx, "AT+QIACT?", "\r\nOK\r\n");
	Q->pdp_activate(fx->at, 1, "", "", got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_ERROR);
	assert_int_equal(g.r.cme, 561);
	fx_free(fx);
}

/* AT+QIACT=<id> on an active context answers ERROR: the context reading
 * active afterwards makes the activation a success. */
static void
test_pdp_activate_already_active(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 };

	expect(fx, "AT+QIACT=1", "\r\nERROR\r\n");
	expect(fx, "AT+QIACT?", "\r\n+QIACT: 1,1,1,\"10.7.1.2\"\r\n\r\nOK\r\n");
	Q->pdp_activate(fx->at, 1, "", "", got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_OK);
	assert_int_equal(g.r.cme, -1);
	assert_int_equal(g.r.u.pdp.active, 1);
	assert_string_equal(g.r.u.pdp.ip, "10.7.1.2");
	fx_free(fx);
}

static void
test_credentials_masked(void **state)
{
	char *m = at_mask_dup(&quectel_dialect,
	    "AT+QICSGP=1,1,\"internet\",\"user\",\"secret\",1", 0);

	assert_string_equal(m, "AT+QICSGP=1,1,\"internet\",\"***\",\"***\",1");
	free(m);
}

/* ---- module keepalive ---- */

static const char QICFG_BG95[] =
	"\r\n+QICFG: \"transpktsize\",(1-1460)\r\n"
	"+QICFG: \"tcp/keepalive\",(0,1),(1-120),(25-100),(3-10)\r\n\r\nOK\r\n";
static const char QICFG_SECONDS[] =
	"\r\n+QICFG: \"tcp/keepalive\",(0,1),(1-1800),(25-100),(3-10)\r\n\r\nOK\r\n";

static void
test_keepalive_units(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	expect(fx, "AT+QICFG=?", QICFG_BG95);
	expect(fx, "AT+QICFG=\"tcp/keepalive\",1,5,30,3", "\r\nOK\r\n");
	Q->sock_configure(fx->at, 0, 1, 5, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.status, DIALECT_OK);

	expect(fx, "AT+QICFG=?", QICFG_SECONDS);
	expect(fx, "AT+QICFG=\"tcp/keepalive\",1,300,30,3", "\r\nOK\r\n");
	Q->sock_configure(fx->at, 0, 1, 5, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.status, DIALECT_OK);

	expect(fx, "AT+QICFG=?", QICFG_BG95);
	expect(fx, "AT+QICFG=\"tcp/keepalive\",0", "\r\nOK\r\n");
	Q->sock_configure(fx->at, 0, 1, 0, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.status, DIALECT_OK);

	/* no tcp/keepalive announced: left alone */
	expect(fx, "AT+QICFG=?", "\r\nERROR\r\n");
	Q->sock_configure(fx->at, 0, 1, 5, got_cb, &d);
	fx_run_until(fx, &d.calls, 1);
	assert_int_equal(d.r.status, DIALECT_OK);
	fx_free(fx);
}

/* ---- dial ---- */

#define QIOPEN0 "AT+QIOPEN=1,0,\"TCP\",\"203.0.113.5\",8009,0,0"

static void
test_dial_ok(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 };

	expect(fx, QIOPEN0, "\r\nOK\r\n");
	Q->sock_dial(fx->at, 0, 1, "203.0.113.5", 8009, 2000, got_cb, &g);
	fx_run_ms(fx, 100);
	assert_int_equal(g.calls, 0);		/* OK only started it */
	fakepeer_sends(fx->peer, "\r\n+QIOPEN: 1,0\r\n");	/* another socket's */
	fx_run_ms(fx, 50);
	assert_int_equal(g.calls, 0);
	fakepeer_sends(fx->peer, "\r\n+QIOPEN: 0,0,\"x\"\r\n");	/* newer firmware */
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_OK);
	assert_int_equal(g.r.u.dial, DIAL_ERR_NONE);
	fx_free(fx);
}

static void
test_dial_refused_566(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 };

	expect(fx, "AT+QIOPEN=1,3,\"TCP\",\"example.com\",80,0,0",
	    "\r\nOK\r\n\r\n+QIOPEN: 3,566\r\n");
	Q->sock_dial(fx->at, 3, 1, "example.com", 80, 2000, got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_ERROR);
	assert_int_equal(g.r.cme, 566);
	assert_int_equal(g.r.u.dial, DIAL_ERR_REFUSED);
	assert_string_equal(g.r.text, "+QIOPEN: 3,566");
	fx_free(fx);
}

static void
test_dial_dns_and_command_error(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 };

	expect(fx, QIOPEN0, "\r\nOK\r\n\r\n+QIOPEN: 0,565\r\n");
	Q->sock_dial(fx->at, 0, 1, "203.0.113.5", 8009, 2000, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.u.dial, DIAL_ERR_DNS);

	/* the id is still in use: the command itself fails, verbose */
	expect(fx, QIOPEN0, "\r\n+CME ERROR: socket identity has been used\r\n");
	Q->sock_dial(fx->at, 0, 1, "203.0.113.5", 8009, 2000, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.status, DIALECT_ERROR);
	assert_int_equal(b.r.cme, 563);
	assert_int_equal(b.r.u.dial, DIAL_ERR_OTHER);
	fx_free(fx);
}

static void
test_dial_deadline(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 }, h = { 0 };
	uint64_t t0;

	expect(fx, QIOPEN0, "\r\nOK\r\n");
	t0 = util_now_ms();
	Q->sock_dial(fx->at, 0, 1, "203.0.113.5", 8009, 300, got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_true(util_now_ms() - t0 >= 250);	/* armed at the OK */
	assert_int_equal(g.r.status, DIALECT_TIMEOUT);
	/* a late URC is harmless, and the engine still works */
	fakepeer_sends(fx->peer, "\r\n+QIOPEN: 0,0\r\n");
	expect(fx, "AT+QICLOSE=0,5", "\r\nOK\r\n");
	Q->sock_close(fx->at, 0, 10000, got_cb, &h);
	fx_run_until(fx, &h.calls, 1);
	assert_int_equal(h.r.status, DIALECT_OK);
	assert_int_equal(g.calls, 1);
	fx_free(fx);
}

/* The engine freed while a dial waits for its URC: no callback, no leak. */
static void
test_dial_engine_freed(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 };

	expect(fx, QIOPEN0, "\r\nOK\r\n");
	Q->sock_dial(fx->at, 0, 1, "203.0.113.5", 8009, 200, got_cb, &g);
	fx_run_ms(fx, 100);
	at_free(fx->at);
	fx->at = NULL;
	fx_run_ms(fx, 250);
	assert_int_equal(g.calls, 0);
	fx_free(fx);
}

/* ---- data ---- */

static void
test_recv_binary(void **state)
{
	static const uint8_t data[] = { 'a', '\r', '\n', 'O', 'K', '\r', '\n', 0, 'b', '\r',
		'\n', '>' };
	struct fixture *fx = fx_new();
	struct got g = { .recv = 1 }, h = { .recv = 1 };
	uint8_t reply[64];
	size_t n = 0;

	n += (size_t)snprintf((char *)reply, sizeof(reply), "\r\n+QIRD: %zu\r\n", sizeof(data));
	memcpy(reply + n, data, sizeof(data));
	n += sizeof(data);
	memcpy(reply + n, "\r\n\r\nOK\r\n", 8);
	n += 8;
	fakepeer_expect_bytes(fx->peer, "AT+QIRD=0,1500\r", 15, reply, n);
	Q->sock_recv(fx->at, 0, 1500, got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_OK);
	assert_int_equal(g.len, sizeof(data));
	assert_memory_equal(g.data, data, sizeof(data));

	expect(fx, "AT+QIRD=0,1500", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
	Q->sock_recv(fx->at, 0, 4000, got_cb, &h);	/* capped at 1500 */
	fx_run_until(fx, &h.calls, 1);
	assert_int_equal(h.r.status, DIALECT_OK);
	assert_int_equal(h.r.u.recv.len, 0);
	fx_free(fx);
}

static void
test_send(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 };

	fakepeer_expect(fx->peer, "AT+QISEND=0,5\r", "\r\n> ");
	fakepeer_expect_bytes(fx->peer, "he\0lo", 5, "\r\nSEND OK\r\n", 11);
	Q->sock_send(fx->at, 0, "he\0lo", 5, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.status, DIALECT_OK);

	/* buffer full: an error the relay retries after reading the socket open */
	fakepeer_expect(fx->peer, "AT+QISEND=0,4\r", "\r\n> ");
	fakepeer_expect(fx->peer, "test", "\r\nSEND FAIL\r\n");
	Q->sock_send(fx->at, 0, "test", 4, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.status, DIALECT_ERROR);
	assert_string_equal(b.r.text, "SEND FAIL");

	/* the socket is gone: no prompt */
	fakepeer_expect(fx->peer, "AT+QISEND=0,4\r", "\r\nERROR\r\n");
	Q->sock_send(fx->at, 0, "test", 4, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.status, DIALECT_ERROR);
	assert_string_equal(c.r.text, "ERROR");
	fx_free(fx);
}

/* ---- state and counters ---- */

static void
test_status(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	/* no line for the id: closed */
	expect(fx, "AT+QISTATE=1,3", "\r\nOK\r\n");
	expect(fx, "AT+QIRD=3,0", "\r\nERROR\r\n");
	Q->sock_status(fx->at, 3, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.status, DIALECT_OK);
	assert_int_equal(a.r.u.sock, SOCK_CLOSED);

	expect(fx, "AT+QISTATE=1,0",
	    "\r\n+QISTATE: 0,\"TCP\",\"203.0.113.5\",8009,5087,2,1,0,0,\"usbmodem\"\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=0,0", "\r\n+QIRD: 10,10,0\r\n\r\nOK\r\n");
	Q->sock_status(fx->at, 0, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.u.sock, SOCK_CONNECTED);

	expect(fx, "AT+QISTATE=1,0",
	    "\r\n+QISTATE: 0,\"TCP\",\"203.0.113.5\",8009,5087,2,1,0,0,\"usbmodem\"\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=0,0", "\r\n+QIRD: 10,4,6\r\n\r\nOK\r\n");
	Q->sock_status(fx->at, 0, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.u.sock, SOCK_CONNECTED_DATA);

	/* closing (after "closed"): neither usable nor reusable */
	expect(fx, "AT+QISTATE=1,0",
	    "\r\n+QISTATE: 0,\"TCP\",\"203.0.113.5\",8009,5087,4,1,0,0,\"uart1\"\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=0,0", "\r\n+QIRD: 10,10,0\r\n\r\nOK\r\n");
	Q->sock_status(fx->at, 0, got_cb, &d);
	fx_run_until(fx, &d.calls, 1);
	assert_int_equal(d.r.u.sock, SOCK_OTHER);
	fx_free(fx);
}

/* Answers of other firmware: extra fields, lowercase type, an unknown
 * state, a line about the id that does not read (never "closed"). */
static void
test_status_liberal(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	expect(fx, "AT+QISTATE=1,2",
	    "\r\n+QISTATE: 2,\"tcp\",\"203.0.113.5\",8009,5087,2,1,0,0,\"usbat\",0,9\r\n"
	    "\r\nOK\r\n");
	expect(fx, "AT+QIRD=2,0", "\r\n+QIRD: 10,4,6,0\r\n\r\nOK\r\n");
	Q->sock_status(fx->at, 2, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.u.sock, SOCK_CONNECTED_DATA);

	expect(fx, "AT+QISTATE=1,2",
	    "\r\n+QISTATE: 2,\"TCP\",\"203.0.113.5\",8009,5087,7,1,0,0,\"usbat\"\r\n"
	    "\r\nOK\r\n");
	expect(fx, "AT+QIRD=2,0", "\r\nERROR\r\n");
	Q->sock_status(fx->at, 2, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.status, DIALECT_OK);
	assert_int_equal(b.r.u.sock, SOCK_OTHER);

	expect(fx, "AT+QISTATE=1,2", "\r\n+QISTATE: 2,\"TCP\",garbled\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=2,0", "\r\nERROR\r\n");
	Q->sock_status(fx->at, 2, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.u.sock, SOCK_OTHER);

	/* the other reading of the manual: a line in state 0 is closed */
	expect(fx, "AT+QISTATE=1,2",
	    "\r\n+QISTATE: 2,\"TCP\",\"\",0,0,0,1,0,0,\"usbat\"\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=2,0", "\r\nERROR\r\n");
	Q->sock_status(fx->at, 2, got_cb, &d);
	fx_run_until(fx, &d.calls, 1);
	assert_int_equal(d.r.status, DIALECT_OK);
	assert_int_equal(d.r.u.sock, SOCK_CLOSED);
	fx_free(fx);
}

static void
test_info(void **state)
{
	struct fixture *fx = fx_new();
	struct got g = { 0 }, h = { 0 }, i = { 0 };

	expect(fx, "AT+QISEND=0,0", "\r\n+QISEND: 9,7,2\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=0,0", "\r\n+QIRD: 20,15,5\r\n\r\nOK\r\n");
	Q->sock_info(fx->at, 0, got_cb, &g);
	fx_run_until(fx, &g.calls, 1);
	assert_int_equal(g.r.status, DIALECT_OK);
	assert_int_equal(g.r.u.info.sent, 9);
	assert_int_equal(g.r.u.info.ack_waiting, 2);
	assert_int_equal(g.r.u.info.received, 20);
	assert_int_equal(g.r.u.info.buff_in, 5);

	/* trailing fields of newer firmware */
	expect(fx, "AT+QISEND=1,0", "\r\n+QISEND: 9,7,2,0\r\n\r\nOK\r\n");
	expect(fx, "AT+QIRD=1,0", "\r\n+QIRD: 20,15,5,0\r\n\r\nOK\r\n");
	Q->sock_info(fx->at, 1, got_cb, &i);
	fx_run_until(fx, &i.calls, 1);
	assert_int_equal(i.r.status, DIALECT_OK);
	assert_int_equal(i.r.u.info.ack_waiting, 2);
	assert_int_equal(i.r.u.info.buff_in, 5);

	expect(fx, "AT+QISEND=4,0", "\r\nERROR\r\n");
	expect(fx, "AT+QIRD=4,0", "\r\nERROR\r\n");
	Q->sock_info(fx->at, 4, got_cb, &h);
	fx_run_until(fx, &h.calls, 1);
	assert_int_equal(h.r.status, DIALECT_ERROR);
	fx_free(fx);
}

static void
test_close_closure_radio(void **state)
{
	struct fixture *fx = fx_new();
	struct got a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };

	expect(fx, "AT+QICLOSE=11,5", "\r\nOK\r\n");
	Q->sock_close(fx->at, 11, Q->close_timeout_ms, got_cb, &a);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.r.status, DIALECT_OK);

	expect(fx, "AT+QIGETERROR", "\r\n+QIGETERROR: 570,\"PDP context broken down\"\r\n\r\nOK\r\n");
	Q->sock_closure(fx->at, 0, got_cb, &b);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.r.u.closure, CLOSURE_PDP);

	expect(fx, "AT+QIGETERROR", "\r\n+QIGETERROR: 0,\"operation successful\"\r\n\r\nOK\r\n");
	Q->sock_closure(fx->at, 0, got_cb, &c);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.r.u.closure, CLOSURE_UNKNOWN);

	expect(fx, "AT+CFUN=0", "\r\nOK\r\n");
	expect(fx, "AT+CFUN=1", "\r\nOK\r\n");
	Q->radio(fx->at, 0, got_cb, &d);
	Q->radio(fx->at, 1, got_cb, &d);
	fx_run_until(fx, &d.calls, 2);

	expect(fx, "AT+CFUN=1,1", "\r\nOK\r\n");
	Q->reboot(fx->at, got_cb, &e);
	fx_run_until(fx, &e.calls, 1);
	assert_int_equal(e.r.status, DIALECT_OK);
	fx_free(fx);
}

/* ---- URCs ---- */

static void
test_urcs(void **state)
{
	struct fixture *fx = fx_new();

	fx_run_until(fx, &fx->ready, 1);
	fakepeer_sends(fx->peer, "\r\n+QIURC: \"recv\",2\r\n");
	fx_run_until(fx, &fx->n_data, 1);
	assert_int_equal(fx->data_id, 2);
	assert_int_equal(fx->data_len, -1);

	/* recv_ind=1: the length is only what had come when the one URC was
	 * sent (no other comes until a read empties the buffer), so the
	 * supervisor reads until a short read: the amount is not passed on */
	fakepeer_sends(fx->peer, "\r\n+QIURC: \"recv\",0,37\r\n");
	fx_run_until(fx, &fx->n_data, 2);
	assert_int_equal(fx->data_id, 0);
	assert_int_equal(fx->data_len, -1);

	fakepeer_sends(fx->peer, "\r\n+QIURC: \"closed\",4\r\n");
	fx_run_until(fx, &fx->n_closed, 1);
	assert_int_equal(fx->closed_id, 4);
	assert_int_equal(fx->closure, CLOSURE_UNKNOWN);

	fakepeer_sends(fx->peer, "\r\n+QIURC: \"pdpdeact\",1\r\n");
	fx_run_until(fx, &fx->n_closed, 2);
	assert_int_equal(fx->closed_id, -1);
	assert_int_equal(fx->closure, CLOSURE_PDP);

	fakepeer_sends(fx->peer, "\r\n+CEREG: 5\r\n\r\n+CREG: 1,\"1A2B\",\"0101ABCD\",7\r\n");
	fx_run_until(fx, &fx->n_reg, 2);
	assert_int_equal(fx->reg_stat, 1);

	/* RDY is the boot's end: the booted event (APP RDY is not) */
	fakepeer_sends(fx->peer, "\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nAPP RDY\r\n"
	    "\r\nPOWERED DOWN\r\n");
	fx_run_until(fx, &fx->n_booted, 1);
	fx_run_ms(fx, 50);
	assert_int_equal(fx->n_booted, 1);
	assert_int_equal(urc_unknown(at_urcs(fx->at)), 0);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_identify_bare_and_prefixed),
		cmocka_unit_test(test_sim_reg_signal),
		cmocka_unit_test(test_pdp),
		cmocka_unit_test(test_pdp_activate_fails),
		cmocka_unit_test(test_pdp_activate_already_active),
		cmocka_unit_test(test_credentials_masked),
		cmocka_unit_test(test_keepalive_units),
		cmocka_unit_test(test_dial_ok),
		cmocka_unit_test(test_dial_refused_566),
		cmocka_unit_test(test_dial_dns_and_command_error),
		cmocka_unit_test(test_dial_deadline),
		cmocka_unit_test(test_dial_engine_freed),
		cmocka_unit_test(test_recv_binary),
		cmocka_unit_test(test_send),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_liberal),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_close_closure_radio),
		cmocka_unit_test(test_urcs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
