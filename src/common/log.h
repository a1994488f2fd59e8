/* Logging in the OpenBSD log.c style: stderr, with sd-daemon "<N>" priority
 * prefixes when stderr is not a terminal (journald reads them). */
#ifndef CELLSOCK_LOG_H
#define CELLSOCK_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

extern int log_current_level;

void log_init(const char *progname, int level);
/* Send logs to syslog instead of stderr (a daemon that forked). */
void log_to_syslog(void);
void log_setlevel(int level);
int log_getlevel(void);
/* Parse "error", "warning", "notice", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(int level);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void vlog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Cheap when debug is off: the arguments are not evaluated. */
#define log_debug(...) do { \
	if (log_current_level >= LOG_LEVEL_DEBUG) log_debug_(__VA_ARGS__); \
} while (0)

#endif
