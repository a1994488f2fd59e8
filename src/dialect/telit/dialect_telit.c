/* The Telit "IP Easy" dialect (HE910, UC864, LE910, ME910): the supervisor's
 * operations as AT commands, answers read with the parsers of
 * at/telit_parse.h. Formats: shared/reference/at-commands.md. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at/atq.h"
#include "dialect/telit/telit.h"
#include "dialect/telit/telit_parse.h"
#include "at/urc.h"
#include "conf/conf.h"
#include "dialect/dialect.h"
#include "log.h"
#include "xmalloc.h"

#define TELIT_SGACT_TIMEOUT_MS 155000	/* activation may take 150 s */
#define TELIT_DEACT_TIMEOUT_MS 45000
#define TELIT_CFUN_TIMEOUT_MS 20000
#define TELIT_SEND_TIMEOUT_MS 20000
#define TELIT_MAX_SEND 1024		/* safe on old firmware (1500 on newer) */

/* What to do with a command's answer. */
enum telit_kind {
	TK_PLAIN, TK_IDENT_MANUF, TK_IDENT_MODEL, TK_IDENT_FW, TK_IDENT_IMEI, TK_SSENDEXT_TEST,
	TK_SEND, TK_CPIN,
	TK_REG, TK_CSQ, TK_COPS, TK_SGACT_READ, TK_SGACT_IP, TK_DIAL, TK_SS, TK_SI,
	TK_SRECV, TK_SLASTCLOSURE,
};

/* Commands that belong together answer once, when the last one is done. */
struct telit_batch {
	dialect_cb *cb;
	void *arg;
	int pending;		/* commands not yet answered */
	int refs;		/* commands not yet destroyed */
	int failed;		/* first failure recorded in reply */
	struct dialect_reply reply;
};

struct telit_req {
	struct telit_batch *batch;
	enum telit_kind kind;
	int id;			/* connId or cid the answer must match */
	int optional;		/* a failure does not fail the batch */
};

static struct telit_batch *
telit_batch_new(dialect_cb *cb, void *arg)
{
	struct telit_batch *b = xcalloc(1, sizeof(*b));

	b->cb = cb;
	b->arg = arg;
	b->reply.status = DIALECT_OK;
	b->reply.cme = -1;
	return b;
}

static void
telit_req_destroy(void *arg)
{
	struct telit_req *r = arg;

	if (--r->batch->refs == 0)
		free(r->batch);
	free(r);
}

static enum dialect_status
telit_status(const struct at_result *res)
{
	switch (res->kind) {
	case AT_FINAL_OK: return DIALECT_OK;
	case AT_FINAL_TIMEOUT: return DIALECT_TIMEOUT;
	case AT_FINAL_GONE: return DIALECT_GONE;
	case AT_FINAL_ERROR: case AT_FINAL_CME_ERROR: case AT_FINAL_CMS_ERROR:
	case AT_FINAL_NO_CARRIER: case AT_FINAL_CONNECT: case AT_FINAL_NO_ANSWER:
	case AT_FINAL_BUSY: case AT_FINAL_NO_DIALTONE: case AT_FINAL_DIALECT:
		break;
	}
	return res->success ? DIALECT_OK : DIALECT_ERROR;
}

static enum dial_error
telit_dial_error(int cme)
{
	switch (cme) {
	case TELIT_CME_RESOLVE_DN: return DIAL_ERR_DNS;
	case TELIT_CME_OPEN_TIMEOUT: return DIAL_ERR_TIMEOUT;
	case TELIT_CME_OPEN_SOCKET: case TELIT_CME_CONNECTION_FAILED:
	case TELIT_CME_SETUP_SOCKET: case TELIT_CME_REMOTE_DISCONNECTED:
		return DIAL_ERR_REFUSED;
	case TELIT_CME_CONTEXT_NOT_OPENED: return DIAL_ERR_NO_CONTEXT;
	default: return DIAL_ERR_OTHER;
	}
}

static enum sock_state
telit_sock_state(enum telit_ss_state s)
{
	switch (s) {
	case TELIT_SS_CLOSED: return SOCK_CLOSED;
	case TELIT_SS_ACTIVE: case TELIT_SS_SUSPENDED: return SOCK_CONNECTED;
	case TELIT_SS_SUSPENDED_DATA: return SOCK_CONNECTED_DATA;
	case TELIT_SS_RESOLVING: case TELIT_SS_CONNECTING: return SOCK_OPENING;
	case TELIT_SS_LISTENING: case TELIT_SS_INCOMING: return SOCK_OTHER;
	}
	return SOCK_OTHER;
}

