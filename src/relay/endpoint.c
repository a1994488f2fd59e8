/* The local endpoint (endpoint.h): listen, accept, refuse, retry, rebind.
 * A client whose user is not in the link's local_users is turned away at
 * accept (peercred.h finds its uid). */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "conf/conf.h"
#include "log.h"
#include "peercred.h"
#include "sockpath.h"
#include "relay/endpoint.h"
#include "xmalloc.h"

#define ENDPOINT_RETRY_SEC		5	/* bind again after a failure */
#define ENDPOINT_ACCEPT_PAUSE_SEC	1	/* accept paused after EMFILE */
#define ENDPOINT_BACKLOG		4
#define ENDPOINT_REFUSED_FMT		"cellsockd: link %s already has a client\n"

struct endpoint {
	struct event_base *base;
	const char *name;
	const struct endpoint_cb *cb;
	const struct conf_link *conf;	/* where to listen (retries) */
	char *local;			/* as bound; a reload that changes it rebinds */
	char *unlink_path;		/* our socket file, removed at the end */
	struct evconnlistener *listener;
	struct event *ev_retry;		/* bind again, or accept again */
};

/* Whether the client at fd may use the endpoint: anyone when the link has
 * no local_users, else only a client whose uid is in it. */
static int
endpoint_peer_allowed(const struct endpoint *ep, int fd)
{
	const struct conf_link *c = ep->conf;
	uid_t uid;
	int i;

	if (c->n_local_uids == 0)
		return 1;
	if (peercred_uid(fd, &uid) == -1) {
		log_warnx("link %s: a local client on %s was refused: its user is "
		    "unknown (%s)", ep->name, ep->local, strerror(errno));
		return 0;
	}
	for (i = 0; i < c->n_local_uids; i++)
		if (c->local_uids[i] == uid)
			return 1;
	log_warnx("link %s: a local client of uid %lu on %s was refused: not in "
	    "local_users", ep->name, (unsigned long)uid, ep->local);
	return 0;
}

static void
endpoint_on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	struct endpoint *ep = arg;

	if (!endpoint_peer_allowed(ep, fd)) {
		evutil_closesocket(fd);
		return;
	}
	ep->cb->accept(ep->cb->arg, fd);
}

void
endpoint_refuse(struct endpoint *ep, int fd)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), ENDPOINT_REFUSED_FMT, ep->name);

	if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_debug("link %s: refusal message: %s", ep->name, strerror(errno));
	evutil_closesocket(fd);
	log_info("link %s: a second local client was refused", ep->name);
}

/* New clients wait in the backlog while the owner says so (a transparent
 * session winds down), so that they start the next session instead of
 * being refused; else accept. */
void
endpoint_update(struct endpoint *ep)
{
	if (ep->listener == NULL || evtimer_pending(ep->ev_retry, NULL))
		return;
	if (!ep->cb->accepting(ep->cb->arg))
		evconnlistener_disable(ep->listener);
	else
		evconnlistener_enable(ep->listener);
}

static void
endpoint_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct endpoint *ep = arg;

	if (ep->listener != NULL) {
		endpoint_update(ep);
		return;
	}
	endpoint_listen(ep, ep->conf);
}

static void
endpoint_on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct endpoint *ep = arg;
	struct timeval tv = { ENDPOINT_ACCEPT_PAUSE_SEC, 0 };
	int e = EVUTIL_SOCKET_ERROR();

	log_warnx("link %s: accept on %s: %s", ep->name, ep->local,
	    evutil_socket_error_to_string(e));
	evconnlistener_disable(lev);	/* EMFILE would spin: pause */
	evtimer_add(ep->ev_retry, &tv);
}

/* A socket file left by a dead process is removed; one that answers, or
 * anything that is not a socket, is left alone. 0: the path is free;
 * otherwise -1 with errno saying why. */
static int
endpoint_unix_stale(const char *path)
{
	switch (sockpath_remove_stale(path)) {
	case SOCKPATH_FREE:
		return 0;
	case SOCKPATH_REMOVED:
		log_info("removed stale socket %s", path);
		return 0;
	case SOCKPATH_NOT_SOCKET:
		log_warnx("%s exists and is not a socket; not replacing it", path);
		errno = EEXIST;
		return -1;
	case SOCKPATH_IN_USE:
		log_warnx("%s: another process is listening there", path);
		errno = EADDRINUSE;
		return -1;
	case SOCKPATH_TOO_LONG:
		errno = ENAMETOOLONG;
		return -1;
	case SOCKPATH_ERROR:
		return -1;
	}
	return -1;
}

