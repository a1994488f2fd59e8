#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "cmd.h"
#include "log.h"
#include "modem.h"
#include "port.h"
#include "profile.h"
#include "sim.h"
#include "util.h"
#include "xmalloc.h"

#define MODEM_URCQ_MAX	65536	/* URC bytes held while not in command mode */
#define MODEM_CTRL_Z	0x1a
#define MODEM_ESC	0x1b
#define MODEM_BS	0x08

static void modem_exec_next(struct modem *m);
static void modem_factory(struct modem *m);

static struct timeval
modem_tv(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

void
modem_write(struct modem *m, const void *buf, size_t len)
{
	if (m->hung || m->mode == MODE_OFF || m->muted)
		return;
	port_write(m->sim->port, buf, len);
}

static void
modem_puts(struct modem *m, const char *s)
{
	modem_write(m, s, strlen(s));
}

/* An armed "urc-mid" goes out in the middle of the current response. */
static void
modem_emit_mid(struct modem *m)
{
	if (m->urc_mid == NULL)
		return;
	modem_puts(m, "\r\n");
	modem_puts(m, m->urc_mid);
	modem_puts(m, "\r\n");
	sim_event(m->sim, "fault", "urc-mid delivered: %s", m->urc_mid);
	free(m->urc_mid);
	m->urc_mid = NULL;
	m->need_lead = 1;
}

/* One information line: CRLF before the first, CRLF after each. */
static void
modem_info_line(struct modem *m, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (m->need_lead)
		modem_puts(m, "\r\n");
	m->need_lead = 0;
	modem_puts(m, text);
	modem_puts(m, "\r\n");
}

/* One information line of a response; an armed urc-mid may follow it. */
void
modem_info(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	modem_info_line(m, fmt, ap);
	va_end(ap);
	modem_emit_mid(m);
}

/* The line that announces a raw payload (#SRECV): nothing comes between it
 * and the payload, so a urc-mid waits for modem_info_raw(). */
void
modem_info_head(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	modem_info_line(m, fmt, ap);
	va_end(ap);
}

/* Raw payload inside a response (#SRECV), followed by CRLF. */
void
modem_info_raw(struct modem *m, const void *buf, size_t len)
{
	modem_write(m, buf, len);
	modem_puts(m, "\r\n");
	modem_emit_mid(m);
}

/* A URC goes out now in command mode, or waits for the end of the response,
 * of the send prompt or of online mode. A hung or rebooting module loses it. */
void
modem_urc(struct modem *m, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->urcs_total++;
	if (m->hung || m->mode == MODE_OFF)
		return;
	if (m->in_handler || m->mode == MODE_PROMPT || m->mode == MODE_ONLINE) {
		if (evbuffer_get_length(m->urcq) < MODEM_URCQ_MAX)
			evbuffer_add_printf(m->urcq, "\r\n%s\r\n", text);
		return;
	}
	modem_puts(m, "\r\n");
	modem_puts(m, text);
	modem_puts(m, "\r\n");
	m->need_lead = 1;
}

static void
modem_flush_urcs(struct modem *m)
{
	size_t n = evbuffer_get_length(m->urcq);

	if (n == 0 || m->mode == MODE_PROMPT || m->mode == MODE_ONLINE)
		return;
	modem_write(m, evbuffer_pullup(m->urcq, -1), n);
	evbuffer_drain(m->urcq, n);
}

static const struct {
	int code;
	const char *text;
} modem_cme_texts[] = {
	{ 3, "operation not allowed" },
	{ 4, "operation not supported" },
	{ 10, "SIM not inserted" },
	{ 11, "SIM PIN required" },
	{ 12, "SIM PUK required" },
	{ 13, "SIM failure" },
	{ 16, "incorrect password" },
	{ 30, "no network service" },
	{ 100, "unknown" },
	{ 550, "generic undocumented error" },
	{ 551, "wrong state" },
	{ 552, "wrong mode" },
	{ 553, "context already activated" },
	{ 554, "stack already active" },
	{ 555, "activation failed" },
	{ 556, "context not opened" },
	{ 557, "can not setup socket" },
	{ 558, "can not resolve DN" },
	{ 559, "time-out in opening socket" },
	{ 560, "can not open socket" },
	{ 561, "remote disconnected or time-out" },
	{ 562, "connection failed" },
	{ 563, "tx error" },
	{ 564, "already listening" },
};

enum at_res
modem_cme(struct modem *m, int code)
{
	m->cme = code;
	return RES_CME;
}

/* "+CME ERROR: 553" or "+CME ERROR: context already activated" into buf. */
static void
modem_cme_format(const struct modem *m, char *buf, size_t bufsz)
{
	if (m->cmee == 0) {
		snprintf(buf, bufsz, "ERROR");
		return;
	}
	if (m->cmee == 2)
		for (size_t i = 0; i < sizeof(modem_cme_texts) / sizeof(modem_cme_texts[0]); i++)
			if (modem_cme_texts[i].code == m->cme) {
				snprintf(buf, bufsz, "+CME ERROR: %s", modem_cme_texts[i].text);
				return;
			}
	snprintf(buf, bufsz, "+CME ERROR: %d", m->cme);
}

/* --min-gap: a command line that begins too soon after a final result is
 * not seen by the module (the manuals' "Command Issuing Timing"). */
static int
modem_too_soon(struct modem *m)
{
	uint64_t now = util_now_ms(), left = port_mark_left_ms(m->sim->port);

	if (m->sim->opt.min_gap_ms == 0 || left == UINT64_MAX ||
	    (left != 0 && now >= left + m->sim->opt.min_gap_ms))
		return 0;
	m->ignored_total++;
	if (left == 0)
		sim_event(m->sim, "fault", "min-gap: a command begun before the final result "
		    "was sent is ignored");
	else
		sim_event(m->sim, "fault", "min-gap: a command begun %llu ms after the final "
		    "result is ignored", (unsigned long long)(now - left));
	return 1;
}

/* The final result code of a command line; the module is ready again. */
static void
modem_final(struct modem *m, enum at_res res)
{
	char text[96];

	switch (res) {
	case RES_OK:
		snprintf(text, sizeof(text), "OK");
		break;
	case RES_ERROR:
		snprintf(text, sizeof(text), "ERROR");
		m->errors_total++;
		break;
	case RES_CME:
		modem_cme_format(m, text, sizeof(text));
		m->errors_total++;
		break;
	case RES_CONNECT:
		snprintf(text, sizeof(text), "CONNECT");
		break;
	case RES_PENDING:
	case RES_PROMPT:
	case RES_NONE:
		return;
	}
	modem_emit_mid(m);
	modem_puts(m, "\r\n");
	modem_puts(m, text);
	modem_puts(m, "\r\n");
	m->muted = 0;
	port_mark(m->sim->port);
	m->mode = res == RES_CONNECT ? MODE_ONLINE : MODE_COMMAND;
	modem_flush_urcs(m);
	if (res == RES_CONNECT)
		modem_pump(m);
}

void
modem_norm_name(const char *in, char *out, size_t outsz)
{
	size_t i = 0;

	if (strlen(in) > 2 && strncasecmp(in, "AT", 2) == 0)
		in += 2;
	for (; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[i] = '\0';
}

static struct cmd_fault *
modem_find_fault(struct cmd_fault_list *list, const char *name)
{
	struct cmd_fault *f;

	TAILQ_FOREACH(f, list, entry)
		if (strcmp(f->name, name) == 0 || strcmp(f->name, "*") == 0)
			return f;
	return NULL;
}

/* Run one command: an armed error, the "=?" text, or its handler. */
static enum at_res
modem_dispatch(struct modem *m, const struct at_cmd *cmd)
{
	const struct cmd_def *def;
	struct cmd_fault *f;
	struct at_args args;
	enum at_res res;

	if ((f = modem_find_fault(&m->errors, cmd->name)) != NULL) {
		sim_event(m->sim, "fault", "error %s answered +CME ERROR: %d", cmd->name, f->code);
		m->cme = f->code;
		if (f->count > 0 && --f->count == 0) {
			TAILQ_REMOVE(&m->errors, f, entry);
			free(f);
		}
		return RES_CME;
	}
	if ((def = cmd_find(cmd->name)) == NULL)
		return RES_ERROR;
	if (cmd->type == AT_TEST) {
		if (def->test != NULL)
			modem_info(m, "%s", def->test);
		return RES_OK;
	}
	if (at_split_args(cmd->args, &args) == -1)
		return RES_ERROR;
	m->in_handler = 1;
	res = def->fn(m, cmd, &args);
	m->in_handler = 0;
	return res;
}

/* Execute the remaining commands of the line, stopping at the first that
 * fails or has to wait. */
static void
modem_exec_next(struct modem *m)
{
	const struct at_cmd *cmd;
	struct cmd_fault *f;
	enum at_res res;

	while (m->cmd_index < m->cmds.ncmds) {
		cmd = &m->cmds.cmd[m->cmd_index];
		if (!m->cmd_delayed && (f = modem_find_fault(&m->delays, cmd->name)) != NULL) {
			m->cmd_delayed = 1;
			m->mode = MODE_BUSY;
			sim_event(m->sim, "fault", "delay %s by %u ms", cmd->name, f->ms);
			modem_cmd_timer(m, f->ms, modem_exec_next);
			return;
		}
		m->cmd_index++;
		m->cmd_delayed = 0;
		m->cmds_total++;
		res = modem_dispatch(m, cmd);
		if (res == RES_OK)
			continue;
		if (res == RES_PENDING) {
			m->mode = MODE_BUSY;
			return;
		}
		modem_final(m, res);
		return;
	}
	modem_final(m, RES_OK);
}

void
modem_finish(struct modem *m, enum at_res res)
{
	if (m->mode != MODE_BUSY)
		return;
	modem_flush_urcs(m);
	if (res == RES_OK)
		modem_exec_next(m);
	else
		modem_final(m, res);
}

static void
modem_cmd_cb(int fd, short what, void *arg)
{
	struct modem *m = arg;

	if (m->cmd_cb != NULL)
		m->cmd_cb(m);
}

void
modem_cmd_timer(struct modem *m, unsigned ms, void (*cb)(struct modem *))
{
	struct timeval tv = modem_tv(ms);

	m->cmd_cb = cb;
	evtimer_add(m->ev_cmd, &tv);
}

/* "lose CMD": the line is taken and never answered; the module is ready
 * for the next one. */
/* An armed count fault for the line's first command: used up once. */
static int
modem_take_fault(struct modem *m, struct cmd_fault_list *list, const char *what)
{
	struct cmd_fault *f;

	if (m->cmds.ncmds < 1 || (f = modem_find_fault(list, m->cmds.cmd[0].name)) == NULL)
		return 0;
	sim_event(m->sim, "fault", "%s %s", what, m->cmds.cmd[0].name);
	if (f->count > 0 && --f->count == 0) {
		TAILQ_REMOVE(list, f, entry);
		free(f);
	}
	return 1;
}

static int
modem_lose_line(struct modem *m)
{
	if (!modem_take_fault(m, &m->losses, "lose: no answer to"))
		return 0;
	m->mode = MODE_COMMAND;
	return 1;
}

/* A complete line arrived: parse it and start executing. */
static void
modem_exec_line(struct modem *m)
{
	char buf[AT_LINE_MAX + 3];

	m->need_lead = 1;
	m->mode = MODE_BUSY;
	if (m->line_overflow) {
		modem_final(m, RES_ERROR);
		return;
	}
	snprintf(buf, sizeof(buf), "AT%.*s", (int)m->linelen, m->line);
	if (log_current_level >= LOG_LEVEL_DEBUG) {
		char esc[4 * AT_LINE_MAX + 8];

		util_escape(buf, strlen(buf), esc, sizeof(esc));
		log_debug("command line: %s", esc);
	}
	memcpy(m->last_line, m->line, m->linelen);
	m->last_line[m->linelen] = '\0';
	if (at_parse_line(buf, strlen(buf), &m->cmds) == -1) {
		m->cmds_total++;
		modem_final(m, RES_ERROR);
		return;
	}
	m->cmd_index = 0;
	m->cmd_delayed = 0;
	if (modem_lose_line(m))
		return;
	m->muted = modem_take_fault(m, &m->mutes, "mute: the answer is lost for");
	modem_exec_next(m);
}

/* "A/": run the previous line again. */
static void
modem_repeat_line(struct modem *m)
{
	m->linelen = strlen(m->last_line);
	memcpy(m->line, m->last_line, m->linelen);
	m->line_overflow = 0;
	modem_exec_line(m);
}

/* Command mode: assemble "AT...<CR>", echoing as we go. Returns how many
 * bytes were used; it stops after a line so that the mode can change. */
static size_t
modem_input_command(struct modem *m, const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (m->line_state == 0) {
			m->line_state = (c == 'A' || c == 'a');
			if (m->line_state)
				m->line_ignored = modem_too_soon(m);
			continue;
		}
		if (m->line_state == 1) {
			if (c == 'T' || c == 't') {
				m->line_state = 2;
				m->linelen = 0;
				m->line_overflow = 0;
			} else if (c == '/') {
				m->line_state = 0;
				if (m->echo)
					modem_write(m, buf, i + 1);
				modem_repeat_line(m);
				return i + 1;
			} else
				m->line_state = (c == 'A' || c == 'a');
			continue;
		}
		if (c == '\r') {
			m->line_state = 0;
			if (m->line_ignored)
				return i + 1;
			if (m->echo)
				modem_write(m, buf, i + 1);
			modem_exec_line(m);
			return i + 1;
		}
		if (c == MODEM_BS) {
			if (m->linelen > 0)
				m->linelen--;
		} else if (c == '\n' || c == '\0')
			continue;
		else if (m->linelen < (size_t)m->line_max && m->linelen < AT_LINE_MAX)
			m->line[m->linelen++] = (char)c;
		else
			m->line_overflow = 1;
	}
	if (m->echo && !m->line_ignored)
		modem_write(m, buf, len);
	return len;
}

void
modem_start_prompt(struct modem *m, int id, int ext, size_t need)
{
	m->prompt_sock = id;
	m->prompt_ext = ext;
	m->prompt_need = need;
	evbuffer_drain(m->prompt_buf, evbuffer_get_length(m->prompt_buf));
	m->mode = MODE_PROMPT;
	modem_puts(m, "> ");
}

/* Decode #SSEND hex input (sendDataMode 1) in place; -1 if not hex. */
static int
modem_unhex(struct evbuffer *buf)
{
	size_t n = evbuffer_get_length(buf);
	char *hex;
	uint8_t *bin;
	int len;

	if (n == 0)
		return 0;
	hex = xmalloc(n + 1);
	bin = xmalloc(n / 2 + 1);
	evbuffer_remove(buf, hex, n);
	hex[n] = '\0';
	len = util_hex_decode(hex, bin, n / 2 + 1);
	if (len > 0)
		evbuffer_add(buf, bin, (size_t)len);
	free(hex);
	free(bin);
	return len < 0 ? -1 : 0;
}

/* The payload is complete: hand it to the socket and answer. */
static void
modem_prompt_done(struct modem *m, int abort)
{
	struct sock *s = &m->sock[m->prompt_sock];
	size_t n;
	int rc = 0;

	m->mode = MODE_BUSY;
	if (abort) {
		modem_finish(m, RES_OK);
		return;
	}
	if (!m->prompt_ext && s->cfg.send_hex && modem_unhex(m->prompt_buf) == -1) {
		modem_finish(m, RES_ERROR);
		return;
	}
	n = evbuffer_get_length(m->prompt_buf);
	if (!m->prompt_ext && n > (size_t)m->prof->ssend_max) {
		if (m->prof->ssend_excess_error) {
			modem_finish(m, RES_ERROR);
			return;
		}
		n = (size_t)m->prof->ssend_max;
	}
	if (n > 0)
		rc = sock_send(s, evbuffer_pullup(m->prompt_buf, (ssize_t)n), n);
	evbuffer_drain(m->prompt_buf, evbuffer_get_length(m->prompt_buf));
	if (rc != 0)
		modem_finish(m, modem_cme(m, rc));
	else
		modem_finish(m, RES_OK);
}

/* Backspace in #SSEND: forget the last byte. */
static void
modem_unput(struct evbuffer *buf)
{
	size_t n = evbuffer_get_length(buf);
	char *tmp;

	if (n == 0)
		return;
	tmp = xmalloc(n);
	evbuffer_remove(buf, tmp, n);
	evbuffer_add(buf, tmp, n - 1);
	free(tmp);
}

/* Prompt mode: exactly N bytes (#SSENDEXT) or up to Ctrl-Z (#SSEND). */
static size_t
modem_input_prompt(struct modem *m, const unsigned char *buf, size_t len)
{
	size_t i, have = evbuffer_get_length(m->prompt_buf);

	if (m->prompt_ext) {
		size_t take = m->prompt_need - have < len ? m->prompt_need - have : len;

		evbuffer_add(m->prompt_buf, buf, take);
		if (have + take == m->prompt_need)
			modem_prompt_done(m, 0);
		return take;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] == MODEM_CTRL_Z || buf[i] == MODEM_ESC) {
			if (m->echo)
				modem_write(m, buf, i);
			modem_prompt_done(m, buf[i] == MODEM_ESC);
			return i + 1;
		}
		if (buf[i] == MODEM_BS) {
			modem_unput(m->prompt_buf);
			continue;
		}
		evbuffer_add(m->prompt_buf, &buf[i], 1);
	}
	if (m->echo)
		modem_write(m, buf, len);
	return len;
}