static enum sock_closure
telit_closure(int cause)
{
	switch (cause) {
	case TELIT_CLOSURE_FIN: return CLOSURE_FIN;
	case TELIT_CLOSURE_RST: return CLOSURE_RST;
	case TELIT_CLOSURE_INACTIVITY: return CLOSURE_INACTIVITY;
	case TELIT_CLOSURE_PDP: return CLOSURE_PDP;
	default: return CLOSURE_UNKNOWN;
	}
}

/* The answer line of a one-line query, by prefix and (if id > 0) by id. */
static int
telit_find_ss(const struct at_response *r, int id, struct telit_ss *ss)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (telit_parse_ss(r->lines[i], ss) == 0 && ss->conn_id == id)
			return 0;
	return -1;
}

static void
telit_parse_identity(const struct telit_req *q, const struct at_response *r, struct dialect_reply *out)
{
	struct modem_ident *id = &out->u.ident;

	for (size_t i = 0; i < r->n_lines; i++) {
		switch (q->kind) {
		case TK_IDENT_MANUF:
			telit_parse_ident(r->lines[i], id->manufacturer, sizeof(id->manufacturer));
			break;
		case TK_IDENT_MODEL:
			telit_parse_ident(r->lines[i], id->model, sizeof(id->model));
			break;
		case TK_IDENT_FW:
			telit_parse_ident(r->lines[i], id->firmware, sizeof(id->firmware));
			break;
		case TK_IDENT_IMEI:
			telit_parse_imei(r->lines[i], id->imei, sizeof(id->imei));
			break;
		case TK_SSENDEXT_TEST:
			telit_parse_ssendext_test(r->lines[i], &id->max_send);
			break;
		default:
			break;
		}
	}
}

/* Fill out from a successful answer; -1 if the answer is malformed. */
static int
telit_interpret(const struct telit_req *q, const struct at_response *r, struct dialect_reply *out)
{
	struct telit_ss ss;
	struct telit_si si;
	struct telit_reg reg;
	struct telit_csq csq;
	struct telit_cops cops;
	struct telit_sgact sg;
	struct telit_slastclosure lc;
	enum telit_pin pin;

	switch (q->kind) {
	case TK_PLAIN: case TK_DIAL: case TK_SEND:
		return 0;
	case TK_IDENT_MANUF: case TK_IDENT_MODEL: case TK_IDENT_FW: case TK_IDENT_IMEI:
	case TK_SSENDEXT_TEST:
		telit_parse_identity(q, r, out);
		return 0;
	case TK_CPIN:
		if (r->n_lines < 1 || telit_parse_cpin(r->lines[0], &pin) != 0)
			return -1;
		out->u.sim = pin == TELIT_PIN_READY ? SIM_READY : pin == TELIT_PIN_SIM_PIN ?
		    SIM_PIN : pin == TELIT_PIN_SIM_PUK ? SIM_PUK : SIM_OTHER;
		return 0;
	case TK_REG:
		for (size_t i = 0; i < r->n_lines; i++)
			if (telit_parse_reg(r->lines[i], TELIT_REG_READ, &reg) == 0 &&
			    (out->u.reg_stat < 0 || telit_reg_registered(&reg)))
				out->u.reg_stat = reg.stat;
		return 0;
	case TK_CSQ:
		if (r->n_lines < 1 || telit_parse_csq(r->lines[0], &csq) != 0)
			return -1;
		out->u.signal.rssi = csq.rssi;
		out->u.signal.dbm = telit_csq_dbm(&csq);
		return 0;
	case TK_COPS:
		if (r->n_lines >= 1 && telit_parse_cops(r->lines[0], &cops) == 0)
			snprintf(out->u.signal.oper, sizeof(out->u.signal.oper), "%s", cops.oper);
		return 0;
	case TK_SGACT_READ:
		for (size_t i = 0; i < r->n_lines; i++)
			if (telit_parse_sgact_read(r->lines[i], &sg) == 0 && sg.cid == q->id)
				out->u.pdp.active = sg.stat == 1;
		return 0;
	case TK_SGACT_IP:
		out->u.pdp.active = 1;
		if (r->n_lines >= 1)
			telit_parse_sgact_ip(r->lines[0], out->u.pdp.ip, sizeof(out->u.pdp.ip));
		return 0;
	case TK_SS:
		if (telit_find_ss(r, q->id, &ss) != 0)
			return -1;
		out->u.sock = telit_sock_state(ss.state);
		return 0;
	case TK_SI:
		for (size_t i = 0; i < r->n_lines; i++)
			if (telit_parse_si(r->lines[i], &si) == 0 && si.conn_id == q->id) {
				out->u.info.sent = si.sent;
				out->u.info.received = si.received;
				out->u.info.buff_in = si.buff_in;
				out->u.info.ack_waiting = si.ack_waiting;
				return 0;
			}
		return -1;
	case TK_SRECV:
		out->u.recv.data = r->payload;
		out->u.recv.len = r->payload_len;
		return 0;
	case TK_SLASTCLOSURE:
		if (r->n_lines < 1 || telit_parse_slastclosure(r->lines[0], &lc) != 0)
			return -1;
		out->u.closure = telit_closure(lc.cause);
		return 0;
	}
	return -1;
}

