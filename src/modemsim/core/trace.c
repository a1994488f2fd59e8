#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace.h"
#include "util.h"
#include "xmalloc.h"

#define TRACE_CHUNK 128		/* input bytes per transcript line */

struct trace {
	FILE *fp;
};

void
trace_timestamp(char *buf, size_t bufsz)
{
	struct timespec ts;
	struct tm tm;
	char day[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, bufsz, "%s.%03ldZ", day, ts.tv_nsec / 1000000);
}

struct trace *
trace_open(const char *path)
{
	struct trace *t;
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return NULL;
	setvbuf(fp, NULL, _IOLBF, 0);
	t = xcalloc(1, sizeof(*t));
	t->fp = fp;
	return t;
}

void
trace_close(struct trace *t)
{
	if (t == NULL)
		return;
	fclose(t->fp);
	free(t);
}

/* One line per TRACE_CHUNK bytes: "<time> <dir> <escaped bytes>". */
void
trace_bytes(struct trace *t, const char *dir, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	char ts[40], esc[TRACE_CHUNK * 4 + 8];

	if (t == NULL || len == 0)
		return;
	trace_timestamp(ts, sizeof(ts));
	for (size_t off = 0; off < len; off += TRACE_CHUNK) {
		size_t n = len - off < TRACE_CHUNK ? len - off : TRACE_CHUNK;

		util_escape(p + off, n, esc, sizeof(esc));
		fprintf(t->fp, "%s %-4s %s\n", ts, dir, esc);
	}
}

void
trace_line(struct trace *t, const char *line)
{
	if (t == NULL)
		return;
	fprintf(t->fp, "%s\n", line);
}
