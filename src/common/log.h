/* Logging in the OpenBSD log.c style. Where a line goes is decided once:
 * syslog (a daemon that forked), journald through a sink that
 * log_journal_detect() installs (stderr is the journal), "prog: msg" on a
 * terminal, else plain lines with a local timestamp and the level (a file,
 * a pipe). A line that the journal sink cannot deliver goes to stderr with
 * an sd-daemon "<N>" prefix, which journald still reads. */
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

/* One structured field, KEY=value, for journald (KEY upper case). Arrays of
 * them end with a { NULL, NULL } entry. */
struct log_field {
	const char *key;
	const char *value;
};

/* Delivers one message with its fields; 0 when it did. */
typedef int (*log_sink_fn)(int level, const char *msg, const struct log_field *fields);

void log_init(const char *progname, int level);
/* Send logs to syslog instead of stderr (a daemon that forked). */
void log_to_syslog(void);
/* Route messages to sink (NULL: back to stderr). */
void log_set_sink(log_sink_fn sink);
/* When JOURNAL_STREAM names stderr, log to journald with fields; 1 if so.
 * (log_journal.c: only programs that call it link libsystemd.) */
int log_journal_detect(void);
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
/* A message with structured fields (journald keeps them; elsewhere only the
 * text is written). */
void log_fields(int level, const struct log_field *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vlog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Cheap when debug is off: the arguments are not evaluated. */
#define log_debug(...) do { \
	if (log_current_level >= LOG_LEVEL_DEBUG) log_debug_(__VA_ARGS__); \
} while (0)

#endif
