/* AT engine tests against a scripted fake modem on a socketpair, driven by a
 * real event_base: sync, deadlines, cancel, destroy-once, bounds, URCs in
 * the middle of a response, prompt + payload, raw payload, resync, gone. */
#include "config.h"

#include <sys/socket.h>

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
#include "at/atq.h"
#include "at/serial.h"
#include "dialect/telit/telit.h"
#include "dialect/telit/telit_parse.h"
#include "at/urc.h"
#include "fakepeer.h"

#define RUN_LIMIT_MS 5000	/* every wait in this file ends by then */

struct fixture {
	struct event_base *base;
	struct event *tick;
	struct at *at;
	struct fakepeer *peer;
	int ready, not_answering, gone, gone_error;
};

struct rec {
	struct fixture *fx;
	int calls, destroys;
	enum at_final_kind kind;
	int code;
	char lines[8][128];
	size_t n_lines;
	uint8_t payload[256];
	size_t payload_len;
	int payload_written;
	int fill_taken;
	int free_engine;	/* call at_free() from the callback */
};

static void
on_ready(void *arg)
{
	((struct fixture *)arg)->ready++;
}

static void
on_not_answering(unsigned n, void *arg)
{
	((struct fixture *)arg)->not_answering++;
}

static void
on_gone(int error, void *arg)
{
	struct fixture *fx = arg;

	fx->gone++;
	fx->gone_error = error;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
}

static void
test_params(struct at_params *p)
{
	at_params_default(p);
	p->name = "test";
	p->dialect = &telit_dialect;
	p->gap_ms = 0;
	p->timeout_ms = 1000;
	p->resync_timeout_ms = 300;
	p->sync_probe = NULL;	/* scripts below answer AT and ATE0 only */
	p->trace = 1;
}

static struct fixture *
fx_new(const struct at_params *p)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	static const struct at_events events = {
		on_ready, on_not_answering, on_gone,
	};
	struct timeval tv = { 0, 50000 };
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fx->base = event_base_new();
	fx->tick = event_new(fx->base, -1, EV_PERSIST, on_tick, NULL);
	event_add(fx->tick, &tv);
	fx->peer = fakepeer_new(fx->base, sv[1]);
	fx->at = at_new(fx->base, serial_from_fd(fx->base, sv[0], "pair"), p,
	    &events, fx);
	return fx;
}

static void
fx_free(struct fixture *fx)
{
	assert_false(fakepeer_mismatch(fx->peer));
	at_free(fx->at);
	fakepeer_free(fx->peer);
	event_free(fx->tick);
	event_base_free(fx->base);
	free(fx);
}

/* Run the loop until *flag >= want; fail after RUN_LIMIT_MS. */
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

/* Run until every scripted step has been matched. */
static void
fx_run_script(struct fixture *fx)
{
	uint64_t end = util_now_ms() + RUN_LIMIT_MS;

	while (fakepeer_left(fx->peer) > 0) {
		assert_true(util_now_ms() < end);
		assert_false(fakepeer_mismatch(fx->peer));
		event_base_loop(fx->base, EVLOOP_ONCE);
	}
}

static void
fx_script_sync(struct fixture *fx)
{
	fakepeer_expect(fx->peer, "AT\r", "\r\nOK\r\n");
	fakepeer_expect(fx->peer, "ATE0\r", "\r\nOK\r\n");
}

static struct fixture *
fx_synced(const struct at_params *p)
{
	struct fixture *fx = fx_new(p);

	fx_script_sync(fx);
	fx_run_until(fx, &fx->ready, 1);
	assert_true(at_is_synced(fx->at));
	return fx;
}

static void
rec_cb(const struct at_response *r, void *arg)
{
	struct rec *rec = arg;

	rec->calls++;
	rec->kind = r->result.kind;
	rec->code = r->result.code;
	rec->n_lines = r->n_lines;
	rec->payload_written = r->payload_written;
	rec->fill_taken = r->fill_taken;
	for (size_t i = 0; i < r->n_lines && i < 8; i++)
		strncpy(rec->lines[i], r->lines[i], sizeof(rec->lines[i]) - 1);
	if (r->payload_len > 0 && r->payload_len <= sizeof(rec->payload)) {
		memcpy(rec->payload, r->payload, r->payload_len);
		rec->payload_len = r->payload_len;
	}
	if (rec->free_engine) {
		at_free(rec->fx->at);
		rec->fx->at = NULL;
	}
}

static void
rec_destroy(void *arg)
{
	((struct rec *)arg)->destroys++;
}

