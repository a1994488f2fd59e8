/* Telit IP Easy sockets: dial (#SD), close (#SH), online (#SO), status
 * (#SS, #SI), send (#SSEND, #SSENDEXT), receive (#SRECV) and #PING, as the
 * HE910/LE910 answer them. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/conn.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/profile.h"
#include "modemsim/core/sim.h"
#include "telit_cmd.h"

#define SRECV_MAX	1500
#define SSENDEXT_MAX	1500

/* 12.00.004: a #SD while FINs are still deferred is an overlap; enough of
 * them jam the stack. */
static void
telit_sd_overlap(struct modem *m)
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
telit_sd(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int prot = 0, port = 0, closure = 0, lport = 0, connmode = 0, imm, rc;
	const char *host = at_arg_str(a, 3);
	struct sock *s;

	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < 4 || a->argc > 7 ||
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
		telit_sd_overlap(m);
	imm = connmode == 1 && s->cfg.imm_rsp && telit_fw(m)->has_scfgext3;
	modem_sock_own(m, s);
	if ((rc = sock_connect(s, host, port, connmode, closure, imm)) != 0)
		return modem_cme(m, rc);
	return imm ? RES_OK : RES_PENDING;
}

enum at_res
telit_sh(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	modem_sock_own(m, s);
	return sock_shutdown(s, m->sim->opt.sh_timeout_ms) ? RES_OK : RES_PENDING;
}

enum at_res
telit_so(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;

	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc != 1)
		return RES_ERROR;
	if (s->phase != SOCK_OPEN)
		return modem_cme(m, 551);
	if (modem_online_on(m, s->id) != NULL)
		return RES_ERROR;	/* online on another port (--ports) */
	return modem_go_online(m, s->id);
}

static void
telit_ss_line(struct modem *m, const struct sock *s)
{
	int state = telit_ss_state(m, s, modem_online_on(m, s->id) != NULL);

	if (state == 0)
		modem_info(m, "#SS: %d,0", s->id);
	else
		modem_info(m, "#SS: %d,%d,%s,%d,%s,%d", s->id, state,
		    modem_local_ip(m, s->cfg.cid), s->lport, s->raddr[0] ? s->raddr : s->rhost,
		    s->rport);
}

/* UC864 knows only the bare AT#SS, listing every socket. */
enum at_res
telit_ss(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd->type == AT_SET && !telit_fw(m)->has_ss_id)
		return RES_ERROR;
	return telit_per_sock(m, cmd, a, telit_ss_line);
}

static void
telit_si_line(struct modem *m, const struct sock *s)
{
	modem_info(m, "#SI: %d,%llu,%llu,%zu,%zu", s->id, (unsigned long long)s->sent,
	    (unsigned long long)s->received, sock_buff_in(s), sock_ack_waiting(s));
}

enum at_res
telit_si(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return telit_per_sock(m, cmd, a, telit_si_line);
}

/* A socket that can take data from the host. */
static int
telit_can_send(const struct sock *s)
{
	return s->phase == SOCK_OPEN && !s->remote_closed;
}

enum at_res
telit_ssend(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;
	long rai;

	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc > 2 ||
	    at_arg_int(a, 1, 0, 2, &rai) == -1 || !telit_can_send(s))
		return RES_ERROR;
	modem_start_prompt(m, s->id, 0, 0);
	return RES_PROMPT;
}

enum at_res
telit_ssendext(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	struct sock *s;
	long n, rai;

	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < 2 || a->argc > 3 ||
	    at_arg_int(a, 1, 1, SSENDEXT_MAX, &n) != 1 || at_arg_int(a, 2, 0, 2, &rai) == -1 ||
	    !telit_can_send(s))
		return RES_ERROR;
	modem_start_prompt(m, s->id, 1, (size_t)n);
	return RES_PROMPT;
}

/* "#SRECV: <id>,<n>", then exactly n bytes (or 2n hex digits), then OK. An
 * empty buffer answers +CME ERROR: 555, as older Telit firmware does. */
enum at_res
telit_srecv(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	unsigned char buf[SRECV_MAX];
	char hex[2 * SRECV_MAX + 1];
	struct sock *s;
	long max, udp = 0;
	size_t n;

	if (cmd->type != AT_SET || (s = telit_sock(m, a)) == NULL || a->argc < 2 || a->argc > 3 ||
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

/* Is there a route to addr from here? (A UDP connect sends nothing.) */
static int
telit_route_exists(const struct sockaddr *sa, socklen_t len)
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
telit_ping_next(struct modem *m)
{
	struct telit_state *t = telit_st(m);

	t->ping_seq++;
	if (t->ping_reach)
		modem_info(m, "#PING: %02d,\"%s\",1,64", t->ping_seq, t->ping_addr);
	else
		modem_info(m, "#PING: %02d,\"%s\",600,255", t->ping_seq, t->ping_addr);
	if (--t->ping_left > 0) {
		modem_cmd_timer(m, t->ping_reach ? 100 : (unsigned)t->ping_timeout * 100, telit_ping_next);
		return;
	}
	modem_finish(m, RES_OK);
}

enum at_res
telit_ping(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	int retry = 4, len = 32, timeout = 50, ttl = 128, active = 0;
	const char *host = at_arg_str(a, 0);
	struct telit_state *t = telit_st(m);
	struct addrinfo hints, *res;

	if (cmd->type != AT_SET || host == NULL || a->argc > 5 ||
	    cmd_int(a, 1, 1, 64, 1, &retry) == -1 || cmd_int(a, 2, 32, 1460, 1, &len) == -1 ||
	    cmd_int(a, 3, 1, 600, 1, &timeout) == -1 || cmd_int(a, 4, 1, 255, 1, &ttl) == -1)
		return RES_ERROR;
	if (cmd_need_sim(m) != RES_OK)
		return RES_CME;
	for (int cid = 1; cid <= TELIT_PDP_COUNT; cid++)
		active |= m->pdp[cid].active;
	if (!active)
		return modem_cme(m, 556);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, "7", &hints, &res) != 0)
		return modem_cme(m, 558);
	getnameinfo(res->ai_addr, res->ai_addrlen, t->ping_addr, sizeof(t->ping_addr), NULL, 0,
	    NI_NUMERICHOST);
	t->ping_reach = modem_data_path(m) && !m->sim->stack->jammed &&
	    telit_route_exists(res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	t->ping_left = retry;
	t->ping_seq = 0;
	t->ping_timeout = timeout;
	modem_cmd_timer(m, t->ping_reach ? 100 : (unsigned)timeout * 100, telit_ping_next);
	return RES_PENDING;
}
