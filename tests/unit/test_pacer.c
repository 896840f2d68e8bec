/* test_pacer.c: the open-loop pacer on a simulated clock. A poll loop calls due and takes what is
 * due, as the worker does; the bounds: achieved starts within 1 % of the target, no
 * millisecond with more than its share plus one burst, at most one burst a call after a stall;
 * and the schedule itself: the ramp's N(t), count, and t_k exact by the formula at any k. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "load/pacer.h"

#define NS 1000000000ull
#define MS 1000000ull
#define BURST 32
#define START 123456789ull      /* not zero, so that times are taken from start_ns */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct sim {
	uint64_t taken;
	uint64_t max_ms;                /* the most starts taken in one millisecond */
	uint64_t max_call;              /* the most due in one call */
};

/* Runs a poll loop from START for dur_ns: each pass reads the clock, takes every due start
 * (checking each's intended time is not ahead of the clock and never goes back), then moves the
 * clock on by step_ns, or a random step in [step_ns / 3, 5 step_ns / 3) when jitter is set; at
 * stall_at_ns (from START, 0: never) the loop stalls for stall_ns once. */
static struct sim run(struct synack_pacer *p, uint64_t dur_ns, uint64_t step_ns, bool jitter, uint64_t stall_at_ns,
		      uint64_t stall_ns)
{
	struct sim s = { 0 };
	uint64_t now = START, end = START + dur_ns, ms = 0, in_ms = 0, last = 0;
	bool stalled = false;
	while (now < end) {
		uint64_t n = synack_pacer_due(p, now, BURST);
		cr_assert_leq(n, BURST);
		s.max_call = n > s.max_call ? n : s.max_call;
		if ((now - START) / MS != ms) {
			ms = (now - START) / MS;
			in_ms = 0;
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t t = synack_pacer_next_ns(p);
			cr_assert_leq(t, now, "start %llu intended at %llu, after now %llu",
				      (unsigned long long)synack_pacer_taken(p), (unsigned long long)t, (unsigned long long)now);
			cr_assert_geq(t, last);
			last = t;
			synack_pacer_take(p);
		}
		in_ms += n;
		s.max_ms = in_ms > s.max_ms ? in_ms : s.max_ms;
		/* what was left is not yet due */
		if (n < BURST)
			cr_assert_eq(synack_pacer_due(p, now, BURST), 0);
		uint64_t step = jitter ? step_ns / 3 + xorshift() % (4 * step_ns / 3) : step_ns;
		if (stall_at_ns && !stalled && now - START >= stall_at_ns) {
			step = stall_ns;
			stalled = true;
		}
		now += step;
	}
	s.taken = synack_pacer_taken(p);
	return s;
}

static void check_rate(double rate, double secs, bool jitter)
{
	struct synack_pacer p;
	synack_pacer_init(&p, rate, 0, START, 0);
	struct sim s = run(&p, (uint64_t)(secs * NS), 300, jitter, 0, 0);
	double want = rate * secs;
	cr_assert(fabs((double)s.taken - want) <= 0.01 * want, "rate %g over %g s: %llu starts, want %.0f", rate, secs,
		  (unsigned long long)s.taken, want);
	uint64_t share = (uint64_t)ceil(rate / 1000);
	cr_assert_leq(s.max_ms, share + BURST, "rate %g: %llu starts in one millisecond, share %llu", rate,
		      (unsigned long long)s.max_ms, (unsigned long long)share);
}

Test(pacer, rates_within_one_percent)
{
	check_rate(10, 10, false);
	check_rate(1000, 2, false);
	check_rate(100000, 1, false);
	check_rate(1e6, 1, false);
	check_rate(1e7, 1, false);
	check_rate(2e7, 0.5, false);
}

Test(pacer, rates_within_one_percent_jittered_loop)
{
	check_rate(10, 10, true);
	check_rate(1000, 2, true);
	check_rate(100000, 1, true);
	check_rate(1e6, 1, true);
	check_rate(1e7, 1, true);
}

