/* run.c: the run controller (run.h). The calling thread polls the engine's counters every few
 * milliseconds (a count or a stop request ends the load at once) and takes a sample every second;
 * a sample's latency percentiles come from the difference of two histogram snapshots, so each
 * second reports only the connections that ended in it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load/run.h"
#include "tcp/tcp.h"

#define POLL_US 2000

static double now_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void synack_hist_sub(struct synack_hist *a, const struct synack_hist *b)
{
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++)
		a->b[i] -= b->b[i];
	a->count -= b->count;
	a->sum -= b->sum;
	/* max cannot be taken back: the highest bucket still holding a value bounds it. */
	unsigned top = SYNACK_HIST_BUCKETS;
	while (top && !a->b[top - 1])
		top--;
	uint64_t bound = top ? synack_hist_lower(top) - 1 : 0;
	if (a->max > bound)
		a->max = bound;
}

uint64_t synack_load_failed_total(const struct synack_load_counters *c)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < sizeof(c->failed) / sizeof(c->failed[0]); i++)
		n += c->failed[i];
	return n;
}

static void counts_of(const struct synack_load_counters *c, struct synack_run_counts *o)
{
	memset(o, 0, sizeof(*o));
	o->started = c->started;
	o->completed = c->completed;
	for (unsigned k = 0; k < 16; k++) {
		o->failed[k] = c->failed[k];
		o->failed_total += c->failed[k];
	}
	o->held = c->held;
	o->no_tuple = c->no_tuple;
	o->requests = c->requests;
	o->late = c->late;
	o->in_flight = c->in_flight;
}

/* a - b for the running counts; the gauge is a's. */
static void counts_diff(const struct synack_run_counts *a, const struct synack_run_counts *b, struct synack_run_counts *o)
{
	o->started = a->started - b->started;
	o->completed = a->completed - b->completed;
	o->failed_total = a->failed_total - b->failed_total;
	for (unsigned k = 0; k < 16; k++)
		o->failed[k] = a->failed[k] - b->failed[k];
	o->held = a->held - b->held;
	o->no_tuple = a->no_tuple - b->no_tuple;
	o->requests = a->requests - b->requests;
	o->late = a->late - b->late;
	o->in_flight = a->in_flight;
}

struct snap {
	struct synack_run_counts all, script[SYNACK_LOAD_MAX_SCRIPTS];
	uint64_t to_start, resolving;
	uint64_t retransmits, arp_failed, conns_in_use, tw_in_use;
	struct synack_run_drops drops;
};

static void take(struct synack_engine *e, unsigned nscripts, struct snap *s)
{
	struct synack_load_counters c;
	synack_load_counters(e, SYNACK_LOAD_ALL, SYNACK_LOAD_ALL, &c);
	counts_of(&c, &s->all);
	s->to_start = c.to_start;
	s->resolving = c.resolving;
	for (unsigned i = 0; i < nscripts; i++) {
		synack_load_counters(e, SYNACK_LOAD_ALL, i, &c);
		counts_of(&c, &s->script[i]);
	}
	struct synack_tcp_stats t;
	synack_tcp_counters_total(e, &t);
	s->retransmits = t.rtx_syn + t.rtx_synack + t.rtx_data + t.rtx_fin;
	struct synack_core_stats cs;
	synack_stats_total(e, &cs);
	s->arp_failed = cs.arp_failed;
	s->conns_in_use = cs.conns_in_use;
	s->tw_in_use = cs.tw_in_use;
	struct synack_run_drops *d = &s->drops;
	*d = (struct synack_run_drops){ .tx_dropped = cs.tx_dropped, .no_mbuf = cs.drop_no_mbuf,
					.no_sendbuf = cs.drop_no_sendbuf, .pool_full = cs.drop_pool_full,
					.synrcv_evicted = cs.drop_synrcv_evicted, .handoff = cs.handoff_drops };
	for (unsigned p = 0; p < synack_ports(e); p++) {
		struct synack_port_stats ps;
		if (synack_port_stats(e, p, &ps))
			continue;
		d->imissed += ps.imissed;
		d->rx_nombuf += ps.rx_nombuf;
		d->oerrors += ps.oerrors;
	}
}

