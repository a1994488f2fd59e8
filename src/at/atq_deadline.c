/* AT engine: a command's completion, and what happens when its deadline
 * passes (see atq_int.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "xmalloc.h"
#include "at/atq_int.h"
#include "at/mask.h"
#include "at/serial.h"

/* The command in flight is over with this result. */
void
at_complete(struct at *at, const struct at_result *res)
{
	struct at_cmd *c = at->current;
	enum at_step step = c->step;

	evtimer_del(at->ev_deadline);
	framer_expect_echo(&at->framer, NULL);
	framer_expect_prompt(&at->framer, 0);
	at->current = NULL;
	at->last_final_ms = util_now_ms();
	at->stats.commands++;
	if (res->kind != AT_FINAL_TIMEOUT && res->kind != AT_FINAL_GONE) {
		at->timeouts_in_row = 0;
		at->reported = 0;
	}
	if (step == AT_STEP_NONE)
		at->n_user--;
	at_deliver(at, c, res);
	if (at->dead)
		return;
	if (step != AT_STEP_NONE)
		at_resync_step(at, step, res);
	at_kick(at);
}

/* A command went unanswered: if the gap after final results is shorter
 * than the safe one, the module may not have been ready; use the safe gap
 * from now on. */
static void
at_widen_gap(struct at *at)
{
	if (at->p.gap_slow_ms <= at->p.gap_ms)
		return;
	log_warnx("%s: waiting %d ms instead of %d ms after each result from now on",
	    at->name, at->p.gap_slow_ms, at->p.gap_ms);
	at->p.gap_ms = at->p.gap_slow_ms;
}

/* A prompt command past its deadline. The module may still wait behind a
 * prompt that noise hid, or for the rest of a payload it partly lost; then
 * whatever is written next would be taken as payload. It waits for at most
 * payload_len bytes: send that many CRs (in command mode an empty line,
 * ignored) and give it the default deadline to answer. An answer means it
 * took them (fill_taken): the server got filler, the send is not retried. */
static void
at_fill(struct at *at, struct at_cmd *c)
{
	uint8_t *cr = xmalloc(c->payload_len);

	memset(cr, '\r', c->payload_len);
	framer_expect_prompt(&at->framer, 0);
	c->filling = 1;
	log_warnx("%s: sending %zu CR bytes in case the module still waits for a payload",
	    at->name, c->payload_len);
	serial_write(at->serial, cr, c->payload_len);
	free(cr);
	at_arm(at, at->p.timeout_ms);
}

/* The deadline of c, the command in flight, passed. */
void
at_deadline_passed(struct at *at, struct at_cmd *c)
{
	struct at_result res;
	char *masked;
	unsigned n;

	if (c->filling) {	/* the CRs got no answer: nothing was taken */
		at_resync_begin(at, "timeout");
		at_result_synthetic(AT_FINAL_TIMEOUT, &res);
		at_complete(at, &res);
		return;
	}
	masked = at_mask_dup(at->p.dialect, c->cmd, (c->flags & AT_CMD_SECRET) != 0);
	log_warnx("%s: no answer to %s within %d ms%s", at->name, masked,
	    c->timeout_ms, c->payload != NULL && !c->prompted ? " (no prompt)" : "");
	free(masked);
	at_widen_gap(at);
	framer_reset(&at->framer);
	at->stats.timeouts++;
	n = ++at->timeouts_in_row;
	if (c->payload != NULL && c->step == AT_STEP_NONE)
		at_fill(at, c);
	else if (at_keep_late(at, c))
		at_resync_begin(at, "timeout");
	else {
		if (c->step == AT_STEP_NONE)
			at_resync_begin(at, "timeout");
		at_result_synthetic(AT_FINAL_TIMEOUT, &res);
		at_complete(at, &res);
	}
	if (!at->dead && n >= at->p.not_answering_after && !at->reported) {
		at->reported = 1;
		log_warnx("%s: modem not answering (%u timeouts in a row)",
		    at->name, n);
		if (at->ev.not_answering != NULL)
			at->ev.not_answering(n, at->ev_arg);
	}
}
