/* The Quectel TCP/IP dialect (BG95, BG96, EC2x, EG25): the supervisor's
 * operations as AT commands in buffer access mode, its URCs as dialect
 * events. Facts and sources: shared/reference/dialects/quectel.md and
 * at-commands.md §3. The 3GPP part (identity, SIM, registration, signal)
 * is dialect/gsm.h; the dial and the keepalive, which take more than one
 * round, are quectel_dial.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "at/atq.h"
#include "at/urc.h"
#include "conf/conf.h"
#include "dialect/batch.h"
#include "dialect/dialect.h"
#include "dialect/gsm.h"
#include "dialect/quectel/quectel.h"
#include "dialect/quectel/quectel_answer.h"
#include "dialect/quectel/quectel_dial.h"
#include "dialect/quectel/quectel_parse.h"

#define QUECTEL_QIACT_TIMEOUT_MS 155000		/* activation: up to 150 s */
#define QUECTEL_QIDEACT_TIMEOUT_MS 45000	/* deactivation: up to 40 s */
#define QUECTEL_CFUN_TIMEOUT_MS 15000		/* +CFUN: up to 15 s */
#define QUECTEL_SEND_TIMEOUT_MS 20000		/* prompt, payload, SEND OK */
#define QUECTEL_CPIN_TIMEOUT_MS 20000
#define QUECTEL_CLOSE_MARGIN_MS 5000		/* AT deadline beyond QICLOSE's own */
#define QUECTEL_MAX_SEND 1460			/* QISEND send_length 1..1460 */
#define QUECTEL_MAX_READ 1500			/* QIRD read_length 0..1500 */
#define QUECTEL_BOOT_WAIT_MS 10000		/* RDY after a boot (TinyGSM: 10 s) */

/* ---- URCs ---- */

static void
quectel_urc_qiurc(const char *line, const char *args, void *arg)
{
	struct dialect_listener *l = arg;
	struct quectel_qiurc u;

	if (quectel_parse_qiurc(line, &u) != 0)
		return;
	switch (u.kind) {
	case QUECTEL_URC_RECV:
		/* Buffer mode says "recv" once until a read empties the buffer,
		 * so a length (recv_ind=1) is only what had come by then: read
		 * until a short read, never just that much (-1: unknown). */
		l->ev->data(u.conn_id, -1, l->arg);
		break;
	case QUECTEL_URC_CLOSED:
		/* peer or network: the cause is not said (state 4 until QICLOSE) */
		l->ev->closed(u.conn_id, CLOSURE_UNKNOWN, l->arg);
		break;
	case QUECTEL_URC_PDPDEACT:
		/* every socket of the context is dead; which ones is not said */
		l->ev->closed(-1, CLOSURE_PDP, l->arg);
		break;
	case QUECTEL_URC_INCOMING: case QUECTEL_URC_INCOMING_FULL: case QUECTEL_URC_OTHER:
		break;
	}
}

static void
quectel_urc_reg(const char *line, const char *args, void *arg)
{
	struct dialect_listener *l = arg;
	int stat = gsm_reg_urc_stat(args);

	if (stat >= 0)
		l->ev->registration(stat, l->arg);
}

/* RDY: the boot is over; commands before it may be answered but are not
 * yet carried out reliably. */
static void
quectel_urc_rdy(const char *line, const char *args, void *arg)
{
	struct dialect_listener *l = arg;

	if (l->ev->booted != NULL)
		l->ev->booted(l->arg);
}

/* RDY only: registered before the dialect is known, and by attach. */
static void
quectel_watch_boot(struct at *at, struct dialect_listener *listener)
{
	urc_add(at_urcs(at), "RDY", quectel_urc_rdy, listener);
}

/* Known lines with nothing to do: the application's boot (APP RDY), power
 * down, SIM and radio news, a +QIOPEN after its dial gave up. */
static void
quectel_urc_quiet(const char *line, const char *args, void *arg)
{
}

static void
quectel_attach(struct at *at, struct dialect_listener *listener)
{
	static const char *const quiet[] = { "APP RDY", "POWERED DOWN", "+CPIN:",
		"+CFUN:", "+QIND:", "+QUSIM:", "+QIOPEN:", NULL };
	struct urc_registry *u = at_urcs(at);

	quectel_watch_boot(at, listener);

	urc_add(u, "+QIURC:", quectel_urc_qiurc, listener);
	urc_add(u, "+CREG:", quectel_urc_reg, listener);
	urc_add(u, "+CGREG:", quectel_urc_reg, listener);
	urc_add(u, "+CEREG:", quectel_urc_reg, listener);
	for (size_t i = 0; quiet[i] != NULL; i++)
		urc_add(u, quiet[i], quectel_urc_quiet, NULL);
}

