# src/modem: one module behind its port: bring-up (a step table), escalation, socket-id dispatch.
src_daemon_libdaemon_a_SOURCES += src/modem/modem.c src/modem/modem.h \
	src/modem/steps.c src/modem/steps.h src/modem/escalate.c src/modem/escalate.h \
	src/modem/clients.c src/modem/clients.h src/modem/info.c src/modem/info.h
