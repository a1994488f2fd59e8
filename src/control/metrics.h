/* Metrics: the daemon's counters and gauges in the Prometheus text
 * exposition format (version 0.0.4), for `cellsockctl metrics` and, when
 * metrics.textfile is set, written periodically (atomically) to a file for
 * node_exporter's textfile collector. Every family and label is listed in
 * cellsockctl(8). */
#ifndef CELLSOCK_METRICS_H
#define CELLSOCK_METRICS_H

struct daemon;
struct evbuffer;
struct metrics;

/* Append the whole exposition of d to out (the caller owns out). */
void metrics_render(struct daemon *d, struct evbuffer *out);
/* Append value escaped for a label value: backslash, double quote and
 * newline become \\, \" and \n. */
void metrics_escape(struct evbuffer *out, const char *value);

/* The textfile writer; follows d->conf->metrics. */
struct metrics *metrics_new(struct daemon *d);
/* Stop writing and remove the file this daemon wrote. NULL is fine. */
void metrics_free(struct metrics *mx);
/* After a reload: follow a changed (or removed) textfile or interval. */
void metrics_reconfigure(struct metrics *mx);
/* Write the textfile now (the timer does it every interval). Returns 0,
 * or -1 with errno set; the first of each distinct error is logged. */
int metrics_write(struct metrics *mx);

#endif
