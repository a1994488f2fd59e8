/* The simulated module's life: factory state, boot, reboot, hang, the
 * socket slots' listener, and the "state" and "sockets" reports. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "modem.h"
#include "personality.h"
#include "port.h"
#include "profile.h"
#include "sim.h"
#include "sock.h"
#include "xmalloc.h"


static const char *const modem_mode_names[] = {
	[MODE_COMMAND] = "command",
	[MODE_BUSY] = "busy",
	[MODE_PROMPT] = "prompt",
	[MODE_ONLINE] = "online",
	[MODE_OFF] = "off",
};

static const char *const modem_card_names[] = {
	[SIM_READY] = "ready",
	[SIM_PIN] = "pin",
	[SIM_PUK] = "puk",
};

/* The slot closed: "NO CARRIER" (the personality's text) ends online mode
 * on it, or comes as a URC. */
static void
modem_sock_closed(void *arg, struct sock *s, int cause)
{
	struct modem *m = arg;
	char text[64];

	m->pers->closed_text(s, cause, text, sizeof(text));
	sim_event(m->sim, "event", "socket %d closed cause=%d", s->id, cause);
	if (m->pers->sock_closed != NULL && !(m->mode == MODE_ONLINE && m->online_sock == s->id)) {
		m->pers->sock_closed(m, s, cause);
		return;
	}
	if (m->mode == MODE_ONLINE && m->online_sock == s->id) {
		evtimer_del(m->ev_esc);
		m->esc_count = 0;
		m->online_sock = 0;
		m->mode = MODE_COMMAND;
		modem_puts(m, "\r\n");
		modem_puts(m, text);
		modem_puts(m, "\r\n");
		modem_flush_urcs(m);
		return;
	}
	modem_urc(m, "%s", text);
}

/* Bytes arrived: pumped in online mode, else the personality's URC. */
static void
modem_sock_data(void *arg, struct sock *s)
{
	struct modem *m = arg;

	if (m->mode == MODE_ONLINE && m->online_sock == s->id) {
		modem_pump(m);
		return;
	}
	m->pers->urc_data(m, s);
}

/* The connect ended: the waiting command answers (online: CONNECT). */
static void
modem_sock_connected(void *arg, struct sock *s, int cme)
{
	struct modem *m = arg;

	if (s->imm) {
		if (m->pers->sock_opened != NULL)
			m->pers->sock_opened(m, s, cme);
		return;
	}
	if (cme != 0) {
		modem_finish(m, modem_cme(m, cme));
		return;
	}
	if (s->conn_mode == 0) {
		modem_finish(m, modem_go_online(m, s->id));
		return;
	}
	modem_finish(m, RES_OK);
}

/* The peer's FIN: the personality may say so. */
static void
modem_sock_remote_fin(void *arg, struct sock *s)
{
	struct modem *m = arg;

	if (m->pers->remote_fin != NULL)
		m->pers->remote_fin(m, s);
}

static void
modem_sock_shutdown_done(void *arg, struct sock *s)
{
	modem_finish(arg, RES_OK);
}

static int
modem_sock_data_path(void *arg)
{
	return modem_data_path(arg);
}

static const char *
modem_sock_local_ip(void *arg, int cid)
{
	return modem_local_ip(arg, cid);
}

static const struct sock_listener modem_sock_listener = {
	.connected = modem_sock_connected,
	.data = modem_sock_data,
	.closed = modem_sock_closed,
	.remote_fin = modem_sock_remote_fin,
	.shutdown_done = modem_sock_shutdown_done,
	.data_path = modem_sock_data_path,
	.local_ip = modem_sock_local_ip,
};