/* One command of a batch answered. */
static void
telit_done(const struct at_response *r, void *arg)
{
	struct telit_req *q = arg;
	struct telit_batch *b = q->batch;
	enum dialect_status st = telit_status(&r->result);

	if (st == DIALECT_TIMEOUT && q->kind == TK_SEND && !r->payload_written &&
	    !r->fill_taken) {
		st = DIALECT_ERROR;	/* no prompt: nothing left; the caller may retry */
		snprintf(b->reply.text, sizeof(b->reply.text), "no prompt");
	}
	if (q->kind == TK_SEND && r->fill_taken)
		b->reply.filler = r->fill_len;
	if (st == DIALECT_OK && telit_interpret(q, r, &b->reply) != 0) {
		st = DIALECT_ERROR;
		log_debug("telit: unexpected answer to %s", r->cmd);
	}
	if (st == DIALECT_OK && q->kind == TK_SGACT_IP)
		b->reply.u.pdp.active = 1;
	if (st != DIALECT_OK && !q->optional && !b->failed) {
		b->failed = 1;
		b->reply.status = st;
		b->reply.cme = r->result.kind == AT_FINAL_CME_ERROR ? r->result.code : -1;
		if (q->kind == TK_DIAL)
			b->reply.u.dial = telit_dial_error(b->reply.cme);
	}
	if (!b->failed || b->reply.text[0] == '\0')
		snprintf(b->reply.text, sizeof(b->reply.text), "%s",
		    r->result.text ? r->result.text : at_final_name(r->result.kind));
	if (--b->pending == 0)
		b->cb(&b->reply, b->arg);
}

/* Queue one command of batch b. 0, or -1 if the engine refused it. */
static int
telit_submit(struct at *at, struct telit_batch *b, const struct at_command *c,
    enum telit_kind kind, int id, int optional)
{
	struct telit_req *q = xcalloc(1, sizeof(*q));

	q->batch = b;
	q->kind = kind;
	q->id = id;
	q->optional = optional;
	b->pending++;
	b->refs++;
	if (at_submit(at, c, telit_done, q, telit_req_destroy) != 0)
		return 0;
	b->pending--;
	b->refs--;
	free(q);
	return -1;
}

/* After queueing a batch: if nothing was queued, answer GONE at once. */
static void
telit_finish(struct telit_batch *b, int refused)
{
	if (!refused)
		return;
	b->failed = 1;
	b->reply.status = DIALECT_GONE;
	snprintf(b->reply.text, sizeof(b->reply.text), "refused by the AT engine");
	if (b->pending == 0) {
		b->cb(&b->reply, b->arg);
		if (b->refs == 0)
			free(b);
	}
}

/* One simple command: a batch of one. */
static void
telit_one(struct at *at, const char *cmd, const char *const *prefixes, int timeout_ms,
    enum telit_kind kind, int id, dialect_cb *cb, void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .cmd = cmd, .prefixes = prefixes, .timeout_ms = timeout_ms };

	if (kind == TK_SRECV) {
		c.raw_prefix = "#SRECV:";
		c.raw_len = telit_srecv_len;
	}
	telit_finish(b, telit_submit(at, b, &c, kind, id, 0) != 0);
}

