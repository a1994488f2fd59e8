/* The Telit personality: the command table, the +CME ERROR texts, the SRING
 * and NO CARRIER URCs, and the firmware profiles, as one struct
 * sim_personality for the core. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/personality.h"
#include "modemsim/core/sock.h"
#include "telit.h"
#include "telit_cmd.h"

static const struct cmd_def telit_cmds[] = {
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
	{ "I", telit_ati, NULL },
	{ "S", cmd_sreg, NULL },
	{ "+IPR", cmd_ipr, "+IPR: (0,300,1200,2400,4800,9600,19200,38400,57600,115200)" },
	/* Identification. */
	{ "+CMEE", cmd_cmee, "+CMEE: (0-2)" },
	{ "+CGMI", telit_cgmi, NULL },
	{ "+GMI", telit_cgmi, NULL },
	{ "+CGMM", cmd_cgmm, NULL },
	{ "+GMM", cmd_cgmm, NULL },
	{ "+CGMR", cmd_cgmr, NULL },
	{ "+GMR", cmd_cgmr, NULL },
	{ "+CGSN", cmd_cgsn, NULL },
	{ "+GSN", cmd_cgsn, NULL },
	{ "#SWPKGV", telit_swpkgv, NULL },
	{ "#SELINT", telit_selint, "#SELINT: (0-2)" },
	/* SIM, network, power. */
	{ "+CPIN", cmd_cpin, NULL },
	{ "+CIMI", cmd_cimi, NULL },
	{ "#CCID", telit_ccid, NULL },
	{ "+CSQ", cmd_csq, "+CSQ: (0-31,99),(0-7,99)" },
	{ "+COPS", cmd_cops, NULL },
	{ "+CREG", cmd_creg, "+CREG: (0-2)" },
	{ "+CGREG", cmd_creg, "+CGREG: (0-2)" },
	{ "+CEREG", cmd_creg, "+CEREG: (0-2)" },
	{ "+CFUN", cmd_cfun, "+CFUN: (0,1,4),(0,1)" },
	{ "+CGATT", cmd_cgatt, "+CGATT: (0,1)" },
	{ "#REBOOT", cmd_reboot, NULL },
	/* IP Easy. */
	{ "+CGDCONT", cmd_cgdcont, "+CGDCONT: (1-5),\"IP\",,,(0-1),(0-1)" },
	{ "+CGPADDR", cmd_cgpaddr, "+CGPADDR: (1-5)" },
	{ "#SCFG", telit_scfg, "#SCFG: (1-6),(0-5),(0-1500),(0-65535),(10-1200),(0-255)" },
	{ "#SCFGEXT", telit_scfgext, "#SCFGEXT: (1-6),(0,1),(0,1),(0-240),(0,1),(0,1)" },
	{ "#SCFGEXT2", telit_scfgext2, "#SCFGEXT2: (1-6),(0,1),(0,1),(0,1),(0-10)" },
	{ "#SCFGEXT3", telit_scfgext3, "#SCFGEXT3: (1-6),(0,1),(0,1)" },
	{ "#SGACT", telit_sgact, "#SGACT: (1-5),(0,1)" },
	{ "#SD", telit_sd, "#SD: (1-6),(0),(1-65535),,(0,255),(0),(0,1)" },
	{ "#SH", telit_sh, "#SH: (1-6)" },
	{ "#SO", telit_so, "#SO: (1-6)" },
	{ "#SS", telit_ss, "#SS: (1-6)" },
	{ "#SI", telit_si, "#SI: (1-6)" },
	{ "#SSEND", telit_ssend, "#SSEND: (1-6)" },
	{ "#SSENDEXT", telit_ssendext, "#SSENDEXT: (1-6),(1-1500)" },
	{ "#SRECV", telit_srecv, "#SRECV: (1-6),(1-1500)" },
	{ "#SLASTCLOSURE", telit_slastclosure, "#SLASTCLOSURE: (1-6)" },
	{ "#PING", telit_ping, "#PING: ,(1-64),(32-1460),(1-600),(1-255)" },
};

