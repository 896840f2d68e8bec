/* bench_json.c: synack-bench's JSON file: the run's metadata and options, and one object per
 * (mode, workload) result, for the scripts and plots that read a run after it. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "synack_version.h"

/* A JSON string: quotes, backslashes and control characters escaped (a host name or an option
 * may hold any of them). */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A string, or null when there is none to give. */
static void json_str_or_null(FILE *f, const char *s)
{
	if (s && *s)
		json_str(f, s);
	else
		fputs("null", f);
}

/* t in ISO 8601, UTC: one clock for runs made on machines in different zones. */
static void json_time(FILE *f, time_t t)
{
	struct tm tm;
	char buf[32];
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = 0;
	json_str_or_null(f, buf);
}

/* The CPU's model, from /proc/cpuinfo's first "model name" line (the figures move with it);
 * empty where the kernel gives none. */
static void cpu_model(char *out, size_t cap)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	out[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) || !colon)
			continue;
		char *v = colon + 1 + strspn(colon + 1, " \t");
		v[strcspn(v, "\n")] = 0;
		snprintf(out, cap, "%s", v);
		break;
	}
	if (f)
		fclose(f);
}

/* What a reader needs to know which run a file is and to rerun it: when, of which commit, on
 * which machine, with which options (as typed: the defaults they imply are the fields after). */
static void write_meta(FILE *f, const struct bench_opts *o)
{
	char host[256] = "", cpu[256];
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = 0;
	host[sizeof(host) - 1] = 0;
	cpu_model(cpu, sizeof(cpu));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	fprintf(f, "  \"meta\": {\"time\": ");
	json_time(f, o->started);
	fprintf(f, ", \"ended\": ");
	json_time(f, time(NULL));
	fprintf(f, ", \"commit\": ");
	json_str(f, SYNACK_GIT_COMMIT);
	fprintf(f, ", \"host\": ");
	json_str_or_null(f, host);
	fprintf(f, ",\n    \"cpu_model\": ");
	json_str_or_null(f, cpu);
	if (ncpu > 0)
		fprintf(f, ", \"cpus\": %ld", ncpu);
	else
		fprintf(f, ", \"cpus\": null");
	fprintf(f, ",\n    \"options\": [");
	for (int i = 1; i < o->argc; i++) {
		fprintf(f, "%s", i > 1 ? ", " : "");
		json_str(f, o->argv[i]);
	}
	fprintf(f, "]},\n");
}

/* Connections/s second by second, each point naming its repetition (from 1, as in "reps") and
 * its second within it: the repetitions run back to back, and a reader tells them apart. */
static void write_series(FILE *f, const struct bench_result *r)
{
	fprintf(f, "[");
	for (unsigned k = 0, sec = 0; k < r->nseries; k++) {
		sec = k && r->series_rep[k] == r->series_rep[k - 1] ? sec + 1 : 1;
		fprintf(f, "%s{\"rep\": %u, \"second\": %u, \"conn_per_s\": %.0f}", k ? ", " : "", r->series_rep[k], sec,
			r->series[k]);
	}
	fprintf(f, "]");
}

/* A figure, or null where it was not measured: a 0 would read as a measurement (no cycles, no
 * TIME-WAIT). JSON has no infinity or NaN: a rate over a run too short for the clock is null too. */
static void json_fv(FILE *f, bool has, int decimals, double v)
{
	if (has && isfinite(v))
		fprintf(f, "%.*f", decimals, v);
	else
		fprintf(f, "null");
}

/* The same as a member after others: ", key: value". */
static void json_f(FILE *f, const char *key, bool has, int decimals, double v)
{
	fprintf(f, ", \"%s\": ", key);
	json_fv(f, has, decimals, v);
}

static void json_uv(FILE *f, bool has, uint64_t v)
{
	if (has)
		fprintf(f, "%" PRIu64, v);
	else
		fprintf(f, "null");
}

static void json_u(FILE *f, const char *key, bool has, uint64_t v)
{
	fprintf(f, ", \"%s\": ", key);
	json_uv(f, has, v);
}

/* Rows of HdrHistogram's percentile distribution (bench_percentiles), with 1/(1-percentile),
 * the x of its plots; the last row, 100 %, has none. */
struct pct_out {
	FILE *f;
	const char *sep;
};

static void pct_row(void *arg, uint64_t value, double level, uint64_t total)
{
	struct pct_out *o = arg;
	fprintf(o->f, "%s[%" PRIu64 ", %.12g, %" PRIu64 ", ", o->sep, value, level, total);
	if (level < 1)
		fprintf(o->f, "%.12g]", 1.0 / (1.0 - level));
	else
		fprintf(o->f, "null]");
	o->sep = ", ";
}

static void write_percentiles(FILE *f, const struct synack_hist *h)
{
	struct pct_out o = { .f = f, .sep = "" };
	fprintf(f, "{\"columns\": [\"value_ns\", \"percentile\", \"total_count\", \"1/(1-percentile)\"], \"rows\": [");
	bench_percentiles(h, pct_row, &o);
	fprintf(f, "]}");
}

/* The non-empty buckets as [lower bound, count]: a bucket's lower bound maps back to it
 * (synack_hist_index), so histograms of several runs, or of synack-bench and linux-bench, merge
 * exactly, bucket by bucket; with count, sum and max that is the whole struct synack_hist. */
