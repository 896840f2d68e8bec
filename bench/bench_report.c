/* bench_report.c: what synack-bench shows: the terminal table (every synack figure beside Linux's
 * from the same run), the JSON and CSV files, and the gnuplot plots (rate over time per mode,
 * latency CDFs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static const struct bench_result *linux_of(const struct bench_result res[MODE_COUNT][WL_COUNT], unsigned w)
{
	return res[MODE_LINUX][w].done ? &res[MODE_LINUX][w] : NULL;
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
			const struct bench_result *lx = linux_of(res, w);
			char ratio[16] = "-";
			if (lx && lx->median > 0)
				snprintf(ratio, sizeof(ratio), "%.1f", r->median / lx->median);
			fprintf(f, "%-9s %-7s %12.0f %12.0f %12.0f %8s %9.0f %9.0f %9.1f %9.1f %9.1f %10llu\n",
				bench_wl_names[w], bench_mode_names[m], r->median, r->min, r->max, ratio, r->cycles_client,
				r->cycles_server, r->p50_ns / 1e3, r->p99_ns / 1e3, r->p999_ns / 1e3,
				(unsigned long long)r->tw_peak);
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

int bench_write_json(const char *path, const struct bench_result res[MODE_COUNT][WL_COUNT], const struct bench_opts *o)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "synack-bench: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* A counted run has no fixed duration: "duration_s" is then null and "count" says how many. */
	char dur[32];
	if (o->count)
		snprintf(dur, sizeof(dur), "null");
	else
		snprintf(dur, sizeof(dur), "%.3f", o->duration_s);
	fprintf(f, "{\n  \"duration_s\": %s, \"count\": %" PRIu64 ", \"reps\": %u, \"concurrency\": %u, \"src_ips\": %u, "
		   "\"msl_s\": %u, \"hugepages\": %s,\n  \"results\": [",
		dur, o->count, o->reps, o->concurrency, o->src_ips, o->msl_s, o->huge ? "true" : "false");
	const char *sep = "";
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++) {
			const struct bench_result *r = &res[m][w];
			if (!r->done)
				continue;
			const struct bench_result *lx = linux_of(res, w);
			fprintf(f, "%s\n    {\"mode\": \"%s\", \"workload\": \"%s\", \"conn_per_s\": %.1f, \"min\": %.1f, "
				   "\"max\": %.1f, \"ratio_to_linux\": %.3f, \"started\": %llu, \"completed\": %llu, "
				   "\"failed\": %llu, \"cycles_per_conn_client\": %.1f, \"cycles_per_conn_server\": %.1f, "
				   "\"connect_latency_ns\": {\"p50\": %llu, \"p99\": %llu, \"p999\": %llu}, "
				   "\"timewait_peak\": %llu, \"timewait_ended_early\": %llu, \"timewait_bytes\": %llu, \"bytes_per_conn\": %u, "
				   "\"bytes_per_timewait\": %u, \"timewait_fill_s\": %.0f, \"timewait_fill_rate\": %.1f, "
				   "\"peak_rss_kb\": %llu, \"xcore_rtt_ns\": [%.0f, %.0f], \"reps\": [",
				sep, bench_mode_names[m], bench_wl_names[w], r->median, r->min, r->max,
				lx && lx->median > 0 ? r->median / lx->median : 0.0, (unsigned long long)r->started,
				(unsigned long long)r->completed, (unsigned long long)r->failed, r->cycles_client,
				r->cycles_server, (unsigned long long)r->p50_ns, (unsigned long long)r->p99_ns,
				(unsigned long long)r->p999_ns, (unsigned long long)r->tw_peak,
				(unsigned long long)r->tw_evicted, (unsigned long long)r->tw_bytes, r->bytes_tcb, r->bytes_tw, r->fill_s, r->fill_rate,
				(unsigned long long)r->peak_rss_kb, r->xcore_ns[0], r->xcore_ns[1]);
			for (unsigned k = 0; k < r->nreps; k++)
				fprintf(f, "%s%.1f", k ? ", " : "", r->rate[k]);
			fprintf(f, "], \"series\": [");
			for (unsigned k = 0; k < r->nseries; k++)
				fprintf(f, "%s%.0f", k ? ", " : "", r->series[k]);
			fprintf(f, "]}");
			sep = ",";
		}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f);
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
			const struct bench_result *lx = linux_of(res, w);
			fprintf(f, "%s,%s,%.1f,%.1f,%.1f,%.3f,%llu,%llu,%llu,%.1f,%.1f,%llu,%llu,%llu,%llu,%llu\n",
				bench_mode_names[m], bench_wl_names[w], r->median, r->min, r->max,
				lx && lx->median > 0 ? r->median / lx->median : 0.0, (unsigned long long)r->started,
				(unsigned long long)r->completed, (unsigned long long)r->failed, r->cycles_client,
				r->cycles_server, (unsigned long long)r->p50_ns, (unsigned long long)r->p99_ns,
				(unsigned long long)r->p999_ns, (unsigned long long)r->tw_peak,
				(unsigned long long)r->tw_evicted);
		}
	return fclose(f);
}

