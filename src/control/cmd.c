#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "control/cmd.h"
#include "at/atq.h"
#include "control/control.h"
#include "daemon/daemon.h"
#include "link/link.h"
#include "control/metrics.h"
#include "control/rec.h"
#include "modem/modem.h"
#include "relay/relay.h"
#include "util.h"
#include "xmalloc.h"
#include "log.h"

static cmd_handler cmd_help, cmd_version, cmd_status, cmd_links, cmd_log_level,
    cmd_reload, cmd_monitor, cmd_modem, cmd_connect, cmd_disconnect,
    cmd_reconnect, cmd_reset, cmd_at, cmd_send, cmd_metrics;

/* The handler of each command of the shared table, indexed by its id. */
static cmd_handler *const cmd_handlers[] = {
	[CMDTAB_STATUS] = cmd_status,
	[CMDTAB_MODEM] = cmd_modem,
	[CMDTAB_LINKS] = cmd_links,
	[CMDTAB_CONNECT] = cmd_connect,
	[CMDTAB_DISCONNECT] = cmd_disconnect,
	[CMDTAB_RECONNECT] = cmd_reconnect,
	[CMDTAB_SEND] = cmd_send,
	[CMDTAB_MONITOR] = cmd_monitor,
	[CMDTAB_METRICS] = cmd_metrics,
	[CMDTAB_AT] = cmd_at,
	[CMDTAB_RESET] = cmd_reset,
	[CMDTAB_RELOAD] = cmd_reload,
	[CMDTAB_LOG_LEVEL] = cmd_log_level,
	[CMDTAB_VERSION] = cmd_version,
	[CMDTAB_HELP] = cmd_help,
};
_Static_assert(sizeof(cmd_handlers) / sizeof(cmd_handlers[0]) == CMDTAB_COUNT,
    "every command of the table has a handler");

cmd_handler *
cmd_handler_of(enum cmdtab_id id)
{
	return id < CMDTAB_COUNT ? cmd_handlers[id] : NULL;
}

/* A request prefixed with the word "json": the same request without it. */
static const struct proto_request *
cmd_strip_json(struct cmd_ctx *ctx, const struct proto_request *req,
    struct proto_request *copy)
{
	if (req->argc < 2 || strcmp(req->argv[0], "json") != 0)
		return req;
	*copy = *req;
	copy->argc--;
	memmove(copy->argv, copy->argv + 1, sizeof(copy->argv[0]) * (size_t)copy->argc);
	memmove(copy->off, copy->off + 1, sizeof(copy->off[0]) * (size_t)copy->argc);
	for (int i = 0; i < copy->argc; i++)	/* argv points into the copy's buf */
		copy->argv[i] = copy->buf + (req->argv[i + 1] - req->buf);
	ctx->json = 1;
	return copy;
}

/* Check the word count against the table, then permission, then run. */
static void
cmd_dispatch_entry(struct cmd_ctx *ctx, const struct cmdtab_entry *e,
    const struct proto_request *req, int nargs)
{
	if (e == NULL) {
		cmd_err(ctx, ERR_UNKNOWN_COMMAND, "unknown command '%.64s' (try 'help')", req->argv[0]);
		return;
	}
	if (!cmdtab_args_ok(e, nargs)) {
		cmd_err(ctx, ERR_USAGE, "usage: %s %s", e->name, e->args);
		return;
	}
	if (!cmdtab_permitted(e, &ctx->peer, nargs)) {
		cmd_err(ctx, ERR_PERMISSION, "%s needs %s", e->name,
		    (e->flags & CMDTAB_ROOT) ? "root" : "root or the control socket's group");
		return;
	}
	cmd_handlers[e->id](ctx, req);
	if (!ctx->done && !ctx->deferred)
		cmd_err(ctx, ERR_FAILED, "internal error: %s gave no result", e->name);
}

/* Answer one request, "json"-prefixed or not. */
void
cmd_dispatch(struct cmd_ctx *ctx, const struct proto_request *whole)
{
	int json = whole->argc >= 2 && strcmp(whole->argv[0], "json") == 0;
	struct proto_request *copy = json ? xmalloc(sizeof(*copy)) : NULL;
	const struct proto_request *req = json ? cmd_strip_json(ctx, whole, copy) : whole;

	cmd_dispatch_entry(ctx, cmdtab_find(req->argv[0]), req, req->argc - 1);
	free(copy);
}

void
cmd_serve(void *arg, struct control_request *rq)
{
	struct cmd_server *srv = arg;
	struct cmd_ctx ctx = { .d = srv->d, .control = srv->control, .out = rq->out,
	    .peer = rq->peer, .client = rq->client };

	cmd_dispatch(&ctx, rq->req);
	rq->subscribe = ctx.subscribe;
	rq->json = ctx.json;
	rq->deferred = ctx.deferred;
}

