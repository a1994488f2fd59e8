/* The modem supervisor: opens the port, brings the module up (resync, init,
 * identity, SIM, registration, PDP context), follows it afterwards, and runs
 * the escalation ladder (PDP cycle, radio cycle, module reboot, external
 * hook) when connects keep failing or the module stops answering.
 * The bring-up is a step table (steps.c), run by modem.c; one modem_enter()
 * logs "old -> new (why)", arms the state's timer and tells the clients.
 * Escalation decisions live in escalate.c. Clients (the links) attach to
 * hear the modem's state and the URCs of the socket they own (clients.c). */
#ifndef CELLSOCK_MODEM_H
#define CELLSOCK_MODEM_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include "at/atq.h"
#include "backoff.h"
#include "notify.h"
#include "dialect/dialect.h"
#include "dialect/opslot.h"
#include "modem/escalate.h"
#include "proto.h"

struct conf;
struct event;
struct event_base;
struct at;

enum modem_state {
	MODEM_CLOSED,		/* port not open; a retry is scheduled */
	MODEM_SYNCING,		/* port open, engine resynchronising */
	MODEM_INIT,		/* init commands, identification */
	MODEM_SIM,		/* SIM state, PIN */
	MODEM_REGISTERING,	/* waiting for home or roaming registration */
	MODEM_ATTACHING,	/* PDP context define and activate */
	MODEM_READY,		/* sockets may be used */
	MODEM_RECOVERING,	/* an escalation step runs */
	MODEM_FAILED,		/* a fatal configuration problem (SIM PIN): stays */
	MODEM_STATE_COUNT
};

extern const char *const modem_state_names[MODEM_STATE_COUNT];

/* What the modem tells its clients about its state. */
enum modem_news {
	MODEM_NEWS_READY,	/* sockets may be used */
	MODEM_NEWS_DOWN,	/* sockets are gone */
	MODEM_NEWS_RECOVERING,	/* an escalation step runs */
};

/* A client (a link) hears the modem's state changes and the URCs of the
 * socket it owns. The client owns the storage; attach and detach it. */
struct modem_client_ops {
	void (*modem_state)(void *arg, enum modem_news news);
	/* Data is waiting on the client's socket. */
	void (*sock_data)(void *arg, long pending);
	/* A socket closed: the client's own (named) or one without an id. */
	void (*sock_closed)(void *arg, int named, enum sock_closure closure);
	/* The AT engine was freed: requests in flight will never be answered. */
	void (*engine_gone)(void *arg);
};

struct modem_client {
	const struct modem_client_ops *ops;
	void *arg;
	int sock_id;			/* the modem socket it owns */
	struct modem *modem;		/* attached to; NULL when detached */
	TAILQ_ENTRY(modem_client) entry;
};

TAILQ_HEAD(modem_clients, modem_client);

struct modem {
	struct event_base *base;
	const struct conf *conf;	/* modem, network, recovery, links' quiet time */
	const struct notify *news;	/* modem-state and escalation events */
	struct modem_clients clients;	/* in attach order: configuration order */
	const struct dialect_ops *ops;
	int dialect_known;		/* configured, or identified by +CGMI/+GMI */
	char dialect_reason[160];	/* "configured", "auto: +CGMI answered Quectel" */
	struct at *at;
	enum modem_state state;
	int step;			/* enum modem_step awaiting its reply: within
					 * a state only one step waits (or the same one
					 * twice: the PDP check); a state change drops
					 * older replies */
	struct event *ev_timer;		/* the state's deadline or retry */
	struct backoff reopen;		/* port reopen retries */
	struct backoff_rng *rng;
	struct opslots ops_slots;	/* replies from an older state are dropped */
	struct dialect_listener listener;	/* URC events for this modem */

