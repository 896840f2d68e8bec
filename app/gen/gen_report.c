/* gen_report.c: synack-gen's terminal output (the progress block and the final summary), the CSV
 * timeline and the run's metadata. The JSON is gen_json.c's, the plots gen_plots.c's. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gen_report.h"
#include "gen_report_util.h"
#include "synack_version.h"

void gen_fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (!ns)
		snprintf(buf, len, "-");
	else if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 10000000000ull)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
}

/* "refused 3, reset 1" for the kinds that are not zero (or "" when none). */
static void kinds_line(char *buf, size_t len, const struct synack_run_counts *c)
{
	size_t off = 0;
	buf[0] = 0;
	for (unsigned k = SYNACK_OUT_CONNECT_TIMEOUT; k < SYNACK_OUT_COUNT && off < len; k++)
		if (c->failed[k])
			off += (size_t)snprintf(buf + off, len - off, "%s%s %llu", off ? ", " : "", synack_outcome_name(k),
						(unsigned long long)c->failed[k]);
}

void gen_report_progress(FILE *f, const struct synack_run_sample *s, unsigned idx)
{
	if (idx % 20 == 0)
		fprintf(f, "%6s %10s %10s %8s %9s %8s %8s %9s %9s %9s %9s %9s  %s\n", "time", "started/s", "complete/s",
			"failed/s", "in-flight", "held/s", "rtx/s", "conn p50", "conn p99", "done p50", "done p99",
			"p99 co", "failures");
	double dt = s->dt > 0 ? s->dt : 1;
	char l[6][24], kinds[256];
	gen_fmt_ns(l[0], sizeof(l[0]), s->connect_p50);
	gen_fmt_ns(l[1], sizeof(l[1]), s->connect_p99);
	gen_fmt_ns(l[2], sizeof(l[2]), s->done_p50);
	gen_fmt_ns(l[3], sizeof(l[3]), s->done_p99);
	/* The corrected p99 of the whole script (open loop only: from the intended start). */
	gen_fmt_ns(l[4], sizeof(l[4]), s->done_p99_c ? s->done_p99_c : s->connect_p99_c);
	kinds_line(kinds, sizeof(kinds), &s->all);
	/* The second a sample ends at (the poll that takes it can be a few ms late). */
	fprintf(f, "%5.0fs %10.0f %10.0f %8.0f %9llu %8.0f %8.0f %9s %9s %9s %9s %9s  %s\n", round(s->t),
		(double)s->all.started / dt, (double)s->all.completed / dt, (double)s->all.failed_total / dt,
		(unsigned long long)s->all.in_flight, (double)s->all.held / dt, (double)s->retransmits / dt, l[0], l[1],
		l[2], l[3], l[4], kinds);
	fflush(f);
}

static void counts_rows(FILE *f, const struct synack_run_counts *c, uint64_t retransmits)
{
	char kinds[256];
	kinds_line(kinds, sizeof(kinds), c);
	fprintf(f, "  %-12s %14llu\n", "started", (unsigned long long)c->started);
	fprintf(f, "  %-12s %14llu\n", "completed", (unsigned long long)c->completed);
	fprintf(f, "  %-12s %14llu%s%s%s\n", "failed", (unsigned long long)c->failed_total, *kinds ? "   (" : "", kinds,
		*kinds ? ")" : "");
	fprintf(f, "  %-12s %14llu\n", "in flight", (unsigned long long)c->in_flight);
	fprintf(f, "  %-12s %14llu   (starts that waited for the concurrency cap)\n", "held", (unsigned long long)c->held);
	fprintf(f, "  %-12s %14llu   (starts that found no free source port)\n", "no tuple",
		(unsigned long long)c->no_tuple);
	if (c->late)
		fprintf(f, "  %-12s %14llu   (due by the stop and never started: the generator was behind)\n", "late",
			(unsigned long long)c->late);
	fprintf(f, "  %-12s %14llu\n", "requests", (unsigned long long)c->requests);
	fprintf(f, "  %-12s %14llu\n", "retransmits", (unsigned long long)retransmits);
}

