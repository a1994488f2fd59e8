/* Telit IP Easy commands: contexts, socket configuration, dial, send,
 * receive, status and close, as the HE910/LE910 answer them. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "modem.h"
#include "profile.h"
#include "sim.h"
#include "xmalloc.h"

#define SRECV_MAX	1500
#define SSENDEXT_MAX	1500

/* The connId in argument 0 (1..6), or NULL. */
static struct sock *
cmd_sock(struct modem *m, const struct at_args *a)
{
	long id;

	if (at_arg_int(a, 0, 1, SOCK_COUNT, &id) != 1)
		return NULL;
	return &m->sock[id];
}

static int
cmd_online_id(const struct modem *m)
{
	return m->mode == MODE_ONLINE ? m->online_sock : 0;
}

enum at_res
cmd_cgdcont(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	const char *type, *apn;
	long cid, comp;

	if (cmd->type == AT_READ) {
		for (cid = 1; cid <= PDP_COUNT; cid++)
			if (m->pdp[cid].defined)
				modem_info(m, "+CGDCONT: %ld,\"%s\",\"%s\",\"\",0,0", cid,
				    m->pdp[cid].type, m->pdp[cid].apn);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, PDP_COUNT, &cid) != 1 || a->argc > 6)
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
		for (cid = 1; cid <= PDP_COUNT; cid++)
			if (m->pdp[cid].defined)
				modem_info(m, "+CGPADDR: %ld,\"%s\"", cid,
				    m->pdp[cid].active ? modem_local_ip(m, (int)cid) : "");
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, PDP_COUNT, &cid) != 1)
		return RES_ERROR;
	modem_info(m, "+CGPADDR: %ld,\"%s\"", cid,
	    m->pdp[cid].active ? modem_local_ip(m, (int)cid) : "");
	return RES_OK;
}

/* Parse argument i into *v within [min, max]; required unless opt. */
static int
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

enum at_res
cmd_scfg(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++) {
			c = m->sock[i].cfg;
			modem_info(m, "#SCFG: %d,%d,%d,%d,%d,%d", i, c.cid, c.pktsz, c.maxto,
			    c.connto, c.txto);
		}
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc != 6)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, PDP_COUNT, 0, &c.cid) == -1 ||
	    cmd_int(a, 2, 0, 1500, 0, &c.pktsz) == -1 ||
	    cmd_int(a, 3, 0, 65535, 0, &c.maxto) == -1 ||
	    cmd_int(a, 4, 10, 1200, 0, &c.connto) == -1 ||
	    cmd_int(a, 5, 0, 256, 0, &c.txto) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* srMode 0 (SRING: <id>) and 1 (SRING: <id>,<pending>); keepalive in minutes
 * becomes TCP keepalive on the next connection. */
enum at_res
cmd_scfgext(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++) {
			c = m->sock[i].cfg;
			modem_info(m, "#SCFGEXT: %d,%d,%d,%d,%d,%d", i, c.srmode, c.recv_hex,
			    c.keepalive, c.listen_auto, c.send_hex);
		}
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc < 4 || a->argc > 6)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, 1, 0, &c.srmode) == -1 ||
	    cmd_int(a, 2, 0, 1, 0, &c.recv_hex) == -1 ||
	    cmd_int(a, 3, 0, 240, 0, &c.keepalive) == -1 ||
	    cmd_int(a, 4, 0, 1, 1, &c.listen_auto) == -1 ||
	    cmd_int(a, 5, 0, 1, 1, &c.send_hex) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* The 6th parameter (noCarrierMode) exists on LE910 only. */
