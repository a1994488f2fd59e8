/* The link FSM: every (state, event) pair is handled, and the transitions
 * that need no modem behave as the table says. */
#include "config.h"

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

/* The link's owner is whoever hands it a struct link_env: no daemon here.
 * Its events go to the sink it was given; a reload renews the environment;
 * idle = "auto" starts from what an earlier run kept in the state directory. */
static int events_seen;

static void
count_event(void *arg, enum proto_event ev, const char *line)
{
	(void)arg;
	(void)ev;
	(void)line;
	events_seen++;
}

static void
test_env_without_daemon(void **state)
{
	static const char *text =
	    "modem: { device = \"/nonexistent/tty\"; };\n"
	    "links = ( { name = \"b\"; host = \"10.0.0.1\"; port = 7; socket = 2;\n"
	    "  keepalive: { idle = \"auto\"; idle_min = 5.0; idle_max = 100.0; }; } );\n";
	const struct notify news = { .event = count_event };
	char dir[] = "/tmp/test-link-XXXXXX", path[128];
	struct event_base *base = event_base_new();
	struct conf_errors errs;
	struct backoff_rng rng;
	struct link_env env;
	struct conf *conf;
	struct link l;
	int stopping = 0;
	FILE *f;

	log_init("test_link", LOG_LEVEL_ERROR);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/idle-b", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "10.0.0.1:7 42.000 settled\n");
	fclose(f);
	conf_errors_init(&errs);
	conf = conf_load_string(text, "t.conf", &errs);
	assert_non_null(conf);
	backoff_rng_seed(&rng, 1);
	env = (struct link_env){ .base = base, .modem = NULL, .news = &news, .state_dir = dir,
	    .rng = &rng, .cid = 1, .conf = &conf, .stopping = &stopping };
	link_init(&l, &env, 0, &conf->links[0]);
	assert_true(link_idle_period(&l) == 42.0);
	assert_string_equal(link_idle_mode_name(&l), "settled");
	link_event(&l, LEV_START);
	assert_int_equal(l.state, LINK_WAITING);
	assert_true(events_seen > 0);
	env.cid = 3;
	link_reconfigure(&l, &env, &conf->links[0]);
	assert_int_equal(l.env.cid, 3);
	assert_int_equal(l.state, LINK_WAITING);
	link_free(&l);
	unlink(path);
	rmdir(dir);
	conf_free(conf);
	event_base_free(base);
	conf_errors_free(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_without_modem),
		cmocka_unit_test(test_env_without_daemon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
