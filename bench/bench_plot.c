/* bench_plot.c: synack-bench's plots: data files and a gnuplot script in a directory, drawn into
 * PNGs. Per workload, rate-WL.png: connections/s second by second, every mode, the repetitions
 * back to back and marked; latency-WL.png: connect latency by percentile, HdrHistogram's plot. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

/* What the legends call each mode: which side is synack's, which Linux's. */
static const char *const mode_label[MODE_COUNT] = {
	[MODE_RING] = "synack ring",
	[MODE_MEMIF] = "synack memif",
	[MODE_TAP_SRV] = "synack server (tap-srv, Linux client)",
	[MODE_TAP_CLI] = "synack client (tap-cli, Linux server)",
	[MODE_LINUX] = "Linux",
};

/* One colour per mode in every plot, so that a mode is found at a glance across them. */
static const char *const mode_colour[MODE_COUNT] = {
	[MODE_RING] = "#0072b2", [MODE_MEMIF] = "#009e73", [MODE_TAP_SRV] = "#e69f00",
	[MODE_TAP_CLI] = "#cc79a7", [MODE_LINUX] = "#d55e00",
};

/* The script's start: the terminal, and reppt(r), the point shape of repetition r (from 1). */
static void script_head(FILE *g)
{
	fprintf(g, "set terminal pngcairo size 1000,560 noenhanced\nset encoding utf8\nset grid\n"
		   "set key outside right top\n"
		   "reppt(r) = int(word('7 5 9 11 13 15 4 6 8 10 12 14 1 2 3 64', int(r - 1) %% 16 + 1))\n");
}

static FILE *dat_open(const char *dir, const char *kind, const struct bench_result *r)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s-%s-%s.dat", dir, kind, bench_mode_names[r->mode], bench_wl_names[r->wl]);
	return fopen(path, "w");
}

/* x (the second of the run), conn/s, repetition; a blank line between repetitions, so that the
 * line breaks where one ends. */
static void write_rate_dat(const char *dir, const struct bench_result *r)
{
	FILE *f = dat_open(dir, "rate", r);
	for (unsigned k = 0; f && k < r->nseries; k++) {
		if (k && r->series_rep[k] != r->series_rep[k - 1])
			fprintf(f, "\n");
		fprintf(f, "%u %.0f %u\n", k + 1, r->series[k], r->series_rep[k]);
	}
	if (f)
		fclose(f);
}

static void lat_row(void *arg, uint64_t value, double level, uint64_t total)
{
	/* 100 % has no place on an axis of 1/(1-percentile). */
	if (level < 1)
		fprintf(arg, "%.6g %" PRIu64 " %.12g %" PRIu64 "\n", 1.0 / (1.0 - level), value, level, total);
}

/* 1/(1-percentile), latency ns, percentile, count up to it: HdrHistogram's rows. */
static void write_latency_dat(const char *dir, const struct bench_result *r)
{
	FILE *f = dat_open(dir, "latency", r);
	if (!f)
		return;
	bench_percentiles(&r->lat, lat_row, f);
	fclose(f);
}

/* Where each repetition after the first begins: a dashed line in the mode's colour, and "rep N"
 * once at the top (the modes' repetitions often begin at the same second). */
static void mark_reps(FILE *g, const struct bench_result *r, bool labelled[BENCH_MAX_SECONDS + 1])
{
	for (unsigned k = 1; k < r->nseries; k++) {
		if (r->series_rep[k] == r->series_rep[k - 1])
			continue;
		fprintf(g, "set arrow from %u.5, graph 0 to %u.5, graph 1 nohead dashtype 2 lc rgb '%s'\n", k, k,
			mode_colour[r->mode]);
		if (!labelled[k])
			fprintf(g, "set label 'rep %u' at %u.5, graph 0.97 left offset 0.3, 0 tc rgb 'gray40'\n",
				r->series_rep[k], k);
		labelled[k] = true;
	}
}

/* Rates on a linear axis (k, M), so that a dip reads as its size; each mode's line in its colour,
 * each repetition's points in a shape of its own. */
