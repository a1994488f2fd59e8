/* The send prompt and online (data) mode: payload bytes to a socket, the
 * "+++" escape framed by guard times, received bytes pumped to the port. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "modem.h"
#include "personality.h"
#include "port.h"
#include "sim.h"
#include "util.h"
#include "xmalloc.h"

#define MODEM_CTRL_Z	0x1a
#define MODEM_ESC	0x1b

void
modem_start_prompt(struct modem *m, int id, int ext, size_t need)
{
	m->c->prompt_sock = id;
	m->c->prompt_ext = ext;
	m->c->prompt_need = need;
	evbuffer_drain(m->c->prompt_buf, evbuffer_get_length(m->c->prompt_buf));
	m->c->mode = MODE_PROMPT;
	modem_puts(m, "> ");
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
size_t
modem_input_prompt(struct modem *m, const unsigned char *buf, size_t len, int *done)
{
	size_t i, have = evbuffer_get_length(m->c->prompt_buf);

	*done = 0;
	if (m->c->prompt_ext) {
		size_t take = m->c->prompt_need - have < len ? m->c->prompt_need - have : len;

		evbuffer_add(m->c->prompt_buf, buf, take);
		if (have + take == m->c->prompt_need)
			*done = 1;
		return take;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] == MODEM_CTRL_Z || buf[i] == MODEM_ESC) {
			if (m->c->echo)
				modem_write(m, buf, i);
			*done = buf[i] == MODEM_ESC ? 2 : 1;
			return i + 1;
		}
		if (buf[i] == MODEM_BS) {
			modem_unput(m->c->prompt_buf);
			continue;
		}
		evbuffer_add(m->c->prompt_buf, &buf[i], 1);
	}
	if (m->c->echo)
		modem_write(m, buf, len);
	return len;
}

enum at_res
modem_go_online(struct modem *m, int id)
{
	m->c->online_sock = id;
	m->c->esc_count = 0;
	m->c->last_data_ms = util_now_ms();
	evtimer_del(m->c->ev_esc);
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

	if (m->c->esc_count == 0)
		return;
	sock_send(&m->sock[m->c->online_sock], plus, (size_t)m->c->esc_count);
	m->c->esc_count = 0;
	m->c->last_data_ms = m->c->esc_last_ms;
}

/* Guard time after the last '+': three of them suspend the socket. */
void
modem_esc_cb(int fd, short what, void *arg)
{
	struct modem_chan *ch = arg;
	struct modem *m = ch->m;

	m->c = ch;
	if (m->c->mode != MODE_ONLINE)
		return;
	if (m->c->esc_count < 3) {
		modem_flush_plus(m);
		return;
	}
	m->c->esc_count = 0;
	sim_event(m->sim, "event", "escape: socket %d suspended", m->c->online_sock);
	m->c->online_sock = 0;
	m->c->mode = MODE_COMMAND;
	modem_puts(m, "\r\nOK\r\n");
	modem_flush_urcs(m);
}

/* Online mode: bytes go to the socket, except a "+++" framed by guard times. */
size_t
modem_input_online(struct modem *m, const unsigned char *buf, size_t len)
{
	uint64_t now = util_now_ms();
	unsigned guard = modem_guard_ms(m);
	struct timeval tv = modem_tv(guard);
	unsigned char *data = xmalloc(len + 3);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '+' && m->c->esc_count < 3 && (m->c->esc_count > 0 ?
		    now - m->c->esc_last_ms < guard : now - m->c->last_data_ms >= guard)) {
			m->c->esc_count++;
			m->c->esc_last_ms = now;
			evtimer_add(m->c->ev_esc, &tv);
			continue;
		}
		for (; m->c->esc_count > 0; m->c->esc_count--)
			data[n++] = '+';
		evtimer_del(m->c->ev_esc);
		data[n++] = buf[i];
		m->c->last_data_ms = now;
	}
	if (n > 0)
		sock_send(&m->sock[m->c->online_sock], data, n);
	free(data);
	return len;
}

/* Online mode: move received bytes to the port while it has room. */
void
modem_pump(struct modem *m)
{
	struct sock *s;
	size_t n;

	if (m->c->pumping || m->c->mode != MODE_ONLINE || m->hung)
		return;
	s = &m->sock[m->c->online_sock];
	m->c->pumping = 1;
	while ((n = evbuffer_get_length(s->rxbuf)) > 0 && m->c->mode == MODE_ONLINE &&
	    port_queued(m->c->port) < 2 * PORT_LOW_WATER) {
		if (n > 1024)
			n = 1024;
		modem_write(m, evbuffer_pullup(s->rxbuf, (ssize_t)n), n);
		evbuffer_drain(s->rxbuf, n);
	}
	m->c->pumping = 0;
	sock_consumed(s);
}

/* Room on a port: the boot URCs once the URC port has a reader, online
 * bytes. */
void
modem_drain_cb(void *arg)
{
	struct modem_chan *ch = arg;
	struct modem *m = ch->m;

	m->c = ch;
	if (m->boot_urc && m->c->mode != MODE_OFF && (m->urc_port >= m->nchan ||
	    port_has_reader(m->chan[m->urc_port].port))) {
		m->boot_urc = 0;
		m->pers->booted(m);
	}
	modem_pump(m);
}
