# src/conf: the configuration file (libconfig) into struct conf.
# Calls go one way: conf -> schema -> {check, value, local} -> walk -> report;
# scan (what libconfig cannot tell) -> report; probe (a reload tried in a
# child first: libconfig leaks on some syntax errors) -> conf.
CONF_SOURCES = src/conf/conf.c src/conf/conf_schema.c src/conf/conf_check.c \
	src/conf/conf_value.c src/conf/conf_local.c src/conf/conf_walk.c \
	src/conf/conf_scan.c src/conf/conf_report.c src/conf/conf_probe.c
src_daemon_libdaemon_a_SOURCES += $(CONF_SOURCES) src/conf/conf.h \
	src/conf/conf_schema.h src/conf/conf_check.h src/conf/conf_value.h \
	src/conf/conf_local.h src/conf/conf_walk.h src/conf/conf_scan.h \
	src/conf/conf_report.h src/conf/conf_probe.h

check_PROGRAMS += tests/unit/test_conf
TESTS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_conf_LDADD = $(DAEMON_TEST_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_conf
tests/fuzz/fuzz_conf: $(srcdir)/tests/fuzz/fuzz_conf.c $(CONF_SOURCES:%=$(srcdir)/%) \
		$(srcdir)/src/common/log.c $(srcdir)/src/common/xmalloc.c $(srcdir)/src/common/util.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_conf.c