enum at_res
modem_go_online(struct modem *m, int id)
{
	m->online_sock = id;
	m->esc_count = 0;
	m->last_data_ms = util_now_ms();
	evtimer_del(m->ev_esc);
	return RES_CONNECT;
}

static unsigned
modem_guard_ms(const struct modem *m)
{
	return (unsigned)m->sreg[12] * 20;
}

/* Held '+' characters turned out to be data. */
static void
modem_flush_plus(struct modem *m)
{
	static const char plus[3] = { '+', '+', '+' };

	if (m->esc_count == 0)
		return;
	sock_send(&m->sock[m->online_sock], plus, (size_t)m->esc_count);
	m->esc_count = 0;
	m->last_data_ms = m->esc_last_ms;
}

/* Guard time after the last '+': three of them suspend the socket. */
static void
modem_esc_cb(int fd, short what, void *arg)
{
	struct modem *m = arg;

	if (m->mode != MODE_ONLINE)
		return;
	if (m->esc_count < 3) {
		modem_flush_plus(m);
		return;
	}
	m->esc_count = 0;
	sim_event(m->sim, "event", "escape: socket %d suspended", m->online_sock);
	m->online_sock = 0;
	m->mode = MODE_COMMAND;
	modem_puts(m, "\r\nOK\r\n");
	modem_flush_urcs(m);
}

