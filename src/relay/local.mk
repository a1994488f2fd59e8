# src/relay: a link's data path: local endpoint, relay state machine, ledger.
src_daemon_libdaemon_a_SOURCES += src/relay/relay.c src/relay/relay.h
