/* bench_report.c: what synack-bench shows: the terminal table (every synack figure beside Linux's
 * from the same run) and the CSV file; the JSON is bench_json.c's, the plots bench_plot.c's. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char *const bench_mode_names[MODE_COUNT] = { "ring", "memif", "tap-srv", "tap-cli", "linux" };
const char *const bench_wl_names[WL_COUNT] = { "handshake", "close", "request" };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void bench_summarise(struct bench_result *r)
{
	if (!r->nreps)
		return;
	double v[BENCH_MAX_REPS];
	memcpy(v, r->rate, r->nreps * sizeof(double));
	qsort(v, r->nreps, sizeof(double), cmp_double);
	r->min = v[0];
	r->max = v[r->nreps - 1];
	r->median = r->nreps % 2 ? v[r->nreps / 2] : (v[r->nreps / 2 - 1] + v[r->nreps / 2]) / 2;
	{
		r->p50_ns = synack_hist_quantile(&r->lat, 0.50);
		r->p99_ns = synack_hist_quantile(&r->lat, 0.99);
		r->p999_ns = synack_hist_quantile(&r->lat, 0.999);
	}
}

/* The highest value bucket i holds (HdrHistogram's "highest equivalent value"), within the
 * histogram's maximum, which is exact. */
static uint64_t bucket_top(const struct synack_hist *h, unsigned i)
{
	uint64_t top = i + 1 < SYNACK_HIST_BUCKETS ? synack_hist_lower(i + 1) - 1 : synack_hist_lower(i);
	return top < h->max ? top : h->max;
}

/* HdrHistogram's default ticks: the tail gets as many rows as the body. */
#define PCT_TICKS_PER_HALF 5

void bench_percentiles(const struct synack_hist *h, void (*row)(void *arg, uint64_t value, double level, uint64_t total),
		       void *arg)
{
	uint64_t seen = 0;
	unsigned i = 0;
	if (!h->count)
		return;
	/* Levels are computed, not summed, so that they land on 0.5, 0.9 and so on. */
	for (unsigned half = 0; seen < h->count && half < 64; half++)
		for (unsigned t = 0; t < PCT_TICKS_PER_HALF && seen < h->count; t++) {
			double rest = ldexp(1.0, -(int)half), level = 1.0 - rest + rest / 2 * t / PCT_TICKS_PER_HALF;
			uint64_t rank = (uint64_t)ceil(level * (double)h->count);
			rank = rank ? rank : 1;
			while (seen < rank && i < SYNACK_HIST_BUCKETS)
				seen += h->b[i++];
			row(arg, bucket_top(h, i - 1), level, seen);
		}
	row(arg, h->max, 1.0, h->count);
}

void bench_series_add(struct bench_result *r, unsigned rep, double rate)
{
	/* The series is for the plots: past its end (a long --count run) the seconds go unplotted. */
	if (r->nseries >= BENCH_MAX_SECONDS)
		return;
	r->series[r->nseries] = rate;
	r->series_rep[r->nseries++] = (uint8_t)(rep + 1);
}

const struct bench_result *bench_linux_of(const struct bench_result res[MODE_COUNT][WL_COUNT], unsigned w)
{
	return res[MODE_LINUX][w].done ? &res[MODE_LINUX][w] : NULL;
}

/* A figure of the table, or "-" where it was not measured. */
static const char *fig(char *buf, size_t cap, bool has, int decimals, double v)
{
	if (has)
		snprintf(buf, cap, "%.*f", decimals, v);
	else
		snprintf(buf, cap, "-");
	return buf;
}