/* Mode and group as the control socket's (control.mode, control.group). */
static void
endpoint_unix_perms(const struct endpoint *ep, const char *path)
{
	const struct conf_control *cc = ep->cb->control(ep->cb->arg);
	struct group *gr;

	if (chmod(path, cc->mode) == -1)
		log_warn("chmod %s", path);
	if (cc->group == NULL || *cc->group == '\0')
		return;
	if ((gr = getgrnam(cc->group)) == NULL)
		return;
	if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
		log_warn("chgrp %s", path);
}

static evutil_socket_t
endpoint_unix_bind(struct endpoint *ep, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *copy;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (endpoint_unix_stale(path) == -1)
		return -1;
	copy = xstrdup(path);
	if (mkdir(dirname(copy), 0755) == 0)
		log_info("created the directory of %s", path);
	free(copy);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		umask(old);
		close(fd);
		errno = e;
		return -1;
	}
	umask(old);
	endpoint_unix_perms(ep, path);
	free(ep->unlink_path);
	ep->unlink_path = xstrdup(path);
	return fd;
}

static struct evconnlistener *
endpoint_tcp_listener(struct endpoint *ep, const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_port = htons((uint16_t)port);
		return evconnlistener_new_bind(ep->base, endpoint_on_accept, ep, flags,
		    ENDPOINT_BACKLOG, (struct sockaddr *)&sin, sizeof(sin));
	}
	if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sin6.sin6_port = htons((uint16_t)port);
		return evconnlistener_new_bind(ep->base, endpoint_on_accept, ep, flags,
		    ENDPOINT_BACKLOG, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	errno = EINVAL;
	return NULL;
}

void
endpoint_listen(struct endpoint *ep, const struct conf_link *c)
{
	struct timeval tv = { ENDPOINT_RETRY_SEC, 0 };
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
	evutil_socket_t fd;
	int e;

	ep->conf = c;
	if (c->local_kind == CONF_LOCAL_NONE || ep->listener != NULL)
		return;
	free(ep->local);
	ep->local = xstrdup(c->local);
	if (c->local_kind == CONF_LOCAL_TCP)
		ep->listener = endpoint_tcp_listener(ep, c->local_addr, c->local_port);
	else if ((fd = endpoint_unix_bind(ep, c->local_path)) != -1 &&
	    (ep->listener = evconnlistener_new(ep->base, endpoint_on_accept, ep, flags,
	    ENDPOINT_BACKLOG, fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	if (ep->listener == NULL) {
		e = errno;
		log_warnx("link %s: cannot listen on %s; trying again in %d s: %s", ep->name,
		    c->local, ENDPOINT_RETRY_SEC, strerror(e));
		evtimer_add(ep->ev_retry, &tv);
		return;
	}
	evconnlistener_set_error_cb(ep->listener, endpoint_on_accept_error);
	log_info("link %s: local endpoint %s", ep->name, c->local);
	if (c->local_kind == CONF_LOCAL_TCP && c->n_local_uids == 0)
		log_warnx("link %s: %s is open to every user of this machine; "
		    "set local_users to restrict it", ep->name, c->local);
	endpoint_update(ep);
}

void
endpoint_unlisten(struct endpoint *ep)
{
	evtimer_del(ep->ev_retry);
	if (ep->listener != NULL)
		evconnlistener_free(ep->listener);
	ep->listener = NULL;
	if (ep->unlink_path != NULL && unlink(ep->unlink_path) == -1 && errno != ENOENT)
		log_warn("unlink %s", ep->unlink_path);
	free(ep->unlink_path);
	ep->unlink_path = NULL;
	free(ep->local);
	ep->local = NULL;
}

void
endpoint_reconfigure(struct endpoint *ep, const struct conf_link *c)
{
	const char *want = c->local_kind == CONF_LOCAL_NONE ? "" : c->local;

	ep->conf = c;
	if (strcmp(want, ep->local ? ep->local : "") != 0 ||
	    (ep->listener == NULL && c->local_kind != CONF_LOCAL_NONE)) {
		endpoint_unlisten(ep);
		endpoint_listen(ep, c);
	}
}

struct endpoint *
endpoint_new(struct event_base *base, const char *name, const struct endpoint_cb *cb)
{
	struct endpoint *ep = xcalloc(1, sizeof(*ep));

	ep->base = base;
	ep->name = name;
	ep->cb = cb;
	if ((ep->ev_retry = evtimer_new(base, endpoint_on_retry, ep)) == NULL)
		fatalx("relay: out of memory");
	return ep;
}

void
endpoint_free(struct endpoint *ep)
{
	if (ep == NULL)
		return;
	endpoint_unlisten(ep);
	event_free(ep->ev_retry);
	free(ep);
}
