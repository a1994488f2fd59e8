/* Control commands: the handler of each entry of the shared command table
 * (common/cmdtab.h). Permission is decided once, by cmd_dispatch, from the
 * table's flags. This sits above the control socket: control hands each
 * request to cmd_serve, and cmd answers deferred ones with control_send. */
#ifndef CELLSOCK_CMD_H
#define CELLSOCK_CMD_H

#include <stdint.h>

#include "cmdtab.h"
#include "proto.h"

struct evbuffer;
struct control;
struct control_request;
struct daemon;

/* What the commands act on; the caller owns it (main.c). */
struct cmd_server {
	struct daemon *d;
	struct control *control;	/* for client counts and deferred replies */
};

/* One request being answered. Handlers append reply lines to out and finish
 * with cmd_ok or cmd_err; subscribe is set by `monitor`. */
struct cmd_ctx {
	struct daemon *d;
	struct control *control;	/* NULL in unit tests */
	struct evbuffer *out;
	struct cmdtab_peer peer;
	uint64_t client;	/* the asking client's id, for deferred replies */
	int subscribe;
	int json;		/* the request was prefixed with "json" */
	int deferred;		/* the reply comes later through control_send() */
	int done;
};

typedef void cmd_handler(struct cmd_ctx *ctx, const struct proto_request *req);

/* The handler of a table entry (NULL would be a command nobody answers). */
cmd_handler *cmd_handler_of(enum cmdtab_id id);
/* Answer one parsed request into ctx->out (ends with OK or ERR). */
void cmd_dispatch(struct cmd_ctx *ctx, const struct proto_request *req);
/* The control socket's request handler; arg is a struct cmd_server. */
void cmd_serve(void *arg, struct control_request *rq);

void cmd_reply(struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_ok(struct cmd_ctx *ctx);
void cmd_err(struct cmd_ctx *ctx, enum proto_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
