/* --script: control commands run at set times after start. */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fault.h"
#include "log.h"
#include "proto.h"
#include "sim.h"
#include "xmalloc.h"

/* One timed line of a --script file. */
struct script_step {
	struct script *script;
	struct event *ev;
	char *line;
	TAILQ_ENTRY(script_step) entry;
};

struct script {
	struct sim *sim;
	TAILQ_HEAD(, script_step) steps;
};

static void
script_step_cb(int fd, short what, void *arg)
{
	struct script_step *st = arg;
	struct evbuffer *out = evbuffer_new();

	if (out == NULL)
		return;
	fault_run(st->script->sim, st->line, out);
	evbuffer_add(out, "", 1);
	if (strncmp((const char *)evbuffer_pullup(out, -1), "ERR", 3) == 0 ||
	    strstr((const char *)evbuffer_pullup(out, -1), "\nERR") != NULL)
		sim_event(st->script->sim, "script", "%s: %s", st->line,
		    (const char *)evbuffer_pullup(out, -1));
	evbuffer_free(out);
}

/* Add one "<ms> <command>" line; -1 with err on a bad line. */
static int
script_add(struct script *sc, char *text, char *err, size_t errsz)
{
	struct script_step *st;
	struct timeval tv;
	char *cmd;
	long ms;

	ms = strtol(text, &cmd, 10);
	if (cmd == text || ms < 0 || (*cmd != ' ' && *cmd != '\t')) {
		snprintf(err, errsz, "a line starts with the time in ms after start");
		return -1;
	}
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	if (fault_check(cmd, err, errsz) == -1)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->script = sc;
	st->line = xstrdup(cmd);
	if ((st->ev = evtimer_new(sc->sim->base, script_step_cb, st)) == NULL)
		fatalx("script: out of memory");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(st->ev, &tv);
	TAILQ_INSERT_TAIL(&sc->steps, st, entry);
	return 0;
}

struct script *
script_load(struct sim *sim, const char *path, char *err, size_t errsz)
{
	struct script *sc;
	char line[PROTO_LINE_MAX + 32], msg[256];
	int lineno = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->sim = sim;
	TAILQ_INIT(&sc->steps);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *p = line;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (script_add(sc, p, msg, sizeof(msg)) == -1) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, msg);
			fclose(fp);
			script_free(sc);
			return NULL;
		}
	}
	fclose(fp);
	return sc;
}

void
script_free(struct script *sc)
{
	struct script_step *st;

	if (sc == NULL)
		return;
	while ((st = TAILQ_FIRST(&sc->steps)) != NULL) {
		TAILQ_REMOVE(&sc->steps, st, entry);
		event_free(st->ev);
		free(st->line);
		free(st);
	}
	free(sc);
}
