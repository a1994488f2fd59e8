# src/control: the control socket, its commands, and metrics.
src_daemon_libdaemon_a_SOURCES += \
	src/control/control.c src/control/control.h \
	src/control/cmd.c src/control/cmd.h \
	src/control/metrics.c src/control/metrics.h \
	src/control/rec.c src/control/rec.h
