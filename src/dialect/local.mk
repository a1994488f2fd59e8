# src/dialect: the ops interface the supervisor drives (dialect.h), reply
# slots (opslot), and one folder per vendor holding all of its syntax,
# parsers and quirks. Linked by the daemon as src/dialect/libdialect.a.
noinst_LIBRARIES += src/dialect/libdialect.a
src_dialect_libdialect_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(LIBCONFIG_CFLAGS)
src_dialect_libdialect_a_SOURCES = \
	src/dialect/dialect.h \
	src/dialect/opslot.c src/dialect/opslot.h \
	src/dialect/batch.c src/dialect/batch.h \
	src/dialect/gsm.c src/dialect/gsm.h \
	src/dialect/telit/telit.c src/dialect/telit/telit.h \
	src/dialect/telit/telit_parse.c src/dialect/telit/telit_parse.h \
	src/dialect/telit/telit_parse_sock.c \
	src/dialect/telit/telit_answer.c src/dialect/telit/telit_answer.h \
	src/dialect/telit/telit_lines.c src/dialect/telit/telit_lines.h \
	src/dialect/telit/dialect_telit.c

# The Telit parsers, pure functions over one line: cmocka tests and a fuzz
# target (AT_TEST_* come from src/at/local.mk).
check_PROGRAMS += tests/dialect/test_telit_parse
TESTS += tests/dialect/test_telit_parse
tests_dialect_test_telit_parse_SOURCES = tests/dialect/test_telit_parse.c
tests_dialect_test_telit_parse_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_dialect_test_telit_parse_LDADD = $(AT_TEST_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_telit_parse
tests/fuzz/fuzz_telit_parse: $(srcdir)/tests/fuzz/fuzz_telit_parse.c \
		$(srcdir)/src/dialect/telit/telit_parse.c \
		$(srcdir)/src/dialect/telit/telit_parse_sock.c $(srcdir)/src/at/result.c \
		$(srcdir)/src/at/field.c \
		$(srcdir)/src/dialect/telit/telit.c $(srcdir)/src/at/mask.c \
		$(srcdir)/src/common/xmalloc.c $(srcdir)/src/common/log.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_telit_parse.c tests/fuzz/corpus/fuzz_telit_parse
