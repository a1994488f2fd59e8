/* The Telit "IP Easy" dialect (HE910, UC864, LE910, ME910): the supervisor's
 * operations as AT commands (which answer each one expects: telit_answer.h,
 * how they are queued and answered together: dialect/batch.h), its URCs as
 * dialect events, and its known-bad firmware. Formats:
 * shared/reference/at-commands.md. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at/atq.h"
#include "at/urc.h"
#include "conf/conf.h"
#include "dialect/batch.h"
#include "dialect/dialect.h"
#include "dialect/telit/telit.h"
#include "dialect/telit/telit_answer.h"
#include "dialect/telit/telit_lines.h"
#include "dialect/telit/telit_parse.h"

#define TELIT_SGACT_TIMEOUT_MS 155000	/* activation may take 150 s */
#define TELIT_DEACT_TIMEOUT_MS 45000
#define TELIT_CFUN_TIMEOUT_MS 20000
#define TELIT_SEND_TIMEOUT_MS 20000
#define TELIT_CPIN_TIMEOUT_MS 20000
#define TELIT_DIAL_MARGIN_MS 15000	/* AT deadline of #SD beyond connTo */
#define TELIT_CONNTO_MIN 10		/* #SCFG connTo, tenths of a second */
#define TELIT_CONNTO_MAX 1200
#define TELIT_MAX_SEND 1024		/* safe on old firmware (1500 on newer) */

/* ---- URCs ---- */

static void
telit_urc_sring(const char *line, const char *args, void *arg)
{
	struct dialect_listener *l = arg;
	struct telit_sring s;

	if (telit_parse_sring(line, &s) != 0 || s.incoming)
		return;
	l->ev->data(s.conn_id, s.mode >= 1 ? s.pending : -1, l->arg);
}

static void
telit_urc_no_carrier(const char *line, const char *args, void *arg)
{
	struct dialect_listener *l = arg;
	struct telit_no_carrier nc;

	if (telit_parse_no_carrier(line, &nc) != 0)
		return;
	l->ev->closed(nc.conn_id > 0 ? nc.conn_id : -1, telit_closure(nc.cause), l->arg);
}

static void
telit_urc_reg(const char *line, const char *args, void *arg)
{
	struct dialect_listener *l = arg;
	struct telit_reg reg;

	if (telit_parse_reg(line, TELIT_REG_URC, &reg) == 0)
		l->ev->registration(reg.stat, l->arg);
}

static void
telit_attach(struct at *at, struct dialect_listener *listener)
{
	struct urc_registry *u = at_urcs(at);

	urc_add(u, "SRING:", telit_urc_sring, listener);
	urc_add(u, "NO CARRIER", telit_urc_no_carrier, listener);
	urc_add(u, "+CGREG:", telit_urc_reg, listener);
	urc_add(u, "+CEREG:", telit_urc_reg, listener);
}

/* ---- operations ---- */

static void
telit_init(struct at *at, const struct conf_modem *conf, dialect_cb *cb, void *arg)
{
	static const char *const flow[] = { "AT&K0", "AT&K3", "AT&K4" };
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CMEE=2" };
	int refused = 0;

	refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, 0);
	c.cmd = flow[conf->flow_control];
	refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, 1);
	c.cmd = "AT#SELINT=2";		/* old modules; newer ones may refuse it */
	refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, 1);
	for (int i = 0; i < conf->n_init; i++) {
		c.cmd = conf->init[i];
		refused |= dialect_submit(at, b, &c, &telit_ans_user, 0, 0);
	}
	dialect_finish(b, refused);
}

static void
telit_identify(struct at *at, dialect_cb *cb, void *arg)
{
	static const struct { const char *cmd; const struct dialect_answer *ans; } q[] = {
		{ "AT+CGMI", &telit_ans_manufacturer }, { "AT+CGMM", &telit_ans_model },
		{ "AT+CGMR", &telit_ans_firmware }, { "AT+CGSN", &telit_ans_imei },
		{ "AT#SSENDEXT=?", &telit_ans_ssendext_test },
	};
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	int refused = 0;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct at_command c = { .cmd = q[i].cmd };
		refused |= dialect_submit(at, b, &c, q[i].ans, 0, 1);
	}
	dialect_finish(b, refused);
}

