/* The uid behind a connected local socket (peercred.h). */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peercred.h"

#define PEERCRED_TCP4 "/proc/net/tcp"
#define PEERCRED_TCP6 "/proc/net/tcp6"

/* One endpoint of a row: the address bytes as the kernel keeps them
 * (printed as 32-bit words in host order) and the port in host order. */
struct peercred_end {
	uint8_t addr[16];
	size_t len;		/* 4 or 16 */
	unsigned port;
};

/* Hex words of a row ("0100007F") into e->addr; -1 if malformed. */
static int
peercred_hex(const char *hex, struct peercred_end *e)
{
	char word[9];
	size_t i, n = strlen(hex);
	uint32_t w;

	if (n != 8 && n != 32)
		return -1;
	e->len = n / 2;
	for (i = 0; i < n / 8; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		w = (uint32_t)strtoul(word, NULL, 16);
		memcpy(e->addr + i * 4, &w, 4);
	}
	return 0;
}

/* A socket address as a row endpoint; -1 if not AF_INET or AF_INET6. */
static int
peercred_end_of(const struct sockaddr_storage *ss, struct peercred_end *e)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		memcpy(e->addr, &sin->sin_addr, 4);
		e->len = 4;
		e->port = ntohs(sin->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(e->addr, &sin6->sin6_addr, 16);
		e->len = 16;
		e->port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -1;
}

static int
peercred_same(const struct peercred_end *a, const struct peercred_end *b)
{
	return a->len == b->len && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->len) == 0;
}

/* Whether a table line is the row of the socket at `peer` connected to
 * `self`, owned by a live socket (inode != 0: not an orphan or TIME_WAIT,
 * which show uid 0); its uid in *uid. */
static int
peercred_row(const char *line, const struct peercred_end *peer,
    const struct peercred_end *self, uid_t *uid)
{
	char lhex[33], rhex[33];
	struct peercred_end l, r;
	unsigned long inode;
	unsigned u;

	if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %*x %*x:%*x "
	    "%*x:%*x %*x %u %*d %lu", lhex, &l.port, rhex, &r.port, &u, &inode) != 6)
		return 0;
	if (peercred_hex(lhex, &l) == -1 || peercred_hex(rhex, &r) == -1)
		return 0;
	if (!peercred_same(&l, peer) || !peercred_same(&r, self) || inode == 0)
		return 0;
	*uid = (uid_t)u;
	return 1;
}

int
peercred_tcp_uid(int fd, const char *path, uid_t *uid)
{
	struct sockaddr_storage ps, ss;
	socklen_t plen = sizeof(ps), slen = sizeof(ss);
	struct peercred_end peer, self;
	char line[512];
	FILE *f;
	int found = 0;

	if (getpeername(fd, (struct sockaddr *)&ps, &plen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &slen) == -1)
		return -1;
	if (peercred_end_of(&ps, &peer) == -1 || peercred_end_of(&ss, &self) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = peercred_row(line, &peer, &self, uid);
	fclose(f);
	if (!found)
		errno = ESRCH;
	return found ? 0 : -1;
}

int
peercred_uid(int fd, uid_t *uid)
{
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	if (getsockname(fd, (struct sockaddr *)&ss, &slen) == -1)
		return -1;
	switch (ss.ss_family) {
	case AF_UNIX:
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == -1)
			return -1;
		*uid = cred.uid;
		return 0;
	case AF_INET:
		return peercred_tcp_uid(fd, PEERCRED_TCP4, uid);
	case AF_INET6:
		return peercred_tcp_uid(fd, PEERCRED_TCP6, uid);
	}
	errno = EAFNOSUPPORT;
	return -1;
}
