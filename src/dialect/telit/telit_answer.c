/* The Telit answer descriptors and their readers: see telit_answer.h. */
#include "config.h"

#include <stdio.h>

#include "dialect/telit/telit.h"
#include "dialect/telit/telit_answer.h"
#include "dialect/telit/telit_parse.h"

static const char *const P_NONE[] = { NULL };
static const char *const P_CPIN[] = { "+CPIN:", NULL };
static const char *const P_REG[] = { "+CGREG:", "+CEREG:", "+CREG:", NULL };
static const char *const P_CSQ[] = { "+CSQ:", NULL };
static const char *const P_COPS[] = { "+COPS:", NULL };
static const char *const P_SGACT[] = { "#SGACT:", NULL };
static const char *const P_SS[] = { "#SS:", NULL };
static const char *const P_SI[] = { "#SI:", NULL };
static const char *const P_SRECV[] = { "#SRECV:", NULL };
static const char *const P_SLC[] = { "#SLASTCLOSURE:", NULL };

enum dial_error
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

enum sock_closure
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

/* ---- identification: every answer line that parses fills the field ---- */

/* Each line that is a valid identification text overwrites buf. */
static void
telit_read_text(const struct at_response *r, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < r->n_lines; i++)
		telit_parse_ident(r->lines[i], buf, bufsz);
}

static int
telit_read_manufacturer(const struct at_response *r, int id, struct dialect_reply *out)
{
	telit_read_text(r, out->u.ident.manufacturer, sizeof(out->u.ident.manufacturer));
	return 0;
}

static int
telit_read_model(const struct at_response *r, int id, struct dialect_reply *out)
{
	telit_read_text(r, out->u.ident.model, sizeof(out->u.ident.model));
	return 0;
}

static int
telit_read_firmware(const struct at_response *r, int id, struct dialect_reply *out)
{
	telit_read_text(r, out->u.ident.firmware, sizeof(out->u.ident.firmware));
	return 0;
}

static int
telit_read_imei(const struct at_response *r, int id, struct dialect_reply *out)
{
	for (size_t i = 0; i < r->n_lines; i++)
		telit_parse_imei(r->lines[i], out->u.ident.imei, sizeof(out->u.ident.imei));
	return 0;
}

static int
telit_read_ssendext_test(const struct at_response *r, int id, struct dialect_reply *out)
{
	for (size_t i = 0; i < r->n_lines; i++)
		telit_parse_ssendext_test(r->lines[i], &out->u.ident.max_send);
	return 0;
}

/* ---- SIM, registration, signal ---- */

static int
telit_read_cpin(const struct at_response *r, int id, struct dialect_reply *out)
{
	enum telit_pin pin;

	if (r->n_lines < 1 || telit_parse_cpin(r->lines[0], &pin) != 0)
		return -1;
	out->u.sim = pin == TELIT_PIN_READY ? SIM_READY : pin == TELIT_PIN_SIM_PIN ?
	    SIM_PIN : pin == TELIT_PIN_SIM_PUK ? SIM_PUK : SIM_OTHER;
	return 0;
}

/* A registered stat wins over an earlier one (u.reg_stat starts at -1). */
static int
telit_read_reg(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_reg reg;

	for (size_t i = 0; i < r->n_lines; i++)
		if (telit_parse_reg(r->lines[i], TELIT_REG_READ, &reg) == 0 &&
		    (out->u.reg_stat < 0 || telit_reg_registered(&reg)))
			out->u.reg_stat = reg.stat;
	return 0;
}

static int
telit_read_csq(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_csq csq;

	if (r->n_lines < 1 || telit_parse_csq(r->lines[0], &csq) != 0)
		return -1;
	out->u.signal.rssi = csq.rssi;
	out->u.signal.dbm = telit_csq_dbm(&csq);
	return 0;
}

static int
telit_read_cops(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_cops cops;

	if (r->n_lines >= 1 && telit_parse_cops(r->lines[0], &cops) == 0)
		snprintf(out->u.signal.oper, sizeof(out->u.signal.oper), "%s", cops.oper);
	return 0;
}

