/* The bring-up step table and each step's request and reply. A step never
 * changes the modem's state itself: it reports success or error, and the
 * runner in modem.c goes where the table says. */
#include "config.h"

#include <stdio.h>

#include "backoff.h"
#include "conf/conf.h"
#include "log.h"
#include "modem/detect.h"
#include "modem/escalate.h"
#include "modem/info.h"
#include "modem/modem.h"
#include "modem/steps.h"
#include "util.h"

#define MODEM_SYNC_TIMEOUT 15.0		/* resync must succeed within this */
#define MODEM_REBOOT_WAIT 20.0		/* for the port to vanish after #REBOOT */

/* Send a dialect request; its reply (if the state did not change) goes to fn. */
#define MODEM_OP(m, fn, call, ...) do { \
	struct opslot *slot_ = opslot_take(&(m)->ops_slots, fn); \
	if (slot_ != NULL) \
		(m)->ops->call((m)->at, __VA_ARGS__, opslot_reply, slot_); \
} while (0)
#define MODEM_OP0(m, fn, call) do { \
	struct opslot *slot_ = opslot_take(&(m)->ops_slots, fn); \
	if (slot_ != NULL) \
		(m)->ops->call((m)->at, opslot_reply, slot_); \
} while (0)

/* A reply whose content does not matter: the next step is the same. */
static int
steps_any(struct modem *m, const struct dialect_reply *r, const char **why)
{
	return 1;
}

/* ---- the dialect ---- */

/* "auto": ask the module who made it; a configured dialect is attached
 * already. */
static enum modem_sent
steps_detect(struct modem *m, opslot_fn *done)
{
	struct opslot *slot;

	if (m->conf->modem.dialect != CONF_DIALECT_AUTO)
		return MODEM_ASYNC;
	if ((slot = opslot_take(&m->ops_slots, done)) != NULL)
		modem_ask_manufacturer(m->at, m->step == MSTEP_DETECT_GMI, opslot_reply, slot);
	return MODEM_SENT;
}

static int
steps_on_cgmi(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK || r->u.ident.manufacturer[0] == '\0')
		return 0;
	modem_pick_dialect(m, "+CGMI", r->u.ident.manufacturer);
	return 1;
}

static int
steps_on_gmi(struct modem *m, const struct dialect_reply *r, const char **why)
{
	modem_pick_dialect(m, "+GMI", r->status == DIALECT_OK ? r->u.ident.manufacturer : "");
	return 1;
}

/* ---- after a boot ---- */

/* The module answers AT before it is ready after a boot (Quectel: until
 * RDY): after a reboot, a power cycle or the port coming back, wait for
 * its ready URC up to the dialect's bound, then go on either way. */
static enum modem_sent
steps_boot_wait(struct modem *m, opslot_fn *done)
{
	uint64_t now = util_now_ms();
	int bound = m->ops->boot_wait_ms;

	if (!m->boot_expected || bound <= 0 || m->booted) {
		if (m->boot_expected && m->booted && bound > 0)
			log_info("modem: the module reports ready after its boot");
		m->boot_expected = 0;
		m->boot_wait_until_ms = 0;
		return MODEM_ASYNC;
	}
	if (m->boot_wait_until_ms == 0) {
		m->boot_wait_until_ms = now + (uint64_t)bound;
		log_info("modem: waiting up to %.0f s for the module to report ready after "
		    "its boot", bound / 1000.0);
	}
	if (now >= m->boot_wait_until_ms) {
		log_warnx("modem: no ready report within %.0f s of the boot; going on",
		    bound / 1000.0);
		m->boot_expected = 0;
		m->boot_wait_until_ms = 0;
		return MODEM_ASYNC;
	}
	modem_timer(m, (double)(m->boot_wait_until_ms - now) / 1000.0);
	return MODEM_DEFERRED;
}

/* ---- init and identity ---- */

static enum modem_sent
steps_init(struct modem *m, opslot_fn *done)
{
	MODEM_OP(m, done, init, &m->conf->modem);
	return MODEM_SENT;
}

