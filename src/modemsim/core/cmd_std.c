/* Standard commands any vendor's module answers the same way: V.25ter
 * basics, 3GPP TS 27.007 identification, SIM, registration, power and PDP
 * contexts. A personality lists the ones it has in its command table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_std.h"
#include "conn.h"
#include "modem.h"
#include "personality.h"
#include "profile.h"
#include "sim.h"

/* The single numeric parameter of a basic or set command: def when absent
 * (ATE = ATE0), -1 when invalid. */
long
cmd_value(const struct at_cmd *cmd, const struct at_args *a, long min, long max, long def)
{
	long v = def;

	if (cmd->type == AT_READ || a->argc > 1 || at_arg_int(a, 0, min, max, &v) == -1)
		return -1;
	return v;
}

/* Digits derived from --seed, so that IMEI, IMSI and ICCID are stable. */
void
cmd_digits(const struct modem *m, unsigned long salt, char *buf, size_t n)
{
	unsigned long long x = (m->sim->opt.seed + salt) * 6364136223846793005ULL + 1442695040888963407ULL;

	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (char)('0' + (x >> 33) % 10);
	}
	buf[n] = '\0';
}

/* A 15-digit IMEI with a valid Luhn check digit. */
static void
cmd_imei(const struct modem *m, char *buf)
{
	int sum = 0;

	memcpy(buf, "35", 2);
	cmd_digits(m, 1, buf + 2, 12);
	for (int i = 0; i < 14; i++) {
		int d = buf[i] - '0';

		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	buf[14] = (char)('0' + (10 - sum % 10) % 10);
	buf[15] = '\0';
}

/* Commands that need the SIM unlocked: +CME ERROR 11 (PIN) or 12 (PUK). */
enum at_res
cmd_need_sim(struct modem *m)
{
	if (m->card == SIM_PIN)
		return modem_cme(m, 11);
	if (m->card == SIM_PUK)
		return modem_cme(m, 12);
	return RES_OK;
}

/* Parse argument i into *v within [min, max]; required unless opt. */
int
cmd_int(const struct at_args *a, int i, long min, long max, int opt, int *v)
{
	long x;
	int rc = at_arg_int(a, i, min, max, &x);

	if (rc == -1 || (rc == 0 && !opt))
		return -1;
	if (rc == 1)
		*v = (int)x;
	return 0;
}

/* A numeric setting: "<prefix>: <v>" on read, set within [min, max]. */
enum at_res
cmd_setting(struct modem *m, const struct at_cmd *cmd, const struct at_args *a,
    int *field, long min, long max)
{
	long v;

	if (cmd->type == AT_READ) {
		modem_info(m, "%s: %d", cmd->name, *field);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, min, max, &v) != 1)
		return RES_ERROR;
	*field = (int)v;
	return RES_OK;
}

/* A basic command's value 0..max (absent: 0) into *field. */
static enum at_res
cmd_basic(const struct at_cmd *cmd, const struct at_args *a, long max, int *field)
{
	long v = cmd_value(cmd, a, 0, max, 0);

	if (v < 0)
		return RES_ERROR;
	*field = (int)v;
	return RES_OK;
}

enum at_res
cmd_echo(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_basic(cmd, a, 1, &m->c->echo);
}

/* Only verbose result codes (V1) are implemented. */
enum at_res
cmd_verbose(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_value(cmd, a, 0, 1, 0) == 1 ? RES_OK : RES_ERROR;
}

/* Result codes are always sent (Q0). */
enum at_res
cmd_quiet(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_value(cmd, a, 0, 1, 0) == 0 ? RES_OK : RES_ERROR;
}

/* Accepted and ignored: ATX, ATH, AT&C, AT&D, AT&W. */
enum at_res
cmd_ignore(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_value(cmd, a, 0, 9, 0) < 0 ? RES_ERROR : RES_OK;
}

/* ATZ, AT&F: back to the default profile (echo on, +CMEE=0, ...). */
enum at_res
cmd_reset_profile(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd_value(cmd, a, 0, 1, 0) < 0)
		return RES_ERROR;
	m->c->echo = 1;
	m->cmee = 0;
	m->flowctl = 3;
	m->creg_n = m->cgreg_n = m->cereg_n = 0;
	m->sreg[12] = 50;
	return RES_OK;
}

enum at_res
cmd_flow(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_basic(cmd, a, 6, &m->flowctl);
}

