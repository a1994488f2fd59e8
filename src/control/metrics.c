/*
 * Metrics in the Prometheus text exposition format 0.0.4: one "# HELP" and
 * one "# TYPE" line per family, then its samples, families never
 * interleaved. Names start with cellsock_, counters end in _total, label
 * values are escaped. Everything is read from the daemon's own structs at
 * render time; nothing is counted here.
 *
 * The textfile writer renders into PATH.tmp.PID and renames it over PATH
 * (node_exporter reads only *.prom, so it never sees a half-written file),
 * from a timer on the daemon's event base.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "at/atq.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "log.h"
#include "control/metrics.h"
#include "modem/modem.h"
#include "relay/relay.h"
#include "util.h"
#include "xmalloc.h"

struct metrics {
	struct daemon *d;
	struct event *ev_write;
	char *path;		/* the file being written, NULL when off */
	char *tmp;		/* path.tmp.PID */
	double interval;
	char last_error[512];	/* logged once until it changes or clears */
};

/* One label of a sample. */
struct metrics_label {
	const char *name;
	const char *value;
};

void
metrics_escape(struct evbuffer *out, const char *value)
{
	const char *p;

	for (p = value; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			evbuffer_add(out, "\\\\", 2);
			break;
		case '"':
			evbuffer_add(out, "\\\"", 2);
			break;
		case '\n':
			evbuffer_add(out, "\\n", 2);
			break;
		default:
			evbuffer_add(out, p, 1);
			break;
		}
	}
}

/* The HELP and TYPE lines that open a family. */
static void
metrics_family(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* A sample's name and {labels}, up to the value. */
static void
metrics_series(struct evbuffer *out, const char *name,
    const struct metrics_label *labels, int n)
{
	int i;

	evbuffer_add_printf(out, "%s", name);
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(out, "%s%s=\"", i == 0 ? "{" : ",",
		    labels[i].name);
		metrics_escape(out, labels[i].value);
		evbuffer_add(out, "\"", 1);
	}
	if (n > 0)
		evbuffer_add(out, "}", 1);
}

static void
metrics_u64(struct evbuffer *out, const char *name,
    const struct metrics_label *labels, int n, uint64_t v)
{
	metrics_series(out, name, labels, n);
	evbuffer_add_printf(out, " %" PRIu64 "\n", v);
}

static void
metrics_i64(struct evbuffer *out, const char *name,
    const struct metrics_label *labels, int n, int64_t v)
{
	metrics_series(out, name, labels, n);
	evbuffer_add_printf(out, " %" PRId64 "\n", v);
}

static void
metrics_f64(struct evbuffer *out, const char *name,
    const struct metrics_label *labels, int n, double v)
{
	metrics_series(out, name, labels, n);
	evbuffer_add_printf(out, " %.6g\n", v);
}

/* A family with one unlabelled sample. */
static void
metrics_one(struct evbuffer *out, const char *name, const char *type,
    const char *help, int64_t v)
{
	metrics_family(out, name, type, help);
	metrics_i64(out, name, NULL, 0, v);
}

/* The process: up, version, start time, reloads. */
static void
metrics_render_daemon(struct daemon *d, struct evbuffer *out)
{
	struct metrics_label l = { "version", PACKAGE_VERSION };

	metrics_one(out, "cellsock_up", "gauge",
	    "Whether cellsockd is running (always 1 when it answers).", 1);
	metrics_family(out, "cellsock_info", "gauge",
	    "cellsockd version, as a label; the value is always 1.");
	metrics_i64(out, "cellsock_info", &l, 1, 1);
	metrics_one(out, "cellsock_start_time_seconds", "gauge",
	    "When cellsockd started, in seconds since the Unix epoch.",
	    (int64_t)d->started);
	metrics_one(out, "cellsock_config_reloads_total", "counter",
	    "Configuration reloads that were accepted.", (int64_t)d->reloads);
}

