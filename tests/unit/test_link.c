/* The link FSM: every (state, event) pair is handled, and the transitions
 * that need no modem behave as the table says. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <event2/event.h>

#include "conf/conf.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "log.h"
#include "modem/modem.h"

int link_fsm_complete(void);

static const char *conf_text =
    "modem: { device = \"/nonexistent/tty\"; };\n"
    "links = ( { name = \"a\"; host = \"127.0.0.1\"; port = 5000; socket = 1; } );\n";

static void
test_table_complete(void **state)
{
	assert_true(link_fsm_complete());
	for (int e = 0; e < LEV_COUNT; e++)
		assert_non_null(link_event_names[e]);
	for (int s = 0; s < MODEM_STATE_COUNT; s++)
		assert_non_null(modem_state_names[s]);
}

/* Without a ready modem a started link waits; stop makes it idle; the
 * events a waiting link cannot use change nothing. */
static void
test_without_modem(void **state)
{
	struct conf_errors errs;
	struct event_base *base = event_base_new();
	struct conf *conf;
	struct daemon *d;
	struct link *l;

	log_init("test_link", LOG_LEVEL_ERROR);
	conf_errors_init(&errs);
	conf = conf_load_string(conf_text, "t.conf", &errs);
	assert_non_null(conf);
	d = daemon_new(base, conf, "t.conf");
	l = daemon_link(d, "a");
	assert_int_equal(l->state, LINK_IDLE);
	link_event(l, LEV_START);
	assert_int_equal(l->state, LINK_WAITING);
	for (int e = LEV_DIAL_OK; e < LEV_COUNT; e++) {
		link_event(l, (enum link_event)e);
		assert_int_equal(l->state, LINK_WAITING);
	}
	link_event(l, LEV_MODEM_RECOVERING);
	assert_int_equal(l->state, LINK_RECOVERING);
	link_event(l, LEV_MODEM_DOWN);
	assert_int_equal(l->state, LINK_WAITING);
	link_event(l, LEV_STOP);
	assert_int_equal(l->state, LINK_IDLE);
	assert_true(l->stopped);
	link_event(l, LEV_RECONNECT);
	assert_int_equal(l->state, LINK_WAITING);
	daemon_free(d);
	event_base_free(base);
	conf_errors_free(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_without_modem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