static void
telit_sim_status(struct at *at, dialect_cb *cb, void *arg)
{
	dialect_one(at, "AT+CPIN?", &telit_ans_cpin, 0, 0, cb, arg);
}

static void
telit_sim_unlock(struct at *at, const char *pin, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .flags = AT_CMD_SECRET, .timeout_ms = TELIT_CPIN_TIMEOUT_MS };
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%.16s\"", pin);
	c.cmd = cmd;
	dialect_finish(b, dialect_submit(at, b, &c, &telit_ans_plain, 0, 0) != 0);
	memset(cmd, 0, sizeof(cmd));
}

static void
telit_reg_enable(struct at *at, dialect_cb *cb, void *arg)
{
	static const char *const cmds[] = { "AT+CREG=1", "AT+CGREG=1", "AT+CEREG=1" };
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	int refused = 0;

	for (size_t i = 0; i < 3; i++) {
		struct at_command c = { .cmd = cmds[i] };
		refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, i == 2);	/* +CEREG: LTE only */
	}
	dialect_finish(b, refused);
}

static void
telit_reg_query(struct at *at, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CGREG?", .urgency = AT_SLOW };
	int refused = 0;

	b->reply.u.reg_stat = -1;
	refused |= dialect_submit(at, b, &c, &telit_ans_reg, 0, 0);
	c.cmd = "AT+CEREG?";
	refused |= dialect_submit(at, b, &c, &telit_ans_reg, 0, 1);
	dialect_finish(b, refused);
}

static void
telit_signal(struct at *at, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CSQ", .urgency = AT_SLOW };
	int refused = dialect_submit(at, b, &c, &telit_ans_csq, 0, 0);

	c.cmd = "AT+COPS?";
	refused |= dialect_submit(at, b, &c, &telit_ans_cops, 0, 1);
	dialect_finish(b, refused);
}

static void
telit_pdp_define(struct at *at, int cid, const char *type, const char *apn, const char *user,
    const char *password, dialect_cb *cb, void *arg)
{
	char cmd[256];

	telit_cmd_cgdcont(cmd, sizeof(cmd), cid, type, apn);
	dialect_one_as(at, cmd, &telit_ans_plain, 0, 0, AT_SLOW, 0, cb, arg);
}

static void
telit_pdp_query(struct at *at, int cid, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, "AT#SGACT?", &telit_ans_sgact_read, 0, cid, AT_SLOW, 0, cb, arg);
}

/* "Already active" (553) is success. */
static void
telit_on_activate(const struct dialect_reply *r, void *arg)
{
	struct dialect_batch *outer = arg;
	struct dialect_reply ok = *r;

	if (r->status == DIALECT_ERROR && r->cme == TELIT_CME_CONTEXT_ACTIVE) {
		ok.status = DIALECT_OK;
		ok.u.pdp.active = 1;
	}
	outer->cb(&ok, outer->arg);
	free(outer);
}

static void
telit_pdp_activate(struct at *at, int cid, const char *user, const char *password,
    dialect_cb *cb, void *arg)
{
	struct dialect_batch *outer = dialect_batch_new(cb, arg);
	struct dialect_batch *b = dialect_batch_new(telit_on_activate, outer);
	struct at_command c = { .timeout_ms = TELIT_SGACT_TIMEOUT_MS, .urgency = AT_SLOW,
		.flags = AT_CMD_BLOCKING };
	char cmd[320];

	telit_cmd_sgact_on(cmd, sizeof(cmd), cid, user, password);
	if (user[0] || password[0])
		c.flags |= AT_CMD_SECRET;
	c.cmd = cmd;
	dialect_finish(b, dialect_submit(at, b, &c, &telit_ans_sgact_ip, cid, 0) != 0);
	memset(cmd, 0, sizeof(cmd));
}

static void
telit_pdp_deactivate(struct at *at, int cid, dialect_cb *cb, void *arg)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT#SGACT=%d,0", cid);
	dialect_one_as(at, cmd, &telit_ans_plain, TELIT_DEACT_TIMEOUT_MS, 0, AT_SLOW,
	    AT_CMD_BLOCKING, cb, arg);
}

