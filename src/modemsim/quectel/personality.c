/* The Quectel personality: the command table, the +CME ERROR texts, the
 * RDY and +QIURC URCs, and the firmware profiles, as one struct
 * sim_personality for the core. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/personality.h"
#include "modemsim/core/sock.h"
#include "quectel.h"
#include "quectel_cmd.h"

static const struct cmd_def quectel_cmds[] = {
	/* V.25ter basics. */
	{ "E", cmd_echo, NULL },
	{ "V", cmd_verbose, NULL },
	{ "Q", cmd_quiet, NULL },
	{ "X", cmd_ignore, NULL },
	{ "H", cmd_ignore, NULL },
	{ "&C", cmd_ignore, NULL },
	{ "&D", cmd_ignore, NULL },
	{ "&W", cmd_ignore, NULL },
	{ "Z", cmd_reset_profile, NULL },
	{ "&F", cmd_reset_profile, NULL },
	{ "&K", cmd_flow, NULL },
	{ "I", quectel_ati, NULL },
	{ "S", cmd_sreg, NULL },
	{ "+IPR", cmd_ipr, "+IPR: (0,9600,19200,38400,57600,115200,230400,460800,921600)" },
	/* Identification. */
	{ "+CMEE", cmd_cmee, "+CMEE: (0-2)" },
	{ "+CGMI", quectel_cgmi, NULL },
	{ "+GMI", quectel_cgmi, NULL },
	{ "+CGMM", cmd_cgmm, NULL },
	{ "+GMM", cmd_cgmm, NULL },
	{ "+CGMR", cmd_cgmr, NULL },
	{ "+GMR", cmd_cgmr, NULL },
	{ "+CGSN", cmd_cgsn, NULL },
	{ "+GSN", cmd_cgsn, NULL },
	/* SIM, network, power. */
	{ "+CPIN", cmd_cpin, NULL },
	{ "+CIMI", cmd_cimi, NULL },
	{ "+QCCID", quectel_qccid, NULL },
	{ "+CSQ", cmd_csq, "+CSQ: (0-31,99),(0-7,99)" },
	{ "+COPS", cmd_cops, NULL },
	{ "+CREG", cmd_creg, "+CREG: (0-2)" },
	{ "+CGREG", cmd_creg, "+CGREG: (0-2)" },
	{ "+CEREG", cmd_creg, "+CEREG: (0-2)" },
	{ "+CFUN", cmd_cfun, "+CFUN: (0,1,4),(0,1)" },
	{ "+CGATT", cmd_cgatt, "+CGATT: (0,1)" },
	{ "+CGDCONT", cmd_cgdcont, "+CGDCONT: (1-16),\"IP\",,,(0-1),(0-1)" },
	{ "+CGPADDR", cmd_cgpaddr, "+CGPADDR: (1-16)" },
	{ "+QPOWD", quectel_qpowd, "+QPOWD: (0,1)" },
	/* TCP/IP. */
	{ "+QICSGP", quectel_qicsgp, "+QICSGP: (1-16),(1-3),<APN>,<username>,<password>,(0-3)" },
	{ "+QIACT", quectel_qiact, "+QIACT: (1-16)" },
	{ "+QIDEACT", quectel_qideact, "+QIDEACT: (1-16)" },
	{ "+QIOPEN", quectel_qiopen,
	    "+QIOPEN: (1-16),(0-11),\"TCP/UDP/TCP LISTENER/UDP SERVICE\","
	    "\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)" },
	{ "+QICLOSE", quectel_qiclose, "+QICLOSE: (0-11),(0-65535)" },
	{ "+QISTATE", quectel_qistate, "+QISTATE: (0,1),(0-16)" },
	{ "+QISEND", quectel_qisend, "+QISEND: (0-11),(0-1460)" },
	{ "+QIRD", quectel_qird, "+QIRD: (0-11),(0-1500)" },
	{ "+QICFG", quectel_qicfg, "+QICFG: \"tcp/keepalive\",(0,1),(1-120),(25-100),(3-10)" },
	{ "+QISDE", quectel_qisde, "+QISDE: (0,1)" },
	{ "+QIGETERROR", quectel_qigeterror, NULL },
	{ "+QURCCFG", quectel_qurccfg, "+QURCCFG: \"urcport\",(\"usbat\",\"usbmodem\",\"uart1\")" },
};

#define QUECTEL_NCMDS ((int)(sizeof(quectel_cmds) / sizeof(quectel_cmds[0])))

/* S-registers all map to one entry. */
static const struct cmd_def *
quectel_cmd_find(const char *name)
{
	if (name[0] == 'S' && isdigit((unsigned char)name[1]))
		name = "S";
	for (int i = 0; i < QUECTEL_NCMDS; i++)
		if (strcmp(quectel_cmds[i].name, name) == 0)
			return &quectel_cmds[i];
	return NULL;
}

