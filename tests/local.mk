# Lead's tests: control protocol, command table, black-box daemon tests.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += tests/unit/test_proto
TESTS += tests/unit/test_proto
tests_unit_test_proto_SOURCES = tests/unit/test_proto.c
tests_unit_test_proto_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_proto_LDADD = src/common/libcommon.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_cmd
TESTS += tests/unit/test_cmd
tests_unit_test_cmd_SOURCES = tests/unit/test_cmd.c
tests_unit_test_cmd_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_unit_test_cmd_LDADD = $(DAEMON_TEST_LIBS)

# Black-box: the real daemon and CLI on a private socket. control_lockout
# (issue 16, item 3) needs root to run its hostile clients as uid 65534.
TESTS += tests/bb/daemon_control.py tests/bb/cli_usage.sh tests/bb/control_lockout.py \
	tests/bb/ctl_edges.py
EXTRA_DIST += tests/bb/daemon_control.py tests/bb/cli_usage.sh tests/bb/control_lockout.py \
	tests/bb/ctl_edges.py
# bash completion generated from the command table, against a daemon (issue 15).
TESTS += tests/bb/completion.py
EXTRA_DIST += tests/bb/completion.py
# Log lines: plain with timestamps in a file, journald fields when stderr is
# the journal (a fake journald in a private mount namespace; issue 15).
TESTS += tests/bb/journal.py
EXTRA_DIST += tests/bb/journal.py
# Relative -f and -s survive detaching (issue 16).
TESTS += tests/bb/relative_paths.py tests/bb/json_property.py
EXTRA_DIST += tests/bb/relative_paths.py tests/bb/json_property.py
# Refused reloads keep the daemon's memory flat (issue 16).
TESTS += tests/bb/reload_flat.py
EXTRA_DIST += tests/bb/reload_flat.py
# cellsockctl(8)'s JSON OUTPUT against the real -j output; the text output
# for people (blocks, the 80-column links table, colour, NO_COLOR) (issue 15).
TESTS += tests/bb/json_shape.py tests/bb/ctl_text.py
EXTRA_DIST += tests/bb/json_shape.py tests/bb/ctl_text.py

FUZZ_TARGETS += tests/fuzz/fuzz_ctlproto
tests/fuzz/fuzz_ctlproto: $(srcdir)/tests/fuzz/fuzz_ctlproto.c $(srcdir)/src/common/proto.c $(srcdir)/src/common/jsonstr.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_ctlproto.c tests/fuzz/corpus

# The supervisor against the simulator and a loopback server (issue 4/7).
# CELLSOCK_RECONNECTS sets the 12.00.004 reconnect count (50 by default).
TESTS += tests/supervisor/supervisor.py
EXTRA_DIST += tests/supervisor/supervisor.py
# Two AT ports onto one module (SKIP until the simulator has --ports).
TESTS += tests/supervisor/ports.py
EXTRA_DIST += tests/supervisor/ports.py

# The recovery hook: own process group, minimal environment, killed as a
# group at hook_timeout and at stop (issue 16 item 4).
TESTS += tests/supervisor/hook.py
EXTRA_DIST += tests/supervisor/hook.py

# Silent-death detection: probes, ack watch, rst/fin, reply stripping.
TESTS += tests/keepalive/keepalive.py
EXTRA_DIST += tests/keepalive/keepalive.py

# Two links on one modem, an nft drop: each dies within twice its shown
# bound although they share the AT channel (issue 13; root, SKIP otherwise).
TESTS += tests/keepalive/contention.py tests/keepalive/unprobed.py
EXTRA_DIST += tests/keepalive/contention.py tests/keepalive/unprobed.py

# idle = "auto" state files: no symlink followed, no FIFO blocks, bad values discarded.
TESTS += tests/keepalive/state_files.py
EXTRA_DIST += tests/keepalive/state_files.py

# cellsockctl's human units and colour rules (issue 15).
check_PROGRAMS += tests/unit/test_human
TESTS += tests/unit/test_human
tests_unit_test_human_SOURCES = tests/unit/test_human.c src/ctl/human.c
tests_unit_test_human_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(srcdir)/src/ctl
tests_unit_test_human_LDADD = src/common/libcommon.a $(CMOCKA_LIBS)

# JSON string literals written by the daemon and the CLI (issue 15).
check_PROGRAMS += tests/unit/test_jsonstr
TESTS += tests/unit/test_jsonstr
tests_unit_test_jsonstr_SOURCES = tests/unit/test_jsonstr.c
tests_unit_test_jsonstr_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_jsonstr_LDADD = src/common/libcommon.a $(CMOCKA_LIBS)
