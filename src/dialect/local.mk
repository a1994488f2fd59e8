# src/dialect: the ops interface the supervisor drives (dialect.h), reply
# slots (opslot), and one folder per vendor holding all of its syntax,
# parsers and quirks. Linked by the daemon as src/dialect/libdialect.a.
noinst_LIBRARIES += src/dialect/libdialect.a
src_dialect_libdialect_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(LIBCONFIG_CFLAGS)
src_dialect_libdialect_a_SOURCES = \
	src/dialect/dialect.h \
	src/dialect/opslot.c src/dialect/opslot.h \
	src/dialect/telit/telit.c src/dialect/telit/telit.h \
	src/dialect/telit/telit_parse.c src/dialect/telit/telit_parse.h \
	src/dialect/telit/telit_parse_sock.c \
	src/dialect/telit/telit_answer.c src/dialect/telit/telit_answer.h \
	src/dialect/telit/telit_batch.c src/dialect/telit/telit_batch.h \
	src/dialect/telit/dialect_telit.c