enum at_res
cmd_scfgext2(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int max = m->prof->has_nocarrier_mode ? 6 : 5;
	struct sock_cfg c;
	struct sock *s;

	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++) {
			c = m->sock[i].cfg;
			if (m->prof->has_nocarrier_mode)
				modem_info(m, "#SCFGEXT2: %d,%d,%d,%d,%d,%d", i, c.buffer_start,
				    c.abort_conn, c.sring_len, c.sring_to, c.nocarrier_mode);
			else
				modem_info(m, "#SCFGEXT2: %d,%d,%d,%d,%d", i, c.buffer_start,
				    c.abort_conn, c.sring_len, c.sring_to);
		}
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc < 2 || a->argc > max)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, 1, 0, &c.buffer_start) == -1 ||
	    cmd_int(a, 2, 0, 1, 1, &c.abort_conn) == -1 ||
	    cmd_int(a, 3, 0, 1, 1, &c.sring_len) == -1 ||
	    cmd_int(a, 4, 0, 10, 1, &c.sring_to) == -1 ||
	    cmd_int(a, 5, 0, 2, 1, &c.nocarrier_mode) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

/* LE910 only: immRsp 1 makes a command-mode #SD answer OK at once. */
enum at_res
cmd_scfgext3(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock_cfg c;
	struct sock *s;

	if (!m->prof->has_scfgext3)
		return RES_ERROR;
	if (cmd->type == AT_READ) {
		for (int i = 1; i <= SOCK_COUNT; i++)
			modem_info(m, "#SCFGEXT3: %d,%d,%d", i, m->sock[i].cfg.imm_rsp,
			    m->sock[i].cfg.closure_cmd);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc < 2 || a->argc > 3)
		return RES_ERROR;
	c = s->cfg;
	if (cmd_int(a, 1, 0, 1, 0, &c.imm_rsp) == -1 || cmd_int(a, 2, 0, 1, 1, &c.closure_cmd) == -1)
		return RES_ERROR;
	s->cfg = c;
	return RES_OK;
}

static enum at_res
cmd_need_sim(struct modem *m)
{
	if (m->card == SIM_PIN)
		return modem_cme(m, 11);
	if (m->card == SIM_PUK)
		return modem_cme(m, 12);
	return RES_OK;
}

/* --sgact-delay later: the context is up (if the network still is). */
static void
cmd_sgact_done(struct modem *m)
{
	int cid = m->pending_cid;

	if (!modem_data_path(m)) {
		modem_finish(m, modem_cme(m, 555));
		return;
	}
	m->pdp[cid].active = 1;
	sim_event(m->sim, "event", "pdp %d active %s", cid, modem_local_ip(m, cid));
	modem_info(m, "#SGACT: %s", modem_local_ip(m, cid));
	modem_finish(m, RES_OK);
}

/* Activation: SIM, registration, a defined context and (HE910) a socket
 * tied to the cid are needed; 553 if already active. An effective #SGACT
 * also sends the FINs 12.00.004 deferred. */
static enum at_res
cmd_sgact_on(struct modem *m, int cid)
{
	int tied = 0;

	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (m->pdp[cid].active)
		return modem_cme(m, 553);
	for (int i = 1; i <= SOCK_COUNT; i++)
		tied |= m->sock[i].cfg.cid == cid;
	if (!tied && m->prof->sgact_needs_socket)
		return RES_ERROR;
	if (!m->pdp[cid].defined || !modem_data_path(m))
		return modem_cme(m, 555);
	stack_flush_deferred(m->sim->stack);
	m->pending_cid = cid;
	modem_cmd_timer(m, m->sim->opt.sgact_delay_ms, cmd_sgact_done);
	return RES_PENDING;
}

enum at_res
cmd_sgact(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	long cid, stat;

	if (cmd->type == AT_READ) {
		for (cid = 1; cid <= PDP_COUNT; cid++)
			modem_info(m, "#SGACT: %ld,%d", cid, m->pdp[cid].active);
		return RES_OK;
	}
	if (cmd->type != AT_SET || at_arg_int(a, 0, 1, PDP_COUNT, &cid) != 1 ||
	    at_arg_int(a, 1, 0, 1, &stat) != 1 || a->argc > 4)
		return RES_ERROR;
	if (stat == 1)
		return cmd_sgact_on(m, (int)cid);
	stack_flush_deferred(m->sim->stack);
	modem_pdp_deactivate(m, (int)cid, 0);
	return RES_OK;
}

/* 12.00.004: a #SD while FINs are still deferred is an overlap; enough of
 * them jam the stack. */