/* The histograms a sample reads: connect and done, uncorrected and corrected. */
#define SAMPLE_HISTS 4
static void sample_hists(struct synack_engine *e, struct synack_hist *h)
{
	memset(h, 0, SAMPLE_HISTS * sizeof(*h));
	synack_load_hist(e, SYNACK_LOAD_ALL, SYNACK_LAT_CONNECT, false, &h[0]);
	synack_load_hist(e, SYNACK_LOAD_ALL, SYNACK_LAT_CONNECT, true, &h[1]);
	synack_load_hist(e, SYNACK_LOAD_ALL, SYNACK_LAT_DONE, false, &h[2]);
	synack_load_hist(e, SYNACK_LOAD_ALL, SYNACK_LAT_DONE, true, &h[3]);
}

/* Every script's histograms and their sum, into r->hist (taken at the start, then at the end). */
static void all_hists(struct synack_engine *e, unsigned nscripts, struct synack_hist (*h)[SYNACK_LAT_COUNT][2])
{
	memset(h, 0, sizeof(*h) * (SYNACK_LOAD_MAX_SCRIPTS + 1));
	for (unsigned s = 0; s < nscripts; s++)
		for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++)
			for (unsigned c = 0; c < 2; c++) {
				synack_load_hist(e, s, (enum synack_lat)k, c, &h[s][k][c]);
				synack_hist_merge(&h[SYNACK_LOAD_MAX_SCRIPTS][k][c], &h[s][k][c]);
			}
}

static bool load_over(const struct snap *s, uint64_t count)
{
	if (count && s->all.started >= count && s->all.in_flight == 0)
		return true;
	/* Nothing left to start and nothing in flight: a counted load ended (or ARP gave up). */
	return s->to_start == 0 && s->all.in_flight == 0;
}

