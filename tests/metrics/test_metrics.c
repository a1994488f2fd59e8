/* Unit tests of the metrics exporter (src/control/metrics.c): the exposition
 * of a daemon built from a configuration is checked by a strict parser of
 * the Prometheus text format 0.0.4 written here (HELP and TYPE before the
 * samples of every family, families never interleaved, no duplicate series,
 * counters ending in _total, label escapes), then its values; the label
 * escaping; the textfile writer. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "conf/conf.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "log.h"
#include "control/metrics.h"
#include "modem/modem.h"
#include "relay/relay.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_SERIES 1024
#define MAX_FAMILIES 128

static const char *conf_text =
    "modem: { device = \"/dev/null\"; };\n"
    "links = ( { name = \"server\"; host = \"127.0.0.1\"; port = 5000; socket = 1; },\n"
    "          { name = \"backup.2\"; host = \"127.0.0.1\"; port = 5001; socket = 2; } );\n";

/* ---- a strict parser of the text exposition format ---- */

struct series {
	char *key;		/* name{l1="v1",l2="v2"} with labels sorted, unescaped */
	double value;
};

struct family {
	char name[128];
	char type[16];
	int help, typed, samples;
};

struct expo {
	struct series series[MAX_SERIES];
	int n_series;
	struct family fam[MAX_FAMILIES];
	int n_fam;
	char error[512];	/* the first problem, "" when valid */
	int line;
};

static int __attribute__((format(printf, 2, 3)))
expo_fail(struct expo *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->error[0] != '\0')
		return -1;
	n = snprintf(e->error, sizeof(e->error), "line %d: ", e->line);
	va_start(ap, fmt);
	vsnprintf(e->error + n, sizeof(e->error) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]* (no ':' in labels).
 * Returns its length, 0 if none. */
static size_t
expo_name(const char *p, int colon)
{
	size_t n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
	    p[n] == '_' || (colon && p[n] == ':') ||
	    (n > 0 && p[n] >= '0' && p[n] <= '9'))
		n++;
	return n;
}

static struct family *
expo_family(struct expo *e, const char *name, size_t len)
{
	for (int i = 0; i < e->n_fam; i++)
		if (strlen(e->fam[i].name) == len &&
		    strncmp(e->fam[i].name, name, len) == 0)
			return &e->fam[i];
	return NULL;
}

/* "# HELP name text" or "# TYPE name type"; any other comment is refused. */
static int
expo_comment(struct expo *e, const char *p)
{
	struct family *f, *cur = e->n_fam ? &e->fam[e->n_fam - 1] : NULL;
	int help = strncmp(p, "# HELP ", 7) == 0;
	size_t n;

	if (!help && strncmp(p, "# TYPE ", 7) != 0)
		return expo_fail(e, "a comment other than HELP or TYPE: %s", p);
	p += 7;
	if ((n = expo_name(p, 1)) == 0 || p[n] != ' ' || p[n + 1] == '\0')
		return expo_fail(e, "bad HELP/TYPE line");
	f = expo_family(e, p, n);
	if (f != NULL && f != cur)
		return expo_fail(e, "family %.*s appears twice", (int)n, p);
	if (f == NULL) {
		if (e->n_fam == MAX_FAMILIES)
			return expo_fail(e, "too many families");
		f = &e->fam[e->n_fam++];
		snprintf(f->name, sizeof(f->name), "%.*s", (int)n, p);
	}
	if (f->samples > 0)
		return expo_fail(e, "HELP/TYPE of %s after its samples", f->name);
	if (help) {
		if (f->help++ || f->typed)
			return expo_fail(e, "%s: HELP twice or after TYPE", f->name);
		return 0;
	}
	if (f->typed++)
		return expo_fail(e, "%s: TYPE twice", f->name);
	snprintf(f->type, sizeof(f->type), "%s", p + n + 1);
	if (strcmp(f->type, "counter") != 0 && strcmp(f->type, "gauge") != 0)
		return expo_fail(e, "%s: type %s (we only use counter and gauge)",
		    f->name, f->type);
	return 0;
}