static void
cmd_sd_overlap(struct modem *m)
{
	struct stack *st = m->sim->stack;
	int pending = stack_flush_deferred(st);

	if (pending == 0)
		return;
	st->overlaps++;
	sim_event(m->sim, "event", "overlap %u: #SD while %d close(s) still pending",
	    st->overlaps, pending);
	if (m->sim->opt.jam_after > 0 && st->overlaps >= (unsigned)m->sim->opt.jam_after)
		stack_jam(st, "FIN/SYN overlaps");
}

enum at_res
cmd_sd(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int prot = 0, port = 0, closure = 0, lport = 0, connmode = 0, imm, rc;
	const char *host = at_arg_str(a, 3);
	struct sock *s;

	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc < 4 || a->argc > 7 ||
	    host == NULL || cmd_int(a, 1, 0, 1, 0, &prot) == -1 ||
	    cmd_int(a, 2, 1, 65535, 0, &port) == -1 ||
	    cmd_int(a, 4, 0, 255, 1, &closure) == -1 || (closure != 0 && closure != 255) ||
	    cmd_int(a, 5, 0, 65535, 1, &lport) == -1 ||
	    cmd_int(a, 6, 0, 1, 1, &connmode) == -1 || prot != 0)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	if (s->phase != SOCK_CLOSED)
		return modem_cme(m, 551);
	if (!m->pdp[s->cfg.cid].active)
		return modem_cme(m, 556);
	if (m->prof->deferred_close)
		cmd_sd_overlap(m);
	imm = connmode == 1 && s->cfg.imm_rsp && m->prof->has_scfgext3;
	if ((rc = sock_connect(s, host, port, connmode, closure, imm)) != 0)
		return modem_cme(m, rc);
	return imm ? RES_OK : RES_PENDING;
}

enum at_res
cmd_sh(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	return sock_shutdown(s) ? RES_OK : RES_PENDING;
}

enum at_res
cmd_so(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	if (s->phase != SOCK_OPEN)
		return modem_cme(m, 551);
	return modem_go_online(m, s->id);
}

static void
cmd_ss_line(struct modem *m, const struct sock *s)
{
	int state = sock_ss_state(s, cmd_online_id(m) == s->id);

	if (state == 0)
		modem_info(m, "#SS: %d,0", s->id);
	else
		modem_info(m, "#SS: %d,%d,%s,%d,%s,%d", s->id, state,
		    modem_local_ip(m, s->cfg.cid), s->lport, s->raddr[0] ? s->raddr : s->rhost,
		    s->rport);
}

enum at_res
cmd_ss(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type == AT_EXEC) {
		for (int i = 1; i <= SOCK_COUNT; i++)
			cmd_ss_line(m, &m->sock[i]);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	cmd_ss_line(m, s);
	return RES_OK;
}

static void
cmd_si_line(struct modem *m, const struct sock *s)
{
	modem_info(m, "#SI: %d,%llu,%llu,%zu,%zu", s->id, (unsigned long long)s->sent,
	    (unsigned long long)s->received, sock_buff_in(s), sock_ack_waiting(s));
}

enum at_res
cmd_si(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type == AT_EXEC) {
		for (int i = 1; i <= SOCK_COUNT; i++)
			cmd_si_line(m, &m->sock[i]);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	cmd_si_line(m, s);
	return RES_OK;
}

/* A socket that can take data from the host. */
static int
cmd_can_send(const struct sock *s)
{
	return s->phase == SOCK_OPEN && !s->remote_closed;
}

enum at_res
cmd_ssend(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;
	long rai;

	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc > 2 ||
	    at_arg_int(a, 1, 0, 2, &rai) == -1 || !cmd_can_send(s))
		return RES_ERROR;
	modem_start_prompt(m, s->id, 0, 0);
	return RES_PROMPT;
}

enum at_res
cmd_ssendext(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;
	long n, rai;

	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc < 2 || a->argc > 3 ||
	    at_arg_int(a, 1, 1, SSENDEXT_MAX, &n) != 1 || at_arg_int(a, 2, 0, 2, &rai) == -1 ||
	    !cmd_can_send(s))
		return RES_ERROR;
	modem_start_prompt(m, s->id, 1, (size_t)n);
	return RES_PROMPT;
}