static unsigned
submit(struct fixture *fx, const char *cmd, const char *const *prefixes,
    int timeout_ms, struct rec *rec)
{
	struct at_command ac;

	memset(&ac, 0, sizeof(ac));
	ac.cmd = cmd;
	ac.prefixes = prefixes;
	ac.timeout_ms = timeout_ms;
	rec->fx = fx;
	return at_submit(fx->at, &ac, rec_cb, rec, rec_destroy);
}

static const char *const csq_prefix[] = { "+CSQ:", NULL };
static const char *const si_prefix[] = { "#SI:", NULL };

static void
test_sync_then_command(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec r = { 0 };

	test_params(&p);
	fx = fx_new(&p);
	/* submitted before sync: runs only after AT and ATE0 */
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &r) > 0);
	assert_false(at_is_synced(fx->at));
	fx_script_sync(fx);
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 17,99\r\n\r\nOK\r\n");
	fx_run_until(fx, &r.calls, 1);
	assert_int_equal(fx->ready, 1);
	assert_int_equal(r.kind, AT_FINAL_OK);
	assert_int_equal(r.n_lines, 1);
	assert_string_equal(r.lines[0], "+CSQ: 17,99");
	assert_int_equal(r.destroys, 1);
	assert_int_equal(at_queue_length(fx->at), 0);
	fx_free(fx);
	assert_int_equal(r.destroys, 1);
}

static void
test_echo_and_noise(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec r = { 0 };
	struct at_stats st;

	test_params(&p);
	fx = fx_new(&p);
	fakepeer_expect(fx->peer, "AT\r", "\x01\xffnoise\r\nAT\r\r\nOK\r\n");
	fakepeer_expect(fx->peer, "ATE0\r", "ATE0\r\r\nOK\r\n");
	fx_run_until(fx, &fx->ready, 1);
	fakepeer_expect(fx->peer, "AT+CGMR\r", "\r\n12.00.004\r\n\r\nOK\r\n");
	assert_true(submit(fx, "AT+CGMR", NULL, 0, &r) > 0);
	fx_run_until(fx, &r.calls, 1);
	assert_int_equal(r.kind, AT_FINAL_OK);
	assert_int_equal(r.n_lines, 1);
	assert_string_equal(r.lines[0], "12.00.004");
	at_get_stats(fx->at, &st);
	assert_true(st.echoes >= 2);
	fx_free(fx);
}

static void
test_first_at_unanswered(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct at_stats st;

	test_params(&p);
	p.resync_timeout_ms = 100;
	fx = fx_new(&p);
	fakepeer_expect(fx->peer, "AT\r", NULL);
	fx_script_sync(fx);
	fx_run_until(fx, &fx->ready, 1);
	at_get_stats(fx->at, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(fx->not_answering, 0);
	fx_free(fx);
}

/* A module that answers ERROR to everything: resync attempts are paced
 * (one "AT" per resync_timeout_ms, not as fast as the answers come), and
 * the engine says the module answered instead of staying silent. */
static void
test_resync_error_paced(void **state)
{
	struct at_params p;
	struct fixture *fx;
	uint64_t end;
	size_t sent;

	test_params(&p);
	p.resync_timeout_ms = 200;
	fx = fx_new(&p);
	for (int i = 0; i < 50; i++)
		fakepeer_expect(fx->peer, "AT\r", "\r\nERROR\r\n");
	end = util_now_ms() + 1000;
	while (util_now_ms() < end) {
		assert_false(fakepeer_mismatch(fx->peer));
		event_base_loop(fx->base, EVLOOP_ONCE);
	}
	sent = 50 - fakepeer_left(fx->peer);
	assert_true(sent >= 2);
	assert_true(sent <= 1000 / 200 + 1);	/* at most one per resync step deadline */
	for (size_t i = 1; i < sent; i++)
		assert_true(fakepeer_matched_at(fx->peer, i) -
		    fakepeer_matched_at(fx->peer, i - 1) >= 190);
	assert_int_equal(fx->ready, 0);
	assert_int_equal(fx->not_answering, 0);
	assert_non_null(at_sync_trouble(fx->at));
	assert_string_equal(at_sync_trouble(fx->at), "the module answers ERROR to AT");
	fx_free(fx);
}

static void
test_deadline(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 };
	uint64_t t0;

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT#SS=1\r", NULL);
	fx_script_sync(fx);	/* resync before anything else */
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 5,0\r\n\r\nOK\r\n");
	t0 = util_now_ms();
	assert_true(submit(fx, "AT#SS=1", NULL, 100, &a) > 0);
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &b) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_true(util_now_ms() - t0 >= 95);
	assert_int_equal(a.kind, AT_FINAL_TIMEOUT);
	assert_int_equal(a.destroys, 1);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.kind, AT_FINAL_OK);
	assert_string_equal(b.lines[0], "+CSQ: 5,0");
	assert_int_equal(fx->ready, 2);
	fx_free(fx);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.destroys, 1);
	assert_int_equal(b.destroys, 1);
}

