/* The recovery hook's process (see hook.h). */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modem/hook.h"
#include "util.h"

#define HOOK_STOP_POLL_NS 20000000L	/* 20 ms */

/* Own process group, every signal at its default, nothing blocked. */
static int
hook_attr(posix_spawnattr_t *attr)
{
	sigset_t all, none;
	int err;

	sigfillset(&all);
	sigemptyset(&none);
	if ((err = posix_spawnattr_init(attr)) != 0)
		return err;
	if ((err = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) != 0 ||
	    (err = posix_spawnattr_setpgroup(attr, 0)) != 0 ||
	    (err = posix_spawnattr_setsigdefault(attr, &all)) != 0 ||
	    (err = posix_spawnattr_setsigmask(attr, &none)) != 0)
		posix_spawnattr_destroy(attr);
	return err;
}

/* PATH DEVICE with the environment of hook.h, in a group of its own. */
int
hook_spawn(struct hook_proc *h, const char *path, const struct hook_info *info,
    double timeout_s)
{
	char dev[512], step[64], failures[64], reason[256];
	char *argv[] = { (char *)path, (char *)info->device, NULL };
	char *envp[] = { "PATH=" HOOK_PATH, dev, step, failures, reason, NULL };
	posix_spawnattr_t attr;
	pid_t pid;
	int err;

	snprintf(dev, sizeof(dev), "CELLSOCK_DEVICE=%s", info->device);
	snprintf(step, sizeof(step), "CELLSOCK_STEP=%s", info->step);
	snprintf(failures, sizeof(failures), "CELLSOCK_FAILURES=%u", info->failures);
	snprintf(reason, sizeof(reason), "CELLSOCK_REASON=%s", info->reason);
	if ((err = hook_attr(&attr)) != 0)
		return err;
	err = posix_spawn(&pid, path, NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	if (err != 0)
		return err;
	h->pid = pid;
	h->terminating = 0;
	h->deadline_ms = util_now_ms() + (uint64_t)(timeout_s * 1000);
	return 0;
}

int
hook_running(const struct hook_proc *h)
{
	return h->pid > 0;
}

/* The hook has exited (still a zombie, so its group id is not reused):
 * kill what it left in its group, then reap it. */
static void
hook_reap(struct hook_proc *h, int *status)
{
	kill(-h->pid, SIGKILL);
	while (waitpid(h->pid, status, 0) == -1 && errno == EINTR)
		;
	h->pid = 0;
}

/* Whether the hook has exited, without reaping it. */
static int
hook_exited(const struct hook_proc *h)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)h->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno == ECHILD;
	return si.si_pid == h->pid;
}

/* Reaped if over; past the deadline SIGTERM, then SIGKILL, to the group. */
int
hook_poll(struct hook_proc *h, int *status, int *killed)
{
	*status = 0;
	*killed = 0;
	if (h->pid <= 0)
		return 1;
	if (hook_exited(h)) {
		hook_reap(h, status);
		return 1;
	}
	if (util_now_ms() < h->deadline_ms)
		return 0;
	*killed = 1;
	if (!h->terminating) {
		kill(-h->pid, SIGTERM);
		h->terminating = 1;
		h->deadline_ms = util_now_ms() + HOOK_GRACE_MS;
		return 0;
	}
	hook_reap(h, status);
	return 1;
}

/* At stop: SIGTERM to the group, a bounded wait, SIGKILL, reap. */
void
hook_stop(struct hook_proc *h)
{
	struct timespec nap = { 0, HOOK_STOP_POLL_NS };
	uint64_t end = util_now_ms() + HOOK_GRACE_MS;
	int status;

	if (h->pid <= 0)
		return;
	kill(-h->pid, SIGTERM);
	while (!hook_exited(h) && util_now_ms() < end)
		nanosleep(&nap, NULL);
	hook_reap(h, &status);
}
