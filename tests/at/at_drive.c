/* at_drive: drive a serial port (e.g. the simulator's pseudo-terminal)
 * through the AT engine. Used by tests/at/sim_integration.py and
 * tests/at/bench_at.py.
 *
 *   at_drive [-v] [-g gap_ms] [-t timeout_ms] [-r rounds] PORT CMD...
 *	sends the commands in order, `rounds` times, one after the other,
 *	and prints for each: "CMD <n> <cmd>", "LINE <text>"..., "PAYLOAD <len>",
 *	"RESULT <name> <code>"; URCs as "URC <line>"; at the end "STATS ...".
 *   at_drive -B count [-g gap_ms] PORT
 *	benchmark: `count` raw AT round trips written straight to the port,
 *	then `count` through the engine; prints latency percentiles and CPU. */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "xmalloc.h"
#include "at/atq.h"
#include "at/serial.h"
#include "dialect/telit/telit.h"
#include "at/urc.h"

struct drive {
	struct event_base *base;
	struct at *at;
	char **cmds;
	int n_cmds;
	long rounds;
	long sent, done;
	long bench;		/* > 0: benchmark count */
	uint64_t *lat_ns;	/* benchmark latencies */
	uint64_t t_submit;
	int gone;
	int failed;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void drive_next(struct drive *);

static void
drive_cb(const struct at_response *r, void *arg)
{
	struct drive *d = arg;

	if (d->bench > 0) {
		d->lat_ns[d->done] = now_ns() - d->t_submit;
		if (r->result.kind != AT_FINAL_OK)
			d->failed++;
	} else {
		for (size_t i = 0; i < r->n_lines; i++)
			printf("LINE %s\n", r->lines[i]);
		if (r->payload_len > 0)
			printf("PAYLOAD %zu\n", r->payload_len);
		printf("RESULT %s %d\n", at_final_name(r->result.kind),
		    r->result.code);
		fflush(stdout);
	}
	d->done++;
	drive_next(d);
}

static void
drive_next(struct drive *d)
{
	struct at_command ac;
	long total = d->bench > 0 ? d->bench : d->rounds * d->n_cmds;

	if (d->sent >= total || d->gone) {
		if (d->done >= total || d->gone)
			event_base_loopbreak(d->base);
		return;
	}
	memset(&ac, 0, sizeof(ac));
	ac.cmd = d->bench > 0 ? "AT" : d->cmds[d->sent % d->n_cmds];
	if (d->bench == 0) {
		printf("CMD %ld %s\n", d->sent, ac.cmd);
		fflush(stdout);
	}
	d->t_submit = now_ns();
	if (at_submit(d->at, &ac, drive_cb, d, NULL) == 0) {
		fprintf(stderr, "at_drive: submit refused\n");
		d->gone = 1;
		event_base_loopbreak(d->base);
		return;
	}
	d->sent++;
}

static void
drive_urc(const char *line, const char *args, void *arg)
{
	struct drive *d = arg;

	if (d->bench == 0) {
		printf("URC %s\n", line);
		fflush(stdout);
	}
}

static void
drive_ready(void *arg)
{
	struct drive *d = arg;

	if (d->bench == 0)
		printf("READY\n");
	if (d->sent == 0)
		drive_next(d);
}

static void
drive_not_answering(unsigned n, void *arg)
{
	printf("NOT-ANSWERING %u\n", n);
}

static void
drive_gone(int error, void *arg)
{
	struct drive *d = arg;

	printf("GONE %d\n", error);
	d->gone = 1;
	event_base_loopbreak(d->base);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
print_percentiles(const char *what, uint64_t *v, long n)
{
	double sum = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	for (long i = 0; i < n; i++)
		sum += (double)v[i];
	printf("%s n=%ld median_us=%.1f p99_us=%.1f mean_us=%.1f max_us=%.1f\n",
	    what, n, v[n / 2] / 1e3, v[(n * 99) / 100] / 1e3, sum / n / 1e3,
	    v[n - 1] / 1e3);
}

/* Baseline: AT round trips written and read directly, no engine. */
static int
bench_raw(const char *path, long n, uint64_t *lat)
{
	int fd = open(path, O_RDWR | O_NOCTTY);
	char buf[256];
	size_t have;
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;
	uint64_t t;
	struct termios tio;

	if (fd == -1 || tcgetattr(fd, &tio) == -1)
		return -1;
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	if (tcsetattr(fd, TCSANOW, &tio) == -1)
		return -1;
	for (long i = 0; i < n; i++) {
		t = now_ns();
		if (write(fd, "AT\r", 3) != 3)
			return -1;
		for (have = 0; have < 6 || memcmp(buf + have - 4, "OK\r\n",
		    4) != 0;) {
			if (poll(&pfd, 1, 5000) != 1 ||
			    (r = read(fd, buf + have, sizeof(buf) - have)) <= 0)
				return -1;
			have += (size_t)r;
			if (have == sizeof(buf))
				have = 0;
		}
		lat[i] = now_ns() - t;
	}
	close(fd);
	return 0;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
usage(void)
{
	fprintf(stderr, "usage: at_drive [-v] [-g gap_ms] [-t timeout_ms] "
	    "[-r rounds] PORT CMD...\n       at_drive -B count [-g gap_ms] "
	    "PORT\n");
	return 2;
}

/* Print the benchmark result or the statistics of a scripted run. */
static void
drive_report(struct drive *d, double cpu, double wall)
{
	struct at_stats st;

	if (d->bench > 0 && d->done == d->bench) {
		print_percentiles("engine", d->lat_ns, d->bench);
		printf("engine cpu_us_per_command=%.2f wall_s=%.3f failed=%d\n",
		    cpu * 1e6 / (double)d->bench, wall, d->failed);
		return;
	}
	at_get_stats(d->at, &st);
	printf("STATS done=%ld timeouts=%lu resyncs=%lu stray=%lu echoes=%lu "
	    "urcs=%lu unknown=%lu overlong=%lu nul=%lu\n", d->done,
	    st.timeouts, st.resyncs, st.stray, st.echoes, st.urcs,
	    urc_unknown(at_urcs(d->at)), st.overlong, st.nul);
}

/* Open the port, run the engine until the work is done or the port goes. */
static int
drive_run(struct drive *d, struct at_params *p, const char *path)
{
	static const struct at_events ev = {
		drive_ready, drive_not_answering, drive_gone,
	};
	struct serial_config cfg = { path, 115200, SERIAL_FLOW_NONE };
	struct serial *s;
	char err[256];
	double cpu0, wall0;

	d->base = event_base_new();
	if ((s = serial_open(d->base, &cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "at_drive: %s\n", err);
		return 1;
	}
	p->name = path;
	p->dialect = &telit_dialect;
	d->at = at_new(d->base, s, p, &ev, d);
	for (int i = 0; telit_urc_prefixes[i] != NULL; i++)
		urc_add(at_urcs(d->at), telit_urc_prefixes[i], drive_urc, d);
	cpu0 = cpu_seconds();
	wall0 = (double)now_ns() / 1e9;
	event_base_dispatch(d->base);
	drive_report(d, cpu_seconds() - cpu0, (double)now_ns() / 1e9 - wall0);
	at_free(d->at);
	event_base_free(d->base);
	return d->gone ? 3 : 0;
}

int
main(int argc, char **argv)
{
	struct drive d = { 0 };
	struct at_params p;
	int ch, verbose = 0, rc;

	at_params_default(&p);
	d.rounds = 1;
	while ((ch = getopt(argc, argv, "B:g:r:t:v")) != -1) {
		switch (ch) {
		case 'B': d.bench = atol(optarg); break;
		case 'g': p.gap_ms = atoi(optarg); break;
		case 'r': d.rounds = atol(optarg); break;
		case 't': p.timeout_ms = atoi(optarg); break;
		case 'v': verbose = 1; break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (d.bench <= 0 && argc < 2))
		return usage();
	log_init("at_drive", verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING);
	p.trace = verbose;
	d.cmds = argv + 1;
	d.n_cmds = argc - 1;
	if (d.bench > 0) {
		d.lat_ns = xcalloc((size_t)d.bench, sizeof(*d.lat_ns));
		if (bench_raw(argv[0], d.bench, d.lat_ns) == -1) {
			fprintf(stderr, "at_drive: raw benchmark failed: %s\n",
			    strerror(errno));
			return 1;
		}
		print_percentiles("raw", d.lat_ns, d.bench);
	}
	rc = drive_run(&d, &p, argv[0]);
	free(d.lat_ns);
	return rc;
}
