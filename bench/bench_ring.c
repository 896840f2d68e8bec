/* bench_ring.c: synack-bench's `ring` mode: one synack process, a client worker and a server worker
 * joined by the crossed net_ring pair of drivers-config/ring.ini: no NIC and no kernel, the stack's
 * own cost. The client keeps `concurrency` connections in flight from `src_ips` source addresses;
 * the server answers on port 80 (discard: handshake and close) or 81 (rr: request). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/conn.h"
#include "core/tw_table.h"
#include "load/run.h"
#include "load/script.h"
#include "synack.h"
#include "tcp/compact.h"
#include "tcp/tcp.h"

#define CLIENT 0u
#define SERVER 1u
#define SERVER_IP 0xc6120402u /* 198.18.4.2, port1 of ring.ini */

double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t bench_peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t kb = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtoull(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static void ring_server_stats(struct synack_engine *e, void *arg, struct bench_srv_stats *out)
{
	(void)arg;
	struct synack_core_stats s;
	synack_stats(e, SERVER, &s);
	out->busy_cycles = s.busy_cycles;
	out->tw_in_use = s.tw_in_use;
	out->tw_evicted = s.tw_evicted;
	out->known = true;
}

/* The progress line of each second, and the TIME-WAIT peak beside it (bench_run_one's samples). */
struct rep_ctx {
	struct synack_engine *e;
	const struct bench_opts *o;
	enum bench_wl wl;
	unsigned rep, sec;
	struct bench_result *r;
	server_stats_fn server_stats;
	void *arg;
};

static void rep_sample(const struct synack_run_sample *smp, void *arg)
{
	struct rep_ctx *x = arg;
	struct bench_result *r = x->r;
	/* A second cut short by the end (the count reached, the drain) is not a point of the series. */
	if (smp->dt < 0.5)
		return;
	double rate = (double)smp->all.completed / smp->dt;
	if (x->rep != BENCH_FILL)
		bench_series_add(r, x->rep, rate);
	/* TIME-WAIT on both sides: the one that closes first holds it (the client in close, the server
	 * in request). */
	struct synack_core_stats c;
	struct bench_srv_stats srv;
	synack_stats(x->e, CLIENT, &c);
	x->server_stats(x->e, x->arg, &srv);
	uint64_t tw = c.tw_in_use + srv.tw_in_use;
	if (tw > r->tw_peak)
		r->tw_peak = tw;
	char what[32];
	if (x->rep == BENCH_FILL)
		snprintf(what, sizeof(what), "fill %.0fs", x->o->duration_s);
	else
		snprintf(what, sizeof(what), "rep %u/%u", x->rep + 1, x->o->reps);
	fprintf(stderr, "  %-5s %-9s %-9s t=%3us  %10.0f conn/s  in flight %4llu  TIME-WAIT %llu\n",
		bench_mode_names[r->mode], bench_wl_names[x->wl], what, ++x->sec, rate,
		(unsigned long long)smp->all.in_flight, (unsigned long long)tw);
}

/* One repetition of one workload, through the run controller (lib/load/run.h): the client worker
 * of e keeps the load on dst for the duration, or (--count) until count connections have been
 * opened and have ended. */
int bench_run_one(struct synack_engine *e, const struct bench_opts *o, enum bench_wl wl, unsigned rep,
		  struct bench_result *r, uint32_t dst, server_stats_fn server_stats, void *arg)
{
	/* The workloads are the load's built-in scripts (lib/load/script.h). */
	static const char *const script_of[WL_COUNT] = { "handshake", "close", "request" };
	static struct synack_script scripts[WL_COUNT];
	static bool built[WL_COUNT];
	/* Built once: connections of the last repetition may still be reading it. */
	if (!built[wl] && synack_script_builtin(&scripts[wl], script_of[wl], o->size, NULL)) {
		fprintf(stderr, "synack-bench: the built-in script '%s' did not build\n", script_of[wl]);
		return -1;
	}
	built[wl] = true;
	struct synack_core_stats c0, c1;
	struct bench_srv_stats srv0, srv1;
	synack_stats(e, CLIENT, &c0);
	server_stats(e, arg, &srv0);

	/* A fill (2 x MSL) is always timed. */
	uint64_t count = rep == BENCH_FILL ? 0 : o->count;
	struct rep_ctx x = { .e = e, .o = o, .wl = wl, .rep = rep, .r = r, .server_stats = server_stats, .arg = arg };
	struct synack_run_opts ro = { .duration_s = count ? BENCH_COUNT_CAP_S : o->duration_s, .drain_s = 3,
				      .on_sample = rep_sample, .arg = &x };
	struct synack_load *l = &ro.load;
	l->ndst = 1;
	l->nscripts = 1;
	l->concurrency = o->concurrency;
	l->count = count;
	l->src_ips = o->src_ips;
	l->dst[0].ip = dst;
	l->dst[0].port = wl == WL_REQUEST ? 81 : 80;
	l->script[0].app = synack_script_app();
	l->script[0].arg = &scripts[wl];
	struct synack_run_result rr;
	char err[256];
	if (synack_run(e, &ro, &rr, err, sizeof(err))) {
		fprintf(stderr, "synack-bench: %s: %s\n", bench_mode_names[r->mode], err);
		return -1;
	}
	if (count && rr.at_stop.started + rr.at_stop.in_flight > 0 && rr.load_s >= BENCH_COUNT_CAP_S)
		fprintf(stderr, "warning: %s %s: %" PRIu64 " connections did not end within %.0f s; the rate is over those that did\n",
			bench_mode_names[r->mode], bench_wl_names[wl], count, BENCH_COUNT_CAP_S);
	synack_stats(e, CLIENT, &c1);
	server_stats(e, arg, &srv1);
	synack_hist_merge(&r->lat, &rr.hist[SYNACK_LOAD_MAX_SCRIPTS][SYNACK_LAT_CONNECT][0]);

	uint64_t completed = rr.all.completed;
	r->rate[r->nreps++] = (double)rr.at_stop.completed / rr.load_s;
	r->started += rr.all.started;
	r->completed += completed;
	r->failed += rr.all.failed_total;
	/* Busy cycles per connection, each side: the cost the worker spent in loops that did work. */
	if (completed) {
		r->cycles_client += (double)(c1.busy_cycles - c0.busy_cycles) / (double)completed / o->reps;
		r->has |= BENCH_HAS_CYCLES_CLIENT;
	}
	/* A server that is not synack's (tap-cli's Linux) has its cycles from its CPU time instead. */
	if (completed && srv0.known && srv1.known) {
		r->cycles_server += (double)(srv1.busy_cycles - srv0.busy_cycles) / (double)completed / o->reps;
		r->has |= BENCH_HAS_CYCLES_SERVER;
	}
	if (c1.tw_in_use + srv1.tw_in_use > r->tw_peak)
		r->tw_peak = c1.tw_in_use + srv1.tw_in_use;
	r->tw_evicted += (c1.tw_evicted - c0.tw_evicted) + (srv1.tw_evicted - srv0.tw_evicted);
	synack_run_result_free(&rr);
	return 0;
}

/* The TIME-WAIT table of the side that closes first: it must hold every entry made within 2 x MSL
 * without filling, i.e. rate x min(2 x MSL, the time the run spends in workloads that leave
 * TIME-WAIT, with their 2 x MSL fills), at up to 3 M connections/s. The engine faults the whole
 * table in at start (bigmem.c). Capped by the engine's limit and by half the machine's available
 * memory: ring and memif run one workload per process, so one such table lives at a time. */
static uint32_t tw_cap;

uint32_t bench_tw_entries(const struct bench_opts *o)
{
	if (o->tw_entries)
		return tw_cap = o->tw_entries;
	unsigned nwl = (o->wls[WL_CLOSE] ? 1 : 0) + (o->wls[WL_REQUEST] ? 1 : 0);
	uint64_t secs = o->count ? 0 : (uint64_t)(o->duration_s * o->reps) * nwl;
	if (nwl && o->steady)
		secs += 2ull * o->msl_s;
	if (secs > 2ull * o->msl_s)
		secs = 2ull * o->msl_s;
	/* A counted run's repetitions leave at most count x reps entries each. */
	uint64_t n = secs * 3000000ull + (o->count ? o->count * o->reps * nwl : 0) + (1u << 20), avail_kb = 0;
	if (n > 2ull * o->msl_s * 3000000ull + (1u << 20))
		n = 2ull * o->msl_s * 3000000ull + (1u << 20);
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &avail_kb) == 1)
			break;
	if (f)
		fclose(f);
	if (n > 1u << 28)
		n = 1u << 28;
	if (avail_kb) {
		/* The largest table under the budget (its hash buckets grow in powers of two). */
		uint64_t budget = avail_kb * 1024 / 2, lo = 1u << 21, hi = n;
		if (synack_tw_table_mem_size((uint32_t)hi) > budget) {
			while (lo + 1 < hi) {
				uint64_t mid = lo + (hi - lo) / 2;
				if (synack_tw_table_mem_size((uint32_t)mid) <= budget)
					lo = mid;
				else
					hi = mid;
			}
			n = lo;
		}
	}
	tw_cap = n < 1u << 21 ? 1u << 21 : (uint32_t)n;
	return tw_cap;
}