/* The modem's state (one-hot), identity, registration and signal. */
static void
metrics_render_modem_state(const struct modem *m, struct evbuffer *out)
{
	struct metrics_label l[3];
	int i;

	metrics_family(out, "cellsock_modem_state", "gauge",
	    "The modem supervisor's state: 1 for the current state, 0 for "
	    "the others.");
	for (i = 0; i < MODEM_STATE_COUNT; i++) {
		l[0] = (struct metrics_label){ "state", modem_state_names[i] };
		metrics_i64(out, "cellsock_modem_state", l, 1,
		    m->state == (enum modem_state)i);
	}
	metrics_family(out, "cellsock_modem_info", "gauge",
	    "The module's identity as labels (empty until it was read); the "
	    "value is always 1.");
	l[0] = (struct metrics_label){ "manufacturer", m->ident.manufacturer };
	l[1] = (struct metrics_label){ "model", m->ident.model };
	l[2] = (struct metrics_label){ "firmware", m->ident.firmware };
	metrics_i64(out, "cellsock_modem_info", l, 3, 1);
	metrics_one(out, "cellsock_modem_registered", "gauge",
	    "Whether the module is registered on the network (home or "
	    "roaming).", m->reg_stat == 1 || m->reg_stat == 5);
	metrics_family(out, "cellsock_modem_signal_dbm", "gauge",
	    "Received signal strength in dBm; no sample while it is unknown.");
	if (m->dbm != 0)
		metrics_i64(out, "cellsock_modem_signal_dbm", NULL, 0, m->dbm);
}

/* Escalation and the port: failure streak, steps, opens, losses. */
static void
metrics_render_modem_recovery(const struct modem *m, struct evbuffer *out)
{
	struct metrics_label l;
	int i;

	metrics_one(out, "cellsock_modem_failures", "gauge",
	    "Consecutive failed or jammed connects counted towards the next "
	    "escalation step.", m->esc.failures);
	metrics_family(out, "cellsock_escalations_total", "counter",
	    "Escalation steps run, by step.");
	for (i = 0; i < STEP_COUNT; i++) {
		l = (struct metrics_label){ "step", escalation_step_names[i] };
		metrics_u64(out, "cellsock_escalations_total", &l, 1,
		    m->esc.steps_total[i]);
	}
	metrics_one(out, "cellsock_modem_port_opens_total", "counter",
	    "Attempts to open the modem's serial port.", (int64_t)m->opens);
	metrics_one(out, "cellsock_modem_losses_total", "counter",
	    "Times the port vanished or the module stopped answering.",
	    (int64_t)m->losses);
	metrics_one(out, "cellsock_modem_not_answering_total", "counter",
	    "Times the module was given up because AT commands kept timing "
	    "out.", (int64_t)m->timeouts_reported);
}

/* Per AT channel (port): commands waiting now, and the longest an urgent
 * command (a probe, an ack poll, a read) waited for the channel. */
static void
metrics_render_channels(const struct modem *m, const struct at_stats *s,
    struct evbuffer *out)
{
	struct metrics_label l;
	unsigned i;

	metrics_family(out, "cellsock_at_queue_depth", "gauge",
	    "AT commands waiting for the channel, per port.");
	for (i = 0; m->at != NULL && i < s->n_chans; i++) {
		l = (struct metrics_label){ "port", at_port_name(m->at, i) };
		metrics_u64(out, "cellsock_at_queue_depth", &l, 1, s->chan[i].queued);
	}
	metrics_family(out, "cellsock_at_urgent_wait_max_seconds", "gauge",
	    "The longest an urgent AT command waited for its channel, per port.");
	for (i = 0; m->at != NULL && i < s->n_chans; i++) {
		l = (struct metrics_label){ "port", at_port_name(m->at, i) };
		metrics_f64(out, "cellsock_at_urgent_wait_max_seconds", &l, 1,
		    (double)s->chan[i].urgent_wait_max_ms / 1000.0);
	}
}

/* The AT engine's counters, over every engine since start: those of the
 * engines already freed (the port reopened) plus the live one's. */
static void
metrics_render_at(const struct modem *m, struct evbuffer *out)
{
	struct at_stats s;

	memset(&s, 0, sizeof(s));
	if (m->at != NULL)
		at_get_stats(m->at, &s);
	metrics_one(out, "cellsock_at_commands_total", "counter",
	    "AT commands completed.", (int64_t)(s.commands + m->at_retired.commands));
	metrics_one(out, "cellsock_at_timeouts_total", "counter",
	    "AT commands that timed out.", (int64_t)(s.timeouts + m->at_retired.timeouts));
	metrics_one(out, "cellsock_at_resyncs_total", "counter",
	    "AT engine resynchronisations.", (int64_t)(s.resyncs + m->at_retired.resyncs));
	metrics_one(out, "cellsock_at_urcs_total", "counter",
	    "Unsolicited result codes received.", (int64_t)(s.urcs + m->at_retired.urcs));
	metrics_render_channels(m, &s, out);
}