Test(pacer, stall_delivers_at_most_one_burst_a_call)
{
	struct synack_pacer p;
	synack_pacer_init(&p, 1e7, 0, START, 0);
	/* 5 ms at 10 M/s is a backlog of 50,000 starts: it goes out a burst a call, on schedule after */
	struct sim s = run(&p, 200 * MS, 300, false, 100 * MS, 5 * MS);
	cr_assert_eq(s.max_call, BURST);
	double want = 1e7 * 0.2;
	cr_assert(fabs((double)s.taken - want) <= 0.01 * want, "%llu starts", (unsigned long long)s.taken);

	/* directly: far behind, a call returns max and no more */
	synack_pacer_init(&p, 1e7, 0, START, 0);
	cr_assert_eq(synack_pacer_due(&p, START + 5 * MS, BURST), BURST);
	cr_assert_eq(synack_pacer_due(&p, START + 5 * MS, 1), 1);
	cr_assert_eq(synack_pacer_due(&p, START + 5 * MS, 100000), 50001);
}

Test(pacer, held_back_starts_stay_due)
{
	struct synack_pacer p;
	synack_pacer_init(&p, 1e6, 0, START, 0);
	uint64_t now = START + 10000;                   /* starts 0 .. 10 due */
	cr_assert_eq(synack_pacer_due(&p, now, BURST), 11);
	for (int i = 0; i < 4; i++)
		synack_pacer_take(&p);                  /* four started, the rest held back */
	cr_assert_eq(synack_pacer_due(&p, now, BURST), 7);
	cr_assert_eq(synack_pacer_next_ns(&p), START + 4000);
	cr_assert_eq(synack_pacer_due(&p, now + 3000, BURST), 10);
}

Test(pacer, below_one_a_second)
{
	struct synack_pacer p;
	synack_pacer_init(&p, 0.5, 0, START, 0);
	struct sim s = run(&p, 10 * NS, 1000, false, 0, 0);
	cr_assert_eq(s.taken, 5);                       /* at 0, 2, 4, 6 and 8 s */
	cr_assert_eq(synack_pacer_next_ns(&p), START + 10 * NS);

	synack_pacer_init(&p, 0.1, 0, START, 0);
	cr_assert_eq(synack_pacer_time_ns(&p, 10), START + 100 * NS);   /* 0.1 is not exact as a double */
	cr_assert_eq(synack_pacer_due(&p, START + 100 * NS - 1, BURST), 10);
}

Test(pacer, nothing_before_start)
{
	struct synack_pacer p;
	synack_pacer_init(&p, 1e6, 0, START, 0);
	cr_assert_eq(synack_pacer_due(&p, 0, BURST), 0);
	cr_assert_eq(synack_pacer_due(&p, START - 1, BURST), 0);
	cr_assert_eq(synack_pacer_due(&p, START, BURST), 1);
	cr_assert_eq(synack_pacer_next_ns(&p), START);
}

Test(pacer, ramp)
{
	/* 1 M/s after a 2 s ramp: 1 M starts over the ramp, a quarter of them in its first half
	 * (N(t) = rate t^2 / (2 ramp)), then 1 M a second */
	struct synack_pacer p;
	synack_pacer_init(&p, 1e6, 2, START, 0);
	struct sim s = run(&p, 1 * NS, 300, false, 0, 0);
	cr_assert(fabs((double)s.taken - 250000) <= 2500, "first second of the ramp: %llu", (unsigned long long)s.taken);
	synack_pacer_init(&p, 1e6, 2, START, 0);
	s = run(&p, 2 * NS, 300, false, 0, 0);
	cr_assert(fabs((double)s.taken - 1e6) <= 1e4, "over the ramp: %llu", (unsigned long long)s.taken);
	cr_assert_leq(s.max_ms, 1000 + BURST);
	synack_pacer_init(&p, 1e6, 2, START, 0);
	s = run(&p, 3 * NS, 300, false, 0, 0);
	cr_assert(fabs((double)s.taken - 2e6) <= 2e4, "ramp and a second: %llu", (unsigned long long)s.taken);

	/* past the ramp, t_k = ramp / 2 + k / rate exactly */
	cr_assert_eq(synack_pacer_time_ns(&p, 1000000), START + 2 * NS);
	cr_assert_eq(synack_pacer_time_ns(&p, 1000001), START + 2 * NS + 1000);
	cr_assert_eq(synack_pacer_time_ns(&p, 10000000000ull), START + NS + 10000000000ull * 1000);
}

