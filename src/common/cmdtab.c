#include "config.h"

#include <string.h>

#include "cmdtab.h"

#define CMDTAB_W(id, name, args, lo, hi, flags, lists, help) \
	[id] = { id, name, args, lo, hi, flags, lists, help }

/* Every command the daemon knows, in the order help lists them. */
const struct cmdtab_entry cmdtab[CMDTAB_COUNT] = {
	CMDTAB_W(CMDTAB_STATUS, "status", "", 0, 0, CMDTAB_READ, "link,relay,channel",
	    "daemon, modem and link summary"),
	CMDTAB_W(CMDTAB_MODEM, "modem", "", 0, 0, CMDTAB_READ, "",
	    "modem identity, SIM, registration, operator, signal"),
	CMDTAB_W(CMDTAB_LINKS, "links", "[NAME]", 0, 1, CMDTAB_READ, "link,channel",
	    "one row per link, or every field of one"),
	CMDTAB_W(CMDTAB_CONNECT, "connect", "NAME", 1, 1, CMDTAB_PRIV, "",
	    "start a link"),
	CMDTAB_W(CMDTAB_DISCONNECT, "disconnect", "NAME", 1, 1, CMDTAB_PRIV, "",
	    "stop a link with a verified teardown"),
	CMDTAB_W(CMDTAB_RECONNECT, "reconnect", "NAME", 1, 1, CMDTAB_PRIV, "",
	    "tear a link down and dial again"),
	CMDTAB_W(CMDTAB_SEND, "send", "NAME DATA", 2, -1, CMDTAB_PRIV | CMDTAB_DATA, "",
	    "send bytes on a link (%XX is one byte, %25 a literal %)"),
	CMDTAB_W(CMDTAB_MONITOR, "monitor", "", 0, 0, CMDTAB_READ | CMDTAB_STREAM, "",
	    "stream events as they happen"),
	CMDTAB_W(CMDTAB_METRICS, "metrics", "", 0, 0, CMDTAB_READ | CMDTAB_RAW, "",
	    "Prometheus text exposition"),
	CMDTAB_W(CMDTAB_AT, "at", "COMMAND", 1, -1, CMDTAB_ROOT | CMDTAB_RAW, "",
	    "raw AT command through the daemon's queue"),
	CMDTAB_W(CMDTAB_RESET, "reset", "pdp|radio|modem", 1, 1, CMDTAB_PRIV, "",
	    "run one escalation step now"),
	CMDTAB_W(CMDTAB_RELOAD, "reload", "", 0, 0, CMDTAB_PRIV, "",
	    "reload the configuration file"),
	CMDTAB_W(CMDTAB_LOG_LEVEL, "log-level", "[LEVEL]", 0, 1, CMDTAB_PRIV_ARGS, "",
	    "show or set the log level"),
	CMDTAB_W(CMDTAB_VERSION, "version", "", 0, 0, CMDTAB_READ, "",
	    "daemon version"),
	CMDTAB_W(CMDTAB_HELP, "help", "", 0, 0, CMDTAB_READ, "command",
	    "list the commands and who may run them"),
};
#undef CMDTAB_W

const struct cmdtab_entry *
cmdtab_find(const char *name)
{
	for (int i = 0; i < CMDTAB_COUNT; i++)
		if (strcmp(cmdtab[i].name, name) == 0)
			return &cmdtab[i];
	return NULL;
}

int
cmdtab_args_ok(const struct cmdtab_entry *e, int nargs)
{
	return nargs >= e->min_args && (e->max_args < 0 || nargs <= e->max_args);
}

int
cmdtab_permitted(const struct cmdtab_entry *e, const struct cmdtab_peer *peer, int nargs)
{
	if (e->flags & CMDTAB_ROOT)
		return peer->is_root;
	if (e->flags & CMDTAB_PRIV)
		return peer->is_root || peer->in_group;
	if ((e->flags & CMDTAB_PRIV_ARGS) && nargs > 0)
		return peer->is_root || peer->in_group;
	return 1;
}

const char *
cmdtab_privilege(const struct cmdtab_entry *e)
{
	if (e->flags & CMDTAB_ROOT)
		return "root";
	if (e->flags & (CMDTAB_PRIV | CMDTAB_PRIV_ARGS))
		return "group";
	return "no";
}