static int
steps_on_init(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK)
		modem_fail_reply(m, "an init command failed (continuing)", r);
	return 1;
}

static enum modem_sent
steps_identify(struct modem *m, opslot_fn *done)
{
	MODEM_OP0(m, done, identify);
	return MODEM_SENT;
}

/* Known-bad firmware raises the quiet time and says what fixes it. */
static void
steps_apply_quirks(struct modem *m)
{
	const struct dialect_quirk *q = dialect_quirk_find(m->ident.model, m->ident.firmware);
	double quiet = 0;

	for (int i = 0; i < m->conf->n_links; i++)
		if (m->conf->links[i].reconnect.quiet_time > quiet)
			quiet = m->conf->links[i].reconnect.quiet_time;
	m->quiet_time = quiet;
	if (q == NULL)
		return;
	log_warnx("modem: %s firmware %s: %s", m->ident.model, m->ident.firmware, q->advice);
	if (q->min_quiet_time > m->quiet_time) {
		m->quiet_time = q->min_quiet_time;
		log_warnx("modem: quiet time after each close raised to %.1f s for this firmware",
		    m->quiet_time);
	}
}

/* A configuration problem only the dialect or the model reveals: logged
 * and kept in last_error, even once ready; the bring-up goes on. */
static void
steps_conf_problem(struct modem *m, const char *why)
{
	log_warnx("modem: %s", why);
	snprintf(m->conf_problem, sizeof(m->conf_problem), "%s", why);
	modem_set_error(m, "%s", why);
}

/* The checks cellsockd -n cannot make with modem.dialect "auto": socket ids
 * in the dialect's range (a link out of it never dials: link_modem.c) and
 * commands within the model's command line. No key sets a send size: the
 * largest send is the module's own (capped at the dialect's max_send_cap). */
static void
steps_check_conf(struct modem *m)
{
	const struct conf *c = m->conf;
	char why[sizeof(m->last_error)];

	m->conf_problem[0] = '\0';
	for (int i = 0; i < c->n_links; i++) {
		if (modem_sock_id_ok(m, c->links[i].socket))
			continue;
		snprintf(why, sizeof(why), "links[%d] (\"%.60s\") uses socket %d, outside the %s "
		    "dialect's socket ids %d to %d: it will not dial; change links[].socket", i,
		    c->links[i].name, c->links[i].socket, m->ops->name, m->ops->sock_id_min,
		    m->ops->sock_id_max);
		steps_conf_problem(m, why);
	}
	if (m->ops->line_check != NULL &&
	    m->ops->line_check(c, m->ident.model, why, sizeof(why)) != 0)
		steps_conf_problem(m, why);
}

static int
steps_on_identify(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status == DIALECT_OK) {
		m->ident = r->u.ident;
		log_info("modem: %s %s firmware %s, sends up to %zu bytes", m->ident.manufacturer,
		    m->ident.model, m->ident.firmware, modem_max_send(m));
	} else
		modem_fail_reply(m, "identification failed", r);
	steps_apply_quirks(m);
	steps_check_conf(m);
	return 1;
}

/* ---- SIM ---- */

static enum modem_sent
steps_sim_status(struct modem *m, opslot_fn *done)
{
	MODEM_OP0(m, done, sim_status);
	return MODEM_SENT;
}

static int
steps_on_sim_status(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK) {
		modem_fail_reply(m, "SIM not ready", r);
		return 0;
	}
	m->sim = r->u.sim;
	return 1;
}

static int
steps_sim_ready(struct modem *m, const struct dialect_reply *r, const char **why)
{
	return m->sim == SIM_READY;
}

/* A PIN is needed: enter the configured one, once; else the SIM stays. */
static int
steps_sim_pin(struct modem *m, const struct dialect_reply *r, const char **why)
{
	const char *pin = m->conf->modem.pin;

	*why = m->last_error;
	switch (m->sim) {
	case SIM_READY:		/* taken by MSTEP_SIM_READY: not here */
	case SIM_PIN:
		if (pin == NULL || *pin == '\0' || m->pin_tried) {
			modem_set_error(m, "the SIM needs a PIN%s",
			    m->pin_tried ? " again" : ": set modem.pin");
			return 0;
		}
		m->pin_tried = 1;
		return 1;
	case SIM_PUK:
		modem_set_error(m, "the SIM is blocked (PUK needed)");
		return 0;
	case SIM_OTHER:
		modem_set_error(m, "the SIM is locked in a way "
		    "cellsock does not handle");
		return 0;
	}
	return 0;
}

