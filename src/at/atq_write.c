/* AT engine: the traffic trace, and writing the next command once the gap
 * after the last final result has passed (see atq_int.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "xmalloc.h"
#include "at/atq_int.h"
#include "at/mask.h"
#include "at/serial.h"

/* Log bytes escaped at debug level when tracing. */
void
at_trace(struct at *at, const char *dir, const void *buf, size_t len)
{
	char *esc;
	size_t sz;

	if (!at->p.trace || log_current_level < LOG_LEVEL_DEBUG)
		return;
	sz = len * 4 + 8;
	esc = xmalloc(sz);
	util_escape(buf, len, esc, sz);
	log_debug("%s: %s %s", at->name, dir, esc);
	free(esc);
}

/* Trace a command line or an echo with its secrets masked. */
void
at_trace_masked(struct at *at, const char *dir, const char *line, int all,
    const char *suffix)
{
	char *masked, *full;

	if (!at->p.trace || log_current_level < LOG_LEVEL_DEBUG)
		return;
	masked = at_mask_dup(at->p.dialect, line, all);
	xasprintf(&full, "%s%s", masked, suffix);
	at_trace(at, dir, full, strlen(full));
	free(full);
	free(masked);
}

/* Schedule the next command once the gap after the last final has passed. */
void
at_kick(struct at *at)
{
	uint64_t now, since;
	int delay = 0;
	struct timeval tv;

	if (at->current != NULL || at->gone || at->dead ||
	    TAILQ_EMPTY(&at->queue) || evtimer_pending(at->ev_next, NULL))
		return;
	now = util_now_ms();
	since = now - at->last_final_ms;
	if (at->p.gap_ms > 0 && since < (uint64_t)at->p.gap_ms)
		delay = at->p.gap_ms - (int)since;
	if (TAILQ_FIRST(&at->queue)->step == AT_STEP_AT && at->resync_hold_ms > now &&
	    at->resync_hold_ms - now > (uint64_t)delay)
		delay = (int)(at->resync_hold_ms - now);	/* resync attempts are paced */
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(at->ev_next, &tv);
}

/* Arm the deadline of the command in flight. */
void
at_arm(struct at *at, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(at->ev_deadline, &tv);
}

/* Write the head of the queue and arm its deadline; the next resync "AT"
 * waits for the resync interval (one attempt per step deadline even when
 * the module answers at once with an error). A prompt command has
 * one deadline for prompt, payload and result: a prompt that comes late must
 * still find the engine waiting, or whatever is written next would become
 * its payload. */
void
at_send(struct at *at, struct at_cmd *c)
{
	at->current = c;
	if (c->step == AT_STEP_AT)
		at->resync_hold_ms = util_now_ms() + (uint64_t)at->p.resync_timeout_ms;
	framer_expect_echo(&at->framer, c->cmd);
	framer_expect_prompt(&at->framer, c->payload != NULL);
	at_trace_masked(at, ">", c->cmd, (c->flags & AT_CMD_SECRET) != 0, "\r");
	serial_write(at->serial, c->cmd, strlen(c->cmd));
	serial_write(at->serial, "\r", 1);
	at_arm(at, c->timeout_ms);
}
