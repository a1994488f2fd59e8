/* Telit IP Easy configuration: socket settings (#SCFG, #SCFGEXT,
 * #SCFGEXT2, #SCFGEXT3), context activation (#SGACT), #SLASTCLOSURE, and
 * the socket helpers the other Telit files share. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include <event2/buffer.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/conn.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/profile.h"
#include "modemsim/core/sim.h"
#include "telit_cmd.h"

/* The connId in argument 0 (1..6), or NULL. */
struct sock *
telit_sock(struct modem *m, const struct at_args *a)
{
	long id;

	if (at_arg_int(a, 0, 1, TELIT_SOCK_COUNT, &id) != 1)
		return NULL;
	return &m->sock[id];
}

#define CFG(field) offsetof(struct sock_cfg, field)

/* One parameter of a socket configuration command: where it goes in
 * struct sock_cfg, its range, and whether it may be left out. */
struct telit_cfg_param {
	size_t off;
	long min, max;
	int opt;
};

/* #SCFG, #SCFGEXT, #SCFGEXT2, #SCFGEXT3: "<connId>,<params...>". */
struct telit_cfg_cmd {
	const char *name;
	int minargs, maxargs;		/* with the connId */
	struct telit_cfg_param p[5];	/* maxargs - 1 of them */
};

static const struct telit_cfg_cmd telit_scfg_cmd = { "#SCFG", 6, 6, {
	{ CFG(cid), 0, TELIT_PDP_COUNT, 0 }, { CFG(pktsz), 0, 1500, 0 }, { CFG(maxto), 0, 65535, 0 },
	{ CFG(connto), 10, 1200, 0 }, { CFG(txto), 0, 256, 0 } } };
/* srMode 0 (SRING: <id>) and 1 (SRING: <id>,<pending>); keepalive in minutes
 * becomes TCP keepalive on the next connection. */
static const struct telit_cfg_cmd telit_scfgext_cmd = { "#SCFGEXT", 4, 6, {
	{ CFG(srmode), 0, 1, 0 }, { CFG(recv_hex), 0, 1, 0 }, { CFG(keepalive), 0, 240, 0 },
	{ CFG(listen_auto), 0, 1, 1 }, { CFG(send_hex), 0, 1, 1 } } };
/* The 6th parameter (noCarrierMode) exists on LE910 only. */
static const struct telit_cfg_cmd telit_scfgext2_cmd = { "#SCFGEXT2", 2, 6, {
	{ CFG(buffer_start), 0, 1, 0 }, { CFG(abort_conn), 0, 1, 1 }, { CFG(sring_len), 0, 1, 1 },
	{ CFG(sring_to), 0, 10, 1 }, { CFG(nocarrier_mode), 0, 2, 1 } } };
/* LE910 only: immRsp 1 makes a command-mode #SD answer OK at once. */
static const struct telit_cfg_cmd telit_scfgext3_cmd = { "#SCFGEXT3", 2, 3, {
	{ CFG(imm_rsp), 0, 1, 0 }, { CFG(closure_cmd), 0, 1, 1 } } };

static int *
telit_cfg_field(struct sock_cfg *c, const struct telit_cfg_param *p)
{
	return (int *)((char *)c + p->off);
}

/* One read line: "<name>: <id>,<v1>,...,<v(nparams)>". */
static void
telit_cfg_line(struct modem *m, const struct telit_cfg_cmd *d, struct sock *s, int nparams)
{
	char line[128];
	size_t len;

	len = (size_t)snprintf(line, sizeof(line), "%s: %d", d->name, s->id);
	for (int i = 0; i < nparams && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, ",%d",
		    *telit_cfg_field(&s->cfg, &d->p[i]));
	modem_info(m, "%s", line);
}

/* Read every socket's values, or set one socket's (all or nothing);
 * maxargs is d->maxargs or fewer where the firmware lacks the last. */
static enum at_res
telit_cfg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a,
    const struct telit_cfg_cmd *d, int maxargs)
{
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= TELIT_SOCK_COUNT; i++)
			telit_cfg_line(m, d, &m->sock[i], maxargs - 1);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < d->minargs ||
	    a->argc > maxargs)
		return RES_ERROR;
	c = s->cfg;
	for (int i = 0; i < d->maxargs - 1; i++)
		if (cmd_int(a, i + 1, d->p[i].min, d->p[i].max, d->p[i].opt,
		    telit_cfg_field(&c, &d->p[i])) == -1)
			return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

