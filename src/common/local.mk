noinst_LIBRARIES += src/common/libcommon.a
# log_journal.c calls libsystemd: a program links it (and then needs
# $(LIBSYSTEMD_LIBS)) only when it calls log_journal_detect().
src_common_libcommon_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBSYSTEMD_CFLAGS)
src_common_libcommon_a_SOURCES = \
	src/common/log.c src/common/log.h src/common/log_journal.c \
	src/common/xmalloc.c src/common/xmalloc.h \
	src/common/proto.c src/common/proto.h \
	src/common/util.c src/common/util.h \
	src/common/backoff.c src/common/backoff.h \
	src/common/notify.c src/common/notify.h \
	src/common/cmdtab.c src/common/cmdtab.h \
	src/common/sockpath.c src/common/sockpath.h \
	src/common/peercred.c src/common/peercred.h \
	src/common/jsonstr.c src/common/jsonstr.h

# The shared stale-socket check (used by the control socket and the relay).
check_PROGRAMS += tests/unit/test_sockpath
TESTS += tests/unit/test_sockpath
tests_unit_test_sockpath_SOURCES = tests/unit/test_sockpath.c
tests_unit_test_sockpath_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sockpath_LDADD = src/common/libcommon.a $(CMOCKA_LIBS)