/* round(sqrt(k c)) for an integer c, by integers: the r with (2r - 1)^2 <= 4 k c < (2r + 1)^2 */
static uint64_t round_sqrt(uint64_t k, uint64_t c)
{
	unsigned __int128 v = (unsigned __int128)4 * k * c;
	uint64_t r = (uint64_t)sqrtl((long double)k * c);
	while (r && (unsigned __int128)(2 * r - 1) * (2 * r - 1) > v)
		r--;
	while ((unsigned __int128)(2 * r + 1) * (2 * r + 1) <= v)
		r++;
	return r;
}

Test(pacer, ramp_times_by_the_formula)
{
	/* 1 M/s, 2 s ramp: t_k = sqrt(2 k ramp / rate) = sqrt(k 4e12) ns, to within the square root's
	 * rounding (a nanosecond); monotonic across the end of the ramp */
	struct synack_pacer p;
	synack_pacer_init(&p, 1e6, 2, START, 0);
	uint64_t last = 0, off = 0;
	for (uint64_t k = 0; k < 1100000; k++) {
		uint64_t t = synack_pacer_next_ns(&p);
		cr_assert_eq(t, synack_pacer_time_ns(&p, k));
		uint64_t want = k < 1000000 ? START + round_sqrt(k, 4000000000000ull) : START + NS + k * 1000;
		uint64_t d = t > want ? t - want : want - t;
		cr_assert_leq(d, 1, "k %llu: %llu, want %llu", (unsigned long long)k, (unsigned long long)t,
			      (unsigned long long)want);
		off += d;
		cr_assert_geq(t, last);
		last = t;
		synack_pacer_take(&p);
	}
	cr_assert_leq(off, 1000, "%llu off by a nanosecond", (unsigned long long)off);
}

Test(pacer, count_reached_stops)
{
	struct synack_pacer p;
	synack_pacer_init(&p, 1e6, 0, START, 1000);
	struct sim s = run(&p, 10 * MS, 300, false, 0, 0);
	cr_assert_eq(s.taken, 1000);
	cr_assert(synack_pacer_done(&p));
	cr_assert_eq(synack_pacer_next_ns(&p), UINT64_MAX);
	cr_assert_eq(synack_pacer_due(&p, START + NS, BURST), 0);
	synack_pacer_take(&p);
	cr_assert_eq(synack_pacer_taken(&p), 1000);

	/* the last due never runs past count, even far behind */
	synack_pacer_init(&p, 1e6, 0, START, 10);
	cr_assert_eq(synack_pacer_due(&p, START + NS, BURST), 10);
	synack_pacer_init(&p, 0, 0, START, 10);
	cr_assert_eq(synack_pacer_due(&p, START, BURST), 10);
}

Test(pacer, closed_loop)
{
	struct synack_pacer p;
	synack_pacer_init(&p, 0, 5, START, 0);
	cr_assert(synack_pacer_closed_loop(&p));
	cr_assert_eq(synack_pacer_due(&p, START - 1, BURST), 0);
	for (int i = 0; i < 1000; i++) {
		cr_assert_eq(synack_pacer_due(&p, START + (uint64_t)i, BURST), BURST);
		synack_pacer_take(&p);
	}
	cr_assert_eq(synack_pacer_next_ns(&p), START);
	cr_assert_eq(synack_pacer_intended_ns(&p, START + 77), START + 77);
	cr_assert(!synack_pacer_done(&p));
}

