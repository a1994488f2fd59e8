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

/* Online mode on port ch ends with text ("NO CARRIER"). */
static void
modem_online_closed(struct modem *m, struct modem_chan *ch, const char *text)
{
	struct modem_chan *was = m->c;

	m->c = ch;
	evtimer_del(ch->ev_esc);
	ch->esc_count = 0;
	ch->online_sock = 0;
	ch->mode = MODE_COMMAND;
	modem_puts(m, "\r\n");
	modem_puts(m, text);
	modem_puts(m, "\r\n");
	modem_flush_urcs(m);
	m->c = was;
}

/* The slot closed: "NO CARRIER" (the personality's text) ends online mode
 * on it, or comes as a URC. */
static void
modem_sock_closed(void *arg, struct sock *s, int cause)
{
	struct modem *m = arg;
	struct modem_chan *online = modem_online_on(m, s->id);
	char text[64];

	m->pers->closed_text(s, cause, text, sizeof(text));
	sim_event(m->sim, "event", "socket %d closed cause=%d", s->id, cause);
	if (online != NULL) {
		modem_online_closed(m, online, text);
		return;
	}
	if (m->pers->sock_closed != NULL) {
		m->pers->sock_closed(m, s, cause);
		return;
	}
	modem_urc_on(m, modem_sock_urc_port(m, s), "%s", text);
}

/* Bytes arrived: pumped in online mode, else the personality's URC. */
static void
modem_sock_data(void *arg, struct sock *s)
{
	struct modem *m = arg;
	struct modem_chan *online = modem_online_on(m, s->id), *was = m->c;

	if (online != NULL) {
		m->c = online;
		modem_pump(m);
		m->c = was;
		return;
	}
	m->pers->urc_data(m, s);
}

/* The connect ended: the command waiting on the port that opened s
 * answers (online: CONNECT). */
