#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

int log_current_level = LOG_LEVEL_INFO;
static const char *log_progname = "cellsock";
static int log_tty;
static int log_syslog;
static log_sink_fn log_sink;

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* Set the program name and level; decide once whether stderr is a terminal. */
void
log_init(const char *progname, int level)
{
	log_progname = progname;
	log_current_level = level;
	log_tty = isatty(STDERR_FILENO);
}

void
log_to_syslog(void)
{
	openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
}

void
log_set_sink(log_sink_fn sink)
{
	log_sink = sink;
}

/* A plain line for a file or a pipe: local time with milliseconds and zone,
 * the program, the level, the message. */
static void
log_plain(int level, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char when[32], zone[8];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	fprintf(stderr, "%s.%03ld%s %s: %s: %s\n", when, ts.tv_nsec / 1000000, zone,
	    log_progname, log_level_name(level), msg);
}

/* Deliver one formatted message to syslog, journald, a terminal or a file. */
static void
log_emit(int level, const char *msg, const struct log_field *fields)
{
	if (log_syslog) {
		syslog(level, "%s", msg);
		return;
	}
	if (log_sink != NULL && log_sink(level, msg, fields) == 0)
		return;
	if (log_sink != NULL)		/* stderr is the journal's stream */
		fprintf(stderr, "<%d>%s\n", level, msg);
	else if (log_tty)
		fprintf(stderr, "%s: %s\n", log_progname, msg);
	else
		log_plain(level, msg);
	fflush(stderr);
}

void
log_setlevel(int level)
{
	log_current_level = level;
}

int
log_getlevel(void)
{
	return log_current_level;
}

int
log_level_parse(const char *name)
{
	for (int i = LOG_LEVEL_ERROR; i <= LOG_LEVEL_DEBUG; i++)
		if (strcasecmp(name, log_level_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_level_name(int level)
{
	if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
		return "unknown";
	return log_level_names[level];
}

/* Format and deliver one message, with no fields. */
void
vlog(int level, const char *fmt, va_list ap)
{
	char msg[2048];

	if (level > log_current_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_emit(level, msg, NULL);
}

void
log_fields(int level, const struct log_field *fields, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level > log_current_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(level, msg, fields);
}

static void vlog_errno(int level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vlog_errno(int level, const char *fmt, va_list ap)
{
	char msg[1900], line[2048];
	int saved = errno;

	if (level > log_current_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(line, sizeof(line), "%s: %s", msg, strerror(saved));
	log_emit(level, line, NULL);
}

#define LOG_FN(name, level) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		vlog(level, fmt, ap); \
		va_end(ap); \
	}

LOG_FN(log_warnx, LOG_LEVEL_WARNING)
LOG_FN(log_notice, LOG_LEVEL_NOTICE)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug_, LOG_LEVEL_DEBUG)
LOG_FN(log_errorx, LOG_LEVEL_ERROR)

/* Warning with the text of errno appended. */
void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_LEVEL_WARNING, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
