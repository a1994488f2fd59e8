/* A configuration file tried first in a child process (see conf_probe.h). */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_probe.h"
#include "xmalloc.h"

#define PROBE_REPORT_MAX (1024 * 1024)	/* more of the child's report is dropped */

/* Write all of buf; errors are ignored (the parent then sees less). */
static void
conf_probe_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* In the child: parse, send each problem NUL-terminated, exit 0 if valid.
 * What it parsed is freed, so that memory checkers (which follow forks)
 * find only libconfig's own leak here. */
static void __attribute__((noreturn))
conf_probe_child(const char *path, int fd)
{
	struct conf_errors errs;
	struct conf *conf;
	int valid;

	conf_errors_init(&errs);
	conf = conf_load(path, &errs);
	valid = conf != NULL;
	for (int i = 0; i < errs.n; i++)
		conf_probe_write(fd, errs.msgs[i], strlen(errs.msgs[i]) + 1);
	conf_errors_free(&errs);
	if (conf != NULL)
		conf_free(conf);
	close(fd);
	_exit(valid ? 0 : 1);
}

/* In the parent: the child's report (NUL-separated, at most
 * PROBE_REPORT_MAX bytes kept), read to its end; *len its size. */
static char *
conf_probe_read(int fd, size_t *len)
{
	size_t cap = 4096;
	char *buf = xmalloc(cap + 1), sink[4096];
	ssize_t n;

	*len = 0;
	for (;;) {
		if (*len == cap && cap < PROBE_REPORT_MAX)
			buf = xrealloc(buf, (cap *= 2) + 1);
		if (*len < cap)
			n = read(fd, buf + *len, cap - *len);
		else
			n = read(fd, sink, sizeof(sink));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (*len < cap)
			*len += (size_t)n;
	}
	buf[*len] = '\0';
	return buf;
}

/* The child's problems into errs. */
static void
conf_probe_report(const char *buf, size_t len, struct conf_errors *errs)
{
	for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
		errs->msgs = xrealloc(errs->msgs, ((size_t)errs->n + 1) * sizeof(*errs->msgs));
		errs->msgs[errs->n++] = xstrdup(buf + off);
	}
}

/* Run the child; 1 valid, 0 refused (problems in errs), -1 it could not run. */
static int
conf_probe(const char *path, struct conf_errors *errs)
{
	int fds[2], status;
	size_t len;
	char *buf;
	pid_t pid;

	if (pipe(fds) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		conf_probe_child(path, fds[1]);
	}
	close(fds[1]);
	buf = conf_probe_read(fds[0], &len);
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1 ||
	    (WEXITSTATUS(status) == 1 && len == 0)) {
		free(buf);
		return -1;
	}
	if (WEXITSTATUS(status) == 1)
		conf_probe_report(buf, len, errs);
	free(buf);
	return WEXITSTATUS(status) == 0;
}

/* Parse here only what the child found valid (or when it could not run). */
struct conf *
conf_load_probed(const char *path, struct conf_errors *errs)
{
	if (conf_probe(path, errs) == 0)
		return NULL;
	return conf_load(path, errs);
}
