/* The network side: registration and its URCs, PDP contexts and their
 * addresses, and whether bytes may move at all. */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>

#include "modem.h"
#include "personality.h"
#include "profile.h"
#include "sim.h"
#include "sock.h"

int
modem_data_path(const struct modem *m)
{
	return m->cfun == 1 && m->card == SIM_READY && m->attached &&
	    (m->reg_stat == 1 || m->reg_stat == 5);
}

void
modem_update_io(struct modem *m)
{
	for (int i = 0; i < SOCK_SLOTS; i++)
		sock_update_io(&m->sock[i]);
}

/* The registration URCs of +CREG/+CGREG/+CEREG for the current state. */
static void
modem_reg_urcs(struct modem *m)
{
	int reg = m->reg_stat == 1 || m->reg_stat == 5;
	int act = m->prof->act;

	if (m->creg_n == 1 || (m->creg_n == 2 && !reg))
		modem_urc(m, "+CREG: %d", m->reg_stat);
	else if (m->creg_n == 2)
		modem_urc(m, "+CREG: %d,\"00C3\",\"0000A1B2\",%d", m->reg_stat, act);
	if (m->cgreg_n == 1 || (m->cgreg_n == 2 && !reg))
		modem_urc(m, "+CGREG: %d", m->reg_stat);
	else if (m->cgreg_n == 2)
		modem_urc(m, "+CGREG: %d,\"00C3\",\"0000A1B2\"", m->reg_stat);
	if (!m->prof->has_cereg)
		return;
	if (m->cereg_n == 1 || (m->cereg_n == 2 && !reg))
		modem_urc(m, "+CEREG: %d", m->reg_stat);
	else if (m->cereg_n == 2)
		modem_urc(m, "+CEREG: %d,\"00C3\",\"0000A1B2\",%d", m->reg_stat, act);
}

void
modem_set_reg(struct modem *m, int stat)
{
	if (stat == m->reg_stat)
		return;
	sim_event(m->sim, "event", "registration %d -> %d", m->reg_stat, stat);
	m->reg_stat = stat;
	modem_reg_urcs(m);
	modem_update_io(m);
}

void
modem_deregister(struct modem *m, int stat)
{
	evtimer_del(m->ev_reg);
	modem_set_reg(m, stat);
}

void
modem_reg_cb(int fd, short what, void *arg)
{
	struct modem *m = arg;

	modem_set_reg(m, m->sim->opt.roaming ? 5 : 1);
}

void
modem_start_registration(struct modem *m)
{
	struct timeval tv = modem_tv(m->sim->opt.reg_delay_ms);

	if (m->card != SIM_READY || m->cfun != 1)
		return;
	if (m->sim->opt.reg_delay_ms == 0) {
		modem_reg_cb(-1, 0, m);
		return;
	}
	modem_set_reg(m, 2);
	evtimer_add(m->ev_reg, &tv);
}

void
modem_pdp_deactivate(struct modem *m, int cid, int network)
{
	if (cid < 1 || cid > PDP_MAX || !m->pdp[cid].active)
		return;
	m->pdp[cid].active = 0;
	sim_event(m->sim, "event", "pdp %d deactivated by the %s", cid, network ? "network" : "host");
	if (network && m->pers->pdp_lost != NULL)
		m->pers->pdp_lost(m, cid);
	for (int i = 0; i < SOCK_SLOTS; i++)
		if (m->sock[i].cfg.cid == cid)
			sock_pdp_lost(&m->sock[i], network);
}

const char *
modem_local_ip(const struct modem *m, int cid)
{
	if (m->sim->opt.bind != NULL)
		return m->sim->opt.bind;
	if (cid < 1 || cid > PDP_MAX)
		cid = 1;
	return m->pdp[cid].addr;
}

/* The address #SGACT reports for cid: --pdp-ip, plus cid - 1. */
void
modem_pdp_addr(struct modem *m, int cid)
{
	struct in_addr a;

	if (inet_pton(AF_INET, m->sim->opt.pdp_ip, &a) != 1) {
		snprintf(m->pdp[cid].addr, sizeof(m->pdp[cid].addr), "%s", m->sim->opt.pdp_ip);
		return;
	}
	a.s_addr = htonl(ntohl(a.s_addr) + (uint32_t)(cid - 1));
	inet_ntop(AF_INET, &a, m->pdp[cid].addr, sizeof(m->pdp[cid].addr));
}