/* Online mode: bytes go to the socket, except a "+++" framed by guard times. */
static size_t
modem_input_online(struct modem *m, const unsigned char *buf, size_t len)
{
	uint64_t now = util_now_ms();
	unsigned guard = modem_guard_ms(m);
	struct timeval tv = modem_tv(guard);
	unsigned char *data = xmalloc(len + 3);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '+' && m->esc_count < 3 && (m->esc_count > 0 ?
		    now - m->esc_last_ms < guard : now - m->last_data_ms >= guard)) {
			m->esc_count++;
			m->esc_last_ms = now;
			evtimer_add(m->ev_esc, &tv);
			continue;
		}
		for (; m->esc_count > 0; m->esc_count--)
			data[n++] = '+';
		evtimer_del(m->ev_esc);
		data[n++] = buf[i];
		m->last_data_ms = now;
	}
	if (n > 0)
		sock_send(&m->sock[m->online_sock], data, n);
	free(data);
	return len;
}

static void
modem_input_cb(void *arg, const unsigned char *buf, size_t len)
{
	struct modem *m = arg;
	size_t i = 0;

	while (i < len && !m->hung) {
		switch (m->mode) {
		case MODE_COMMAND:
			i += modem_input_command(m, buf + i, len - i);
			break;
		case MODE_PROMPT:
			i += modem_input_prompt(m, buf + i, len - i);
			break;
		case MODE_ONLINE:
			i += modem_input_online(m, buf + i, len - i);
			break;
		case MODE_BUSY:
		case MODE_OFF:
			return;
		}
	}
}