static void
test_not_answering(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec r = { 0 };
	struct at_stats st;

	test_params(&p);
	p.resync_timeout_ms = 50;
	p.not_answering_after = 2;
	fx = fx_new(&p);
	for (int i = 0; i < 4; i++)
		fakepeer_expect(fx->peer, "AT\r", NULL);
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &r) > 0);
	fx_run_until(fx, &fx->not_answering, 1);
	fx_run_script(fx);		/* two more unanswered ATs */
	assert_int_equal(fx->not_answering, 1);	/* once per streak */
	at_get_stats(fx->at, &st);
	assert_true(st.timeouts >= 3);
	assert_int_equal(r.calls, 0);	/* still queued behind the resync */
	assert_int_equal(at_queue_length(fx->at), 1);
	at_free(fx->at);
	fx->at = NULL;
	assert_int_equal(r.calls, 0);
	assert_int_equal(r.destroys, 1);
	fx_free(fx);
}

static void
test_cancel(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };
	unsigned ida, idb;

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT+CSQ\r", NULL);
	ida = submit(fx, "AT+CSQ", csq_prefix, 0, &a);
	idb = submit(fx, "AT+CGMR", NULL, 0, &b);
	assert_true(submit(fx, "ATI", NULL, 0, &c) > 0);
	/* a queued command: destroy now, never its callback */
	assert_int_equal(at_cancel(fx->at, idb), 0);
	assert_int_equal(b.destroys, 1);
	assert_int_equal(at_cancel(fx->at, idb), -1);
	fx_run_script(fx);
	/* the command in flight: destroy now; its answer is still eaten */
	assert_int_equal(at_cancel(fx->at, ida), 0);
	assert_int_equal(a.destroys, 1);
	assert_int_equal(at_cancel(fx->at, ida), -1);
	fakepeer_expect(fx->peer, "ATI\r", "\r\nTelit\r\n\r\nOK\r\n");
	fakepeer_sends(fx->peer, "\r\n+CSQ: 1,2\r\n\r\nOK\r\n");
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.kind, AT_FINAL_OK);
	assert_int_equal(c.n_lines, 1);
	assert_string_equal(c.lines[0], "Telit");
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 0);
	fx_free(fx);
	assert_int_equal(a.destroys, 1);
	assert_int_equal(b.destroys, 1);
	assert_int_equal(c.destroys, 1);
}

static void
test_bounded_and_free(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec r[4];
	struct at_command bad = { .cmd = "AT\r+CSQ" };
	unsigned id;

	memset(r, 0, sizeof(r));
	test_params(&p);
	p.queue_max = 2;
	fx = fx_new(&p);	/* not synced: everything stays queued */
	id = submit(fx, "AT+CSQ", NULL, 0, &r[0]);
	assert_true(id > 0);
	assert_true(submit(fx, "AT+CSQ", NULL, 0, &r[1]) > 0);
	assert_int_equal(submit(fx, "AT+CSQ", NULL, 0, &r[2]), 0);
	assert_int_equal(at_queue_length(fx->at), 2);
	assert_int_equal(r[2].destroys, 0);	/* refused: nothing called */
	assert_int_equal(at_cancel(fx->at, id), 0);
	assert_true(submit(fx, "AT+CSQ", NULL, 0, &r[3]) > 0);
	assert_int_equal(at_submit(fx->at, &bad, rec_cb, &r[2], rec_destroy),
	    0);
	bad.cmd = "";
	assert_int_equal(at_submit(fx->at, &bad, rec_cb, &r[2], rec_destroy),
	    0);
	at_free(fx->at);
	fx->at = NULL;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r[i].calls, 0);
		assert_int_equal(r[i].destroys, i == 2 ? 0 : 1);
	}
	fx_free(fx);
}

struct urc_seen {
	int calls;
	char last[64];
};

static void
urc_rec(const char *line, const char *args, void *arg)
{
	struct urc_seen *s = arg;

	s->calls++;
	strncpy(s->last, line, sizeof(s->last) - 1);
}

