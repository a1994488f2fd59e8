/* AT engine: what the framer reads, routed to the command in flight, the
 * late read, or the URC registry (see atq_int.h). */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "log.h"
#include "at/atq_int.h"
#include "at/serial.h"
#include "at/urc.h"

static void
at_urc(struct at *at, const char *line)
{
	at->stats.urcs++;
	urc_dispatch(at->urcs, line);
}

/* A final result while a command is in flight. */
static void
at_final(struct at *at, struct at_cmd *c, const char *line,
    const struct at_result *res)
{
	struct at_result res2;

	if (res->kind == AT_FINAL_NO_CARRIER &&
	    !(c->flags & AT_CMD_NO_CARRIER)) {
		at_urc(at, line);
		return;
	}
	if (c->filling) {
		c->fill_taken = 1;
		log_warnx("%s: the module took the CR bytes: a send of %zu bytes ended with "
		    "filler", at->name, c->payload_len);
		at_resync_begin(at, "filled send");
		at_result_synthetic(AT_FINAL_TIMEOUT, &res2);
		at_complete(at, &res2);
		return;
	}
	if (c->step == AT_STEP_PROBE && c->n_lines == 0) {
		at->stats.stray++;
		log_debug("%s: ignoring a late final result during resync",
		    at->name);
		return;
	}
	at_complete(at, res);
}

static void
at_handle_line(struct at *at, const char *line)
{
	struct at_result res;
	struct at_cmd *c = at->current;
	int final;

	if (strncasecmp(line, "AT", 2) == 0) {
		at_trace_masked(at, "< echo", line, 0, "");
		at->stats.echoes++;
		return;
	}
	at_trace(at, "<", line, strlen(line));
	if (at->late != NULL && at_late_line(at, line))
		return;
	final = at_result_parse(at->p.dialect, line, &res);
	if (c != NULL && final) {
		at_final(at, c, line, &res);
		return;
	}
	if (c != NULL && at_cmd_owns(at, c, line)) {
		at_cmd_add_line(at, c, line);
		return;
	}
	if (final && res.kind != AT_FINAL_NO_CARRIER) {
		at->stats.stray++;
		log_debug("%s: final result with no command waiting",
		    at->name);
		at_resync_begin(at, "stray final result");
		return;
	}
	at_urc(at, line);
}

static void
at_handle_prompt(struct at *at)
{
	struct at_cmd *c = at->current;

	if (c == NULL || c->payload == NULL || c->prompted)
		return;
	c->prompted = 1;
	at_trace(at, "< prompt, >", c->payload, c->payload_len);
	serial_write(at->serial, c->payload, c->payload_len);
}

static void
at_handle_payload(struct at *at, const struct framer_event *ev)
{
	struct at_cmd *c = at->late_reading ? at->late : at->current;

	at_trace(at, "< raw", ev->data, ev->data_len);
	if (c == NULL || c->rx_len + ev->data_len > c->rx_cap)
		return;
	memcpy(c->rx + c->rx_len, ev->data, ev->data_len);
	c->rx_len += ev->data_len;
	if (c == at->late && ev->last)
		at_late_finish(at, AT_FINAL_OK);
}

void
at_handle_event(struct at *at, const struct framer_event *ev)
{
	switch (ev->kind) {
	case FRAMER_NONE:
		break;
	case FRAMER_LINE:
		at_handle_line(at, ev->line);
		break;
	case FRAMER_ECHO:
		at->stats.echoes++;
		at_trace_masked(at, "< echo", ev->line, at->current != NULL &&
		    (at->current->flags & AT_CMD_SECRET), "");
		break;
	case FRAMER_PROMPT:
		at_handle_prompt(at);
		break;
	case FRAMER_PAYLOAD:
		at_handle_payload(at, ev);
		break;
	}
}
