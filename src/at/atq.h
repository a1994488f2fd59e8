/* AT command engine (oFono gatchat's role, with per-command deadlines): a
 * bounded queue with one command in flight on a serial port, answer lines
 * routed by declared prefixes, everything else to the URC registry, prompt
 * commands with a payload written after "> ", reads whose header line
 * announces raw payload bytes, a gap after each final result,
 * resynchronisation (AT, ATE0, AT+CMEE?) at start and
 * after a timeout or a stray final result, and escaped, secret-masked
 * tracing. */
#ifndef CELLSOCK_AT_ATQ_H
#define CELLSOCK_AT_ATQ_H

#include <stddef.h>
#include <stdint.h>

#include "at/result.h"

struct event_base;
struct serial;
struct urc_registry;

#define AT_CMD_MAX		1024	/* longest command line accepted */
#define AT_RESPONSE_MAX_LINES	256	/* further answer lines are dropped */

/* What a command's callback receives; valid only during the callback. */
struct at_response {
	const char *cmd;		/* the command as submitted */
	struct at_result result;	/* final result (may be synthetic) */
	char *const *lines;		/* answer lines in arrival order */
	size_t n_lines;
	const uint8_t *payload;		/* raw bytes read, or NULL */
	size_t payload_len;
	int payload_written;		/* prompt command: the payload went out */
	/* Prompt command past its deadline: CRs were sent to end a payload
	 * the module might still wait for, and it answered, so it sent them
	 * (the result is TIMEOUT either way). */
	int fill_taken;
	size_t fill_len;		/* how many CRs were sent */
};

typedef void (*at_cb)(const struct at_response *, void *arg);
typedef void (*at_destroy)(void *arg);
/* Given the arguments of a raw-prefix line, how many raw bytes follow (>= 0),
 * or -1 when the line does not announce any. */
typedef long (*at_raw_len_fn)(const char *args);

#define AT_CMD_SECRET		0x01	/* mask all arguments in the trace */
#define AT_CMD_NO_CARRIER	0x02	/* NO CARRIER is this command's final
					 * result (a dial or accept that goes online) */
#define AT_CMD_BLOCKING		0x04	/* the module may hold the channel for
					 * long (Telit #SD, #SH, #SGACT; Quectel
					 * QICLOSE, QIACT, QIDEACT, CFUN, QPOWD) */

#define AT_PORTS_MAX		4	/* AT channels (ports) of one engine */

/* How soon a queued command should go (see sched.h): the queue sends
 * URGENT before NORMAL before SLOW, in submission order within a class,
 * with aging so that nothing starves. Zero is NORMAL, so a command
 * initialised with { 0 } is normal. With several channels, SLOW and
 * AT_CMD_BLOCKING commands go to the last channel, the rest to the first. */
enum at_urgency {
	AT_NORMAL = 0,	/* sends, status queries, everything else */
	AT_URGENT,	/* keepalive probes, ack/#SI/QISEND=id,0 polls, reads of live links */
	AT_SLOW,	/* dials, closes, PDP work, radio/reboot, signal polls, bring-up */
};
#define AT_URGENCY_N	3

/* A command to submit; at_submit() copies everything it needs. */
struct at_command {
	const char *cmd;		/* e.g. "AT+CGREG?", without CR */
	/* NULL-terminated prefixes of the answer lines (e.g. "+CGREG:"). NULL:
	 * lines with the prefix derived from the command name (AT+CSQ ->
	 * "+CSQ:") and lines no URC handler claims belong to the command. */
	const char *const *prefixes;
	int timeout_ms;			/* deadline once sent; <= 0: default */
	unsigned flags;			/* AT_CMD_* */
	const void *payload;		/* prompt command: written after "> " */
	size_t payload_len;
	const char *raw_prefix;		/* a line with it announces raw bytes */
	at_raw_len_fn raw_len;
	enum at_urgency urgency;	/* zero: AT_NORMAL */
};

/* Upward reports; any may be NULL. */
struct at_events {
	void (*ready)(void *arg);	/* (re)synchronised with the modem */
	void (*not_answering)(unsigned timeouts, void *arg);
	void (*gone)(int error, void *arg);	/* the port vanished */
};