static void
test_urc_mid_response(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec r = { 0 };
	struct urc_seen sring = { 0 }, nc = { 0 };
	struct telit_si si;
	struct at_stats st;

	test_params(&p);
	fx = fx_synced(&p);
	urc_add(at_urcs(fx->at), "SRING:", urc_rec, &sring);
	urc_add(at_urcs(fx->at), "NO CARRIER", urc_rec, &nc);
	fakepeer_expect(fx->peer, "AT#SI=1\r", "\r\n#SI: 1,10,20,0,5\r\n"
	    "\r\nSRING: 1,20\r\n\r\nNO CARRIER: 1,2\r\n\r\n+CREG: 1\r\n"
	    "SRING : 2\r\nNO CARRIER\r\nNO CARRIER:3\r\n\r\nOK\r\n");
	assert_true(submit(fx, "AT#SI=1", si_prefix, 0, &r) > 0);
	fx_run_until(fx, &r.calls, 1);
	assert_int_equal(r.kind, AT_FINAL_OK);
	assert_int_equal(r.n_lines, 1);
	assert_int_equal(telit_parse_si(r.lines[0], &si), 0);
	assert_int_equal(si.ack_waiting, 5);
	assert_int_equal(sring.calls, 2);
	assert_string_equal(sring.last, "SRING : 2");
	assert_int_equal(nc.calls, 3);
	assert_int_equal(urc_unknown(at_urcs(fx->at)), 1);	/* +CREG */
	at_get_stats(fx->at, &st);
	assert_int_equal(st.urcs, 6);
	/* URCs while idle go to the registry too, without a resync */
	fakepeer_sends(fx->peer, "\r\nSRING: 3,1\r\n\r\nNO CARRIER: 3\r\n");
	fx_run_until(fx, &nc.calls, 4);
	assert_int_equal(sring.calls, 3);
	assert_int_equal(fx->ready, 1);
	fx_free(fx);
}

static void
test_no_carrier_final(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 };
	struct at_command ac = { .cmd = "AT#SO=1", .flags = AT_CMD_NO_CARRIER };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT#SO=1\r", "\r\nNO CARRIER\r\n");
	a.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &a, rec_destroy) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_NO_CARRIER);
	assert_int_equal(fx->ready, 1);
	fx_free(fx);
}

static void
test_prompt_payload(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };
	static const uint8_t data[] = { '\r', '\n', 'O', 'K', '\r', '\n', 0,
	    0x1a, 0x1b, 0x08 };
	struct at_command ac = { .cmd = "AT#SSENDEXT=1,10", .payload = data,
	    .payload_len = sizeof(data) };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT#SSENDEXT=1,10\r", "\r\n> ");
	fakepeer_expect_bytes(fx->peer, data, sizeof(data), "\r\nOK\r\n", 6);
	a.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &a, rec_destroy) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_OK);

	/* bare prompt with no CRLF, data split over two writes */
	fakepeer_expect(fx->peer, "AT#SSENDEXT=1,10\r", "> ");
	fakepeer_expect_bytes(fx->peer, data, sizeof(data), "\r\nOK\r\n", 6);
	b.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &b, rec_destroy) > 0);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.kind, AT_FINAL_OK);

	/* refused before the prompt: no payload is written */
	fakepeer_expect(fx->peer, "AT#SSENDEXT=1,10\r",
	    "\r\n+CME ERROR: 556\r\n");
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 1,1\r\n\r\nOK\r\n");
	c.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &c, rec_destroy) > 0);
	fx_run_until(fx, &c.calls, 1);
	assert_int_equal(c.kind, AT_FINAL_CME_ERROR);
	assert_int_equal(c.code, TELIT_CME_CONTEXT_NOT_OPENED);
	memset(&a, 0, sizeof(a));
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &a) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_string_equal(a.lines[0], "+CSQ: 1,1");
	assert_int_equal(fakepeer_unmatched(fx->peer), 0);
	fx_free(fx);
}