/* Online mode: move received bytes to the port while it has room. */
void
modem_pump(struct modem *m)
{
	struct sock *s;
	size_t n;

	if (m->pumping || m->mode != MODE_ONLINE || m->hung)
		return;
	s = &m->sock[m->online_sock];
	m->pumping = 1;
	while ((n = evbuffer_get_length(s->rxbuf)) > 0 && m->mode == MODE_ONLINE &&
	    port_queued(m->sim->port) < 2 * PORT_LOW_WATER) {
		if (n > 1024)
			n = 1024;
		modem_write(m, evbuffer_pullup(s->rxbuf, (ssize_t)n), n);
		evbuffer_drain(s->rxbuf, n);
	}
	m->pumping = 0;
	sock_consumed(s);
}

static void
modem_drain_cb(void *arg)
{
	modem_pump(arg);
}

/* "NO CARRIER" in the format #SCFGEXT2 noCarrierMode chose. */
static void
modem_no_carrier_text(const struct sock *s, int cause, char *buf, size_t bufsz)
{
	if (s->cfg.nocarrier_mode == 1)
		snprintf(buf, bufsz, "NO CARRIER: %d", s->id);
	else if (s->cfg.nocarrier_mode == 2)
		snprintf(buf, bufsz, "NO CARRIER: %d,%d", s->id, cause);
	else
		snprintf(buf, bufsz, "NO CARRIER");
}

