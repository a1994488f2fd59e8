/* The control socket (--control): a Unix stream socket speaking one request
 * line, reply lines, and a terminal "OK" or "ERR <code> <message>". */
#ifndef MODEMSIM_CTL_H
#define MODEMSIM_CTL_H

struct sim;
struct ctl;

/* Listen on path (a stale socket file is replaced). NULL on failure. */
struct ctl *ctl_new(struct sim *sim, const char *path);
/* Close every client and remove the socket file. */
void ctl_free(struct ctl *ctl);

#endif
