/* Command table: one handler per entry of the shared table, permissions
 * decided from flags, usage checks, replies. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "cmdtab.h"
#include "control/cmd.h"
#include "conf/conf.h"
#include "daemon/daemon.h"
#include "log.h"

static const char *conf_text =
    "modem: { device = \"/dev/null\"; };\n"
    "links = ( { name = \"server\"; host = \"127.0.0.1\"; port = 5000; socket = 1; },\n"
    "          { name = \"backup\"; host = \"127.0.0.1\"; port = 5001; socket = 2; } );\n";

struct fixture {
	struct event_base *base;
	struct daemon *d;
	struct evbuffer *out;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct conf_errors errs;
	struct conf *conf;

	log_init("test_cmd", LOG_LEVEL_ERROR);
	conf_errors_init(&errs);
	conf = conf_load_string(conf_text, "test.conf", &errs);
	assert_non_null(conf);
	conf_errors_free(&errs);
	f->base = event_base_new();
	f->d = daemon_new(f->base, conf, "/nonexistent/cellsockd.conf");
	f->out = evbuffer_new();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	daemon_free(f->d);
	event_base_free(f->base);
	evbuffer_free(f->out);
	free(f);
	return 0;
}

/* Run one request line as peer and return the reply text (static per call site is
 * avoided: the caller owns buf). */
