/* Standard command handlers (V.25ter, 3GPP TS 27.007) for a personality's
 * table, and the helpers vendor handlers share. */
#ifndef MODEMSIM_CMD_STD_H
#define MODEMSIM_CMD_STD_H

#include <stddef.h>

#include "atparse.h"
#include "modem.h"
#include "personality.h"

cmd_fn cmd_echo, cmd_verbose, cmd_quiet, cmd_ignore, cmd_reset_profile, cmd_flow;
cmd_fn cmd_sreg, cmd_ipr, cmd_cmee, cmd_cgmm, cmd_cgmr, cmd_cgsn, cmd_cimi;
cmd_fn cmd_cpin, cmd_csq, cmd_cops, cmd_creg, cmd_cfun, cmd_cgatt;
cmd_fn cmd_cgdcont, cmd_cgpaddr;
/* "OK", then the module reboots once the OK has reached the host. */
cmd_fn cmd_reboot;

/* RES_OK when the SIM is unlocked, else RES_CME with 11 (PIN) or 12 (PUK). */
enum at_res cmd_need_sim(struct modem *m);
/* Argument i into *v within [min, max]; required unless opt. 0 or -1. */
int cmd_int(const struct at_args *a, int i, long min, long max, int opt, int *v);
/* n digits derived from --seed and salt (stable IMEI, IMSI, ICCID). */
void cmd_digits(const struct modem *m, unsigned long salt, char *buf, size_t n);
/* The single numeric parameter of a basic or set command: def when absent
 * (ATE = ATE0), -1 when invalid. */
long cmd_value(const struct at_cmd *cmd, const struct at_args *a, long min, long max, long def);
/* A numeric setting: "<name>: <v>" on read, set within [min, max]. */
enum at_res cmd_setting(struct modem *m, const struct at_cmd *cmd, const struct at_args *a,
    int *field, long min, long max);
/* A bare information line (+CGMI, +CGMM, ...): exec only. */
enum at_res cmd_ident(struct modem *m, const struct at_cmd *cmd, const char *text);

#endif
