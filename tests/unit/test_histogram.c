/* test_histogram.c: the log-linear latency histogram keeps every value within 1 % (the issue's
 * bound) and its quantiles are those of the recorded values. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/histogram.h"

Test(histogram, every_value_within_one_percent)
{
	for (uint64_t v = 0; v < (1ull << 39); v = v < 4096 ? v + 1 : v + v / 1013) {
		unsigned i = synack_hist_index(v);
		uint64_t lo = synack_hist_lower(i), hi = synack_hist_lower(i + 1);
		cr_assert(v >= lo && v < hi, "%llu not in bucket %u [%llu, %llu)", (unsigned long long)v, i,
			  (unsigned long long)lo, (unsigned long long)hi);
		double mid = i < SYNACK_HIST_SUB ? (double)lo : (double)lo + (double)(hi - lo) / 2;
		double err = v ? (mid > (double)v ? mid - (double)v : (double)v - mid) / (double)v : 0;
		cr_assert_leq(err, 0.01, "value %llu reads back as %.0f", (unsigned long long)v, mid);
	}
}

Test(histogram, quantiles)
{
	struct synack_hist *h = calloc(1, sizeof(*h));
	for (uint64_t v = 1; v <= 100000; v++)
		synack_hist_record(h, v * 100); /* 100 ns .. 10 ms, uniform */
	cr_assert_eq(h->count, 100000u);
	double p50 = (double)synack_hist_quantile(h, 0.5), p99 = (double)synack_hist_quantile(h, 0.99);
	cr_assert(p50 > 5e6 * 0.99 && p50 < 5e6 * 1.01, "p50 %.0f", p50);
	cr_assert(p99 > 9.9e6 * 0.99 && p99 < 9.9e6 * 1.01, "p99 %.0f", p99);
	cr_assert_eq(h->max, 10000000u);
	struct synack_hist *g = calloc(1, sizeof(*g));
	synack_hist_merge(g, h);
	synack_hist_merge(g, h);
	cr_assert_eq(g->count, 200000u);
	cr_assert_eq(synack_hist_quantile(g, 0.5), synack_hist_quantile(h, 0.5));
	free(h);
	free(g);
}
