# src/link: one supervised connection: state machine, keepalive, idle learning.
src_daemon_libdaemon_a_SOURCES += src/link/link.c src/link/link.h \
	src/link/link_int.h \
	src/link/link_steps.c src/link/link_steps.h \
	src/link/link_keepalive.c src/link/link_keepalive.h \
	src/link/link_bound.c src/link/link_bound.h \
	src/link/link_idle.c src/link/link_idle.h \
	src/link/link_modem.c src/link/link_modem.h \
	src/link/link_relay.c src/link/link_relay.h \
	src/link/link_stop.c src/link/link_stop.h \
	src/link/link_error.c

check_PROGRAMS += tests/unit/test_idle
TESTS += tests/unit/test_idle
tests_unit_test_idle_SOURCES = tests/unit/test_idle.c
tests_unit_test_idle_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_unit_test_idle_LDADD = $(DAEMON_TEST_LIBS)
