/* The AT command table: one entry per command the module answers, with its
 * handler and its "=?" answer. Handlers live in cmd_gen.c and cmd_ip.c. */
#ifndef MODEMSIM_CMD_H
#define MODEMSIM_CMD_H

#include "atparse.h"
#include "modem.h"

typedef enum at_res cmd_fn(struct modem *m, const struct at_cmd *cmd, const struct at_args *args);

struct cmd_def {
	const char *name;	/* as at_parse_line() names it: "E", "&K", "+CREG", "#SD" */
	cmd_fn *fn;
	const char *test;	/* the "=?" information line, or NULL for a bare OK */
};

/* The entry for name (S-registers all map to one entry), or NULL. */
const struct cmd_def *cmd_find(const char *name);
/* Every entry, for the man page test and "commands". */
const struct cmd_def *cmd_table(int *count);

/* cmd_gen.c: V.25ter, identification, SIM, registration, power. */
cmd_fn cmd_echo, cmd_verbose, cmd_quiet, cmd_ignore, cmd_reset_profile, cmd_flow;
cmd_fn cmd_ati, cmd_sreg, cmd_cmee, cmd_cgmi, cmd_cgmm, cmd_cgmr, cmd_cgsn, cmd_swpkgv;
cmd_fn cmd_cimi, cmd_ccid, cmd_selint, cmd_cpin, cmd_csq, cmd_cops, cmd_creg;
cmd_fn cmd_cfun, cmd_reboot, cmd_cgatt, cmd_ipr;

/* cmd_ip.c: Telit IP Easy. */
cmd_fn cmd_cgdcont, cmd_cgpaddr, cmd_scfg, cmd_scfgext, cmd_scfgext2, cmd_scfgext3;
cmd_fn cmd_sgact, cmd_sd, cmd_sh, cmd_so, cmd_ss, cmd_si, cmd_ssend, cmd_ssendext;
cmd_fn cmd_srecv, cmd_slastclosure, cmd_ping;

#endif
