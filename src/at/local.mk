# src/at: serial transport and AT engine (serial -> framer -> atq -> result),
# URC registry: knows no vendor. Linked by the daemon as src/at/libat.a.
noinst_LIBRARIES += src/at/libat.a
src_at_libat_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(LIBSERIALPORT_CFLAGS)
src_at_libat_a_SOURCES = \
	src/at/serial.c src/at/serial.h \
	src/at/framer.c src/at/framer.h \
	src/at/result.c src/at/result.h \
	src/at/field.c src/at/field.h \
	src/at/urc.c src/at/urc.h \
	src/at/mask.c src/at/mask.h \
	src/at/atq.c src/at/atq.h src/at/atq_int.h \
	src/at/atq_cmd.c src/at/atq_write.c src/at/atq_resync.c \
	src/at/atq_deadline.c src/at/atq_read.c src/at/atq_chan.c \
	src/at/sched.c src/at/sched.h

AT_TEST_LIBS = src/dialect/libdialect.a src/at/libat.a src/common/libcommon.a $(CMOCKA_LIBS) \
	$(LIBEVENT_LIBS) $(LIBSERIALPORT_LIBS)
AT_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(CMOCKA_CFLAGS)

AT_TESTS = tests/at/test_framer tests/at/test_result \
	tests/at/test_urc_mask tests/at/test_atq tests/at/test_serial \
	tests/at/test_sched
check_PROGRAMS += $(AT_TESTS) tests/at/at_drive
TESTS += $(AT_TESTS) tests/at/sim_integration.py
EXTRA_DIST += tests/at/sim_integration.py tests/at/bench_at.py tests/at/fakepeer.h

tests_at_test_framer_SOURCES = tests/at/test_framer.c
tests_at_test_framer_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_test_framer_LDADD = $(AT_TEST_LIBS)

tests_at_test_result_SOURCES = tests/at/test_result.c
tests_at_test_result_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_test_result_LDADD = $(AT_TEST_LIBS)

tests_at_test_urc_mask_SOURCES = tests/at/test_urc_mask.c
tests_at_test_urc_mask_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_test_urc_mask_LDADD = $(AT_TEST_LIBS)

tests_at_test_atq_SOURCES = tests/at/test_atq.c tests/at/fakepeer.c
tests_at_test_atq_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_test_atq_LDADD = $(AT_TEST_LIBS)

tests_at_test_sched_SOURCES = tests/at/test_sched.c
tests_at_test_sched_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_test_sched_LDADD = $(AT_TEST_LIBS)

tests_at_test_serial_SOURCES = tests/at/test_serial.c
tests_at_test_serial_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_test_serial_LDADD = $(AT_TEST_LIBS)

# Drives a port (e.g. the simulator's pty) through the engine; used by
# tests/at/sim_integration.py and the benchmark tests/at/bench_at.py.
tests_at_at_drive_SOURCES = tests/at/at_drive.c
tests_at_at_drive_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_at_at_drive_LDADD = $(AT_TEST_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_framer tests/fuzz/fuzz_at_engine
tests/fuzz/fuzz_framer: $(srcdir)/tests/fuzz/fuzz_framer.c $(srcdir)/src/at/framer.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
# The whole engine on a socketpair, driven by a program read from the input.
AT_FUZZ_ENGINE_SRC = $(srcdir)/tests/fuzz/fuzz_at_engine.c \
	$(srcdir)/src/at/atq.c $(srcdir)/src/at/atq_cmd.c $(srcdir)/src/at/atq_write.c \
	$(srcdir)/src/at/atq_resync.c $(srcdir)/src/at/atq_deadline.c \
	$(srcdir)/src/at/atq_read.c $(srcdir)/src/at/atq_chan.c $(srcdir)/src/at/sched.c \
	$(srcdir)/src/at/framer.c $(srcdir)/src/at/mask.c \
	$(srcdir)/src/at/result.c $(srcdir)/src/at/serial.c $(srcdir)/src/dialect/telit/telit.c \
	$(srcdir)/src/dialect/telit/telit_parse.c $(srcdir)/src/dialect/telit/telit_parse_sock.c \
	$(srcdir)/src/at/field.c $(srcdir)/src/at/urc.c \
	$(srcdir)/src/common/log.c $(srcdir)/src/common/util.c \
	$(srcdir)/src/common/xmalloc.c
tests/fuzz/fuzz_at_engine: $(AT_FUZZ_ENGINE_SRC)
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $(LIBSERIALPORT_CFLAGS) -o $@ $^ $(FUZZ_LIBS) \
	    $(LIBSERIALPORT_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_framer.c tests/fuzz/fuzz_at_engine.c \
	tests/fuzz/corpus/fuzz_framer tests/fuzz/corpus/fuzz_at_engine
