/* A link's local endpoint: a unix or tcp listening socket (conf_link's
 * local), bound again after a failure or a reload that moves it, with the
 * stale socket file of a dead process replaced. Its owner (the relay)
 * hears of connections through struct endpoint_cb. */
#ifndef CELLSOCK_RELAY_ENDPOINT_H
#define CELLSOCK_RELAY_ENDPOINT_H

struct conf_control;
struct conf_link;
struct endpoint;
struct event_base;

struct endpoint_cb {
	/* A client connected: the owner takes fd, or hands it to
	 * endpoint_refuse(). */
	void (*accept)(void *arg, int fd);
	/* Whether new clients are accepted now, or wait in the backlog. */
	int (*accepting)(void *arg);
	/* Mode and group for a unix socket file. */
	const struct conf_control *(*control)(void *arg);
	void *arg;
};

/* name (the link's, for the log) and cb must outlive the endpoint. */
struct endpoint *endpoint_new(struct event_base *base, const char *name,
    const struct endpoint_cb *cb);
void endpoint_free(struct endpoint *ep);
/* Listen where c says (nothing for local = ""); on failure try again later. */
void endpoint_listen(struct endpoint *ep, const struct conf_link *c);
/* Stop listening, remove our socket file. */
void endpoint_unlisten(struct endpoint *ep);
/* A reload: rebind if the endpoint moved (or was not bound). */
void endpoint_reconfigure(struct endpoint *ep, const struct conf_link *c);
/* Accept or hold new clients, as cb->accepting() says now. */
void endpoint_update(struct endpoint *ep);
/* Tell a second client why it is turned away, and close it. */
void endpoint_refuse(struct endpoint *ep, int fd);

#endif
