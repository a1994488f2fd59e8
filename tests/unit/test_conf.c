/* Unit tests of the configuration loader (src/conf/conf.c): the shipped
 * example, defaults, every class of error with its line, secrets, reload. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "dialect/telit/telit_lines.h"
#include "log.h"

#define MINIMAL "modem: { device = \"/dev/ttyUSB0\"; };\n"
/* The required keys of link n on modem socket s; the brace is left open. */
#define LINK(n, s) \
	"{ name = \"" n "\"; host = \"h\"; port = 1; socket = " #s ";"
#define NITEMS(n) (sizeof(n) / sizeof((n)[0]))

/* Load text as "test.conf"; the errors go to errs (initialized here). */
static struct conf *
load(const char *text, struct conf_errors *errs)
{
	conf_errors_init(errs);
	return conf_load_string(text, "test.conf", errs);
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
print_msgs(const struct conf_errors *errs)
{
	int i;

	for (i = 0; i < errs->n; i++)
		print_message("  %s\n", errs->msgs[i]);
}

/* Text must fail with exactly the message want (and only that one). */
static void
expect_one(const char *text, const char *want)
{
	struct conf_errors errs;
	struct conf *conf;

	conf = load(text, &errs);
	if (errs.n != 1 || strcmp(errs.msgs[0], want) != 0) {
		print_message("expected: %s\ngot %d:\n", want, errs.n);
		print_msgs(&errs);
	}
	assert_null(conf);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], want);
	conf_errors_free(&errs);
}

/* Text must load without any message. */
static struct conf *
expect_ok(const char *text)
{
	struct conf_errors errs;
	struct conf *conf;

	conf = load(text, &errs);
	if (errs.n != 0)
		print_msgs(&errs);
	assert_int_equal(errs.n, 0);
	assert_non_null(conf);
	conf_errors_free(&errs);
	return conf;
}

static void
test_example_loads(void **state)
{
	struct conf_errors errs;
	const struct conf_link *l;
	struct conf *conf;

	conf_errors_init(&errs);
	conf = conf_load(TEST_SRCDIR "/etc/cellsockd.conf", &errs);
	print_msgs(&errs);
	assert_int_equal(errs.n, 0);
	assert_non_null(conf);
	assert_string_equal(conf->path, TEST_SRCDIR "/etc/cellsockd.conf");
	assert_string_equal(conf->modem.device,
	    "/dev/serial/by-id/usb-Telit_HE910-if00");
	assert_int_equal(conf->n_links, 2);
	l = conf_find_link(conf, "server");
	assert_non_null(l);
	assert_int_equal(l->socket, 1);
	assert_int_equal(l->local_kind, CONF_LOCAL_UNIX);
	assert_string_equal(l->local_path, "/run/cellsock/server.sock");
	l = conf_find_link(conf, "telemetry");
	assert_non_null(l);
	assert_int_equal(l->local_kind, CONF_LOCAL_TCP);
	assert_string_equal(l->local_addr, "127.0.0.1");
	assert_int_equal(l->local_port, 7001);
	assert_int_equal(l->session, CONF_SESSION_PERSISTENT);
	assert_true(l->keepalive.idle_auto);
	assert_int_equal(l->keepalive.probe_len, 0);
	assert_int_equal(conf->control.mode, 0660);
	conf_free(conf);
	conf_errors_free(&errs);
}

static void
test_defaults(void **state)
{
	struct conf *conf = expect_ok(MINIMAL);

	assert_string_equal(conf->path, "test.conf");
	assert_string_equal(conf->modem.device, "/dev/ttyUSB0");
	assert_int_equal(conf->modem.baudrate, 115200);
	assert_int_equal(conf->modem.flow_control, CONF_FLOW_NONE);
	assert_int_equal(conf->modem.dialect, CONF_DIALECT_AUTO);
	assert_int_equal(conf->modem.n_init, 0);
	assert_true(conf->modem.command_timeout == 5.0);
	assert_string_equal(conf->modem.pin, "");
	assert_string_equal(conf->network.apn, "internet");
	assert_int_equal(conf->network.cid, 1);
	assert_string_equal(conf->network.pdp_type, "IP");
	assert_string_equal(conf->network.user, "");
	assert_string_equal(conf->network.password, "");
	assert_true(conf->network.registration_timeout == 180.0);
	assert_int_equal(conf->n_links, 0);
	assert_int_equal(conf->recovery.pdp_cycle_after, 3);
	assert_int_equal(conf->recovery.radio_cycle_after, 5);
	assert_int_equal(conf->recovery.modem_reboot_after, 7);
	assert_string_equal(conf->recovery.hook, "");
	assert_true(conf->recovery.hook_timeout == 60.0);
	assert_true(conf->recovery.cooldown == 300.0);
	assert_string_equal(conf->control.socket,
	    RUNSTATEDIR "/cellsock/control.sock");
	assert_string_equal(conf->control.group, "cellsock");
	assert_int_equal(conf->control.mode, 0660);
	assert_int_equal(conf->log.level, LOG_LEVEL_INFO);
	assert_int_equal(conf->log.at_trace, 0);
	assert_string_equal(conf->metrics.textfile, "");
	assert_true(conf->metrics.interval == 60.0);
	conf_free(conf);
}

static void
test_link_defaults(void **state)
{
	struct conf *conf = expect_ok(MINIMAL "links = ( " LINK("a", 3)
	    " } );\n");
	const struct conf_link *l = &conf->links[0];

	assert_int_equal(conf->n_links, 1);
	assert_int_equal(l->line, 2);
	assert_int_equal(l->local_kind, CONF_LOCAL_NONE);
	assert_null(l->local);
	assert_int_equal(l->session, CONF_SESSION_TRANSPARENT);
	assert_int_equal(l->resend_unacked, 0);
	assert_int_equal(l->tx_buffer, 65536);
	assert_int_equal(l->rx_buffer, 65536);
	assert_true(l->keepalive.idle == 300.0);
	assert_int_equal(l->keepalive.idle_auto, 0);
	assert_true(l->keepalive.idle_min == 30.0);
	assert_true(l->keepalive.idle_max == 1800.0);
	assert_true(l->keepalive.timeout == 20.0);
	assert_int_equal(l->keepalive.retries, 2);
	assert_int_equal(l->keepalive.probe_len, 1);
	assert_int_equal(l->keepalive.probe[0], 0xff);
	assert_int_equal(l->keepalive.reply_len, 1);
	assert_int_equal(l->keepalive.reply[0], 0xfe);
	assert_int_equal(l->keepalive.reply_any, 0);
	assert_true(l->keepalive.ack_timeout == 60.0);
	assert_int_equal(l->keepalive.modem_keepalive, 0);
	assert_true(l->reconnect.min == 1.0);
	assert_true(l->reconnect.max == 300.0);
	assert_true(l->reconnect.stable == 60.0);
	assert_true(l->reconnect.teardown_timeout == 20.0);
	assert_true(l->reconnect.quiet_time == 2.0);
	conf_free(conf);
}