static const char *
run(struct fixture *f, const char *line, int root, int group, char *buf, size_t size)
{
	struct proto_request req;
	struct cmd_ctx ctx = { .d = f->d, .out = f->out, .peer = { root, group } };
	size_t n;

	assert_int_equal(proto_parse_request(line, strlen(line), &req), PROTO_PARSE_OK);
	cmd_dispatch(&ctx, &req);
	n = evbuffer_get_length(f->out);
	assert_true(n < size);
	evbuffer_remove(f->out, buf, n);
	buf[n] = '\0';
	return buf;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void
test_every_reply_is_terminated(void **state)
{
	struct fixture *f = *state;
	static char buf[65536];
	char line[128];

	for (int i = 0; i < CMDTAB_COUNT; i++) {
		const struct cmdtab_entry *e = &cmdtab[i];
		snprintf(line, sizeof(line), "%s%s", e->name, e->min_args > 0 ? " server x" : "");
		if (e->max_args >= 0 && e->min_args == 1)
			snprintf(line, sizeof(line), "%s server", e->name);
		if (strcmp(e->name, "reset") == 0)
			snprintf(line, sizeof(line), "reset pdp");
		run(f, line, 1, 1, buf, sizeof(buf));
		assert_true(ends_with(buf, "OK\n") || strstr(buf, "ERR ") != NULL);
		/* exactly one terminal line, and it is the last one */
		char *last = strrchr(buf, '\n');
		*last = '\0';
		char *prev = strrchr(buf, '\n');
		const char *term = prev ? prev + 1 : buf;
		assert_true(strcmp(term, "OK") == 0 || strncmp(term, "ERR ", 4) == 0);
	}
}

static void
test_permissions_from_flags(void **state)
{
	const struct cmdtab_peer nobody = { 0, 0 }, member = { 0, 1 }, root = { 1, 1 };

	for (int i = 0; i < CMDTAB_COUNT; i++) {
		const struct cmdtab_entry *e = &cmdtab[i];
		assert_true(cmdtab_permitted(e, &root, 1));
		if (e->flags & CMDTAB_ROOT) {
			assert_false(cmdtab_permitted(e, &member, 1));
			assert_false(cmdtab_permitted(e, &nobody, 1));
		} else if (e->flags & CMDTAB_PRIV) {
			assert_true(cmdtab_permitted(e, &member, 1));
			assert_false(cmdtab_permitted(e, &nobody, 1));
		} else if (e->flags & CMDTAB_PRIV_ARGS) {
			assert_true(cmdtab_permitted(e, &nobody, 0));
			assert_false(cmdtab_permitted(e, &nobody, 1));
		} else
			assert_true(cmdtab_permitted(e, &nobody, 1));
	}
	/* the contract of PRODUCT.md */
	assert_true(cmdtab_find("at")->flags & CMDTAB_ROOT);
	assert_true(cmdtab_find("connect")->flags & CMDTAB_PRIV);
	assert_true(cmdtab_find("reload")->flags & CMDTAB_PRIV);
	assert_true(cmdtab_find("log-level")->flags & CMDTAB_PRIV_ARGS);
	assert_int_equal(cmdtab_find("status")->flags, CMDTAB_READ);
	assert_int_equal(cmdtab_find("monitor")->flags, CMDTAB_READ | CMDTAB_STREAM);
	for (int i = 0; i < CMDTAB_COUNT; i++)
		assert_int_equal(cmdtab[i].flags & (CMDTAB_PRIV | CMDTAB_PRIV_ARGS | CMDTAB_ROOT),
		    !strcmp(cmdtab[i].name, "at") ? CMDTAB_ROOT :
		    !strcmp(cmdtab[i].name, "log-level") ? CMDTAB_PRIV_ARGS :
		    strstr(" connect disconnect reconnect send reset reload ", cmdtab[i].name) ?
		    CMDTAB_PRIV : CMDTAB_READ);
}

/* Every entry of the shared table has its handler, and there is no other:
 * the table is indexed by its ids and names are unique. */
static void
test_handlers_cover_table(void **state)
{
	for (int i = 0; i < CMDTAB_COUNT; i++) {
		assert_int_equal(cmdtab[i].id, i);
		assert_non_null(cmdtab[i].name);
		assert_non_null(cmdtab[i].args);
		assert_non_null(cmdtab[i].help);
		assert_non_null(cmd_handler_of(cmdtab[i].id));
		assert_ptr_equal(cmdtab_find(cmdtab[i].name), &cmdtab[i]);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(cmd_handler_of(cmdtab[j].id), cmd_handler_of(cmdtab[i].id));
	}
	assert_null(cmd_handler_of(CMDTAB_COUNT));
	assert_null(cmdtab_find("frobnicate"));
}

/* help answers one record per entry of the table, in its order. */
static void
test_help_is_the_table(void **state)
{
	struct fixture *f = *state;
	static char buf[65536];
	char want[256], args[128];
	const char *p;

	p = run(f, "help", 0, 0, buf, sizeof(buf));
	for (int i = 0; i < CMDTAB_COUNT; i++) {
		proto_value_encode(cmdtab[i].args, args, sizeof(args));
		snprintf(want, sizeof(want), "command name=%s args=%s privileged=%s help=",
		    cmdtab[i].name, args, cmdtab_privilege(&cmdtab[i]));
		assert_true(strncmp(p, want, strlen(want)) == 0);
		p = strchr(p, '\n') + 1;
	}
	assert_string_equal(p, "OK\n");
	assert_non_null(strstr(buf, "command name=at args=COMMAND privileged=root help="));
	assert_non_null(strstr(buf, "command name=version args= privileged=no help=daemon%20version\n"));
}

static void
test_unprivileged_refused(void **state)
{
	struct fixture *f = *state;
	char buf[4096];

	assert_non_null(strstr(run(f, "reload", 0, 0, buf, sizeof(buf)), "ERR permission-denied"));
	assert_non_null(strstr(run(f, "log-level debug", 0, 0, buf, sizeof(buf)), "ERR permission-denied"));
	assert_non_null(strstr(run(f, "log-level", 0, 0, buf, sizeof(buf)), "OK\n"));
	assert_non_null(strstr(run(f, "at AT", 0, 1, buf, sizeof(buf)), "ERR permission-denied"));
	assert_non_null(strstr(run(f, "status", 0, 0, buf, sizeof(buf)), "OK\n"));
}

static void
test_usage_and_unknown(void **state)
{
	struct fixture *f = *state;
	static char buf[65536];

	assert_non_null(strstr(run(f, "frobnicate", 1, 1, buf, sizeof(buf)), "ERR unknown-command"));
	assert_non_null(strstr(run(f, "connect", 1, 1, buf, sizeof(buf)), "ERR usage usage: connect NAME"));
	assert_non_null(strstr(run(f, "status extra", 1, 1, buf, sizeof(buf)), "ERR usage"));
	assert_non_null(strstr(run(f, "log-level loud", 1, 1, buf, sizeof(buf)), "ERR usage"));
	assert_non_null(strstr(run(f, "metrics", 1, 1, buf, sizeof(buf)), "# TYPE cellsock_up gauge"));
	assert_true(ends_with(buf, "OK\n"));
	assert_non_null(strstr(run(f, "connect nosuch", 1, 1, buf, sizeof(buf)), "ERR no-such-link"));
	assert_non_null(strstr(run(f, "reset sideways", 1, 1, buf, sizeof(buf)), "ERR usage"));
	assert_non_null(strstr(run(f, "at AT", 1, 1, buf, sizeof(buf)), "ERR not-available"));
}

static void
test_links_and_status(void **state)
{
	struct fixture *f = *state;
	char buf[8192];

	run(f, "links", 0, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "link name=server state=idle "));
	assert_non_null(strstr(buf, "link name=backup state=idle "));
	run(f, "links backup", 0, 1, buf, sizeof(buf));
	assert_true(strncmp(buf, "link name=backup state=idle ", 28) == 0);
	assert_null(strstr(buf, "name=server"));
	assert_non_null(strstr(run(f, "links nosuch", 0, 1, buf, sizeof(buf)), "ERR no-such-link"));
	run(f, "connect server", 1, 1, buf, sizeof(buf));
	assert_non_null(strstr(buf, "accepted link=server state=waiting"));
	run(f, "disconnect server", 1, 1, buf, sizeof(buf));
	assert_non_null(strstr(buf, "accepted link=server state=idle"));
	run(f, "modem", 0, 0, buf, sizeof(buf));
	assert_true(strncmp(buf, "modem state=closed ", 19) == 0);
	run(f, "status", 0, 0, buf, sizeof(buf));
	assert_true(strncmp(buf, "daemon version=", 15) == 0);
	assert_non_null(strstr(buf, "\nmodem state="));
	assert_non_null(strstr(buf, "config=/nonexistent/cellsockd.conf"));
	run(f, "log-level debug", 1, 1, buf, sizeof(buf));
	assert_string_equal(buf, "log level=debug\nOK\n");
	log_setlevel(LOG_LEVEL_ERROR);
}

static void
test_reload_failure_keeps_old(void **state)
{
	struct fixture *f = *state;
	char buf[8192];

	run(f, "reload", 1, 1, buf, sizeof(buf));
	assert_non_null(strstr(buf, "error message="));
	assert_non_null(strstr(buf, "ERR failed configuration refused"));
	assert_int_equal(f->d->n_links, 2);
	assert_non_null(conf_find_link(f->d->conf, "backup"));
}

static void
test_monitor_subscribes(void **state)
{
	struct fixture *f = *state;
	struct proto_request req;
	struct cmd_ctx ctx = { .d = f->d, .out = f->out };

	proto_parse_request("monitor", 7, &req);
	cmd_dispatch(&ctx, &req);
	assert_true(ctx.subscribe);
	evbuffer_drain(f->out, evbuffer_get_length(f->out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_reply_is_terminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_from_flags, setup, teardown),
		cmocka_unit_test(test_handlers_cover_table),
		cmocka_unit_test_setup_teardown(test_help_is_the_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_subscribes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
