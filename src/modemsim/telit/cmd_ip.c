/* Telit IP Easy configuration: socket settings (#SCFG, #SCFGEXT,
 * #SCFGEXT2, #SCFGEXT3), context activation (#SGACT), #SLASTCLOSURE, and
 * the socket helpers the other Telit files share. */
#include "config.h"

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

	if (at_arg_int(a, 0, 1, SOCK_COUNT, &id) != 1)
		return NULL;
	return &m->sock[id];
}

enum at_res
telit_scfg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++) {
			c = m->sock[i].cfg;
			modem_info(m, "#SCFG: %d,%d,%d,%d,%d,%d", i, c.cid, c.pktsz, c.maxto,
			    c.connto, c.txto);
		}
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc != 6)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, PDP_COUNT, 0, &c.cid) == -1 ||
	    cmd_int(a, 2, 0, 1500, 0, &c.pktsz) == -1 ||
	    cmd_int(a, 3, 0, 65535, 0, &c.maxto) == -1 ||
	    cmd_int(a, 4, 10, 1200, 0, &c.connto) == -1 ||
	    cmd_int(a, 5, 0, 256, 0, &c.txto) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* srMode 0 (SRING: <id>) and 1 (SRING: <id>,<pending>); keepalive in minutes
 * becomes TCP keepalive on the next connection. */
enum at_res
telit_scfgext(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++) {
			c = m->sock[i].cfg;
			modem_info(m, "#SCFGEXT: %d,%d,%d,%d,%d,%d", i, c.srmode, c.recv_hex,
			    c.keepalive, c.listen_auto, c.send_hex);
		}
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < 4 || a->argc > 6)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, 1, 0, &c.srmode) == -1 ||
	    cmd_int(a, 2, 0, 1, 0, &c.recv_hex) == -1 ||
	    cmd_int(a, 3, 0, 240, 0, &c.keepalive) == -1 ||
	    cmd_int(a, 4, 0, 1, 1, &c.listen_auto) == -1 ||
	    cmd_int(a, 5, 0, 1, 1, &c.send_hex) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* The 6th parameter (noCarrierMode) exists on LE910 only. */
enum at_res
telit_scfgext2(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int max = telit_fw(m)->has_nocarrier_mode ? 6 : 5;
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++) {
			c = m->sock[i].cfg;
			if (telit_fw(m)->has_nocarrier_mode)
				modem_info(m, "#SCFGEXT2: %d,%d,%d,%d,%d,%d", i, c.buffer_start,
				    c.abort_conn, c.sring_len, c.sring_to, c.nocarrier_mode);
			else
				modem_info(m, "#SCFGEXT2: %d,%d,%d,%d,%d", i, c.buffer_start,
				    c.abort_conn, c.sring_len, c.sring_to);
		}
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < 2 || a->argc > max)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, 1, 0, &c.buffer_start) == -1 ||
	    cmd_int(a, 2, 0, 1, 1, &c.abort_conn) == -1 ||
	    cmd_int(a, 3, 0, 1, 1, &c.sring_len) == -1 ||
	    cmd_int(a, 4, 0, 10, 1, &c.sring_to) == -1 ||
	    cmd_int(a, 5, 0, 2, 1, &c.nocarrier_mode) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* LE910 only: immRsp 1 makes a command-mode #SD answer OK at once. */
enum at_res
telit_scfgext3(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock_cfg c;
	struct sock *s;

	if (!telit_fw(m)->has_scfgext3)
		return RES_ERROR;
	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++)
			modem_info(m, "#SCFGEXT3: %d,%d,%d", i, m->sock[i].cfg.imm_rsp,
			    m->sock[i].cfg.closure_cmd);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < 2 || a->argc > 3)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, 1, 0, &c.imm_rsp) == -1 || cmd_int(a, 2, 0, 1, 1, &c.closure_cmd) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* --sgact-delay later: the context is up (if the network still is). */
static void
telit_sgact_done(struct modem *m)
{
	int cid = m->pending_cid;

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
	for (int i = 1; i <= SOCK_COUNT; i++)
		tied |= m->sock[i].cfg.cid == cid;
	if (!tied && telit_fw(m)->sgact_needs_socket)
		return RES_ERROR;
	if (!m->pdp[cid].defined || !modem_data_path(m))
		return modem_cme(m, 555);
	stack_flush_deferred(m->sim->stack);
	m->pending_cid = cid;
	modem_cmd_timer(m, m->sim->opt.sgact_delay_ms, telit_sgact_done);
	return RES_PENDING;
}

enum at_res
telit_sgact(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long cid, stat;

	if (cmd->type == AT_READ) {
		for (cid = 1; cid <= PDP_COUNT; cid++)
			modem_info(m, "#SGACT: %ld,%d", cid, m->pdp[cid].active);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, PDP_COUNT, &cid) != 1 ||
	    at_arg_int(a, 1, 0, 1, &stat) != 1 || a->argc > 4)
		return RES_ERROR;
	if (stat == 1)
		return telit_sgact_on(m, (int)cid);
	stack_flush_deferred(m->sim->stack);
	modem_pdp_deactivate(m, (int)cid, 0);
	return RES_OK;
}

enum at_res
telit_slastclosure(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type == AT_EXEC) {
		for (int i = 1; i <= SOCK_COUNT; i++)
			modem_info(m, "#SLASTCLOSURE: %d,%d", i, m->sock[i].last_closure);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	modem_info(m, "#SLASTCLOSURE: %d,%d", s->id, s->last_closure);
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
