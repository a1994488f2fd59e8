/* The byte ledger alone (src/relay/ledger.c): every accounting step, every
 * loss class, the data-loss event's exact text, and random sequences of
 * steps after each of which every identity holds. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relay/ledger.h"

static void
test_send_and_ack(void **state)
{
	struct relay_ledger lg = { 0 };

	ledger_accept(&lg, 300);
	assert_int_equal(ledger_sent(&lg, 100, 1), 0);
	assert_int_equal(lg.queued, 200);
	assert_int_equal(lg.window, 100);
	assert_true(ledger_check(&lg));
	/* counters of another connection (sent < ours) are not used */
	assert_int_equal(ledger_acked(&lg, 50, 0), 0);
	/* 30 still wait: 70 acknowledged, the window keeps the 30 */
	assert_int_equal(ledger_acked(&lg, 100, 30), 70);
	assert_int_equal(lg.c.acked, 70);
	assert_int_equal(lg.window, 30);
	assert_int_equal(ledger_unacked(&lg), 30);
	/* no progress: nothing */
	assert_int_equal(ledger_acked(&lg, 100, 40), 0);
	/* probes make ack_waiting larger than what we sent: clamped */
	assert_int_equal(ledger_acked(&lg, 120, 500), 0);
	assert_int_equal(ledger_acked(&lg, 120, 0), 30);
	assert_int_equal(lg.window, 0);
	assert_true(ledger_check(&lg));
}

/* A timed-out send's filled chunk is never counted acknowledged. */
static void
test_filler_hold(void **state)
{
	struct relay_ledger lg = { 0 };

	ledger_accept(&lg, 100);
	ledger_sent(&lg, 60, 0);
	ledger_sent(&lg, 40, 0);
	ledger_filler(&lg, 7);
	assert_int_equal(lg.filler, 7);
	assert_int_equal(lg.fill_hold, 100);
	assert_int_equal(ledger_acked(&lg, 107, 0), 0);
	ledger_filler(&lg, 0);
	assert_int_equal(lg.fill_hold, 100);
	assert_true(ledger_check(&lg));
}

static void
test_read_hole(void **state)
{
	struct relay_ledger lg = { 0 };

	ledger_received(&lg, 10, 0);
	assert_int_equal(ledger_read_hole(&lg, 10, 0), 0);
	assert_int_equal(ledger_read_hole(&lg, 5, 10), 0);	/* nonsense: none */
	assert_int_equal(ledger_read_hole(&lg, 30, 5), 15);
	assert_int_equal(lg.read_lost, 15);
	assert_int_equal(lg.conn_received, 25);
	assert_int_equal(ledger_read_hole(&lg, 30, 5), 0);
	assert_true(ledger_check(&lg));
}

static void
test_receive_deliver(void **state)
{
	struct relay_ledger lg = { 0 };

	ledger_received(&lg, 20, 4);
	assert_int_equal(lg.c.received, 20);
	assert_int_equal(lg.c.probe_replies, 4);
	assert_int_equal(lg.held, 16);
	ledger_delivered(&lg, 10);
	ledger_undelivered(&lg, 6);
	assert_int_equal(lg.held, 0);
	assert_int_equal(lg.c.delivered, 10);
	assert_int_equal(lg.c.undelivered, 6);
	assert_true(ledger_check(&lg));
}

/* Transparent: queued, unacknowledged, unread and (without a client) held
 * bytes are all lost. */
