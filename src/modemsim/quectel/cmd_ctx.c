/* Quectel contexts: +QICSGP, +QIACT, +QIDEACT, and the helpers the other
 * Quectel files share (the connectID argument, the +QISTATE state, the IP
 * error texts). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/sim.h"
#include "modemsim/core/sock.h"
#include "quectel_cmd.h"

static const char *const quectel_err_texts[] = {
	"unknown error", "operation blocked", "invalid parameters", "memory not enough",
	"create socket failed", "operation not supported", "socket bind failed",
	"socket listen failed", "socket write failed", "socket read failed",
	"socket accept failed", "PDP context opening failed", "PDP context closure failed",
	"socket identity has been used", "DNS busy", "DNS parse failed",
	"socket connect failed", "socket has been closed", "operation busy",
	"operation timeout", "PDP context broken down", "cancel sending",
	"operation not allowed", "APN not configured", "port busy",
};

const char *
quectel_err_text(int code)
{
	if (code == 0)
		return "operation successful";
	if (code < 550 || code > 574)
		return NULL;
	return quectel_err_texts[code - 550];
}

int
quectel_error(struct modem *m, int code)
{
	quectel_st(m)->last_err = code;
	return code;
}

/* The connectID in argument i (0..11), or NULL. */
struct sock *
quectel_sock(struct modem *m, const struct at_args *a, int i)
{
	long id;

	if (at_arg_int(a, i, 0, QUECTEL_SOCK_MAX, &id) != 1)
		return NULL;
	return &m->sock[id];
}

/* +QISTATE <socket_state>: 0 Initial, 1 Opening, 2 Connected, 4 Closing
 * (the peer or the network closed it, or +QICLOSE is waiting). */
int
quectel_state(const struct modem *m, const struct sock *s, int online)
{
	const struct quectel_state *q = m->vendor;

	switch (s->phase) {
	case SOCK_CLOSED:
		return q->closing[s->id] ? 4 : 0;
	case SOCK_CONNECTING:
		return 1;
	case SOCK_OPEN:
		return s->remote_closed || q->closing[s->id] ? 4 : 2;
	case SOCK_SHUTTING:
		return 4;
	}
	return 0;
}

/* Read form: AT+QICSGP=<ctx> -> +QICSGP: <type>,"<apn>","<user>","<pwd>",<auth>. */
static void
quectel_qicsgp_line(struct modem *m, int cid)
{
	const struct quectel_ctx *c = &quectel_st(m)->ctx[cid];

	modem_info(m, "+QICSGP: %d,\"%s\",\"%s\",\"%s\",%d", c->type, m->pdp[cid].apn, c->user,
	    c->pwd, c->auth);
}

/* AT+QICSGP=<ctx>,<type>,"<apn>","<user>","<pwd>"[,<auth>]. */
enum at_res
quectel_qicsgp(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	static const char *const types[] = { "", "IP", "IPV6", "IPV4V6" };
	const char *apn = at_arg_str(a, 2), *user = at_arg_str(a, 3), *pwd = at_arg_str(a, 4);
	struct quectel_ctx *c;
	int cid = 0, type = 1, auth = 0;

	if (cmd->type != AT_SET || cmd_int(a, 0, 1, QUECTEL_PDP_COUNT, 0, &cid) == -1)
		return RES_ERROR;
	if (a->argc == 1) {
		quectel_qicsgp_line(m, cid);
		return RES_OK;
	}
	if (a->argc > 6 || cmd_int(a, 1, 1, 3, 0, &type) == -1 || apn == NULL ||
	    cmd_int(a, 5, 0, 3, 1, &auth) == -1 || strlen(apn) >= sizeof(m->pdp[cid].apn) ||
	    (user != NULL && strlen(user) >= sizeof(c->user)) ||
	    (pwd != NULL && strlen(pwd) >= sizeof(c->pwd)))
		return RES_ERROR;
	c = &quectel_st(m)->ctx[cid];
	c->type = type;
	c->auth = auth;
	snprintf(c->user, sizeof(c->user), "%s", user != NULL ? user : "");
	snprintf(c->pwd, sizeof(c->pwd), "%s", pwd != NULL ? pwd : "");
	m->pdp[cid].defined = 1;
	snprintf(m->pdp[cid].type, sizeof(m->pdp[cid].type), "%s", types[type]);
	snprintf(m->pdp[cid].apn, sizeof(m->pdp[cid].apn), "%s", apn);
	return RES_OK;
}

/* --sgact-delay later: the context is up, unless the network went away. */
static void
quectel_qiact_done(struct modem *m)
{
	int cid = quectel_st(m)->pending_ctx;

	if (!modem_data_path(m)) {
		modem_finish(m, modem_cme(m, quectel_error(m, 561)));
		return;
	}
	m->pdp[cid].active = 1;
	sim_event(m->sim, "event", "pdp %d active %s", cid, modem_local_ip(m, cid));
	modem_finish(m, RES_OK);
}

/* AT+QIACT=<ctx> (takes --sgact-delay); AT+QIACT? lists the active ones. */
enum at_res
quectel_qiact(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int cid = 0;

	if (cmd->type == AT_READ) {
		for (cid = 1; cid <= QUECTEL_PDP_COUNT; cid++)
			if (m->pdp[cid].active)
				modem_info(m, "+QIACT: %d,1,%d,\"%s\"", cid,
				    quectel_st(m)->ctx[cid].type, modem_local_ip(m, cid));
		return RES_OK;
	}
	if (cmd->type != AT_SET || a->argc != 1 ||
	    cmd_int(a, 0, 1, QUECTEL_PDP_COUNT, 0, &cid) == -1)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (m->pdp[cid].active)
		return RES_ERROR;
	if (!modem_data_path(m))
		return modem_cme(m, quectel_error(m, 561));
	quectel_st(m)->pending_ctx = cid;
	modem_cmd_timer(m, m->sim->opt.sgact_delay_ms, quectel_qiact_done);
	return RES_PENDING;
}

/* AT+QIDEACT=<ctx>: the context goes down and its sockets back to Initial
 * (no "closed" URCs: the host asked for it). */
enum at_res
quectel_qideact(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int cid = 0;

	if (cmd->type != AT_SET || a->argc != 1 ||
	    cmd_int(a, 0, 1, QUECTEL_PDP_COUNT, 0, &cid) == -1)
		return RES_ERROR;
	modem_pdp_deactivate(m, cid, 0);
	for (int i = 0; i <= QUECTEL_SOCK_MAX; i++) {
		if (m->sock[i].cfg.cid == cid && m->sock[i].phase == SOCK_CLOSED)
			quectel_st(m)->closing[i] = 0;
	}
	return RES_OK;
}
