/* Quectel sockets in buffer access mode: open (+QIOPEN, the result comes
 * as a URC), close (+QICLOSE blocks until the FIN is acknowledged), state
 * (+QISTATE), send (+QISEND with the kernel's counters) and read (+QIRD). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/sim.h"
#include "modemsim/core/sock.h"
#include "quectel_cmd.h"

#define QUECTEL_OPEN_MS		150000	/* +QIOPEN gives up after 150 s */
#define QUECTEL_CLOSE_S		10	/* +QICLOSE default timeout */

/* The slot takes the module's settings for a new connection: context,
 * no inactivity close, open after the peer's FIN until +QICLOSE, keepalive. */
static void
quectel_sock_setup(struct modem *m, struct sock *s, int cid)
{
	const struct quectel_state *q = quectel_st(m);

	sock_default_cfg(&s->cfg);
	s->cfg.cid = cid;
	s->cfg.maxto = 0;
	s->cfg.connto = QUECTEL_OPEN_MS / 100;
	if (q->ka_enable) {
		s->cfg.ka_idle_s = q->ka_idle * quectel_fw(m)->ka_idle_unit_s;
		s->cfg.ka_interval_s = q->ka_interval;
		s->cfg.ka_probes = q->ka_probes;
	}
}

/* The outcome of +QIOPEN as its URC, after the OK. */
static enum at_res
quectel_open_urc(struct modem *m, int id, int err)
{
	modem_urc(m, "+QIOPEN: %d,%d", id, quectel_error(m, err));
	return RES_OK;
}

/* AT+QIOPEN=<ctx>,<id>,"TCP","<host>",<rport>[,<lport>[,<access_mode>]]:
 * OK at once, then +QIOPEN: <id>,<err>. Only TCP in buffer mode (0). */
enum at_res
quectel_qiopen(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	const char *type = at_arg_str(a, 2), *host = at_arg_str(a, 3);
	int cid = 0, port = 0, lport = 0, access = 0, rc;
	struct sock *s;

	if (cmd->type != AT_SET || a->argc < 5 || a->argc > 7 ||
	    cmd_int(a, 0, 1, QUECTEL_PDP_COUNT, 0, &cid) == -1 ||
	    (s = quectel_sock(m, a, 1)) == NULL || type == NULL || host == NULL ||
	    cmd_int(a, 4, 1, 65535, 0, &port) == -1 || cmd_int(a, 5, 0, 65535, 1, &lport) == -1 ||
	    cmd_int(a, 6, 0, 2, 1, &access) == -1)
		return RES_ERROR;
	if (strcasecmp(type, "TCP") != 0 || access != 0)
		return modem_cme(m, quectel_error(m, 555));
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (quectel_state(m, s, 0) != 0)
		return quectel_open_urc(m, s->id, 563);
	if (!m->pdp[cid].active)
		return quectel_open_urc(m, s->id, 561);
	quectel_sock_setup(m, s, cid);
	modem_sock_own(m, s);
	if ((rc = sock_connect(s, host, port, 1, 255, 1)) != 0)
		return quectel_open_urc(m, s->id, rc == 558 ? 565 : rc == 557 ? 554 : 566);
	return RES_OK;
}

/* AT+QICLOSE=<id>[,<timeout>]: the FIN, and no answer (nothing else runs)
 * until it is acknowledged or the timeout passed; the slot is Initial again. */
enum at_res
quectel_qiclose(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int timeout = QUECTEL_CLOSE_S;
	struct sock *s;

	if (cmd->type != AT_SET || a->argc > 2 || (s = quectel_sock(m, a, 0)) == NULL ||
	    cmd_int(a, 1, 0, 65535, 1, &timeout) == -1)
		return RES_ERROR;
	quectel_st(m)->closing[s->id] = 0;
	if (s->phase == SOCK_CLOSED)
		return RES_OK;
	sim_event(m->sim, "event", "socket %d: +QICLOSE, waiting up to %d s", s->id, timeout);
	modem_sock_own(m, s);
	return sock_shutdown(s, (unsigned)timeout * 1000) ? RES_OK : RES_PENDING;
}

/* +QISTATE: <id>,"TCP","<ip>",<rport>,<lport>,<state>,<ctx>,<serverID>,
 * <access_mode>,"<AT_port>"; nothing for a socket in state 0. */
