/* gen_json.c: synack-gen's JSON report. One object: the run's metadata (time, commit, host, CPU,
 * the command line), the totals (started, completed, failed and its kinds, in flight ...), the
 * same per script, a sample per second, and every latency histogram with its percentiles, an
 * HdrHistogram-style percentile distribution to plot and its non-zero buckets (so that `merge`
 * adds histograms exactly). What was not measured is null, never 0: a second in which no
 * connection ended has no latency, a closed loop has no corrected latency. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen_report.h"
#include "gen_report_util.h"

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A latency in ns, or null for 0 (nothing measured). */
static void jns(FILE *f, uint64_t v)
{
	if (v)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fputs("null", f);
}

static void jcounts(FILE *f, const struct synack_run_counts *c)
{
	fprintf(f, "{\"started\": %llu, \"completed\": %llu, \"failed\": %llu, \"failed_by_kind\": {",
		(unsigned long long)c->started, (unsigned long long)c->completed, (unsigned long long)c->failed_total);
	for (unsigned k = SYNACK_OUT_CONNECT_TIMEOUT; k < SYNACK_OUT_COUNT; k++)
		fprintf(f, "%s\"%s\": %llu", k == SYNACK_OUT_CONNECT_TIMEOUT ? "" : ", ", synack_outcome_name(k),
			(unsigned long long)c->failed[k]);
	fprintf(f, "}, \"in_flight\": %llu, \"held\": %llu, \"no_tuple\": %llu, \"late\": %llu, \"requests\": %llu}",
		(unsigned long long)c->in_flight, (unsigned long long)c->held, (unsigned long long)c->no_tuple,
		(unsigned long long)c->late, (unsigned long long)c->requests);
}

/* The values at or below bucket i's upper end: the "total count" column of a distribution. */
static uint64_t count_to(const struct synack_hist *h, uint64_t v)
{
	unsigned top = synack_hist_index(v);
	uint64_t n = 0;
	for (unsigned i = 0; i <= top; i++)
		n += h->b[i];
	return n;
}

void gen_json_hist(FILE *f, const struct synack_hist *h, const char *in)
{
	if (!h->count) {
		fputs("null", f);
		return;
	}
	static const struct { const char *name; double q; } pq[] = {
		{ "p50_ns", 0.5 }, { "p90_ns", 0.9 }, { "p99_ns", 0.99 }, { "p99.9_ns", 0.999 }, { "p99.99_ns", 0.9999 },
	};
	fprintf(f, "{\n%s  \"count\": %llu, \"mean_ns\": %llu, \"max_ns\": %llu", in, (unsigned long long)h->count,
		(unsigned long long)(h->sum / h->count), (unsigned long long)h->max);
	for (unsigned i = 0; i < sizeof(pq) / sizeof(pq[0]); i++)
		fprintf(f, ", \"%s\": %llu", pq[i].name, (unsigned long long)synack_hist_quantile(h, pq[i].q));
	fprintf(f, ", \"sum_ns\": %llu,\n", (unsigned long long)h->sum);
	/* HdrHistogram's percentile output: 5 steps for every halving of what is left to 100 %, up to
	 * the last value; each row: value, percentile, values at or below it, 1/(1 - percentile). */
	fprintf(f, "%s  \"distribution_columns\": [\"value_ns\", \"percentile\", \"total_count\", \"1/(1-percentile)\"],\n",
		in);
	fprintf(f, "%s  \"distribution\": [", in);
	double last_q = 1.0 - 1.0 / (double)h->count;
	for (unsigned i = 0;; i++) {
		double q = 1.0 - pow(0.5, (double)i / 5.0);
		bool end = q >= last_q || i > 200;
		if (end)
			q = 1.0;
		uint64_t v = end ? h->max : synack_hist_quantile(h, q);
		if (end)
			fprintf(f, "%s[%llu, 1.0, %llu, null]", i ? ", " : "", (unsigned long long)v,
				(unsigned long long)h->count);
		else
			fprintf(f, "%s[%llu, %.9g, %llu, %.6g]", i ? ", " : "", (unsigned long long)v, q,
				(unsigned long long)count_to(h, v), 1.0 / (1.0 - q));
		if (end)
			break;
	}
	fprintf(f, "],\n%s  \"sub_bits\": %u, \"buckets\": [", in, SYNACK_HIST_SUB_BITS);
	bool first = true;
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++)
		if (h->b[i]) {
			fprintf(f, "%s[%llu, %llu]", first ? "" : ", ", (unsigned long long)synack_hist_lower(i),
				(unsigned long long)h->b[i]);
			first = false;
		}
	fprintf(f, "]\n%s}", in);
}

