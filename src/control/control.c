#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "control/control.h"
#include "control/rec.h"
#include "log.h"
#include "sockpath.h"
#include "xmalloc.h"

struct control_client {
	TAILQ_ENTRY(control_client) entry;
	struct control *control;
	struct bufferevent *bev;
	struct cmdtab_peer peer;
	pid_t pid;
	uint64_t id;
	int busy;		/* a deferred reply is pending: hold further requests */
	int throttled;		/* too many unread replies: requests wait */
	int monitor;
	int json;		/* monitor wants JSON events */
	int closing;		/* flush what is queued, then free */
	enum control_class class;	/* decided at accept from SO_PEERCRED */
};

struct control {
	struct event_base *base;
	control_handler *handler;	/* answers each request */
	void *handler_arg;
	int fd;
	int activated;		/* systemd passed the socket: do not unlink it */
	char *path;
	gid_t group;
	struct event *ev_accept;
	struct event *ev_resume;	/* accept paused after EMFILE */
	TAILQ_HEAD(, control_client) clients;
	int nclients;
	int nclass[CONTROL_CLASS_COUNT];	/* clients of each class */
	int refusing[CONTROL_CLASS_COUNT];	/* a refusal was logged since the last accept */
	uint64_t next_id;
};

static void control_accept(evutil_socket_t fd, short what, void *arg);
static void control_client_close(struct control_client *cl);
static void control_resume(evutil_socket_t fd, short what, void *arg);

/* Refuse to run twice: if something answers on path, another daemon owns it;
 * a socket nobody answers on is stale and removed; anything that is not a
 * socket is left alone and refused. */
static int
control_check(const char *path)
{
	switch (sockpath_remove_stale(path)) {
	case SOCKPATH_FREE:
		return 0;
	case SOCKPATH_REMOVED:
		log_info("removed stale control socket %s", path);
		return 0;
	case SOCKPATH_IN_USE:
		log_warnx("another cellsockd is answering on %s", path);
		return -1;
	case SOCKPATH_NOT_SOCKET:
		log_warnx("%s exists and is not a socket; not replacing it", path);
		return -1;
	case SOCKPATH_TOO_LONG:
		log_warnx("control socket path too long: %s", path);
		return -1;
	case SOCKPATH_ERROR:
		log_warn("cannot check the control socket %s", path);
		return -1;
	}
	return -1;
}

/* Create the parent directory if missing (systemd's RuntimeDirectory does it
 * in production; by hand it saves a step). */
static void
control_mkparent(const char *path)
{
	char *copy = xstrdup(path);
	char *dir = dirname(copy);

	if (mkdir(dir, 0755) == 0)
		log_info("created %s", dir);
	free(copy);
}

/* Bind, then set mode and group as configured. */
static int
control_bind(struct control *c, mode_t mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;

	strcpy(sun.sun_path, c->path);
	control_mkparent(c->path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(0177);
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("bind %s", c->path);
		return -1;
	}
	umask(old);
	if (chmod(c->path, mode) == -1)
		log_warn("chmod %s", c->path);
	if (c->group != (gid_t)-1 && chown(c->path, (uid_t)-1, c->group) == -1)
		log_warn("chgrp %s", c->path);
	return 0;
}

/* Take the listening socket from systemd if it passed one. */
static int
control_activated(struct control *c)
{
	int n = sd_listen_fds(1);

	if (n <= 0)
		return 0;
	if (n > 1)
		log_warnx("systemd passed %d sockets; using the first", n);
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
		log_warnx("the socket systemd passed is not a listening Unix stream socket");
		return 0;
	}
	c->fd = SD_LISTEN_FDS_START;
	c->activated = 1;
	evutil_make_socket_nonblocking(c->fd);
	evutil_make_socket_closeonexec(c->fd);
	log_info("using the control socket passed by systemd");
	return 1;
}

