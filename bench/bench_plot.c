/* bench_plot.c: synack-bench's plots: data files and a gnuplot script in a directory, drawn into
 * PNGs (rate over time per mode, latency CDFs). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

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
