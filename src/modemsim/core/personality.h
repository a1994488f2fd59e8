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
};

#endif
