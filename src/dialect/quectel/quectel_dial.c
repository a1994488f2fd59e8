/* The dial completed by "+QIOPEN: <id>,<err>": see quectel_dial.h. The wait
 * is owned twice, by the AT+QIOPEN command (until its final result) and by
 * its URC registration (until the URC, the deadline or the engine's end);
 * it is freed when both have let go. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "at/atq.h"
#include "at/urc.h"
#include "dialect/quectel/quectel_dial.h"
#include "dialect/quectel/quectel_parse.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define QUECTEL_QIOPEN_OK_MS 15000	/* the OK comes at once (manual) */

struct quectel_open {
	struct at *at;
	int connid;
	int timeout_ms;
	dialect_cb *cb;
	void *arg;
	unsigned urc_id;
	struct event *timer;
	int refs;		/* the command and the URC registration */
	int started;		/* the command answered OK */
	int done;		/* cb has run (or will never run) */
	int early;		/* the URC came before the OK */
	struct dialect_reply reply;	/* the early URC's answer */
};

static void
quectel_open_unref(void *arg)
{
	struct quectel_open *o = arg;

	if (--o->refs > 0)
		return;
	event_free(o->timer);
	free(o);
}

/* Answer once: stop listening (this may free o), then call back. */
static void
quectel_open_complete(struct quectel_open *o, const struct dialect_reply *r)
{
	dialect_cb *cb = o->cb;
	void *arg = o->arg;
	struct dialect_reply copy = *r;

	o->done = 1;
	evtimer_del(o->timer);
	urc_remove(at_urcs(o->at), o->urc_id);
	cb(&copy, arg);
}

static void
quectel_open_reply(struct dialect_reply *r, enum dialect_status st, int cme, const char *text)
{
	r->status = st;
	r->cme = cme;
	r->u.dial = st == DIALECT_OK ? DIAL_ERR_NONE :
	    st == DIALECT_ERROR ? quectel_error_class(cme) : DIAL_ERR_TIMEOUT;
	snprintf(r->text, sizeof(r->text), "%s", text);
}

/* "+QIOPEN: <id>,<err>" for our id. */
static void
quectel_open_urc(const char *line, const char *args, void *arg)
{
	struct quectel_open *o = arg;
	struct quectel_qiopen u;

	if (o->done || quectel_parse_qiopen_urc(line, &u) != 0 || u.conn_id != o->connid)
		return;
	quectel_open_reply(&o->reply, u.err == 0 ? DIALECT_OK : DIALECT_ERROR,
	    u.err == 0 ? -1 : u.err, line);
	if (!o->started) {
		o->early = 1;	/* answered when the OK comes */
		return;
	}
	quectel_open_complete(o, &o->reply);
}

static void
quectel_open_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct quectel_open *o = arg;
	struct dialect_reply r = { .cme = -1 };
	char text[64];

	snprintf(text, sizeof(text), "no +QIOPEN within %d s", o->timeout_ms / 1000);
	log_warnx("quectel: socket %d: %s", o->connid, text);
	quectel_open_reply(&r, DIALECT_TIMEOUT, -1, text);
	quectel_open_complete(o, &r);
}

/* The AT+QIOPEN command's own final result. */
static void
quectel_open_started(const struct at_response *resp, void *arg)
{
	struct quectel_open *o = arg;
	const struct at_result *res = &resp->result;
	const char *text = res->text ? res->text : at_final_name(res->kind);
	struct dialect_reply r = { .cme = -1 };
	struct timeval tv;

	if (o->done)
		return;
	if (res->kind == AT_FINAL_OK) {
		o->started = 1;
		if (o->early) {
			quectel_open_complete(o, &o->reply);
			return;
		}
		tv = util_tv_from_sec((double)o->timeout_ms / 1000.0);
		evtimer_add(o->timer, &tv);
		return;
	}
	quectel_open_reply(&r, res->kind == AT_FINAL_TIMEOUT ? DIALECT_TIMEOUT :
	    res->kind == AT_FINAL_GONE ? DIALECT_GONE : DIALECT_ERROR,
	    res->kind == AT_FINAL_CME_ERROR ? res->code : -1, text);
	quectel_open_complete(o, &r);
}

void
quectel_dial(struct at *at, int connid, int cid, const char *host, int port, int timeout_ms,
    dialect_cb *cb, void *arg)
{
	static const char *const none[] = { NULL };
	struct quectel_open *o = xcalloc(1, sizeof(*o));
	struct at_command c = { .prefixes = none, .timeout_ms = QUECTEL_QIOPEN_OK_MS,
		.urgency = AT_SLOW };
	struct dialect_reply r = { .cme = -1 };
	char cmd[320];

	o->at = at;
	o->connid = connid;
	o->timeout_ms = timeout_ms;
	o->cb = cb;
	o->arg = arg;
	o->timer = evtimer_new(at_base(at), quectel_open_deadline, o);
	o->refs = 2;
	o->urc_id = urc_add_owned(at_urcs(at), "+QIOPEN:", quectel_open_urc, o,
	    quectel_open_unref);
	snprintf(cmd, sizeof(cmd), "AT+QIOPEN=%d,%d,\"TCP\",\"%.255s\",%d,0,0", cid, connid,
	    host, port);
	c.cmd = cmd;
	if (at_submit(at, &c, quectel_open_started, o, quectel_open_unref) != 0)
		return;
	o->refs--;	/* the command was refused: only the URC holds it */
	quectel_open_reply(&r, DIALECT_GONE, -1, "refused by the AT engine");
	quectel_open_complete(o, &r);
}