/* One "name="value"" label at *pp into out (unescaped); advances *pp. */
static int
expo_label(struct expo *e, const char **pp, char *out, size_t outsz)
{
	const char *p = *pp;
	size_t n = expo_name(p, 0), o;

	if (n == 0 || p[n] != '=' || p[n + 1] != '"')
		return expo_fail(e, "bad label at %s", p);
	if (n + 2 >= outsz)
		return expo_fail(e, "label too long");
	memcpy(out, p, n + 2);
	o = n + 2;
	for (p += n + 2; *p != '"'; p++) {
		char c = *p;

		if (c == '\0' || c == '\n')
			return expo_fail(e, "unterminated label value");
		if (c == '\\') {
			c = *++p;
			if (c != '\\' && c != '"' && c != 'n')
				return expo_fail(e, "bad escape \\%c", c);
			if (c == 'n')
				c = '\n';
		}
		if (o + 2 >= outsz)
			return expo_fail(e, "label value too long");
		out[o++] = c;
	}
	out[o++] = '"';
	out[o] = '\0';
	*pp = p + 1;
	return 0;
}

static int
expo_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The {labels} of a sample, sorted and appended to key; refuses duplicates. */
static int
expo_labels(struct expo *e, const char **pp, char *key, size_t keysz)
{
	char lab[16][256], *sorted[16];
	const char *p = *pp + 1;
	size_t len;
	int n = 0, i;

	while (*p != '}') {
		if (n == 16 || expo_label(e, &p, lab[n], sizeof(lab[n])) == -1)
			return expo_fail(e, "too many or bad labels");
		sorted[n] = lab[n];
		n++;
		if (*p == ',' && p[1] != '}')
			p++;
		else if (*p != '}')
			return expo_fail(e, "expected , or } after a label");
	}
	qsort(sorted, (size_t)n, sizeof(char *), expo_strcmp);
	strcat(key, "{");
	for (i = 0; i < n; i++) {
		len = strcspn(sorted[i], "=");
		if (i > 0 && strncmp(sorted[i], sorted[i - 1], len + 1) == 0)
			return expo_fail(e, "label %.*s twice", (int)len, sorted[i]);
		if (strlen(key) + strlen(sorted[i]) + 3 >= keysz)
			return expo_fail(e, "series too long");
		if (i > 0)
			strcat(key, ",");
		strcat(key, sorted[i]);
	}
	strcat(key, "}");
	*pp = p + 1;
	return 0;
}

/* A sample value: a float, NaN, +Inf or -Inf, and nothing after it. */
static int
expo_value(struct expo *e, const char *p, double *v)
{
	char *end;

	if (*p != ' ')
		return expo_fail(e, "expected one blank before the value");
	p++;
	if (strcmp(p, "NaN") == 0 || strcmp(p, "+Inf") == 0 || strcmp(p, "-Inf") == 0) {
		*v = strcmp(p, "NaN") == 0 ? NAN : p[0] == '+' ? INFINITY : -INFINITY;
		return 0;
	}
	errno = 0;
	*v = strtod(p, &end);
	if (end == p || *end != '\0' || errno != 0 || strspn(p, "+-.0123456789eE") != strlen(p))
		return expo_fail(e, "bad value \"%s\" (no timestamps expected)", p);
	return 0;
}

static int
expo_sample(struct expo *e, const char *p)
{
	struct family *f = e->n_fam ? &e->fam[e->n_fam - 1] : NULL;
	char key[2048];
	size_t n = expo_name(p, 1);
	double v = 0;
	int i;

	if (n == 0)
		return expo_fail(e, "not a sample: %s", p);
	if (f == NULL || strlen(f->name) != n || strncmp(f->name, p, n) != 0)
		return expo_fail(e, "sample %.*s outside its family", (int)n, p);
	if (!f->help || !f->typed)
		return expo_fail(e, "%s: samples before HELP and TYPE", f->name);
	snprintf(key, sizeof(key), "%.*s", (int)n, p);
	p += n;
	if (*p == '{' && expo_labels(e, &p, key, sizeof(key)) == -1)
		return -1;
	if (expo_value(e, p, &v) == -1)
		return -1;
	if (strcmp(f->type, "counter") == 0 && !(v >= 0))
		return expo_fail(e, "counter %s is negative or NaN", key);
	for (i = 0; i < e->n_series; i++)
		if (strcmp(e->series[i].key, key) == 0)
			return expo_fail(e, "duplicate series %s", key);
	if (e->n_series == MAX_SERIES)
		return expo_fail(e, "too many series");
	e->series[e->n_series].key = strdup(key);
	e->series[e->n_series++].value = v;
	f->samples++;
	return 0;
}

