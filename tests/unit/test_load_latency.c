/* test_load_latency.c: what coordinated-omission correction is for, on plain memory. An open-loop
 * load (the pacer) meets a server that stalls for a second behind a concurrency cap: latency taken
 * from each connection's actual start hides the stall (the starts simply waited), latency taken from
 * the intended start shows it, as wrk2 reports. Also the histogram's percentiles against a sorted
 * reference of the same values. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/histogram.h"
#include "load/pacer.h"

#define MS 1000000ull
#define S 1000000000ull

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

Test(load_latency, corrected_shows_a_stall_uncorrected_hides)
{
	struct synack_hist *unc = calloc(1, sizeof(*unc)), *cor = calloc(1, sizeof(*cor));
	struct synack_pacer p;
	const uint64_t t0 = 1000 * S, rate = 1000, cap = 10;
	synack_pacer_init(&p, (double)rate, 0, t0, 10 * rate);
	/* In flight: when each started (actually and as intended) and when it ends. */
	uint64_t start[16], intended[16], end[16];
	unsigned n = 0;
	uint64_t held = 0;
	for (uint64_t now = t0; now < t0 + 12 * S; now += 10000) {
		for (unsigned i = 0; i < n;) {
			if (end[i] <= now) {
				synack_hist_record(unc, end[i] - start[i]);
				synack_hist_record(cor, end[i] - intended[i]);
				n--;
				start[i] = start[n], intended[i] = intended[n], end[i] = end[n];
			} else {
				i++;
			}
		}
		uint64_t due = synack_pacer_due(&p, now, 32);
		for (uint64_t k = 0; k < due; k++) {
			if (n == cap) {
				held++;
				break;
			}
			/* The server answers in 1 ms, except that from 5 s to 6 s it answers nothing. */
			uint64_t at = now >= t0 + 5 * S && now < t0 + 6 * S ? t0 + 6 * S : now;
			start[n] = now;
			intended[n] = synack_pacer_next_ns(&p);
			end[n] = at + MS;
			n++;
			synack_pacer_take(&p);
		}
	}
	cr_assert_eq(unc->count, 10 * rate, "every start ended (%llu)", (unsigned long long)unc->count);
	cr_assert_eq(cor->count, unc->count);
	cr_assert_gt(held, 0, "the cap held starts back during the stall");
	/* From the actual start only the ten caught in the stall waited: the 99th percentile is the
	 * server's millisecond. */
	uint64_t u99 = synack_hist_quantile(unc, 0.99), c99 = synack_hist_quantile(cor, 0.99);
	uint64_t u50 = synack_hist_quantile(unc, 0.5), c50 = synack_hist_quantile(cor, 0.5);
	cr_assert_lt(u99, 2 * MS, "uncorrected p99 %llu ns", (unsigned long long)u99);
	/* From the intended start, the second's thousand starts waited up to a second: a tenth of
	 * all, so p99 is most of the stall. */
	cr_assert_gt(c99, 800 * MS, "corrected p99 %llu ns", (unsigned long long)c99);
	cr_assert(u50 >= MS && u50 < MS + MS / 50 && c50 >= MS && c50 < MS + MS / 10,
		  "both medians the server's 1 ms (%llu, %llu)", (unsigned long long)u50, (unsigned long long)c50);
	cr_assert_geq(cor->max, 990 * MS);
	free(unc);
	free(cor);
}

Test(load_latency, percentiles_against_a_sorted_reference)
{
	enum { N = 200000 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct synack_hist *h = calloc(1, sizeof(*h));
	srand(7);
	for (unsigned i = 0; i < N; i++) {
		/* Heavy-tailed: most near 50 µs, a tail out to seconds. */
		double u = (rand() + 1.0) / ((double)RAND_MAX + 2.0);
		v[i] = (uint64_t)(50000.0 / (u * u * u));
		if (v[i] > 10 * S)
			v[i] = 10 * S;
		synack_hist_record(h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
	for (unsigned k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		uint64_t ref = v[(size_t)(qs[k] * (N - 1))];
		uint64_t got = synack_hist_quantile(h, qs[k]);
		double err = (double)(got > ref ? got - ref : ref - got) / (double)ref;
		cr_assert_leq(err, 1.0 / 128, "q %.4f: %llu against %llu", qs[k], (unsigned long long)got,
			      (unsigned long long)ref);
	}
	cr_assert_eq(h->max, v[N - 1]);
	free(v);
	free(h);
}