#define TELIT_NCMDS ((int)(sizeof(telit_cmds) / sizeof(telit_cmds[0])))

/* S-registers all map to one entry. */
static const struct cmd_def *
telit_cmd_find(const char *name)
{
	if (name[0] == 'S' && isdigit((unsigned char)name[1]))
		name = "S";
	for (int i = 0; i < TELIT_NCMDS; i++)
		if (strcmp(telit_cmds[i].name, name) == 0)
			return &telit_cmds[i];
	return NULL;
}

static const struct {
	int code;
	const char *text;
} telit_cme_texts[] = {
	{ 3, "operation not allowed" },
	{ 4, "operation not supported" },
	{ 10, "SIM not inserted" },
	{ 11, "SIM PIN required" },
	{ 12, "SIM PUK required" },
	{ 13, "SIM failure" },
	{ 16, "incorrect password" },
	{ 30, "no network service" },
	{ 100, "unknown" },
	{ 550, "generic undocumented error" },
	{ 551, "wrong state" },
	{ 552, "wrong mode" },
	{ 553, "context already activated" },
	{ 554, "stack already active" },
	{ 555, "activation failed" },
	{ 556, "context not opened" },
	{ 557, "can not setup socket" },
	{ 558, "can not resolve DN" },
	{ 559, "time-out in opening socket" },
	{ 560, "can not open socket" },
	{ 561, "remote disconnected or time-out" },
	{ 562, "connection failed" },
	{ 563, "tx error" },
	{ 564, "already listening" },
};


static const char *
telit_cme_text(int code)
{
	for (size_t i = 0; i < sizeof(telit_cme_texts) / sizeof(telit_cme_texts[0]); i++)
		if (telit_cme_texts[i].code == code)
			return telit_cme_texts[i].text;
	return NULL;
}

/* Bytes wait in a socket: "SRING: <id>" once per #SRECV (srMode 0), or
 * "SRING: <id>,<pending>" every time (srMode 1). */
static void
telit_urc_data(struct modem *m, struct sock *s)
{
	if (s->cfg.srmode == 1) {
		modem_urc_on(m, modem_sock_urc_port(m, s), "SRING: %d,%zu", s->id, sock_buff_in(s));
		return;
	}
	if (!s->sring_sent) {
		s->sring_sent = 1;
		modem_urc_on(m, modem_sock_urc_port(m, s), "SRING: %d", s->id);
	}
}

/* "NO CARRIER" in the format #SCFGEXT2 noCarrierMode chose. */
static void
telit_closed_text(const struct sock *s, int cause, char *buf, size_t bufsz)
{
	if (s->cfg.nocarrier_mode == 1)
		snprintf(buf, bufsz, "NO CARRIER: %d", s->id);
	else if (s->cfg.nocarrier_mode == 2)
		snprintf(buf, bufsz, "NO CARRIER: %d,%d", s->id, cause);
	else
		snprintf(buf, bufsz, "NO CARRIER");
}

/* Power on and reboot: #SELINT 2. */
static void
telit_factory(struct modem *m)
{
	telit_st(m)->selint = 2;
}

const struct sim_personality telit_personality = {
	.name = "telit",
	.profiles = telit_profiles,
	.nprofiles = TELIT_NPROFILES,
	.profile_default = TELIT_PROFILE_DEFAULT,
	.state_size = sizeof(struct telit_state),
	.factory = telit_factory,
	.cmds = telit_cmds,
	.ncmds = TELIT_NCMDS,
	.cmd_find = telit_cmd_find,
	.cme_text = telit_cme_text,
	.urc_data = telit_urc_data,
	.closed_text = telit_closed_text,
	.sock_state = telit_ss_state,
	.sock_urc_owner = 1,
	.sock_min = 1,
	.sock_max = TELIT_SOCK_COUNT,
	.pdp_count = TELIT_PDP_COUNT,
};