static gid_t
control_group(const char *name)
{
	struct group *gr;

	if (name == NULL || *name == '\0')
		return (gid_t)-1;
	if ((gr = getgrnam(name)) == NULL) {
		log_warnx("control socket group '%s' does not exist; leaving the group "
		    "unchanged", name);
		return (gid_t)-1;
	}
	return gr->gr_gid;
}

struct control *
control_init(struct event_base *base, const char *path, const char *group, mode_t mode,
    control_handler *handler, void *arg)
{
	struct control *c = xcalloc(1, sizeof(*c));

	c->base = base;
	c->handler = handler;
	c->handler_arg = arg;
	c->fd = -1;
	c->path = xstrdup(path);
	c->group = control_group(group);
	TAILQ_INIT(&c->clients);
	if (!control_activated(c)) {
		if (control_check(path) == -1 || control_bind(c, mode) == -1)
			goto fail;
		if (listen(c->fd, SOMAXCONN) == -1) {
			log_warn("listen %s", path);
			goto fail;
		}
	}
	c->ev_accept = event_new(base, c->fd, EV_READ | EV_PERSIST, control_accept, c);
	c->ev_resume = evtimer_new(base, control_resume, c);
	event_add(c->ev_accept, NULL);
	log_info("control socket %s", path);
	return c;
fail:
	if (c->fd != -1)
		close(c->fd);
	free(c->path);
	free(c);
	return NULL;
}

void
control_free(struct control *c)
{
	struct control_client *cl;

	if (c == NULL)
		return;
	while ((cl = TAILQ_FIRST(&c->clients)) != NULL)
		control_client_close(cl);
	event_free(c->ev_accept);
	event_free(c->ev_resume);
	close(c->fd);
	if (!c->activated)
		unlink(c->path);
	free(c->path);
	free(c);
}

int
control_client_count(const struct control *c)
{
	return c->nclients;
}

int
control_monitor_count(const struct control *c)
{
	const struct control_client *cl;
	int n = 0;

	TAILQ_FOREACH(cl, &c->clients, entry)
		n += cl->monitor;
	return n;
}

/* Decide once, from the peer's credentials, what this client may do and
 * which share of the client table it may take. A peer whose credentials
 * cannot be read is an outsider. */
static void
control_peer(struct control *c, int fd, struct control_client *cl)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[256];
	socklen_t glen = sizeof(groups);

	cl->class = CONTROL_CLASS_OTHER;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("SO_PEERCRED");
		return;
	}
	cl->pid = cred.pid;
	cl->peer.is_root = cred.uid == 0;
	cl->peer.in_group = cred.uid == 0 || cred.uid == geteuid() ||
	    (c->group != (gid_t)-1 && cred.gid == c->group);
	if (cred.uid == 0 || cred.uid == geteuid())
		cl->class = CONTROL_CLASS_ROOT;
	if (!cl->peer.in_group && c->group != (gid_t)-1 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		for (size_t i = 0; i < glen / sizeof(gid_t); i++)
			if (groups[i] == c->group)
				cl->peer.in_group = 1;
	if (cl->class != CONTROL_CLASS_ROOT && cl->peer.in_group)
		cl->class = CONTROL_CLASS_GROUP;
}

static void
control_client_close(struct control_client *cl)
{
	struct control *c = cl->control;

	TAILQ_REMOVE(&c->clients, cl, entry);
	c->nclients--;
	c->nclass[cl->class]--;
	bufferevent_free(cl->bev);
	free(cl);
}

/* Stop reading; free once what is queued has been written. */
static void
control_client_finish(struct control_client *cl)
{
	cl->closing = 1;
	bufferevent_disable(cl->bev, EV_READ);
}

/* Answer one request line: framing errors here, the request itself by the
 * handler registered at init. */
