/* gen_plots.c: synack-gen's --plots DIR: data files and a gnuplot script (Debian's gnuplot-nox
 * draws the PNGs): rate.png (started, completed and failed per second, linear axis in k/M units),
 * latency-time.png (p50 and p99 of connect and of the whole script, second by second) and
 * latency.png, the HDR-style percentile plot (x: 1/(1 - percentile) on a log axis, so that p99.9
 * and p99.99 get as much room as the median), corrected and uncorrected. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen_report.h"
#include "gen_report_util.h"


static FILE *open_in(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "w");
}

/* The percentile distribution of h: 1/(1-p), p in %, value in ms. 0, or -1 (errno). */
static int write_hdr(const char *dir, const char *name, const struct synack_hist *h)
{
	FILE *f = open_in(dir, name);
	if (!f)
		return -1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++) {
		if (!h->b[i])
			continue;
		seen += h->b[i];
		double p = (double)seen / (double)h->count;
		/* The last point (p = 1) has no place on a 1/(1-p) axis: it is the max, one step past the rest. */
		double x = p < 1 ? 1 / (1 - p) : 10.0 * (double)h->count;
		uint64_t v = i + 1 < SYNACK_HIST_BUCKETS && seen < h->count ? synack_hist_lower(i + 1) - 1 : h->max;
		fprintf(f, "%.9g %.6f %.6f\n", x, p * 100, (double)v / 1e6);
	}
	return fclose(f);
}

static int write_data(const char *dir, const struct synack_run_result *r, bool *have)
{
	FILE *f = open_in(dir, "rate.dat");
	if (!f)
		return -1;
	fprintf(f, "# t started/s completed/s failed/s in_flight\n");
	for (unsigned i = 0; i < r->nsamples; i++) {
		const struct synack_run_sample *s = &r->samples[i];
		/* A sliver of a second (the drain's end) is no rate worth a point. */
		if (s->dt < 0.2)
			continue;
		double dt = s->dt;
		fprintf(f, "%.3f %.1f %.1f %.1f %llu\n", s->t, (double)s->all.started / dt, (double)s->all.completed / dt,
			(double)s->all.failed_total / dt, (unsigned long long)s->all.in_flight);
	}
	if (fclose(f))
		return -1;
	f = open_in(dir, "latency-time.dat");
	if (!f)
		return -1;
	/* gnuplot skips "NaN": a second in which nothing ended has no point. */
	fprintf(f, "# t connect_p50 connect_p99 done_p50 done_p99 done_p99_corrected (ms)\n");
	for (unsigned i = 0; i < r->nsamples; i++) {
		const struct synack_run_sample *s = &r->samples[i];
		const uint64_t v[5] = { s->connect_p50, s->connect_p99, s->done_p50, s->done_p99, s->done_p99_c };
		fprintf(f, "%.3f", s->t);
		for (unsigned k = 0; k < 5; k++)
			if (v[k])
				fprintf(f, " %.6f", (double)v[k] / 1e6);
			else
				fprintf(f, " NaN");
		fputc('\n', f);
	}
	if (fclose(f))
		return -1;
	for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++)
		for (unsigned c = 0; c < 2; c++) {
			const struct synack_hist *h = &r->hist[SYNACK_LOAD_MAX_SCRIPTS][k][c];
			have[k * 2 + c] = h->count > 0;
			if (!h->count)
				continue;
			char name[64];
			snprintf(name, sizeof(name), "hdr-%s%s.dat", gen_lat_keys[k], c ? "-corrected" : "");
			if (write_hdr(dir, name, h))
				return -1;
		}
	return 0;
}

static void write_script(FILE *g, const char *dir, const bool *have)
{
	fprintf(g, "set terminal pngcairo size 1000,560 noenhanced\nset grid\nset key top left\n");
	fprintf(g, "set output '%s/rate.png'\nset title 'synack-gen: connections per second'\n"
		   "set xlabel 'seconds since the start'\nset ylabel 'connections/s'\nset format y '%%.1s%%c'\n"
		   "set yrange [0:*]\n"
		   "plot '%s/rate.dat' using 1:2 with linespoints title 'synack-gen started', "
		   "'' using 1:3 with linespoints title 'completed', '' using 1:4 with linespoints title 'failed'\n",
		dir, dir);
	fprintf(g, "set output '%s/latency-time.png'\nset title 'synack-gen: latency second by second'\n"
		   "set ylabel 'ms'\nset format y '%%g'\n"
		   "plot '%s/latency-time.dat' using 1:2 with linespoints title 'synack-gen connect p50', "
		   "'' using 1:3 with linespoints title 'connect p99', '' using 1:4 with linespoints title 'done p50', "
		   "'' using 1:5 with linespoints title 'done p99'%s\n",
		dir, dir, have[SYNACK_LAT_DONE * 2 + 1] ? ", '' using 1:6 with linespoints title 'done p99 corrected'" : "");
	fprintf(g, "set output '%s/latency.png'\nset title 'synack-gen: latency by percentile (HDR)'\n"
		   "set logscale x\nset xlabel 'percentile'\nset ylabel 'ms'\nset xrange [1:*]\n"
		   "set xtics ('0%%%%' 1, '50%%%%' 2, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000, '99.99%%%%' 10000, "
		   "'99.999%%%%' 100000, '99.9999%%%%' 1000000)\n",
		dir);
	const char *sep = "plot ";
	for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++)
		for (unsigned c = 0; c < 2; c++)
			if (have[k * 2 + c]) {
				fprintf(g, "%s'%s/hdr-%s%s.dat' using 1:3 with lines lw 2 %s title 'synack-gen %s%s'", sep, dir,
					gen_lat_keys[k], c ? "-corrected" : "", c ? "dt 2" : "dt 1", gen_lat_names[k],
					c ? " (corrected)" : "");
				sep = ", ";
			}
	fprintf(g, "%s\n", *sep == ',' ? "" : "1/0 notitle");
}

int gen_report_plots(const char *dir, const struct synack_run_result *r, const struct gen_script_info *info,
		     unsigned n)
{
	(void)info;
	(void)n;
	if (strchr(dir, '\'')) {
		fprintf(stderr, "synack-gen: --plots %s: a directory name with a quote cannot go into a gnuplot script\n",
			dir);
		return -1;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "synack-gen: --plots %s: %s\n", dir, strerror(errno));
		return -1;
	}
	bool have[SYNACK_LAT_COUNT * 2];
	if (write_data(dir, r, have)) {
		fprintf(stderr, "synack-gen: --plots %s: %s\n", dir, strerror(errno));
		return -1;
	}
	FILE *g = open_in(dir, "plots.gp");
	if (!g) {
		fprintf(stderr, "synack-gen: --plots %s: %s\n", dir, strerror(errno));
		return -1;
	}
	write_script(g, dir, have);
	if (fclose(g)) {
		fprintf(stderr, "synack-gen: --plots %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "gnuplot '%s/plots.gp' 2>'%s/gnuplot.log'", dir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "synack-gen: gnuplot failed on %s/plots.gp (is gnuplot-nox installed? see %s/gnuplot.log)\n",
			dir, dir);
		return -1;
	}
	return 0;
}