/* Naming rules of our own on top of the format. */
static int
expo_names(struct expo *e)
{
	for (int i = 0; i < e->n_fam; i++) {
		struct family *f = &e->fam[i];
		size_t n = strlen(f->name);
		int total = n > 6 && strcmp(f->name + n - 6, "_total") == 0;

		if (!f->help || !f->typed)
			return expo_fail(e, "%s: no HELP or no TYPE", f->name);
		if (strncmp(f->name, "cellsock_", 9) != 0)
			return expo_fail(e, "%s: not prefixed cellsock_", f->name);
		if (strcmp(f->type, "counter") == 0 && !total)
			return expo_fail(e, "counter %s does not end in _total", f->name);
		if (strcmp(f->type, "counter") != 0 && total)
			return expo_fail(e, "%s %s ends in _total", f->type, f->name);
	}
	return 0;
}

/* Parse text; 0 when valid, else -1 and e->error says why. */
static int
expo_parse(struct expo *e, const char *text)
{
	char *copy = strdup(text), *p, *nl;
	int r = 0;

	memset(e, 0, sizeof(*e));
	if (*text == '\0' || text[strlen(text) - 1] != '\n')
		r = expo_fail(e, "does not end with a newline");
	for (p = copy; r == 0 && *p != '\0'; p = nl + 1) {
		e->line++;
		nl = strchr(p, '\n');
		*nl = '\0';
		if (*p == '\0')
			r = expo_fail(e, "empty line");
		else if (*p == '#')
			r = expo_comment(e, p);
		else
			r = expo_sample(e, p);
	}
	if (r == 0)
		r = expo_names(e);
	free(copy);
	return r;
}

static void
expo_free(struct expo *e)
{
	for (int i = 0; i < e->n_series; i++)
		free(e->series[i].key);
	e->n_series = 0;
}

/* The value of one series (labels in sorted order); fails when absent. */
static double
expo_get(const struct expo *e, const char *key)
{
	for (int i = 0; i < e->n_series; i++)
		if (strcmp(e->series[i].key, key) == 0)
			return e->series[i].value;
	fail_msg("series %s is missing", key);
	return NAN;
}

/* Samples whose key starts with prefix. */
static int
expo_count(const struct expo *e, const char *prefix)
{
	int n = 0;

	for (int i = 0; i < e->n_series; i++)
		n += strncmp(e->series[i].key, prefix, strlen(prefix)) == 0;
	return n;
}

/* ---- fixtures ---- */

struct fixture {
	struct event_base *base;
	struct daemon *d;
	struct evbuffer *out;
	struct expo e;
	char dir[64];
};

