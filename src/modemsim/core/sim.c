#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "log.h"
#include "personality.h"
#include "profile.h"
#include "sim.h"
#include "trace.h"
#include "xmalloc.h"

const struct profile *
sim_profile(const struct sim_personality *pers, const char *name)
{
	for (int i = 0; i < pers->nprofiles; i++)
		if (strcmp(pers->profiles[i].name, name) == 0)
			return &pers->profiles[i];
	return NULL;
}

void
sim_options_init(struct sim_options *opt, const struct sim_personality *pers)
{
	memset(opt, 0, sizeof(*opt));
	opt->profile = sim_profile(pers, pers->profile_default);
	opt->ports = 1;
	opt->jam_after = 4;
	opt->jam_clear_ms = 2 * 3600 * 1000;
	opt->sgact_delay_ms = 500;
	opt->close_defer_ms = 3000;
	opt->reg_delay_ms = 500;
	opt->reboot_ms = 1000;
	opt->ready_delay_ms = 1000;
	opt->sh_timeout_ms = 10000;
	opt->seed = 1;
	opt->pdp_ip = "10.64.0.2";
	opt->operator_name = "SIMNET";
	opt->rx_buffer = 16384;
	opt->tx_buffer = 65536;
}

void
sim_event(struct sim *sim, const char *kind, const char *fmt, ...)
{
	char ts[40], text[512], *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	trace_timestamp(ts, sizeof(ts));
	xasprintf(&line, "%s %s %s", ts, kind, text);
	log_info("%s", line);
	trace_line(sim->trace, line);
	free(sim->history[sim->hist_next]);
	sim->history[sim->hist_next] = line;
	sim->hist_next = (sim->hist_next + 1) % SIM_HISTORY;
	if (sim->hist_count < SIM_HISTORY)
		sim->hist_count++;
}

void
sim_history(struct sim *sim, int n, struct evbuffer *out)
{
	int first;

	if (n <= 0 || n > sim->hist_count)
		n = sim->hist_count;
	first = (sim->hist_next - n + SIM_HISTORY) % SIM_HISTORY;
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out, "%s\n", sim->history[(first + i) % SIM_HISTORY]);
}

/* xorshift64*: deterministic for a given --seed. */
uint32_t
sim_random(struct sim *sim)
{
	uint64_t x = sim->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sim->rng = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}
