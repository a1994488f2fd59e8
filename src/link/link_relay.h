/* The link's side of its relay: the struct relay_listener through which
 * the relay reports to the link (inbound bytes, a dead connection, a
 * session that ended), and the relay's creation and reload. */
#ifndef CELLSOCK_LINK_RELAY_H
#define CELLSOCK_LINK_RELAY_H

struct link;
struct relay;

/* The relay of link l, listening on its local endpoint. */
struct relay *link_relay_new(struct link *l);
/* A reload kept l (l->conf is the new one): its relay follows. */
void link_relay_reconfigure(struct link *l);

#endif