static const struct {
	int code;
	const char *text;
} quectel_cme_texts[] = {
	{ 3, "operation not allowed" },
	{ 4, "operation not supported" },
	{ 10, "SIM not inserted" },
	{ 11, "SIM PIN required" },
	{ 12, "SIM PUK required" },
	{ 13, "SIM failure" },
	{ 16, "incorrect password" },
	{ 30, "no network service" },
	{ 100, "unknown" },
};

/* The 27.007 texts, then the IP stack's 550..574. */
static const char *
quectel_cme_text(int code)
{
	for (size_t i = 0; i < sizeof(quectel_cme_texts) / sizeof(quectel_cme_texts[0]); i++)
		if (quectel_cme_texts[i].code == code)
			return quectel_cme_texts[i].text;
	return code >= 550 ? quectel_err_text(code) : NULL;
}

/* Buffer mode: +QIURC: "recv",<id> once, then not again until +QIRD has
 * emptied the buffer. */
static void
quectel_urc_data(struct modem *m, struct sock *s)
{
	if (s->sring_sent)
		return;
	s->sring_sent = 1;
	modem_urc(m, "+QIURC: \"recv\",%d", s->id);
}

/* Only used when the core ends online mode, which Quectel never enters. */
static void
quectel_closed_text(const struct sock *s, int cause, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "+QIURC: \"closed\",%d", s->id);
}

/* Closed by the peer (reset) or the network: state 4 until +QICLOSE, with
 * "closed"; a lost context says "pdpdeact" instead. */
static void
quectel_sock_closed(struct modem *m, struct sock *s, int cause)
{
	struct quectel_state *q = quectel_st(m);

	if (!q->closing[s->id] && cause != CLOSURE_PDP)
		modem_urc(m, "+QIURC: \"closed\",%d", s->id);
	q->closing[s->id] = 1;
}

/* The peer's FIN: the socket is Closing (its bytes can still be read). */
static void
quectel_remote_fin(struct modem *m, struct sock *s)
{
	if (quectel_st(m)->closing[s->id])
		return;
	quectel_st(m)->closing[s->id] = 1;
	modem_urc(m, "+QIURC: \"closed\",%d", s->id);
}

/* The kernel connect of +QIOPEN ended. */
static void
quectel_sock_opened(struct modem *m, struct sock *s, int err)
{
	int code = err == 0 ? 0 : err == 558 ? 565 : err == 557 ? 554 : 566;

	modem_urc(m, "+QIOPEN: %d,%d", s->id, quectel_error(m, code));
}

static void
quectel_pdp_lost(struct modem *m, int cid)
{
	modem_urc(m, "+QIURC: \"pdpdeact\",%d", cid);
}

/* SEND OK: in the module's buffer; SEND FAIL: the buffer is full; ERROR:
 * the socket is not connected any more. */
static enum at_res
quectel_send_done(struct modem *m, struct sock *s, int rc)
{
	if (rc == 0)
		return modem_result_text(m, "SEND OK");
	if (s->phase != SOCK_OPEN || s->remote_closed) {
		quectel_error(m, 567);
		return RES_ERROR;
	}
	quectel_error(m, 558);
	return modem_result_text(m, "SEND FAIL");
}

/* After power-on or reboot, once the host listens. */
static void
quectel_booted(struct modem *m)
{
	modem_urc(m, "RDY");
	modem_urc(m, "+CFUN: 1");
	modem_urc(m, "+CPIN: %s", m->card == SIM_READY ? "READY" :
	    m->card == SIM_PIN ? "SIM PIN" : "SIM PUK");
}

/* Power on and reboot: nothing of +QICSGP, +QICFG or the sockets survives. */
static void
quectel_factory(struct modem *m)
{
	struct quectel_state *q = quectel_st(m);

	memset(q, 0, sizeof(*q));
	for (int cid = 1; cid <= PDP_MAX; cid++)
		q->ctx[cid].type = 1;
	q->qisde = 1;
	m->cmee = 1;
}

const struct sim_personality quectel_personality = {
	.name = "quectel",
	.profiles = quectel_profiles,
	.nprofiles = QUECTEL_NPROFILES,
	.profile_default = QUECTEL_PROFILE_DEFAULT,
	.state_size = sizeof(struct quectel_state),
	.factory = quectel_factory,
	.cmds = quectel_cmds,
	.ncmds = QUECTEL_NCMDS,
	.cmd_find = quectel_cmd_find,
	.cme_text = quectel_cme_text,
	.urc_data = quectel_urc_data,
	.closed_text = quectel_closed_text,
	.sock_state = quectel_state,
	.sock_min = 0,
	.sock_max = QUECTEL_SOCK_MAX,
	.pdp_count = QUECTEL_PDP_COUNT,
	.booted = quectel_booted,
	.sock_closed = quectel_sock_closed,
	.remote_fin = quectel_remote_fin,
	.sock_opened = quectel_sock_opened,
	.pdp_lost = quectel_pdp_lost,
	.send_done = quectel_send_done,
};