void
cmd_reply(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(ctx->out, fmt, ap);
	va_end(ap);
	evbuffer_add(ctx->out, "\n", 1);
}

void
cmd_ok(struct cmd_ctx *ctx)
{
	evbuffer_add(ctx->out, "OK\n", 3);
	ctx->done = 1;
}

void
cmd_err(struct cmd_ctx *ctx, enum proto_err code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	evbuffer_add_printf(ctx->out, "ERR %s %s\n", proto_err_names[code], msg);
	ctx->done = 1;
}

static void
cmd_help(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct rec r;

	for (int i = 0; i < CMDTAB_COUNT; i++) {
		const struct cmdtab_entry *e = &cmdtab[i];
		rec_begin(&r, ctx->out, ctx->json, "command");
		rec_str(&r, "name", e->name);
		rec_str(&r, "args", e->args);
		rec_word(&r, "privileged", cmdtab_privilege(e));
		rec_str(&r, "help", e->help);
		rec_end(&r);
	}
	cmd_ok(ctx);
}

static void
cmd_version(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct rec r;

	rec_begin(&r, ctx->out, ctx->json, "version");
	rec_str(&r, "name", "cellsockd");
	rec_str(&r, "version", PACKAGE_VERSION);
	rec_int(&r, "protocol", 1);
	rec_end(&r);
	cmd_ok(ctx);
}

/* One "link ..." record; shared by status and links. */
static void
cmd_link_record(struct cmd_ctx *ctx, const struct link *l)
{
	const struct conf_link *cl = l->conf;
	const struct link_keepalive *ka = &l->ka;
	struct rec r;

	rec_begin(&r, ctx->out, ctx->json, "link");
	rec_str(&r, "name", l->name);
	rec_word(&r, "state", link_state_names[l->state]);
	rec_time(&r, "since", l->since);
	rec_str(&r, "host", cl->host);
	rec_int(&r, "port", cl->port);
	rec_int(&r, "socket", cl->socket);
	rec_str(&r, "local", cl->local ? cl->local : "");
	rec_word(&r, "session", cl->session == CONF_SESSION_PERSISTENT ? "persistent" : "transparent");
	rec_uint(&r, "attempts", l->attempts);
	rec_num(&r, "backoff_left", link_backoff_left(l), 1);
	rec_uint(&r, "connects", l->connects);
	rec_uint(&r, "failures", l->failures);
	rec_word(&r, "cause", link_deaths(l) ? dead_cause_names[l->cause] : "");
	rec_num(&r, "idle", link_idle_period(l), 1);
	rec_word(&r, "idle_mode", link_idle_mode_name(l));
	rec_num_or_null(&r, "idle_survived", l->idle.survived, 1, l->idle.survived > 0);
	rec_num_or_null(&r, "idle_died", l->idle.died, 1, l->idle.died > 0);
	rec_uint(&r, "idle_trials", l->idle.trials);
	rec_num(&r, "dead_within_idle", link_bound_idle(l), 1);
	rec_num(&r, "dead_within_busy", link_bound_busy(l), 1);
	rec_uint(&r, "probes_sent", ka->probes_sent);
	rec_uint(&r, "probes_answered", ka->probes_answered);
	rec_uint(&r, "rtt_last_ms", ka->rtt_last_ms);
	rec_uint(&r, "rtt_mean_ms", ka->probes_answered ? ka->rtt_sum_ms / ka->probes_answered : 0);
	rec_uint(&r, "probe_bytes", ka->probe_bytes);
	rec_num(&r, "probe_bytes_per_day", link_probe_bytes_per_day(l), 0);
	rec_num(&r, "probe_bytes_per_day_at_idle", link_probe_bytes_per_day_at_idle(l), 0);
	rec_uint(&r, "probe_wait_max_ms", ka->probe_wait_max_ms);
	rec_uint(&r, "unprobed", l->dead_by_cause[CAUSE_UNPROBED]);
	rec_str(&r, "last_error", l->last_error);
	rec_time(&r, "last_error_at", l->last_error_at);
	rec_end(&r);
}