static void
modem_sock_connected(void *arg, struct sock *s, int cme)
{
	struct modem *m = arg;
	struct modem_chan *was = m->c;

	if (s->imm) {
		if (m->pers->sock_opened != NULL)
			m->pers->sock_opened(m, s, cme);
		return;
	}
	m->c = &m->chan[s->port];
	if (cme != 0)
		modem_finish(m, modem_cme(m, cme));
	else if (s->conn_mode == 0)
		modem_finish(m, modem_go_online(m, s->id));
	else
		modem_finish(m, RES_OK);
	m->c = was;
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
	struct modem *m = arg;
	struct modem_chan *was = m->c;

	m->c = &m->chan[s->port];
	modem_finish(m, RES_OK);
	m->c = was;
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

/* A port's factory state. */
static void
modem_chan_factory(struct modem_chan *ch)
{
	ch->mode = MODE_COMMAND;
	ch->echo = 1;
	ch->line_state = 0;
	ch->linelen = 0;
	ch->last_line[0] = '\0';
	ch->online_sock = 0;
	ch->prompt_sock = 0;
	ch->esc_count = 0;
	ch->muted = 0;
	ch->in_handler = 0;
	evbuffer_drain(ch->urcq, evbuffer_get_length(ch->urcq));
	evbuffer_drain(ch->prompt_buf, evbuffer_get_length(ch->prompt_buf));
}

/* Factory state after power on or reboot. */
static void
modem_factory(struct modem *m)
{
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
	for (int i = 0; i < m->nchan; i++)
		modem_chan_factory(&m->chan[i]);
	m->c = &m->chan[0];
	if (m->pers->factory != NULL)
		m->pers->factory(m);
	m->hung = 0;
}

/* Port idx: its buffers, timers and pty callbacks. */
static void
modem_chan_init(struct modem *m, struct modem_chan *ch, int idx)
{
	struct event_base *base = m->sim->base;

	ch->m = m;
	ch->idx = idx;
	ch->port = m->sim->port[idx];
	ch->urcq = evbuffer_new();
	ch->prompt_buf = evbuffer_new();
	ch->ev_cmd = evtimer_new(base, modem_cmd_cb, ch);
	ch->ev_esc = evtimer_new(base, modem_esc_cb, ch);
	if (ch->urcq == NULL || ch->prompt_buf == NULL || ch->ev_cmd == NULL ||
	    ch->ev_esc == NULL)
		fatalx("modem: out of memory");
	port_set_callbacks(ch->port, modem_input_cb, modem_drain_cb, ch);
	ch->mode = MODE_OFF;
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
	m->nchan = sim->nports;
	for (int i = 0; i < m->nchan; i++)
		modem_chan_init(m, &m->chan[i], i);
	m->c = &m->chan[0];
	m->ev_reg = evtimer_new(sim->base, modem_reg_cb, m);
	TAILQ_INIT(&m->errors);
	TAILQ_INIT(&m->delays);
	TAILQ_INIT(&m->losses);
	TAILQ_INIT(&m->mutes);
	if (m->ev_reg == NULL)
		fatalx("modem: out of memory");
	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_init(&m->sock[i], sim, sim->stack, i);
	sock_attach(sim->stack, m->sock, &modem_sock_listener, m);
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
	for (int i = 0; i < m->nchan; i++) {
		event_free(m->chan[i].ev_cmd);
		event_free(m->chan[i].ev_esc);
		evbuffer_free(m->chan[i].urcq);
		evbuffer_free(m->chan[i].prompt_buf);
	}
	event_free(m->ev_reg);
	if (m->ev_hang != NULL)
		event_free(m->ev_hang);
	if (m->ev_reboot != NULL)
		event_free(m->ev_reboot);
	if (m->ev_boot != NULL)
		event_free(m->ev_boot);
	if (m->ev_ready != NULL)
		event_free(m->ev_ready);
	free(m->urc_mid);
	free(m->vendor);
	free(m);
}

/* --ready-delay after a boot passed: the boot URCs go out once a reader
 * is there. */
static void
modem_ready_cb(int fd, short what, void *arg)
{
	struct modem *m = arg;

	m->boot_urc = 1;
	modem_drain_cb(&m->chan[m->urc_port < m->nchan ? m->urc_port : 0]);
}

/* The personality's boot URCs (Quectel's RDY) come --ready-delay after the
 * port: the module answers AT commands before it says it is ready. */
static void
modem_ready_later(struct modem *m)
{
	struct timeval tv = modem_tv(m->sim->opt.ready_delay_ms);

	m->boot_urc = 0;
	if (m->pers->booted == NULL)
		return;
	if (m->ev_ready == NULL)
		m->ev_ready = evtimer_new(m->sim->base, modem_ready_cb, m);
	evtimer_add(m->ev_ready, &tv);
}

int
modem_boot(struct modem *m)
{
	modem_factory(m);
	for (int i = 0; i < m->nchan; i++)
		if (port_open(m->chan[i].port) == -1)
			return -1;
	modem_ready_later(m);
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
	for (int i = 0; i < m->nchan; i++) {
		evtimer_del(m->chan[i].ev_cmd);
		evtimer_del(m->chan[i].ev_esc);
		m->chan[i].mode = MODE_OFF;
		port_close(m->chan[i].port);
	}
	evtimer_del(m->ev_reg);
	if (m->ev_hang != NULL)
		evtimer_del(m->ev_hang);
	if (m->ev_reboot != NULL)
		evtimer_del(m->ev_reboot);
	if (m->ev_ready != NULL)
		evtimer_del(m->ev_ready);
	m->boot_urc = 0;
	m->hung = 0;
	for (int cid = 1; cid <= PDP_MAX; cid++)
		m->pdp[cid].active = 0;
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
	size_t queued = 0;

	for (int i = 0; i < m->nchan; i++)
		queued += port_queued(m->chan[i].port);
	if (queued > 0 && m->reboot_wait++ < 200) {
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

/* One port's mode, online socket and echo; port i >= 1 with suffix i. */
static void
modem_chan_state(const struct modem_chan *ch, const char *sfx, struct evbuffer *out)
{
	evbuffer_add_printf(out, "mode%s=%s\nonline_socket%s=%d\necho%s=%d\n", sfx,
	    modem_mode_names[ch->mode], sfx, ch->mode == MODE_ONLINE ? ch->online_sock : 0,
	    sfx, ch->echo);
}

void
modem_state(const struct modem *m, struct evbuffer *out)
{
	int active = 0;

	for (int cid = 1; cid <= PDP_MAX; cid++)
		active += m->pdp[cid].active;
	evbuffer_add_printf(out, "firmware=%s\nmodel=%s\nrevision=%s\n",
	    m->prof->name, m->prof->model, m->prof->revision);
	modem_chan_state(&m->chan[0], "", out);
	for (int i = 1; i < m->nchan; i++) {
		char sfx[12];

		snprintf(sfx, sizeof(sfx), "%d", i);
		modem_chan_state(&m->chan[i], sfx, out);
	}
	evbuffer_add_printf(out, "ports=%d\nurc_port=%d\n", m->nchan, m->urc_port);
	evbuffer_add_printf(out, "cmee=%d\ncfun=%d\nsim=%s\n", m->cmee,
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
		int online = modem_online_on(m, i) != NULL;

		evbuffer_add_printf(out, "id=%d state=%d remote=%s:%d local=%s:%d sent=%llu "
		    "received=%llu buff_in=%zu ack_waiting=%zu last_closure=%d dropped=%d "
		    "nat_timeout=%g mode=%s\n", i, m->pers->sock_state(m, s, online),
		    s->raddr[0] ? s->raddr : "-", s->rport, modem_local_ip(m, s->cfg.cid),
		    s->lport, (unsigned long long)s->sent, (unsigned long long)s->received,
		    sock_buff_in(s), sock_ack_waiting(s), s->last_closure, s->dropped,
		    s->nat_timeout_ms / 1000.0, s->conn_mode == 0 ? "online" : "command");
	}
}
