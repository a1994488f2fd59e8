/* Adaptive idle (keepalive.idle = "auto").
 * Learn how long this network keeps an idle connection: start at idle_min
 * (or what an earlier run learned), lengthen x1.25 each time a probe sent
 * after a full idle period is answered, and when a connection dies silently
 * (probe-timeout) after an idle period T, settle at 0.8 T; always within
 * idle_min..idle_max. A settled period no longer grows; a new silent death
 * lowers it again. What is learned is kept in the state directory, one file
 * per link: "HOST:PORT SECONDS MODE", written to a fresh temporary file
 * (never through a link), flushed and renamed into place; read only from a
 * regular file, and a period that is not within idle_min..idle_max is
 * discarded with a warning. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_idle.h"
#include "log.h"

#define IDLE_GROW 1.25
#define IDLE_MARGIN 0.8
#define IDLE_FILE_MAX 512	/* bytes read of a state file, at most */
#define IDLE_TMP_TRIES 16	/* temporary names tried before giving up */

/* The idle period in force, and how it is being learned. */
double
link_idle_period(const struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	return k->idle_auto ? l->idle.cur : k->idle;
}

const char *
link_idle_mode_name(const struct link *l)
{
	switch (l->idle.mode) {
	case IDLE_FIXED: return "fixed";
	case IDLE_LEARNING: return "learning";
	case IDLE_SETTLED: return "settled";
	}
	return "fixed";
}

/* The file that keeps what was learned for this link. */
static void
link_idle_path(const struct link *l, char *path, size_t size)
{
	snprintf(path, size, "%s/idle-%s", l->env.state_dir, l->name);
}

/* A new temporary file beside path, never through a link or over an
 * existing file (O_CREAT|O_EXCL|O_NOFOLLOW); -1 when none can be made. */
static int
link_idle_tmp(const char *path, char *tmp, size_t size)
{
	static unsigned serial;
	int fd, i;

	for (i = 0; i < IDLE_TMP_TRIES; i++) {
		snprintf(tmp, size, "%s.%ld.%u.tmp", path, (long)getpid(), serial++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Make a rename in dir durable. */
static void
link_idle_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return;
	if (fsync(fd) == -1)
		log_warn("fsync %s", dir);
	close(fd);
}

/* Write all of buf to fd and flush it to the disk; -1 on any failure. */
static int
link_idle_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return fsync(fd);
}

/* Keep what was learned: written to a new temporary file, flushed, renamed
 * into place, then the directory flushed. */
static void
link_idle_save(const struct link *l)
{
	char path[1024], tmp[1100], buf[IDLE_FILE_MAX];
	int fd, len, bad;

	link_idle_path(l, path, sizeof(path));
	if ((fd = link_idle_tmp(path, tmp, sizeof(tmp))) == -1) {
		log_warn("link %s: cannot keep the learned idle period in %s", l->name, tmp);
		return;
	}
	len = snprintf(buf, sizeof(buf), "%s:%d %.3f %s\n", l->conf->host, l->conf->port,
	    l->idle.cur, link_idle_mode_name(l));
	bad = len < 0 || (size_t)len >= sizeof(buf) || link_idle_write(fd, buf, (size_t)len) == -1;
	if (close(fd) == -1 || bad || rename(tmp, path) == -1) {
		log_warn("link %s: cannot write %s", l->name, path);
		unlink(tmp);
		return;
	}
	link_idle_sync_dir(l->env.state_dir);
}

/* Open path for reading if it is a regular file of sane size (never
 * through a link, never blocking on a FIFO); -1 with a warning if not,
 * -1 quietly if there is no file. */
static int
link_idle_open(const struct link *l, const char *path)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (errno == ELOOP)
			log_warnx("link %s: %s is a symbolic link; ignored", l->name, path);
		else if (errno != ENOENT)
			log_warn("link %s: cannot read %s", l->name, path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size >= IDLE_FILE_MAX) {
		log_warnx("link %s: %s is not a regular file of at most %d bytes; ignored",
		    l->name, path, IDLE_FILE_MAX - 1);
		close(fd);
		return -1;
	}
	return fd;
}

/* Read the small file at path into buf (NUL-terminated); -1 if none. */
static int
link_idle_read(const struct link *l, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = link_idle_open(l, path)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		log_warn("link %s: cannot read %s", l->name, path);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* What an earlier run learned for the same server, if anything: a period
 * that is not a finite number within idle_min..idle_max is discarded. */
static void
link_idle_load(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;
	char path[1024], buf[IDLE_FILE_MAX], server[300], want[300], mode[16];
	double v;

	link_idle_path(l, path, sizeof(path));
	if (link_idle_read(l, path, buf, sizeof(buf)) == -1)
		return;
	snprintf(want, sizeof(want), "%s:%d", l->conf->host, l->conf->port);
	if (sscanf(buf, "%299s %lf %15s", server, &v, mode) != 3 ||
	    (strcmp(mode, "settled") != 0 && strcmp(mode, "learning") != 0)) {
		log_warnx("link %s: %s is not \"HOST:PORT SECONDS MODE\"; discarded", l->name, path);
		return;
	}
	if (strcmp(server, want) != 0)
		return;
	/* the file keeps 3 decimals: allow for their rounding */
	if (!isfinite(v) || v < k->idle_min - 0.001 || v > k->idle_max + 0.001) {
		log_warnx("link %s: %s: idle period %g s is not within idle_min..idle_max "
		    "(%.1f..%.1f s); discarded", l->name, path, v, k->idle_min, k->idle_max);
		return;
	}
	l->idle.cur = v;		/* link_idle_init() clamps it */
	l->idle.mode = strcmp(mode, "settled") == 0 ? IDLE_SETTLED : IDLE_LEARNING;
	log_info("link %s: idle period %.1f s (%s) learned earlier", l->name, v, mode);
}

/* Keep the period within idle_min..idle_max. */
static void
link_idle_clamp(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (l->idle.cur < k->idle_min)
		l->idle.cur = k->idle_min;
	if (l->idle.cur > k->idle_max)
		l->idle.cur = k->idle_max;
}

/* Fixed, or learning from idle_min or what an earlier run kept. */
void
link_idle_init(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (!k->idle_auto) {
		l->idle.mode = IDLE_FIXED;
		l->idle.cur = k->idle;
		return;
	}
	if (l->idle.mode == IDLE_FIXED) {
		l->idle.mode = IDLE_LEARNING;
		l->idle.cur = k->idle_min;
		link_idle_load(l);
	}
	link_idle_clamp(l);
}

/* A probe sent after a full idle period was answered: try a longer one. */
void
link_idle_grow(struct link *l, double probe_idle)
{
	double before = l->idle.cur;

	if (l->idle.mode != IDLE_LEARNING || probe_idle < l->idle.cur * 0.99)
		return;
	l->idle.cur *= IDLE_GROW;
	link_idle_clamp(l);
	if (l->idle.cur == before)
		return;
	log_info("link %s: idle %.1f s survived; trying %.1f s", l->name, before, l->idle.cur);
	link_idle_save(l);
}

/* The connection died silently after probe_idle seconds: settle below. */
void
link_idle_settle(struct link *l, double probe_idle)
{
	if (l->idle.mode == IDLE_FIXED || probe_idle <= 0)
		return;
	l->idle.cur = probe_idle * IDLE_MARGIN;
	link_idle_clamp(l);
	l->idle.mode = IDLE_SETTLED;
	log_notice("link %s: the network forgot the connection after %.1f s idle; "
	    "settling at %.1f s", l->name, probe_idle, l->idle.cur);
	link_idle_save(l);
}