/* A per-link family: one sample per link of a gauge or counter field. */
#define METRICS_PER_LINK(d, out, fam, expr) do {			\
	struct metrics_label l_;					\
	int i_;								\
	for (i_ = 0; i_ < (d)->n_links; i_++) {				\
		const struct link *lk = (d)->link[i_];			\
		l_ = (struct metrics_label){ "link", lk->name };	\
		metrics_u64((out), (fam), &l_, 1, (uint64_t)(expr));	\
	}								\
} while (0)

/* Link states (one-hot) and the supervisor's totals. */
static void
metrics_render_link_states(struct daemon *d, struct evbuffer *out)
{
	struct metrics_label l[2];
	int i, s;

	metrics_family(out, "cellsock_link_state", "gauge",
	    "The link's state: 1 for the current state, 0 for the others.");
	for (i = 0; i < daemon_n_links(d); i++) {
		l[0] = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		for (s = 0; s < LINK_STATE_COUNT; s++) {
			l[1] = (struct metrics_label){ "state",
			    link_state_names[s] };
			metrics_i64(out, "cellsock_link_state", l, 2,
			    daemon_link_at(d, i)->state == (enum link_state)s);
		}
	}
	metrics_family(out, "cellsock_link_up", "gauge",
	    "Whether the link is up (its connection carries data).");
	METRICS_PER_LINK(d, out, "cellsock_link_up", lk->state == LINK_UP);
	metrics_family(out, "cellsock_link_state_change_time_seconds", "gauge",
	    "When the link last changed state, in seconds since the Unix "
	    "epoch.");
	METRICS_PER_LINK(d, out, "cellsock_link_state_change_time_seconds",
	    lk->since);
	metrics_family(out, "cellsock_link_connects_total", "counter",
	    "Connections established.");
	METRICS_PER_LINK(d, out, "cellsock_link_connects_total", lk->connects);
	metrics_family(out, "cellsock_link_dial_failures_total", "counter",
	    "Connection attempts that failed.");
	METRICS_PER_LINK(d, out, "cellsock_link_dial_failures_total",
	    lk->failures);
}

/* Established connections that died, by cause. */
static void
metrics_render_link_deaths(struct daemon *d, struct evbuffer *out)
{
	struct metrics_label l[2];
	int i, c;

	metrics_family(out, "cellsock_link_deaths_total", "counter",
	    "Established connections that died, by cause.");
	for (i = 0; i < daemon_n_links(d); i++) {
		l[0] = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		for (c = 0; c < CAUSE_COUNT; c++) {
			l[1] = (struct metrics_label){ "cause",
			    dead_cause_names[c] };
			metrics_u64(out, "cellsock_link_deaths_total", l, 2,
			    daemon_link_at(d, i)->dead_by_cause[c]);
		}
	}
}

