#include "config.h"

#include <ctype.h>
#include <string.h>

#include "cmd.h"

static const struct cmd_def cmd_defs[] = {
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
	{ "I", cmd_ati, NULL },
	{ "S", cmd_sreg, NULL },
	{ "+IPR", cmd_ipr, "+IPR: (0,300,1200,2400,4800,9600,19200,38400,57600,115200)" },
	/* Identification. */
	{ "+CMEE", cmd_cmee, "+CMEE: (0-2)" },
	{ "+CGMI", cmd_cgmi, NULL },
	{ "+GMI", cmd_cgmi, NULL },
	{ "+CGMM", cmd_cgmm, NULL },
	{ "+GMM", cmd_cgmm, NULL },
	{ "+CGMR", cmd_cgmr, NULL },
	{ "+GMR", cmd_cgmr, NULL },
	{ "+CGSN", cmd_cgsn, NULL },
	{ "+GSN", cmd_cgsn, NULL },
	{ "#SWPKGV", cmd_swpkgv, NULL },
	{ "#SELINT", cmd_selint, "#SELINT: (0-2)" },
	/* SIM, network, power. */
	{ "+CPIN", cmd_cpin, NULL },
	{ "+CIMI", cmd_cimi, NULL },
	{ "#CCID", cmd_ccid, NULL },
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
	{ "#SCFG", cmd_scfg, "#SCFG: (1-6),(0-5),(0-1500),(0-65535),(10-1200),(0-255)" },
	{ "#SCFGEXT", cmd_scfgext, "#SCFGEXT: (1-6),(0,1),(0,1),(0-240),(0,1),(0,1)" },
	{ "#SCFGEXT2", cmd_scfgext2, "#SCFGEXT2: (1-6),(0,1),(0,1),(0,1),(0-10)" },
	{ "#SCFGEXT3", cmd_scfgext3, "#SCFGEXT3: (1-6),(0,1),(0,1)" },
	{ "#SGACT", cmd_sgact, "#SGACT: (1-5),(0,1)" },
	{ "#SD", cmd_sd, "#SD: (1-6),(0),(1-65535),,(0,255),(0),(0,1)" },
	{ "#SH", cmd_sh, "#SH: (1-6)" },
	{ "#SO", cmd_so, "#SO: (1-6)" },
	{ "#SS", cmd_ss, "#SS: (1-6)" },
	{ "#SI", cmd_si, "#SI: (1-6)" },
	{ "#SSEND", cmd_ssend, "#SSEND: (1-6)" },
	{ "#SSENDEXT", cmd_ssendext, "#SSENDEXT: (1-6),(1-1500)" },
	{ "#SRECV", cmd_srecv, "#SRECV: (1-6),(1-1500)" },
	{ "#SLASTCLOSURE", cmd_slastclosure, "#SLASTCLOSURE: (1-6)" },
	{ "#PING", cmd_ping, "#PING: ,(1-64),(32-1460),(1-600),(1-255)" },
};

const struct cmd_def *
cmd_find(const char *name)
{
	if (name[0] == 'S' && isdigit((unsigned char)name[1]))
		name = "S";
	for (size_t i = 0; i < sizeof(cmd_defs) / sizeof(cmd_defs[0]); i++)
		if (strcmp(cmd_defs[i].name, name) == 0)
			return &cmd_defs[i];
	return NULL;
}

const struct cmd_def *
cmd_table(int *count)
{
	*count = (int)(sizeof(cmd_defs) / sizeof(cmd_defs[0]));
	return cmd_defs;
}