static enum modem_sent
steps_sim_unlock(struct modem *m, opslot_fn *done)
{
	MODEM_OP(m, done, sim_unlock, m->conf->modem.pin);
	return MODEM_SENT;
}

static int
steps_on_unlock(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK) {
		modem_fail_reply(m, "the SIM refused the configured PIN; not retrying "
		    "(repeated wrong PINs lock the SIM)", r);
		return 0;
	}
	log_info("modem: SIM PIN accepted");
	return 1;
}

/* ---- registration ---- */

static enum modem_sent
steps_reg_enable(struct modem *m, opslot_fn *done)
{
	MODEM_OP0(m, done, reg_enable);
	return MODEM_SENT;
}

static enum modem_sent
steps_reg_query(struct modem *m, opslot_fn *done)
{
	MODEM_OP0(m, done, reg_query);
	return MODEM_SENT;
}

static int
steps_on_reg_query(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status == DIALECT_OK)
		m->reg_stat = r->u.reg_stat;
	return 1;
}

static void
steps_on_signal(void *owner, const struct dialect_reply *r)
{
	struct modem *m = owner;

	if (r->status != DIALECT_OK)
		return;
	m->dbm = r->u.signal.dbm;
	m->rssi = r->u.signal.rssi;
	snprintf(m->oper, sizeof(m->oper), "%s", r->u.signal.oper);
}

/* The signal and the operator are read on the way (again once registered:
 * before, +COPS? names no operator): the reply only updates the status. */
static enum modem_sent
steps_signal(struct modem *m, opslot_fn *done)
{
	MODEM_OP0(m, steps_on_signal, signal);
	return MODEM_ASYNC;
}

static int
steps_reg_check(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (!modem_registered(m->reg_stat))
		return 0;
	*why = m->reg_stat == 5 ? "registered, roaming" : "registered, home network";
	return 1;
}

/* Not registered in time: that counts as a failure; wait again. */
static int
steps_reg_timeout(struct modem *m, const struct dialect_reply *r, const char **why)
{
	log_warnx("modem: not registered after %.0f s", m->conf->network.registration_timeout);
	escalate_failed(&m->esc, 0);
	if (m->state == MODEM_REGISTERING)
		modem_timer(m, m->conf->network.registration_timeout);
	return 0;
}

/* ---- the PDP context ---- */

static enum modem_sent
steps_pdp_define(struct modem *m, opslot_fn *done)
{
	const struct conf_network *n = &m->conf->network;

	MODEM_OP(m, done, pdp_define, n->cid, n->pdp_type, n->apn, n->user, n->password);
	return MODEM_SENT;
}

static int
steps_on_pdp_define(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK)
		modem_fail_reply(m, "PDP context definition refused", r);
	return 1;
}

/* Tie the links' sockets to the context before it is activated (HE910
 * refuses #SGACT for a context no socket is tied to), once the quiet time
 * after the last close is over. A dialect that needs nothing skips it. */
static enum modem_sent
steps_sock_bind(struct modem *m, opslot_fn *done)
{
	const struct conf *c = m->conf;
	uint64_t quiet = modem_quiet_left_ms(m);
	int ids[CONF_MAX_LINKS], n = 0;

	if (m->ops->sock_bind == NULL)
		return MODEM_ASYNC;
	if (quiet > 0) {
		modem_timer(m, (double)quiet / 1000.0);
		return MODEM_DEFERRED;
	}
	for (int i = 0; i < c->n_links && n < CONF_MAX_LINKS; i++)
		if (modem_sock_id_ok(m, c->links[i].socket))
			ids[n++] = c->links[i].socket;
	if (n == 0)
		return MODEM_ASYNC;
	MODEM_OP(m, done, sock_bind, c->network.cid, ids, n);
	return MODEM_SENT;
}

