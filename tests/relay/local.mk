# The data path (relay): a cmocka test against a fake modem, and black-box
# tests through cellsockd + cellsock-modemsim + loopback servers.
# tests/relay/bench_throughput.py is a benchmark, run by hand (not in TESTS).
check_PROGRAMS += tests/relay/test_relay
TESTS += tests/relay/test_relay
tests_relay_test_relay_SOURCES = tests/relay/test_relay.c
tests_relay_test_relay_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_relay_test_relay_LDADD = $(DAEMON_TEST_LIBS)

# The byte ledger alone (pure: no libevent, no log).
check_PROGRAMS += tests/relay/test_ledger
TESTS += tests/relay/test_ledger
tests_relay_test_ledger_SOURCES = tests/relay/test_ledger.c src/relay/ledger.c
tests_relay_test_ledger_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_relay_test_ledger_LDADD = $(CMOCKA_LIBS)

# The relay's machine tables: complete, and steps follow them.
check_PROGRAMS += tests/relay/test_relay_fsm
TESTS += tests/relay/test_relay_fsm
tests_relay_test_relay_fsm_SOURCES = tests/relay/test_relay_fsm.c src/relay/relay_fsm.c
tests_relay_test_relay_fsm_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_relay_test_relay_fsm_LDADD = src/common/libcommon.a $(CMOCKA_LIBS)

RELAY_BB_TESTS = tests/relay/roundtrip.py tests/relay/backpressure.py tests/relay/endpoint_busy.py \
	tests/relay/sessions.py tests/relay/mqtt.py tests/relay/gap.py \
	tests/relay/local_users.py tests/relay/stop.py
TESTS += $(RELAY_BB_TESTS)
EXTRA_DIST += $(RELAY_BB_TESTS) tests/relay/bench_throughput.py
