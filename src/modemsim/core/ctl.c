#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ctl.h"
#include "fault.h"
#include "log.h"
#include "proto.h"
#include "sim.h"
#include "xmalloc.h"

struct ctl_client {
	struct ctl *ctl;
	struct bufferevent *bev;
	int closing;		/* free once the reply is out */
	TAILQ_ENTRY(ctl_client) entry;
};

struct ctl {
	struct sim *sim;
	int fd;
	char *path;
	struct event *ev_accept;
	TAILQ_HEAD(, ctl_client) clients;
};

static void
ctl_client_free(struct ctl_client *cl)
{
	TAILQ_REMOVE(&cl->ctl->clients, cl, entry);
	bufferevent_free(cl->bev);
	free(cl);
}

/* Each complete line is one request; the reply follows at once. */
static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	size_t len;
	char *line;

	while (!cl->closing && (line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF)) != NULL) {
		fault_run(cl->ctl->sim, line, out);
		free(line);
	}
	if (!cl->closing && evbuffer_get_length(in) >= PROTO_LINE_MAX) {
		evbuffer_add_printf(out, "ERR %s request too long\n",
		    proto_err_names[ERR_LINE_TOO_LONG]);
		cl->closing = 1;
		bufferevent_disable(bev, EV_READ);
	}
}

static void
ctl_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client *cl = arg;

	if (cl->closing)
		ctl_client_free(cl);
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		ctl_client_free(arg);
}

static void
ctl_accept_cb(int fd, short what, void *arg)
{
	struct ctl *ctl = arg;
	struct ctl_client *cl;
	int cfd;

	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("control accept");
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->ctl = ctl;
	if ((cl->bev = bufferevent_socket_new(ctl->sim->base, cfd, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("control: out of memory");
	bufferevent_setcb(cl->bev, ctl_read_cb, ctl_write_cb, ctl_event_cb, cl);
	bufferevent_enable(cl->bev, EV_READ);
	TAILQ_INSERT_TAIL(&ctl->clients, cl, entry);
}

/* A socket file nobody answers on is stale; one that answers is in use. */
static int
ctl_check_stale(const struct sockaddr_un *sun)
{
	int fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0) {
		log_warnx("control socket %s is in use by another instance", sun->sun_path);
		return -1;
	}
	unlink(sun->sun_path);
	return 0;
}

struct ctl *
ctl_new(struct sim *sim, const char *path)
{
	struct sockaddr_un sun;
	struct ctl *ctl;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (ctl_check_stale(&sun) == -1)
		return NULL;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0600) == -1 || listen(fd, 16) == -1) {
		log_warn("control socket %s", path);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->sim = sim;
	ctl->fd = fd;
	ctl->path = xstrdup(path);
	TAILQ_INIT(&ctl->clients);
	if ((ctl->ev_accept = event_new(sim->base, fd, EV_READ | EV_PERSIST, ctl_accept_cb, ctl)) == NULL)
		fatalx("control: out of memory");
	event_add(ctl->ev_accept, NULL);
	return ctl;
}

void
ctl_free(struct ctl *ctl)
{
	struct ctl_client *cl;

	if (ctl == NULL)
		return;
	while ((cl = TAILQ_FIRST(&ctl->clients)) != NULL)
		ctl_client_free(cl);
	event_free(ctl->ev_accept);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
