/* The transcript (--trace): every byte in and out of the port, escaped and
 * timestamped, plus the event lines, so a dialogue can be read afterwards. */
#ifndef MODEMSIM_TRACE_H
#define MODEMSIM_TRACE_H

#include <stddef.h>

struct trace;

/* Wall-clock UTC timestamp with milliseconds into buf. */
void trace_timestamp(char *buf, size_t bufsz);

/* Open (truncate) the transcript; NULL with errno set on failure. */
struct trace *trace_open(const char *path);
void trace_close(struct trace *t);
/* Record bytes: dir is "rx" (host to modem), "tx" (modem to host) or
 * "drop" (output discarded: nobody had the port open). NULL t: no-op. */
void trace_bytes(struct trace *t, const char *dir, const void *buf, size_t len);
/* Record one event line (already timestamped). NULL t: no-op. */
void trace_line(struct trace *t, const char *line);

#endif