/* Keepalive probes: counts, bytes, round-trip time, daily cost. */
static void
metrics_render_link_probes(struct daemon *d, struct evbuffer *out)
{
	struct metrics_label l;
	int i;

	metrics_family(out, "cellsock_link_probes_sent_total", "counter",
	    "Keepalive probes sent (the connect check included).");
	METRICS_PER_LINK(d, out, "cellsock_link_probes_sent_total", lk->ka.probes_sent);
	metrics_family(out, "cellsock_link_probes_answered_total", "counter",
	    "Keepalive probes answered by the configured reply.");
	METRICS_PER_LINK(d, out, "cellsock_link_probes_answered_total", lk->ka.probes_answered);
	metrics_family(out, "cellsock_link_probe_bytes_total", "counter",
	    "Probe and reply payload bytes.");
	METRICS_PER_LINK(d, out, "cellsock_link_probe_bytes_total", lk->ka.probe_bytes);
	metrics_family(out, "cellsock_link_probe_rtt_seconds", "gauge",
	    "Round-trip time of the last answered probe.");
	for (i = 0; i < daemon_n_links(d); i++) {
		l = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		metrics_f64(out, "cellsock_link_probe_rtt_seconds", &l, 1,
		    (double)daemon_link_at(d, i)->ka.rtt_last_ms / 1000.0);
	}
	metrics_family(out, "cellsock_link_probe_wait_max_seconds", "gauge",
	    "Longest a keepalive probe waited for the AT channel (from wanted to sent).");
	for (i = 0; i < daemon_n_links(d); i++) {
		l = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		metrics_f64(out, "cellsock_link_probe_wait_max_seconds", &l, 1,
		    (double)daemon_link_at(d, i)->ka.probe_wait_max_ms / 1000.0);
	}
	metrics_family(out, "cellsock_link_probe_bytes_per_day", "gauge",
	    "Bytes on air per day for probes since the link started: every "
	    "probe sent and every reply, 52 bytes of TCP/IPv4 headers each way "
	    "plus the ACKs.");
	for (i = 0; i < daemon_n_links(d); i++) {
		l = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		metrics_f64(out, "cellsock_link_probe_bytes_per_day", &l, 1,
		    link_probe_bytes_per_day(daemon_link_at(d, i)));
	}
}

#define METRICS_PER_LINK_F64(d, out, fam, expr) do {			\
	struct metrics_label l_;					\
	int i_;								\
	for (i_ = 0; i_ < (d)->n_links; i_++) {				\
		const struct link *lk = (d)->link[i_];			\
		l_ = (struct metrics_label){ "link", lk->name };	\
		metrics_f64((out), (fam), &l_, 1, (double)(expr));	\
	}								\
} while (0)

#define NITEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const metrics_idle_modes[] = {
	"fixed", "learning", "settled", "probing-up",
};

/* idle = "auto": the period, the learned bracket, the learning state. */
static void
metrics_render_link_idle(struct daemon *d, struct evbuffer *out)
{
	struct metrics_label l[2];
	int i, m;

	metrics_family(out, "cellsock_link_idle_seconds", "gauge",
	    "The idle period in force (learned with idle = \"auto\").");
	METRICS_PER_LINK_F64(d, out, "cellsock_link_idle_seconds", link_idle_period(lk));
	metrics_family(out, "cellsock_link_idle_survived_seconds", "gauge",
	    "Longest idle a probe survived (0: none yet).");
	METRICS_PER_LINK_F64(d, out, "cellsock_link_idle_survived_seconds", lk->idle.survived);
	metrics_family(out, "cellsock_link_idle_died_seconds", "gauge",
	    "Shortest idle after which the network forgot the connection (0: none).");
	METRICS_PER_LINK_F64(d, out, "cellsock_link_idle_died_seconds", lk->idle.died);
	metrics_family(out, "cellsock_link_idle_trials_total", "counter",
	    "Trials of a longer idle period once settled (probing up).");
	METRICS_PER_LINK(d, out, "cellsock_link_idle_trials_total", lk->idle.trials);
	metrics_family(out, "cellsock_link_idle_state", "gauge",
	    "How the idle period is set: fixed, learning, settled, probing-up.");
	for (i = 0; i < daemon_n_links(d); i++) {
		l[0] = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		for (m = 0; m < NITEMS(metrics_idle_modes); m++) {
			l[1] = (struct metrics_label){ "state", metrics_idle_modes[m] };
			metrics_u64(out, "cellsock_link_idle_state", l, 2,
			    strcmp(link_idle_mode_name(daemon_link_at(d, i)),
			    metrics_idle_modes[m]) == 0);
		}
	}
	metrics_family(out, "cellsock_link_probe_bytes_per_day_at_idle", "gauge",
	    "Bytes on air per day for probes, projected at the current idle period.");
	METRICS_PER_LINK_F64(d, out, "cellsock_link_probe_bytes_per_day_at_idle",
	    link_probe_bytes_per_day_at_idle(lk));
}

/* A family of one counter per link, split by one more label whose values
 * are names[i] and whose counts come from vals(counters)[i]. */
