# cellsock-modemsim: the modem simulator (not linked into the daemon).
bin_PROGRAMS += src/modemsim/cellsock-modemsim
# core/: what any vendor's module needs (pty, pacing, command engine,
# kernel sockets, faults, control socket, trace); telit/ and quectel/: the
# Telit and Quectel personalities over it. main.c picks the personality from
# the firmware profile.
src_modemsim_cellsock_modemsim_SOURCES = \
	src/modemsim/main.c \
	src/modemsim/core/sim.c src/modemsim/core/sim.h \
	src/modemsim/core/profile.h src/modemsim/core/personality.h \
	src/modemsim/core/atparse.c src/modemsim/core/atparse.h \
	src/modemsim/core/trace.c src/modemsim/core/trace.h \
	src/modemsim/core/port.c src/modemsim/core/port.h \
	src/modemsim/core/dial.c src/modemsim/core/dial.h \
	src/modemsim/core/conn.c src/modemsim/core/conn.h \
	src/modemsim/core/sock.c src/modemsim/core/sock.h src/modemsim/core/sock_net.c \
	src/modemsim/core/modem.h src/modemsim/core/modem.c \
	src/modemsim/core/modem_io.c src/modemsim/core/modem_arm.c \
	src/modemsim/core/modem_online.c src/modemsim/core/modem_net.c \
	src/modemsim/core/modem_exec.c \
	src/modemsim/core/cmd_std.c src/modemsim/core/cmd_std.h \
	src/modemsim/core/fault.c src/modemsim/core/fault.h src/modemsim/core/script.c \
	src/modemsim/core/fault_act.c src/modemsim/core/fault_act.h \
	src/modemsim/core/ctl.c src/modemsim/core/ctl.h \
	src/modemsim/telit/telit.h src/modemsim/telit/telit_cmd.h \
	src/modemsim/telit/personality.c src/modemsim/telit/profile.c \
	src/modemsim/telit/cmd_gen.c src/modemsim/telit/cmd_ip.c src/modemsim/telit/cmd_sock.c \
	src/modemsim/quectel/quectel.h src/modemsim/quectel/quectel_cmd.h \
	src/modemsim/quectel/personality.c src/modemsim/quectel/profile.c \
	src/modemsim/quectel/cmd_gen.c src/modemsim/quectel/cmd_ctx.c \
	src/modemsim/quectel/cmd_sock.c
src_modemsim_cellsock_modemsim_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
src_modemsim_cellsock_modemsim_LDADD = src/common/libcommon.a $(LIBEVENT_LIBS)
dist_man_MANS += man/cellsock-modemsim.1

# Tests: the parser in cmocka, the rest black-box over the pty (Python,
# using tests/lib/modemsim.py).
check_PROGRAMS += tests/modemsim/test_atparse
tests_modemsim_test_atparse_SOURCES = tests/modemsim/test_atparse.c src/modemsim/core/atparse.c
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
	tests/modemsim/seed000.py \
	tests/modemsim/quectel.py \
	tests/modemsim/ports.py
TESTS += tests/modemsim/test_atparse $(MODEMSIM_BB_TESTS)
EXTRA_DIST += $(MODEMSIM_BB_TESTS)
# The black-box tests need the simulator itself.
$(MODEMSIM_BB_TESTS:.py=.log): src/modemsim/cellsock-modemsim

FUZZ_TARGETS += tests/fuzz/fuzz_modemsim_cmd
tests/fuzz/fuzz_modemsim_cmd: $(srcdir)/tests/fuzz/fuzz_modemsim_cmd.c $(srcdir)/src/modemsim/core/atparse.c
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_modemsim_cmd.c tests/fuzz/corpus/fuzz_modemsim_cmd
