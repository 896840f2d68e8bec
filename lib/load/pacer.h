/* pacer.h: open-loop pacing of connection starts, one pacer per worker core. The schedule is
 * fixed in advance, whatever the server does (wrk2's open loop): the k-th start (k = 0, 1, ...)
 * is due when the cumulative starts
 *
 *     N(t) = rate t^2 / (2 ramp)              for t < ramp (a linear ramp of the rate from 0)
 *     N(t) = rate ramp / 2 + rate (t - ramp)  after it
 *
 * reach k, t counted from start_ns. Past the ramp that is t_k = ramp / 2 + k / rate, kept as a
 * 64.64 fixed-point base and period so that t_k is exact by the formula, rounded to the nearest
 * nanosecond, at any k: nothing accumulates from one start to the next. During the ramp
 * t_k = sqrt(2 k ramp / rate), from a square root in doubles (to within a nanosecond).
 *
 * The clock is the caller's (nanoseconds; the worker converts its TSC once per poll loop), so the
 * pacer is plain memory, tested on a simulated clock. Written by its core only.
 *
 * The intended time of each start (synack_pacer_next_ns) is what latency is measured from, so that
 * a server that stalls the generator is charged for the starts it held back (coordinated omission,
 * as wrk2 corrects it). */
#ifndef SYNACK_LOAD_PACER_H
#define SYNACK_LOAD_PACER_H

#include <stdbool.h>
#include <stdint.h>

struct synack_pacer {
	uint64_t next_ns;               /* t(taken): the intended time of the next start */
	uint64_t taken;
	uint64_t count;                 /* starts in all; 0: unbounded */
	double rate_ns;                 /* starts per nanosecond; 0: closed loop */
	/* Past the ramp, t(k) = floor(base + k period) in 64.64 fixed point; base holds start_ns,
	 * ramp / 2 and the half that rounds to nearest. */
	uint64_t base_int, base_frac;
	uint64_t period_int, period_frac;
	uint64_t sat_k;                 /* from this k on, t(k) does not fit: it reads UINT64_MAX - 1 */
	/* The ramp: k < ramp_k, t(k) = start_ns + round(sqrt(k ramp_c)), never past t(ramp_k). */
	uint64_t start_ns;
	uint64_t ramp_k;                /* the first k past the ramp; 0: no ramp */
	uint64_t ramp_end_ns;           /* start_ns + ramp */
	uint64_t ramp_cap_ns;           /* t(ramp_k) */
	double ramp_c;                  /* 2 ramp / rate, in ns^2 */
	double ramp_inv_c;              /* 1 / ramp_c */
};

/* rate: starts per second for this pacer, 1e-9 to 1e10 (clamped to those; 0, negative or NaN:
 * closed loop, and synack_pacer_due returns max from start_ns on, never past count); ramp_s: a
 * linear ramp from 0 to rate over ramp_s seconds (0: none; at most 1e6); start_ns: when the first
 * start is due; count: starts in all (0: unbounded). */
void synack_pacer_init(struct synack_pacer *p, double rate, double ramp_s, uint64_t start_ns, uint64_t count);

/* How many starts are due at now_ns and not yet taken, at most max (the caller passes one RX
 * burst), and never past count. The caller takes them one by one with synack_pacer_take; one it
 * holds back (concurrency cap reached) stays due and is returned again by the next call. */
uint64_t synack_pacer_due(const struct synack_pacer *p, uint64_t now_ns, uint64_t max);

/* Takes the next start (the caller started it, or gave it up). */
void synack_pacer_take(struct synack_pacer *p);

/* The intended time t(k) of start k, by the formula (k past count included). */
uint64_t synack_pacer_time_ns(const struct synack_pacer *p, uint64_t k);

static inline bool synack_pacer_closed_loop(const struct synack_pacer *p)
{
	return p->rate_ns == 0;
}

static inline uint64_t synack_pacer_taken(const struct synack_pacer *p)
{
	return p->taken;
}

/* count reached */
static inline bool synack_pacer_done(const struct synack_pacer *p)
{
	return p->count && p->taken >= p->count;
}

/* The intended time of the next start not yet taken; UINT64_MAX when count is reached. A closed
 * loop has no schedule: every start is due from start_ns, which this returns. */
static inline uint64_t synack_pacer_next_ns(const struct synack_pacer *p)
{
	return synack_pacer_done(p) ? UINT64_MAX : p->next_ns;
}

/* What the latency of the next start is measured from, at now_ns: its intended time in an open
 * loop, now_ns in a closed one (where a start waits for nothing but the concurrency cap). */
static inline uint64_t synack_pacer_intended_ns(const struct synack_pacer *p, uint64_t now_ns)
{
	return synack_pacer_closed_loop(p) ? now_ns : synack_pacer_next_ns(p);
}

#endif
