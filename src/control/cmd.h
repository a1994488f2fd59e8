/* Control commands as data: a table of {name, args, flags, handler}.
 * Permission is decided once, by cmd_dispatch, from the flags. */
#ifndef CELLSOCK_CMD_H
#define CELLSOCK_CMD_H

#include <stdint.h>

#include "proto.h"

struct evbuffer;
struct daemon;

enum cmd_flags {
	CMD_READ = 0,		/* anyone who can connect */
	CMD_PRIV = 1 << 0,	/* root or the socket's group */
	CMD_PRIV_ARGS = 1 << 1,	/* privileged only when given arguments */
	CMD_ROOT = 1 << 2,	/* root only */
};

/* Who is asking, from SO_PEERCRED when the client connected. */
struct cmd_peer {
	int is_root;
	int in_group;		/* root, the daemon's own user, or the socket's group */
};

/* One request being answered. Handlers append reply lines to out and finish
 * with cmd_ok or cmd_err; subscribe is set by `monitor`. */
struct cmd_ctx {
	struct daemon *d;
	struct evbuffer *out;
	struct cmd_peer peer;
	uint64_t client;	/* the asking client's id, for deferred replies */
	int subscribe;
	int deferred;		/* the reply comes later through control_send() */
	int done;
};

typedef void cmd_handler(struct cmd_ctx *ctx, const struct proto_request *req);

struct cmd_entry {
	const char *name;
	const char *args;	/* usage, e.g. "NAME" */
	int min_args, max_args;	/* words after the name; -1 = rest of line */
	int flags;
	cmd_handler *fn;
	const char *help;
};

extern const struct cmd_entry cmd_table[];
extern const int cmd_table_size;

const struct cmd_entry *cmd_find(const char *name);
/* Whether peer may run entry with argc words after its name. */
int cmd_permitted(const struct cmd_entry *entry, const struct cmd_peer *peer, int nargs);
/* Answer one parsed request into ctx->out (ends with OK or ERR). */
void cmd_dispatch(struct cmd_ctx *ctx, const struct proto_request *req);

void cmd_reply(struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_ok(struct cmd_ctx *ctx);
void cmd_err(struct cmd_ctx *ctx, enum proto_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
