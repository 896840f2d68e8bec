/* gen_report.h: what synack-gen shows and writes about a run: the progress block (a line every
 * second), the final summary table, the JSON report (metadata, totals, per-script figures, the
 * per-second timeline, latency percentiles and distributions), the CSV timeline, gnuplot plots,
 * and `synack-gen merge`, which adds up the JSON of several instances (histograms exactly, from
 * their buckets). */
#ifndef SYNACK_GEN_REPORT_H
#define SYNACK_GEN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "load/run.h"
#include "synack_app.h"

/* A script as the reports name it: its name and its text (the interpreter's syntax). */
struct gen_script_info {
	const char *name;
	const char *text;
};

/* What the JSON says about where and how a run was made. */
struct gen_meta {
	char time[32];                  /* ISO 8601, UTC */
	char commit[64];
	char host[128];
	char cpu[128];
	unsigned cpus;
	int argc;
	char **argv;
	bool open_loop;
	const char *const *sources;     /* merge: the reports added up (else NULL) */
	unsigned nsources;
};

void gen_meta_fill(struct gen_meta *m, int argc, char **argv, bool open_loop);

/* One line for sample s (a header line first, and every 20 lines). */
void gen_report_progress(FILE *f, const struct synack_run_sample *s, unsigned idx);
/* The final table: totals, failures by kind, the reconciliation, per-script rows when there are
 * several scripts, and latency percentiles (corrected rows in open loop). */
void gen_report_summary(FILE *f, const struct synack_run_result *r, const struct gen_script_info *info, unsigned n,
			bool open_loop);
/* Each returns 0, or -1 with errno set (gen_report_plots prints its own error). */
int gen_report_json(const char *path, const struct gen_meta *m, const struct synack_run_result *r,
		    const struct gen_script_info *info, unsigned n);
int gen_report_csv(const char *path, const struct synack_run_result *r);
int gen_report_plots(const char *dir, const struct synack_run_result *r, const struct gen_script_info *info,
		     unsigned n);

/* `synack-gen merge [--json OUT] [--csv OUT] [--plots DIR] A.json B.json ...` (argv[0] "merge"). */
int gen_merge_main(int argc, char **argv);

#endif
