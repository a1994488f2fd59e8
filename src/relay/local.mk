# src/relay: a link's data path: local endpoint, relay state machine, ledger.
# Calls go one way (see relay_int.h): relay.c and relay_reply.c ->
# relay_conn.c -> relay_client.c -> relay_tx.c -> relay_rx.c -> relay_base.c;
# all may use ledger.c (pure), relay_fsm.c (tables) and endpoint.c.
src_daemon_libdaemon_a_SOURCES += src/relay/relay.c src/relay/relay.h \
	src/relay/relay_int.h src/relay/relay_conn.c src/relay/relay_client.c \
	src/relay/relay_tx.c src/relay/relay_rx.c src/relay/relay_base.c \
	src/relay/relay_reply.c src/relay/relay_fsm.c src/relay/relay_fsm.h \
	src/relay/ledger.c src/relay/ledger.h \
	src/relay/endpoint.c src/relay/endpoint.h