static void plot_rates(FILE *g, const char *dir, const struct bench_result res[MODE_COUNT][WL_COUNT], unsigned w)
{
	static bool labelled[BENCH_MAX_SECONDS + 1];
	memset(labelled, 0, sizeof(labelled));
	unsigned nreps = 0, nsec = 1;
	for (unsigned m = 0; m < MODE_COUNT; m++) {
		const struct bench_result *r = &res[m][w];
		if (!r->done || !r->nseries)
			continue;
		mark_reps(g, r, labelled);
		nreps = r->series_rep[r->nseries - 1] > nreps ? r->series_rep[r->nseries - 1] : nreps;
		nsec = r->nseries > nsec ? r->nseries : nsec;
	}
	/* Whole seconds on x, about ten tics; room above the data for the repetitions' labels. */
	fprintf(g, "set output '%s/rate-%s.png'\nset title 'synack-bench %s: connections/s, second by second'\n"
		   "set xlabel 'second of the run (repetitions back to back: dashed lines, point shapes)'\n"
		   "set ylabel 'connections/s'\nset format y '%%.1s%%c'\nset yrange [0:*]\nset offsets 0, 0, graph 0.1, 0\n"
		   "set xrange [0.5:%u.5]\nset xtics 1, %u\n",
		dir, bench_wl_names[w], bench_wl_names[w], nsec, (nsec + 9) / 10);
	const char *sep = "plot ";
	for (unsigned m = 0; m < MODE_COUNT; m++) {
		const struct bench_result *r = &res[m][w];
		if (!r->done || !r->nseries)
			continue;
		fprintf(g, "%s'%s/rate-%s-%s.dat' using 1:2:(reppt($3)) with linespoints pt variable ps 1.2 lw 2 "
			   "lc rgb '%s' title '%s %s'",
			sep, dir, bench_mode_names[m], bench_wl_names[w], mode_colour[m], mode_label[m], bench_wl_names[w]);
		sep = ", \\\n  ";
	}
	/* The shapes' legend: black points on no data. */
	for (unsigned k = 1; *sep == ',' && nreps > 1 && k <= nreps; k++)
		fprintf(g, ", \\\n  NaN with points pt reppt(%u) lc rgb 'black' title 'repetition %u'", k, k);
	fprintf(g, "%s\nunset arrow\nunset label\nset format y '%%g'\nset yrange [*:*]\nset offsets 0, 0, 0, 0\n"
		   "set xrange [*:*]\nset xtics autofreq\n",
		*sep == ',' ? "" : "NaN notitle");
}

/* HdrHistogram's percentile plot: x is 1/(1-percentile) on a log axis, so 90 %, 99 %, 99.9 % ...
 * are equally far apart and the tail gets the room the body gets; y (log: the modes' latencies
 * are orders of magnitude apart) in s, ms, us. */
static void plot_latency(FILE *g, const char *dir, const struct bench_result res[MODE_COUNT][WL_COUNT], unsigned w)
{
	fprintf(g, "set output '%s/latency-%s.png'\n"
		   "set title 'synack-bench %s: connect latency (SYN sent -> SYN-ACK received) by percentile'\n"
		   "set xlabel 'percentile'\nset ylabel 'connect latency'\nset logscale x\nset logscale y\n"
		   /* a tic's label is a format: its % doubled */
		   "set xtics ('50%%%%' 2, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000, '99.99%%%%' 10000, "
		   "'99.999%%%%' 100000, '99.9999%%%%' 1000000)\nset xrange [1:*]\nset autoscale xfixmax\n"
		   "set format y '%%.0s%%cs'\n",
		dir, bench_wl_names[w], bench_wl_names[w]);
	const char *sep = "plot ";
	for (unsigned m = 0; m < MODE_COUNT; m++) {
		const struct bench_result *r = &res[m][w];
		if (!r->done || !r->lat.count)
			continue;
		fprintf(g, "%s'%s/latency-%s-%s.dat' using 1:($2/1e9) with lines lw 2 lc rgb '%s' title '%s %s'", sep, dir,
			bench_mode_names[m], bench_wl_names[w], mode_colour[m], mode_label[m], bench_wl_names[w]);
		sep = ", \\\n  ";
	}
	fprintf(g, "%s\nunset logscale x\nunset logscale y\nset xtics autofreq\nset xrange [*:*]\nset autoscale x\n"
		   "set format y '%%g'\n",
		*sep == ',' ? "" : "NaN notitle");
}

/* Data files and one gnuplot script; gnuplot (Debian's gnuplot-nox) draws the PNGs. */
int bench_write_plots(const char *dir, const struct bench_result res[MODE_COUNT][WL_COUNT])
{
	char path[1024];
	mkdir(dir, 0755);
	for (unsigned m = 0; m < MODE_COUNT; m++)
		for (unsigned w = 0; w < WL_COUNT; w++)
			if (res[m][w].done) {
				write_rate_dat(dir, &res[m][w]);
				write_latency_dat(dir, &res[m][w]);
			}
	snprintf(path, sizeof(path), "%s/plots.gp", dir);
	FILE *g = fopen(path, "w");
	if (!g)
		return -1;
	script_head(g);
	for (unsigned w = 0; w < WL_COUNT; w++) {
		bool any = false;
		for (unsigned m = 0; m < MODE_COUNT; m++)
			any |= res[m][w].done;
		/* A plot of no data is gnuplot's error, the end of the script: none for a workload not run. */
		if (!any)
			continue;
		plot_rates(g, dir, res, w);
		plot_latency(g, dir, res, w);
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