/* ATSn? and ATSn=v; S12 is the escape guard time in fiftieths of a second. */
enum at_res
cmd_sreg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long n = strtol(cmd->name + 1, NULL, 10), v;

	if (n < 0 || n >= (long)(sizeof(m->sreg) / sizeof(m->sreg[0])))
		return RES_ERROR;
	if (cmd->type == AT_READ) {
		modem_info(m, "%03d", m->sreg[n]);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, n == 12 ? 20 : 0, 255, &v) != 1)
		return RES_ERROR;
	m->sreg[n] = (int)v;
	return RES_OK;
}

enum at_res
cmd_ipr(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_setting(m, cmd, a, &m->ipr, 0, 4000000);
}

enum at_res
cmd_cmee(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_setting(m, cmd, a, &m->cmee, 0, 2);
}

/* +CGMI, +CGMM, +CGMR, +CGSN: a bare line, no prefix. */
enum at_res
cmd_ident(struct modem *m, const struct at_cmd *cmd, const char *text)
{
	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	modem_info(m, "%s", text);
	return RES_OK;
}

enum at_res
cmd_cgmm(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_ident(m, cmd, m->prof->model);
}

enum at_res
cmd_cgmr(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_ident(m, cmd, m->prof->revision);
}

enum at_res
cmd_cgsn(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	char imei[16];

	cmd_imei(m, imei);
	return cmd_ident(m, cmd, imei);
}

enum at_res
cmd_cimi(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	char imsi[16];

	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	memcpy(imsi, "00101", 5);
	cmd_digits(m, 2, imsi + 5, 10);
	modem_info(m, "%s", imsi);
	return RES_OK;
}

/* AT+CPIN="1234" in SIM PIN; AT+CPIN="<PUK>","<new PIN>" in SIM PUK. */
static enum at_res
cmd_cpin_enter(struct modem *m, const struct at_args *a)
{
	const char *code = at_arg_str(a, 0), *pin = m->sim->opt.pin;

	if (code == NULL || m->card == SIM_READY)
		return m->card == SIM_READY ? modem_cme(m, 3) : RES_ERROR;
	if (m->card == SIM_PUK) {
		if (strcmp(code, "12345678") != 0 || at_arg_str(a, 1) == NULL)
			return modem_cme(m, 16);
	} else if (strcmp(code, pin) != 0) {
		if (--m->pin_tries == 0) {
			m->card = SIM_PUK;
			sim_event(m->sim, "event", "SIM blocked: PUK required");
		}
		return modem_cme(m, 16);
	}
	m->card = SIM_READY;
	m->pin_tries = 3;
	sim_event(m->sim, "event", "SIM unlocked");
	modem_start_registration(m);
	return RES_OK;
}

enum at_res
cmd_cpin(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	static const char *const names[] = {
		[SIM_READY] = "READY", [SIM_PIN] = "SIM PIN", [SIM_PUK] = "SIM PUK",
	};

	if (cmd->type == AT_READ) {
		modem_info(m, "+CPIN: %s", names[m->card]);
		return RES_OK;
	}
	if (cmd->type != AT_SET)
		return RES_ERROR;
	return cmd_cpin_enter(m, a);
}

enum at_res
cmd_csq(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	if (m->cfun != 1)
		modem_info(m, "+CSQ: 99,99");
	else
		modem_info(m, "+CSQ: %d,%d", m->rssi, m->ber);
	return RES_OK;
}

/* +COPS? names the operator while registered; +COPS=2 deregisters and
 * +COPS=0 registers again. */
enum at_res
cmd_cops(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long mode;

	if (cmd->type == AT_READ) {
		if (m->reg_stat == 1 || m->reg_stat == 5)
			modem_info(m, "+COPS: 0,0,\"%s\",%d", m->sim->opt.operator_name, m->prof->act);
		else
			modem_info(m, "+COPS: 0");
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 0, 4, &mode) != 1)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (mode == 2)
		modem_deregister(m, 0);
	else if (mode == 0 && m->reg_stat == 0)
		modem_start_registration(m);
	return RES_OK;
}

/* +CREG, +CGREG, +CEREG: n = 0..2; read "<n>,<stat>[,location]". */
enum at_res
cmd_creg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	const char *prefix = cmd->name;
	int *n = strcmp(prefix, "+CREG") == 0 ? &m->creg_n :
	    strcmp(prefix, "+CGREG") == 0 ? &m->cgreg_n : &m->cereg_n;
	int reg = m->reg_stat == 1 || m->reg_stat == 5;
	long v;

	if (n == &m->cereg_n && !m->prof->has_cereg)
		return RES_ERROR;
	if (cmd->type == AT_READ) {
		if (*n == 2 && reg && n != &m->cgreg_n)
			modem_info(m, "%s: %d,%d,\"00C3\",\"0000A1B2\",%d", prefix, *n, m->reg_stat,
			    m->prof->act);
		else if (*n == 2 && reg)
			modem_info(m, "%s: %d,%d,\"00C3\",\"0000A1B2\"", prefix, *n, m->reg_stat);
		else
			modem_info(m, "%s: %d,%d", prefix, *n, m->reg_stat);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 0, 2, &v) != 1)
		return RES_ERROR;
	*n = (int)v;
	return RES_OK;
}