const char *const gen_lat_keys[SYNACK_LAT_COUNT] = { "connect", "first_byte", "done" };

const char *const gen_drop_names[GEN_NDROPS] = { "tx_dropped", "no_mbuf", "no_sendbuf", "pool_full",
						  "synrcv_evicted", "handoff", "imissed", "rx_nombuf", "oerrors" };

/* The drops this host made, when it made any: a load's losses that are not the target's. */
static void drops_line(FILE *f, const struct synack_run_drops *d)
{
	const uint64_t *v = (const uint64_t *)d;
	bool any = false;
	for (unsigned i = 0; i < GEN_NDROPS; i++)
		if (v[i]) {
			fprintf(f, "%s %s %llu", any ? "," : "dropped here (not by the target):", gen_drop_names[i],
				(unsigned long long)v[i]);
			any = true;
		}
	if (any)
		fputc('\n', f);
}

const char *const gen_lat_names[SYNACK_LAT_COUNT] = { "connect", "first byte", "done" };

void gen_report_latency_table(FILE *f, struct synack_hist (*h)[2], bool open_loop)
{
	static const double q[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
	if (!h[SYNACK_LAT_CONNECT][0].count) {
		fprintf(f, "latency: none measured (no connection was established)\n");
		return;
	}
	fprintf(f, "%-16s %10s %10s %10s %10s %10s %10s %10s %12s\n", "latency", "mean", "p50", "p90", "p99", "p99.9",
		"p99.99", "max", "count");
	for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++)
		for (unsigned c = 0; c < (open_loop ? 2u : 1u); c++) {
			const struct synack_hist *x = &h[k][c];
			if (!x->count)
				continue;
			char name[32], v[8][24];
			snprintf(name, sizeof(name), "%s%s", gen_lat_names[k], c ? " (co)" : "");
			gen_fmt_ns(v[0], sizeof(v[0]), x->sum / x->count);
			for (unsigned i = 0; i < 5; i++)
				gen_fmt_ns(v[1 + i], sizeof(v[1 + i]), synack_hist_quantile(x, q[i]));
			gen_fmt_ns(v[6], sizeof(v[6]), x->max);
			fprintf(f, "%-16s %10s %10s %10s %10s %10s %10s %10s %12llu\n", name, v[0], v[1], v[2], v[3], v[4],
				v[5], v[6], (unsigned long long)x->count);
		}
	if (open_loop)
		fprintf(f, "(co): from each connection's intended start, so time spent waiting for the generator counts "
			   "too (coordinated omission corrected)\n");
}

void gen_report_summary(FILE *f, const struct synack_run_result *r, const struct gen_script_info *info, unsigned n,
			bool open_loop)
{
	const struct synack_run_counts *a = &r->all;
	double load_s = r->load_s > 0 ? r->load_s : 1;
	fprintf(f, "\nsynack-gen: %llu connections started in %.2f s (%.0f/s), %s in %.2f s more\n",
		(unsigned long long)a->started, r->load_s, (double)r->at_stop.started / load_s,
		r->drained ? "every one ended" : "NOT every one ended", r->drain_s);
	double all_s = r->load_s + r->drain_s > 0 ? r->load_s + r->drain_s : 1;
	fprintf(f, "  rate: %.0f started/s while starting, %.0f completed/s over the run with its drain\n",
		(double)r->at_stop.started / load_s, (double)a->completed / all_s);
	counts_rows(f, a, r->retransmits);
	bool holds = a->started == a->completed + a->failed_total + a->in_flight;
	fprintf(f, "started = completed + failed + in flight: %llu = %llu + %llu + %llu (%s)\n",
		(unsigned long long)a->started, (unsigned long long)a->completed, (unsigned long long)a->failed_total,
		(unsigned long long)a->in_flight, holds ? "holds" : "DOES NOT HOLD");
	if (open_loop)
		fprintf(f, "the schedule: %llu starts due by the stop = %llu started + %llu late\n",
			(unsigned long long)(r->at_stop.started + r->at_stop.late), (unsigned long long)r->at_stop.started,
			(unsigned long long)r->at_stop.late);
	drops_line(f, &r->drops);
	if (n > 1) {
		fprintf(f, "\n%-16s %12s %12s %12s %12s %12s\n", "script", "started", "completed", "failed", "in flight",
			"requests");
		for (unsigned i = 0; i < n; i++) {
			const struct synack_run_counts *s = &r->script[i];
			fprintf(f, "%-16s %12llu %12llu %12llu %12llu %12llu\n", info[i].name, (unsigned long long)s->started,
				(unsigned long long)s->completed, (unsigned long long)s->failed_total,
				(unsigned long long)s->in_flight, (unsigned long long)s->requests);
		}
	}
	if (r->hist) {
		fprintf(f, "\n");
		gen_report_latency_table(f, r->hist[SYNACK_LOAD_MAX_SCRIPTS], open_loop);
		if (n > 1)
			for (unsigned i = 0; i < n; i++) {
				fprintf(f, "\nscript %s\n", info[i].name);
				gen_report_latency_table(f, r->hist[i], open_loop);
			}
	}
	fflush(f);
}