static void
test_srecv_payload(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 };
	struct urc_seen sring = { 0 };
	static const char reply[] = "\r\n#SRECV: 1,10\r\n\r\nOK\r\n\0>\r\n#\r\n"
	    "\r\nOK\r\n";
	static const char *const srecv_prefix[] = { "#SRECV:", NULL };
	struct at_command ac = { .cmd = "AT#SRECV=1,1500",
	    .prefixes = srecv_prefix, .raw_prefix = "#SRECV:",
	    .raw_len = telit_srecv_len };

	test_params(&p);
	fx = fx_synced(&p);
	urc_add(at_urcs(fx->at), "SRING:", urc_rec, &sring);
	fakepeer_expect_bytes(fx->peer, "AT#SRECV=1,1500\r", 16, reply,
	    sizeof(reply) - 1);
	a.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &a, rec_destroy) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_OK);
	assert_int_equal(a.n_lines, 1);
	assert_string_equal(a.lines[0], "#SRECV: 1,10");
	assert_int_equal(a.payload_len, 10);
	assert_memory_equal(a.payload, "\r\nOK\r\n\0>\r\n", 10);

	/* a URC just before the header does not disturb the count */
	fakepeer_expect(fx->peer, "AT#SRECV=1,1500\r",
	    "\r\nSRING: 1,3\r\n\r\n#SRECV: 1,3\r\nOK\n\r\n\r\nOK\r\n");
	b.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &b, rec_destroy) > 0);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.kind, AT_FINAL_OK);
	assert_int_equal(b.payload_len, 3);
	assert_memory_equal(b.payload, "OK\n", 3);
	assert_int_equal(sring.calls, 1);
	fx_free(fx);
}

static void
test_stray_final_resync(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct at_stats st;

	test_params(&p);
	fx = fx_synced(&p);
	fx_script_sync(fx);
	fakepeer_sends(fx->peer, "\r\nOK\r\n");
	fx_run_until(fx, &fx->ready, 2);
	at_get_stats(fx->at, &st);
	assert_int_equal(st.stray, 1);
	assert_int_equal(st.resyncs, 2);
	fx_free(fx);
}

static void
test_gone(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT+CSQ\r", NULL);
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &a) > 0);
	assert_true(submit(fx, "AT+CGMR", NULL, 0, &b) > 0);
	fx_run_script(fx);
	fakepeer_close(fx->peer);
	fx_run_until(fx, &fx->gone, 1);
	assert_int_equal(a.kind, AT_FINAL_GONE);
	assert_int_equal(b.kind, AT_FINAL_GONE);
	assert_int_equal(a.destroys, 1);
	assert_int_equal(b.destroys, 1);
	assert_int_equal(submit(fx, "AT", NULL, 0, &c), 0);
	fx_free(fx);
	assert_int_equal(a.calls + b.calls, 2);
	assert_int_equal(c.destroys, 0);
}

static void
test_free_in_callback(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 1,1\r\n\r\nOK\r\n"
	    "more bytes after the final\r\n");
	a.free_engine = 1;
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &a) > 0);
	assert_true(submit(fx, "AT+CGMR", NULL, 0, &b) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_null(fx->at);
	assert_int_equal(a.destroys, 1);
	assert_int_equal(b.calls, 0);
	assert_int_equal(b.destroys, 1);
	fx_free(fx);
}

static void
test_auto_prefix(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 };
	struct urc_seen sring = { 0 }, creg = { 0 };

	test_params(&p);
	fx = fx_synced(&p);
	urc_add(at_urcs(fx->at), "SRING:", urc_rec, &sring);
	urc_add(at_urcs(fx->at), "+CREG:", urc_rec, &creg);
	fakepeer_expect(fx->peer, "at+creg?\r", "\r\nSRING: 1\r\n\r\n+CREG: 0,1"
	    "\r\nFOO\r\n\r\nOK\r\n");
	assert_true(submit(fx, "at+creg?", NULL, 0, &a) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.n_lines, 2);
	assert_string_equal(a.lines[0], "+CREG: 0,1");
	assert_string_equal(a.lines[1], "FOO");
	assert_int_equal(sring.calls, 1);
	assert_int_equal(creg.calls, 0);
	fx_free(fx);
}

static void
iter_cb(const struct at_response *r, void *arg)
{
	size_t it = 0;
	int *ok = arg;
	const char *a1, *a2, *a3;

	a1 = at_response_next(r, "#SS:", &it);
	a2 = at_response_next(r, "#SS:", &it);
	a3 = at_response_next(r, "#SS:", &it);
	*ok = a1 != NULL && strcmp(a1, "1,0") == 0 && a2 != NULL &&
	    strcmp(a2, "2,0") == 0 && a3 == NULL;
	it = 0;
	*ok = *ok && at_response_next(r, NULL, &it) == r->lines[0];
	*ok = *ok ? 1 : 2;
}

static void
test_response_iter(void **state)
{
	struct at_params p;
	struct fixture *fx;
	int ok = 0;
	struct at_command ac = { .cmd = "AT#SS" };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT#SS\r", "\r\n#SS: 1,0\r\n#SS: 2,0\r\n"
	    "\r\nOK\r\n");
	assert_true(at_submit(fx->at, &ac, iter_cb, &ok, NULL) > 0);
	fx_run_until(fx, &ok, 1);
	assert_int_equal(ok, 1);
	fx_free(fx);
}