/* The "modem ..." record: identity, SIM, registration, signal, escalation. */
static void
cmd_modem_record(struct cmd_ctx *ctx)
{
	const struct modem *m = daemon_modem(ctx->d);
	struct rec r;

	rec_begin(&r, ctx->out, ctx->json, "modem");
	rec_word(&r, "state", modem_state_names[m->state]);
	rec_str(&r, "device", daemon_conf(ctx->d)->modem.device);
	rec_word(&r, "dialect", m->dialect_known ? m->ops->name : "unknown");
	rec_str(&r, "dialect_reason", m->dialect_reason);
	rec_str(&r, "model", m->ident.model);
	rec_str(&r, "firmware", m->ident.firmware);
	rec_str(&r, "imei", m->ident.imei);
	rec_word(&r, "sim", modem_sim_name(m));
	rec_word(&r, "registration", modem_reg_name(m->reg_stat));
	rec_str(&r, "operator", m->oper);
	rec_int_or_null(&r, "signal_dbm", m->dbm, m->dbm != 0);
	rec_str(&r, "ip", m->ip);
	rec_num(&r, "quiet_time", m->quiet_time, 1);
	rec_uint(&r, "max_send", modem_max_send(m));
	rec_int(&r, "command_gap_ms", m->at != NULL ? at_gap_ms(m->at) : m->gap_ms);
	rec_uint(&r, "failures", m->esc.failures);
	rec_word(&r, "escalation", m->step_running >= 0 ? escalation_step_names[m->step_running] : "");
	rec_uint(&r, "pdp_cycles", m->esc.steps_total[STEP_PDP_CYCLE]);
	rec_uint(&r, "radio_cycles", m->esc.steps_total[STEP_RADIO_CYCLE]);
	rec_uint(&r, "reboots", m->esc.steps_total[STEP_MODEM_REBOOT]);
	rec_uint(&r, "hooks", m->esc.steps_total[STEP_HOOK]);
	rec_str(&r, "last_error", m->last_error);
	rec_time(&r, "last_error_at", m->last_error_at);
	rec_end(&r);
}

static void
cmd_modem(struct cmd_ctx *ctx, const struct proto_request *req)
{
	cmd_modem_record(ctx);
	cmd_ok(ctx);
}

/* The "relay ..." record: the data path's byte account for one link. */
static void
cmd_relay_record(struct cmd_ctx *ctx, const struct link *l)
{
	const struct relay *rl = link_relay(l);
	const struct relay_counters *c = relay_counters(rl);
	struct rec r;

	rec_begin(&r, ctx->out, ctx->json, "relay");
	rec_str(&r, "name", l->name);
	rec_bool(&r, "client", relay_has_client(rl));
	rec_uint(&r, "tx_queued", relay_tx_queued(rl));
	rec_uint(&r, "rx_queued", relay_rx_queued(rl));
	rec_uint(&r, "accepted", c->accepted);
	rec_uint(&r, "sent", c->sent);
	rec_uint(&r, "acked", c->acked);
	rec_uint(&r, "received", c->received);
	rec_uint(&r, "delivered", c->delivered);
	rec_uint(&r, "lost_unsent", c->lost_unsent);
	rec_uint(&r, "lost_unacked", c->lost_unacked);
	rec_uint(&r, "lost_unread", c->lost_unread);
	rec_uint(&r, "undelivered", c->undelivered);
	rec_uint(&r, "resent", c->resent);
	rec_uint(&r, "clients", c->clients);
	rec_uint(&r, "refused", c->refused);
	rec_uint(&r, "probe_replies", c->probe_replies);
	rec_end(&r);
}

/* One "channel ..." record per AT port: its queue now and the longest an
 * urgent command (probe, ack poll, read) waited for it. */
static void
cmd_channel_records(struct cmd_ctx *ctx)
{
	const struct modem *m = daemon_modem(ctx->d);
	struct at_stats s;
	struct rec r;

	if (m->at == NULL)
		return;
	at_get_stats(m->at, &s);
	for (unsigned i = 0; i < s.n_chans; i++) {
		rec_begin(&r, ctx->out, ctx->json, "channel");
		rec_uint(&r, "index", i);
		rec_str(&r, "port", at_port_name(m->at, i));
		rec_uint(&r, "queued", s.chan[i].queued);
		rec_uint(&r, "urgent_wait_max_ms", s.chan[i].urgent_wait_max_ms);
		rec_end(&r);
	}
}

