/* Who is at the other end of a connected local socket: the uid of the
 * process that owns the peer, from SO_PEERCRED for a unix socket and from
 * /proc/net/tcp or tcp6 (the peer's own row: local address = our peer's
 * address, remote = ours, with its owner's uid) for a loopback tcp one. */
#ifndef CELLSOCK_PEERCRED_H
#define CELLSOCK_PEERCRED_H

#include <sys/types.h>

/* The peer's uid in *uid; -1 (errno set) when it cannot be found, e.g. the
 * peer is not on this machine or has already closed its socket. */
int peercred_uid(int fd, uid_t *uid);
/* The same from a /proc/net/tcp-style table at path (for tests). */
int peercred_tcp_uid(int fd, const char *path, uid_t *uid);

#endif
