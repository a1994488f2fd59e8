/* Reconnect backoff owned by the link FSM (bgpd's idle-hold idea):
 * exponential growth with full jitter between a minimum and a maximum,
 * reset after a connection stayed up for the stable period.
 *
 * delay(n) = uniform(min, ceiling(n)), ceiling(n) = min(max, min * 1.6^n)
 * where n counts consecutive failures. The factor 1.6 is gRPC's; full jitter
 * (AWS) spreads a fleet that lost the same cell so it does not redial in
 * step; the minimum is a hard floor, so no link can redial faster than
 * reconnect.min however its failures are classified. */
#ifndef CELLSOCK_BACKOFF_H
#define CELLSOCK_BACKOFF_H

#include <stdint.h>

#define BACKOFF_FACTOR 1.6

/* A small, explicit PRNG (splitmix64) so tests can seed it. */
struct backoff_rng {
	uint64_t state;
};

struct backoff {
	double min, max;	/* seconds */
	unsigned failures;	/* consecutive, since the last stable period */
	struct backoff_rng *rng;
};

void backoff_rng_seed(struct backoff_rng *rng, uint64_t seed);
/* Uniform in [0, 1). */
double backoff_rng_next(struct backoff_rng *rng);

void backoff_init(struct backoff *b, double min, double max, struct backoff_rng *rng);
/* The ceiling for the next delay, before jitter. */
double backoff_ceiling(const struct backoff *b);
/* Record a failure and return the delay before the next attempt. first_min
 * raises the floor for this delay (e.g. a DNS failure waits longer); it is
 * never lowered below min. */
double backoff_next(struct backoff *b, double first_min);
/* The connection stayed up for the stable period: start over. */
void backoff_reset(struct backoff *b);

#endif
