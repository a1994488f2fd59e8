/* What the module writes to the host: information lines, raw payload,
 * URCs (held while a response, a prompt or online mode is under way), the
 * urc-mid fault, and the command timer handlers finish on. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "modem.h"
#include "personality.h"
#include "port.h"
#include "sim.h"
#include "xmalloc.h"

#define MODEM_URCQ_MAX	65536	/* URC bytes held while not in command mode */

void
modem_write(struct modem *m, const void *buf, size_t len)
{
	if (m->hung || m->c->mode == MODE_OFF || m->c->muted)
		return;
	port_write(m->c->port, buf, len);
}

void
modem_puts(struct modem *m, const char *s)
{
	modem_write(m, s, strlen(s));
}

/* An armed "urc-mid" goes out in the middle of the current response. */
void
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
	m->c->need_lead = 1;
}

/* One information line: CRLF before the first, CRLF after each. */
static void
modem_info_line(struct modem *m, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (m->c->need_lead)
		modem_puts(m, "\r\n");
	m->c->need_lead = 0;
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

/* A URC goes out on port idx now in command mode, or waits for the end of
 * the response, of the send prompt or of online mode there. A hung or
 * rebooting module loses it, and so does a port the simulator does not
 * expose (+QURCCFG "uart1" with --ports 2). */
static void
modem_urc_text(struct modem *m, int idx, const char *text)
{
	struct modem_chan *was = m->c;

	m->urcs_total++;
	if (idx < 0 || idx >= m->nchan)
		return;
	m->c = &m->chan[idx];
	if (m->hung || m->c->mode == MODE_OFF) {
		m->c = was;
		return;
	}
	if (m->c->in_handler || m->c->mode == MODE_PROMPT || m->c->mode == MODE_ONLINE) {
		if (evbuffer_get_length(m->c->urcq) < MODEM_URCQ_MAX)
			evbuffer_add_printf(m->c->urcq, "\r\n%s\r\n", text);
	} else {
		modem_puts(m, "\r\n");
		modem_puts(m, text);
		modem_puts(m, "\r\n");
		m->c->need_lead = 1;
	}
	m->c = was;
}

void
modem_urc(struct modem *m, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	modem_urc_text(m, m->urc_port, text);
}

void
modem_urc_on(struct modem *m, int idx, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	modem_urc_text(m, idx, text);
}

int
modem_sock_urc_port(const struct modem *m, const struct sock *s)
{
	return m->pers->sock_urc_owner ? s->port : m->urc_port;
}

void
modem_sock_own(struct modem *m, struct sock *s)
{
	s->port = m->c->idx;
}

struct modem_chan *
modem_online_on(const struct modem *m, int id)
{
	for (int i = 0; i < m->nchan; i++)
		if (m->chan[i].mode == MODE_ONLINE && m->chan[i].online_sock == id)
			return (struct modem_chan *)&m->chan[i];
	return NULL;
}

int
modem_is_off(const struct modem *m)
{
	return m->chan[0].mode == MODE_OFF;
}

void
modem_flush_urcs(struct modem *m)
{
	size_t n = evbuffer_get_length(m->c->urcq);

	if (n == 0 || m->c->mode == MODE_PROMPT || m->c->mode == MODE_ONLINE)
		return;
	modem_write(m, evbuffer_pullup(m->c->urcq, -1), n);
	evbuffer_drain(m->c->urcq, n);
}

enum at_res
modem_cme(struct modem *m, int code)
{
	m->c->cme = code;
	return RES_CME;
}

enum at_res
modem_result_text(struct modem *m, const char *text)
{
	snprintf(m->c->final_text, sizeof(m->c->final_text), "%s", text);
	return RES_TEXT;
}

/* The command timer of one port: its command goes on. */
void
modem_cmd_cb(int fd, short what, void *arg)
{
	struct modem_chan *ch = arg;
	struct modem *m = ch->m;

	m->c = ch;
	if (ch->cmd_cb != NULL)
		ch->cmd_cb(m);
}

void
modem_cmd_timer(struct modem *m, unsigned ms, void (*cb)(struct modem *))
{
	struct timeval tv = modem_tv(ms);

	m->c->cmd_cb = cb;
	evtimer_add(m->c->ev_cmd, &tv);
}

void
modem_set_urc_mid(struct modem *m, const char *text)
{
	free(m->urc_mid);
	m->urc_mid = xstrdup(text);
}

/* Raw bytes from the control socket go out on the URC port. */
void
modem_inject(struct modem *m, const void *buf, size_t len)
{
	port_write(m->chan[m->urc_port < m->nchan ? m->urc_port : 0].port, buf, len);
}