static void
test_down_transparent(void **state)
{
	struct relay_ledger lg = { 0 };
	struct relay_loss loss;

	ledger_accept(&lg, 500);
	ledger_sent(&lg, 200, 0);
	ledger_acked(&lg, 200, 50);
	ledger_received(&lg, 30, 0);
	lg.module_unread = 9;
	ledger_read_hole(&lg, 35, 0);
	ledger_conn_down(&lg, LEDGER_TRANSPARENT, 0, &loss);
	assert_int_equal(loss.unsent, 300);
	assert_int_equal(loss.unacked, 50);
	assert_int_equal(loss.unread, 14);
	assert_int_equal(loss.undelivered, 30);
	assert_int_equal(loss.lost, 300 + 50 + 14 + 30);
	assert_int_equal(loss.resend, 0);
	assert_int_equal(lg.c.lost_unsent, 300);
	assert_int_equal(lg.c.lost_unacked, 50);
	assert_int_equal(lg.c.lost_unread, 14);
	assert_int_equal(lg.c.undelivered, 30);
	assert_int_equal(lg.queued + lg.held + lg.conn_sent + lg.read_lost, 0);
	assert_true(ledger_check(&lg));

	/* with a client, what it holds is still delivered */
	ledger_received(&lg, 8, 0);
	ledger_conn_down(&lg, LEDGER_TRANSPARENT, 1, &loss);
	assert_int_equal(loss.undelivered, 0);
	assert_int_equal(lg.held, 8);
	assert_false(ledger_loss_reportable(&loss));
	assert_true(ledger_check(&lg));
}

/* Persistent without resend: only the unacknowledged bytes are lost. */
static void
test_down_persistent(void **state)
{
	struct relay_ledger lg = { 0 };
	struct relay_loss loss;

	ledger_accept(&lg, 500);
	ledger_sent(&lg, 200, 0);
	ledger_acked(&lg, 200, 50);
	ledger_conn_down(&lg, LEDGER_PERSISTENT, 0, &loss);
	assert_int_equal(loss.unsent, 300);
	assert_int_equal(loss.unacked, 50);
	assert_int_equal(loss.lost, 50);
	assert_int_equal(lg.queued, 300);
	assert_int_equal(lg.c.lost_unsent, 0);
	assert_int_equal(lg.c.lost_unacked, 50);
	assert_true(ledger_check(&lg));
}

/* Resend: the window goes back to the front of the queue; what it does not
 * hold (resend_unacked turned on mid-connection) is lost. */
static void
test_down_resend(void **state)
{
	struct relay_ledger lg = { 0 };
	struct relay_loss loss;

	ledger_accept(&lg, 500);
	ledger_sent(&lg, 100, 0);	/* before resend_unacked was on */
	ledger_sent(&lg, 100, 1);
	ledger_acked(&lg, 200, 150);
	assert_int_equal(lg.window, 100);
	ledger_conn_down(&lg, LEDGER_RESEND, 0, &loss);
	assert_int_equal(loss.unacked, 150);
	assert_int_equal(loss.lost, 50);
	assert_int_equal(loss.resend, 1);
	assert_int_equal(lg.resend_left, 100);
	assert_int_equal(lg.queued, 400);
	assert_int_equal(lg.c.lost_unacked, 50);
	assert_true(ledger_check(&lg));
	ledger_conn_start(&lg);
	assert_int_equal(ledger_sent(&lg, 60, 1), 60);
	assert_int_equal(ledger_sent(&lg, 60, 1), 40);
	assert_int_equal(lg.c.resent, 100);
	assert_true(ledger_check(&lg));
	/* a transparent end (after a reload) drops what waited to be sent again */
	ledger_sent(&lg, 80, 1);
	ledger_conn_down(&lg, LEDGER_RESEND, 0, &loss);
	assert_int_equal(lg.resend_left, 200);
	ledger_conn_start(&lg);
	ledger_conn_down(&lg, LEDGER_TRANSPARENT, 0, &loss);
	assert_int_equal(lg.resend_dropped, 200);
	assert_int_equal(loss.unsent, 400);
	assert_int_equal(lg.queued, 0);
	assert_true(ledger_check(&lg));
}

static void
test_client_gone(void **state)
{
	struct relay_ledger lg = { 0 };
	struct relay_loss loss;

	ledger_received(&lg, 12, 0);
	lg.filler = 3;
	ledger_client_gone(&lg, 12, &loss);
	assert_int_equal(loss.undelivered, 12);
	assert_int_equal(loss.lost, 12);
	assert_int_equal(loss.filler, 3);
	assert_int_equal(lg.c.undelivered, 12);
	assert_true(ledger_check(&lg));
}