/* ---- bring-up ---- */

/* Verbose errors (the engine maps the text), flow control, no echo of
 * QISEND data, the configured commands. Echo off is the engine's resync. */
static void
quectel_init(struct at *at, const struct conf_modem *conf, dialect_cb *cb, void *arg)
{
	static const char *const flow[] = { "AT+IFC=0,0", "AT+IFC=2,2", "AT+IFC=1,1" };
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CMEE=2" };
	int refused = 0;

	refused |= dialect_submit(at, b, &c, &gsm_ans_plain, 0, 0);
	c.cmd = flow[conf->flow_control];
	refused |= dialect_submit(at, b, &c, &gsm_ans_plain, 0, 1);
	c.cmd = "AT+QISDE=0";		/* not on every firmware */
	refused |= dialect_submit(at, b, &c, &gsm_ans_plain, 0, 1);
	/* Several ports: URCs to the USB AT port (ttyUSB2 on EC25/EG25; the
	 * manuals' ports are "usbat", "usbmodem", "uart1"). The engine takes
	 * URCs from every port, so a refusal is no failure. */
	c.cmd = "AT+QURCCFG=\"urcport\",\"usbat\"";
	if (at_ports(at) > 1)
		refused |= dialect_submit(at, b, &c, &gsm_ans_plain, 0, 1);
	for (int i = 0; i < conf->n_init; i++) {
		c.cmd = conf->init[i];
		refused |= dialect_submit(at, b, &c, &gsm_ans_user, 0, 0);
	}
	dialect_finish(b, refused);
}

static void
quectel_identify(struct at *at, dialect_cb *cb, void *arg)
{
	static const struct { const char *cmd; const struct dialect_answer *ans; } q[] = {
		{ "AT+CGMI", &gsm_ans_manufacturer }, { "AT+CGMM", &gsm_ans_model },
		{ "AT+CGMR", &gsm_ans_firmware }, { "AT+CGSN", &gsm_ans_imei },
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
quectel_sim_status(struct at *at, dialect_cb *cb, void *arg)
{
	dialect_one(at, "AT+CPIN?", &gsm_ans_cpin, 0, 0, cb, arg);
}

static void
quectel_sim_unlock(struct at *at, const char *pin, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .flags = AT_CMD_SECRET, .timeout_ms = QUECTEL_CPIN_TIMEOUT_MS };
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%.16s\"", pin);
	c.cmd = cmd;
	dialect_finish(b, dialect_submit(at, b, &c, &gsm_ans_plain, 0, 0) != 0);
	memset(cmd, 0, sizeof(cmd));
}

static void
quectel_reg_enable(struct at *at, dialect_cb *cb, void *arg)
{
	static const char *const cmds[] = { "AT+CREG=1", "AT+CGREG=1", "AT+CEREG=1" };
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	int refused = 0;

	for (size_t i = 0; i < 3; i++) {
		struct at_command c = { .cmd = cmds[i] };
		refused |= dialect_submit(at, b, &c, &gsm_ans_plain, 0, i == 2);	/* LTE only */
	}
	dialect_finish(b, refused);
}

/* CGREG (2G/3G packet) and CEREG (LTE, Cat-M, NB-IoT): either registered. */
static void
quectel_reg_query(struct at *at, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CGREG?", .urgency = AT_SLOW };
	int refused = 0;

	b->reply.u.reg_stat = -1;
	refused |= dialect_submit(at, b, &c, &gsm_ans_reg, 0, 0);
	c.cmd = "AT+CEREG?";
	refused |= dialect_submit(at, b, &c, &gsm_ans_reg, 0, 1);
	dialect_finish(b, refused);
}

static void
quectel_signal(struct at *at, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .cmd = "AT+CSQ", .urgency = AT_SLOW };
	int refused = dialect_submit(at, b, &c, &gsm_ans_csq, 0, 0);

	c.cmd = "AT+COPS?";
	refused |= dialect_submit(at, b, &c, &gsm_ans_cops, 0, 1);
	dialect_finish(b, refused);
}

/* ---- the PDP context ---- */

/* QICSGP context_type of a 3GPP PDP type. */
static int
quectel_pdp_type(const char *type)
{
	if (strcasecmp(type, "IPV6") == 0)
		return 2;
	if (strcasecmp(type, "IPV4V6") == 0)
		return 3;
	return 1;
}

/* The credentials go with the definition; authentication PAP (1) when
 * there are some, none (0) otherwise. Masked in logs (quectel.c). */
