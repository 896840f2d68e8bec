/* gen_main.c: synack-gen, the load generator: parses and checks the options, checks the tuple
 * space, starts the engine (and any --listen responders), compiles the scripts, runs the load
 * through the run controller (lib/load/run.h) with a progress block every second, and prints and
 * writes the reports. `synack-gen merge` adds up the JSON of several instances.
 * Exit codes: 0 every connection completed; 1 the engine or the load did not start, or some
 * connections failed or the destination never answered; 2 bad options. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gen_opts.h"
#include "gen_report.h"
#include "load/run.h"
#include "load/tuplespace.h"
#include "synack.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct gen_ctx {
	const struct gen_opts *o;
	unsigned nsamples;
};

static void on_sample(const struct synack_run_sample *s, void *arg)
{
	struct gen_ctx *g = arg;
	if (!g->o->quiet)
		gen_report_progress(stdout, s, g->nsamples++);
}

/* Checks the tuple space of every destination; prints what to change for those that cannot hold
 * (unless quiet). Returns the number that cannot. */
static int check_tuples_q(const struct gen_opts *o, unsigned msl_s, bool client_tw, bool quiet)
{
	double share[SYNACK_LOAD_MAX_DST], wsum = 0;
	for (unsigned d = 0; d < o->ndst; d++)
		wsum += o->dst[d].weight ? o->dst[d].weight : 1;
	for (unsigned d = 0; d < o->ndst; d++)
		share[d] = (o->dst[d].weight ? o->dst[d].weight : 1) / wsum;
	struct synack_tuplespace_in in = {
		.ndst = o->ndst, .dst_share = share, .src_addrs = o->src_ips ? o->src_ips : 1,
		.sport_lo = o->sport_lo ? o->sport_lo : 10000, .sport_hi = o->sport_hi ? o->sport_hi : 65535,
		.rate = o->rate, .concurrency = o->concurrency, .msl_s = msl_s, .client_time_wait = client_tw,
		/* A bounded load has at most what it starts in TIME-WAIT (the ramp only lowers it). */
		.total = o->count ? o->count : o->rate > 0 && o->duration_s > 0 ? (uint64_t)ceil(o->rate * o->duration_s) + 1 : 0,
	};
	struct synack_tuplespace_dst out[SYNACK_LOAD_MAX_DST];
	int bad = synack_tuplespace_check(&in, out);
	for (unsigned d = 0; d < o->ndst && !quiet; d++) {
		if (out[d].ok)
			continue;
		char line[512];
		synack_tuplespace_advice(&in, d, o->dst_name[d], line, sizeof(line));
		fprintf(stderr, "synack-gen: %s%s\n", line, o->no_check ? "" : " (--no-check starts anyway)");
	}
	return bad;
}

static int check_tuples(const struct gen_opts *o, unsigned msl_s, bool client_tw)
{
	return check_tuples_q(o, msl_s, client_tw, false);
}

static int check_tuples_quiet(const struct gen_opts *o, unsigned msl_s, bool client_tw)
{
	return check_tuples_q(o, msl_s, client_tw, true);
}

/* The highest rate the tuple space carries for o's load (0: no bound), by bisection on the check. */
static double tuple_rate_cap(const struct gen_opts *o, unsigned msl_s, bool client_tw)
{
	struct gen_opts t = *o;
	t.rate = 1e9;
	/* Steps run back to back, each one's TIME-WAIT still there for the next: unbounded. */
	t.count = 0;
	t.duration_s = 0;
	if (!check_tuples_quiet(&t, msl_s, client_tw))
		return 0;
	double lo = 0, hi = 1e9;
	while (hi - lo > 1 && hi - lo > 0.001 * hi) {
		t.rate = (lo + hi) / 2;
		if (check_tuples_quiet(&t, msl_s, client_tw))
			hi = t.rate;
		else
			lo = t.rate;
	}
	return lo;
}

struct fm_step {
	double asked, started_s, completed_s, fail, p99_ms;
	bool ok;
};

static int find_max_json(const char *path, const struct gen_meta *m, const struct fm_step *st, unsigned n, double best,
			 double cap)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"tool\": \"synack-gen\",\n  \"format\": 1,\n  \"meta\": {\"time\": \"%s\", \"commit\": \"%s\", "
		   "\"host\": \"%s\", \"cpus\": %u},\n  \"find_max\": {\"highest_rate\": ",
		m->time, m->commit, m->host, m->cpus);
	if (best > 0)
		fprintf(f, "%.0f", best);
	else
		fputs("null", f);
	fputs(", \"tuple_space_cap\": ", f);
	if (cap > 0)
		fprintf(f, "%.0f", cap);
	else
		fputs("null", f);
	fputs(",\n    \"steps\": [\n", f);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "      {\"asked\": %.0f, \"started_per_s\": %.1f, \"completed_per_s\": %.1f, \"failed_share\": %.6f, "
			   "\"p99_ms\": ", st[i].asked, st[i].started_s, st[i].completed_s, st[i].fail);
		if (st[i].p99_ms > 0)
			fprintf(f, "%.4f", st[i].p99_ms);
		else
			fputs("null", f);
		fprintf(f, ", \"pass\": %s}%s\n", st[i].ok ? "true" : "false", i + 1 < n ? "," : "");
	}
	fputs("    ]\n  }\n}\n", f);
	return fclose(f) ? -1 : 0;
}