/* ---- PDP context ---- */

static int
telit_read_sgact_read(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_sgact sg;

	for (size_t i = 0; i < r->n_lines; i++)
		if (telit_parse_sgact_read(r->lines[i], &sg) == 0 && sg.cid == id)
			out->u.pdp.active = sg.stat == 1;
	return 0;
}

static int
telit_read_sgact_ip(const struct at_response *r, int id, struct dialect_reply *out)
{
	out->u.pdp.active = 1;
	if (r->n_lines >= 1)
		telit_parse_sgact_ip(r->lines[0], out->u.pdp.ip, sizeof(out->u.pdp.ip));
	return 0;
}

/* ---- sockets ---- */

static int
telit_read_ss(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_ss ss;

	if (telit_parse_ss_find((const char *const *)r->lines, r->n_lines, id, &ss) != 0)
		return -1;
	out->u.sock = telit_sock_state(ss.state);
	return 0;
}

static int
telit_read_si(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_si si;

	for (size_t i = 0; i < r->n_lines; i++)
		if (telit_parse_si(r->lines[i], &si) == 0 && si.conn_id == id) {
			out->u.info.sent = si.sent;
			out->u.info.received = si.received;
			out->u.info.buff_in = si.buff_in;
			out->u.info.ack_waiting = si.ack_waiting;
			return 0;
		}
	return -1;
}

static int
telit_read_srecv(const struct at_response *r, int id, struct dialect_reply *out)
{
	out->u.recv.data = r->payload;
	out->u.recv.len = r->payload_len;
	return 0;
}

static int
telit_read_slastclosure(const struct at_response *r, int id, struct dialect_reply *out)
{
	struct telit_slastclosure lc;

	if (r->n_lines < 1 || telit_parse_slastclosure(r->lines[0], &lc) != 0)
		return -1;
	out->u.closure = telit_closure(lc.cause);
	return 0;
}

/* ---- the descriptors ---- */

const struct dialect_answer telit_ans_plain = { .prefixes = P_NONE };
const struct dialect_answer telit_ans_user = { .prefixes = NULL };
const struct dialect_answer telit_ans_manufacturer = { .read = telit_read_manufacturer };
const struct dialect_answer telit_ans_model = { .read = telit_read_model };
const struct dialect_answer telit_ans_firmware = { .read = telit_read_firmware };
const struct dialect_answer telit_ans_imei = { .read = telit_read_imei };
const struct dialect_answer telit_ans_ssendext_test = { .read = telit_read_ssendext_test };
const struct dialect_answer telit_ans_cpin = { .prefixes = P_CPIN, .read = telit_read_cpin };
const struct dialect_answer telit_ans_reg = { .prefixes = P_REG, .read = telit_read_reg };
const struct dialect_answer telit_ans_csq = { .prefixes = P_CSQ, .read = telit_read_csq };
const struct dialect_answer telit_ans_cops = { .prefixes = P_COPS, .read = telit_read_cops };
const struct dialect_answer telit_ans_sgact_read = { .prefixes = P_SGACT,
	.read = telit_read_sgact_read };
const struct dialect_answer telit_ans_sgact_ip = { .prefixes = P_SGACT,
	.read = telit_read_sgact_ip };
const struct dialect_answer telit_ans_dial = { .prefixes = P_NONE,
	.dial = telit_dial_error };
const struct dialect_answer telit_ans_send = { .prefixes = P_NONE, .send = 1 };
/* UC864 has no AT#SS=<connId>: on ERROR the bare AT#SS lists them all. */
const struct dialect_answer telit_ans_ss = { .prefixes = P_SS, .read = telit_read_ss,
	.fallback = "AT#SS" };
const struct dialect_answer telit_ans_si = { .prefixes = P_SI, .read = telit_read_si };
const struct dialect_answer telit_ans_srecv = { .prefixes = P_SRECV, .raw_prefix = "#SRECV:",
	.raw_len = telit_srecv_len, .read = telit_read_srecv };
const struct dialect_answer telit_ans_slastclosure = { .prefixes = P_SLC,
	.read = telit_read_slastclosure };