void bench_print_table(FILE *f, const struct bench_result res[MODE_COUNT][WL_COUNT], const struct bench_opts *o)
{
	char each[48];
	if (o->count)
		snprintf(each, sizeof(each), "%" PRIu64 " connections", o->count);
	else
		snprintf(each, sizeof(each), "%.0f s", o->duration_s);
	fprintf(f, "\nsynack-bench: %u x %s per figure, %u connections in flight per client core, %u source addresses "
		   "(Linux %u), MSL %u s, %s\n",
		o->reps, each, o->concurrency, o->src_ips, o->src_ips < 253 ? o->src_ips : 253, o->msl_s,
		o->huge ? "hugepages" : "no hugepages");
	fprintf(f, "%-9s %-7s %12s %12s %12s %8s %9s %9s %9s %9s %9s %10s\n", "workload", "mode", "conn/s", "min", "max",
		"x Linux", "cyc/cli", "cyc/srv", "p50 us", "p99 us", "p99.9 us", "TIME-WAIT");
	for (unsigned w = 0; w < WL_COUNT; w++)
		for (unsigned m = 0; m < MODE_COUNT; m++) {
			const struct bench_result *r = &res[m][w];
			if (!r->done)
				continue;
			const struct bench_result *lx = bench_linux_of(res, w);
			char ratio[16] = "-";
			if (lx && lx->median > 0)
				snprintf(ratio, sizeof(ratio), "%.1f", r->median / lx->median);
			char cc[24], cs[24], p50[24], p99[24], p999[24], tw[24];
			bool lat = r->lat.count > 0;
			fprintf(f, "%-9s %-7s %12.0f %12.0f %12.0f %8s %9s %9s %9s %9s %9s %10s\n", bench_wl_names[w],
				bench_mode_names[m], r->median, r->min, r->max, ratio,
				fig(cc, sizeof(cc), r->has & BENCH_HAS_CYCLES_CLIENT, 0, r->cycles_client),
				fig(cs, sizeof(cs), r->has & BENCH_HAS_CYCLES_SERVER, 0, r->cycles_server),
				fig(p50, sizeof(p50), lat, 1, r->p50_ns / 1e3), fig(p99, sizeof(p99), lat, 1, r->p99_ns / 1e3),
				fig(p999, sizeof(p999), lat, 1, r->p999_ns / 1e3),
				fig(tw, sizeof(tw), r->has & BENCH_HAS_TIMEWAIT, 0, (double)r->tw_peak));
		}
	/* The machine's state, which moves every cross-core figure (bench_xcore.c): measured around
	 * each workload where the workloads run one by one (ring, memif), else around the mode. */
	fprintf(f, "cross-core round trip, ns before/after:");
	for (unsigned m = 0; m < MODE_COUNT; m++) {
		const struct bench_result *first = NULL;
		bool per_wl = false;
		for (unsigned w = 0; w < WL_COUNT; w++) {
			const struct bench_result *r = &res[m][w];
			if (!r->done)
				continue;
			if (!first)
				first = r;
			else if (r->xcore_ns[0] != first->xcore_ns[0] || r->xcore_ns[1] != first->xcore_ns[1])
				per_wl = true;
		}
		if (!first)
			continue;
		if (!per_wl) {
			fprintf(f, " %s %.0f/%.0f", bench_mode_names[m], first->xcore_ns[0], first->xcore_ns[1]);
			continue;
		}
		fprintf(f, " %s", bench_mode_names[m]);
		for (unsigned w = 0; w < WL_COUNT; w++)
			if (res[m][w].done)
				fprintf(f, " %s %.0f/%.0f", bench_wl_names[w], res[m][w].xcore_ns[0], res[m][w].xcore_ns[1]);
		fprintf(f, ";");
	}
	fprintf(f, "\n");
	/* Each workload runs in a process of its own (bench_main.c): its peak memory is its own. */
	bool said = false;
	for (unsigned w = 0; w < WL_COUNT; w++) {
		const struct bench_result *r = &res[MODE_RING][w];
		if (!r->done)
			continue;
		if (!said)
			fprintf(f, "synack: %u bytes per connection (TCB %u); ring peak memory:", r->bytes_tcb, 128u);
		fprintf(f, "%s %s %llu MiB", said ? "," : "", bench_wl_names[w], (unsigned long long)r->peak_rss_kb / 1024);
		said = true;
	}
	if (said)
		fprintf(f, "\n");
	/* TIME-WAIT at its steady state: after 2 x MSL, as many entries expire each second as come, so
	 * the closing side's table (the client's in close, the server's in request) holds about
	 * rate x 2 x MSL of them. */
	for (unsigned w = 0; w < WL_COUNT; w++)
		for (unsigned m = 0; m < MODE_COUNT; m++) {
			const struct bench_result *r = &res[m][w];
			if (!r->done || r->fill_s <= 0)
				continue;
			/* Against the rate of the fill and of the repetitions: the host can move the vCPUs,
			 * and the rate with them, between the two. */
			fprintf(f, "%s %s: TIME-WAIT after a %.0f s fill (2 x MSL): peak %llu entries; rate x 2 x MSL is %.0f at "
				   "the fill's %.0f conn/s, %.0f at the repetitions' median; %.2f GB at %u bytes each\n",
				bench_wl_names[w], bench_mode_names[m], r->fill_s, (unsigned long long)r->tw_peak,
				r->fill_rate * 2.0 * o->msl_s, r->fill_rate, r->median * 2.0 * o->msl_s,
				(double)r->tw_bytes / 1e9, r->bytes_tw);
		}
	/* A table too small for rate x 2 x MSL: the engine ends the oldest TIME-WAITs early rather than
	 * stall (worker.c, tw_enter), and the figures are then not those of a full 2 x MSL. */
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++) {
			const struct bench_result *r = &res[m][w];
			if (r->done && r->tw_evicted)
				fprintf(f, "warning: %s %s: the TIME-WAIT table (%llu entries) filled: %llu TIME-WAITs ended before "
					   "2 x MSL to make room\n",
					bench_wl_names[w], bench_mode_names[m], (unsigned long long)r->tw_cap,
					(unsigned long long)r->tw_evicted);
		}
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++) {
			const struct bench_result *r = &res[m][w];
			if (r->done && r->started != r->completed + r->failed)
				fprintf(f, "warning: %s %s: started %llu != completed %llu + failed %llu\n",
					bench_mode_names[m], bench_wl_names[w], (unsigned long long)r->started,
					(unsigned long long)r->completed, (unsigned long long)r->failed);
		}
}