/* Every configured socket tied to the context (#SCFG) before #SGACT. */
static void
telit_sock_bind(struct at *at, int cid, const int *ids, int n, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	char cmd[96];
	struct at_command c = { .cmd = cmd, .urgency = AT_SLOW };
	int refused = 0;

	for (int i = 0; i < n; i++) {
		telit_cmd_scfg(cmd, sizeof(cmd), ids[i], cid);
		refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, 0);
	}
	if (n == 0) {
		c.cmd = "AT";	/* nothing to tie: answer through the engine */
		refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, 0);
	}
	dialect_finish(b, refused);
}

/* Context and timeouts (#SCFG), data-amount SRINGs, module keepalive. */
static void
telit_sock_configure(struct at *at, int connid, int cid, int keepalive_min, dialect_cb *cb,
    void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	char cmd[96];
	struct at_command c = { .cmd = cmd, .urgency = AT_SLOW };
	int refused;

	telit_cmd_scfg(cmd, sizeof(cmd), connid, cid);
	refused = dialect_submit(at, b, &c, &telit_ans_plain, 0, 0);
	snprintf(cmd, sizeof(cmd), "AT#SCFGEXT=%d,1,0,%d", connid, keepalive_min);
	refused |= dialect_submit(at, b, &c, &telit_ans_plain, 0, 0);
	dialect_finish(b, refused);
}

/* #SD holds the channel until connect or the module's connTo: connTo is
 * the deadline less the margin (within 1..120 s), set just before the dial
 * (optional: a refusal leaves the one sock_configure set). */
static void
telit_sock_dial(struct at *at, int connid, int cid, const char *host, int port,
    int timeout_ms, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	int connto = (timeout_ms - TELIT_DIAL_MARGIN_MS) / 100;
	char cmd[320];
	struct at_command c = { .cmd = cmd, .urgency = AT_SLOW };	/* same channel */
	int refused;

	connto = connto < TELIT_CONNTO_MIN ? TELIT_CONNTO_MIN :
	    connto > TELIT_CONNTO_MAX ? TELIT_CONNTO_MAX : connto;
	snprintf(cmd, sizeof(cmd), "AT#SCFG=%d,%d,300,0,%d,50", connid, cid, connto);
	refused = dialect_submit(at, b, &c, &telit_ans_plain, 0, 1);
	telit_cmd_sd(cmd, sizeof(cmd), connid, port, host);
	c.timeout_ms = connto * 100 + TELIT_DIAL_MARGIN_MS;
	c.flags = AT_CMD_BLOCKING;
	refused |= dialect_submit(at, b, &c, &telit_ans_dial, connid, 0);
	dialect_finish(b, refused);
}

/* A one-argument socket command "AT<name>=<connId>". */
static void
telit_sock_cmd(struct at *at, const char *name, int connid, const struct dialect_answer *ans,
    int timeout_ms, enum at_urgency urgency, unsigned flags, dialect_cb *cb, void *arg)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT%s=%d", name, connid);
	dialect_one_as(at, cmd, ans, timeout_ms, connid, urgency, flags, cb, arg);
}

static void
telit_sock_close(struct at *at, int connid, int timeout_ms, dialect_cb *cb, void *arg)
{
	telit_sock_cmd(at, "#SH", connid, &telit_ans_plain, timeout_ms, AT_SLOW, AT_CMD_BLOCKING,
	    cb, arg);
}

/* "AT#SS=<connId>"; UC864 has only the bare "AT#SS" listing every socket:
 * on ERROR the batch sends that (telit_ans_ss) and the reader picks the row. */
static void
telit_sock_status(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	telit_sock_cmd(at, "#SS", connid, &telit_ans_ss, 0, AT_NORMAL, 0, cb, arg);
}

static void
telit_sock_info(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	telit_sock_cmd(at, "#SI", connid, &telit_ans_si, 0, AT_URGENT, 0, cb, arg);
}

static void
telit_sock_closure(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	telit_sock_cmd(at, "#SLASTCLOSURE", connid, &telit_ans_slastclosure, 0, AT_NORMAL, 0, cb,
	    arg);
}