static void
control_line(struct control_client *cl, const char *line, size_t len)
{
	struct proto_request req;
	struct control_request rq = { .req = &req, .peer = cl->peer, .client = cl->id };

	rq.out = bufferevent_get_output(cl->bev);
	switch (proto_parse_request(line, len, &req)) {
	case PROTO_PARSE_EMPTY:
		return;
	case PROTO_PARSE_TOO_LONG:
		evbuffer_add_printf(rq.out, "ERR %s request longer than %d bytes\n",
		    proto_err_names[ERR_LINE_TOO_LONG], PROTO_LINE_MAX);
		control_client_finish(cl);
		return;
	case PROTO_PARSE_BINARY:
		evbuffer_add_printf(rq.out, "ERR %s request contains control or NUL bytes\n",
		    proto_err_names[ERR_BAD_REQUEST]);
		control_client_finish(cl);
		return;
	case PROTO_PARSE_TOO_MANY_ARGS:
		evbuffer_add_printf(rq.out, "ERR %s more than %d words\n",
		    proto_err_names[ERR_USAGE], PROTO_ARGS_MAX);
		return;
	case PROTO_PARSE_OK:
		break;
	}
	cl->control->handler(cl->control->handler_arg, &rq);
	if (rq.deferred)
		cl->busy = 1;
	if (rq.subscribe && !cl->monitor) {
		/* No idle limit, but events it does not read for
		 * CONTROL_WRITE_TIMEOUT still drop it (control_event). */
		struct timeval wr = { CONTROL_WRITE_TIMEOUT, 0 };
		cl->monitor = 1;
		cl->json = rq.json;
		bufferevent_set_timeouts(cl->bev, NULL, &wr);
	}
}

static void
control_read(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	while (!cl->closing && !cl->busy) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) > CONTROL_OUTBUF_MAX) {
			/* It does not read its replies: read no more requests until
			 * they drain (the write timeout drops it if they never do). */
			cl->throttled = 1;
			bufferevent_disable(bev, EV_READ);
			break;
		}
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
		if (line == NULL) {
			if (evbuffer_get_length(in) >= PROTO_LINE_MAX) {
				evbuffer_drain(in, evbuffer_get_length(in));
				evbuffer_add_printf(bufferevent_get_output(bev),
				    "ERR %s request longer than %d bytes\n",
				    proto_err_names[ERR_LINE_TOO_LONG], PROTO_LINE_MAX);
				control_client_finish(cl);
			}
			break;
		}
		control_line(cl, line, len);
		free(line);
	}
	if (cl->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		control_client_close(cl);
}

static void
control_write(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;

	if (cl->closing) {
		control_client_close(cl);
		return;
	}
	if (cl->throttled) {
		cl->throttled = 0;
		bufferevent_enable(bev, EV_READ);
		control_read(bev, cl);	/* the requests that waited */
	}
}

static void
control_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cl = arg;

	if ((what & BEV_EVENT_TIMEOUT) && cl->monitor)
		log_warnx("monitor client pid %ld read no events for %d s; dropping it",
		    (long)cl->pid, CONTROL_WRITE_TIMEOUT);
	else if (what & BEV_EVENT_TIMEOUT)
		log_debug("control client pid %ld timed out", (long)cl->pid);
	control_client_close(cl);
}

/* Too many clients: say so and close without keeping any state. */
static void
control_refuse(int fd, const char *why)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "ERR %s too many control clients%s\n",
	    proto_err_names[ERR_BUSY], why);

	if (write(fd, msg, (size_t)n) < 0)
		log_debug("could not tell a refused client why");
	close(fd);
}

/* Whether a client of class k fits: root (and the daemon's user) may use
 * the whole table, the others leave CONTROL_ROOT_RESERVE slots free, and
 * users outside the group take at most CONTROL_OTHERS_MAX, so the group
 * always has room they cannot take. NULL if it fits, else why not. */