static const char *const P_CPIN[] = { "+CPIN:", NULL };
static const char *const P_REG[] = { "+CGREG:", "+CEREG:", "+CREG:", NULL };
static const char *const P_CSQ[] = { "+CSQ:", NULL };
static const char *const P_COPS[] = { "+COPS:", NULL };
static const char *const P_SGACT[] = { "#SGACT:", NULL };
static const char *const P_SS[] = { "#SS:", NULL };
static const char *const P_SI[] = { "#SI:", NULL };
static const char *const P_SRECV[] = { "#SRECV:", NULL };
static const char *const P_SLC[] = { "#SLASTCLOSURE:", NULL };
static const char *const P_NONE[] = { NULL };

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
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .prefixes = P_NONE };
	int refused = 0;

	c.cmd = "AT+CMEE=2";
	refused |= telit_submit(at, b, &c, TK_PLAIN, 0, 0);
	c.cmd = flow[conf->flow_control];
	refused |= telit_submit(at, b, &c, TK_PLAIN, 0, 1);
	c.cmd = "AT#SELINT=2";		/* old modules; newer ones may refuse it */
	refused |= telit_submit(at, b, &c, TK_PLAIN, 0, 1);
	c.prefixes = NULL;
	for (int i = 0; i < conf->n_init; i++) {
		c.cmd = conf->init[i];
		refused |= telit_submit(at, b, &c, TK_PLAIN, 0, 0);
	}
	telit_finish(b, refused);
}

static void
telit_identify(struct at *at, dialect_cb *cb, void *arg)
{
	static const struct { const char *cmd; enum telit_kind kind; } q[] = {
		{ "AT+CGMI", TK_IDENT_MANUF }, { "AT+CGMM", TK_IDENT_MODEL },
		{ "AT+CGMR", TK_IDENT_FW }, { "AT+CGSN", TK_IDENT_IMEI },
		{ "AT#SSENDEXT=?", TK_SSENDEXT_TEST },
	};
	struct telit_batch *b = telit_batch_new(cb, arg);
	int refused = 0;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct at_command c = { .cmd = q[i].cmd };
		refused |= telit_submit(at, b, &c, q[i].kind, 0, 1);
	}
	telit_finish(b, refused);
}

static void
telit_sim_status(struct at *at, dialect_cb *cb, void *arg)
{
	telit_one(at, "AT+CPIN?", P_CPIN, 0, TK_CPIN, 0, cb, arg);
}

static void
telit_sim_unlock(struct at *at, const char *pin, dialect_cb *cb, void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .prefixes = P_NONE, .flags = AT_CMD_SECRET, .timeout_ms = 20000 };
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%.16s\"", pin);
	c.cmd = cmd;
	telit_finish(b, telit_submit(at, b, &c, TK_PLAIN, 0, 0) != 0);
	memset(cmd, 0, sizeof(cmd));
}

static void
telit_reg_enable(struct at *at, dialect_cb *cb, void *arg)
{
	static const char *const cmds[] = { "AT+CREG=1", "AT+CGREG=1", "AT+CEREG=1" };
	struct telit_batch *b = telit_batch_new(cb, arg);
	int refused = 0;

	for (size_t i = 0; i < 3; i++) {
		struct at_command c = { .cmd = cmds[i], .prefixes = P_NONE };
		refused |= telit_submit(at, b, &c, TK_PLAIN, 0, i == 2);	/* +CEREG: LTE only */
	}
	telit_finish(b, refused);
}

static void
telit_reg_query(struct at *at, dialect_cb *cb, void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .prefixes = P_REG };
	int refused = 0;

	b->reply.u.reg_stat = -1;
	c.cmd = "AT+CGREG?";
	refused |= telit_submit(at, b, &c, TK_REG, 0, 0);
	c.cmd = "AT+CEREG?";
	refused |= telit_submit(at, b, &c, TK_REG, 0, 1);
	telit_finish(b, refused);
}

static void
telit_signal(struct at *at, dialect_cb *cb, void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CSQ", .prefixes = P_CSQ };
	int refused = telit_submit(at, b, &c, TK_CSQ, 0, 0);

	c.cmd = "AT+COPS?";
	c.prefixes = P_COPS;
	refused |= telit_submit(at, b, &c, TK_COPS, 0, 1);
	telit_finish(b, refused);
}

static void
telit_pdp_define(struct at *at, int cid, const char *type, const char *apn, dialect_cb *cb,
    void *arg)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "AT+CGDCONT=%d,\"%s\",\"%.200s\"", cid, type, apn);
	telit_one(at, cmd, P_NONE, 0, TK_PLAIN, 0, cb, arg);
}

static void
telit_pdp_query(struct at *at, int cid, dialect_cb *cb, void *arg)
{
	telit_one(at, "AT#SGACT?", P_SGACT, 0, TK_SGACT_READ, cid, cb, arg);
}

