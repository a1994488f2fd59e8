/* The one table of control commands, shared by cellsockd (which dispatches
 * from it and answers `help` from it) and cellsockctl (which checks usage
 * and prints --help from it). Nothing else lists commands. */
#ifndef CELLSOCK_CMDTAB_H
#define CELLSOCK_CMDTAB_H

/* Every command; the table is indexed by this. */
enum cmdtab_id {
	CMDTAB_STATUS,
	CMDTAB_MODEM,
	CMDTAB_LINKS,
	CMDTAB_CONNECT,
	CMDTAB_DISCONNECT,
	CMDTAB_RECONNECT,
	CMDTAB_SEND,
	CMDTAB_MONITOR,
	CMDTAB_METRICS,
	CMDTAB_AT,
	CMDTAB_RESET,
	CMDTAB_RELOAD,
	CMDTAB_LOG_LEVEL,
	CMDTAB_VERSION,
	CMDTAB_HELP,
	CMDTAB_COUNT
};

enum cmdtab_flags {
	CMDTAB_READ = 0,		/* anyone who can connect */
	CMDTAB_PRIV = 1 << 0,		/* root or the socket's group */
	CMDTAB_PRIV_ARGS = 1 << 1,	/* privileged only when given arguments */
	CMDTAB_ROOT = 1 << 2,		/* root only */
	CMDTAB_STREAM = 1 << 3,		/* after OK, event lines until the client leaves */
	CMDTAB_RAW = 1 << 4,		/* reply lines are text to print as they are */
	CMDTAB_DATA = 1 << 5,		/* words from the second on are bytes (%XX
					 * escapes); cellsockctl reads - from stdin */
};

struct cmdtab_entry {
	enum cmdtab_id id;
	const char *name;
	const char *args;	/* synopsis, e.g. "NAME" */
	int min_args, max_args;	/* words after the name; -1 = rest of line */
	int flags;
	const char *lists;	/* record types that repeat (tables, JSON arrays) */
	const char *help;	/* one-line summary */
};

/* Who is asking, from SO_PEERCRED when the client connected. */
struct cmdtab_peer {
	int is_root;
	int in_group;		/* root, the daemon's own user, or the socket's group */
};

extern const struct cmdtab_entry cmdtab[CMDTAB_COUNT];

/* The entry named name, NULL if none. */
const struct cmdtab_entry *cmdtab_find(const char *name);
/* Whether nargs words after the name fit the entry. */
int cmdtab_args_ok(const struct cmdtab_entry *e, int nargs);
/* Whether peer may run e with nargs words after its name. */
int cmdtab_permitted(const struct cmdtab_entry *e, const struct cmdtab_peer *peer, int nargs);
/* Who may run e: "root", "group" (always or with arguments) or "no". */
const char *cmdtab_privilege(const struct cmdtab_entry *e);

#endif