struct at_params {
	const char *name;		/* for logs, e.g. the device path */
	const struct at_dialect *dialect;
	int gap_ms;			/* quiet time after a final (20) */
	/* After a command times out, the gap becomes this if it is longer
	 * (0: never changes). A module that was not ready for a command sent
	 * too soon is then given the time it needs. */
	int gap_slow_ms;
	unsigned queue_max;		/* queued + in flight (32) */
	int timeout_ms;			/* default command deadline (5000) */
	int resync_timeout_ms;		/* each resync step's deadline (1000) */
	unsigned not_answering_after;	/* consecutive timeouts (3) */
	/* Last resync step: a command whose answer line has a known prefix
	 * (default "AT+CMEE?", "+CMEE:"); a final result that arrives before
	 * that line is a late answer to something older and is ignored, so
	 * the queue cannot stay shifted by stray results. NULL: skip it. */
	const char *sync_probe;
	const char *sync_probe_prefix;
	/* With several channels, each channel's resync also sends this after
	 * ATE0 (default "AT+CMEE=2": the dialect's init sets verbose errors
	 * only on the channel it runs on). NULL: nothing. Not used with one. */
	const char *port_setup;
	/* Aging (see sched.h): a NORMAL or SLOW command that waited this
	 * long goes next (0: never; defaults 10000 and 30000 ms), and so
	 * does the oldest command once max_passes younger ones overtook it
	 * in a row (8). */
	int patience_ms[AT_URGENCY_N];
	unsigned max_passes;
	int trace;			/* log traffic at debug level */
};

/* One channel's queue. */
struct at_chan_stats {
	unsigned queued;		/* user commands queued or in flight now */
	unsigned long urgent_sent;	/* URGENT commands sent */
	/* The longest an URGENT command waited in the queue before it was
	 * sent (ms), since the engine started. */
	unsigned long urgent_wait_max_ms;
};

/* Counters are summed over the channels; chan[] has one entry per channel. */
struct at_stats {
	unsigned long commands;		/* completed, user and internal */
	unsigned long timeouts;
	unsigned long resyncs;
	unsigned long stray;		/* final results nobody waited for */
	unsigned long echoes;
	unsigned long urcs;		/* lines given to the URC registry */
	unsigned long dropped_lines;	/* beyond AT_RESPONSE_MAX_LINES */
	unsigned long overlong;		/* framer: over-long lines dropped */
	unsigned long nul;		/* framer: NUL bytes dropped */
	unsigned long urgent_wait_max_ms;	/* the largest of chan[] */
	unsigned n_chans;
	struct at_chan_stats chan[AT_PORTS_MAX];
};

struct at;

void at_params_default(struct at_params *);
/* Take ownership of an open serial port and start resynchronising. */
struct at *at_new(struct event_base *, struct serial *,
    const struct at_params *, const struct at_events *, void *arg);
/* Add another channel (port) onto the same module, with its own framer,
 * queue and resync; its URCs go to the same registry. Takes ownership of
 * the port; returns the channel's index (1..), or -1 (port closed) when
 * AT_PORTS_MAX are open. Call before the event loop runs the engine. */
int at_add_port(struct at *, struct serial *, const char *name);
unsigned at_ports(const struct at *);		/* channels, >= 1 */
const char *at_port_name(const struct at *, unsigned i);
/* Free the engine and close the port. Every command not yet completed has
 * its destroy function called (not its callback). Safe from callbacks. */
void at_free(struct at *);
/* The event base the engine runs on (for a dialect's own timers). */
struct event_base *at_base(const struct at *);
/* The URC registry to add handlers to. */
struct urc_registry *at_urcs(struct at *);
/* Queue a command. Returns its id (> 0), or 0 when the queue is full, the
 * command line is invalid or the port is gone; then nothing is called and
 * arg stays the caller's. Otherwise cb runs exactly once with the final
 * result (real, TIMEOUT or GONE) unless the command is cancelled, and
 * destroy (if any) runs exactly once in every case. */
unsigned at_submit(struct at *, const struct at_command *, at_cb cb,
    void *arg, at_destroy destroy);
/* Cancel a command: its callback will not run; destroy runs now. A command
 * already sent keeps the engine busy until its answer or deadline.
 * Returns -1 if no such command is pending. */
int at_cancel(struct at *, unsigned id);
/* Resynchronise (every channel) before the next queued command. */
void at_resync(struct at *);
int at_is_synced(const struct at *);		/* every channel */
/* While resynchronising: why the module refused the last resync step (e.g.
 * "the module answers ERROR to AT"), or NULL if it only stayed silent. */
const char *at_sync_trouble(const struct at *);
unsigned at_queue_length(const struct at *);	/* user commands pending, all channels */
int at_gap_ms(const struct at *);		/* the gap after finals now */
void at_set_trace(struct at *, int on);
/* The final results and error numbers to read from now on (a dialect
 * picked after the engine was created, e.g. from +CGMI). */
void at_set_dialect(struct at *, const struct at_dialect *);
void at_get_stats(const struct at *, struct at_stats *);
/* Return the args of the next answer line with the prefix (any line if
 * prefix is NULL) at or after *iter, advancing *iter; NULL at the end. */
const char *at_response_next(const struct at_response *, const char *prefix,
    size_t *iter);

#endif
