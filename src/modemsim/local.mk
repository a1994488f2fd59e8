# cellsock-modemsim: the modem simulator (not linked into the daemon).
bin_PROGRAMS += src/modemsim/cellsock-modemsim
src_modemsim_cellsock_modemsim_SOURCES = \
	src/modemsim/main.c \
	src/modemsim/sim.c src/modemsim/sim.h \
	src/modemsim/profile.c src/modemsim/profile.h \
	src/modemsim/atparse.c src/modemsim/atparse.h \
	src/modemsim/trace.c src/modemsim/trace.h \
	src/modemsim/port.c src/modemsim/port.h \
	src/modemsim/modem.c src/modemsim/modem.h \
	src/modemsim/cmd.c src/modemsim/cmd.h \
	src/modemsim/cmd_gen.c src/modemsim/cmd_ip.c \
	src/modemsim/sock.c src/modemsim/sock.h \
	src/modemsim/fault.c src/modemsim/fault.h \
	src/modemsim/ctl.c src/modemsim/ctl.h
src_modemsim_cellsock_modemsim_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
src_modemsim_cellsock_modemsim_LDADD = src/common/libcommon.a $(LIBEVENT_LIBS)
dist_man_MANS += man/cellsock-modemsim.1

# Tests: the parser in cmocka, the rest black-box over the pty (Python,
# using tests/lib/modemsim.py).
check_PROGRAMS += tests/modemsim/test_atparse
tests_modemsim_test_atparse_SOURCES = tests/modemsim/test_atparse.c src/modemsim/atparse.c
tests_modemsim_test_atparse_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_modemsim_test_atparse_LDADD = $(CMOCKA_LIBS)
MODEMSIM_BB_TESTS = \
	tests/modemsim/cli.py \
	tests/modemsim/commands.py \
	tests/modemsim/data.py \
	tests/modemsim/faults.py \
	tests/modemsim/jam.py \
	tests/modemsim/reboot.py \
	tests/modemsim/baud.py \
	tests/modemsim/seed000.py
TESTS += tests/modemsim/test_atparse $(MODEMSIM_BB_TESTS)
EXTRA_DIST += $(MODEMSIM_BB_TESTS)
# The black-box tests need the simulator itself.
$(MODEMSIM_BB_TESTS:.py=.log): src/modemsim/cellsock-modemsim

FUZZ_TARGETS += tests/fuzz/fuzz_modemsim_cmd
tests/fuzz/fuzz_modemsim_cmd: $(srcdir)/tests/fuzz/fuzz_modemsim_cmd.c $(srcdir)/src/modemsim/atparse.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_modemsim_cmd.c tests/fuzz/corpus/fuzz_modemsim_cmd