static void jlatency(FILE *f, struct synack_hist (*h)[2], const char *in)
{
	fputs("{\n", f);
	for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++) {
		char in2[32];
		snprintf(in2, sizeof(in2), "%s    ", in);
		fprintf(f, "%s  \"%s\": {\n%s    \"uncorrected\": ", in, gen_lat_keys[k], in);
		gen_json_hist(f, &h[k][0], in2);
		fprintf(f, ",\n%s    \"corrected\": ", in);
		gen_json_hist(f, &h[k][1], in2);
		fprintf(f, "\n%s  }%s\n", in, k + 1 < SYNACK_LAT_COUNT ? "," : "");
	}
	fprintf(f, "%s}", in);
}

static void jsample(FILE *f, const struct synack_run_sample *s, unsigned nscripts)
{
	fprintf(f, "    {\"t\": %.3f, \"dt\": %.3f, \"counts\": ", s->t, s->dt);
	jcounts(f, &s->all);
	fprintf(f, ", \"retransmits\": %llu, \"conns_in_use\": %llu, \"tw_in_use\": %llu",
		(unsigned long long)s->retransmits, (unsigned long long)s->conns_in_use, (unsigned long long)s->tw_in_use);
	static const char *const names[8] = { "connect_p50_ns", "connect_p99_ns", "done_p50_ns", "done_p99_ns",
					       "connect_p50_corrected_ns", "connect_p99_corrected_ns",
					       "done_p50_corrected_ns", "done_p99_corrected_ns" };
	const uint64_t v[8] = { s->connect_p50, s->connect_p99, s->done_p50, s->done_p99,
				s->connect_p50_c, s->connect_p99_c, s->done_p50_c, s->done_p99_c };
	for (unsigned i = 0; i < 8; i++) {
		fprintf(f, ", \"%s\": ", names[i]);
		jns(f, v[i]);
	}
	if (nscripts > 1) {
		fputs(",\n      \"scripts\": [", f);
		for (unsigned i = 0; i < nscripts; i++) {
			fputs(i ? ", " : "", f);
			jcounts(f, &s->script[i]);
		}
		fputs("]", f);
	}
	fputs("}", f);
}

int gen_report_json(const char *path, const struct gen_meta *m, const struct synack_run_result *r,
		    const struct gen_script_info *info, unsigned n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"tool\": \"synack-gen\",\n  \"format\": 1,\n  \"meta\": {\"time\": ");
	jstr(f, m->time);
	fputs(", \"commit\": ", f);
	jstr(f, m->commit);
	fputs(", \"host\": ", f);
	jstr(f, m->host);
	fputs(", \"cpu\": ", f);
	jstr(f, m->cpu);
	fprintf(f, ", \"cpus\": %u, \"command\": [", m->cpus);
	for (int i = 0; i < m->argc; i++) {
		fputs(i ? ", " : "", f);
		jstr(f, m->argv[i]);
	}
	fputs("]", f);
	if (m->nsources) {
		fputs(", \"merged\": [", f);
		for (unsigned i = 0; i < m->nsources; i++) {
			fputs(i ? ", " : "", f);
			jstr(f, m->sources[i]);
		}
		fputs("]", f);
	}
	fprintf(f, "},\n  \"run\": {\"started_at\": %.6f, \"load_s\": %.6f, \"drain_s\": %.6f, \"drained\": %s, "
		   "\"arp_failed\": %llu, \"open_loop\": %s, \"retransmits\": %llu, \"drops\": {",
		r->started_at, r->load_s, r->drain_s, r->drained ? "true" : "false", (unsigned long long)r->arp_failed,
		m->open_loop ? "true" : "false", (unsigned long long)r->retransmits);
	const uint64_t *dv = (const uint64_t *)&r->drops;
	for (unsigned i = 0; i < GEN_NDROPS; i++)
		fprintf(f, "%s\"%s\": %llu", i ? ", " : "", gen_drop_names[i], (unsigned long long)dv[i]);
	fputs("}},\n", f);
	fputs("  \"totals\": ", f);
	jcounts(f, &r->all);
	fputs(",\n  \"at_stop\": ", f);
	jcounts(f, &r->at_stop);
	fputs(",\n  \"scripts\": [\n", f);
	for (unsigned i = 0; i < n; i++) {
		fputs("    {\"name\": ", f);
		jstr(f, info[i].name);
		fputs(", \"text\": ", f);
		jstr(f, info[i].text);
		fputs(",\n     \"totals\": ", f);
		jcounts(f, &r->script[i]);
		fputs(",\n     \"latency\": ", f);
		jlatency(f, r->hist[i], "     ");
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
	fputs("  ],\n  \"timeline\": [\n", f);
	for (unsigned i = 0; i < r->nsamples; i++) {
		jsample(f, &r->samples[i], n);
		fputs(i + 1 < r->nsamples ? ",\n" : "\n", f);
	}
	fputs("  ],\n  \"latency\": ", f);
	jlatency(f, r->hist[SYNACK_LOAD_MAX_SCRIPTS], "  ");
	fputs("\n}\n", f);
	if (ferror(f)) {
		int e = errno ? errno : EIO;
		fclose(f);
		errno = e;
		return -1;
	}
	return fclose(f) ? -1 : 0;
}