/* A socket refusing its settings (connected, say) is checked and closed
 * before its link dials: activation is tried all the same. */
static int
steps_on_sock_bind(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK)
		modem_fail_reply(m, "socket configuration before activation refused "
		    "(continuing)", r);
	return 1;
}

static enum modem_sent
steps_pdp_query(struct modem *m, opslot_fn *done)
{
	MODEM_OP(m, done, pdp_query, m->conf->network.cid);
	return MODEM_SENT;
}

/* The context is active: the modem is ready. */
static void
steps_attached(struct modem *m, const struct dialect_reply *r)
{
	if (r->status == DIALECT_OK && r->u.pdp.ip[0])
		snprintf(m->ip, sizeof(m->ip), "%s", r->u.pdp.ip);
	escalate_answering(&m->esc);
	m->step_running = -1;
}

static int
steps_on_pdp_query(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK || !r->u.pdp.active)
		return 0;
	steps_attached(m, r);
	return 1;
}

/* Activate the context once the quiet time after the last close is over. */
static enum modem_sent
steps_pdp_activate(struct modem *m, opslot_fn *done)
{
	const struct conf_network *n = &m->conf->network;
	uint64_t quiet = modem_quiet_left_ms(m);

	if (quiet > 0) {
		modem_timer(m, (double)quiet / 1000.0);
		return MODEM_DEFERRED;
	}
	log_info("modem: activating PDP context %d (APN %s)", n->cid, n->apn);
	MODEM_OP(m, done, pdp_activate, n->cid, n->user, n->password);
	return MODEM_SENT;
}

static int
steps_on_pdp_activate(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK) {
		modem_fail_reply(m, "PDP activation failed", r);
		escalate_failed(&m->esc, 0);
		return 0;
	}
	steps_attached(m, r);
	return 1;
}

/* Ready, a socket closed with cause PDP: did the network drop the context? */
static int
steps_on_pdp_check(struct modem *m, const struct dialect_reply *r, const char **why)
{
	if (r->status != DIALECT_OK || r->u.pdp.active)
		return 0;
	modem_set_error(m, "the network deactivated the PDP context");
	*why = m->last_error;
	return 1;
}

/* ---- escalation steps ---- */

static enum modem_sent
steps_pdp_off(struct modem *m, opslot_fn *done)
{
	MODEM_OP(m, done, pdp_deactivate, m->conf->network.cid);
	return MODEM_SENT;
}

static int
steps_on_pdp_off(struct modem *m, const struct dialect_reply *r, const char **why)
{
	modem_quiet_begin(m);
	return 1;
}

static enum modem_sent
steps_radio_off(struct modem *m, opslot_fn *done)
{
	MODEM_OP(m, done, radio, 0);
	return MODEM_SENT;
}

static enum modem_sent
steps_radio_on(struct modem *m, opslot_fn *done)
{
	MODEM_OP(m, done, radio, 1);
	return MODEM_SENT;
}

static int
steps_on_radio_on(struct modem *m, const struct dialect_reply *r, const char **why)
{
	m->reg_stat = -1;
	return 1;
}

static enum modem_sent
steps_reboot(struct modem *m, opslot_fn *done)
{
	MODEM_OP0(m, done, reboot);
	return MODEM_SENT;
}

static int
steps_on_reboot(struct modem *m, const struct dialect_reply *r, const char **why)
{
	log_info("modem: reboot %s; waiting for the port to go and come back",
	    r->status == DIALECT_OK ? "accepted" : "not confirmed");
	m->boot_expected = 1;
	modem_timer(m, MODEM_REBOOT_WAIT);
	return 1;
}

/* ---- the tables ---- */