/* Every key set to a value other than its default. */
static void
test_all_keys(void **state)
{
	static const uint8_t probe[] = { 0x50, 0x49, 0x4e, 0x47, 0x0a };
	struct conf *conf = expect_ok(
	    "modem: { device = \"/dev/ttyACM0\"; baudrate = 921600;\n"
	    "  flow_control = \"rtscts\"; dialect = \"telit\";\n"
	    "  init = ( \"AT#SLED=2\", \"ate0\" ); command_timeout = 2.5;\n"
	    "  pin = \"1234\"; };\n"
	    "network: { apn = \"web.op\"; cid = 5; pdp_type = \"IPV4V6\";\n"
	    "  user = \"u\"; password = \"p w\";\n"
	    "  registration_timeout = 60; };\n"
	    "links = ( { name = \"x.Y_z-1\"; host = \"2001:db8::1\";\n"
	    "  port = 65535; socket = 6; local = \"tcp:[::1]:65535\";\n"
	    "  session = \"persistent\"; resend_unacked = true;\n"
	    "  tx_buffer = 1024; rx_buffer = 16777216L;\n"
	    "  keepalive: { idle = 1; idle_min = 5; idle_max = 5.0;\n"
	    "    timeout = 0.5; retries = 0; probe = \"50494e470A\";\n"
	    "    reply = \"any\"; ack_timeout = 3600;\n"
	    "    modem_keepalive = 240; };\n"
	    "  reconnect: { min = 0.25; max = 0.25; stable = 0;\n"
	    "    teardown_timeout = 600; quiet_time = 0; }; } );\n"
	    "recovery: { pdp_cycle_after = 1; radio_cycle_after = 1;\n"
	    "  modem_reboot_after = 100;\n"
	    "  hook = \"/usr/local/bin/power-cycle\";\n"
	    "  hook_timeout = 1; cooldown = 0; };\n"
	    "control: { socket = \"/tmp/c.sock\"; group = \"\";\n"
	    "  mode = \"600\"; };\n"
	    "log: { level = \"DEBUG\"; at_trace = TRUE; };\n");
	const struct conf_link *l = &conf->links[0];

	assert_int_equal(conf->modem.baudrate, 921600);
	assert_int_equal(conf->modem.flow_control, CONF_FLOW_RTSCTS);
	assert_int_equal(conf->modem.n_init, 2);
	assert_string_equal(conf->modem.init[0], "AT#SLED=2");
	assert_string_equal(conf->modem.init[1], "ate0");
	assert_true(conf->modem.command_timeout == 2.5);
	assert_string_equal(conf->modem.pin, "1234");
	assert_string_equal(conf->network.apn, "web.op");
	assert_int_equal(conf->network.cid, 5);
	assert_string_equal(conf->network.pdp_type, "IPV4V6");
	assert_string_equal(conf->network.password, "p w");
	assert_true(conf->network.registration_timeout == 60.0);
	assert_string_equal(l->name, "x.Y_z-1");
	assert_string_equal(l->host, "2001:db8::1");
	assert_int_equal(l->port, 65535);
	assert_int_equal(l->socket, 6);
	assert_int_equal(l->local_kind, CONF_LOCAL_TCP);
	assert_string_equal(l->local_addr, "::1");
	assert_int_equal(l->local_port, 65535);
	assert_string_equal(l->local, "tcp:[::1]:65535");
	assert_int_equal(l->resend_unacked, 1);
	assert_int_equal(l->tx_buffer, 1024);
	assert_int_equal(l->rx_buffer, 16777216);
	assert_true(l->keepalive.idle == 1.0);
	assert_true(l->keepalive.timeout == 0.5);
	assert_int_equal(l->keepalive.retries, 0);
	assert_int_equal(l->keepalive.probe_len, sizeof(probe));
	assert_memory_equal(l->keepalive.probe, probe, sizeof(probe));
	assert_int_equal(l->keepalive.reply_any, 1);
	assert_int_equal(l->keepalive.reply_len, 0);
	assert_int_equal(l->keepalive.modem_keepalive, 240);
	assert_true(l->reconnect.min == 0.25);
	assert_true(l->reconnect.stable == 0.0);
	assert_int_equal(conf->recovery.modem_reboot_after, 100);
	assert_string_equal(conf->recovery.hook, "/usr/local/bin/power-cycle");
	assert_string_equal(conf->control.socket, "/tmp/c.sock");
	assert_string_equal(conf->control.group, "");
	assert_int_equal(conf->control.mode, 0600);
	assert_int_equal(conf->log.level, LOG_LEVEL_DEBUG);
	assert_int_equal(conf->log.at_trace, 1);
	assert_string_equal(conf_session_name(l->session), "persistent");
	assert_string_equal(conf_flow_name(conf->modem.flow_control), "rtscts");
	conf_free(conf);
}

/* libconfig tells integers from floats: both must work for times. */
static void
test_int_and_float(void **state)
{
	struct conf *conf = expect_ok(MINIMAL
	    "network: { registration_timeout = 300; };\n"
	    "links = ( " LINK("a", 1) "\n"
	    "  keepalive: { idle = 300; timeout = 7.5; ack_timeout = 1e2; };\n"
	    "  reconnect: { max = 0x20; }; } );\n");

	assert_true(conf->network.registration_timeout == 300.0);
	assert_true(conf->links[0].keepalive.idle == 300.0);
	assert_true(conf->links[0].keepalive.timeout == 7.5);
	assert_true(conf->links[0].keepalive.ack_timeout == 100.0);
	assert_true(conf->links[0].reconnect.max == 32.0);
	conf_free(conf);
	/* integer keys refuse floats, showing them as floats */
	expect_one(MINIMAL "network: { cid = 2.0; };\n",
	    "test.conf:2: network.cid: must be an integer from 1 to 5 "
	    "(got 2.0)");
}

static void
test_idle_auto(void **state)
{
	struct conf *conf = expect_ok(MINIMAL "links = ( " LINK("a", 1) "\n"
	    "  keepalive: { idle = \"auto\"; idle_min = 45; idle_max = 900; };"
	    " } );\n");

	assert_int_equal(conf->links[0].keepalive.idle_auto, 1);
	assert_true(conf->links[0].keepalive.idle == 45.0);
	assert_true(conf->links[0].keepalive.idle_max == 900.0);
	/* probing up: once a day, one trial death a day, by default */
	assert_true(conf->links[0].keepalive.idle_probe_up == 86400.0);
	assert_int_equal(conf->links[0].keepalive.idle_trial_deaths_per_day, 1);
	conf_free(conf);
	conf = expect_ok(MINIMAL "links = ( " LINK("a", 1) "\n"
	    "  keepalive: { idle = \"auto\"; idle_probe_up = 0;"
	    " idle_trial_deaths_per_day = 3; }; } );\n");
	assert_true(conf->links[0].keepalive.idle_probe_up == 0.0);
	assert_int_equal(conf->links[0].keepalive.idle_trial_deaths_per_day, 3);
	conf_free(conf);
	expect_one(MINIMAL "links = ( " LINK("a", 1) "\n"
	    "  keepalive: { idle_trial_deaths_per_day = 25; }; } );\n",
	    "test.conf:3: links[0].keepalive.idle_trial_deaths_per_day: must be "
	    "an integer from 0 to 24 (got 25)");
	expect_one(MINIMAL "links = ( " LINK("a", 1) "\n"
	    "  keepalive: { idle = \"sometimes\"; }; } );\n",
	    "test.conf:3: links[0].keepalive.idle: must be a number from 1 to "
	    "86400 seconds or \"auto\" (got \"sometimes\")");
	expect_one(MINIMAL "links = ( " LINK("a", 1) "\n"
	    "  keepalive: {\n"
	    "    idle_min = 600; idle_max = 60; }; } );\n",
	    "test.conf:4: links[0].keepalive.idle_min: must not be greater "
	    "than keepalive.idle_max (600.0 > 60.0)");
}