enum at_res
telit_scfg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return telit_cfg(m, cmd, a, &telit_scfg_cmd, telit_scfg_cmd.maxargs);
}

enum at_res
telit_scfgext(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return telit_cfg(m, cmd, a, &telit_scfgext_cmd, telit_scfgext_cmd.maxargs);
}

enum at_res
telit_scfgext2(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return telit_cfg(m, cmd, a, &telit_scfgext2_cmd, telit_fw(m)->has_nocarrier_mode ? 6 : 5);
}

enum at_res
telit_scfgext3(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (!telit_fw(m)->has_scfgext3)
		return RES_ERROR;
	return telit_cfg(m, cmd, a, &telit_scfgext3_cmd, telit_scfgext3_cmd.maxargs);
}

/* --sgact-delay later: the context is up (if the network still is). */
static void
telit_sgact_done(struct modem *m)
{
	int cid = telit_st(m)->pending_cid;

	if (!modem_data_path(m)) {
		modem_finish(m, modem_cme(m, 555));
		return;
	}
	m->pdp[cid].active = 1;
	sim_event(m->sim, "event", "pdp %d active %s", cid, modem_local_ip(m, cid));
	modem_info(m, "#SGACT: %s", modem_local_ip(m, cid));
	modem_finish(m, RES_OK);
}

/* Activation: SIM, registration, a defined context and (HE910) a socket
 * tied to the cid are needed; 553 if already active. An effective #SGACT
 * also sends the FINs 12.00.004 deferred. */
static enum at_res
telit_sgact_on(struct modem *m, int cid)
{
	int tied = 0;

	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (m->pdp[cid].active)
		return modem_cme(m, 553);
	for (int i = 1; i <= TELIT_SOCK_COUNT; i++)
		tied |= m->sock[i].cfg.cid == cid;
	if (!tied && telit_fw(m)->sgact_needs_socket)
		return RES_ERROR;
	if (!m->pdp[cid].defined || !modem_data_path(m))
		return modem_cme(m, 555);
	stack_flush_deferred(m->sim->stack);
	telit_st(m)->pending_cid = cid;
	modem_cmd_timer(m, m->sim->opt.sgact_delay_ms, telit_sgact_done);
	return RES_PENDING;
}

enum at_res
telit_sgact(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long cid, stat;

	if (cmd->type == AT_READ) {
		for (cid = 1; cid <= TELIT_PDP_COUNT; cid++)
			modem_info(m, "#SGACT: %ld,%d", cid, m->pdp[cid].active);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, TELIT_PDP_COUNT, &cid) != 1 ||
	    at_arg_int(a, 1, 0, 1, &stat) != 1 || a->argc > 4)
		return RES_ERROR;
	if (stat == 1)
		return telit_sgact_on(m, (int)cid);
	stack_flush_deferred(m->sim->stack);
	modem_pdp_deactivate(m, (int)cid, 0);
	return RES_OK;
}

static void
telit_slastclosure_line(struct modem *m, const struct sock *s)
{
	modem_info(m, "#SLASTCLOSURE: %d,%d", s->id, s->last_closure);
}

enum at_res
telit_slastclosure(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return telit_per_sock(m, cmd, a, telit_slastclosure_line);
}

/* Exec: one line per socket; "=<connId>": that socket's line. */
enum at_res
telit_per_sock(struct modem *m, const struct at_cmd *cmd, const struct at_args *a,
    void (*line)(struct modem *, const struct sock *))
{
	struct sock *s;

	if (cmd->type == AT_EXEC) {
		for (int i = 1; i <= TELIT_SOCK_COUNT; i++)
			line(m, &m->sock[i]);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	line(m, s);
	return RES_OK;
}

/* #SS state: 0 closed, 1 online, 2 open, 3 open with data waiting, and on
 * parts that have it 7 while connecting. */
int
telit_ss_state(const struct modem *m, const struct sock *s, int online)
{
	switch (s->phase) {
	case SOCK_CLOSED:
	case SOCK_SHUTTING:
		return 0;
	case SOCK_CONNECTING:
		return telit_fw(m)->ss_max_state >= 7 ? 7 : 0;
	case SOCK_OPEN:
		if (online)
			return 1;
		return evbuffer_get_length(s->rxbuf) > 0 ? 3 : 2;
	}
	return 0;
}
