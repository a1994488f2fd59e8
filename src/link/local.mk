# src/link: one supervised connection: state machine, keepalive, idle learning.
src_daemon_libdaemon_a_SOURCES += src/link/link.c src/link/link.h \
	src/link/link_modem.c src/link/link_modem.h
