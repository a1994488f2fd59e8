# src/conf: the configuration file (libconfig) into struct conf.
src_daemon_libdaemon_a_SOURCES += src/conf/conf.c src/conf/conf.h
