# src/dialect/quectel: everything Quectel (BG95, BG96, EC2x, EG25): the ops
# table (dialect_quectel.c), the engine's tables (quectel.c), answer readers,
# the URC-completed dial and keepalive, and the pure parsers of its TCP/IP
# answers and URCs; linked into libdialect.a.
# Included by Makefile.am after src/dialect/local.mk.
src_dialect_libdialect_a_SOURCES += \
	src/dialect/quectel/quectel_parse.c src/dialect/quectel/quectel_parse.h \
	src/dialect/quectel/quectel.c src/dialect/quectel/quectel.h \
	src/dialect/quectel/quectel_answer.c src/dialect/quectel/quectel_answer.h \
	src/dialect/quectel/quectel_dial.c src/dialect/quectel/quectel_dial.h \
	src/dialect/quectel/quectel_keepalive.c \
	src/dialect/quectel/dialect_quectel.c

QUECTEL_TEST_LIBS = src/dialect/libdialect.a src/at/libat.a \
	src/common/libcommon.a $(CMOCKA_LIBS)
QUECTEL_TESTS = tests/dialect/test_quectel_parse tests/dialect/test_dialect_quectel
check_PROGRAMS += $(QUECTEL_TESTS)
TESTS += $(QUECTEL_TESTS)

tests_dialect_test_quectel_parse_SOURCES = tests/dialect/test_quectel_parse.c
tests_dialect_test_quectel_parse_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_dialect_test_quectel_parse_LDADD = $(QUECTEL_TEST_LIBS)

# The dialect through the real AT engine against a scripted fake module.
tests_dialect_test_dialect_quectel_SOURCES = tests/dialect/test_dialect_quectel.c \
	tests/at/fakepeer.c
tests_dialect_test_dialect_quectel_CPPFLAGS = $(AT_TEST_CPPFLAGS)
tests_dialect_test_dialect_quectel_LDADD = $(AT_TEST_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_quectel_parse
tests/fuzz/fuzz_quectel_parse: $(srcdir)/tests/fuzz/fuzz_quectel_parse.c \
		$(srcdir)/src/dialect/quectel/quectel_parse.c \
		$(srcdir)/src/at/result.c $(srcdir)/src/at/field.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_quectel_parse.c \
	tests/fuzz/corpus/fuzz_quectel_parse