int synack_run(struct synack_engine *e, const struct synack_run_opts *o, struct synack_run_result *r, char *err,
	       size_t errlen)
{
	memset(r, 0, sizeof(*r));
	unsigned nscripts = o->load.nscripts;
	unsigned max_samples = o->max_samples ? o->max_samples : 3600;
	double drain_max = o->drain_s > 0 ? o->drain_s : 10;
	struct synack_hist (*h0)[SYNACK_LAT_COUNT][2] = calloc(SYNACK_LOAD_MAX_SCRIPTS + 1, sizeof(*h0));
	struct synack_hist *sh = calloc(2 * SAMPLE_HISTS, sizeof(*sh));
	r->hist = calloc(SYNACK_LOAD_MAX_SCRIPTS + 1, sizeof(*r->hist));
	r->samples = calloc(max_samples, sizeof(*r->samples));
	if (!h0 || !sh || !r->hist || !r->samples) {
		free(h0);
		free(sh);
		synack_run_result_free(r);
		snprintf(err, errlen, "out of memory for the run's histograms");
		return -ENOMEM;
	}
	struct snap s0, prev, cur;
	take(e, nscripts, &s0);
	all_hists(e, nscripts, h0);
	sample_hists(e, sh);
	prev = s0;
	int rc = synack_load_start(e, &o->load);
	if (rc) {
		snprintf(err, errlen, "the load did not start: %s", strerror(-rc));
		free(h0);
		free(sh);
		synack_run_result_free(r);
		return rc;
	}
	r->started_at = now_s(CLOCK_REALTIME);
	double t0 = now_s(CLOCK_MONOTONIC), next = t0 + 1, last_t = t0;
	double end = o->duration_s > 0 ? t0 + o->duration_s : 0;
	bool stopped = false, drained = false, live = false;
	double stop_t = 0, prev_t = t0;
	for (;;) {
		usleep(POLL_US);
		double t = now_s(CLOCK_MONOTONIC);
		take(e, nscripts, &cur);
		/* The run's clock starts when the workers' schedules do: once every destination answered
		 * ARP (a worker gives up after 5 s, and its load ends). */
		if (!live && (cur.resolving == 0 || (o->stop && *o->stop))) {
			/* They started between the last poll and this one: from the last, so that a load
			 * over within one poll (a short --count) has a duration, not zero. */
			live = true;
			r->started_at = now_s(CLOCK_REALTIME) - (t - prev_t);
			t0 = last_t = prev_t;
			next = t0 + 1;
			end = o->duration_s > 0 ? t0 + o->duration_s : 0;
		}
		prev_t = t;
		if (!live)
			continue;
		uint64_t in_flight = cur.all.in_flight;
		bool over = load_over(&cur, o->load.count ? s0.all.started + o->load.count : 0);
		if (!stopped && ((end && t >= end) || (o->stop && *o->stop) || over)) {
			synack_load_stop(e);
			stopped = true;
			stop_t = t;
			r->load_s = t - t0;
			/* Again after the stop: the workers have counted what was due and not started. */
			take(e, nscripts, &cur);
			in_flight = cur.all.in_flight;
			counts_diff(&cur.all, &s0.all, &r->at_stop);
		}
		if (stopped && (in_flight == 0 || t - stop_t >= drain_max))
			drained = in_flight == 0;
		bool finish = stopped && (in_flight == 0 || t - stop_t >= drain_max);
		if (t >= next || finish) {
			struct synack_run_sample *smp = r->nsamples < max_samples ? &r->samples[r->nsamples++] : NULL;
			if (smp) {
				smp->t = t - t0;
				smp->dt = t - last_t;
				counts_diff(&cur.all, &prev.all, &smp->all);
				for (unsigned i = 0; i < nscripts; i++)
					counts_diff(&cur.script[i], &prev.script[i], &smp->script[i]);
				smp->retransmits = cur.retransmits - prev.retransmits;
				smp->conns_in_use = cur.conns_in_use;
				smp->tw_in_use = cur.tw_in_use;
				struct synack_hist *now_h = sh + SAMPLE_HISTS;
				sample_hists(e, now_h);
				uint64_t *p50[SAMPLE_HISTS] = { &smp->connect_p50, &smp->connect_p50_c, &smp->done_p50,
								&smp->done_p50_c };
				uint64_t *p99[SAMPLE_HISTS] = { &smp->connect_p99, &smp->connect_p99_c, &smp->done_p99,
								&smp->done_p99_c };
				for (unsigned k = 0; k < SAMPLE_HISTS; k++) {
					struct synack_hist d = now_h[k];
					synack_hist_sub(&d, &sh[k]);
					*p50[k] = synack_hist_quantile(&d, 0.5);
					*p99[k] = synack_hist_quantile(&d, 0.99);
					sh[k] = now_h[k];
				}
				if (o->on_sample)
					o->on_sample(smp, o->arg);
			}
			prev = cur;
			last_t = t;
			next += 1;
		}
		if (finish)
			break;
	}
	r->drain_s = now_s(CLOCK_MONOTONIC) - stop_t;
	r->drained = drained;
	counts_diff(&cur.all, &s0.all, &r->all);
	for (unsigned i = 0; i < nscripts; i++)
		counts_diff(&cur.script[i], &s0.script[i], &r->script[i]);
	r->retransmits = cur.retransmits - s0.retransmits;
	const uint64_t *d1 = (const uint64_t *)&cur.drops, *d0 = (const uint64_t *)&s0.drops;
	uint64_t *dr = (uint64_t *)&r->drops;
	for (size_t i = 0; i < sizeof(r->drops) / sizeof(uint64_t); i++)
		dr[i] = d1[i] - d0[i];
	r->arp_failed = cur.arp_failed - s0.arp_failed;
	all_hists(e, nscripts, r->hist);
	for (unsigned s = 0; s <= SYNACK_LOAD_MAX_SCRIPTS; s++)
		for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++)
			for (unsigned c = 0; c < 2; c++)
				synack_hist_sub(&r->hist[s][k][c], &h0[s][k][c]);
	free(h0);
	free(sh);
	return 0;
}

void synack_run_result_free(struct synack_run_result *r)
{
	free(r->hist);
	free(r->samples);
	r->hist = NULL;
	r->samples = NULL;
	r->nsamples = 0;
}