static struct daemon *
new_daemon(struct event_base *base, const char *text)
{
	struct conf_errors errs;
	struct conf *conf;

	conf_errors_init(&errs);
	conf = conf_load_string(text, "test.conf", &errs);
	for (int i = 0; i < errs.n; i++)
		print_message("%s\n", errs.msgs[i]);
	assert_non_null(conf);
	conf_errors_free(&errs);
	return daemon_new(base, conf, "/nonexistent/cellsockd.conf");
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	log_init("test_metrics", LOG_LEVEL_ERROR);
	f->base = event_base_new();
	f->d = new_daemon(f->base, conf_text);
	f->out = evbuffer_new();
	snprintf(f->dir, sizeof(f->dir), "/tmp/cellsock-metrics-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	expo_free(&f->e);
	daemon_free(f->d);
	event_base_free(f->base);
	evbuffer_free(f->out);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Render f->d and parse it strictly into f->e. */
static void
render_parse(struct fixture *f)
{
	size_t n;
	char *text;

	expo_free(&f->e);
	evbuffer_drain(f->out, evbuffer_get_length(f->out));
	metrics_render(f->d, f->out);
	n = evbuffer_get_length(f->out);
	text = malloc(n + 1);
	evbuffer_copyout(f->out, text, n);
	text[n] = '\0';
	if (expo_parse(&f->e, text) != 0)
		print_message("%s\n--- exposition:\n%s", f->e.error, text);
	assert_string_equal(f->e.error, "");
	free(text);
}

/* ---- tests ---- */

/* The parser itself refuses what the format forbids. */
static void
test_parser_is_strict(void **state)
{
	static const char *const bad[] = {
		"cellsock_x 1\n",					/* no HELP/TYPE */
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x 1",	/* no newline */
		"# TYPE cellsock_x gauge\n# HELP cellsock_x h\ncellsock_x 1\n",	/* order */
		"# HELP cellsock_x h\n# TYPE cellsock_x counter\ncellsock_x 1\n",	/* _total */
		"# HELP cellsock_x_total h\n# TYPE cellsock_x_total gauge\ncellsock_x_total 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x 1\ncellsock_x 2\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x{a=\"1\",a=\"2\"} 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x{a=\"\\t\"} 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x{a=\"1} 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x{a=1} 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x one\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x  1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_y 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\n\ncellsock_x 1\n",
		"# HELP cellsock_x h\n# TYPE cellsock_x gauge\n# HELP cellsock_y h\n"
		    "# TYPE cellsock_y gauge\n# HELP cellsock_x h\n",		/* interleaved */
		"# HELP other h\n# TYPE other gauge\nother 1\n",		/* prefix */
		"# HELP cellsock_x h\n# TYPE cellsock_x summary\ncellsock_x 1\n",
		"# HELP cellsock_x_total h\n# TYPE cellsock_x_total counter\ncellsock_x_total -1\n",
		"# a comment\n",
	};
	struct expo *e = calloc(1, sizeof(*e));

	for (size_t i = 0; i < NITEMS(bad); i++) {
		if (expo_parse(e, bad[i]) == 0)
			fail_msg("accepted bad input %zu: %s", i, bad[i]);
		expo_free(e);
	}
	assert_int_equal(expo_parse(e, "# HELP cellsock_x h \"q\"\n"
	    "# TYPE cellsock_x gauge\ncellsock_x{b=\"\\\\\\\"\\n\",a=\"\"} -1.5e3\n"
	    "cellsock_x NaN\n"), 0);
	assert_true(expo_get(e, "cellsock_x{a=\"\",b=\"\\\"\n\"}") == -1500);
	expo_free(e);
	free(e);
}

static void
test_escape(void **state)
{
	struct evbuffer *b = evbuffer_new();
	char out[64];
	size_t n;

	metrics_escape(b, "a\\b\"c\nd\te");
	n = evbuffer_get_length(b);
	assert_true(n < sizeof(out));
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	assert_string_equal(out, "a\\\\b\\\"c\\nd\te");
	metrics_escape(b, "");
	assert_int_equal(evbuffer_get_length(b), 0);
	evbuffer_free(b);
}

/* Every required family is there and the output is valid. */
static void
test_families(void **state)
{
	static const char *const fams[] = {
		"cellsock_up", "cellsock_info", "cellsock_start_time_seconds",
		"cellsock_config_reloads_total", "cellsock_modem_state",
		"cellsock_modem_info", "cellsock_modem_registered",
		"cellsock_modem_signal_dbm", "cellsock_modem_failures",
		"cellsock_escalations_total", "cellsock_modem_port_opens_total",
		"cellsock_modem_losses_total", "cellsock_at_commands_total",
		"cellsock_at_timeouts_total", "cellsock_at_resyncs_total",
		"cellsock_at_urcs_total", "cellsock_link_state", "cellsock_link_up",
		"cellsock_link_connects_total", "cellsock_link_dial_failures_total",
		"cellsock_link_deaths_total", "cellsock_link_bytes_total",
		"cellsock_link_lost_bytes_total", "cellsock_link_resent_bytes_total",
		"cellsock_link_unacked_bytes", "cellsock_link_queued_bytes",
	};
	struct fixture *f = *state;
	char key[256];

	render_parse(f);
	for (size_t i = 0; i < NITEMS(fams); i++)
		if (expo_family(&f->e, fams[i], strlen(fams[i])) == NULL)
			fail_msg("family %s is missing", fams[i]);
	assert_true(expo_get(&f->e, "cellsock_up") == 1);
	snprintf(key, sizeof(key), "cellsock_info{version=\"%s\"}", PACKAGE_VERSION);
	assert_true(expo_get(&f->e, key) == 1);
	assert_true(expo_get(&f->e, "cellsock_start_time_seconds") == (double)f->d->started);
	assert_int_equal(expo_count(&f->e, "cellsock_modem_state{"), MODEM_STATE_COUNT);
	assert_true(expo_get(&f->e, "cellsock_modem_state{state=\"closed\"}") == 1);
	assert_int_equal(expo_count(&f->e, "cellsock_escalations_total{"), STEP_COUNT);
	/* unknown signal: the family without a sample, never a fake 0 */
	assert_int_equal(expo_count(&f->e, "cellsock_modem_signal_dbm"), 0);
	assert_int_equal(expo_count(&f->e, "cellsock_link_state{"), 2 * LINK_STATE_COUNT);
	assert_int_equal(expo_count(&f->e, "cellsock_link_deaths_total{"), 2 * CAUSE_COUNT);
	assert_int_equal(expo_count(&f->e, "cellsock_link_bytes_total{"), 2 * 5);
	assert_int_equal(expo_count(&f->e, "cellsock_link_lost_bytes_total{"), 2 * 4);
	assert_int_equal(expo_count(&f->e, "cellsock_link_queued_bytes{"), 2 * 2);
	assert_true(expo_get(&f->e,
	    "cellsock_link_state{link=\"backup.2\",state=\"idle\"}") == 1);
	assert_true(expo_get(&f->e, "cellsock_link_up{link=\"server\"}") == 0);
}

/* Values follow the daemon's structs. */
static void
test_values(void **state)
{
	struct fixture *f = *state;
	struct modem *m = f->d->modem;
	struct link *l = f->d->link[0];

	l->state = LINK_UP;
	l->connects = 7;
	l->failures = 3;
	l->dead_by_cause[CAUSE_ACK_STALL] = 2;
	m->state = MODEM_READY;
	m->reg_stat = 5;
	m->dbm = -71;
	m->esc.failures = 4;
	m->esc.steps_total[STEP_RADIO_CYCLE] = 9;
	m->opens = 11;
	snprintf(m->ident.model, sizeof(m->ident.model), "HE910 \"x\"");
	snprintf(m->ident.firmware, sizeof(m->ident.firmware), "12.00.006");
	f->d->reloads = 2;
	render_parse(f);
	assert_true(expo_get(&f->e, "cellsock_link_up{link=\"server\"}") == 1);
	assert_true(expo_get(&f->e, "cellsock_link_state{link=\"server\",state=\"up\"}") == 1);
	assert_true(expo_get(&f->e, "cellsock_link_state{link=\"server\",state=\"idle\"}") == 0);
	assert_true(expo_get(&f->e, "cellsock_link_connects_total{link=\"server\"}") == 7);
	assert_true(expo_get(&f->e, "cellsock_link_dial_failures_total{link=\"server\"}") == 3);
	assert_true(expo_get(&f->e,
	    "cellsock_link_deaths_total{cause=\"ack-stall\",link=\"server\"}") == 2);
	assert_true(expo_get(&f->e,
	    "cellsock_link_deaths_total{cause=\"operator\",link=\"server\"}") == 0);
	assert_true(expo_get(&f->e, "cellsock_modem_state{state=\"ready\"}") == 1);
	assert_true(expo_get(&f->e, "cellsock_modem_state{state=\"closed\"}") == 0);
	assert_true(expo_get(&f->e, "cellsock_modem_registered") == 1);
	assert_true(expo_get(&f->e, "cellsock_modem_signal_dbm") == -71);
	assert_true(expo_get(&f->e, "cellsock_modem_failures") == 4);
	assert_true(expo_get(&f->e, "cellsock_escalations_total{step=\"radio-cycle\"}") == 9);
	assert_true(expo_get(&f->e, "cellsock_modem_port_opens_total") == 11);
	assert_true(expo_get(&f->e, "cellsock_config_reloads_total") == 2);
	assert_true(expo_get(&f->e, "cellsock_modem_info{firmware=\"12.00.006\","
	    "manufacturer=\"\",model=\"HE910 \"x\"\"}") == 1);
	assert_true(expo_get(&f->e,
	    "cellsock_link_bytes_total{direction=\"sent\",link=\"backup.2\"}") == 0);
	assert_true(expo_get(&f->e, "cellsock_link_unacked_bytes{link=\"server\"}") == 0);
	assert_true(expo_get(&f->e,
	    "cellsock_link_queued_bytes{direction=\"tx\",link=\"server\"}") == 0);
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Parse a written textfile strictly. */
static void
check_textfile(const char *path)
{
	struct expo *e = calloc(1, sizeof(*e));
	char buf[65536];
	size_t n;
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if (expo_parse(e, buf) != 0)
		print_message("%s\n", e->error);
	assert_string_equal(e->error, "");
	assert_true(expo_get(e, "cellsock_up") == 1);
	expo_free(e);
	free(e);
}

static void
loop_exit(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

/* Written at once, again from the timer, moved on reconfigure, removed at
 * the end; a directory that is missing is an error, not a crash. */
static void
test_textfile(void **state)
{
	struct fixture *f = *state;
	char path[128], path2[128], text[512];
	struct timeval tv = { 2, 500000 };
	struct daemon *d;
	struct metrics *mx;
	struct event *ev;

	snprintf(path, sizeof(path), "%s/cellsock.prom", f->dir);
	snprintf(path2, sizeof(path2), "%s/other.prom", f->dir);
	snprintf(text, sizeof(text), "%smetrics: { textfile = \"%s\"; interval = 1; };\n",
	    conf_text, path);
	d = new_daemon(f->base, text);
	mx = metrics_new(d);
	assert_true(file_exists(path));
	check_textfile(path);

	/* the timer writes it again */
	assert_int_equal(unlink(path), 0);
	ev = evtimer_new(f->base, loop_exit, f->base);
	evtimer_add(ev, &tv);
	while (!file_exists(path) && event_base_loop(f->base, EVLOOP_ONCE) == 0 &&
	    evtimer_pending(ev, NULL))
		;
	event_free(ev);
	assert_true(file_exists(path));
	check_textfile(path);

	/* a reload moves it: the old file goes away */
	free(d->conf->metrics.textfile);
	d->conf->metrics.textfile = strdup(path2);
	metrics_reconfigure(mx);
	assert_false(file_exists(path));
	assert_true(file_exists(path2));

	/* a missing directory: an error each time, no file */
	free(d->conf->metrics.textfile);
	snprintf(path, sizeof(path), "%s/nodir/x.prom", f->dir);
	d->conf->metrics.textfile = strdup(path);
	metrics_reconfigure(mx);
	assert_false(file_exists(path2));
	assert_int_equal(metrics_write(mx), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(metrics_write(mx), -1);

	/* off */
	free(d->conf->metrics.textfile);
	d->conf->metrics.textfile = strdup("");
	metrics_reconfigure(mx);
	assert_int_equal(metrics_write(mx), -1);
	metrics_free(mx);
	daemon_free(d);
	/* nothing left behind: rmdir in teardown must succeed */
	assert_int_equal(rmdir(f->dir), 0);
	assert_int_equal(mkdir(f->dir, 0700), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser_is_strict),
		cmocka_unit_test(test_escape),
		cmocka_unit_test_setup_teardown(test_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_textfile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
