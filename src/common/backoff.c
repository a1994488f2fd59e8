#include "config.h"


#include "backoff.h"

void
backoff_rng_seed(struct backoff_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

/* splitmix64, scaled to [0, 1). */
double
backoff_rng_next(struct backoff_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;	/* 2^53 */
}

void
backoff_init(struct backoff *b, double min, double max, struct backoff_rng *rng)
{
	b->min = min;
	b->max = max < min ? min : max;
	b->failures = 0;
	b->rng = rng;
}

double
backoff_ceiling(const struct backoff *b)
{
	double c = b->min;

	/* min * FACTOR^failures, stopping at max (no libm: it would cost the
	 * daemon about 300 KiB of resident pages for one pow()) */
	for (unsigned i = 0; i < b->failures && c > 0 && c < b->max; i++)
		c *= BACKOFF_FACTOR;
	return c > b->max ? b->max : c;
}

double
backoff_next(struct backoff *b, double first_min)
{
	double lo = b->min, hi = backoff_ceiling(b);

	if (first_min > lo)
		lo = first_min > b->max ? b->max : first_min;
	if (hi < lo)
		hi = lo;
	if (b->failures < 64)
		b->failures++;
	return lo + (hi - lo) * backoff_rng_next(b->rng);
}

void
backoff_reset(struct backoff *b)
{
	b->failures = 0;
}
