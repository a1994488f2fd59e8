/* Kernel TCP socket calls of the module's stack, kept apart from its state:
 * resolve and start a non-blocking connect, read back the outcome, the
 * endpoint names and the unacknowledged send queue. */
#ifndef MODEMSIM_DIAL_H
#define MODEMSIM_DIAL_H

#include <stddef.h>

/* TCP keepalive of a connection: idle_s 0 is off; interval_s and probes 0
 * keep the kernel's defaults. */
struct dial_keepalive {
	int idle_s, interval_s, probes;
};

/* Resolve host and start a non-blocking connect from bind (NULL: any
 * address), with TCP keepalive ka. 0 with *fdp set, or a +CME ERROR code
 * (557, 558, 559, 562). */
int dial_start(const char *host, int port, const char *bind, const struct dial_keepalive *ka,
    int *fdp);
/* The handshake's outcome: 0, or the errno it failed with. */
int dial_result(int fd);
/* The peer's numeric address into raddr, our port into *lport (each left
 * alone when the kernel cannot tell). */
void dial_names(int fd, char *raddr, size_t raddrsz, int *lport);
/* Bytes in the kernel's send queue, sent or not, not yet acknowledged. */
size_t dial_outq(int fd);

#endif