static void
cmd_status(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct daemon *d = ctx->d;
	struct rec r;

	rec_begin(&r, ctx->out, ctx->json, "daemon");
	rec_str(&r, "version", PACKAGE_VERSION);
	rec_int(&r, "pid", (long long)getpid());
	rec_int(&r, "uptime", (long long)(time(NULL) - d->started));
	rec_str(&r, "config", d->conf_path);
	rec_word(&r, "log_level", log_level_name(log_getlevel()));
	rec_int(&r, "links", daemon_n_links(d));
	rec_uint(&r, "reloads", d->reloads);
	rec_int(&r, "clients", ctx->control ? control_client_count(ctx->control) : 0);
	rec_int(&r, "monitors", ctx->control ? control_monitor_count(ctx->control) : 0);
	rec_end(&r);
	cmd_modem_record(ctx);
	for (int i = 0; i < daemon_n_links(d); i++)
		cmd_link_record(ctx, daemon_link_at(d, i));
	for (int i = 0; i < daemon_n_links(d); i++)
		cmd_relay_record(ctx, daemon_link_at(d, i));
	cmd_channel_records(ctx);
	cmd_ok(ctx);
}

/* links [NAME]: every link's record, or the one named. */
static void
cmd_links(struct cmd_ctx *ctx, const struct proto_request *req)
{
	const struct link *l = NULL;

	if (req->argc == 2 && (l = daemon_link(ctx->d, req->argv[1])) == NULL) {
		cmd_err(ctx, ERR_NO_SUCH_LINK, "no link named '%.64s'", req->argv[1]);
		return;
	}
	for (int i = 0; i < daemon_n_links(ctx->d); i++)
		if (l == NULL || daemon_link_at(ctx->d, i) == l)
			cmd_link_record(ctx, daemon_link_at(ctx->d, i));
	cmd_channel_records(ctx);
	cmd_ok(ctx);
}

static void
cmd_log_level(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct rec r;
	int level;

	if (req->argc == 2) {
		level = log_level_parse(req->argv[1]);
		if (level < 0) {
			cmd_err(ctx, ERR_USAGE, "unknown level '%.32s' (error, warning, "
			    "notice, info, debug)", req->argv[1]);
			return;
		}
		log_setlevel(level);
		log_notice("log level set to %s", log_level_name(level));
	}
	rec_begin(&r, ctx->out, ctx->json, "log");
	rec_word(&r, "level", log_level_name(log_getlevel()));
	rec_end(&r);
	cmd_ok(ctx);
}

static void
cmd_reload(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct conf_errors errs;
	struct rec r;

	conf_errors_init(&errs);
	if (daemon_reload(ctx->d, &errs) == 0) {
		cmd_ok(ctx);
		return;
	}
	for (int i = 0; i < errs.n; i++) {
		rec_begin(&r, ctx->out, ctx->json, "error");
		rec_str(&r, "message", errs.msgs[i]);
		rec_end(&r);
	}
	cmd_err(ctx, ERR_FAILED, "configuration refused (%d problem%s); the old one "
	    "keeps running", errs.n, errs.n == 1 ? "" : "s");
	conf_errors_free(&errs);
}

static void
cmd_monitor(struct cmd_ctx *ctx, const struct proto_request *req)
{
	ctx->subscribe = 1;
	cmd_ok(ctx);
}

static void
cmd_metrics(struct cmd_ctx *ctx, const struct proto_request *req)
{
	metrics_render(ctx->d, ctx->out);
	cmd_ok(ctx);
}

/* The link named by the first argument, or an ERR reply and NULL. */
static struct link *
cmd_link_arg(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct link *l = daemon_link(ctx->d, req->argv[1]);

	if (l == NULL)
		cmd_err(ctx, ERR_NO_SUCH_LINK, "no link named '%.64s'", req->argv[1]);
	return l;
}

/* Accept a link operation: the outcome arrives as link-state events. */
static void
cmd_link_op(struct cmd_ctx *ctx, const struct proto_request *req, enum link_event ev)
{
	struct link *l = cmd_link_arg(ctx, req);
	struct rec r;

	if (l == NULL)
		return;
	log_info("link %s: %s requested over the control socket", l->name, req->argv[0]);
	link_event(l, ev);
	rec_begin(&r, ctx->out, ctx->json, "accepted");
	rec_str(&r, "link", l->name);
	rec_word(&r, "state", link_state_names[l->state]);
	rec_end(&r);
	cmd_ok(ctx);
}

static void
cmd_connect(struct cmd_ctx *ctx, const struct proto_request *req)
{
	cmd_link_op(ctx, req, LEV_START);
}

static void
cmd_disconnect(struct cmd_ctx *ctx, const struct proto_request *req)
{
	cmd_link_op(ctx, req, LEV_STOP);
}

static void
cmd_reconnect(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct link *l = daemon_link(ctx->d, req->argv[1]);

	if (l != NULL && l->state == LINK_IDLE) {
		cmd_err(ctx, ERR_FAILED, "link %s is idle: use connect", l->name);
		return;
	}
	cmd_link_op(ctx, req, LEV_RECONNECT);
}

