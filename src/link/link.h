/* One supervised link: the FSM of PRODUCT.md's link states over one modem
 * socket. The transition table is in link.c; link_enter() is the one place
 * where a state changes (log, timers, event, STATUS=). */
#ifndef CELLSOCK_LINK_H
#define CELLSOCK_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "backoff.h"
#include "notify.h"
#include "dialect/dialect.h"
#include "dialect/opslot.h"
#include "modem/modem.h"
#include "proto.h"

struct conf;
struct event;
struct event_base;
struct modem;
struct conf_link;
struct relay;

/* What can happen to a link. */
enum link_event {
	LEV_START,		/* operator connect, or autostart */
	LEV_STOP,		/* operator disconnect */
	LEV_RECONNECT,		/* operator reconnect */
	LEV_MODEM_READY,	/* the modem can carry sockets */
	LEV_MODEM_DOWN,		/* the modem lost registration, context or port */
	LEV_MODEM_RECOVERING,	/* an escalation step starts */
	LEV_DIAL_OK,		/* socket connected and verified */
	LEV_DIAL_FAILED,
	LEV_DEAD,		/* the connection died (cause in link->cause) */
	LEV_CLOSED,		/* teardown verified */
	LEV_TIMER,		/* backoff or quiet time over, next sub-step */
	LEV_STALE,		/* the modem socket was found open before dialling */
	LEV_COUNT
};

extern const char *const link_event_names[LEV_COUNT];

/* What a link needs from its owner, handed in at link_init and renewed by
 * link_reconfigure: the link never names the daemon. */
struct link_env {
	struct event_base *base;
	struct modem *modem;		/* socket commands, quiet time, escalation */
	const struct notify *news;	/* link-state and link-dead events, STATUS= */
	const char *state_dir;		/* where idle = "auto" keeps what it learned */
	struct backoff_rng *rng;	/* jitter for the reconnect backoff */
	int cid;			/* network.cid: the context sockets use */
	/* For the relay this link creates (relay.c reads them through the link). */
	struct conf *const *conf;	/* the running configuration (control.mode/group) */
	const int *stopping;		/* the daemon is stopping */
};

/* Keepalive (link_keepalive.c): the idle wake-up, probes, the connect check. */
struct link_keepalive {
	struct event *ev_check;		/* connect check: #SI polls after the probe */
	struct event *ev_idle;		/* keepalive.idle without inbound data */
	struct event *ev_reply;		/* keepalive.timeout for a probe's reply */
	struct event *ev_deadline;	/* death deadline from the last sign of
					 * life, whatever the channel does */
	uint64_t probe_want_ms;		/* when the probe was wanted (queued) */
	uint64_t probe_wait_max_ms;	/* longest wanted-to-sent wait */
	unsigned round_sent;		/* probes out since the idle period ended */
	uint64_t own_sent;		/* bytes the link itself sent on this
					 * connection (probes): #SI counts them */
	int probe_out;			/* a probe waits for its reply */
	unsigned missed;		/* probes unanswered in a row */
	uint64_t probe_sent_ms;
	double probe_idle;		/* the idle period before the probe in flight */
	uint64_t check_deadline_ms;
	uint64_t check_acked;		/* ack_waiting seen at the last poll */
	/* The last byte that crossed the network on this connection, either
	 * way (data, probe or reply; never a local status poll): the idle
	 * period and the idle measured at a death both count from it. */
	uint64_t last_net_ms;
	/* accounting */
	uint64_t acct_start_ms;		/* when the accounting below began */
	uint64_t probes_sent, probes_answered, probe_bytes;
	uint64_t rtt_last_ms, rtt_sum_ms;
};

/* idle = "auto" (link_idle.c): the idle period in use and how it is
 * learned. Times in seconds; "now" is the monotonic clock in seconds. */
enum link_idle_mode { IDLE_FIXED, IDLE_LEARNING, IDLE_SETTLED, IDLE_PROBING_UP };

#define IDLE_TRIALS_MAX 24	/* keepalive.idle_trial_deaths_per_day, at most */

struct link_idle {
	double cur;			/* the idle period in force */
	enum link_idle_mode mode;
	double survived;		/* longest idle a probe survived, 0: none */
	double died;			/* shortest idle the network forgot, 0: none */
	double next_trial;		/* probing up may start then (now), 0: never */
	double trial_deaths[IDLE_TRIALS_MAX];	/* when trials died (now) */
	unsigned n_trial_deaths;
	uint64_t trials;		/* probing-up trials started */
};

/* The end of a link for good (link_stop.c): drain, verified close, news. */
enum link_stop_phase {
	LSTOP_NONE,		/* not stopping */
	LSTOP_DRAIN,		/* up: queued bytes still go, until stop_timeout */
	LSTOP_CLOSE,		/* closing, until reconnect.teardown_timeout */
	LSTOP_NOTIFY,		/* idle: the owner is told from the loop */
	LSTOP_DONE,		/* idle, the owner was told */
};

