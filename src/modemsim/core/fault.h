/* Fault injection and queries: one table of control commands shared by the
 * control socket (ctl.c) and the --script file of timed faults. */
#ifndef MODEMSIM_FAULT_H
#define MODEMSIM_FAULT_H

#include <stddef.h>

struct sim;
struct evbuffer;
struct script;

/* Run one control line: reply lines, then "OK" or "ERR <code> <message>". */
void fault_run(struct sim *sim, const char *line, struct evbuffer *out);
/* Check a line without running it. 0, or -1 with a message in err. */
int fault_check(const char *line, char *err, size_t errsz);

/* script.c, --script: "<ms after start> <control command>" per line, # comments.
 * NULL with a "file:line: message" in err on a bad file. */
struct script *script_load(struct sim *sim, const char *path, char *err, size_t errsz);
void script_free(struct script *sc);

#endif