static const char *
control_admit(const struct control *c, enum control_class k)
{
	if (c->nclients >= CONTROL_MAX_CLIENTS)
		return "";
	switch (k) {
	case CONTROL_CLASS_ROOT:
		return NULL;
	case CONTROL_CLASS_GROUP:
		if (c->nclients - c->nclass[CONTROL_CLASS_ROOT] >=
		    CONTROL_MAX_CLIENTS - CONTROL_ROOT_RESERVE)
			return " (the rest is kept for root)";
		return NULL;
	case CONTROL_CLASS_OTHER:
		if (c->nclass[CONTROL_CLASS_OTHER] >= CONTROL_OTHERS_MAX)
			return " from users outside the socket's group";
		if (c->nclients - c->nclass[CONTROL_CLASS_ROOT] >=
		    CONTROL_MAX_CLIENTS - CONTROL_ROOT_RESERVE)
			return " (the rest is kept for root)";
		return NULL;
	case CONTROL_CLASS_COUNT:
		break;
	}
	return "";
}

static const char *const control_class_names[CONTROL_CLASS_COUNT] = {
	[CONTROL_CLASS_ROOT] = "root",
	[CONTROL_CLASS_GROUP] = "group",
	[CONTROL_CLASS_OTHER] = "other",
};

/* Read the peer's credentials, then keep it if its class has room: the
 * limit is decided by who connects, never by who came first. */
static void
control_add_client(struct control *c, int fd)
{
	struct control_client *cl = xcalloc(1, sizeof(*cl));
	struct timeval idle = { CONTROL_IDLE_TIMEOUT, 0 }, wr = { CONTROL_WRITE_TIMEOUT, 0 };
	const char *why;

	control_peer(c, fd, cl);
	if ((why = control_admit(c, cl->class)) != NULL) {
		if (!c->refusing[cl->class])
			log_warnx("control socket full for %s clients (%d of %d in use); "
			    "refusing pid %ld", control_class_names[cl->class], c->nclients,
			    CONTROL_MAX_CLIENTS, (long)cl->pid);
		c->refusing[cl->class] = 1;
		control_refuse(fd, why);
		free(cl);
		return;
	}
	c->refusing[cl->class] = 0;
	cl->control = c;
	cl->id = ++c->next_id;
	cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(cl->bev, control_read, control_write, control_event, cl);
	bufferevent_set_timeouts(cl->bev, &idle, &wr);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&c->clients, cl, entry);
	c->nclients++;
	c->nclass[cl->class]++;
	log_debug("control client pid %ld connected (root %d, group %d, class %s)",
	    (long)cl->pid, cl->peer.is_root, cl->peer.in_group,
	    control_class_names[cl->class]);
}

static void
control_resume(evutil_socket_t fd, short what, void *arg)
{
	struct control *c = arg;

	event_add(c->ev_accept, NULL);
}

static void
control_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct control *c = arg;
	struct timeval pause = { 1, 0 };
	int fd;

	while ((fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1)
		control_add_client(c, fd);
	if (errno == EMFILE || errno == ENFILE) {
		log_warn("accept: pausing the control socket for 1 s");
		event_del(c->ev_accept);
		evtimer_add(c->ev_resume, &pause);
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
	    errno != ECONNABORTED)
		log_warn("accept");
}

void
control_broadcast(struct control *c, const char *line)
{
	struct control_client *cl, *next;
	struct evbuffer *out;

	for (cl = TAILQ_FIRST(&c->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (!cl->monitor || cl->closing)
			continue;
		out = bufferevent_get_output(cl->bev);
		if (evbuffer_get_length(out) > CONTROL_OUTBUF_MAX) {
			log_warnx("monitor client pid %ld reads no events; dropping it",
			    (long)cl->pid);
			control_client_close(cl);
			continue;
		}
		if (cl->json)
			rec_event_json(out, line, time(NULL));
		else
			evbuffer_add_printf(out, "%s\n", line);
	}
}

void
control_send(struct control *c, uint64_t client, struct evbuffer *out)
{
	struct control_client *cl;

	TAILQ_FOREACH(cl, &c->clients, entry) {
		if (cl->id != client)
			continue;
		evbuffer_add_buffer(bufferevent_get_output(cl->bev), out);
		cl->busy = 0;
		control_read(cl->bev, cl);	/* requests that waited behind it */
		return;
	}
	log_debug("control client %llu left before its answer", (unsigned long long)client);
}
