/* A vendor personality: the command set, URC texts and firmware profiles of
 * one maker's modules. The core (pty, pacing, command-line engine, kernel
 * sockets, faults, control socket, trace) calls the vendor only through
 * this table; the vendor's command handlers call the core downward. */
#ifndef MODEMSIM_PERSONALITY_H
#define MODEMSIM_PERSONALITY_H

#include <stddef.h>

#include "atparse.h"
#include "modem.h"

struct profile;
struct sock;

typedef enum at_res cmd_fn(struct modem *m, const struct at_cmd *cmd, const struct at_args *args);

/* One command the module answers: handler and "=?" answer. */
struct cmd_def {
	const char *name;	/* as at_parse_line() names it: "E", "&K", "+CREG", "#SD" */
	cmd_fn *fn;
	const char *test;	/* the "=?" information line, or NULL for a bare OK */
};

struct sim_personality {
	const char *name;			/* "telit" */
	const struct profile *profiles;		/* --firmware choices */
	int nprofiles;
	const char *profile_default;
	size_t state_size;			/* its per-module state, m->vendor */
	/* Factory settings of that state (power on, reboot); NULL if none. */
	void (*factory)(struct modem *m);
	const struct cmd_def *cmds;		/* every command, for "commands" */
	int ncmds;
	/* The entry for a parsed command name, or NULL. */
	const struct cmd_def *(*cmd_find)(const char *name);
	/* The +CMEE=2 text of a +CME ERROR code, or NULL for the number. */
	const char *(*cme_text)(int code);
	/* Bytes arrived on s while it is not online: the "data" URC. */
	void (*urc_data)(struct modem *m, struct sock *s);
	/* s closed with a #SLASTCLOSURE cause: the line the host gets, as a
	 * URC or ending online mode ("NO CARRIER"). */
	void (*closed_text)(const struct sock *s, int cause, char *buf, size_t bufsz);
	/* The socket state number the "sockets" control command shows. */
	int (*sock_state)(const struct modem *m, const struct sock *s, int online);
	int sock_min, sock_max;			/* the socket ids the host uses */
	int pdp_count;				/* contexts 1..pdp_count (<= PDP_MAX) */
	/* With several ports: a socket's URCs go to the port that opened it
	 * (1), or every URC to the URC port, m->urc_port (0). */
	int sock_urc_owner;

	/* Optional hooks (NULL: the behaviour described). */
	/* The port has a reader after power-on or reboot: the boot URCs
	 * ("RDY"). NULL: none. */
	void (*booted)(struct modem *m);
	/* s closed with a cause: tell the host. NULL: closed_text as a URC. */
	void (*sock_closed)(struct modem *m, struct sock *s, int cause);
	/* The peer's FIN arrived on s (it stays open while its closure type is
	 * 255). NULL: nothing to say. */
	void (*remote_fin)(struct modem *m, struct sock *s);
	/* A connect started without a waiting command (s->imm) ended: 0 or a
	 * core dial error (557, 558, 559, 562). NULL: nothing to say. */
	void (*sock_opened)(struct modem *m, struct sock *s, int err);
	/* The network deactivated context cid (before its sockets are lost).
	 * NULL: nothing to say. */
	void (*pdp_lost)(struct modem *m, int cid);
	/* The payload of a send prompt went to sock_send() with result rc
	 * (0, or 563 when not connected or the buffer is full): the command's
	 * final result. NULL: OK, or +CME ERROR: rc. */
	enum at_res (*send_done)(struct modem *m, struct sock *s, int rc);
};

#endif