static void
test_command_gap(void **state)
{
	struct conf *conf = expect_ok(MINIMAL);

	assert_int_equal(conf->modem.command_gap_auto, 1);
	conf_free(conf);
	conf = expect_ok("modem: { device = \"/dev/ttyUSB0\"; command_gap = 0.02; };\n");
	assert_int_equal(conf->modem.command_gap_auto, 0);
	assert_true(conf->modem.command_gap == 0.02);
	conf_free(conf);
	conf = expect_ok("modem: { device = \"/dev/ttyUSB0\"; command_gap = 0; };\n");
	assert_int_equal(conf->modem.command_gap_auto, 0);
	assert_true(conf->modem.command_gap == 0.0);
	conf_free(conf);
	conf = expect_ok("modem: { device = \"/dev/ttyUSB0\"; command_gap = \"AUTO\"; };\n");
	assert_int_equal(conf->modem.command_gap_auto, 1);
	conf_free(conf);
	expect_one("modem: { device = \"/dev/ttyUSB0\";\n  command_gap = 2; };\n",
	    "test.conf:2: modem.command_gap: must be a number from 0 to 1 seconds "
	    "or \"auto\" (got 2)");
	expect_one("modem: { device = \"/dev/ttyUSB0\";\n  command_gap = \"fast\"; };\n",
	    "test.conf:2: modem.command_gap: must be a number from 0 to 1 seconds "
	    "or \"auto\" (got \"fast\")");
}

static void
test_syntax_error(void **state)
{
	expect_one(MINIMAL "network: {\n  apn = \"x\"\n  cid = ;\n};\n",
	    "test.conf:4: syntax error");
	expect_one(MINIMAL "log: { level = \"info\";\n"
	    "  level = \"debug\"; };\n",
	    "test.conf:3: syntax error: duplicate setting name");
	expect_one(MINIMAL "modem: { baudrate = 9600; };\n",
	    "test.conf:2: syntax error: duplicate setting name");
	expect_one(MINIMAL "\n\nnetwork: { apn = \"unterminated; };\n",
	    "test.conf:5: syntax error");
	expect_one(MINIMAL "network: {\n  apn = [ \"AT\", 5 ]; };\n",
	    "test.conf:3: syntax error: mismatched element type in array");
}