/* --find-max: steps of o->step_s at rising rates, doubling until a step fails its bounds, then a
 * bisection between the last good rate and the first bad one; every step is a point of the curve.
 * A step passes when it started at least 97 % of the asked rate, failed at most --max-fail of what
 * ended, and kept its p99 (corrected, from the intended starts) under --max-p99. The search never
 * asks more than the tuple space carries: that would measure synack-gen's ports, not the target. */
static int find_max(struct synack_engine *e, const struct gen_opts *o, unsigned msl_s, bool client_tw,
		    const struct gen_meta *meta)
{
	double lo = 0, hi = 0, rate = o->rate > 0 ? o->rate : 1000;
	double cap = tuple_rate_cap(o, msl_s, client_tw);
	struct fm_step steps[40];
	unsigned nsteps = 0;
	printf("synack-gen: --find-max: steps of %.0f s; a step passes with failures <= %.3g %% and p99 done "
	       "(corrected) <= %.3g ms\n", o->step_s, o->max_fail * 100, o->max_p99_ms);
	if (cap > 0)
		printf("synack-gen: the tuple space carries at most %.0f connections/s: the search stops there\n", cap);
	if (cap > 0 && rate > cap)
		rate = cap;
	printf("%12s %12s %12s %10s %12s %s\n", "asked/s", "started/s", "completed/s", "failed %", "p99 ms", "");
	for (unsigned step = 0; step < 40 && !stop_flag; step++) {
		struct synack_run_opts ro = { .duration_s = o->step_s, .drain_s = 10, .stop = &stop_flag };
		struct gen_loaded g;
		char err[512];
		if (gen_build_load(o, &g, &ro.load, rate, err, sizeof(err))) {
			fprintf(stderr, "synack-gen: %s\n", err);
			return 2;
		}
		ro.load.count = 0;
		struct synack_run_result r;
		int rc = synack_run(e, &ro, &r, err, sizeof(err));
		if (rc) {
			gen_free_scripts(&g);
			fprintf(stderr, "synack-gen: %s\n", err);
			return 1;
		}
		if (r.arp_failed) {
			synack_run_result_free(&r);
			gen_free_scripts(&g);
			fprintf(stderr, "synack-gen: %s did not answer ARP within 5 s: no connection started\n",
				o->ndst == 1 ? o->dst_name[0] : "a destination");
			return 1;
		}
		const struct synack_hist *h = &r.hist[SYNACK_LOAD_MAX_SCRIPTS][SYNACK_LAT_DONE][1];
		if (!h->count)
			h = &r.hist[SYNACK_LOAD_MAX_SCRIPTS][SYNACK_LAT_CONNECT][1];
		double p99 = (double)synack_hist_quantile(h, 0.99) / 1e6;
		double ended = (double)(r.all.completed + r.all.failed_total);
		double fail = ended ? (double)r.all.failed_total / ended : 1;
		double load_s = r.load_s > 0 ? r.load_s : 1;
		bool ok = r.all.started > 0 && fail <= o->max_fail && p99 <= o->max_p99_ms &&
			  (double)r.at_stop.started / load_s >= 0.97 * rate && r.drained;
		struct fm_step *st = &steps[nsteps++];
		*st = (struct fm_step){ rate, (double)r.at_stop.started / load_s, (double)r.all.completed / load_s, fail,
					h->count ? p99 : 0, ok };
		printf("%12.0f %12.0f %12.0f %10.3f %12.3f %s\n", st->asked, st->started_s, st->completed_s, fail * 100, p99,
		       ok ? "pass" : "fail");
		fflush(stdout);
		synack_run_result_free(&r);
		gen_free_scripts(&g);
		if (ok)
			lo = rate;
		else
			hi = rate;
		if (ok && cap > 0 && rate >= cap)
			break;
		if (!hi)
			rate = cap > 0 && rate * 2 > cap ? cap : rate * 2;
		else if (hi - lo <= 0.02 * hi || (!lo && rate <= 1))
			break;
		else
			rate = lo ? (lo + hi) / 2 : hi / 4;
	}
	if (lo)
		printf("synack-gen: highest rate sustained: %.0f connections/s%s\n", lo,
		       cap > 0 && lo >= cap ? " (the tuple space's limit: more --src addresses or a shorter --msl go further)" : "");
	else
		printf("synack-gen: no step passed: the target does not sustain %.0f connections/s within the bounds\n",
		       rate);
	if (o->json && find_max_json(o->json, meta, steps, nsteps, lo, cap)) {
		fprintf(stderr, "synack-gen: --json %s: %s\n", o->json, strerror(errno));
		return 1;
	}
	return lo ? 0 : 1;
}