static void
cmd_reset(struct cmd_ctx *ctx, const struct proto_request *req)
{
	static const struct { const char *word; enum escalation_step step; } steps[] = {
		{ "pdp", STEP_PDP_CYCLE }, { "radio", STEP_RADIO_CYCLE },
		{ "modem", STEP_MODEM_REBOOT },
	};
	struct rec r;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (strcmp(req->argv[1], steps[i].word) != 0)
			continue;
		if (modem_reset(daemon_modem(ctx->d), steps[i].step) == -1) {
			cmd_err(ctx, ERR_BUSY, "the modem is %s; try again when it is up",
			    modem_state_names[daemon_modem(ctx->d)->state]);
			return;
		}
		rec_begin(&r, ctx->out, ctx->json, "accepted");
		rec_word(&r, "step", escalation_step_names[steps[i].step]);
		rec_end(&r);
		cmd_ok(ctx);
		return;
	}
	cmd_err(ctx, ERR_USAGE, "usage: reset pdp|radio|modem");
}

/* A raw AT command waiting for its answer on behalf of one client. */
struct cmd_at_pending {
	struct control *control;
	uint64_t client;
};

static void
cmd_at_done(const struct at_response *r, void *arg)
{
	struct cmd_at_pending *p = arg;
	struct evbuffer *out = evbuffer_new();
	struct cmd_ctx ctx = { .control = p->control, .out = out };
	char esc[1024];

	for (size_t i = 0; i < r->n_lines; i++) {
		util_escape(r->lines[i], strlen(r->lines[i]), esc, sizeof(esc));
		cmd_reply(&ctx, "%s", esc);
	}
	if (r->payload_len > 0) {
		util_escape(r->payload, r->payload_len, esc, sizeof(esc));
		cmd_reply(&ctx, "%s", esc);
	}
	/* The final result is the exit status (OK) or the ERR message: a bare
	 * "OK" line would read as the protocol's own terminal line. */
	util_escape(r->result.text ? r->result.text : at_final_name(r->result.kind),
	    strlen(r->result.text ? r->result.text : at_final_name(r->result.kind)), esc, sizeof(esc));
	if (r->result.success)
		cmd_ok(&ctx);
	else
		cmd_err(&ctx, ERR_FAILED, "the modem answered %s", esc);
	if (p->control != NULL)
		control_send(p->control, p->client, out);
	evbuffer_free(out);
}

static void
cmd_at(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct at_command c = { .cmd = proto_rest(req, 1) };
	struct at *at = daemon_modem(ctx->d) != NULL ? modem_at(daemon_modem(ctx->d)) : NULL;
	struct cmd_at_pending *p;

	if (at == NULL) {
		cmd_err(ctx, ERR_NOT_AVAILABLE, "the modem port is not open");
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->control = ctx->control;
	p->client = ctx->client;
	log_info("raw AT command from the control socket");
	if (at_submit(at, &c, cmd_at_done, p, free) == 0) {
		free(p);
		cmd_err(ctx, ERR_BUSY, "the AT queue refused the command (full, or not a valid command line)");
		return;
	}
	ctx->deferred = 1;
}

/* send NAME DATA: DATA is the rest of the line with %XX escapes, so any
 * byte passes; it goes through the link's data path like a client's bytes. */
static void
cmd_send(struct cmd_ctx *ctx, const struct proto_request *req)
{
	struct link *l = cmd_link_arg(ctx, req);
	unsigned char buf[PROTO_LINE_MAX];
	struct rec r;
	long n;

	if (l == NULL)
		return;
	if ((n = proto_bytes_decode(proto_rest(req, 2), buf, sizeof(buf))) ==
	    PROTO_BYTES_MALFORMED) {
		cmd_err(ctx, ERR_USAGE, "malformed %%-escape in DATA: '%%' needs two hex digits "
		    "(a literal '%%' is %%25)");
		return;
	}
	if (n <= 0) {
		cmd_err(ctx, ERR_USAGE, "usage: send NAME DATA (nothing to send)");
		return;
	}
	if (l->state != LINK_UP) {
		cmd_err(ctx, ERR_FAILED, "link %s is %s, not up", l->name, link_state_names[l->state]);
		return;
	}
	if (relay_send(link_relay(l), buf, (size_t)n) == -1) {
		cmd_err(ctx, ERR_BUSY, "link %s: the queue toward the server is full", l->name);
		return;
	}
	rec_begin(&r, ctx->out, ctx->json, "queued");
	rec_str(&r, "link", l->name);
	rec_int(&r, "bytes", n);
	rec_end(&r);
	cmd_ok(ctx);
}