/* Data files and one gnuplot script per plot; gnuplot (Debian's gnuplot-nox) draws the PNGs. */
int bench_write_plots(const char *dir, const struct bench_result res[MODE_COUNT][WL_COUNT])
{
	char path[1024];
	mkdir(dir, 0755);
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++) {
			const struct bench_result *r = &res[m][w];
			if (!r->done)
				continue;
			snprintf(path, sizeof(path), "%s/rate-%s-%s.dat", dir, bench_mode_names[m], bench_wl_names[w]);
			FILE *f = fopen(path, "w");
			for (unsigned k = 0; f && k < r->nseries; k++)
				fprintf(f, "%u %.0f\n", k + 1, r->series[k]);
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "%s/cdf-%s-%s.dat", dir, bench_mode_names[m], bench_wl_names[w]);
			f = fopen(path, "w");
			uint64_t seen = 0;
			for (unsigned i = 0; f && i < SYNACK_HIST_BUCKETS; i++) {
				if (!r->lat.b[i])
					continue;
				seen += r->lat.b[i];
				fprintf(f, "%.3f %.6f\n", synack_hist_lower(i) / 1e3, (double)seen / (double)r->lat.count);
			}
			if (f)
				fclose(f);
		}
	snprintf(path, sizeof(path), "%s/plots.gp", dir);
	FILE *g = fopen(path, "w");
	if (!g)
		return -1;
	fprintf(g, "set terminal pngcairo size 900,500 noenhanced\nset grid\nset key outside right\n");
	for (unsigned w = 0; w < WL_COUNT; w++) {
		const char *sep = "plot ";
		fprintf(g, "set output '%s/rate-%s.png'\nset title 'synack-bench %s: connections/s over time'\n"
			   "set xlabel 'second of the run (repetitions back to back)'\nset ylabel 'conn/s'\nset logscale y\n",
			dir, bench_wl_names[w], bench_wl_names[w]);
		for (unsigned m = 0; m < MODE_COUNT; m++)
			if (res[m][w].done && res[m][w].nseries) {
				fprintf(g, "%s'%s/rate-%s-%s.dat' using 1:2 with linespoints title '%s'", sep, dir,
					bench_mode_names[m], bench_wl_names[w], bench_mode_names[m]);
				sep = ", ";
			}
		fprintf(g, "%s\nunset logscale y\n", *sep == ',' ? "" : "1/0 notitle");
		sep = "plot ";
		fprintf(g, "set output '%s/latency-%s.png'\nset title 'synack-bench %s: connect latency CDF (SYN -> SYN-ACK)'\n"
			   "set xlabel 'microseconds'\nset ylabel 'fraction of connections'\nset logscale x\n",
			dir, bench_wl_names[w], bench_wl_names[w]);
		for (unsigned m = 0; m < MODE_COUNT; m++)
			if (res[m][w].done && res[m][w].lat.count) {
				fprintf(g, "%s'%s/cdf-%s-%s.dat' using 1:2 with lines title '%s'", sep, dir, bench_mode_names[m],
					bench_wl_names[w], bench_mode_names[m]);
				sep = ", ";
			}
		fprintf(g, "%s\nunset logscale x\n", *sep == ',' ? "" : "1/0 notitle");
	}
	fclose(g);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>/dev/null", path);
	if (system(cmd) != 0) {
		fprintf(stderr, "synack-bench: gnuplot failed on %s (is gnuplot-nox installed?)\n", path);
		return -1;
	}
	return 0;
}