static void
test_gap(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 };
	uint64_t t1, t2;

	test_params(&p);
	p.gap_ms = 60;
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 1,1\r\n\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 1,1\r\n\r\nOK\r\n");
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &a) > 0);
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &b) > 0);
	fx_run_until(fx, &b.calls, 1);
	t1 = fakepeer_matched_at(fx->peer, 2);
	t2 = fakepeer_matched_at(fx->peer, 3);
	assert_true(t2 - t1 >= 55);
	fx_free(fx);
}

/* A prompt command with no prompt times out with nothing written, and a
 * timeout lengthens the gap to gap_slow_ms. */
static void
test_no_prompt_and_slow_gap(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 };
	static const uint8_t data[] = "0123456789";
	struct at_command ac = { .cmd = "AT#SSENDEXT=1,10", .payload = data,
	    .payload_len = 10, .timeout_ms = 300 };

	test_params(&p);
	p.gap_slow_ms = 40;
	fx = fx_synced(&p);
	assert_int_equal(at_gap_ms(fx->at), 0);
	fakepeer_expect(fx->peer, "AT#SSENDEXT=1,10\r", NULL);
	fakepeer_expect(fx->peer, "\r\r\r\r\r\r\r\r\r\r", NULL);
	fx_script_sync(fx);
	a.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &a, rec_destroy) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_TIMEOUT);
	assert_int_equal(a.payload_written, 0);
	assert_int_equal(a.fill_taken, 0);
	assert_int_equal(at_gap_ms(fx->at), 40);
	fx_run_script(fx);
	fx_free(fx);
}

/* The payload went out but no result came (the module lost part of it):
 * CRs complete whatever it still waits for, and its answer says so. */
static void
test_send_filled(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 };
	static const uint8_t data[] = "0123456789";
	struct at_command ac = { .cmd = "AT#SSENDEXT=1,10", .payload = data,
	    .payload_len = 10, .timeout_ms = 300 };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT#SSENDEXT=1,10\r", "\r\n> ");
	fakepeer_expect_bytes(fx->peer, data, 10, NULL, 0);
	fakepeer_expect(fx->peer, "\r\r\r\r\r\r\r\r\r\r", "\r\nOK\r\n");
	fx_script_sync(fx);
	a.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &a, rec_destroy) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_TIMEOUT);
	assert_int_equal(a.payload_written, 1);
	assert_int_equal(a.fill_taken, 1);
	fx_run_script(fx);
	fx_run_until(fx, &fx->ready, 2);
	fx_free(fx);
}

static long
raw_len4(const char *args)
{
	const char *comma = strchr(args, ',');

	return comma != NULL ? strtol(comma + 1, NULL, 10) : -1;
}

/* A read that times out is kept during the resync: its late answer still
 * delivers the payload; without one it ends as a timeout. */
static void
test_late_read(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 };
	static const char *const srecv_prefix[] = { "#SRECV:", NULL };
	struct at_command ac = { .cmd = "AT#SRECV=1,100", .prefixes = srecv_prefix,
	    .timeout_ms = 200, .raw_prefix = "#SRECV:", .raw_len = raw_len4 };

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT#SRECV=1,100\r", NULL);
	fakepeer_expect(fx->peer, "AT\r", "\r\n#SRECV: 1,6\r\nab\r\ncd\r\n\r\nOK\r\n\r\nOK\r\n");
	a.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &a, rec_destroy) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_OK);
	assert_int_equal(a.payload_len, 6);
	assert_memory_equal(a.payload, "ab\r\ncd", 6);
	assert_int_equal(a.destroys, 1);

	/* no late answer: a timeout once the modem answers the resync */
	fakepeer_expect(fx->peer, "ATE0\r", "\r\nOK\r\n");
	fx_run_script(fx);
	fx_run_until(fx, &fx->ready, 2);
	fakepeer_expect(fx->peer, "AT#SRECV=1,100\r", NULL);
	fx_script_sync(fx);
	b.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &b, rec_destroy) > 0);
	fx_run_until(fx, &b.calls, 1);
	assert_int_equal(b.kind, AT_FINAL_TIMEOUT);
	assert_int_equal(b.destroys, 1);
	assert_true(at_is_synced(fx->at));
	fx_free(fx);
}