	struct modem_ident ident;
	enum sim_state sim;
	int pin_tried;			/* the PIN is entered at most once */
	int reg_stat;			/* 3GPP stat, -1 unknown */
	int dbm, rssi;
	char oper[DIALECT_TEXT_MAX];
	char ip[48];
	char last_error[512];		/* "" when none (cleared when ready) */
	time_t last_error_at;		/* when it was set, 0 when none */
	char conf_problem[512];		/* found once the dialect and model are
					 * known: stays the last_error when ready */
	double quiet_time;		/* after every close: config or firmware quirk */
	int gap_ms;			/* after each final result; kept across engines */
	uint64_t quiet_until_ms;	/* no socket/PDP command before this */
	int boot_expected;		/* rebooted, power-cycled or the port came
					 * back: wait for the module's ready URC */
	int booted;			/* that URC came since the port opened */
	uint64_t boot_wait_until_ms;	/* waiting for it until then (0: not) */

	/* escalation, counted over consecutive failed or jammed connects */
	struct escalate esc;
	int step_running;		/* enum escalation_step, -1 none */

	unsigned long opens, losses, timeouts_reported;
	struct at_stats at_retired;	/* counters of engines already freed */
};

/* The modem reads conf until modem_set_conf() gives it another one. */
struct modem *modem_new(struct event_base *base, const struct conf *conf,
    const struct notify *news, struct backoff_rng *rng);
void modem_free(struct modem *m);
/* A reload: the configuration to read from now on (the old one is freed). */
void modem_set_conf(struct modem *m, const struct conf *conf);
/* Clients in attach order; a client attached again moves to the end. */
void modem_attach(struct modem *m, struct modem_client *c);
void modem_detach(struct modem *m, struct modem_client *c);
/* Open the port and start the bring-up. */
void modem_start(struct modem *m);
/* Milliseconds until socket and PDP commands may be sent again (0: now). */
uint64_t modem_quiet_left_ms(const struct modem *m);
/* AT channels (ports) the modem is driven through: with two or more,
 * blocking work (dial, close, PDP) does not hold the live links' channel. */
int modem_channels(const struct modem *m);
/* A socket was verified closed: no socket/PDP command for quiet_time. */
void modem_quiet_begin(struct modem *m);
/* A connect failed or was jammed: count it and maybe escalate. */
void modem_link_failed(struct modem *m, int jammed);
/* A link stayed up for its stable period: the failure streak is over. */
void modem_link_stable(struct modem *m);
/* Operator: run one step now (reset pdp|radio|modem). */
int modem_reset(struct modem *m, enum escalation_step step);
/* The PDP context may be gone (a socket closed with cause PDP): check it. */
void modem_check_pdp(struct modem *m);
/* The largest payload of one send: the module's own limit when it
 * announced one (at most the dialect's max_send_cap), else the dialect's
 * default. */
/* command_gap = "auto": the gap until a command goes unanswered. */
#define MODEM_GAP_AUTO_MS	5
static inline size_t
modem_max_send(const struct modem *m)
{
	if (m->ident.max_send == 0)
		return m->ops->max_send;
	return m->ident.max_send > m->ops->max_send_cap ? m->ops->max_send_cap :
	    m->ident.max_send;
}
/* The AT engine of the open port (NULL while closed) and the dialect that
 * speaks to it: what the modules above use to issue socket commands. */
static inline struct at *
modem_at(const struct modem *m)
{
	return m->at;
}

static inline const struct dialect_ops *
modem_dialect(const struct modem *m)
{
	return m->ops;
}

/* The dialect's socket ids include id (or the dialect is not known yet). */
static inline int
modem_sock_id_ok(const struct modem *m, int id)
{
	return !m->dialect_known || (id >= m->ops->sock_id_min && id <= m->ops->sock_id_max);
}

/* Changes whenever the engine is replaced (the port was reopened): a
 * request made under an older number will never be answered. */
static inline unsigned long
modem_engine_id(const struct modem *m)
{
	return m->opens;
}

/* Names for status output. */
const char *modem_sim_name(const struct modem *m);
const char *modem_reg_name(int stat);
/* Registration lost or regained (URC). */
void modem_registration(struct modem *m, int stat);

#endif