static void
quectel_pdp_define(struct at *at, int cid, const char *type, const char *apn, const char *user,
    const char *password, dialect_cb *cb, void *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "AT+QICSGP=%d,%d,\"%.100s\",\"%.120s\",\"%.120s\",%d", cid,
	    quectel_pdp_type(type), apn, user, password, user[0] || password[0] ? 1 : 0);
	dialect_one_as(at, cmd, &gsm_ans_plain, 0, 0, AT_SLOW, 0, cb, arg);
	memset(cmd, 0, sizeof(cmd));
}

static void
quectel_pdp_query(struct at *at, int cid, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, "AT+QIACT?", &quectel_ans_qiact, 0, cid, AT_SLOW, 0, cb, arg);
}

/* Activate (up to 150 s), then read the address from AT+QIACT?; the
 * context reading active there is success even if AT+QIACT=<id> was
 * refused (it answers ERROR when the context is already active). */
static void
quectel_pdp_activate(struct at *at, int cid, const char *user, const char *password,
    dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .timeout_ms = QUECTEL_QIACT_TIMEOUT_MS, .urgency = AT_SLOW,
		.flags = AT_CMD_BLOCKING };
	char cmd[32];
	int refused;

	snprintf(cmd, sizeof(cmd), "AT+QIACT=%d", cid);
	c.cmd = cmd;
	b->reply.u.pdp.active = 1;
	refused = dialect_submit(at, b, &c, &gsm_ans_plain, cid, 0);
	c.cmd = "AT+QIACT?";
	c.timeout_ms = 0;
	refused |= dialect_submit(at, b, &c, &quectel_ans_qiact_after, cid, 1);
	dialect_finish(b, refused);
}

static void
quectel_pdp_deactivate(struct at *at, int cid, dialect_cb *cb, void *arg)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT+QIDEACT=%d", cid);
	dialect_one_as(at, cmd, &gsm_ans_plain, QUECTEL_QIDEACT_TIMEOUT_MS, 0, AT_SLOW,
	    AT_CMD_BLOCKING, cb, arg);
}

/* ---- sockets ---- */

/* Nothing per socket (the context is named by the dial); the module
 * keepalive is global and forgotten at every reset: set it each time. */
static void
quectel_sock_configure(struct at *at, int connid, int cid, int keepalive_min, dialect_cb *cb,
    void *arg)
{
	quectel_keepalive_set(at, keepalive_min, cb, arg);
}

static void
quectel_sock_dial(struct at *at, int connid, int cid, const char *host, int port,
    int timeout_ms, dialect_cb *cb, void *arg)
{
	quectel_dial(at, connid, cid, host, port, timeout_ms, cb, arg);
}

/* AT+QICLOSE=<id>,<t> blocks the channel until the FIN exchange ends or t
 * passes (then the module forces the close): t is the deadline less a
 * margin, at least 1 s. */
static void
quectel_sock_close(struct at *at, int connid, int timeout_ms, dialect_cb *cb, void *arg)
{
	int t = (timeout_ms - QUECTEL_CLOSE_MARGIN_MS) / 1000;
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT+QICLOSE=%d,%d", connid, t < 1 ? 1 : t);
	dialect_one_as(at, cmd, &gsm_ans_plain, timeout_ms, connid, AT_SLOW, AT_CMD_BLOCKING, cb,
	    arg);
}

/* AT+QISTATE=1,<id>, and AT+QIRD=<id>,0 for unread data (a lost "recv"). */
static void
quectel_sock_status(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	char cmd[48];
	struct at_command c = { .cmd = cmd };
	int refused;

	snprintf(cmd, sizeof(cmd), "AT+QISTATE=1,%d", connid);
	refused = dialect_submit(at, b, &c, &quectel_ans_qistate, connid, 0);
	snprintf(cmd, sizeof(cmd), "AT+QIRD=%d,0", connid);
	refused |= dialect_submit(at, b, &c, &quectel_ans_qird_unread, connid, 1);
	dialect_finish(b, refused);
}

/* The #SI counters: sent and unacknowledged from AT+QISEND=<id>,0,
 * received and unread from AT+QIRD=<id>,0. */
static void
quectel_sock_info(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	char cmd[48];
	struct at_command c = { .cmd = cmd, .urgency = AT_URGENT };
	int refused;

	snprintf(cmd, sizeof(cmd), "AT+QISEND=%d,0", connid);
	refused = dialect_submit(at, b, &c, &quectel_ans_qisend_info, connid, 0);
	snprintf(cmd, sizeof(cmd), "AT+QIRD=%d,0", connid);
	refused |= dialect_submit(at, b, &c, &quectel_ans_qird_info, connid, 0);
	dialect_finish(b, refused);
}

/* Fixed length: "> ", exactly len bytes, no Ctrl-Z. SEND FAIL (buffer
 * full) is DIALECT_ERROR: the relay reads the socket open and sends later. */
