/* cellsock-modemsim: the top-level context. One struct sim holds the event
 * base and every part of the simulated module; each part gets it explicitly. */
#ifndef MODEMSIM_SIM_H
#define MODEMSIM_SIM_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evbuffer;
struct profile;
struct port;
struct modem;
struct stack;
struct ctl;
struct trace;
struct script;
struct sim_personality;

/* Everything the command line sets; defaults in sim_options_init(). */
struct sim_options {
	const char *link;		/* --link: symlink to the pty slave */
	const char *control;		/* --control: Unix socket for faults */
	const char *trace;		/* --trace: transcript file */
	const char *script;		/* --script: timed faults */
	const struct profile *profile;	/* --firmware */
	unsigned long baud;		/* --baud: 0 = unpaced */
	int jam_after;			/* --jam-after: overlaps before the jam (0 = never) */
	unsigned jam_clear_ms;		/* --jam-clear: the jam clears by itself (0 = never) */
	unsigned sgact_delay_ms;	/* --sgact-delay: #SGACT / +QIACT activation time */
	unsigned close_defer_ms;	/* --close-defer: 12.00.004 FIN deferral */
	unsigned reg_delay_ms;		/* --reg-delay: boot to registered */
	unsigned reboot_ms;		/* --reboot-time: AT#REBOOT / +CFUN=1,1 */
	unsigned ready_delay_ms;	/* --ready-delay: boot to the boot URCs (RDY);
					 * AT commands are answered meanwhile */
	unsigned sh_timeout_ms;		/* --sh-timeout: #SH waits this long for the FIN's ACK */
	unsigned long seed;		/* --seed: random bytes, IMEI */
	const char *pin;		/* --pin: the SIM asks for this PIN */
	const char *bind;		/* --bind: source address of the sockets */
	const char *pdp_ip;		/* --pdp-ip: address #SGACT reports */
	const char *operator_name;	/* --operator */
	int roaming;			/* --roaming: register with stat 5 */
	size_t rx_buffer;		/* --rx-buffer: per socket, bytes for #SRECV */
	size_t tx_buffer;		/* --tx-buffer: per socket, unsent bytes */
	int line_max;			/* --line-max: 0 = the profile's */
	int ports;			/* --ports: AT ports onto the module (1..4) */
	unsigned min_gap_ms;		/* --min-gap: a line begun sooner after a
					 * final result is ignored */
	int verbose;
};

#define SIM_PORTS_MAX 4	/* --ports */
#define SIM_HISTORY 512	/* event lines kept for the "events" control command */

struct sim {
	struct event_base *base;
	const struct sim_personality *pers;	/* the vendor the module plays */
	struct sim_options opt;
	struct trace *trace;
	struct port *port[SIM_PORTS_MAX];	/* --ports of them */
	int nports;
	struct modem *modem;
	struct stack *stack;
	struct ctl *ctl;
	struct script *script;
	uint64_t rng;
	uint64_t start_ms;
	char *history[SIM_HISTORY];	/* ring of event lines */
	int hist_next;
	int hist_count;
};

/* Defaults, with the personality's default firmware profile. */
void sim_options_init(struct sim_options *opt, const struct sim_personality *pers);
/* The profile of pers named name, or NULL. */
const struct profile *sim_profile(const struct sim_personality *pers, const char *name);
/* Log one timestamped event line ("fault drop 1", "event overlap n=2") on
 * stderr, in the trace and in the history the control socket shows. */
void sim_event(struct sim *sim, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write the last n event lines (all when n <= 0) to out. */
void sim_history(struct sim *sim, int n, struct evbuffer *out);
/* The next number of the simulator's seeded generator. */
uint32_t sim_random(struct sim *sim);

#endif
