# The daemon is a library of modules (one folder each) plus main.c, so unit tests link only what they need.
noinst_LIBRARIES += src/daemon/libdaemon.a
src_daemon_libdaemon_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(LIBCONFIG_CFLAGS) $(LIBSYSTEMD_CFLAGS)
src_daemon_libdaemon_a_SOURCES = \
	src/daemon/daemon.c src/daemon/daemon.h
# The other daemon modules add their sources in their own folder's local.mk:
# src/conf, src/modem, src/link, src/relay, src/control.

sbin_PROGRAMS += src/daemon/cellsockd
src_daemon_cellsockd_SOURCES = src/daemon/main.c
src_daemon_cellsockd_CPPFLAGS = $(src_daemon_libdaemon_a_CPPFLAGS)
src_daemon_cellsockd_LDADD = src/daemon/libdaemon.a src/dialect/libdialect.a src/at/libat.a src/common/libcommon.a \
	$(LIBEVENT_LIBS) $(LIBCONFIG_LIBS) $(LIBSYSTEMD_LIBS) $(LIBSERIALPORT_LIBS)

DAEMON_TEST_LIBS = src/daemon/libdaemon.a src/dialect/libdialect.a src/at/libat.a src/common/libcommon.a \
	$(CMOCKA_LIBS) $(LIBEVENT_LIBS) $(LIBCONFIG_LIBS) $(LIBSYSTEMD_LIBS) $(LIBSERIALPORT_LIBS)
DAEMON_TEST_CPPFLAGS = $(src_daemon_libdaemon_a_CPPFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += tests/unit/test_backoff
TESTS += tests/unit/test_backoff
tests_unit_test_backoff_SOURCES = tests/unit/test_backoff.c
tests_unit_test_backoff_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_unit_test_backoff_LDADD = $(DAEMON_TEST_LIBS)

check_PROGRAMS += tests/unit/test_link
TESTS += tests/unit/test_link
tests_unit_test_link_SOURCES = tests/unit/test_link.c
tests_unit_test_link_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_unit_test_link_LDADD = $(DAEMON_TEST_LIBS)