/* Factory state after power on or reboot. */
static void
modem_factory(struct modem *m)
{
	m->mode = MODE_COMMAND;
	m->echo = 1;
	m->cmee = 0;
	m->cfun = 1;
	m->flowctl = 3;
	m->ipr = m->sim->opt.baud ? (int)m->sim->opt.baud : 115200;
	memset(m->sreg, 0, sizeof(m->sreg));
	m->sreg[2] = '+';
	m->sreg[3] = '\r';
	m->sreg[4] = '\n';
	m->sreg[5] = MODEM_BS;
	m->sreg[12] = 50;
	m->creg_n = m->cgreg_n = m->cereg_n = 0;
	m->card = m->sim->opt.pin != NULL ? SIM_PIN : SIM_READY;
	m->pin_tries = 3;
	m->reg_stat = m->card == SIM_READY ? 2 : 0;
	m->attached = 1;
	m->rssi = 18;
	m->ber = 99;
	for (int cid = 1; cid <= PDP_MAX; cid++) {
		memset(&m->pdp[cid], 0, sizeof(m->pdp[cid]));
		modem_pdp_addr(m, cid);
	}
	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_reset(&m->sock[i]);
	if (m->pers->factory != NULL)
		m->pers->factory(m);
	m->line_state = 0;
	m->linelen = 0;
	m->last_line[0] = '\0';
	m->online_sock = 0;
	m->prompt_sock = 0;
	m->esc_count = 0;
	m->hung = 0;
	evbuffer_drain(m->urcq, evbuffer_get_length(m->urcq));
	evbuffer_drain(m->prompt_buf, evbuffer_get_length(m->prompt_buf));
}

struct modem *
modem_new(struct sim *sim)
{
	struct modem *m = xcalloc(1, sizeof(*m));

	m->sim = sim;
	m->pers = sim->pers;
	m->vendor = xcalloc(1, m->pers->state_size > 0 ? m->pers->state_size : 1);
	m->prof = sim->opt.profile;
	m->line_max = sim->opt.line_max > 0 ? sim->opt.line_max : m->prof->line_max;
	m->urcq = evbuffer_new();
	m->prompt_buf = evbuffer_new();
	m->ev_cmd = evtimer_new(sim->base, modem_cmd_cb, m);
	m->ev_esc = evtimer_new(sim->base, modem_esc_cb, m);
	m->ev_reg = evtimer_new(sim->base, modem_reg_cb, m);
	TAILQ_INIT(&m->errors);
	TAILQ_INIT(&m->delays);
	TAILQ_INIT(&m->losses);
	TAILQ_INIT(&m->mutes);
	if (m->urcq == NULL || m->prompt_buf == NULL || m->ev_cmd == NULL ||
	    m->ev_esc == NULL || m->ev_reg == NULL)
		fatalx("modem: out of memory");
	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_init(&m->sock[i], sim, sim->stack, i);
	sock_attach(sim->stack, m->sock, &modem_sock_listener, m);
	port_set_callbacks(sim->port, modem_input_cb, modem_drain_cb, m);
	m->mode = MODE_OFF;
	return m;
}

void
modem_free(struct modem *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_free(&m->sock[i]);
	modem_free_faults(&m->errors);
	modem_free_faults(&m->delays);
	modem_free_faults(&m->losses);
	modem_free_faults(&m->mutes);
	event_free(m->ev_cmd);
	event_free(m->ev_esc);
	event_free(m->ev_reg);
	if (m->ev_hang != NULL)
		event_free(m->ev_hang);
	if (m->ev_reboot != NULL)
		event_free(m->ev_reboot);
	if (m->ev_boot != NULL)
		event_free(m->ev_boot);
	evbuffer_free(m->urcq);
	evbuffer_free(m->prompt_buf);
	free(m->urc_mid);
	free(m->vendor);
	free(m);
}

int
modem_boot(struct modem *m)
{
	modem_factory(m);
	if (port_open(m->sim->port) == -1)
		return -1;
	m->mode = MODE_COMMAND;
	m->boot_urc = m->pers->booted != NULL;
	sim_event(m->sim, "event", "boot %s %s", m->prof->model, m->prof->revision);
	modem_start_registration(m);
	return 0;
}

static void
modem_boot_cb(int fd, short what, void *arg)
{
	struct modem *m = arg;

	if (modem_boot(m) == -1)
		fatalx("cannot bring the port back after a reboot");
}

void
modem_reboot(struct modem *m, unsigned ms, const char *why)
{
	struct timeval tv = modem_tv(ms);

	sim_event(m->sim, "event", "reboot (%s), port back in %u ms", why, ms);
	m->reboots++;
	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_forget(&m->sock[i]);
	stack_reboot(m->sim->stack);
	evtimer_del(m->ev_cmd);
	evtimer_del(m->ev_esc);
	evtimer_del(m->ev_reg);
	if (m->ev_hang != NULL)
		evtimer_del(m->ev_hang);
	if (m->ev_reboot != NULL)
		evtimer_del(m->ev_reboot);
	m->mode = MODE_OFF;
	m->hung = 0;
	for (int cid = 1; cid <= PDP_MAX; cid++)
		m->pdp[cid].active = 0;
	port_close(m->sim->port);
	if (m->ev_boot == NULL)
		m->ev_boot = evtimer_new(m->sim->base, modem_boot_cb, m);
	evtimer_add(m->ev_boot, &tv);
}

