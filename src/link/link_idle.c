/* Adaptive idle (keepalive.idle = "auto").
 * Learn how long this network keeps an idle connection (T) and probe with
 * a real margin under it. The learner is a pure core (idle_learn_*: no
 * clock, no I/O; tests/unit/test_idle.c) fed with the idle each probe
 * measured, from the last byte that crossed the network either way:
 *  - learning: start at idle_min; a probe answered after a full period
 *    S is the longest idle survived, and the next period is S x 1.18
 *    (each period tried once). The first silent death after D seconds
 *    brackets T within S < T <= D <= 1.2 S (1.18 plus the probe's own
 *    latency), and the period settles at 0.9 S: within 0.75..0.90 T.
 *  - settled: a silent death at the settled period means T fell below
 *    it: D (an upper bound on T) is kept, the bracket's lower end is
 *    dropped and learning climbs again from idle_min, never trying D.
 *  - probing up: every keepalive.idle_probe_up seconds, while trials have
 *    cost fewer than keepalive.idle_trial_deaths_per_day deaths in the
 *    last day, one period of S x 1.18 is tried: answered, T rose and
 *    learning goes on from there; a death settles back at once.
 * Always within idle_min..idle_max. What is learned is kept in the state
 * directory, one file per link: "HOST:PORT SECONDS MODE [SURVIVED DIED]",
 * written to a fresh temporary file (never through a link), flushed and
 * renamed into place; read only from a regular file; a period that is not
 * within idle_min..idle_max is discarded with a warning, and so is a
 * bracket that is not finite and within 0..2 idle_max (the file is then
 * taken without it). Files of the older three-word form are read too. */
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
#include "util.h"

#define IDLE_STEP 1.18	/* a period tried next, over the longest survived */
#define IDLE_BRACKET 1.2	/* died <= survived x this: T is known well enough */
#define IDLE_MARGIN 0.9	/* settled = survived x this */
#define IDLE_FULL 0.99		/* a probe after this share of the period counts */
#define IDLE_DAY 86400.0
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
	case IDLE_PROBING_UP: return "probing-up";
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
	/* a trial in progress is not kept: a restart comes back settled */
	len = snprintf(buf, sizeof(buf), "%s:%d %.3f %s %.3f %.3f\n", l->conf->host,
	    l->conf->port, l->idle.mode == IDLE_PROBING_UP ? l->idle.survived * IDLE_MARGIN :
	    l->idle.cur, l->idle.mode == IDLE_LEARNING ? "learning" : "settled",
	    l->idle.survived, l->idle.died);
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

/* The bracket kept beside the period: finite, within 0..2 idle_max, and
 * survived below died; otherwise dropped (the period still counts). */
static void
link_idle_load_bracket(struct link *l, const char *path, double survived, double died)
{
	double top = 2 * l->conf->keepalive.idle_max;

	if (!isfinite(survived) || !isfinite(died) || survived < 0 || died < 0 ||
	    survived > top || died > top || (died > 0 && survived >= died)) {
		log_warnx("link %s: %s: bracket %g..%g s is not within 0..%.1f s; discarded",
		    l->name, path, survived, died, top);
		return;
	}
	l->idle.survived = survived;
	l->idle.died = died;
}

/* What an earlier run learned for the same server, if anything: a period
 * that is not a finite number within idle_min..idle_max is discarded. */