/* Send with the given urgency (probes go ahead of queued work). */
static void
quectel_send_as(struct at *at, int connid, const void *data, size_t len,
    enum at_urgency urgency, dialect_cb *cb, void *arg)
{
	struct dialect_batch *b = dialect_batch_new(cb, arg);
	struct at_command c = { .payload = data, .payload_len = len,
		.urgency = urgency, .timeout_ms = QUECTEL_SEND_TIMEOUT_MS };
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT+QISEND=%d,%zu", connid, len);
	c.cmd = cmd;
	dialect_finish(b, dialect_submit(at, b, &c, &quectel_ans_send, connid, 0) != 0);
}

static void
quectel_sock_send(struct at *at, int connid, const void *data, size_t len, dialect_cb *cb,
    void *arg)
{
	quectel_send_as(at, connid, data, len, AT_NORMAL, cb, arg);
}

/* A keepalive probe: urgent, so queued dials and bulk work cannot delay it. */
static void
quectel_sock_probe(struct at *at, int connid, const void *data, size_t len, dialect_cb *cb,
    void *arg)
{
	quectel_send_as(at, connid, data, len, AT_URGENT, cb, arg);
}

static void
quectel_sock_recv(struct at *at, int connid, size_t max, dialect_cb *cb, void *arg)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "AT+QIRD=%d,%zu", connid,
	    max > QUECTEL_MAX_READ ? (size_t)QUECTEL_MAX_READ : max);
	dialect_one_as(at, cmd, &quectel_ans_qird, 0, connid, AT_URGENT, 0, cb, arg);
}

/* No #SLASTCLOSURE: the last IP-stack error says "PDP context broken
 * down" (570) or nothing we can use (CLOSURE_UNKNOWN). */
static void
quectel_sock_closure(struct at *at, int connid, dialect_cb *cb, void *arg)
{
	dialect_one(at, "AT+QIGETERROR", &quectel_ans_qigeterror, 0, connid, cb, arg);
}

/* ---- radio ---- */

static void
quectel_radio(struct at *at, int on, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, on ? "AT+CFUN=1" : "AT+CFUN=0", &gsm_ans_plain, QUECTEL_CFUN_TIMEOUT_MS,
	    0, AT_SLOW, AT_CMD_BLOCKING, cb, arg);
}

/* Full functionality with a reset: the port vanishes and comes back with
 * RDY. (AT+QPOWD=1 powers the module off for good: not a reboot.) */
static void
quectel_reboot(struct at *at, dialect_cb *cb, void *arg)
{
	dialect_one_as(at, "AT+CFUN=1,1", &gsm_ans_plain, QUECTEL_CFUN_TIMEOUT_MS, 0, AT_SLOW,
	    AT_CMD_BLOCKING, cb, arg);
}

const struct dialect_ops dialect_quectel = {
	.name = "quectel",
	.at = &quectel_dialect,
	.max_send = QUECTEL_MAX_SEND,
	.max_send_cap = QUECTEL_MAX_SEND,
	.max_read = QUECTEL_MAX_READ,
	.sock_id_min = 0,		/* connectID 0..11 */
	.sock_id_max = QUECTEL_CONNID_MAX,
	.dial_timeout_ms = 155000,	/* the +QIOPEN URC may take 150 s */
	.close_timeout_ms = 10000,	/* AT+QICLOSE=<id>,5 and a 5 s margin */
	.dial_holds = 0,		/* +QIOPEN answers OK, the URC comes later */
	.dial_margin_ms = 0,
	.close_bounded = 1,		/* AT+QICLOSE=<id>,<timeout> */
	.close_margin_ms = QUECTEL_CLOSE_MARGIN_MS,
	.gap_ms = 0,			/* no command spacing documented */
	.boot_wait_ms = QUECTEL_BOOT_WAIT_MS,
	.attach = quectel_attach,
	.watch_boot = quectel_watch_boot,
	.init = quectel_init,
	.identify = quectel_identify,
	.sim_status = quectel_sim_status,
	.sim_unlock = quectel_sim_unlock,
	.reg_enable = quectel_reg_enable,
	.reg_query = quectel_reg_query,
	.signal = quectel_signal,
	.pdp_define = quectel_pdp_define,
	.pdp_query = quectel_pdp_query,
	.pdp_activate = quectel_pdp_activate,
	.pdp_deactivate = quectel_pdp_deactivate,
	.sock_configure = quectel_sock_configure,
	.sock_dial = quectel_sock_dial,
	.sock_close = quectel_sock_close,
	.sock_status = quectel_sock_status,
	.sock_info = quectel_sock_info,
	.sock_send = quectel_sock_send,
	.sock_probe = quectel_sock_probe,
	.sock_recv = quectel_sock_recv,
	.sock_closure = quectel_sock_closure,
	.radio = quectel_radio,
	.reboot = quectel_reboot,
};