/* AT#REBOOT: let "OK" reach the host, then go. */
static void
modem_reboot_wait_cb(int fd, short what, void *arg)
{
	struct modem *m = arg;
	struct timeval tv = { 0, 5000 };

	if (port_queued(m->sim->port) > 0 && m->reboot_wait++ < 200) {
		evtimer_add(m->ev_reboot, &tv);
		return;
	}
	modem_reboot(m, m->reboot_ms, "AT command");
}

void
modem_reboot_after_output(struct modem *m, unsigned ms)
{
	struct timeval tv = { 0, 5000 };

	if (m->ev_reboot == NULL)
		m->ev_reboot = evtimer_new(m->sim->base, modem_reboot_wait_cb, m);
	m->reboot_ms = ms;
	m->reboot_wait = 0;
	evtimer_add(m->ev_reboot, &tv);
}

static void
modem_hang_cb(int fd, short what, void *arg)
{
	modem_unhang(arg);
}

void
modem_hang(struct modem *m, unsigned ms)
{
	struct timeval tv = modem_tv(ms);

	if (m->ev_hang == NULL)
		m->ev_hang = evtimer_new(m->sim->base, modem_hang_cb, m);
	m->hung = 1;
	evtimer_del(m->ev_hang);
	if (ms > 0)
		evtimer_add(m->ev_hang, &tv);
}

void
modem_unhang(struct modem *m)
{
	if (!m->hung)
		return;
	m->hung = 0;
	if (m->ev_hang != NULL)
		evtimer_del(m->ev_hang);
	sim_event(m->sim, "event", "hang over");
}

void
modem_state(const struct modem *m, struct evbuffer *out)
{
	int active = 0;

	for (int cid = 1; cid <= PDP_MAX; cid++)
		active += m->pdp[cid].active;
	evbuffer_add_printf(out, "firmware=%s\nmodel=%s\nrevision=%s\n",
	    m->prof->name, m->prof->model, m->prof->revision);
	evbuffer_add_printf(out, "mode=%s\nonline_socket=%d\n", modem_mode_names[m->mode],
	    m->mode == MODE_ONLINE ? m->online_sock : 0);
	evbuffer_add_printf(out, "echo=%d\ncmee=%d\ncfun=%d\nsim=%s\n", m->echo, m->cmee,
	    m->cfun, modem_card_names[m->card]);
	evbuffer_add_printf(out, "reg_stat=%d\nregistered=%d\nattached=%d\n", m->reg_stat,
	    m->reg_stat == 1 || m->reg_stat == 5, m->attached);
	evbuffer_add_printf(out, "pdp_active=%d\npdp_ip=%s\n", active,
	    m->pdp[1].active ? modem_local_ip(m, 1) : "");
	evbuffer_add_printf(out, "hung=%d\nreboots=%u\n", m->hung, m->reboots);
	evbuffer_add_printf(out, "cmds_total=%llu\nerrors_total=%llu\nurcs_total=%llu\n",
	    (unsigned long long)m->cmds_total, (unsigned long long)m->errors_total,
	    (unsigned long long)m->urcs_total);
	evbuffer_add_printf(out, "ignored_total=%llu\n", (unsigned long long)m->ignored_total);
}

void
modem_sockets(const struct modem *m, struct evbuffer *out)
{
	for (int i = m->pers->sock_min; i <= m->pers->sock_max; i++) {
		const struct sock *s = &m->sock[i];
		int online = m->mode == MODE_ONLINE && m->online_sock == i;

		evbuffer_add_printf(out, "id=%d state=%d remote=%s:%d local=%s:%d sent=%llu "
		    "received=%llu buff_in=%zu ack_waiting=%zu last_closure=%d dropped=%d "
		    "nat_timeout=%g mode=%s\n", i, m->pers->sock_state(m, s, online),
		    s->raddr[0] ? s->raddr : "-", s->rport, modem_local_ip(m, s->cfg.cid),
		    s->lport, (unsigned long long)s->sent, (unsigned long long)s->received,
		    sock_buff_in(s), sock_ack_waiting(s), s->last_closure, s->dropped,
		    s->nat_timeout_ms / 1000.0, s->conn_mode == 0 ? "online" : "command");
	}
}