/* A CSV field after others; empty where the figure was not measured (as the JSON's null). */
static void csv_f(FILE *f, bool has, int decimals, double v)
{
	if (has)
		fprintf(f, ",%.*f", decimals, v);
	else
		fprintf(f, ",");
}

int bench_write_csv(const char *path, const struct bench_result res[MODE_COUNT][WL_COUNT])
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "synack-bench: --csv %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "mode,workload,conn_per_s,min,max,ratio_to_linux,started,completed,failed,cycles_client,"
		   "cycles_server,p50_ns,p99_ns,p999_ns,timewait_peak,timewait_ended_early\n");
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++) {
			const struct bench_result *r = &res[m][w];
			if (!r->done)
				continue;
			const struct bench_result *lx = bench_linux_of(res, w);
			bool lat = r->lat.count > 0, tw = r->has & BENCH_HAS_TIMEWAIT;
			fprintf(f, "%s,%s,%.1f,%.1f,%.1f", bench_mode_names[m], bench_wl_names[w], r->median, r->min, r->max);
			csv_f(f, lx && lx->median > 0, 3, lx && lx->median > 0 ? r->median / lx->median : 0);
			fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, r->started, r->completed, r->failed);
			csv_f(f, r->has & BENCH_HAS_CYCLES_CLIENT, 1, r->cycles_client);
			csv_f(f, r->has & BENCH_HAS_CYCLES_SERVER, 1, r->cycles_server);
			csv_f(f, lat, 0, (double)r->p50_ns);
			csv_f(f, lat, 0, (double)r->p99_ns);
			csv_f(f, lat, 0, (double)r->p999_ns);
			csv_f(f, tw, 0, (double)r->tw_peak);
			csv_f(f, tw, 0, (double)r->tw_evicted);
			fprintf(f, "\n");
		}
	return fclose(f);
}