struct link;
typedef void link_stopped_fn(void *arg, struct link *l);

struct link_stop {
	enum link_stop_phase phase;
	const char *why;		/* "stop", "removed" */
	struct event *ev;		/* drain polls, the close deadline, the news */
	uint64_t begun_ms, deadline_ms;
	link_stopped_fn *done;
	void *arg;
};

struct link {
	struct link_env env;
	const struct notify *news;	/* link-state and link-dead events (env.news) */
	/* How the lower link files (steps, keepalive) feed the FSM without
	 * naming link.c: link_event. */
	void (*fire)(struct link *l, enum link_event ev);
	int index;
	const struct conf_link *conf;
	char name[64];
	enum link_state state;
	time_t since;			/* wall clock of the last change */
	uint64_t since_ms;
	int want_up;			/* should be connected */
	int stopped;			/* the operator disconnected it: stays idle */
	int after_close;		/* what LEV_CLOSED leads to: enum link_state */
	int step;			/* sub-step of connecting/closing (link_steps.c) */
	struct opslots ops;		/* replies from an older state are dropped */
	struct modem_client modem_client;	/* attached by link_modem.c */
	struct event *ev_timer;		/* backoff, quiet time, status polls */
	struct event *ev_stable;	/* up for reconnect.stable seconds */
	struct backoff backoff;
	double backoff_delay;		/* the delay in force, seconds */
	uint64_t backoff_until_ms;
	uint64_t close_deadline_ms;
	uint64_t last_dial_ms;		/* dials are never closer than reconnect.min */
	uint32_t attempts;		/* dials since the last stable period */
	uint64_t connects, failures;	/* totals */
	uint64_t dead_by_cause[CAUSE_COUNT];
	enum dead_cause cause;		/* of the last death */
	enum dial_error dial_error;
	uint64_t last_alive_ms;		/* last sign of life */
	int verified;			/* something sent on this connection was acked */
	struct relay *relay;		/* the data path (relay.c) */
	struct link_keepalive ka;
	struct link_idle idle;
	struct link_stop stop;
	char last_error[256];		/* "" when none (cleared when up) */
	time_t last_error_at;		/* when it was set, 0 when none */
};

/* Set up a link (state idle) with what it needs from its owner. */
/* The link's data path, for status and the operator's `send`. */
static inline struct relay *
link_relay(const struct link *l)
{
	return l->relay;
}

void link_init(struct link *l, const struct link_env *env, int index,
    const struct conf_link *conf);
void link_free(struct link *l);
/* A reload kept this link: follow its new configuration and environment. */
void link_reconfigure(struct link *l, const struct link_env *env,
    const struct conf_link *conf);
/* The link left the configuration: close its modem socket, free timers. */
void link_forget(struct link *l);
/* Feed one event to the FSM. */
void link_event(struct link *l, enum link_event ev);
/* The connection died for cause (from URCs, probes, ack watch). */
void link_dead(struct link *l, enum dead_cause cause, const char *why);
/* Remember the last error (printf-style) with the time it happened; it
 * clears when the link is up again. */
void link_set_error(struct link *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How many times the connection died (any cause). */
uint64_t link_deaths(const struct link *l);
/* Seconds left in backoff, 0 if not backing off. */
double link_backoff_left(const struct link *l);
/* The module reported a socket closed (NO CARRIER). named: the URC said
 * which socket; otherwise the link checks whether it is the one. */
void link_remote_closed(struct link *l, int named, enum sock_closure closure);
/* Bytes arrived from the server (the relay calls this before delivering):
 * a sign of life; returns how many leading bytes are a probe reply that
 * must not reach the local application. */
size_t link_inbound(struct link *l, const uint8_t *data, size_t len);
/* Design bounds of detection, seconds (cellsockd.conf(5)). */
double link_bound_idle(const struct link *l);
double link_bound_busy(const struct link *l);
/* How often #SI is read while sent bytes wait for their acknowledgement. */
double link_ack_poll_interval(const struct link *l);
/* The idle period in force (learned with idle = "auto"), and its mode name. */
double link_idle_period(const struct link *l);
const char *link_idle_mode_name(const struct link *l);
/* Bytes on air per day for probes, TCP/IP overhead included (see
 * LINK_PROBE_TCPIP): measured (every probe sent and every reply since the
 * link started), and projected at the current idle period. */
double link_probe_bytes_per_day(const struct link *l);
double link_probe_bytes_per_day_at_idle(const struct link *l);
/* Bytes of TCP/IP headers assumed per segment (IPv4 20 + TCP 20 + the
 * timestamp option 12); each probe and each reply costs one segment and
 * the peer's ACK of it. */
#define LINK_PROBE_TCPIP 52
/* The relay handed bytes to the module for this link's connection. */
void link_net_sent(struct link *l);
/* A send on this link was refused: find out whether the socket closed. */
void link_send_failed(struct link *l);
/* Data arrived (SRING) on this link's socket. */
void link_data(struct link *l, long pending);

#endif
