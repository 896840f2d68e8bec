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

/* A quantile never reads above the largest value recorded, though the top bucket's middle is:
 * 1000 values at 1,000,000 ns and one at 1,000,001 ns land in one bucket whose middle is above both. */
Test(histogram, quantile_never_above_max)
{
	static struct synack_hist h;
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 1000; i++)
		synack_hist_record(&h, 1000000);
	synack_hist_record(&h, 1000001);
	unsigned i = synack_hist_index(1000001);
	cr_assert_gt(synack_hist_lower(i) + (synack_hist_lower(i + 1) - synack_hist_lower(i)) / 2, h.max);
	const double q[] = { 0.5, 0.99, 0.9999, 1.0 };
	for (unsigned k = 0; k < 4; k++)
		cr_assert_leq(synack_hist_quantile(&h, q[k]), h.max, "q %g: %llu > max %llu", q[k],
			      (unsigned long long)synack_hist_quantile(&h, q[k]), (unsigned long long)h.max);
}
