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
#include "port.h"
#include "sim.h"
#include "xmalloc.h"

#define MODEM_URCQ_MAX	65536	/* URC bytes held while not in command mode */

void
modem_write(struct modem *m, const void *buf, size_t len)
{
	if (m->hung || m->mode == MODE_OFF || m->muted)
		return;
	port_write(m->sim->port, buf, len);
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

void
modem_flush_urcs(struct modem *m)
{
	size_t n = evbuffer_get_length(m->urcq);

	if (n == 0 || m->mode == MODE_PROMPT || m->mode == MODE_ONLINE)
		return;
	modem_write(m, evbuffer_pullup(m->urcq, -1), n);
	evbuffer_drain(m->urcq, n);
}

enum at_res
modem_cme(struct modem *m, int code)
{
	m->cme = code;
	return RES_CME;
}

enum at_res
modem_result_text(struct modem *m, const char *text)
{
	snprintf(m->final_text, sizeof(m->final_text), "%s", text);
	return RES_TEXT;
}

void
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

void
modem_set_urc_mid(struct modem *m, const char *text)
{
	free(m->urc_mid);
	m->urc_mid = xstrdup(text);
}

void
modem_inject(struct modem *m, const void *buf, size_t len)
{
	port_write(m->sim->port, buf, len);
}
