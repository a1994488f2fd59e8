/* What the modem's files share and the status output reads: names, the
 * last error, the state timer, the quiet time after a close. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "modem/info.h"
#include "modem/modem.h"
#include "util.h"

const char *const modem_state_names[MODEM_STATE_COUNT] = {
	[MODEM_CLOSED] = "closed",
	[MODEM_SYNCING] = "syncing",
	[MODEM_INIT] = "initializing",
	[MODEM_SIM] = "sim",
	[MODEM_REGISTERING] = "registering",
	[MODEM_ATTACHING] = "attaching",
	[MODEM_READY] = "ready",
	[MODEM_RECOVERING] = "recovering",
	[MODEM_FAILED] = "failed",
};

void
modem_timer(struct modem *m, double sec)
{
	struct timeval tv = util_tv_from_sec(sec);

	evtimer_add(m->ev_timer, &tv);
}

void
modem_set_error(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_set_error(m->last_error, sizeof(m->last_error), &m->last_error_at, fmt, ap);
	va_end(ap);
}

void
modem_clear_error(struct modem *m)
{
	if (m->conf_problem[0] != '\0') {	/* readiness does not cure it */
		if (strcmp(m->last_error, m->conf_problem) != 0)
			modem_set_error(m, "%s", m->conf_problem);
		return;
	}
	m->last_error[0] = '\0';
	m->last_error_at = 0;
}

void
modem_fail_reply(struct modem *m, const char *what, const struct dialect_reply *r)
{
	modem_set_error(m, "%.300s: %.100s", what,
	    r->text[0] ? r->text : r->status == DIALECT_TIMEOUT ? "timeout" : "error");
	log_warnx("modem: %s", m->last_error);
}

int
modem_registered(int stat)
{
	return stat == 1 || stat == 5;
}

uint64_t
modem_quiet_left_ms(const struct modem *m)
{
	uint64_t now = util_now_ms();

	return m->quiet_until_ms > now ? m->quiet_until_ms - now : 0;
}

void
modem_quiet_begin(struct modem *m)
{
	m->quiet_until_ms = util_now_ms() + (uint64_t)(m->quiet_time * 1000);
}

const char *
modem_sim_name(const struct modem *m)
{
	if (m->state < MODEM_SIM || m->state == MODEM_CLOSED)
		return "unknown";
	switch (m->sim) {
	case SIM_READY: return "ready";
	case SIM_PIN: return "pin-needed";
	case SIM_PUK: return "puk-needed";
	case SIM_OTHER: return "locked";
	}
	return "unknown";
}

const char *
modem_reg_name(int stat)
{
	static const char *const names[] = { "not-registered", "home", "searching",
		"denied", "unknown", "roaming" };

	if (stat < 0 || stat >= (int)(sizeof(names) / sizeof(names[0])))
		return stat == 8 ? "emergency-only" : "unknown";
	return names[stat];
}
