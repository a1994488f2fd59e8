/* Inside the Telit personality: its firmware details and command handlers.
 * Files, lower to higher: cmd_ip.c (with the shared socket helpers) <
 * cmd_sock.c, cmd_gen.c, profile.c < personality.c (the table). */
#ifndef MODEMSIM_TELIT_CMD_H
#define MODEMSIM_TELIT_CMD_H

#include "modemsim/core/modem.h"
#include "modemsim/core/personality.h"
#include "modemsim/core/profile.h"

#define TELIT_SOCK_COUNT 6	/* connId 1..6 */
#define TELIT_PDP_COUNT 5	/* cid 1..5 */

/* What differs between Telit firmwares beyond struct profile. */
struct telit_fw {
	const char *package;		/* #SWPKGV line 1 */
	const char *params;		/* #SWPKGV line 3: production parameters */
	const char *appfw;		/* #SWPKGV line 4 */
	int ss_max_state;		/* highest #SS state: 5 (HE910) or 7 (LE910) */
	int has_nocarrier_mode;		/* #SCFGEXT2 takes a 6th parameter */
	int has_scfgext3;		/* #SCFGEXT3 exists (immRsp) */
	int sgact_needs_socket;		/* #SGACT: ERROR unless #SCFG ties a socket to the cid */
	int has_ss_id;			/* AT#SS=<connId> exists (not on UC864: bare AT#SS only) */
};

/* Telit state of one module (m->vendor). */
struct telit_state {
	int selint;			/* #SELINT */
	int pending_cid;		/* #SGACT waiting for --sgact-delay */
	int ping_left, ping_seq, ping_reach, ping_timeout;
	char ping_addr[64];
};

static inline struct telit_state *
telit_st(struct modem *m)
{
	return m->vendor;
}

static inline const struct telit_fw *
telit_fw(const struct modem *m)
{
	return m->prof->vendor;
}

/* profile.c */
#define TELIT_NPROFILES 4
extern const struct profile telit_profiles[TELIT_NPROFILES];
#define TELIT_PROFILE_DEFAULT "he910-12.00.006"

/* cmd_ip.c: the connId in argument 0, or NULL; the #SS state number. */
struct sock *telit_sock(struct modem *m, const struct at_args *a);
int telit_ss_state(const struct modem *m, const struct sock *s, int online);
/* Exec: line() for every socket; "=<connId>": for that one. */
enum at_res telit_per_sock(struct modem *m, const struct at_cmd *cmd, const struct at_args *a,
    void (*line)(struct modem *, const struct sock *));

/* cmd_gen.c */
cmd_fn telit_ati, telit_cgmi, telit_swpkgv, telit_ccid, telit_selint;
/* cmd_ip.c */
cmd_fn telit_scfg, telit_scfgext, telit_scfgext2, telit_scfgext3, telit_sgact;
cmd_fn telit_slastclosure;
/* cmd_sock.c */
cmd_fn telit_sd, telit_sh, telit_so, telit_ss, telit_si, telit_ssend, telit_ssendext;
cmd_fn telit_srecv, telit_ping;

#endif