/* Radio off (0, 4): deregistered, contexts down. On (1): registers again.
 * 1,1: reset, like AT#REBOOT. */
enum at_res
cmd_cfun(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long fun, rst = 0;

	if (cmd->type == AT_READ) {
		modem_info(m, "+CFUN: %d", m->cfun);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 0, 4, &fun) != 1 || fun == 2 || fun == 3 ||
	    at_arg_int(a, 1, 0, 1, &rst) == -1 || (rst == 1 && fun != 1))
		return RES_ERROR;
	if (rst == 1)
		return cmd_reboot(m, cmd, a);
	stack_flush_deferred(m->sim->stack);
	if (fun == 1) {
		m->cfun = 1;
		if (m->reg_stat == 0)
			modem_start_registration(m);
		return RES_OK;
	}
	m->cfun = (int)fun;
	for (int cid = 1; cid <= PDP_MAX; cid++)
		modem_pdp_deactivate(m, cid, 0);
	modem_deregister(m, 0);
	return RES_OK;
}

/* "OK", then the module goes away once the OK has reached the host. */
enum at_res
cmd_reboot(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd->type == AT_READ)
		return RES_ERROR;
	modem_write(m, "\r\nOK\r\n", 6);
	modem_reboot_after_output(m, m->sim->opt.reboot_ms);
	return RES_NONE;
}

enum at_res
cmd_cgatt(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long v;

	if (cmd->type == AT_READ) {
		modem_info(m, "+CGATT: %d", m->attached && (m->reg_stat == 1 || m->reg_stat == 5));
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 0, 1, &v) != 1)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (v == 0) {
		stack_flush_deferred(m->sim->stack);
		for (int cid = 1; cid <= m->pers->pdp_count; cid++)
			modem_pdp_deactivate(m, cid, 0);
	}
	m->attached = (int)v;
	modem_update_io(m);
	return RES_OK;
}

enum at_res
cmd_cgdcont(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	const char *type, *apn;
	long cid, comp;

	if (cmd->type == AT_READ) {
		for (cid = 1; cid <= m->pers->pdp_count; cid++)
			if (m->pdp[cid].defined)
				modem_info(m, "+CGDCONT: %ld,\"%s\",\"%s\",\"\",0,0", cid,
				    m->pdp[cid].type, m->pdp[cid].apn);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, m->pers->pdp_count, &cid) != 1 || a->argc > 6)
		return RES_ERROR;
	if (a->argc == 1) {
		m->pdp[cid].defined = 0;
		return RES_OK;
	}
	type = at_arg_str(a, 1);
	apn = at_arg_str(a, 2);
	if (type == NULL || !a->argv[1].quoted || (strcasecmp(type, "IP") != 0 &&
	    strcasecmp(type, "IPV6") != 0 && strcasecmp(type, "IPV4V6") != 0) ||
	    (apn != NULL && strlen(apn) >= sizeof(m->pdp[cid].apn)) ||
	    at_arg_int(a, 4, 0, 1, &comp) == -1 || at_arg_int(a, 5, 0, 1, &comp) == -1)
		return RES_ERROR;
	m->pdp[cid].defined = 1;
	snprintf(m->pdp[cid].type, sizeof(m->pdp[cid].type), "%s", type);
	for (char *p = m->pdp[cid].type; *p != '\0'; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	snprintf(m->pdp[cid].apn, sizeof(m->pdp[cid].apn), "%s", apn != NULL ? apn : "");
	return RES_OK;
}

enum at_res
cmd_cgpaddr(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long cid;

	if (cmd->type == AT_EXEC) {
		for (cid = 1; cid <= m->pers->pdp_count; cid++)
			if (m->pdp[cid].defined)
				modem_info(m, "+CGPADDR: %ld,\"%s\"", cid,
				    m->pdp[cid].active ? modem_local_ip(m, (int)cid) : "");
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, m->pers->pdp_count, &cid) != 1)
		return RES_ERROR;
	modem_info(m, "+CGPADDR: %ld,\"%s\"", cid,
	    m->pdp[cid].active ? modem_local_ip(m, (int)cid) : "");
	return RES_OK;
}
