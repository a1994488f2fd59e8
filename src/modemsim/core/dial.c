/* Kernel TCP socket calls for the stack (see dial.h). */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"
#include "log.h"

/* Bind fd to the --bind address (a warning if that fails). */
static void
dial_bind(int fd, const char *bind_addr, int family)
{
	struct addrinfo hints, *bres = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	hints.ai_family = family;
	if (getaddrinfo(bind_addr, "0", &hints, &bres) != 0 ||
	    bind(fd, bres->ai_addr, bres->ai_addrlen) == -1)
		log_warn("bind %s", bind_addr);
	if (bres != NULL)
		freeaddrinfo(bres);
}

/* SO_KEEPALIVE with the idle time, interval and probe count of ka. */
static void
dial_keepalive(int fd, const struct dial_keepalive *ka)
{
	int one = 1;

	if (ka == NULL || ka->idle_s <= 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &ka->idle_s, sizeof(ka->idle_s));
	if (ka->interval_s > 0)
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &ka->interval_s, sizeof(ka->interval_s));
	if (ka->probes > 0)
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &ka->probes, sizeof(ka->probes));
}

int
dial_start(const char *host, int port, const char *bind_addr, const struct dial_keepalive *ka,
    int *fdp)
{
	struct addrinfo hints, *res;
	char portstr[16];
	int fd, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = bind_addr != NULL && strchr(bind_addr, ':') == NULL ?
	    AF_INET : AF_UNSPEC;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host, portstr, &hints, &res) != 0)
		return 558;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		freeaddrinfo(res);
		return 557;
	}
	if (bind_addr != NULL)
		dial_bind(fd, bind_addr, res->ai_family);
	dial_keepalive(fd, ka);
	rc = connect(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc == -1 && errno != EINPROGRESS) {
		close(fd);
		return errno == ETIMEDOUT ? 559 : 562;
	}
	*fdp = fd;
	return 0;
}

int
dial_result(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	return err;
}

void
dial_names(int fd, char *raddr, size_t raddrsz, int *lport)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		getnameinfo((struct sockaddr *)&ss, len, raddr, raddrsz, NULL, 0, NI_NUMERICHOST);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		*lport = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
}

size_t
dial_outq(int fd)
{
	int outq = 0;

	if (ioctl(fd, SIOCOUTQ, &outq) == 0 && outq > 0)
		return (size_t)outq;
	return 0;
}
