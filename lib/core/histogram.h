/* histogram.h: a log-linear latency histogram (the HdrHistogram idea): exact below 128 units,
 * then 128 sub-buckets per power of two, so any recorded value is known to within 1/128 (0.8 %)
 * of itself. Fixed size, no allocation, single writer; values in nanoseconds up to 2^40 (18 min). */
#ifndef SYNACK_CORE_HISTOGRAM_H
#define SYNACK_CORE_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

#define SYNACK_HIST_SUB_BITS 7u                          /* 128 sub-buckets an octave */
#define SYNACK_HIST_SUB (1u << SYNACK_HIST_SUB_BITS)
#define SYNACK_HIST_MAX_BITS 40u
#define SYNACK_HIST_BUCKETS ((SYNACK_HIST_MAX_BITS - SYNACK_HIST_SUB_BITS + 1) * SYNACK_HIST_SUB)

struct synack_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t max;
	uint64_t b[SYNACK_HIST_BUCKETS];
};

static inline unsigned synack_hist_index(uint64_t v)
{
	if (v >= (1ull << SYNACK_HIST_MAX_BITS))
		v = (1ull << SYNACK_HIST_MAX_BITS) - 1;
	if (v < SYNACK_HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);             /* >= SUB_BITS */
	unsigned shift = msb - SYNACK_HIST_SUB_BITS;
	/* octave (shift + 1), and the SUB_BITS bits below the leading one */
	return (shift + 1) * SYNACK_HIST_SUB + (unsigned)((v >> shift) & (SYNACK_HIST_SUB - 1));
}

/* The smallest value a bucket holds. */
static inline uint64_t synack_hist_lower(unsigned i)
{
	if (i < SYNACK_HIST_SUB)
		return i;
	unsigned shift = i / SYNACK_HIST_SUB - 1;
	return ((uint64_t)SYNACK_HIST_SUB + (i % SYNACK_HIST_SUB)) << shift;
}

static inline void synack_hist_record(struct synack_hist *h, uint64_t v)
{
	h->b[synack_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static inline void synack_hist_merge(struct synack_hist *into, const struct synack_hist *h)
{
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++)
		into->b[i] += h->b[i];
	into->count += h->count;
	into->sum += h->sum;
	if (h->max > into->max)
		into->max = h->max;
}

/* The value at quantile q (0..1): exact below 128, else the middle of the bucket holding it
 * (within half a bucket: 1/256 of the value), never above the largest value recorded (the top
 * bucket's middle can be: a p99.99 above the max reads as a bug). */
static inline uint64_t synack_hist_quantile(const struct synack_hist *h, double q)
{
	if (!h->count)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)(h->count - 1)) + 1, seen = 0;
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t lo = synack_hist_lower(i), hi = synack_hist_lower(i + 1);
			uint64_t v = i < SYNACK_HIST_SUB ? lo : lo + (hi - lo) / 2;
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

#endif
