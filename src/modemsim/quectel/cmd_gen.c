/* Quectel general commands: identification (ATI, +CGMI, +QCCID), power
 * down (+QPOWD), TCP/IP settings (+QICFG "tcp/keepalive", +QISDE), the
 * last IP error (+QIGETERROR) and the URC port (+QURCCFG). */
#include "config.h"

#include <string.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/sim.h"
#include "quectel_cmd.h"

enum at_res
quectel_ati(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd_value(cmd, a, 0, 0, 0) != 0)
		return RES_ERROR;
	modem_info(m, "Quectel");
	modem_info(m, "%s", m->prof->model);
	modem_info(m, "Revision: %s", m->prof->revision);
	return RES_OK;
}

enum at_res
quectel_cgmi(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_ident(m, cmd, "Quectel");
}

enum at_res
quectel_qccid(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	char iccid[21];

	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	memcpy(iccid, "8901", 4);
	cmd_digits(m, 3, iccid + 4, 16);
	modem_info(m, "+QCCID: %s", iccid);
	return RES_OK;
}

/* AT+QPOWD[=<n>]: OK, "POWERED DOWN", and the port goes away; the simulator
 * powers the module on again after --reboot-time (a supervisor's power
 * cycle). */
enum at_res
quectel_qpowd(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd->type == AT_READ || (cmd->type == AT_SET && cmd_value(cmd, a, 0, 1, 1) < 0))
		return RES_ERROR;
	modem_puts(m, "\r\nOK\r\n\r\nPOWERED DOWN\r\n");
	modem_reboot_after_output(m, m->sim->opt.reboot_ms);
	return RES_NONE;
}

/* "tcp/keepalive": read, off (0), or on with idle, interval and probes. */
static enum at_res
quectel_keepalive(struct modem *m, const struct at_args *a)
{
	struct quectel_state *q = quectel_st(m);
	int en = 0, idle = 0, interval = 0, probes = 0;

	if (a->argc == 1) {
		modem_info(m, "+QICFG: \"tcp/keepalive\",%d,%d,%d,%d", q->ka_enable, q->ka_idle,
		    q->ka_interval, q->ka_probes);
		return RES_OK;
	}
	if (a->argc > 5 || cmd_int(a, 1, 0, 1, 0, &en) == -1)
		return RES_ERROR;
	if (en == 1 && (a->argc != 5 ||
	    cmd_int(a, 2, 1, quectel_fw(m)->ka_idle_max, 0, &idle) == -1 ||
	    cmd_int(a, 3, 25, 100, 0, &interval) == -1 || cmd_int(a, 4, 3, 10, 0, &probes) == -1))
		return RES_ERROR;
	q->ka_enable = en;
	if (en == 1) {
		q->ka_idle = idle;
		q->ka_interval = interval;
		q->ka_probes = probes;
	}
	return RES_OK;
}

/* AT+QICFG="tcp/keepalive"[,...]: only this setting is emulated; it applies
 * to sockets opened afterwards and is lost on reset. */
enum at_res
quectel_qicfg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	const char *what = at_arg_str(a, 0);

	if (cmd->type != AT_SET || what == NULL || strcmp(what, "tcp/keepalive") != 0)
		return RES_ERROR;
	return quectel_keepalive(m, a);
}

/* AT+QISDE=<0|1>: accepted and shown; the simulator never echoes +QISEND data. */
enum at_res
quectel_qisde(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_setting(m, cmd, a, &quectel_st(m)->qisde, 0, 1);
}

/* +QIGETERROR: <code>,<description> (both as the manual prints them). */
enum at_res
quectel_qigeterror(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int code = quectel_st(m)->last_err;
	const char *text = quectel_err_text(code);

	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	modem_info(m, "+QIGETERROR: %d,%s", code, text != NULL ? text : "unknown error");
	return RES_OK;
}

const char *
quectel_port_name(const struct modem *m, int idx)
{
	return quectel_fw(m)->at_port[idx >= 0 && idx < QUECTEL_PORT_NAMES ? idx : 0];
}

/* AT+QURCCFG="urcport"[,"usbat"|"usbmodem"|"uart1"]: where every URC goes.
 * The module saves it (kept across reboots); a port the simulator does not
 * expose (--ports) gets the URCs, so the host sees none. */
enum at_res
quectel_qurccfg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	const char *what = at_arg_str(a, 0), *port;

	if (cmd->type != AT_SET || what == NULL || strcmp(what, "urcport") != 0 || a->argc > 2)
		return RES_ERROR;
	if (a->argc == 1) {
		modem_info(m, "+QURCCFG: \"urcport\",\"%s\"", quectel_port_name(m, m->urc_port));
		return RES_OK;
	}
	if ((port = at_arg_str(a, 1)) == NULL)
		return RES_ERROR;
	for (int i = 0; i < QUECTEL_PORT_NAMES; i++) {
		if (strcmp(port, quectel_fw(m)->at_port[i]) == 0) {
			m->urc_port = i;
			return RES_OK;
		}
	}
	return RES_ERROR;
}