static void
test_sync_probe(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 };
	struct at_stats st;

	test_params(&p);
	p.sync_probe = "AT+CMEE?";
	p.sync_probe_prefix = "+CMEE:";
	fx = fx_new(&p);
	fx_script_sync(fx);
	/* a late OK of something older comes before the probe's answer */
	fakepeer_expect(fx->peer, "AT+CMEE?\r", "\r\nOK\r\n\r\n+CMEE: 2\r\n"
	    "\r\nOK\r\n");
	fx_run_until(fx, &fx->ready, 1);
	fakepeer_expect(fx->peer, "AT+CSQ\r", "\r\n+CSQ: 5,5\r\n\r\nOK\r\n");
	assert_true(submit(fx, "AT+CSQ", csq_prefix, 0, &a) > 0);
	fx_run_until(fx, &a.calls, 1);
	assert_int_equal(a.kind, AT_FINAL_OK);
	assert_string_equal(a.lines[0], "+CSQ: 5,5");
	at_get_stats(fx->at, &st);
	assert_int_equal(st.stray, 1);
	fx_free(fx);
}

static void
test_trace_masks_secrets(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, b = { 0 };
	struct at_command ac = { .cmd = "AT+MYPIN=4321",
	    .flags = AT_CMD_SECRET };
	char buf[8192];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	ssize_t n;

	assert_non_null(tmp);
	dup2(fileno(tmp), 2);
	log_setlevel(LOG_LEVEL_DEBUG);
	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT+CPIN=1234\r",
	    "AT+CPIN=1234\r\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+MYPIN=4321\r", "\r\nOK\r\n\x1a\r\n");
	assert_true(submit(fx, "AT+CPIN=1234", NULL, 0, &a) > 0);
	a.fx = fx;
	b.fx = fx;
	assert_true(at_submit(fx->at, &ac, rec_cb, &b, rec_destroy) > 0);
	fx_run_until(fx, &b.calls, 1);
	fx_free(fx);
	log_setlevel(LOG_LEVEL_WARNING);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fileno(tmp), buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	fclose(tmp);
	assert_non_null(strstr(buf, "> AT+CPIN=***\\r"));
	assert_non_null(strstr(buf, "< echo AT+CPIN=***"));
	assert_non_null(strstr(buf, "> AT+MYPIN=***\\r"));
	assert_non_null(strstr(buf, "^Z"));
	assert_null(strstr(buf, "1234"));
	assert_null(strstr(buf, "4321"));
}


/* Submit with an urgency and flags. */
static unsigned
submit_as(struct fixture *fx, const char *cmd, enum at_urgency u, unsigned flags,
    struct rec *rec)
{
	struct at_command ac;

	memset(&ac, 0, sizeof(ac));
	ac.cmd = cmd;
	ac.urgency = u;
	ac.flags = flags;
	rec->fx = fx;
	return at_submit(fx->at, &ac, rec_cb, rec, rec_destroy);
}

/* Behind a command in flight: URGENT, then NORMAL, then SLOW; FIFO within
 * a class; a cancelled urgent one is skipped; the urgent wait is counted. */
static void
test_urgency_order(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct rec a = { 0 }, s1 = { 0 }, n1 = { 0 }, u1 = { 0 }, u2 = { 0 }, u3 = { 0 };
	struct at_stats st;
	unsigned id;

	test_params(&p);
	fx = fx_synced(&p);
	fakepeer_expect(fx->peer, "AT+A\r", NULL);
	assert_true(submit_as(fx, "AT+A", AT_NORMAL, 0, &a) > 0);
	fx_run_script(fx);
	assert_true(submit_as(fx, "AT+S1", AT_SLOW, AT_CMD_BLOCKING, &s1) > 0);
	assert_true(submit_as(fx, "AT+N1", AT_NORMAL, 0, &n1) > 0);
	assert_true(submit_as(fx, "AT+U1", AT_URGENT, 0, &u1) > 0);
	assert_true((id = submit_as(fx, "AT+U2", AT_URGENT, 0, &u2)) > 0);
	assert_true(submit_as(fx, "AT+U3", AT_URGENT, 0, &u3) > 0);
	assert_int_equal(at_cancel(fx->at, id), 0);
	assert_int_equal(at_queue_length(fx->at), 5);
	at_get_stats(fx->at, &st);
	assert_int_equal(st.n_chans, 1);
	assert_int_equal(st.chan[0].queued, 5);
	fakepeer_sends(fx->peer, "\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+U1\r", "\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+U3\r", "\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+N1\r", "\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+S1\r", "\r\nOK\r\n");
	fx_run_until(fx, &s1.calls, 1);
	assert_int_equal(a.calls + u1.calls + u3.calls + n1.calls, 4);
	assert_int_equal(u2.calls, 0);
	assert_int_equal(u2.destroys, 1);
	at_get_stats(fx->at, &st);
	assert_int_equal(st.chan[0].urgent_sent, 2);
	assert_int_equal(st.chan[0].queued, 0);
	assert_true(st.urgent_wait_max_ms == st.chan[0].urgent_wait_max_ms);
	fx_free(fx);
}