/* --listen without --dst: serve until SIGINT/SIGTERM (or --duration), then say what was served. */
static int responder(struct synack_engine *e, const struct gen_opts *o)
{
	printf("synack-gen: responder: serving");
	for (unsigned i = 0; i < o->nlisten; i++)
		printf(" %s on %u", synack_service_name(o->listen[i].svc), o->listen[i].port);
	printf("\n");
	fflush(stdout);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop_flag) {
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (o->duration_given && (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >= o->duration_s)
			break;
	}
	struct synack_core_stats cs;
	synack_stats_total(e, &cs);
	printf("synack-gen: responder: done\naccepted %llu\nclosed %llu\nfailed %llu\n",
	       (unsigned long long)cs.conns_accepted, (unsigned long long)cs.conns_closed,
	       (unsigned long long)cs.conns_failed);
	return 0;
}

static void wait_until(double t)
{
	for (;;) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		if (now >= t || stop_flag)
			return;
		double d = t - now;
		usleep(d > 0.1 ? 100000 : (useconds_t)(d * 1e6));
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return gen_merge_main(argc - 1, argv + 1);
	struct gen_opts o;
	int rc = gen_parse_args(argc, argv, &o, false);
	if (rc)
		return rc == 1 ? 0 : rc;

	/* The scripts first: a mistake in one is an option error, before anything starts. */
	struct gen_loaded g;
	struct synack_load load;
	char err[512];
	memset(&g, 0, sizeof(g));
	if (!o.responder_only && gen_build_load(&o, &g, &load, o.rate, err, sizeof(err))) {
		fprintf(stderr, "synack-gen: %s\n", err);
		return 2;
	}
	struct gen_script_info info[SYNACK_LOAD_MAX_SCRIPTS];
	for (unsigned i = 0; i < o.nscripts; i++) {
		info[i].name = o.script[i].name;
		info[i].text = g.text[i];
	}
	bool client_tw = g.client_tw;
	unsigned msl_s = o.msl_s ? o.msl_s : 60;
	if (!o.find_max && !o.responder_only && check_tuples(&o, msl_s, client_tw) && !o.no_check)
		return 2;

	struct synack_start_opts so = { .config_path = o.config, .sets = o.sets, .file_prefix = o.file_prefix,
					.huge = o.huge, .mem_mb = o.mem_mb, .lcores = o.lcores, .verbose = o.verbose };
	struct synack_engine *e = synack_engine_start(&so, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "synack-gen: %s\n", err);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o.msl_s && (rc = synack_set_msl(e, o.msl_s)) != 0) {
		fprintf(stderr, "synack-gen: --msl %u: %s\n", o.msl_s, strerror(-rc));
		synack_engine_stop(e);
		return 1;
	}
	for (unsigned i = 0; i < o.nlisten; i++) {
		const struct gen_listen *l = &o.listen[i];
		rc = synack_listen(e, l->port, l->svc, l->body, l->keepalive);
		if (rc) {
			fprintf(stderr, "synack-gen: --listen %u: %s\n", l->port, strerror(-rc));
			synack_engine_stop(e);
			return 1;
		}
	}
	if (o.start_at)
		wait_until(o.start_at);
	int exit_code = 0;
	if (o.responder_only) {
		exit_code = responder(e, &o);
	} else if (o.find_max) {
		struct gen_meta meta;
		gen_meta_fill(&meta, argc, argv, true);
		exit_code = find_max(e, &o, msl_s, client_tw, &meta);
	} else if (!stop_flag) {
		struct gen_ctx gc = { .o = &o };
		struct synack_run_opts ro = { .duration_s = o.count ? 0 : o.duration_s, .drain_s = o.drain_s, .stop = &stop_flag,
					      .on_sample = on_sample, .arg = &gc, .load = load };
		struct synack_run_result r;
		if (synack_run(e, &ro, &r, err, sizeof(err))) {
			fprintf(stderr, "synack-gen: %s\n", err);
			exit_code = 1;
		} else {
			struct gen_meta meta;
			gen_meta_fill(&meta, argc, argv, o.rate > 0);
			gen_report_summary(stdout, &r, info, o.nscripts, o.rate > 0);
			if (r.arp_failed) {
				fprintf(stderr, "synack-gen: %s did not answer ARP within 5 s: no connection started\n",
					o.ndst == 1 ? o.dst_name[0] : "a destination");
				exit_code = 1;
			} else if (r.all.failed_total || !r.drained) {
				exit_code = 1;
			}
			if (o.json && gen_report_json(o.json, &meta, &r, info, o.nscripts)) {
				fprintf(stderr, "synack-gen: --json %s: %s\n", o.json, strerror(errno));
				exit_code = 1;
			}
			if (o.csv && gen_report_csv(o.csv, &r)) {
				fprintf(stderr, "synack-gen: --csv %s: %s\n", o.csv, strerror(errno));
				exit_code = 1;
			}
			if (o.plots && gen_report_plots(o.plots, &r, info, o.nscripts))
				exit_code = 1;
			synack_run_result_free(&r);
		}
	}
	synack_engine_stop(e);
	gen_free_scripts(&g);
	return exit_code;
}
