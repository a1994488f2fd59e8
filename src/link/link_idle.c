/* Adaptive idle (keepalive.idle = "auto").
 * Learn how long this network keeps an idle connection: start at idle_min
 * (or what an earlier run learned), lengthen x1.25 each time a probe sent
 * after a full idle period is answered, and when a connection dies silently
 * (probe-timeout) after an idle period T, settle at 0.8 T; always within
 * idle_min..idle_max. A settled period no longer grows; a new silent death
 * lowers it again. What is learned is kept in the state directory, one file
 * per link: "HOST:PORT SECONDS MODE". */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "link/link.h"
#include "link/link_idle.h"
#include "log.h"

#define IDLE_GROW 1.25
#define IDLE_MARGIN 0.8

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

/* Keep what was learned (written aside, then renamed into place). */
static void
link_idle_save(const struct link *l)
{
	char path[1024], tmp[1100];
	FILE *f;

	link_idle_path(l, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("link %s: cannot keep the learned idle period in %s", l->name, tmp);
		return;
	}
	fprintf(f, "%s:%d %.3f %s\n", l->conf->host, l->conf->port, l->idle.cur,
	    link_idle_mode_name(l));
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		log_warn("link %s: cannot write %s", l->name, path);
		unlink(tmp);
	}
}

/* What an earlier run learned for the same server, if anything. */
static void
link_idle_load(struct link *l)
{
	char path[1024], server[300], want[300], mode[16];
	double v;
	FILE *f;

	link_idle_path(l, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return;
	snprintf(want, sizeof(want), "%s:%d", l->conf->host, l->conf->port);
	if (fscanf(f, "%299s %lf %15s", server, &v, mode) == 3 && strcmp(server, want) == 0) {
		l->idle.cur = v;
		l->idle.mode = strcmp(mode, "settled") == 0 ? IDLE_SETTLED : IDLE_LEARNING;
		log_info("link %s: idle period %.1f s (%s) learned earlier", l->name, v, mode);
	}
	fclose(f);
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
