/* The recovery hook's process: started in its own process group with a
 * minimal environment and default signal dispositions, killed as a group
 * (SIGTERM, then SIGKILL after a short grace) at its timeout, when it
 * exits (whatever it left behind), and at stop, which waits a bounded time. */
#ifndef CELLSOCK_MODEM_HOOK_H
#define CELLSOCK_MODEM_HOOK_H

#include <sys/types.h>

#include <stdint.h>

#define HOOK_GRACE_MS 2000	/* SIGTERM to SIGKILL */
#define HOOK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What the hook is told in its environment (besides PATH). */
struct hook_info {
	const char *device;	/* CELLSOCK_DEVICE */
	const char *step;	/* CELLSOCK_STEP */
	unsigned failures;	/* CELLSOCK_FAILURES */
	const char *reason;	/* CELLSOCK_REASON */
};

struct hook_proc {
	pid_t pid;		/* also the process group; 0: none */
	int terminating;	/* SIGTERM sent to the group */
	uint64_t deadline_ms;	/* the timeout, then the end of the grace */
};

/* Start PATH DEVICE. Returns 0, or an errno value. */
int hook_spawn(struct hook_proc *h, const char *path, const struct hook_info *info,
    double timeout_s);
/* Whether the hook runs. */
int hook_running(const struct hook_proc *h);
/* Check on the hook from a timer. Returns 1 when it is over (its group
 * killed, the hook reaped, *status its wait status), 0 while it runs; past
 * its deadline the group gets SIGTERM, after the grace SIGKILL, and
 * *killed is set. */
int hook_poll(struct hook_proc *h, int *status, int *killed);
/* Stop the hook now: SIGTERM to the group, at most HOOK_GRACE_MS for the
 * hook to end, then SIGKILL to the group; the hook is reaped. */
void hook_stop(struct hook_proc *h);

#endif
