# src/modem: one module behind its port: bring-up (a step table), escalation, socket-id dispatch.
src_daemon_libdaemon_a_SOURCES += src/modem/modem.c src/modem/modem.h \
	src/modem/steps.c src/modem/steps.h src/modem/escalate.c src/modem/escalate.h \
	src/modem/clients.c src/modem/clients.h src/modem/info.c src/modem/info.h \
	src/modem/detect.c src/modem/detect.h src/modem/hook.c src/modem/hook.h

check_PROGRAMS += tests/unit/test_modem_steps
TESTS += tests/unit/test_modem_steps
tests_unit_test_modem_steps_SOURCES = tests/unit/test_modem_steps.c
tests_unit_test_modem_steps_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_unit_test_modem_steps_LDADD = $(DAEMON_TEST_LIBS)