static void
link_idle_load(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;
	char path[1024], buf[IDLE_FILE_MAX], server[300], want[300], mode[16];
	double v, survived = 0, died = 0;
	int n;

	link_idle_path(l, path, sizeof(path));
	if (link_idle_read(l, path, buf, sizeof(buf)) == -1)
		return;
	snprintf(want, sizeof(want), "%s:%d", l->conf->host, l->conf->port);
	n = sscanf(buf, "%299s %lf %15s %lf %lf", server, &v, mode, &survived, &died);
	if ((n != 3 && n != 5) ||
	    (strcmp(mode, "settled") != 0 && strcmp(mode, "learning") != 0)) {
		log_warnx("link %s: %s is not \"HOST:PORT SECONDS MODE [SURVIVED DIED]\"; "
		    "discarded", l->name, path);
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
	if (n == 5)
		link_idle_load_bracket(l, path, survived, died);
	if (l->idle.mode == IDLE_SETTLED && k->idle_probe_up > 0)
		l->idle.next_trial = (double)util_now_ms() / 1000.0 + k->idle_probe_up;
	log_info("link %s: idle period %.1f s (%s, survived %.1f s, died %.1f s) learned earlier",
	    l->name, v, mode, l->idle.survived, l->idle.died);
}

/* ---- the learner: a pure core ---- */

/* v within idle_min..idle_max. */
static double
idle_clamp(const struct conf_keepalive *k, double v)
{
	if (v < k->idle_min)
		return k->idle_min;
	if (v > k->idle_max)
		return k->idle_max;
	return v;
}

/* Learning from idle_min, nothing known. */
void
idle_learn_reset(struct link_idle *s, const struct conf_keepalive *k)
{
	memset(s, 0, sizeof(*s));
	s->mode = IDLE_LEARNING;
	s->cur = k->idle_min;
}

/* Settle at v; the next trial of a longer period after idle_probe_up. */
static void
idle_learn_settle(struct link_idle *s, const struct conf_keepalive *k, double v, double now)
{
	s->cur = idle_clamp(k, v);
	s->mode = IDLE_SETTLED;
	s->next_trial = k->idle_probe_up > 0 ? now + k->idle_probe_up : 0;
}

/* Learning: the next period after the longest survived, or settled once
 * the bracket is tight (or idle_max survived). */
static void
idle_learn_step(struct link_idle *s, const struct conf_keepalive *k, double now)
{
	double next = s->survived * IDLE_STEP;

	if (s->died > 0 && s->died <= s->survived * IDLE_BRACKET) {
		idle_learn_settle(s, k, s->survived * IDLE_MARGIN, now);
		return;
	}
	if (s->survived >= k->idle_max * IDLE_FULL) {
		idle_learn_settle(s, k, k->idle_max, now);	/* T beyond idle_max */
		return;
	}
	s->cur = idle_clamp(k, next);
}

/* A probe sent after idle seconds of quiet was answered: 1 if the period
 * changed. */
int
idle_learn_survived(struct link_idle *s, const struct conf_keepalive *k, double idle,
    double now)
{
	double before = s->cur;

	if (s->mode == IDLE_FIXED || idle < s->cur * IDLE_FULL)
		return 0;
	if (s->died > 0 && idle >= s->died)
		s->died = 0;		/* T rose past an old death */
	if (idle > s->survived)
		s->survived = idle;
	switch (s->mode) {
	case IDLE_FIXED:
	case IDLE_SETTLED:
		return 0;
	case IDLE_PROBING_UP:
		s->mode = IDLE_LEARNING;	/* the trial survived: T rose */
		s->died = 0;
		break;
	case IDLE_LEARNING:
		break;
	}
	idle_learn_step(s, k, now);
	return s->cur != before || s->mode != IDLE_LEARNING;
}

/* Trial deaths within the last day (older ones are forgotten). */
static unsigned
idle_learn_recent_deaths(struct link_idle *s, double now)
{
	unsigned i, n = 0;

	for (i = 0; i < s->n_trial_deaths; i++)
		if (now - s->trial_deaths[i] < IDLE_DAY)
			s->trial_deaths[n++] = s->trial_deaths[i];
	s->n_trial_deaths = n;
	return n;
}

/* The connection died silently after idle seconds of quiet: 1 if the
 * period changed. idle is an upper bound on T. */
int
idle_learn_died(struct link_idle *s, const struct conf_keepalive *k, double idle, double now)
{
	double before = s->cur;

	if (s->mode == IDLE_FIXED || idle <= 0)
		return 0;
	if (s->died == 0 || idle < s->died)
		s->died = idle;
	if (s->survived >= s->died)
		s->survived = 0;	/* T fell below what survived before */
	if (s->mode == IDLE_PROBING_UP) {
		idle_learn_recent_deaths(s, now);
		if (s->n_trial_deaths == IDLE_TRIALS_MAX)
			s->n_trial_deaths--;
		s->trial_deaths[s->n_trial_deaths++] = now;
	}
	if (s->survived > 0)
		idle_learn_settle(s, k, s->survived * IDLE_MARGIN, now);
	else if (s->cur <= k->idle_min)
		idle_learn_settle(s, k, k->idle_min, now);	/* T below idle_min */
	else {
		s->mode = IDLE_LEARNING;	/* climb again from idle_min */
		s->cur = k->idle_min;
	}
	return s->cur != before || s->mode != IDLE_LEARNING;
}

/* The idle period is about to start: when settled, the time has come and
 * the day's death budget allows, try a longer period once. 1 if so. */
int
idle_learn_tick(struct link_idle *s, const struct conf_keepalive *k, double now)
{
	if (s->mode != IDLE_SETTLED || s->next_trial <= 0 || now < s->next_trial ||
	    s->survived <= 0 || s->died <= 0)
		return 0;
	s->next_trial = now + k->idle_probe_up;
	if (k->idle_probe_up <= 0 ||
	    idle_learn_recent_deaths(s, now) >= (unsigned)k->idle_trial_deaths_per_day)
		return 0;
	s->mode = IDLE_PROBING_UP;
	s->cur = idle_clamp(k, s->survived * IDLE_STEP);
	s->trials++;
	return 1;
}

/* ---- the link's side: configuration, log, state file ---- */

/* The monotonic clock in seconds, the learner's "now". */
static double
link_idle_now(void)
{
	return (double)util_now_ms() / 1000.0;
}

/* Fixed, or learning from idle_min or what an earlier run kept. */
void
link_idle_init(struct link *l)
{
	const struct conf_keepalive *k = &l->conf->keepalive;

	if (!k->idle_auto) {
		memset(&l->idle, 0, sizeof(l->idle));
		l->idle.mode = IDLE_FIXED;
		l->idle.cur = k->idle;
		return;
	}
	if (l->idle.mode == IDLE_FIXED) {
		idle_learn_reset(&l->idle, k);
		link_idle_load(l);
	}
	l->idle.cur = idle_clamp(k, l->idle.cur);
}

/* A probe sent after a full idle period was answered. */
void
link_idle_grow(struct link *l, double probe_idle)
{
	double before = l->idle.cur;

	if (!idle_learn_survived(&l->idle, &l->conf->keepalive, probe_idle, link_idle_now()))
		return;
	if (l->idle.mode == IDLE_SETTLED)
		log_notice("link %s: idle %.1f s survived, %.1f s died: settled at %.1f s",
		    l->name, l->idle.survived, l->idle.died, l->idle.cur);
	else
		log_info("link %s: idle %.1f s survived; trying %.1f s (was %.1f s)", l->name,
		    probe_idle, l->idle.cur, before);
	link_idle_save(l);
}

/* The connection died silently after probe_idle seconds of quiet. */
void
link_idle_settle(struct link *l, double probe_idle)
{
	if (!idle_learn_died(&l->idle, &l->conf->keepalive, probe_idle, link_idle_now()))
		return;
	log_notice("link %s: the network forgot the connection after %.1f s idle; %s at %.1f s "
	    "(longest idle survived %.1f s)", l->name, probe_idle,
	    l->idle.mode == IDLE_SETTLED ? "settled" : "learning again from idle_min",
	    l->idle.cur, l->idle.survived);
	link_idle_save(l);
}

/* The idle period starts: maybe try a longer one (probing up). */
void
link_idle_tick(struct link *l)
{
	if (!idle_learn_tick(&l->idle, &l->conf->keepalive, link_idle_now()))
		return;
	log_info("link %s: settled for %.0f s: trying %.1f s idle once (trial %llu)", l->name,
	    l->conf->keepalive.idle_probe_up, l->idle.cur, (unsigned long long)l->idle.trials);
}
