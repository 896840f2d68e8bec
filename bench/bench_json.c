/* bench_json.c: synack-bench's JSON file: the run's options and one object per (mode, workload)
 * result, for the scripts and plots that read a run after it. */
#include <errno.h>
#include <string.h>

#include "bench.h"

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
			const struct bench_result *lx = bench_linux_of(res, w);
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
