/* Inside the AT engine (not for its users: see atq.h). The engine is
 * layered, each file calling only those listed above it:
 *   atq_cmd.c      command objects: copy, free, which lines they own, delivery
 *   atq_write.c    traffic trace; writing the next command after the gap
 *   atq_resync.c   resynchronisation (AT, ATE0, probe) and the late read
 *   atq_deadline.c a command's completion and its deadline
 *   atq_read.c     what the framer reads: lines, finals, prompt, payload
 *   atq_chan.c     several channels: routing; the queue's scheduler (sched.c)
 *   atq.c          the engine object, its event-loop entry points and API
 * With several ports, each channel is a struct at of its own (framer, queue,
 * resync, gap); the first one is the group that users hold: it owns the URC
 * registry, the ids and the deferred free, and routes submissions. */
#ifndef CELLSOCK_AT_ATQ_INT_H
#define CELLSOCK_AT_ATQ_INT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "at/atq.h"
#include "at/framer.h"
#include "at/sched.h"

struct serial;
struct urc_registry;

/* Internal commands run by the resynchronisation. */
enum at_step {
	AT_STEP_NONE,		/* a user command */
	AT_STEP_AT,		/* "AT": is anybody there? */
	AT_STEP_ECHO_OFF,	/* "ATE0" */
	AT_STEP_SETUP,		/* params.port_setup (several channels only) */
	AT_STEP_PROBE,		/* params.sync_probe */
};

struct at_cmd {
	TAILQ_ENTRY(at_cmd) entry;
	unsigned id;
	enum at_step step;
	char *cmd;
	char **prefixes;		/* NULL-terminated copy, or NULL */
	char *auto_prefix;		/* derived from the name, or NULL */
	int timeout_ms;
	unsigned flags;
	enum at_urgency urgency;
	uint64_t queued_ms;		/* when submitted */
	uint8_t *payload;
	size_t payload_len;
	int prompted;			/* payload written */
	int filling;			/* past the deadline: CRs sent, see at_fill */
	int fill_taken;			/* the module answered the CRs: it took them */
	char *raw_prefix;
	at_raw_len_fn raw_len;
	at_cb cb;
	void *arg;
	at_destroy destroy;
	int cancelled;			/* destroy already ran */
	char **lines;
	size_t n_lines;
	uint8_t *rx;			/* raw payload collected */
	size_t rx_len, rx_cap;
};
TAILQ_HEAD(at_cmd_list, at_cmd);

enum at_sync { AT_SYNC_RUNNING, AT_SYNC_OK };

struct at {
	struct event_base *base;
	struct serial *serial;
	struct framer framer;
	struct urc_registry *urcs;
	struct at_params p;
	char *name;
	char *sync_probe, *sync_probe_prefix, *port_setup;
	struct at *group;		/* the first channel (itself there) */
	struct at *ports[AT_PORTS_MAX];	/* in the group: every channel */
	unsigned n_ports;		/* in the group */
	struct at_sched sched;
	struct at_chan_stats cstats;
	struct at_events ev;
	void *ev_arg;
	struct at_cmd_list queue;
	struct at_cmd *current;
	struct at_cmd *late;		/* a timed-out read that may still answer */
	int late_reading;		/* its payload is coming in */
	struct event *ev_deadline;
	struct event *ev_next;
	unsigned next_id;
	unsigned n_user;		/* user commands queued or in flight */
	enum at_sync sync;
	unsigned timeouts_in_row;
	int reported;			/* not_answering sent for this streak */
	int gone;
	int depth;			/* inside callbacks from the loop */
	int dead;			/* at_free() deferred */
	uint64_t last_final_ms;
	uint64_t resync_hold_ms;	/* no resync "AT" before this (paced) */
	char refused[96];		/* "the module answers ERROR to AT", or "" */
	struct at_stats stats;
};

/* atq_cmd.c */
int at_cmd_valid(const char *cmd);
struct at_cmd *at_cmd_new(struct at *, const struct at_command *);
void at_cmd_free(struct at_cmd *);
void at_cmd_cancel(struct at_cmd *);
void at_cmd_drop(struct at_cmd *);
int at_cmd_owns(struct at *, struct at_cmd *, const char *line);
void at_cmd_add_line(struct at *, struct at_cmd *, const char *line);
void at_deliver(struct at *, struct at_cmd *, const struct at_result *);

/* atq_write.c */
void at_trace(struct at *, const char *dir, const void *buf, size_t len);
void at_trace_masked(struct at *, const char *dir, const char *line, int all,
    const char *suffix);
void at_kick(struct at *);
void at_arm(struct at *, int ms);
void at_send(struct at *, struct at_cmd *);

/* atq_resync.c */
void at_resync_begin(struct at *, const char *why);
void at_resync_step(struct at *, enum at_step, const struct at_result *);
int at_keep_late(struct at *, struct at_cmd *);
int at_late_line(struct at *, const char *line);
void at_late_finish(struct at *, enum at_final_kind);

/* atq_deadline.c */
void at_complete(struct at *, const struct at_result *);
void at_deadline_passed(struct at *, struct at_cmd *);

/* atq_read.c */
void at_handle_event(struct at *, const struct framer_event *);

/* atq_chan.c */
struct at *at_route(struct at *group, const struct at_command *);
struct at_cmd *at_next(struct at *);

#endif