static void
test_wrong_type(void **state)
{
	struct conf_errors errs;

	assert_null(load(
	    "modem: {\n"
	    "  device = 5;\n"
	    "  command_timeout = \"abc\";\n"
	    "  init = \"ATE0\";\n"
	    "};\n"
	    "network = 1;\n"
	    "links = { name = \"a\"; };\n"
	    "log: { at_trace = \"yes\"; level = 3; };\n", &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, 7);
	assert_string_equal(errs.msgs[0],
	    "test.conf:2: modem.device: must be a string (got 5)");
	assert_string_equal(errs.msgs[1],
	    "test.conf:3: modem.command_timeout: must be a number > 0 and "
	    "<= 600 seconds (got \"abc\")");
	assert_string_equal(errs.msgs[2],
	    "test.conf:4: modem.init: must be a list of strings such as "
	    "[ \"AT#SLED=2\" ] (got \"ATE0\")");
	assert_string_equal(errs.msgs[3],
	    "test.conf:6: network: must be a group { ... } (got 1)");
	assert_string_equal(errs.msgs[4],
	    "test.conf:7: links: must be a list of groups: "
	    "links = ( { ... }, { ... } ); (got a group)");
	assert_string_equal(errs.msgs[5],
	    "test.conf:8: log.at_trace: must be true or false (got \"yes\")");
	assert_string_equal(errs.msgs[6],
	    "test.conf:8: log.level: must be one of \"error\", \"warning\", "
	    "\"notice\", \"info\" or \"debug\" (got 3)");
	conf_errors_free(&errs);
	expect_one(MINIMAL "links = ( \"server\" );\n",
	    "test.conf:2: links[0]: must be a group { name = ...; host = ...; "
	    "port = ...; socket = ...; } (got \"server\")");
	expect_one(MINIMAL "control: { mode = 0660; };\n",
	    "test.conf:2: control.mode: must be an octal string such as "
	    "\"0660\" (in quotes: a bare 0660 is the decimal number 660) "
	    "(got 660)");
}

static void
test_out_of_range(void **state)
{
	static const char *const want[] = {
		"test.conf:2: network.cid: must be an integer from 1 to 5 "
		"(got 0)",
		"test.conf:2: network.registration_timeout: must be a number "
		"> 0 and <= 86400 seconds (got 0)",
		"test.conf:3: links[0].port: must be an integer from 1 to "
		"65535 (got 65536)",
		"test.conf:4: links[0].socket: must be an integer from 0 to 11 "
		"(dialect auto: Quectel connectIDs are 0 to 11, Telit connIds 1 to 6, "
		"checked at bring-up) (got 12)",
		"test.conf:4: links[0].tx_buffer: must be an integer from 1024 "
		"to 16777216 bytes (got 1023)",
		"test.conf:4: links[0].rx_buffer: must be an integer from 1024 "
		"to 16777216 bytes (got 16777217)",
		"test.conf:5: links[0].keepalive.timeout: must be a number > 0 "
		"and <= 3600 seconds (got -1.5)",
		"test.conf:5: links[0].keepalive.retries: must be an integer "
		"from 0 to 100 (got 101)",
		"test.conf:6: links[0].keepalive.modem_keepalive: must be an "
		"integer from 0 to 240 minutes (got 241)",
		"test.conf:6: links[0].keepalive.ack_timeout: must be a number "
		"> 0 and <= 3600 seconds (got 3600.5)",
		"test.conf:6: links[0].keepalive.idle: must be a number from 1 "
		"to 86400 seconds or \"auto\" (got 0.5)",
		"test.conf:7: links[0].reconnect.min: must be a number > 0 and "
		"<= 86400 seconds (got 0)",
		"test.conf:7: links[0].reconnect.quiet_time: must be a number "
		"from 0 to 600 seconds (got -1)",
		"test.conf:8: control.mode: must be an octal mode from "
		"\"0000\" to \"0777\", such as \"0660\" (got \"1777\")",
	};
	struct conf_errors errs;
	size_t i;

	assert_null(load(MINIMAL
	    "network: { cid = 0; registration_timeout = 0; };\n"
	    "links = ( { name = \"a\"; host = \"h\"; port = 65536;\n"
	    "  socket = 12; tx_buffer = 1023; rx_buffer = 16777217;\n"
	    "  keepalive: { timeout = -1.5; retries = 101;\n"
	    "    modem_keepalive = 241; ack_timeout = 3600.5; idle = 0.5; };\n"
	    "  reconnect: { min = 0; quiet_time = -1; }; } );\n"
	    "control: { mode = \"1777\"; };\n", &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, NITEMS(want));
	for (i = 0; i < NITEMS(want); i++)
		assert_string_equal(errs.msgs[i], want[i]);
	conf_errors_free(&errs);
}

/* dialect = "quectel": connectIDs 0..11, whether links come before the
 * modem group or after it; 0 stays refused for a forced Telit. */
static void
test_quectel_sockets(void **state)
{
	struct conf *conf;

	conf = expect_ok("links = ( " LINK("a", 0) " }, " LINK("b", 11) " } );\n"
	    "modem: { device = \"/dev/ttyUSB2\"; dialect = \"quectel\"; };\n");
	assert_int_equal(conf->modem.dialect, CONF_DIALECT_QUECTEL);
	assert_int_equal(conf->links[0].socket, 0);
	assert_int_equal(conf->links[1].socket, 11);
	conf_free(conf);
	expect_one("modem: { device = \"/dev/ttyUSB2\"; dialect = \"quectel\"; };\n"
	    "links = ( " LINK("a", 12) " } );\n",
	    "test.conf:2: links[0].socket: must be an integer from 0 to 11 (a Quectel "
	    "connectID; Telit connIds are 1 to 6) (got 12)");
	expect_one("modem: { device = \"/dev/ttyUSB2\"; dialect = \"quectel\"; };\n"
	    "links = ( " LINK("a", 0) " }, " LINK("b", 0) " } );\n",
	    "test.conf:2: links[1].socket: modem socket 0 is already used by links[0] at "
	    "line 2");
	expect_one("modem: { device = \"/dev/ttyUSB2\"; dialect = \"telit\"; };\n"
	    "links = ( " LINK("a", 0) " } );\n",
	    "test.conf:2: links[0].socket: must be an integer from 1 to 6 (got 0)");
	/* "auto" (the default): 0..11, the dialect's range is checked at bring-up */
	conf = expect_ok(MINIMAL "links = ( " LINK("a", 0) " }, " LINK("b", 11) " } );\n");
	assert_int_equal(conf->modem.dialect, CONF_DIALECT_AUTO);
	conf_free(conf);
}

#define C10 "0123456789"
#define HOST61 C10 C10 C10 C10 C10 C10 "x"	/* AT#SD=1,0,1,"...",0,0,1: 81 */

/* Values that make a Telit command longer than 80 characters: an error
 * naming file and line with dialect "telit", a warning with "auto",
 * nothing with "quectel"; the lengths are the dialect's own. */
static void
test_telit_line_length(void **state)
{
	struct conf_errors warns;
	struct conf *conf;
	char buf[512];

	expect_one("modem: { device = \"/dev/ttyUSB0\"; dialect = \"telit\"; };\n"
	    "links = ( { name = \"a\"; host = \"" HOST61 "\"; port = 1; socket = 1; } );\n",
	    "test.conf:2: links[0].host: makes AT#SD 81 characters long; old Telit modules "
	    "(UC864, HE910) take command lines of at most 80");
	assert_int_equal(telit_cmd_sd(buf, sizeof(buf), 1, 1, HOST61), 81);
	conf = expect_ok("modem: { device = \"/dev/ttyUSB0\"; dialect = \"telit\"; };\n"
	    "links = ( { name = \"a\"; host = \"" C10 C10 C10 C10 C10 C10 "\"; port = 1; "
	    "socket = 1; } );\n");
	conf_free(conf);
	expect_one("modem: { device = \"/dev/ttyUSB0\"; dialect = \"telit\"; };\n"
	    "network: {\n apn = \"" HOST61 "\"; };\n",
	    "test.conf:3: network.apn: makes AT+CGDCONT 81 characters long; old Telit "
	    "modules (UC864, HE910) take command lines of at most 80");
	assert_int_equal(telit_cmd_cgdcont(buf, sizeof(buf), 1, "IP", HOST61), 81);
	expect_one("modem: { device = \"/dev/ttyUSB0\"; dialect = \"telit\"; };\n"
	    "network: { user = \"" C10 C10 C10 "ab\";\n password = \"" C10 C10 C10 "a\"; };\n",
	    "test.conf:2: network.user and network.password: makes AT#SGACT 81 characters "
	    "long; old Telit modules (UC864, HE910) take command lines of at most 80");
	assert_int_equal(telit_cmd_sgact_on(buf, sizeof(buf), 1, C10 C10 C10 "ab",
	    C10 C10 C10 "a"), 81);
	/* auto: valid, with a warning for cellsockd -n; quectel: nothing */
	conf = expect_ok(MINIMAL "links = ( { name = \"a\"; host = \"" HOST61 "\"; port = 1; "
	    "socket = 1; } );\n");
	conf_errors_init(&warns);
	conf_warnings(conf, &warns);
	assert_int_equal(warns.n, 1);
	assert_string_equal(warns.msgs[0], "test.conf:2: warning: links[0].host: makes AT#SD "
	    "81 characters long: too long for old Telit modules (UC864, HE910: 80); checked "
	    "again when the module is known");
	conf_errors_free(&warns);
	conf_free(conf);
	conf = expect_ok("modem: { device = \"/dev/ttyUSB0\"; dialect = \"quectel\"; };\n"
	    "links = ( { name = \"a\"; host = \"" HOST61 "\"; port = 1; socket = 1; } );\n");
	conf_errors_init(&warns);
	conf_warnings(conf, &warns);
	assert_int_equal(warns.n, 0);
	conf_errors_free(&warns);
	conf_free(conf);
}

/* Out-of-range values of keys not covered above, one by one. */
static void
test_out_of_range_more(void **state)
{
	struct conf_errors errs;

	expect_one("modem: { device = \"/dev/x\"; baudrate = 1234; };\n",
	    "test.conf:1: modem.baudrate: must be a standard rate from 300 to "
	    "4000000, such as 9600, 115200 or 921600 (got 1234)");
	expect_one("modem: { device = \"/d\"; command_timeout = 1e400; };\n",
	    "test.conf:1: modem.command_timeout: must be a number > 0 and "
	    "<= 600 seconds (got inf)");
	expect_one(MINIMAL "recovery: { cooldown = 86401; };\n",
	    "test.conf:2: recovery.cooldown: must be a number from 0 to 86400 "
	    "seconds (got 86401)");
	expect_one(MINIMAL "recovery: { modem_reboot_after = 101; };\n",
	    "test.conf:2: recovery.modem_reboot_after: must be an integer "
	    "from 1 to 100 failures (got 101)");
	expect_one("modem: { device = \"dev/ttyS0\"; };\n",
	    "test.conf:1: modem.device: must be an absolute path "
	    "(got \"dev/ttyS0\")");
	expect_one(MINIMAL "network: { pdp_type = \"ipv6\"; };\n",
	    "test.conf:2: network.pdp_type: must be one of \"IP\", \"IPV6\" "
	    "or \"IPV4V6\" (got \"ipv6\")");
	expect_one(MINIMAL "network: { apn = \"a\\\"b\"; };\n",
	    "test.conf:2: network.apn: must be printable ASCII without double "
	    "quotes, at most 100 characters (got \"a\"b\")");
	expect_one("modem: { device = \"/d\";\n"
	    "  init = [ \"ATE0\\r\\nATZ\" ]; };\n",
	    "test.conf:2: modem.init[0]: must be one AT command line of "
	    "printable ASCII starting with \"AT\", at most 255 characters "
	    "(got \"ATE0\\r\\nATZ\")");
	/* long values are shown escaped and cut */
	assert_null(load(MINIMAL "control: { socket = \"/run/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\"; "
	    "};\n", &errs));
	assert_int_equal(errs.n, 1);
	assert_true(starts_with(errs.msgs[0],
	    "test.conf:2: control.socket: must be an absolute path shorter "
	    "than 108 bytes (got \"/run/aaaa"));
	assert_non_null(strstr(errs.msgs[0], "aaa...\")"));
	conf_errors_free(&errs);
}

static void
test_unknown_key_and_group(void **state)
{
	struct conf_errors errs;

	assert_null(load(
	    "modem: {\n"
	    "  device = \"/dev/ttyUSB0\";\n"
	    "  speed = 9600;\n"
	    "};\n"
	    "links = ( " LINK("a", 1) "\n"
	    "  keepalive: { interval = 5; }; colour = \"red\"; } );\n"
	    "\n"
	    "modems: { };\n"
	    "verbose = true;\n", &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, 5);
	assert_string_equal(errs.msgs[0],
	    "test.conf:3: modem.speed: unknown key (known keys: device, "
	    "ports, baudrate, flow_control, dialect, init, command_timeout, command_gap, pin)");
	assert_string_equal(errs.msgs[1],
	    "test.conf:6: links[0].keepalive.interval: unknown key (known "
	    "keys: idle, idle_min, idle_max, idle_probe_up, "
	    "idle_trial_deaths_per_day, timeout, retries, probe, reply, "
	    "ack_timeout, modem_keepalive)");
	assert_true(starts_with(errs.msgs[2],
	    "test.conf:6: links[0].colour: unknown key (known keys: name, "
	    "host, port, socket, local, "));
	assert_string_equal(errs.msgs[3],
	    "test.conf:8: modems: unknown group (the groups are modem, "
	    "network, links, recovery, control, log, metrics)");
	assert_string_equal(errs.msgs[4],
	    "test.conf:9: verbose: unknown setting (the groups are modem, "
	    "network, links, recovery, control, log, metrics)");
	conf_errors_free(&errs);
}

static void
test_duplicate_link_name(void **state)
{
	expect_one(MINIMAL
	    "links = (\n"
	    "  " LINK("a", 1) " },\n"
	    "  { host = \"h\"; port = 1; socket = 2;\n"
	    "    name = \"a\"; }\n"
	    ");\n",
	    "test.conf:5: links[1].name: duplicate link name \"a\" (links[0] "
	    "at line 3 has it too)");
}

static void
test_duplicate_socket(void **state)
{
	expect_one(MINIMAL
	    "links = (\n"
	    "  " LINK("a", 4) " },\n"
	    "  " LINK("b", 5) " },\n"
	    "  { name = \"c\"; host = \"h\"; port = 1;\n"
	    "    socket = 4; }\n"
	    ");\n",
	    "test.conf:6: links[2].socket: modem socket 4 is already used by "
	    "links[0] at line 3");
}

/* One link with the given local endpoint, at line 2. */
static void
expect_local_error(const char *local, const char *why)
{
	char text[512], want[512];

	snprintf(text, sizeof(text), MINIMAL "links = ( " LINK("a", 1)
	    " local = \"%s\"; } );\n", local);
	snprintf(want, sizeof(want),
	    "test.conf:2: links[0].local: %s (got \"%s\")", why, local);
	expect_one(text, want);
}

static void
test_local_endpoint(void **state)
{
	static const char *syntax = "must be \"tcp:127.0.0.1:PORT\" or "
	    "\"tcp:[::1]:PORT\" with PORT from 1 to 65535";
	static const char *numeric = "the tcp: address must be a numeric "
	    "loopback address, 127.0.0.1 or [::1]";
	static const char *path = "the unix: path must be absolute, without "
	    "control characters and shorter than 108 bytes";
	static const char *remote = " is not a loopback address: local "
	    "endpoints accept only applications on this machine (use "
	    "127.0.0.1 or [::1])";
	char why[256];
	struct conf *conf;

	snprintf(why, sizeof(why), "192.168.1.1%s", remote);
	expect_local_error("tcp:192.168.1.1:80", why);
	snprintf(why, sizeof(why), "2001:db8::1%s", remote);
	expect_local_error("tcp:[2001:db8::1]:80", why);
	snprintf(why, sizeof(why), "0.0.0.0%s", remote);
	expect_local_error("tcp:0.0.0.0:80", why);
	expect_local_error("tcp:localhost:80", numeric);
	expect_local_error("tcp:::1:80", syntax);
	expect_local_error("tcp:127.0.0.1:0", syntax);
	expect_local_error("tcp:127.0.0.1:65536", syntax);
	expect_local_error("tcp:127.0.0.1:+80", syntax);
	expect_local_error("tcp:127.0.0.1", syntax);
	expect_local_error("tcp:[::1]80", syntax);
	expect_local_error("tcp:[::1:80", syntax);
	expect_local_error("unix:relative.sock", path);
	expect_local_error("unix:", path);
	expect_local_error("/run/x.sock", "must be \"unix:/ABSOLUTE/PATH\", "
	    "\"tcp:127.0.0.1:PORT\", \"tcp:[::1]:PORT\" or \"\"");
	conf = expect_ok(MINIMAL "links = (\n"
	    LINK("a", 1) " local = \"tcp:127.1.2.3:80\"; },\n"
	    LINK("b", 2) " local = \"tcp:127.0.0.1:80\"; },\n"
	    LINK("c", 3) " local = \"\"; },\n"
	    LINK("d", 4) " local = \"unix:/tmp/d\"; } );\n");
	assert_string_equal(conf->links[0].local_addr, "127.1.2.3");
	assert_int_equal(conf->links[0].local_port, 80);
	assert_int_equal(conf->links[2].local_kind, CONF_LOCAL_NONE);
	assert_string_equal(conf->links[3].local_path, "/tmp/d");
	conf_free(conf);
	/* two links on one endpoint, or a link on the control socket */
	expect_one(MINIMAL "links = (\n"
	    LINK("a", 1) " local = \"unix:/tmp/d\"; },\n"
	    LINK("b", 2) " local = \"unix:/tmp/d\"; } );\n",
	    "test.conf:4: links[1].local: endpoint \"unix:/tmp/d\" is already "
	    "used by links[0] at line 3");
	expect_one(MINIMAL "control: { socket = \"/tmp/c\"; };\n"
	    "links = ( " LINK("a", 1) "\n"
	    "  local = \"unix:/tmp/c\"; } );\n",
	    "test.conf:3: links[0].local: \"/tmp/c\" is the control socket");
}

static void
test_bad_hex(void **state)
{
	static const char *probe = "must be hex bytes such as \"FF\" (an "
	    "even number of hex digits, at most 32 bytes) or \"\" for no probe";
	static const char *reply = "must be hex bytes such as \"FE\" (an "
	    "even number of hex digits, at most 32 bytes) or \"any\"";
	struct conf_errors errs;
	char want[512];

	assert_null(load(MINIMAL
	    "links = ( " LINK("a", 1) "\n"
	    "  keepalive: {\n"
	    "    probe = \"F\";\n"
	    "    reply = \"GG\";\n"
	    "  }; },\n"
	    "  " LINK("b", 2) " keepalive: {\n"
	    "    probe = \"00112233445566778899AABBCCDDEEFF"
	    "00112233445566778899AABBCCDDEEFF00\";\n"
	    "    reply = \"\"; }; },\n"
	    "  " LINK("c", 3) " keepalive: {\n"
	    "    probe = 255; reply = \"any\"; }; } );\n", &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, 5);
	snprintf(want, sizeof(want), "test.conf:4: links[0].keepalive.probe: "
	    "%s (got \"F\")", probe);
	assert_string_equal(errs.msgs[0], want);
	snprintf(want, sizeof(want), "test.conf:5: links[0].keepalive.reply: "
	    "%s (got \"GG\")", reply);
	assert_string_equal(errs.msgs[1], want);
	snprintf(want, sizeof(want), "test.conf:8: links[1].keepalive.probe: "
	    "%s (got \"00112233445566778899AABB", probe);
	assert_true(starts_with(errs.msgs[2], want));
	snprintf(want, sizeof(want), "test.conf:9: links[1].keepalive.reply: "
	    "%s (got \"\")", reply);
	assert_string_equal(errs.msgs[3], want);
	snprintf(want, sizeof(want), "test.conf:11: links[2].keepalive.probe: "
	    "%s (got 255)", probe);
	assert_string_equal(errs.msgs[4], want);
	conf_errors_free(&errs);
}

static void
test_missing_required(void **state)
{
	struct conf_errors errs;

	expect_one("network: { apn = \"x\"; };\n",
	    "test.conf: modem: required group is missing");
	expect_one("\n\nmodem:\n{\n  baudrate = 9600;\n};\n",
	    "test.conf:3: modem.device: required key is missing (or give modem.ports)");
	assert_null(load(MINIMAL "links = (\n  { },\n  { name = \"b\";\n"
	    "  host = \"h\"; port = 1; }\n);\n", &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, 5);
	assert_string_equal(errs.msgs[0],
	    "test.conf:3: links[0].name: required key is missing");
	assert_string_equal(errs.msgs[1],
	    "test.conf:3: links[0].host: required key is missing");
	assert_string_equal(errs.msgs[2],
	    "test.conf:3: links[0].port: required key is missing");
	assert_string_equal(errs.msgs[3],
	    "test.conf:3: links[0].socket: required key is missing");
	assert_string_equal(errs.msgs[4],
	    "test.conf:4: links[1].socket: required key is missing");
	conf_errors_free(&errs);
}

static void
test_too_many_links(void **state)
{
	struct conf_errors errs;
	char text[2048];
	size_t len;
	int i;

	len = (size_t)snprintf(text, sizeof(text), MINIMAL "links = (\n");
	for (i = 0; i < CONF_MAX_LINKS + 2; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "  { name = \"l%d\"; host = \"h\"; port = 1; socket = %d; "
		    "}%s\n", i, i % CONF_MAX_LINKS,
		    i == CONF_MAX_LINKS + 1 ? "" : ",");
	snprintf(text + len, sizeof(text) - len, ");\n");
	assert_null(load(text, &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.msgs[0], "test.conf:15: links[12]: too many "
	    "links (at most 12, one per modem socket)");
	assert_string_equal(errs.msgs[1], "test.conf:16: links[13]: too many "
	    "links (at most 12, one per modem socket)");
	conf_errors_free(&errs);
}

/* modem.ports: several AT ports; device alone is one; both only when
 * device is the first port. */
static void
test_ports(void **state)
{
	struct conf *conf;

	(void)state;
	conf = expect_ok(MINIMAL);
	assert_int_equal(conf->modem.n_ports, 1);
	assert_string_equal(conf->modem.ports[0], "/dev/ttyUSB0");
	conf_free(conf);
	conf = expect_ok("modem: { ports = [ \"/dev/ttyUSB2\", \"/dev/ttyUSB3\" ]; };\n");
	assert_int_equal(conf->modem.n_ports, 2);
	assert_string_equal(conf->modem.device, "/dev/ttyUSB2");
	assert_string_equal(conf->modem.ports[1], "/dev/ttyUSB3");
	conf_free(conf);
	conf = expect_ok("modem: { device = \"/dev/ttyUSB2\";\n"
	    "  ports = ( \"/dev/ttyUSB2\", \"/dev/ttyUSB3\" ); };\n");
	assert_int_equal(conf->modem.n_ports, 2);
	conf_free(conf);
	expect_one("modem: { device = \"/dev/ttyUSB3\";\n"
	    "  ports = [ \"/dev/ttyUSB2\", \"/dev/ttyUSB3\" ]; };\n",
	    "test.conf:1: modem.device: \"/dev/ttyUSB3\" is not the first of modem.ports "
	    "(\"/dev/ttyUSB2\"); give one of them, or the same port");
	expect_one("modem: {\n  ports = [ \"/dev/ttyUSB2\",\n \"/dev/ttyUSB2\" ]; };\n",
	    "test.conf:3: modem.ports[1]: is listed twice");
	expect_one("modem: {\n  ports = [ ]; };\n", "test.conf:2: modem.ports: 1 to 4 ports (got 0)");
	expect_one("modem: {\n  ports = [ \"/a\", \"/b\", \"/c\", \"/d\", \"/e\" ]; };\n",
	    "test.conf:2: modem.ports: 1 to 4 ports (got 5)");
}

/* Many problems in one file: every one is reported, in line order. */
static void
test_all_problems_at_once(void **state)
{
	static const char *const want[] = {
		"test.conf:1: log.level:",
		"test.conf:2: modem.device: required key is missing",
		"test.conf:3: modem.baudrate:",
		"test.conf:5: network.cid:",
		"test.conf:5: network.apn: must be a string (got 5)",
		"test.conf:6: links[0].name:",
		"test.conf:6: links[0].port:",
		("test.conf:7: recovery.radio_cycle_after: must not be less "
		"than pdp_cycle_after (5 < 9)"),
		"test.conf:8: control.group:",
		"test.conf:9: foo: unknown setting",
	};
	struct conf_errors errs;
	size_t i;

	assert_null(load(
	    "log: { level = \"loud\"; };\n"
	    "modem: {\n"
	    "  baudrate = \"fast\";\n"
	    "};\n"
	    "network: { cid = 6; apn = 5; };\n"
	    "links = ( { name = \"\"; host = \"h\"; port = 0; socket = 1; }"
	    " );\n"
	    "recovery: { pdp_cycle_after = 9; };\n"
	    "control: { group = \"bad group\"; };\n"
	    "foo = 1;\n", &errs));
	print_msgs(&errs);
	assert_int_equal(errs.n, NITEMS(want));
	for (i = 0; i < NITEMS(want); i++)
		assert_true(starts_with(errs.msgs[i], want[i]));
	conf_errors_free(&errs);
}

/* Very many problems: the list is capped, the rest counted. */
static void
test_error_cap(void **state)
{
	struct conf_errors errs;
	char *text, *p;
	int i;

	text = p = malloc(300 * 16 + 64);
	assert_non_null(text);
	p += sprintf(p, MINIMAL);
	for (i = 0; i < 300; i++)
		p += sprintf(p, "junk%d = %d;\n", i, i);
	assert_null(load(text, &errs));
	assert_int_equal(errs.n, CONF_ERRORS_MAX + 1);
	assert_string_equal(errs.msgs[CONF_ERRORS_MAX],
	    "test.conf: 200 more problems not shown");
	conf_errors_free(&errs);
	free(text);
}

/* Secrets never show, neither echoed as bad values nor in other messages. */
static void
test_secrets_never_echoed(void **state)
{
	static const char *const texts[] = {
		"modem: { device = \"/d\"; pin = \"98765\\\"\"; };\n",
		"modem: { device = \"/d\"; pin = \"98765x\"; };\n",
		"modem: { device = \"/d\"; pin = 98765; };\n",
		"modem: { device = \"/d\"; pin = 98765987659876598765; };\n",
		"modem: { device = \"/d\"; pin = [ \"98765\" ]; };\n",
		MINIMAL "network: { password = \"98765\\\"\"; };\n",
		MINIMAL "network: { password = 98765; };\n",
		MINIMAL "network: { password = \"98765\"; cid = 0; };\n",
		MINIMAL "network: { passwd = \"98765\"; };\n",
		MINIMAL "netwrk: { password = \"98765\"; };\n",
		MINIMAL "network: { password = \"98765\n",
	};
	struct conf_errors errs;
	size_t t;
	int i;

	for (t = 0; t < NITEMS(texts); t++) {
		assert_null(load(texts[t], &errs));
		assert_true(errs.n > 0);
		for (i = 0; i < errs.n; i++) {
			/* all but the last fail on a value, not the syntax */
			if (t + 1 < NITEMS(texts))
				assert_null(strstr(errs.msgs[i], "syntax"));
			if (strstr(errs.msgs[i], "98765") != NULL)
				print_message("leak: %s\n", errs.msgs[i]);
			assert_null(strstr(errs.msgs[i], "98765"));
		}
		conf_errors_free(&errs);
	}
	expect_one("modem: { device = \"/d\"; pin = \"12ab\"; };\n",
	    "test.conf:1: modem.pin: must be 4 to 8 digits, or \"\" when the "
	    "SIM has no PIN");
	expect_one(MINIMAL "network: { password = 1; };\n",
	    "test.conf:2: network.password: must be a string");
}

/* A bad reload leaves the running configuration untouched and usable. */
static void
test_reload_keeps_old(void **state)
{
	struct conf_errors errs;
	struct conf *running, *next;
	const struct conf_link *l;

	running = expect_ok(MINIMAL "links = ( { name = \"a\"; host = \"h\"; "
	    "port = 10; socket = 1; } );\n");
	next = load(MINIMAL "links = ( { name = \"a\"; host = \"h\"; "
	    "port = 0; socket = 1; } );\n", &errs);
	assert_null(next);
	assert_int_equal(errs.n, 1);
	conf_errors_free(&errs);
	next = load("modem: {", &errs);
	assert_null(next);
	assert_int_equal(errs.n, 1);
	conf_errors_free(&errs);
	assert_int_equal(running->n_links, 1);
	l = conf_find_link(running, "a");
	assert_non_null(l);
	assert_int_equal(l->port, 10);
	assert_null(conf_find_link(running, "b"));
	assert_string_equal(running->modem.device, "/dev/ttyUSB0");
	/* a good reload replaces it */
	next = expect_ok(MINIMAL "links = ( { name = \"b\"; host = \"h\"; "
	    "port = 11; socket = 2; } );\n");
	conf_free(running);
	running = next;
	assert_int_equal(conf_find_link(running, "b")->port, 11);
	conf_free(running);
}

/* libconfig wraps integer literals that do not fit in 32 bits. */
static void
test_integer_overflow(void **state)
{
	static const char *wrapped = "integer literal out of range (plain "
	    "integers are 32-bit: append L for a 64-bit value)";
	char want[256];
	struct conf *conf;

	snprintf(want, sizeof(want), "test.conf:3: %s", wrapped);
	expect_one(MINIMAL "links = ( { name = \"a\"; host = \"h\";\n"
	    "  socket = 1; port = 4294967297; } );\n", want);
	snprintf(want, sizeof(want), "test.conf:2: %s", wrapped);
	expect_one(MINIMAL "network: { cid = 0x100000001; };\n", want);
	expect_one(MINIMAL "network: { cid = -99999999999999999999L; };\n",
	    want);
	expect_one(MINIMAL "network: { cid = 5000000000L; };\n",
	    "test.conf:2: network.cid: must be an integer from 1 to 5 "
	    "(got 5000000000)");
	/* big numbers in strings, comments and floats are not integers */
	conf = expect_ok(MINIMAL "# 99999999999\n/* 99999999999 */\n"
	    "network: { apn = \"99999999999\"; // 99999999999\n"
	    "  registration_timeout = 99999999999.0e-7; };\n"
	    "links = ( { name = \"a-99999999999\"; host = \"h\"; port = 1;\n"
	    "  socket = 1; tx_buffer = 65536L;\n"
	    "  keepalive: { idle = .99999999999e3; }; } );\n");
	assert_int_equal(conf->links[0].tx_buffer, 65536);
	conf_free(conf);
}

static void
test_include_refused(void **state)
{
	expect_one(MINIMAL "  @include \"/etc/passwd\"\n",
	    "test.conf:2: @include is not supported: keep the configuration "
	    "in one file");
}

static void
test_thresholds_order(void **state)
{
	struct conf *conf;

	expect_one(MINIMAL "recovery: {\n  radio_cycle_after = 8;\n};\n",
	    "test.conf:2: recovery.modem_reboot_after: must not be less than "
	    "radio_cycle_after (7 < 8)");
	expect_one(MINIMAL "links = ( " LINK("a", 1) "\n"
	    "  reconnect: { max = 0.5; }; } );\n",
	    "test.conf:3: links[0].reconnect.min: must not be greater than "
	    "reconnect.max (1.0 > 0.5)");
	conf = expect_ok(MINIMAL "recovery: { pdp_cycle_after = 2; "
	    "radio_cycle_after = 2; modem_reboot_after = 2; };\n");
	conf_free(conf);
}

static void
test_init_list(void **state)
{
	char text[4096];
	size_t len;
	int i;

	len = (size_t)snprintf(text, sizeof(text),
	    "modem: { device = \"/d\"; init = [");
	for (i = 0; i < 33; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%s\"ATE0\"", i ? ", " : " ");
	snprintf(text + len, sizeof(text) - len, " ]; };\n");
	expect_one(text,
	    "test.conf:1: modem.init: at most 32 commands (got 33)");
	expect_one("modem: { device = \"/d\"; init = ( \"AT\", 5 ); };\n",
	    "test.conf:1: modem.init[1]: must be a string (got 5)");
}

/* Write len bytes to a new file. */
static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* conf_load of path must fail with the single message "PATH: what". */
static void
expect_file_error(const char *path, int line, const char *what)
{
	struct conf_errors errs;
	char want[512];

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", path, line, what);
	else
		snprintf(want, sizeof(want), "%s: %s", path, what);
	conf_errors_init(&errs);
	assert_null(conf_load(path, &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], want);
	conf_errors_free(&errs);
}

/* conf_load on file system problems: clear messages, never a crash. */
static void
test_file_problems(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[256];
	struct conf_errors errs;
	struct conf *conf;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	expect_file_error(path, 0, "cannot open: No such file or directory");
	expect_file_error(dir, 0, "not a regular file");

	snprintf(path, sizeof(path), "%s/empty.conf", dir);
	write_file(path, "", 0);
	expect_file_error(path, 0, "the configuration is empty (at least "
	    "modem.device must be set)");
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/big.conf", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1);
	assert_int_equal(ftruncate(fd, 10 * 1024 * 1024), 0);
	close(fd);
	expect_file_error(path, 0, "too large: 10485760 bytes (the limit is "
	    "65536)");
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	write_file(path, MINIMAL "\n\0junk", sizeof(MINIMAL) + 5);
	expect_file_error(path, 3, "contains a NUL byte: not a text file");
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_file_error(path, 0, "not a regular file");
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/secret.conf", dir);
	write_file(path, MINIMAL, strlen(MINIMAL));
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0)	/* root reads it anyway */
		expect_file_error(path, 0, "cannot open: Permission denied");
	conf_errors_init(&errs);
	conf = conf_load(path, &errs);
	conf_free(conf);
	conf_errors_free(&errs);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The string entry point: size limit, NULL name, NULL errs. */
static void
test_load_string_edges(void **state)
{
	struct conf_errors errs;
	struct conf *conf;
	char *big;

	big = malloc(CONF_FILE_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', CONF_FILE_MAX + 1);
	big[CONF_FILE_MAX + 1] = '\0';
	expect_one(big, "test.conf: too large (the limit is 65536 bytes)");
	free(big);
	expect_one("  # only a comment\n",
	    "test.conf: modem: required group is missing");
	conf_errors_init(&errs);
	assert_null(conf_load_string("junk = 1;", NULL, &errs));
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.msgs[0],
	    "<string>: modem: required group is missing");
	assert_string_equal(errs.msgs[1],
	    "<string>:1: junk: unknown setting (the groups are modem, "
	    "network, links, recovery, control, log, metrics)");
	conf_errors_free(&errs);
	assert_null(conf_load_string("junk = 1;", "x", NULL));
	conf = conf_load_string(MINIMAL, "x", NULL);
	assert_non_null(conf);
	conf_free(conf);
	conf_free(NULL);
}

/* metrics: the textfile (a *.prom path or "") and its interval. */
static void
test_metrics_group(void **state)
{
	struct conf *conf;

	conf = expect_ok(MINIMAL "metrics: { textfile = "
	    "\"/var/lib/node-exporter/cellsock.prom\"; interval = 15; };\n");
	assert_string_equal(conf->metrics.textfile,
	    "/var/lib/node-exporter/cellsock.prom");
	assert_true(conf->metrics.interval == 15.0);
	conf_free(conf);
	conf = expect_ok(MINIMAL "metrics: { textfile = \"\"; interval = 86400.0; };\n");
	assert_string_equal(conf->metrics.textfile, "");
	conf_free(conf);
	expect_one(MINIMAL "metrics: { textfile = \"cellsock.prom\"; };\n",
	    "test.conf:2: metrics.textfile: must be an absolute path ending in "
	    "\".prom\" (a file in node_exporter's textfile directory), or \"\" "
	    "for none (got \"cellsock.prom\")");
	expect_one(MINIMAL "metrics: { textfile = \"/tmp/cellsock.txt\"; };\n",
	    "test.conf:2: metrics.textfile: must be an absolute path ending in "
	    "\".prom\" (a file in node_exporter's textfile directory), or \"\" "
	    "for none (got \"/tmp/cellsock.txt\")");
	expect_one(MINIMAL "metrics: { textfile = \"/tmp/.prom\"; };\n",
	    "test.conf:2: metrics.textfile: must be an absolute path ending in "
	    "\".prom\" (a file in node_exporter's textfile directory), or \"\" "
	    "for none (got \"/tmp/.prom\")");
	expect_one(MINIMAL "metrics: { interval = 0.5; };\n",
	    "test.conf:2: metrics.interval: must be a number from 1 to 86400 "
	    "seconds (got 0.5)");
	expect_one(MINIMAL "metrics: { interval = 86401; };\n",
	    "test.conf:2: metrics.interval: must be a number from 1 to 86400 "
	    "seconds (got 86401)");
	expect_one(MINIMAL "metrics: { interval = \"60\"; };\n",
	    "test.conf:2: metrics.interval: must be a number from 1 to 86400 "
	    "seconds (got \"60\")");
	expect_one(MINIMAL "metrics: { port = 9100; };\n",
	    "test.conf:2: metrics.port: unknown key (known keys: textfile, "
	    "interval)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_loads),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_link_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_int_and_float),
		cmocka_unit_test(test_idle_auto),
		cmocka_unit_test(test_command_gap),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_quectel_sockets),
		cmocka_unit_test(test_telit_line_length),
		cmocka_unit_test(test_out_of_range_more),
		cmocka_unit_test(test_unknown_key_and_group),
		cmocka_unit_test(test_duplicate_link_name),
		cmocka_unit_test(test_duplicate_socket),
		cmocka_unit_test(test_local_endpoint),
		cmocka_unit_test(test_bad_hex),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_too_many_links),
		cmocka_unit_test(test_all_problems_at_once),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_secrets_never_echoed),
		cmocka_unit_test(test_reload_keeps_old),
		cmocka_unit_test(test_integer_overflow),
		cmocka_unit_test(test_include_refused),
		cmocka_unit_test(test_thresholds_order),
		cmocka_unit_test(test_init_list),
		cmocka_unit_test(test_file_problems),
		cmocka_unit_test(test_load_string_edges),
		cmocka_unit_test(test_metrics_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