/* round(k 1e9 / r) for an integer rate r, by integers */
static uint64_t exact_ns(uint64_t k, uint64_t r)
{
	return (uint64_t)(((unsigned __int128)2 * k * NS + r) / (2 * (unsigned __int128)r));
}

Test(pacer, next_ns_by_the_formula)
{
	static const uint64_t rates[] = { 3, 7, 1000, 3000003, 7000000, 10000000, 20000000 };
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct synack_pacer p;
		synack_pacer_init(&p, (double)rates[i], 0, START, 0);
		uint64_t last = 0;
		for (uint64_t k = 0; k < 200000; k++) {
			uint64_t t = synack_pacer_next_ns(&p);
			cr_assert_eq(t, START + exact_ns(k, rates[i]), "rate %llu k %llu", (unsigned long long)rates[i],
				     (unsigned long long)k);
			cr_assert_geq(t, last);
			last = t;
			synack_pacer_take(&p);
		}
	}
}

Test(pacer, start_ten_billion_exact)
{
	/* 10^10 starts at 10 M/s is 1,000 s of load: no drift at the end */
	static const uint64_t rates[] = { 3, 7000000, 10000000, 20000000, 3000003, 19999999 };
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct synack_pacer p;
		synack_pacer_init(&p, (double)rates[i], 0, START, 0);
		for (uint64_t k = 10000000000ull - 5; k < 10000000000ull + 5; k++)
			cr_assert_eq(synack_pacer_time_ns(&p, k), START + exact_ns(k, rates[i]), "rate %llu k %llu",
				     (unsigned long long)rates[i], (unsigned long long)k);
	}
	struct synack_pacer p;
	synack_pacer_init(&p, 1e7, 0, START, 0);
	cr_assert_eq(synack_pacer_time_ns(&p, 10000000000ull), START + 1000 * NS);
	/* and due agrees with it there */
	p.taken = 10000000000ull;
	p.next_ns = synack_pacer_time_ns(&p, p.taken);
	cr_assert_eq(synack_pacer_due(&p, START + 1000 * NS - 1, BURST), 0);
	cr_assert_eq(synack_pacer_due(&p, START + 1000 * NS, BURST), 1);
	cr_assert_eq(synack_pacer_due(&p, START + 1000 * NS + 3199, BURST), 32);
	cr_assert_eq(synack_pacer_due(&p, START + 1000 * NS + 399, BURST), 4);
}

/* due counts exactly the starts whose time has come, by t() itself: random points of the schedule
 * (the ramp, its end, far past it), random clocks from just before the next start to past a burst */
Test(pacer, due_agrees_with_the_schedule)
{
	static const double rates[] = { 0.5, 3, 1000, 3000003, 7e6, 1e7, 19999999, 2e7, 1e9, 3e9 };
	static const double ramps[] = { 0, 0.001, 2.5 };
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		for (size_t j = 0; j < sizeof(ramps) / sizeof(ramps[0]); j++) {
			struct synack_pacer p;
			synack_pacer_init(&p, rates[i], ramps[j], START, 0);
			double period = 1e9 / rates[i];
			for (int n = 0; n < 20000; n++) {
				uint64_t k = n % 4 == 0 ? xorshift() % 10000000000ull : xorshift() % (p.ramp_k + 100);
				p.taken = k;
				p.next_ns = synack_pacer_time_ns(&p, k);
				uint64_t span = (uint64_t)(period * 40) + 3;
				uint64_t now = p.next_ns - 2 + xorshift() % span;
				uint64_t want = 0;
				while (want < BURST && synack_pacer_time_ns(&p, k + want) <= now)
					want++;
				cr_assert_eq(synack_pacer_due(&p, now, BURST), want, "rate %g ramp %g k %llu now %llu", rates[i],
					     ramps[j], (unsigned long long)k, (unsigned long long)(now - START));
			}
		}
	}
}