static void
metrics_link_split(struct daemon *d, struct evbuffer *out, const char *name,
    const char *label, const char *const *names, int n,
    void (*vals)(const struct relay *, uint64_t *))
{
	struct metrics_label l[2];
	uint64_t v[8];
	int i, j;

	for (i = 0; i < daemon_n_links(d); i++) {
		vals(daemon_link_at(d, i)->relay, v);
		l[0] = (struct metrics_label){ "link", daemon_link_at(d, i)->name };
		for (j = 0; j < n; j++) {
			l[1] = (struct metrics_label){ label, names[j] };
			metrics_u64(out, name, l, 2, v[j]);
		}
	}
}

static const char *const metrics_byte_dirs[] = {
	"accepted", "sent", "acked", "received", "delivered",
};

static void
metrics_byte_vals(const struct relay *r, uint64_t *v)
{
	const struct relay_counters *c = relay_counters(r);

	v[0] = c->accepted;
	v[1] = c->sent;
	v[2] = c->acked;
	v[3] = c->received;
	v[4] = c->delivered;
}

static const char *const metrics_lost_kinds[] = {
	"unsent", "unacked", "unread", "undelivered",
};

static void
metrics_lost_vals(const struct relay *r, uint64_t *v)
{
	const struct relay_counters *c = relay_counters(r);

	v[0] = c->lost_unsent;
	v[1] = c->lost_unacked;
	v[2] = c->lost_unread;
	v[3] = c->undelivered;
}

static const char *const metrics_queue_dirs[] = { "tx", "rx" };

static void
metrics_queue_vals(const struct relay *r, uint64_t *v)
{
	v[0] = relay_tx_queued(r);
	v[1] = relay_rx_queued(r);
}

/* The data path's byte account and local clients. */
static void
metrics_render_link_bytes(struct daemon *d, struct evbuffer *out)
{
	metrics_family(out, "cellsock_link_bytes_total", "counter",
	    "Bytes through the link: accepted from the local client, sent to "
	    "the module, acked by the server, received from the module, "
	    "delivered to the local client.");
	metrics_link_split(d, out, "cellsock_link_bytes_total", "direction",
	    metrics_byte_dirs, NITEMS(metrics_byte_dirs), metrics_byte_vals);
	metrics_family(out, "cellsock_link_lost_bytes_total", "counter",
	    "Bytes lost when a connection ended: never sent, sent but never "
	    "acked, held unread by the module, received but never delivered.");
	metrics_link_split(d, out, "cellsock_link_lost_bytes_total", "kind",
	    metrics_lost_kinds, NITEMS(metrics_lost_kinds), metrics_lost_vals);
	metrics_family(out, "cellsock_link_resent_bytes_total", "counter",
	    "Unacked bytes sent again on a new connection (resend_unacked).");
	METRICS_PER_LINK(d, out, "cellsock_link_resent_bytes_total",
	    relay_counters(link_relay(lk))->resent);
	metrics_family(out, "cellsock_link_unacked_bytes", "gauge",
	    "Bytes sent on this connection that the server has not acked "
	    "yet, as of the module's last report.");
	METRICS_PER_LINK(d, out, "cellsock_link_unacked_bytes",
	    relay_unacked(link_relay(lk)));
	metrics_family(out, "cellsock_link_queued_bytes", "gauge",
	    "Bytes waiting in cellsockd: tx towards the server, rx towards "
	    "the local client.");
	metrics_link_split(d, out, "cellsock_link_queued_bytes", "direction",
	    metrics_queue_dirs, NITEMS(metrics_queue_dirs), metrics_queue_vals);
	metrics_family(out, "cellsock_link_client_connected", "gauge",
	    "Whether a local application is connected to the link's endpoint.");
	METRICS_PER_LINK(d, out, "cellsock_link_client_connected",
	    relay_has_client(link_relay(lk)));
	metrics_family(out, "cellsock_link_clients_total", "counter",
	    "Local connections accepted on the link's endpoint.");
	METRICS_PER_LINK(d, out, "cellsock_link_clients_total",
	    relay_counters(link_relay(lk))->clients);
	metrics_family(out, "cellsock_link_clients_refused_total", "counter",
	    "Local connections refused (one client at a time).");
	METRICS_PER_LINK(d, out, "cellsock_link_clients_refused_total",
	    relay_counters(link_relay(lk))->refused);
}