/* The event's text, byte for byte (the black-box tests grep it). */
static void
test_event_text(void **state)
{
	struct relay_loss loss = { .unsent = 1, .unacked = 2, .unread = 3, .undelivered = 4,
	    .lost = 7, .filler = 5, .resend = 1 };
	char buf[512];

	ledger_loss_event(&loss, "a", "ack-stall", buf, sizeof(buf));
	assert_string_equal(buf, "name=a bytes=10 lost=7 unsent=1 unacked=2 unread=3 "
	    "undelivered=4 filler=5 resend=1 cause=ack-stall");
	ledger_loss_text(&loss, "ack-stall", buf, sizeof(buf));
	assert_string_equal(buf, "data at risk (ack-stall): 1 unsent, 2 unacknowledged, "
	    "3 unread in the module, 4 undelivered; 7 lost, the unacknowledged bytes are "
	    "sent again");
	/* a link that ends for good says why */
	loss = (struct relay_loss){ .unsent = 5, .lost = 5, .why = "stop" };
	ledger_loss_event(&loss, "a", "operator", buf, sizeof(buf));
	assert_string_equal(buf, "name=a bytes=5 lost=5 unsent=5 unacked=0 unread=0 "
	    "undelivered=0 filler=0 resend=0 cause=operator why=stop");
	ledger_loss_text(&loss, "operator", buf, sizeof(buf));
	assert_string_equal(buf, "data at risk (operator, stop): 5 unsent, 0 unacknowledged, "
	    "0 unread in the module, 0 undelivered; 5 lost");
	loss = (struct relay_loss){ .filler = 1 };
	assert_true(ledger_loss_reportable(&loss));
	loss.filler = 0;
	assert_false(ledger_loss_reportable(&loss));
}

static uint64_t
rnd(uint64_t n)
{
	return n == 0 ? 0 : (uint64_t)random() % (n + 1);
}

/* One random step a relay could take. */
static void
random_step(struct relay_ledger *lg, int *window)
{
	struct relay_loss loss;
	uint64_t before_lost, unacked = ledger_unacked(lg);
	enum ledger_mode mode = (enum ledger_mode)(random() % 3);

	switch (random() % 11) {
	case 0: ledger_accept(lg, rnd(2000)); break;
	case 1: ledger_sent(lg, rnd(lg->queued), *window); break;
	case 2: ledger_filler(lg, rnd(3)); break;
	case 3: ledger_acked(lg, lg->conn_sent + rnd(2), rnd(unacked + 10)); break;
	case 4: ledger_received(lg, 1 + rnd(100), 0); break;
	case 5: ledger_received(lg, 10, rnd(10)); break;
	case 6: ledger_delivered(lg, rnd(lg->held)); break;
	case 7: ledger_undelivered(lg, rnd(lg->held)); break;
	case 8: ledger_read_hole(lg, lg->conn_received + rnd(20), rnd(5)); break;
	case 9:
		before_lost = lg->c.lost_unsent + lg->c.lost_unacked + lg->c.lost_unread +
		    lg->c.undelivered;
		lg->module_unread = rnd(50);
		ledger_conn_down(lg, mode, (int)(random() % 2), &loss);
		assert_int_equal(lg->c.lost_unsent + lg->c.lost_unacked + lg->c.lost_unread +
		    lg->c.undelivered - before_lost, loss.lost);
		assert_true(loss.lost <= loss.unsent + loss.unacked + loss.unread +
		    loss.undelivered);
		ledger_conn_start(lg);
		break;
	case 10: *window = (int)(random() % 2); break;
	}
}

static void
test_random_sequences(void **state)
{
	for (unsigned seed = 1; seed <= 200; seed++) {
		struct relay_ledger lg = { 0 };
		int window = 1;

		srandom(seed);
		for (int i = 0; i < 2000; i++) {
			random_step(&lg, &window);
			if (!ledger_check(&lg))
				fail_msg("seed %u step %d: an identity broke", seed, i);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_and_ack),
		cmocka_unit_test(test_filler_hold),
		cmocka_unit_test(test_read_hole),
		cmocka_unit_test(test_receive_deliver),
		cmocka_unit_test(test_down_transparent),
		cmocka_unit_test(test_down_persistent),
		cmocka_unit_test(test_down_resend),
		cmocka_unit_test(test_client_gone),
		cmocka_unit_test(test_event_text),
		cmocka_unit_test(test_random_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
