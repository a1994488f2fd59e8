#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

int log_current_level = LOG_LEVEL_INFO;
static const char *log_progname = "cellsock";
static int log_tty;
static int log_syslog;

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

/* Deliver one formatted message to syslog, a terminal or journald's stderr. */
static void
log_emit(int level, const char *msg)
{
	if (log_syslog)
		syslog(level, "%s", msg);
	else if (log_tty)
		fprintf(stderr, "%s: %s\n", log_progname, msg);
	else
		fprintf(stderr, "<%d>%s\n", level, msg);
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

/* Write one line: "<N>msg" for journald, or "prog: msg" on a terminal. */
void
vlog(int level, const char *fmt, va_list ap)
{
	char msg[2048];

	if (level > log_current_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_emit(level, msg);
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
	log_emit(level, line);
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
