/* The module keepalive, set from what AT+QICFG=? announces: see
 * quectel_dial.h. QICFG settings are global and not saved, so this runs
 * before every dial (after any reset the module has forgotten them). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "at/atq.h"
#include "dialect/batch.h"
#include "dialect/gsm.h"
#include "dialect/quectel/quectel_dial.h"
#include "dialect/quectel/quectel_parse.h"
#include "log.h"
#include "xmalloc.h"

#define QUECTEL_KA_INTERVAL 30		/* s between probes (BG95: 25..100) */
#define QUECTEL_KA_PROBES 3		/* BG95: 3..10 */

struct quectel_ka {
	struct at *at;
	int minutes;
	dialect_cb *cb;
	void *arg;
};

/* v within [lo, hi] (a bound of -1 is unknown). */
static long
quectel_clamp(long v, long lo, long hi)
{
	if (lo >= 0 && v < lo)
		return lo;
	if (hi >= 0 && v > hi)
		return hi;
	return v;
}

/* The set command for the announced ranges and unit. */
static void
quectel_ka_command(const struct quectel_keepalive_test *t, int minutes, char *cmd,
    size_t cmdsz)
{
	long idle = t->unit == QUECTEL_KA_SECONDS ? (long)minutes * 60 : minutes;

	if (minutes <= 0) {
		snprintf(cmd, cmdsz, "AT+QICFG=\"tcp/keepalive\",0");
		return;
	}
	snprintf(cmd, cmdsz, "AT+QICFG=\"tcp/keepalive\",1,%ld,%ld,%ld",
	    quectel_clamp(idle, t->idle_min, t->idle_max),
	    quectel_clamp(QUECTEL_KA_INTERVAL, t->interval_min, t->interval_max),
	    quectel_clamp(QUECTEL_KA_PROBES, t->probes_min, t->probes_max));
}

/* The answer to AT+QICFG=?: set the keepalive if the module has one. */
static void
quectel_ka_tested(const struct at_response *r, void *arg)
{
	struct quectel_ka *k = arg;
	struct quectel_keepalive_test t;
	struct dialect_reply ok = { .status = DIALECT_OK, .cme = -1 };
	char cmd[96];

	if (r->result.kind == AT_FINAL_TIMEOUT || r->result.kind == AT_FINAL_GONE) {
		ok.status = r->result.kind == AT_FINAL_GONE ? DIALECT_GONE : DIALECT_TIMEOUT;
		snprintf(ok.text, sizeof(ok.text), "%s", at_final_name(r->result.kind));
		k->cb(&ok, k->arg);
		return;
	}
	for (size_t i = 0; i < r->n_lines; i++)
		if (quectel_parse_qicfg_keepalive_test(r->lines[i], &t) == 0) {
			quectel_ka_command(&t, k->minutes, cmd, sizeof(cmd));
			dialect_one(k->at, cmd, &gsm_ans_plain, 0, 0, k->cb, k->arg);
			return;
		}
	if (k->minutes > 0)
		log_warnx("quectel: the module announces no tcp/keepalive; "
		    "modem_keepalive is not applied");
	snprintf(ok.text, sizeof(ok.text), "no tcp/keepalive");
	k->cb(&ok, k->arg);
}

void
quectel_keepalive_set(struct at *at, int keepalive_min, dialect_cb *cb, void *arg)
{
	static const char *const pfx[] = { "+QICFG:", NULL };
	struct at_command c = { .cmd = "AT+QICFG=?", .prefixes = pfx };
	struct quectel_ka *k = xcalloc(1, sizeof(*k));
	struct dialect_reply gone = { .status = DIALECT_GONE, .cme = -1,
		.text = "refused by the AT engine" };

	k->at = at;
	k->minutes = keepalive_min;
	k->cb = cb;
	k->arg = arg;
	if (at_submit(at, &c, quectel_ka_tested, k, free) != 0)
		return;
	free(k);
	cb(&gone, arg);
}