/* Send with the given urgency (probes go ahead of queued work). */
static void
telit_send_as(struct at *at, int connid, const void *data, size_t len,
    enum at_urgency urgency, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .payload = data, .payload_len = len,
		.urgency = urgency, .timeout_ms = TELIT_SEND_TIMEOUT_MS };
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT#SSENDEXT=%d,%zu", connid, len);
	c.cmd = cmd;
	dialect_finish(b, dialect_submit(at, b, &c, &telit_ans_send, connid, 0) != 0);
}

static void
telit_sock_send(struct at *at, int connid, const void *data, size_t len, dialect_cb *cb,
    void *arg)
{
	telit_send_as(at, connid, data, len, AT_NORMAL, cb, arg);
}

/* A keepalive probe: urgent, so queued dials and bulk work cannot delay it. */
static void
telit_sock_probe(struct at *at, int connid, const void *data, size_t len, dialect_cb *cb,
    void *arg)
{
	telit_send_as(at, connid, data, len, AT_URGENT, cb, arg);
}

static void
telit_sock_recv(struct at *at, int connid, size_t max, dialect_cb *cb, void *arg)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT#SRECV=%d,%zu", connid, max);
	dialect_one_as(at, cmd, &telit_ans_srecv, 0, connid, AT_URGENT, 0, cb, arg);
}

static void
telit_radio(struct at *at, int on, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, on ? "AT+CFUN=1" : "AT+CFUN=4", &telit_ans_plain, TELIT_CFUN_TIMEOUT_MS,
	    0, AT_SLOW, AT_CMD_BLOCKING, cb, arg);
}

static void
telit_reboot(struct at *at, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, "AT#REBOOT", &telit_ans_plain, 0, 0, AT_SLOW, AT_CMD_BLOCKING, cb, arg);
}

const struct dialect_ops dialect_telit = {
	.name = "telit",
	.at = &telit_dialect,
	.max_send = TELIT_MAX_SEND,
	.max_send_cap = 1500,		/* #SSENDEXT bytestosend 1..1500 */
	.max_read = 1500,		/* #SRECV maxByte 1..1500 */
	.sock_id_min = 1,		/* connId 1..6 */
	.sock_id_max = 6,
	.dial_timeout_ms = 75000,	/* #SCFG connTo 60 s, and a margin */
	.close_timeout_ms = 30000,	/* #SH may wait for the FIN exchange */
	.dial_holds = 1,		/* #SD in command mode: until connect or connTo */
	.dial_margin_ms = TELIT_DIAL_MARGIN_MS,
	.close_bounded = 0,		/* #SH has no timer of its own */
	.gap_ms = 20,			/* "Command Issuing Timing" */
	.attach = telit_attach,
	.init = telit_init,
	.identify = telit_identify,
	.sim_status = telit_sim_status,
	.sim_unlock = telit_sim_unlock,
	.reg_enable = telit_reg_enable,
	.reg_query = telit_reg_query,
	.signal = telit_signal,
	.pdp_define = telit_pdp_define,
	.pdp_query = telit_pdp_query,
	.pdp_activate = telit_pdp_activate,
	.pdp_deactivate = telit_pdp_deactivate,
	.sock_bind = telit_sock_bind,
	.line_check = telit_line_check,
	.sock_configure = telit_sock_configure,
	.sock_dial = telit_sock_dial,
	.sock_close = telit_sock_close,
	.sock_status = telit_sock_status,
	.sock_info = telit_sock_info,
	.sock_send = telit_sock_send,
	.sock_probe = telit_sock_probe,
	.sock_recv = telit_sock_recv,
	.sock_closure = telit_sock_closure,
	.radio = telit_radio,
	.reboot = telit_reboot,
};

/* Firmware known to misbehave, and what fixes it. */
static const struct dialect_quirk telit_quirks[] = {
	{ "HE910", "12.00.004", 5.0,
	  "this firmware sends the FIN of AT#SH late and jams its TCP stack after a few "
	  "reconnects that overlap it; upgrade to 12.00.006, which closes before answering" },
};

const struct dialect_quirk *
dialect_quirk_find(const char *model, const char *firmware)
{
	for (size_t i = 0; i < sizeof(telit_quirks) / sizeof(telit_quirks[0]); i++) {
		const struct dialect_quirk *q = &telit_quirks[i];
		if (strncmp(model, q->model, strlen(q->model)) == 0 &&
		    strcmp(firmware, q->firmware) == 0)
			return q;
	}
	return NULL;
}