uint32_t bench_tw_client(const struct bench_opts *o)
{
	return o->wls[WL_CLOSE] ? bench_tw_entries(o) : BENCH_TW_SMALL;
}

uint32_t bench_tw_server(const struct bench_opts *o)
{
	return o->wls[WL_REQUEST] ? bench_tw_entries(o) : BENCH_TW_SMALL;
}

void bench_result_begin(struct bench_result *r, enum bench_mode mode, enum bench_wl wl)
{
	r->mode = mode;
	r->wl = wl;
	r->bytes_tcb = sizeof(struct synack_conn);
	/* An entry and its share of the hash buckets, in the table this run made. */
	uint32_t cap = tw_cap ? tw_cap : 1u << 20;
	r->tw_cap = cap;
	r->bytes_tw = (unsigned)((synack_tw_table_mem_size(cap) + cap - 1) / cap);
	r->has |= BENCH_HAS_SIZES | BENCH_HAS_TIMEWAIT;
}

void bench_result_end(struct bench_result *r, int rc)
{
	r->tw_bytes = r->tw_peak * r->bytes_tw;
	bench_summarise(r);
	r->done = rc == 0;
}

/* Before the measured repetitions of a workload that leaves TIME-WAIT (close, request): the same
 * load for 2 x MSL, unmeasured, so that the closing side's TIME-WAIT table reaches this workload's
 * steady state (its entries expiring as fast as they come) and the repetitions pay for a table of rate x 2 x MSL entries and for reaping them. Its
 * connections are accounted for. */