int gen_report_csv(const char *path, const struct synack_run_result *r)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "t,dt,started,completed,failed");
	for (unsigned k = SYNACK_OUT_CONNECT_TIMEOUT; k < SYNACK_OUT_COUNT; k++)
		fprintf(f, ",failed_%s", synack_outcome_name(k));
	fprintf(f, ",in_flight,held,no_tuple,requests,retransmits,conns_in_use,tw_in_use,connect_p50_ns,connect_p99_ns,"
		   "done_p50_ns,done_p99_ns,connect_p50_corrected_ns,connect_p99_corrected_ns,done_p50_corrected_ns,"
		   "done_p99_corrected_ns\n");
	for (unsigned i = 0; i < r->nsamples; i++) {
		const struct synack_run_sample *s = &r->samples[i];
		fprintf(f, "%.3f,%.3f,%llu,%llu,%llu", s->t, s->dt, (unsigned long long)s->all.started,
			(unsigned long long)s->all.completed, (unsigned long long)s->all.failed_total);
		for (unsigned k = SYNACK_OUT_CONNECT_TIMEOUT; k < SYNACK_OUT_COUNT; k++)
			fprintf(f, ",%llu", (unsigned long long)s->all.failed[k]);
		fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu", (unsigned long long)s->all.in_flight,
			(unsigned long long)s->all.held, (unsigned long long)s->all.no_tuple,
			(unsigned long long)s->all.requests, (unsigned long long)s->retransmits,
			(unsigned long long)s->conns_in_use, (unsigned long long)s->tw_in_use);
		/* An empty field: nothing ended in that second, so there is no latency to give. */
		const uint64_t lat[8] = { s->connect_p50, s->connect_p99, s->done_p50, s->done_p99,
					  s->connect_p50_c, s->connect_p99_c, s->done_p50_c, s->done_p99_c };
		for (unsigned j = 0; j < 8; j++)
			if (lat[j])
				fprintf(f, ",%llu", (unsigned long long)lat[j]);
			else
				fputc(',', f);
		fputc('\n', f);
	}
	if (fclose(f))
		return -1;
	return 0;
}

void gen_meta_fill(struct gen_meta *m, int argc, char **argv, bool open_loop)
{
	memset(m, 0, sizeof(*m));
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(m->time, sizeof(m->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(m->commit, sizeof(m->commit), "%s", SYNACK_GIT_COMMIT);
	if (gethostname(m->host, sizeof(m->host) - 1))
		snprintf(m->host, sizeof(m->host), "unknown");
	snprintf(m->cpu, sizeof(m->cpu), "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[512];
		bool named = false;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "processor", 9))
				m->cpus++;
			char *colon = strchr(line, ':');
			if (!named && colon && !strncmp(line, "model name", 10)) {
				colon++;
				while (*colon == ' ')
					colon++;
				colon[strcspn(colon, "\n")] = 0;
				snprintf(m->cpu, sizeof(m->cpu), "%s", colon);
				named = true;
			}
		}
		fclose(f);
	}
	m->argc = argc;
	m->argv = argv;
	m->open_loop = open_loop;
}