/* Two ports onto one module: each resyncs (with the port setup), ready
 * comes once both are; SLOW and blocking work goes to the last port, the
 * rest to the first; a URC on either reaches the one registry; the second
 * port vanishing is the engine gone. */
static void
test_two_ports(void **state)
{
	struct at_params p;
	struct fixture *fx;
	struct fakepeer *peer2;
	struct rec s = { 0 }, b = { 0 }, u = { 0 };
	struct urc_seen seen = { 0 };
	struct at_stats st;
	int sv[2];

	test_params(&p);
	fx = fx_new(&p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	peer2 = fakepeer_new(fx->base, sv[1]);
	assert_int_equal(at_add_port(fx->at, serial_from_fd(fx->base, sv[0], "pair2"),
	    "test2"), 1);
	assert_int_equal(at_ports(fx->at), 2);
	assert_string_equal(at_port_name(fx->at, 1), "test2");
	urc_add(at_urcs(fx->at), "+X:", urc_rec, &seen);
	fx_script_sync(fx);
	fakepeer_expect(fx->peer, "AT+CMEE=2\r", "\r\nOK\r\n");
	fakepeer_expect(peer2, "AT\r", "\r\nOK\r\n");
	fakepeer_expect(peer2, "ATE0\r", "\r\nOK\r\n");
	fakepeer_expect(peer2, "AT+CMEE=2\r", "\r\nERROR\r\n");	/* refused: fine */
	fx_run_until(fx, &fx->ready, 1);
	assert_int_equal(fakepeer_left(peer2), 0);
	assert_true(at_is_synced(fx->at));
	/* AT+B is NORMAL (blocking): it overtakes the SLOW one on port 2 */
	fakepeer_expect(peer2, "AT+B\r", "\r\nOK\r\n");
	fakepeer_expect(peer2, "AT+S\r", "\r\n+X: 2\r\nOK\r\n");
	fakepeer_expect(fx->peer, "AT+U\r", "\r\n+X: 1\r\nOK\r\n");
	assert_true(submit_as(fx, "AT+S", AT_SLOW, 0, &s) > 0);
	assert_true(submit_as(fx, "AT+B", AT_NORMAL, AT_CMD_BLOCKING, &b) > 0);
	assert_true(submit_as(fx, "AT+U", AT_URGENT, 0, &u) > 0);
	fx_run_until(fx, &s.calls, 1);
	fx_run_until(fx, &u.calls, 1);
	assert_int_equal(s.kind, AT_FINAL_OK);
	assert_int_equal(seen.calls, 2);
	at_get_stats(fx->at, &st);
	assert_int_equal(st.n_chans, 2);
	assert_int_equal(st.chan[0].urgent_sent, 1);
	assert_int_equal(st.chan[1].urgent_sent, 0);
	assert_int_equal(fx->ready, 1);
	fakepeer_close(peer2);
	fx_run_until(fx, &fx->gone, 1);
	assert_false(fakepeer_mismatch(peer2));
	fx_free(fx);
	fakepeer_free(peer2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_then_command),
		cmocka_unit_test(test_echo_and_noise),
		cmocka_unit_test(test_first_at_unanswered),
		cmocka_unit_test(test_resync_error_paced),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_not_answering),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_bounded_and_free),
		cmocka_unit_test(test_urc_mid_response),
		cmocka_unit_test(test_no_carrier_final),
		cmocka_unit_test(test_prompt_payload),
		cmocka_unit_test(test_srecv_payload),
		cmocka_unit_test(test_stray_final_resync),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_free_in_callback),
		cmocka_unit_test(test_auto_prefix),
		cmocka_unit_test(test_response_iter),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_no_prompt_and_slow_gap),
		cmocka_unit_test(test_late_read),
		cmocka_unit_test(test_send_filled),
		cmocka_unit_test(test_sync_probe),
		cmocka_unit_test(test_trace_masks_secrets),
		cmocka_unit_test(test_urgency_order),
		cmocka_unit_test(test_two_ports),
	};

	log_init("test_atq", LOG_LEVEL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