/* "Already active" (553) is success. */
static void
telit_on_activate(const struct dialect_reply *r, void *arg)
{
	struct telit_batch *outer = arg;
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
	struct telit_batch *outer = telit_batch_new(cb, arg);
	struct telit_batch *b = telit_batch_new(telit_on_activate, outer);
	struct at_command c = { .prefixes = P_SGACT, .timeout_ms = TELIT_SGACT_TIMEOUT_MS };
	char cmd[320];

	if (user[0] || password[0]) {
		snprintf(cmd, sizeof(cmd), "AT#SGACT=%d,1,\"%.120s\",\"%.120s\"", cid, user, password);
		c.flags = AT_CMD_SECRET;
	} else
		snprintf(cmd, sizeof(cmd), "AT#SGACT=%d,1", cid);
	c.cmd = cmd;
	telit_finish(b, telit_submit(at, b, &c, TK_SGACT_IP, cid, 0) != 0);
	memset(cmd, 0, sizeof(cmd));
}

static void
telit_pdp_deactivate(struct at *at, int cid, dialect_cb *cb, void *arg)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT#SGACT=%d,0", cid);
	telit_one(at, cmd, P_NONE, TELIT_DEACT_TIMEOUT_MS, TK_PLAIN, 0, cb, arg);
}

/* Context, no inactivity timeout (maxTo 0: the module must never close our
 * socket behind our back), data-amount SRINGs, module keepalive. */
static void
telit_sock_configure(struct at *at, int connid, int cid, int keepalive_min, dialect_cb *cb,
    void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .prefixes = P_NONE };
	char cmd[96];
	int refused;

	snprintf(cmd, sizeof(cmd), "AT#SCFG=%d,%d,300,0,600,50", connid, cid);
	c.cmd = cmd;
	refused = telit_submit(at, b, &c, TK_PLAIN, 0, 0);
	snprintf(cmd, sizeof(cmd), "AT#SCFGEXT=%d,1,0,%d", connid, keepalive_min);
	refused |= telit_submit(at, b, &c, TK_PLAIN, 0, 0);
	telit_finish(b, refused);
}

static void
telit_sock_dial(struct at *at, int connid, const char *host, int port, int timeout_ms,
    dialect_cb *cb, void *arg)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "AT#SD=%d,0,%d,\"%.255s\",0,0,1", connid, port, host);
	telit_one(at, cmd, P_NONE, timeout_ms, TK_DIAL, connid, cb, arg);
}

static void
telit_sock_close(struct at *at, int connid, int timeout_ms, dialect_cb *cb, void *arg)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT#SH=%d", connid);
	telit_one(at, cmd, P_NONE, timeout_ms, TK_PLAIN, connid, cb, arg);
}

static void
telit_sock_status(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT#SS=%d", connid);
	telit_one(at, cmd, P_SS, 0, TK_SS, connid, cb, arg);
}

static void
telit_sock_info(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT#SI=%d", connid);
	telit_one(at, cmd, P_SI, 0, TK_SI, connid, cb, arg);
}

static void
telit_sock_send(struct at *at, int connid, const void *data, size_t len, dialect_cb *cb,
    void *arg)
{
	struct telit_batch *b = telit_batch_new(cb, arg);
	struct at_command c = { .prefixes = P_NONE, .payload = data, .payload_len = len,
		.timeout_ms = TELIT_SEND_TIMEOUT_MS };
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT#SSENDEXT=%d,%zu", connid, len);
	c.cmd = cmd;
	telit_finish(b, telit_submit(at, b, &c, TK_SEND, connid, 0) != 0);
}

static void
telit_sock_recv(struct at *at, int connid, size_t max, dialect_cb *cb, void *arg)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT#SRECV=%d,%zu", connid, max);
	telit_one(at, cmd, P_SRECV, 0, TK_SRECV, connid, cb, arg);
}

static void
telit_sock_closure(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT#SLASTCLOSURE=%d", connid);
	telit_one(at, cmd, P_SLC, 0, TK_SLASTCLOSURE, connid, cb, arg);
}

static void
telit_radio(struct at *at, int on, dialect_cb *cb, void *arg)
{
	telit_one(at, on ? "AT+CFUN=1" : "AT+CFUN=4", P_NONE, TELIT_CFUN_TIMEOUT_MS, TK_PLAIN, 0,
	    cb, arg);
}

static void
telit_reboot(struct at *at, dialect_cb *cb, void *arg)
{
	telit_one(at, "AT#REBOOT", P_NONE, 0, TK_PLAIN, 0, cb, arg);
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
	.sock_configure = telit_sock_configure,
	.sock_dial = telit_sock_dial,
	.sock_close = telit_sock_close,
	.sock_status = telit_sock_status,
	.sock_info = telit_sock_info,
	.sock_send = telit_sock_send,
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