void
metrics_render(struct daemon *d, struct evbuffer *out)
{
	metrics_render_daemon(d, out);
	if (daemon_modem(d) != NULL) {
		metrics_render_modem_state(daemon_modem(d), out);
		metrics_render_modem_recovery(daemon_modem(d), out);
		metrics_render_at(daemon_modem(d), out);
	}
	metrics_render_link_states(d, out);
	metrics_render_link_deaths(d, out);
	metrics_render_link_probes(d, out);
	metrics_render_link_idle(d, out);
	metrics_render_link_bytes(d, out);
}

/* ---- the textfile writer ---- */

/* Log the first of each distinct failure; note when writing works again. */
static void
metrics_note(struct metrics *mx, const char *what, int error)
{
	char msg[sizeof(mx->last_error)];

	if (what == NULL) {
		if (mx->last_error[0] != '\0')
			log_info("metrics: writing %s again", mx->path);
		mx->last_error[0] = '\0';
		return;
	}
	snprintf(msg, sizeof(msg), "cannot %s %s: %s", what,
	    strcmp(what, "rename to") == 0 ? mx->path : mx->tmp,
	    strerror(error));
	if (strcmp(msg, mx->last_error) == 0)
		return;
	log_warnx("metrics: %s (the textfile is not updated until this is "
	    "fixed)", msg);
	snprintf(mx->last_error, sizeof(mx->last_error), "%s", msg);
}

/* Write all of buf to fd; 0 or -1 with errno. */
static int
metrics_write_fd(int fd, struct evbuffer *buf)
{
	while (evbuffer_get_length(buf) > 0) {
		if (evbuffer_write(buf, fd) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

int
metrics_write(struct metrics *mx)
{
	struct evbuffer *buf;
	const char *what = "create";
	int fd, r = -1, saved;

	if (mx->path == NULL) {
		errno = EINVAL;
		return -1;
	}
	buf = evbuffer_new();
	metrics_render(mx->d, buf);
	fd = open(mx->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd != -1) {
		what = "write";
		r = metrics_write_fd(fd, buf);
		saved = errno;
		if (close(fd) == -1 && r == 0) {
			r = -1;
			saved = errno;
		}
		errno = saved;
	}
	if (r == 0 && (r = rename(mx->tmp, mx->path)) == -1)
		what = "rename to";
	saved = errno;
	evbuffer_free(buf);
	if (r == -1 && fd != -1)
		unlink(mx->tmp);
	metrics_note(mx, r == 0 ? NULL : what, saved);
	errno = saved;
	return r;
}

static void
metrics_on_timer(evutil_socket_t fd, short what, void *arg)
{
	metrics_write(arg);
}

/* Stop writing; remove the file written so far (its values would go stale). */
static void
metrics_stop(struct metrics *mx)
{
	if (mx->ev_write != NULL) {
		event_free(mx->ev_write);
		mx->ev_write = NULL;
	}
	if (mx->path != NULL)
		unlink(mx->path);
	free(mx->path);
	free(mx->tmp);
	mx->path = mx->tmp = NULL;
	mx->last_error[0] = '\0';
}

/* Start writing to the configured file: now, then every interval. */
static void
metrics_start(struct metrics *mx, const char *path, double interval)
{
	struct timeval tv = util_tv_from_sec(interval);

	mx->path = xstrdup(path);
	xasprintf(&mx->tmp, "%s.tmp.%ld", path, (long)getpid());
	mx->interval = interval;
	mx->ev_write = event_new(mx->d->base, -1, EV_PERSIST, metrics_on_timer,
	    mx);
	event_add(mx->ev_write, &tv);
	log_info("metrics: writing %s every %.1f s", path, interval);
	metrics_write(mx);
}

struct metrics *
metrics_new(struct daemon *d)
{
	struct metrics *mx = xcalloc(1, sizeof(*mx));

	mx->d = d;
	metrics_reconfigure(mx);
	return mx;
}

void
metrics_reconfigure(struct metrics *mx)
{
	const struct conf_metrics *c = &daemon_conf(mx->d)->metrics;

	if (mx->path != NULL && strcmp(mx->path, c->textfile) == 0 &&
	    mx->interval == c->interval)
		return;
	metrics_stop(mx);
	if (c->textfile[0] != '\0')
		metrics_start(mx, c->textfile, c->interval);
}

void
metrics_free(struct metrics *mx)
{
	if (mx == NULL)
		return;
	metrics_stop(mx);
	free(mx);
}
