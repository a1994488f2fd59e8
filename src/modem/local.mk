# src/modem: one module behind its port: bring-up, escalation, sockets.
src_daemon_libdaemon_a_SOURCES += src/modem/modem.c src/modem/modem.h
