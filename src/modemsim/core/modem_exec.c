/* The command engine: command-line assembly with echo, A/, --min-gap,
 * execution command by command through the personality's table, armed
 * faults, final result codes, and the end of a send prompt. */
#include "config.h"

#include <stdint.h>
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
#include "util.h"
#include "xmalloc.h"

static void modem_exec_next(struct modem *m);

/* "+CME ERROR: 553" or "+CME ERROR: context already activated" into buf. */
static void
modem_cme_format(const struct modem *m, char *buf, size_t bufsz)
{
	const char *text;

	if (m->cmee == 0) {
		snprintf(buf, bufsz, "ERROR");
		return;
	}
	if (m->cmee == 2 && (text = m->pers->cme_text(m->c->cme)) != NULL) {
		snprintf(buf, bufsz, "+CME ERROR: %s", text);
		return;
	}
	snprintf(buf, bufsz, "+CME ERROR: %d", m->c->cme);
}

/* --min-gap: a command line that begins too soon after a final result is
 * not seen by the module (the manuals' "Command Issuing Timing"). */
static int
modem_too_soon(struct modem *m)
{
	uint64_t now = util_now_ms(), left = port_mark_left_ms(m->c->port);

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
	case RES_TEXT:
		snprintf(text, sizeof(text), "%s", m->c->final_text);
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
	m->c->muted = 0;
	port_mark(m->c->port);
	m->c->mode = res == RES_CONNECT ? MODE_ONLINE : MODE_COMMAND;
	modem_flush_urcs(m);
	if (res == RES_CONNECT)
		modem_pump(m);
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
		m->c->cme = f->code;
		modem_fault_used(&m->errors, f);
		return RES_CME;
	}
	if ((def = m->pers->cmd_find(cmd->name)) == NULL)
		return RES_ERROR;
	if (cmd->type == AT_TEST) {
		if (def->test != NULL)
			modem_info(m, "%s", def->test);
		return RES_OK;
	}
	if (at_split_args(cmd->args, &args) == -1)
		return RES_ERROR;
	m->c->in_handler = 1;
	res = def->fn(m, cmd, &args);
	m->c->in_handler = 0;
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

	while (m->c->cmd_index < m->c->cmds.ncmds) {
		cmd = &m->c->cmds.cmd[m->c->cmd_index];
		if (!m->c->cmd_delayed && (f = modem_find_fault(&m->delays, cmd->name)) != NULL) {
			m->c->cmd_delayed = 1;
			m->c->mode = MODE_BUSY;
			sim_event(m->sim, "fault", "delay %s by %u ms", cmd->name, f->ms);
			modem_cmd_timer(m, f->ms, modem_exec_next);
			return;
		}
		m->c->cmd_index++;
		m->c->cmd_delayed = 0;
		m->cmds_total++;
		res = modem_dispatch(m, cmd);
		if (res == RES_OK)
			continue;
		if (res == RES_PENDING) {
			m->c->mode = MODE_BUSY;
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
	if (m->c->mode != MODE_BUSY)
		return;
	modem_flush_urcs(m);
	if (res == RES_OK)
		modem_exec_next(m);
	else
		modem_final(m, res);
}

/* An armed count fault for the line's first command: used up once. */
static int
modem_take_fault(struct modem *m, struct cmd_fault_list *list, const char *what)
{
	struct cmd_fault *f;

	if (m->c->cmds.ncmds < 1 || (f = modem_find_fault(list, m->c->cmds.cmd[0].name)) == NULL)
		return 0;
	sim_event(m->sim, "fault", "%s %s", what, m->c->cmds.cmd[0].name);
	modem_fault_used(list, f);
	return 1;
}

/* "lose CMD": the line is taken and never answered; the module is ready
 * for the next one. */
static int
modem_lose_line(struct modem *m)
{
	if (!modem_take_fault(m, &m->losses, "lose: no answer to"))
		return 0;
	m->c->mode = MODE_COMMAND;
	return 1;
}

/* A complete line arrived: parse it and start executing. */
static void
modem_exec_line(struct modem *m)
{
	char buf[AT_LINE_MAX + 3];

	m->c->need_lead = 1;
	m->c->mode = MODE_BUSY;
	if (m->c->line_overflow) {
		modem_final(m, RES_ERROR);
		return;
	}
	snprintf(buf, sizeof(buf), "AT%.*s", (int)m->c->linelen, m->c->line);
	if (log_current_level >= LOG_LEVEL_DEBUG) {
		char esc[4 * AT_LINE_MAX + 8];

		util_escape(buf, strlen(buf), esc, sizeof(esc));
		log_debug("command line: %s", esc);
	}
	memcpy(m->c->last_line, m->c->line, m->c->linelen);
	m->c->last_line[m->c->linelen] = '\0';
	if (at_parse_line(buf, strlen(buf), &m->c->cmds) == -1) {
		m->cmds_total++;
		modem_final(m, RES_ERROR);
		return;
	}
	m->c->cmd_index = 0;
	m->c->cmd_delayed = 0;
	if (modem_lose_line(m))
		return;
	m->c->muted = modem_take_fault(m, &m->mutes, "mute: the answer is lost for");
	modem_exec_next(m);
}

/* "A/": run the previous line again. */
static void
modem_repeat_line(struct modem *m)
{
	m->c->linelen = strlen(m->c->last_line);
	memcpy(m->c->line, m->c->last_line, m->c->linelen);
	m->c->line_overflow = 0;
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

		if (m->c->line_state == 0) {
			m->c->line_state = (c == 'A' || c == 'a');
			if (m->c->line_state)
				m->c->line_ignored = modem_too_soon(m);
			continue;
		}
		if (m->c->line_state == 1) {
			if (c == 'T' || c == 't') {
				m->c->line_state = 2;
				m->c->linelen = 0;
				m->c->line_overflow = 0;
			} else if (c == '/') {
				m->c->line_state = 0;
				if (m->c->echo)
					modem_write(m, buf, i + 1);
				modem_repeat_line(m);
				return i + 1;
			} else
				m->c->line_state = (c == 'A' || c == 'a');
			continue;
		}
		if (c == '\r') {
			m->c->line_state = 0;
			if (m->c->line_ignored)
				return i + 1;
			if (m->c->echo)
				modem_write(m, buf, i + 1);
			modem_exec_line(m);
			return i + 1;
		}
		if (c == MODEM_BS) {
			if (m->c->linelen > 0)
				m->c->linelen--;
		} else if (c == '\n' || c == '\0')
			continue;
		else if (m->c->linelen < (size_t)m->line_max && m->c->linelen < AT_LINE_MAX)
			m->c->line[m->c->linelen++] = (char)c;
		else
			m->c->line_overflow = 1;
	}
	if (m->c->echo && !m->c->line_ignored)
		modem_write(m, buf, len);
	return len;
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
	struct sock *s = &m->sock[m->c->prompt_sock];
	size_t n;
	int rc = 0;

	m->c->mode = MODE_BUSY;
	if (abort) {
		modem_finish(m, RES_OK);
		return;
	}
	if (!m->c->prompt_ext && s->cfg.send_hex && modem_unhex(m->c->prompt_buf) == -1) {
		modem_finish(m, RES_ERROR);
		return;
	}
	n = evbuffer_get_length(m->c->prompt_buf);
	if (!m->c->prompt_ext && n > (size_t)m->prof->send_max) {
		if (m->prof->send_excess_error) {
			modem_finish(m, RES_ERROR);
			return;
		}
		n = (size_t)m->prof->send_max;
	}
	if (n > 0)
		rc = sock_send(s, evbuffer_pullup(m->c->prompt_buf, (ssize_t)n), n);
	evbuffer_drain(m->c->prompt_buf, evbuffer_get_length(m->c->prompt_buf));
	if (m->pers->send_done != NULL)
		modem_finish(m, m->pers->send_done(m, s, rc));
	else if (rc != 0)
		modem_finish(m, modem_cme(m, rc));
	else
		modem_finish(m, RES_OK);
}

/* Bytes from one port: its parser runs with m->c on it. */
void
modem_input_cb(void *arg, const unsigned char *buf, size_t len)
{
	struct modem_chan *ch = arg;
	struct modem *m = ch->m;
	size_t i = 0;
	int done;

	m->c = ch;
	while (i < len && !m->hung) {
		switch (m->c->mode) {
		case MODE_COMMAND:
			i += modem_input_command(m, buf + i, len - i);
			break;
		case MODE_PROMPT:
			i += modem_input_prompt(m, buf + i, len - i, &done);
			if (done != 0)
				modem_prompt_done(m, done == 2);
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