#define ROW(st, nm, op, rp, ok, err, wok, werr) \
	[nm] = { st, #nm, op, rp, ok, err, wok, werr }

const struct modem_step_row modem_steps[MSTEP_COUNT] = {
	ROW(MODEM_CLOSED, MSTEP_CLOSED, NULL, NULL, MSTEP_STAY, MSTEP_STAY, NULL, NULL),
	ROW(MODEM_SYNCING, MSTEP_RESYNC, NULL, NULL, MSTEP_DETECT, MSTEP_LOST,
	    "the modem answers", "no answer to AT after opening the port"),
	ROW(MODEM_INIT, MSTEP_DETECT, steps_detect, steps_on_cgmi, MSTEP_BOOT_WAIT,
	    MSTEP_DETECT_GMI, NULL, NULL),
	ROW(MODEM_INIT, MSTEP_DETECT_GMI, steps_detect, steps_on_gmi, MSTEP_BOOT_WAIT,
	    MSTEP_BOOT_WAIT, NULL, NULL),
	ROW(MODEM_INIT, MSTEP_BOOT_WAIT, steps_boot_wait, NULL, MSTEP_INIT, MSTEP_INIT,
	    NULL, NULL),
	ROW(MODEM_INIT, MSTEP_INIT, steps_init, steps_on_init, MSTEP_IDENTIFY, MSTEP_IDENTIFY,
	    NULL, NULL),
	ROW(MODEM_INIT, MSTEP_IDENTIFY, steps_identify, steps_on_identify, MSTEP_SIM_STATUS,
	    MSTEP_SIM_STATUS, "identified", "identified"),
	ROW(MODEM_SIM, MSTEP_SIM_STATUS, steps_sim_status, steps_on_sim_status, MSTEP_SIM_READY,
	    MSTEP_RETRY, NULL, NULL),
	ROW(MODEM_SIM, MSTEP_SIM_READY, NULL, steps_sim_ready, MSTEP_REG_ENABLE, MSTEP_SIM_PIN,
	    "SIM ready", NULL),
	ROW(MODEM_SIM, MSTEP_SIM_PIN, NULL, steps_sim_pin, MSTEP_SIM_UNLOCK, MSTEP_FAILED,
	    NULL, "the SIM is locked"),
	ROW(MODEM_SIM, MSTEP_SIM_UNLOCK, steps_sim_unlock, steps_on_unlock, MSTEP_SIM_STATUS,
	    MSTEP_FAILED, NULL, "wrong SIM PIN"),
	ROW(MODEM_REGISTERING, MSTEP_REG_ENABLE, steps_reg_enable, steps_any, MSTEP_REG_QUERY,
	    MSTEP_REG_QUERY, NULL, NULL),
	ROW(MODEM_REGISTERING, MSTEP_REG_QUERY, steps_reg_query, steps_on_reg_query,
	    MSTEP_SIGNAL, MSTEP_SIGNAL, NULL, NULL),
	ROW(MODEM_REGISTERING, MSTEP_SIGNAL, steps_signal, NULL, MSTEP_REG_CHECK,
	    MSTEP_REG_CHECK, NULL, NULL),
	ROW(MODEM_REGISTERING, MSTEP_REG_CHECK, NULL, steps_reg_check, MSTEP_OPERATOR,
	    MSTEP_STAY, "registered", NULL),
	ROW(MODEM_REGISTERING, MSTEP_REG_TIMEOUT, NULL, steps_reg_timeout, MSTEP_STAY,
	    MSTEP_STAY, NULL, NULL),
	ROW(MODEM_ATTACHING, MSTEP_OPERATOR, steps_signal, NULL, MSTEP_PDP_DEFINE,
	    MSTEP_PDP_DEFINE, NULL, NULL),
	ROW(MODEM_ATTACHING, MSTEP_PDP_DEFINE, steps_pdp_define, steps_on_pdp_define,
	    MSTEP_SOCK_BIND, MSTEP_SOCK_BIND, NULL, NULL),
	ROW(MODEM_ATTACHING, MSTEP_SOCK_BIND, steps_sock_bind, steps_on_sock_bind,
	    MSTEP_PDP_QUERY, MSTEP_PDP_QUERY, NULL, NULL),
	ROW(MODEM_ATTACHING, MSTEP_PDP_QUERY, steps_pdp_query, steps_on_pdp_query, MSTEP_READY,
	    MSTEP_PDP_ACTIVATE, "PDP context active", NULL),
	ROW(MODEM_ATTACHING, MSTEP_PDP_ACTIVATE, steps_pdp_activate, steps_on_pdp_activate,
	    MSTEP_READY, MSTEP_RETRY, "PDP context active", NULL),
	ROW(MODEM_READY, MSTEP_READY, NULL, NULL, MSTEP_STAY, MSTEP_STAY, NULL, NULL),
	ROW(MODEM_READY, MSTEP_PDP_CHECK, steps_pdp_query, steps_on_pdp_check, MSTEP_OPERATOR,
	    MSTEP_STAY, "the network deactivated the PDP context", NULL),
	ROW(MODEM_FAILED, MSTEP_FAILED, NULL, NULL, MSTEP_STAY, MSTEP_STAY, NULL, NULL),
	ROW(MODEM_RECOVERING, MSTEP_RECOVER, NULL, NULL, MSTEP_STAY, MSTEP_STAY, NULL, NULL),
	ROW(MODEM_RECOVERING, MSTEP_PDP_OFF, steps_pdp_off, steps_on_pdp_off, MSTEP_OPERATOR,
	    MSTEP_OPERATOR, "PDP cycle: context deactivated", "PDP cycle: context deactivated"),
	ROW(MODEM_RECOVERING, MSTEP_RADIO_OFF, steps_radio_off, steps_any, MSTEP_RADIO_ON,
	    MSTEP_RADIO_ON, NULL, NULL),
	ROW(MODEM_RECOVERING, MSTEP_RADIO_ON, steps_radio_on, steps_on_radio_on, MSTEP_REG_ENABLE,
	    MSTEP_REG_ENABLE, "radio cycle: radio back on", "radio cycle: radio back on"),
	ROW(MODEM_RECOVERING, MSTEP_REBOOT, steps_reboot, steps_on_reboot, MSTEP_STAY,
	    MSTEP_STAY, NULL, NULL),
};

static double
steps_deadline_reopen(struct modem *m)
{
	return backoff_next(&m->reopen, 0);
}

static double
steps_deadline_sync(struct modem *m)
{
	return MODEM_SYNC_TIMEOUT;
}

static double
steps_deadline_registration(struct modem *m)
{
	return m->conf->network.registration_timeout;
}

const struct modem_state_row modem_states[MODEM_STATE_COUNT] = {
	[MODEM_CLOSED] = { MSTEP_CLOSED, steps_deadline_reopen, MSTEP_OPEN, NULL },
	[MODEM_SYNCING] = { MSTEP_RESYNC, steps_deadline_sync, MSTEP_LOST,
	    "no answer to AT after opening the port" },
	[MODEM_INIT] = { MSTEP_DETECT, NULL, MSTEP_BOOT_WAIT, NULL },
	[MODEM_SIM] = { MSTEP_SIM_STATUS, NULL, MSTEP_SIM_STATUS, NULL },
	[MODEM_REGISTERING] = { MSTEP_REG_ENABLE, steps_deadline_registration,
	    MSTEP_REG_TIMEOUT, NULL },
	[MODEM_ATTACHING] = { MSTEP_OPERATOR, NULL, MSTEP_SOCK_BIND, NULL },
	[MODEM_READY] = { MSTEP_READY, NULL, MSTEP_STAY, NULL },
	[MODEM_RECOVERING] = { MSTEP_RECOVER, NULL, MSTEP_LOST,
	    "the module did not restart its port after a reboot" },
	[MODEM_FAILED] = { MSTEP_FAILED, NULL, MSTEP_STAY, NULL },
};

const enum modem_step modem_escalation_first[STEP_COUNT] = {
	[STEP_PDP_CYCLE] = MSTEP_PDP_OFF,
	[STEP_RADIO_CYCLE] = MSTEP_RADIO_OFF,
	[STEP_MODEM_REBOOT] = MSTEP_REBOOT,
	[STEP_HOOK] = MSTEP_RECOVER,
};
