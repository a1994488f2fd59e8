/* Inside the Quectel personality: its firmware details, per-module state
 * and command handlers. Files, lower to higher: cmd_ctx.c (with the shared
 * helpers) < cmd_sock.c, cmd_gen.c, profile.c < personality.c (the table). */
#ifndef MODEMSIM_QUECTEL_CMD_H
#define MODEMSIM_QUECTEL_CMD_H

#include "modemsim/core/modem.h"
#include "modemsim/core/personality.h"
#include "modemsim/core/profile.h"
#include "modemsim/core/sock.h"

#define QUECTEL_SOCK_MAX 11	/* connectID 0..11 */
#define QUECTEL_PDP_COUNT 16	/* contextID 1..16 */
#define QUECTEL_SEND_MAX 1460	/* +QISEND=<id>,<len> */
#define QUECTEL_READ_MAX 1500	/* +QIRD=<id>,<len> */

#define QUECTEL_PORT_NAMES 3

/* What differs between Quectel modules beyond struct profile. */
struct quectel_fw {
	/* The names of the simulator's ports 0, 1, 2 (+QISTATE <AT_port>,
	 * +QURCCFG "urcport"): "usbat", "usbmodem", "uart1". */
	const char *at_port[QUECTEL_PORT_NAMES];
	int ka_idle_unit_s;		/* +QICFG "tcp/keepalive" idle_time unit */
	int ka_idle_max;		/* its range 1..ka_idle_max */
};

/* +QICSGP of one context (the APN is in the core's struct pdp_ctx). */
struct quectel_ctx {
	int type;			/* 1 IPv4, 2 IPv6, 3 IPv4v6 */
	char user[64], pwd[64];
	int auth;			/* 0 none, 1 PAP, 2 CHAP, 3 PAP or CHAP */
};

/* Quectel state of one module (m->vendor); factory values on reboot. */
struct quectel_state {
	struct quectel_ctx ctx[PDP_MAX + 1];
	int closing[SOCK_SLOTS];	/* "closed" reported: state 4 until +QICLOSE */
	int ka_enable, ka_idle, ka_interval, ka_probes;	/* +QICFG "tcp/keepalive" */
	int last_err;			/* +QIGETERROR */
	int qisde;			/* +QISDE (accepted; data is never echoed) */
	int pending_ctx;		/* +QIACT waiting for --sgact-delay */
};

static inline struct quectel_state *
quectel_st(struct modem *m)
{
	return m->vendor;
}

static inline const struct quectel_fw *
quectel_fw(const struct modem *m)
{
	return m->prof->vendor;
}

/* profile.c */
#define QUECTEL_NPROFILES 3
extern const struct profile quectel_profiles[QUECTEL_NPROFILES];
#define QUECTEL_PROFILE_DEFAULT "bg96"

/* cmd_ctx.c: the connectID in argument i, or NULL; the +QISTATE state; the
 * text of an IP error code (550..574), or NULL. */
struct sock *quectel_sock(struct modem *m, const struct at_args *a, int i);
int quectel_state(const struct modem *m, const struct sock *s, int online);
const char *quectel_err_text(int code);
/* Remember code for +QIGETERROR; returns code. */
int quectel_error(struct modem *m, int code);
/* The name of port idx ("usbat"); a port past the names gets the first. */
const char *quectel_port_name(const struct modem *m, int idx);

/* cmd_ctx.c */
cmd_fn quectel_qicsgp, quectel_qiact, quectel_qideact;
/* cmd_gen.c */
cmd_fn quectel_ati, quectel_cgmi, quectel_qpowd, quectel_qicfg, quectel_qigeterror;
cmd_fn quectel_qisde, quectel_qccid, quectel_qurccfg;
/* cmd_sock.c */
cmd_fn quectel_qiopen, quectel_qiclose, quectel_qistate, quectel_qisend, quectel_qird;

#endif