static int fill_timewait(struct synack_engine *e, const struct bench_opts *o, enum bench_wl wl, struct bench_result *r,
			 uint32_t dst, server_stats_fn server_stats, void *arg)
{
	struct bench_opts fo = *o;
	fo.duration_s = 2.0 * o->msl_s;
	fo.reps = 1;
	struct bench_result *fr = calloc(1, sizeof(*fr));
	if (!fr)
		return -1;
	fr->mode = r->mode;
	fr->wl = r->wl;
	int rc = bench_run_one(e, &fo, wl, BENCH_FILL, fr, dst, server_stats, arg);
	r->fill_s = fo.duration_s;
	r->fill_rate = fr->rate[0];
	r->has |= BENCH_HAS_FILL;
	r->tw_peak = fr->tw_peak;
	r->tw_evicted += fr->tw_evicted;
	r->started += fr->started;
	r->completed += fr->completed;
	r->failed += fr->failed;
	free(fr);
	return rc;
}

int bench_run_synack(struct synack_engine *e, const struct bench_opts *o, enum bench_mode mode,
		     struct bench_result res[WL_COUNT], uint32_t dst, server_stats_fn server_stats, void *arg)
{
	int rc = 0;
	for (unsigned w = 0; w < WL_COUNT && !rc; w++) {
		if (!o->wls[w])
			continue;
		struct bench_result *r = &res[w];
		bench_result_begin(r, mode, (enum bench_wl)w);
		if ((w == WL_CLOSE || w == WL_REQUEST) && o->steady)
			rc = fill_timewait(e, o, (enum bench_wl)w, r, dst, server_stats, arg);
		for (unsigned k = 0; k < o->reps && !rc; k++)
			rc = bench_run_one(e, o, (enum bench_wl)w, k, r, dst, server_stats, arg);
		r->peak_rss_kb = bench_peak_rss_kb();
		r->has |= BENCH_HAS_RSS;
		bench_result_end(r, rc);
	}
	return rc;
}

int bench_run_ring(const struct bench_opts *o, struct bench_result res[WL_COUNT])
{
	char cfg[1024], msl[64], tw[64], err[512];
	snprintf(cfg, sizeof(cfg), "%s/drivers-config/ring.ini", o->root);
	snprintf(msl, sizeof(msl), "engine.msl=%u", o->msl_s);
	snprintf(tw, sizeof(tw), "engine.timewait_per_worker=%u,%u", bench_tw_client(o), bench_tw_server(o));
	const char *sets[] = { msl, tw, "engine.tcb_per_core=65536", NULL };
	struct synack_start_opts so = { .config_path = cfg, .sets = sets, .mem_mb = o->quick ? 2048 : 8192, .huge = o->huge };
	struct synack_engine *e = synack_engine_start(&so, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "synack-bench: ring: %s\n", err);
		return -1;
	}
	int rc = synack_listen(e, 80, SYNACK_SVC_DISCARD, 0, false);
	if (!rc)
		rc = synack_listen(e, 81, SYNACK_SVC_RR, o->size, false);
	if (!rc)
		rc = bench_run_synack(e, o, MODE_RING, res, SERVER_IP, ring_server_stats, NULL);
	synack_engine_stop(e);
	return rc;
}
