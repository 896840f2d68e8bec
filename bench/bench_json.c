/* bench_json.c: synack-bench's JSON file: the run's metadata and options, and one object per
 * (mode, workload) result, for the scripts and plots that read a run after it. */
#include <errno.h>
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
	fprintf(f, "{\n");
	write_meta(f, o);
	fprintf(f, "  \"duration_s\": %s, \"count\": %" PRIu64 ", \"reps\": %u, \"concurrency\": %u, \"src_ips\": %u, "
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
			fprintf(f, "],\n     \"series\": ");
			write_series(f, r);
			fprintf(f, "}");
			sep = ",";
		}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f);
}