void
modem_sock_closed(struct modem *m, struct sock *s, int cause)
{
	char text[64];

	modem_no_carrier_text(s, cause, text, sizeof(text));
	sim_event(m->sim, "event", "socket %d closed cause=%d", s->id, cause);
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

void
modem_sock_data(struct modem *m, struct sock *s)
{
	if (m->mode == MODE_ONLINE && m->online_sock == s->id) {
		modem_pump(m);
		return;
	}
	if (s->cfg.srmode == 1) {
		modem_urc(m, "SRING: %d,%zu", s->id, sock_buff_in(s));
		return;
	}
	if (!s->sring_sent) {
		s->sring_sent = 1;
		modem_urc(m, "SRING: %d", s->id);
	}
}

void
modem_sock_connected(struct modem *m, struct sock *s, int cme)
{
	if (s->imm)
		return;
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

void
modem_sock_shutdown_done(struct modem *m, struct sock *s)
{
	modem_finish(m, RES_OK);
}

int
modem_data_path(const struct modem *m)
{
	return m->cfun == 1 && m->card == SIM_READY && m->attached &&
	    (m->reg_stat == 1 || m->reg_stat == 5);
}

void
modem_update_io(struct modem *m)
{
	for (int i = 1; i <= SOCK_COUNT; i++)
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

static void
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
	if (cid < 1 || cid > PDP_COUNT || !m->pdp[cid].active)
		return;
	m->pdp[cid].active = 0;
	sim_event(m->sim, "event", "pdp %d deactivated by the %s", cid, network ? "network" : "host");
	for (int i = 1; i <= SOCK_COUNT; i++)
		if (m->sock[i].cfg.cid == cid)
			sock_pdp_lost(&m->sock[i], network);
}

const char *
modem_local_ip(const struct modem *m, int cid)
{
	if (m->sim->opt.bind != NULL)
		return m->sim->opt.bind;
	if (cid < 1 || cid > PDP_COUNT)
		cid = 1;
	return m->pdp[cid].addr;
}

/* The address #SGACT reports for cid: --pdp-ip, plus cid - 1. */
static void
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

/* Factory state after power on or reboot. */
static void
modem_factory(struct modem *m)
{
	m->mode = MODE_COMMAND;
	m->echo = 1;
	m->cmee = 0;
	m->cfun = 1;
	m->selint = 2;
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
	for (int cid = 1; cid <= PDP_COUNT; cid++) {
		memset(&m->pdp[cid], 0, sizeof(m->pdp[cid]));
		modem_pdp_addr(m, cid);
	}
	for (int i = 1; i <= SOCK_COUNT; i++)
		sock_reset(&m->sock[i]);
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
	for (int i = 1; i <= SOCK_COUNT; i++)
		sock_init(&m->sock[i], sim, i);
	port_set_callbacks(sim->port, modem_input_cb, modem_drain_cb, m);
	m->mode = MODE_OFF;
	return m;
}

static void
modem_free_faults(struct cmd_fault_list *list)
{
	struct cmd_fault *f;

	while ((f = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, f, entry);
		free(f);
	}
}

void
modem_free(struct modem *m)
{
	if (m == NULL)
		return;
	for (int i = 1; i <= SOCK_COUNT; i++)
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
	free(m);
}

int
modem_boot(struct modem *m)
{
	modem_factory(m);
	if (port_open(m->sim->port) == -1)
		return -1;
	m->mode = MODE_COMMAND;
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
	stack_reboot(m->sim->stack, m->sock);
	evtimer_del(m->ev_cmd);
	evtimer_del(m->ev_esc);
	evtimer_del(m->ev_reg);
	if (m->ev_hang != NULL)
		evtimer_del(m->ev_hang);
	if (m->ev_reboot != NULL)
		evtimer_del(m->ev_reboot);
	m->mode = MODE_OFF;
	m->hung = 0;
	for (int cid = 1; cid <= PDP_COUNT; cid++)
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
modem_inject(struct modem *m, const void *buf, size_t len)
{
	port_write(m->sim->port, buf, len);
}

void
modem_arm_error(struct modem *m, const char *cmd, int code, int count)
{
	struct cmd_fault *f = xcalloc(1, sizeof(*f));

	modem_norm_name(cmd, f->name, sizeof(f->name));
	f->code = code;
	f->count = count;
	TAILQ_INSERT_TAIL(&m->errors, f, entry);
}

static void
modem_arm_count(struct cmd_fault_list *list, const char *cmd, int count)
{
	struct cmd_fault *f = xcalloc(1, sizeof(*f));

	modem_norm_name(cmd, f->name, sizeof(f->name));
	f->count = count;
	TAILQ_INSERT_TAIL(list, f, entry);
}

void
modem_arm_loss(struct modem *m, const char *cmd, int count)
{
	modem_arm_count(&m->losses, cmd, count);
}

void
modem_arm_mute(struct modem *m, const char *cmd, int count)
{
	modem_arm_count(&m->mutes, cmd, count);
}

void
modem_set_delay(struct modem *m, const char *cmd, unsigned ms)
{
	char name[AT_NAME_MAX];
	struct cmd_fault *f;

	modem_norm_name(cmd, name, sizeof(name));
	TAILQ_FOREACH(f, &m->delays, entry)
		if (strcmp(f->name, name) == 0)
			break;
	if (f == NULL && ms == 0)
		return;
	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", name);
		TAILQ_INSERT_TAIL(&m->delays, f, entry);
	}
	f->ms = ms;
	if (ms == 0) {
		TAILQ_REMOVE(&m->delays, f, entry);
		free(f);
	}
}

void
modem_set_urc_mid(struct modem *m, const char *text)
{
	free(m->urc_mid);
	m->urc_mid = xstrdup(text);
}

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

void
modem_state(const struct modem *m, struct evbuffer *out)
{
	int active = 0;

	for (int cid = 1; cid <= PDP_COUNT; cid++)
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
	for (int i = 1; i <= SOCK_COUNT; i++) {
		const struct sock *s = &m->sock[i];
		int online = m->mode == MODE_ONLINE && m->online_sock == i;

		evbuffer_add_printf(out, "id=%d state=%d remote=%s:%d local=%s:%d sent=%llu "
		    "received=%llu buff_in=%zu ack_waiting=%zu last_closure=%d dropped=%d "
		    "nat_timeout=%u mode=%s\n", i, sock_ss_state(s, online),
		    s->raddr[0] ? s->raddr : "-", s->rport, modem_local_ip(m, s->cfg.cid),
		    s->lport, (unsigned long long)s->sent, (unsigned long long)s->received,
		    sock_buff_in(s), sock_ack_waiting(s), s->last_closure, s->dropped,
		    s->nat_timeout_s, s->conn_mode == 0 ? "online" : "command");
	}
}
