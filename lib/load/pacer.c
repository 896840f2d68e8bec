/* pacer.c: the open-loop schedule of pacer.h. Everything that divides is done once, in init: the
 * period 1e9 / rate becomes a 64.64 fixed-point number computed in integers from the double's
 * mantissa, so that t(k) past the ramp is one 64 x 64 -> 128 multiply and one 64 x 64 multiply,
 * with an error below k 2^-64 of a nanosecond at start k, the fraction's rounding. */
#include "load/pacer.h"

#include <math.h>
#include <string.h>

#define NS_PER_S 1000000000ull
/* The bounds keep every intermediate in range: period and ramp fit 64 bits of nanoseconds, the
 * period's numerator 128 bits, the ramp's start count 64 bits. */
#define RATE_MIN 1e-9
#define RATE_MAX 1e10
#define RAMP_MAX_S 1e6

typedef unsigned __int128 u128;

/* floor(x * mul * 2^64) for 0 <= x, exactly (x = m 2^(e - 53) with a 53-bit m); the product must be
 * below 2^128 (mul < 2^30 and x < 2^34 suffice). */
static u128 fix64(double x, uint64_t mul)
{
	if (!(x > 0))
		return 0;
	int e;
	double f = frexp(x, &e);
	u128 v = (u128)(uint64_t)ldexp(f, 53) * mul;
	int s = e - 53 + 64;
	if (s >= 0)
		return v << s;
	return s > -128 ? v >> -s : 0;
}

static inline uint64_t steady_ns(const struct synack_pacer *p, uint64_t k)
{
	if (k >= p->sat_k)
		return UINT64_MAX - 1;
	u128 f = (u128)k * p->period_frac + p->base_frac;
	return p->base_int + k * p->period_int + (uint64_t)(f >> 64);
}

/* During the ramp, N(t) = rate t^2 / (2 ramp) gives t_k = sqrt(k ramp_c). The square root is
 * rounded, so near the end of the ramp it could land past t(ramp_k): the cap keeps t monotonic. */
static uint64_t ramp_ns(const struct synack_pacer *p, uint64_t k)
{
	uint64_t cap = p->ramp_cap_ns - p->start_ns;
	double r = sqrt((double)k * p->ramp_c) + 0.5;
	return p->start_ns + (r >= (double)cap ? cap : (uint64_t)r);
}

static inline uint64_t time_ns(const struct synack_pacer *p, uint64_t k)
{
	return k >= p->ramp_k ? steady_ns(p, k) : ramp_ns(p, k);
}

uint64_t synack_pacer_time_ns(const struct synack_pacer *p, uint64_t k)
{
	return synack_pacer_closed_loop(p) ? p->start_ns : time_ns(p, k);
}

void synack_pacer_init(struct synack_pacer *p, double rate, double ramp_s, uint64_t start_ns, uint64_t count)
{
	memset(p, 0, sizeof(*p));
	p->start_ns = start_ns;
	p->next_ns = start_ns;
	p->count = count;
	if (!(rate > 0))
		return;                 /* closed loop (NaN too) */
	rate = rate < RATE_MIN ? RATE_MIN : rate > RATE_MAX ? RATE_MAX : rate;
	ramp_s = !(ramp_s > 0) ? 0 : ramp_s > RAMP_MAX_S ? RAMP_MAX_S : ramp_s;
	p->rate_ns = rate / (double)NS_PER_S;

	/* period = 1e9 / rate = 1e9 2^(53 - e) / m, with rate = m 2^(e - 53): within the bounds the
	 * shift is 19 .. 82, so the numerator stays below 2^113 and the remainder's 2^64 multiple below
	 * 2^117. */
	int e;
	double f = frexp(rate, &e);
	uint64_t m = (uint64_t)ldexp(f, 53);
	u128 num = (u128)NS_PER_S << (53 - e);
	p->period_int = (uint64_t)(num / m);
	p->period_frac = (uint64_t)((((u128)(uint64_t)(num % m)) << 64) / m);

	/* base = start_ns + ramp / 2 + 1/2 (the half makes the floor in steady_ns round to nearest) */
	u128 off = fix64(ramp_s, NS_PER_S / 2) + ((u128)1 << 63);
	u128 base = (u128)start_ns << 64;
	if (base + off >= base && (uint64_t)((base + off) >> 64) < UINT64_MAX - 1) {
		base += off;
		p->base_int = (uint64_t)(base >> 64);
		p->base_frac = (uint64_t)base;
		/* t(k) <= base_int + k (period_int + 1), as the fraction's carry is at most k */
		p->sat_k = (UINT64_MAX - 1 - p->base_int) / (p->period_int + 1) + 1;
	}                               /* else sat_k = 0: even the first start is past 2^64 ns */

	if (ramp_s > 0) {
		long double ramp_ns_l = (long double)ramp_s * NS_PER_S;
		p->ramp_k = (uint64_t)ceill((long double)rate * ramp_s / 2);
		p->ramp_c = (double)(2 * ramp_ns_l * NS_PER_S / rate);
		p->ramp_inv_c = 1 / p->ramp_c;
		uint64_t rn = (uint64_t)(ramp_ns_l + 0.5L);
		p->ramp_end_ns = start_ns + rn < start_ns ? UINT64_MAX : start_ns + rn;
		p->ramp_cap_ns = steady_ns(p, p->ramp_k);
		if (p->ramp_cap_ns < start_ns)
			p->ramp_cap_ns = start_ns;
	}
	p->next_ns = time_ns(p, 0);
}

uint64_t synack_pacer_due(const struct synack_pacer *p, uint64_t now_ns, uint64_t max)
{
	if (now_ns < p->next_ns)
		return 0;               /* the common call: nothing due yet */
	uint64_t lim = max;
	if (p->count) {
		uint64_t left = p->count > p->taken ? p->count - p->taken : 0;
		lim = left < lim ? left : lim;
	}
	if (synack_pacer_closed_loop(p) || lim <= 1)
		return lim;             /* t(taken) <= now: the one is due */

	/* An estimate from the rate, then corrected against t() itself, so that what is due is exactly
	 * what next_ns will name. Past the ramp the estimate can be one low (t is rounded) and is never
	 * high but for the doubles' own rounding; in the ramp it is exact but for that rounding. */
	double est;
	if (p->taken >= p->ramp_k)
		est = (double)(now_ns - p->next_ns) * p->rate_ns + 1;
	else if (now_ns < p->ramp_end_ns) {
		double x = (double)(now_ns - p->start_ns) + 0.5;
		est = ceil(x * x * p->ramp_inv_c) - (double)p->taken;
	} else {
		est = (double)(p->ramp_k - p->taken);
		if (now_ns >= p->ramp_cap_ns)
			est += (double)(now_ns - p->ramp_cap_ns) * p->rate_ns + 1;
	}
	uint64_t n = est <= 1 ? 1 : est >= (double)lim ? lim : (uint64_t)est;
	while (n > 1 && time_ns(p, p->taken + n - 1) > now_ns)
		n--;
	while (n < lim && time_ns(p, p->taken + n) <= now_ns)
		n++;
	return n;
}

void synack_pacer_take(struct synack_pacer *p)
{
	if (synack_pacer_done(p))
		return;
	p->taken++;
	if (!synack_pacer_closed_loop(p))
		p->next_ns = time_ns(p, p->taken);
}