/* "#SRECV: <id>,<n>", then exactly n bytes (or 2n hex digits), then OK. An
 * empty buffer answers +CME ERROR: 555, as older Telit firmware does. */
enum at_res
cmd_srecv(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	unsigned char buf[SRECV_MAX];
	char hex[2 * SRECV_MAX + 1];
	struct sock *s;
	long max, udp = 0;
	size_t n;

	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc < 2 || a->argc > 3 ||
	    at_arg_int(a, 1, 1, SRECV_MAX, &max) != 1 || at_arg_int(a, 2, 0, 1, &udp) == -1 ||
	    udp == 1)
		return RES_ERROR;
	if (sock_buff_in(s) == 0)
		return modem_cme(m, 555);
	n = sock_recv(s, buf, (size_t)max);
	s->sring_sent = 0;
	modem_info_head(m, "#SRECV: %d,%zu", s->id, n);
	if (s->cfg.recv_hex) {
		for (size_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02X", buf[i]);
		modem_info_raw(m, hex, 2 * n);
	} else
		modem_info_raw(m, buf, n);
	sock_consumed(s);
	return RES_OK;
}

enum at_res
cmd_slastclosure(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type == AT_EXEC) {
		for (int i = 1; i <= SOCK_COUNT; i++)
			modem_info(m, "#SLASTCLOSURE: %d,%d", i, m->sock[i].last_closure);
		return RES_OK;
	}
	if (cmd->type != AT_SET || (s = cmd_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	modem_info(m, "#SLASTCLOSURE: %d,%d", s->id, s->last_closure);
	return RES_OK;
}

/* Is there a route to addr from here? (A UDP connect sends nothing.) */
static int
cmd_route_exists(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd == -1)
		return 0;
	rc = connect(fd, sa, len);
	close(fd);
	return rc == 0;
}

/* One #PING reply per retry: answered while the simulated network is up and
 * the host routes the address, otherwise lost (600, 255). */
static void
cmd_ping_next(struct modem *m)
{
	m->ping_seq++;
	if (m->ping_reach)
		modem_info(m, "#PING: %02d,\"%s\",1,64", m->ping_seq, m->ping_addr);
	else
		modem_info(m, "#PING: %02d,\"%s\",600,255", m->ping_seq, m->ping_addr);
	if (--m->ping_left > 0) {
		modem_cmd_timer(m, m->ping_reach ? 100 : (unsigned)m->ping_timeout * 100, cmd_ping_next);
		return;
	}
	modem_finish(m, RES_OK);
}

enum at_res
cmd_ping(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int retry = 4, len = 32, timeout = 50, ttl = 128, active = 0;
	const char *host = at_arg_str(a, 0);
	struct addrinfo hints, *res;

	if (cmd->type != AT_SET || host == NULL || a->argc > 5 ||
	    cmd_int(a, 1, 1, 64, 1, &retry) == -1 || cmd_int(a, 2, 32, 1460, 1, &len) == -1 ||
	    cmd_int(a, 3, 1, 600, 1, &timeout) == -1 || cmd_int(a, 4, 1, 255, 1, &ttl) == -1)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	for (int cid = 1; cid <= PDP_COUNT; cid++)
		active |= m->pdp[cid].active;
	if (!active)
		return modem_cme(m, 556);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, "7", &hints, &res) != 0)
		return modem_cme(m, 558);
	getnameinfo(res->ai_addr, res->ai_addrlen, m->ping_addr, sizeof(m->ping_addr), NULL, 0,
	    NI_NUMERICHOST);
	m->ping_reach = modem_data_path(m) && !m->sim->stack->jammed &&
	    cmd_route_exists(res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	m->ping_left = retry;
	m->ping_seq = 0;
	m->ping_timeout = timeout;
	modem_cmd_timer(m, m->ping_reach ? 100 : (unsigned)timeout * 100, cmd_ping_next);
	return RES_PENDING;
}