static void
quectel_qistate_line(struct modem *m, const struct sock *s)
{
	int state = quectel_state(m, s, 0);

	if (state == 0)
		return;
	modem_info(m, "+QISTATE: %d,\"TCP\",\"%s\",%d,%d,%d,%d,0,0,\"%s\"", s->id,
	    s->raddr[0] ? s->raddr : s->rhost, s->rport, s->lport, state, s->cfg.cid,
	    quectel_port_name(m, s->port));
}

/* AT+QISTATE? (and AT+QISTATE): every socket; =0,<ctx>: those on a
 * context; =1,<id>: one. */
enum at_res
quectel_qistate(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int kind = 0, n = 0;

	if (cmd->type == AT_SET && (a->argc != 2 || cmd_int(a, 0, 0, 1, 0, &kind) == -1 ||
	    cmd_int(a, 1, kind == 0 ? 1 : 0, kind == 0 ? QUECTEL_PDP_COUNT : QUECTEL_SOCK_MAX,
	    0, &n) == -1))
		return RES_ERROR;
	if (cmd->type == AT_SET && kind == 1) {
		quectel_qistate_line(m, &m->sock[n]);
		return RES_OK;
	}
	for (int i = 0; i <= QUECTEL_SOCK_MAX; i++)
		if (cmd->type != AT_SET || m->sock[i].cfg.cid == n)
			quectel_qistate_line(m, &m->sock[i]);
	return RES_OK;
}

/* AT+QISEND=<id>,0: +QISEND: <total_send>,<acked>,<unacked>, unacked being
 * what the kernel and the module still hold. */
static enum at_res
quectel_qisend_query(struct modem *m, const struct sock *s)
{
	size_t unacked = sock_ack_waiting(s);

	if (quectel_state(m, s, 0) == 0)
		return RES_ERROR;
	if (unacked > s->sent)
		unacked = (size_t)s->sent;
	modem_info(m, "+QISEND: %llu,%llu,%zu", (unsigned long long)s->sent,
	    (unsigned long long)(s->sent - unacked), unacked);
	return RES_OK;
}

/* AT+QISEND=<id>,<len>: "> ", exactly len bytes, SEND OK / SEND FAIL;
 * AT+QISEND=<id>: "> ", bytes up to Ctrl-Z (ESC cancels); =<id>,0: counters. */
enum at_res
quectel_qisend(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;
	int len = -1;

	if (cmd->type != AT_SET || a->argc > 2 || (s = quectel_sock(m, a, 0)) == NULL ||
	    cmd_int(a, 1, 0, QUECTEL_SEND_MAX, 1, &len) == -1)
		return RES_ERROR;
	if (len == 0)
		return quectel_qisend_query(m, s);
	if (s->phase != SOCK_OPEN || s->remote_closed) {
		quectel_error(m, 567);
		return RES_ERROR;
	}
	modem_start_prompt(m, s->id, len > 0, len > 0 ? (size_t)len : 0);
	return RES_PROMPT;
}

/* AT+QIRD=<id>[,<len>]: +QIRD: <n>, n raw bytes, OK (+QIRD: 0 when empty);
 * =<id>,0: +QIRD: <total>,<read>,<unread>. Emptying the buffer re-arms the
 * "recv" URC. */
enum at_res
quectel_qird(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	unsigned char buf[QUECTEL_READ_MAX];
	int len = QUECTEL_READ_MAX;
	struct sock *s;
	size_t n;

	if (cmd->type != AT_SET || a->argc > 2 || (s = quectel_sock(m, a, 0)) == NULL ||
	    cmd_int(a, 1, 0, QUECTEL_READ_MAX, 1, &len) == -1 || quectel_state(m, s, 0) == 0)
		return RES_ERROR;
	if (len == 0) {
		modem_info(m, "+QIRD: %llu,%llu,%zu", (unsigned long long)s->received,
		    (unsigned long long)(s->received - sock_buff_in(s)), sock_buff_in(s));
		return RES_OK;
	}
	n = sock_recv(s, buf, (size_t)len);
	if (sock_buff_in(s) == 0)
		s->sring_sent = 0;
	if (n == 0) {
		modem_info(m, "+QIRD: 0");
		return RES_OK;
	}
	modem_info_head(m, "+QIRD: %zu", n);
	modem_info_raw(m, buf, n);
	sock_consumed(s);
	return RES_OK;
}