static void write_buckets(FILE *f, const struct synack_hist *h)
{
	fprintf(f, "[");
	const char *sep = "";
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++)
		if (h->b[i]) {
			fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", sep, synack_hist_lower(i), h->b[i]);
			sep = ", ";
		}
	fprintf(f, "]");
}

/* Connect latency: the summary (p50 ... max: synack_hist_quantile's, the middle of the bucket, as
 * in the table), HdrHistogram's percentile distribution and the buckets; null figures when nothing
 * was sampled. */
static void write_latency(FILE *f, const struct bench_result *r)
{
	static const struct {
		const char *key;
		double q;
	} pct[] = { { "p50", 0.50 }, { "p90", 0.90 }, { "p99", 0.99 }, { "p999", 0.999 }, { "p9999", 0.9999 } };
	const struct synack_hist *h = &r->lat;
	bool has = h->count > 0;
	fprintf(f, "{\"count\": %" PRIu64 ", \"sum\": %" PRIu64, h->count, h->sum);
	json_f(f, "mean", has, 0, has ? (double)h->sum / (double)h->count : 0);
	for (unsigned k = 0; k < sizeof(pct) / sizeof(pct[0]); k++)
		json_u(f, pct[k].key, has, synack_hist_quantile(h, pct[k].q));
	json_u(f, "max", has, h->max);
	fprintf(f, ",\n      \"percentiles\": ");
	write_percentiles(f, h);
	fprintf(f, ",\n      \"sub_buckets\": %u, \"buckets\": ", SYNACK_HIST_SUB);
	write_buckets(f, h);
	fprintf(f, "}");
}

/* One result: the rates and counts every mode has, then the figures only some measure (r->has). */
static void write_result(FILE *f, const struct bench_result *r, const struct bench_result *lx)
{
	unsigned has = r->has;
	fprintf(f, "{\"mode\": \"%s\", \"workload\": \"%s\", \"conn_per_s\": ", bench_mode_names[r->mode],
		bench_wl_names[r->wl]);
	json_fv(f, true, 1, r->median);
	fprintf(f, ", \"min\": ");
	json_fv(f, true, 1, r->min);
	fprintf(f, ", \"max\": ");
	json_fv(f, true, 1, r->max);
	json_f(f, "ratio_to_linux", lx && lx->median > 0, 3, lx && lx->median > 0 ? r->median / lx->median : 0);
	fprintf(f, ", \"started\": %" PRIu64 ", \"completed\": %" PRIu64 ", \"failed\": %" PRIu64, r->started,
		r->completed, r->failed);
	json_f(f, "cycles_per_conn_client", has & BENCH_HAS_CYCLES_CLIENT, 1, r->cycles_client);
	json_f(f, "cycles_per_conn_server", has & BENCH_HAS_CYCLES_SERVER, 1, r->cycles_server);
	fprintf(f, ",\n     \"connect_latency_ns\": ");
	write_latency(f, r);
	fprintf(f, ",\n     \"timewait_peak\": ");
	json_uv(f, has & BENCH_HAS_TIMEWAIT, r->tw_peak);
	json_u(f, "timewait_ended_early", has & BENCH_HAS_TIMEWAIT, r->tw_evicted);
	json_u(f, "timewait_bytes", (has & BENCH_HAS_TIMEWAIT) && (has & BENCH_HAS_SIZES), r->tw_bytes);
	json_u(f, "bytes_per_conn", has & BENCH_HAS_SIZES, r->bytes_tcb);
	json_u(f, "bytes_per_timewait", has & BENCH_HAS_SIZES, r->bytes_tw);
	json_f(f, "timewait_fill_s", has & BENCH_HAS_FILL, 0, r->fill_s);
	json_f(f, "timewait_fill_rate", has & BENCH_HAS_FILL, 1, r->fill_rate);
	json_u(f, "peak_rss_kb", has & BENCH_HAS_RSS, r->peak_rss_kb);
	fprintf(f, ", \"xcore_rtt_ns\": [");
	json_fv(f, true, 0, r->xcore_ns[0]);
	fprintf(f, ", ");
	json_fv(f, true, 0, r->xcore_ns[1]);
	fprintf(f, "], \"reps\": [");
	for (unsigned k = 0; k < r->nreps; k++) {
		fprintf(f, "%s", k ? ", " : "");
		json_fv(f, true, 1, r->rate[k]);
	}
	fprintf(f, "],\n     \"series\": ");
	write_series(f, r);
	fprintf(f, "}");
}

int bench_write_json(const char *path, const struct bench_result res[MODE_COUNT][WL_COUNT], const struct bench_opts *o)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "synack-bench: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n");
	write_meta(f, o);
	/* A counted run has no fixed duration: "duration_s" is then null and "count" says how many. */
	fprintf(f, "  \"duration_s\": ");
	json_fv(f, !o->count, 3, o->duration_s);
	fprintf(f, ", \"count\": %" PRIu64 ", \"reps\": %u, \"concurrency\": %u, \"src_ips\": %u, \"msl_s\": %u, "
		   "\"hugepages\": %s,\n  \"results\": [",
		o->count, o->reps, o->concurrency, o->src_ips, o->msl_s, o->huge ? "true" : "false");
	const char *sep = "";
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++) {
			if (!res[m][w].done)
				continue;
			fprintf(f, "%s\n    ", sep);
			write_result(f, &res[m][w], bench_linux_of(res, w));
			sep = ",";
		}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f);
}
