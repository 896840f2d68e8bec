/* run.h: the run controller every program that generates load shares (synack-gen, synack-bench,
 * the console's load commands): start a load, take a snapshot every second, stop it after its
 * duration or count (or when asked), drain the connections still in flight, and total up. It uses
 * the engine's public API only (synack.h): a second's figures are differences of the engine's
 * counters and histograms between two snapshots, so a figure never depends on when it is read. */
#ifndef SYNACK_LOAD_RUN_H
#define SYNACK_LOAD_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/histogram.h"
#include "synack.h"

/* One second of a run (or a run's totals): what the load's counters moved by. */
struct synack_run_counts {
	uint64_t started, completed;
	uint64_t failed[16];            /* by enum synack_outcome */
	uint64_t failed_total;
	uint64_t held, no_tuple, requests;
	uint64_t late;                  /* open loop: due by the stop, never started */
	uint64_t in_flight;             /* at the end of the second (a gauge) */
};

/* Packets this host dropped during a run (the engine's and its ports' counters, every worker and
 * port): where a load's losses come from when they are not the target's. */
struct synack_run_drops {
	uint64_t tx_dropped;            /* a port refused a transmit burst (its ring or queue full) */
	uint64_t no_mbuf;               /* no packet buffer for a segment to send */
	uint64_t no_sendbuf;            /* no send buffer for a connection's data */
	uint64_t pool_full;             /* no connection slot for a SYN or a start */
	uint64_t synrcv_evicted;        /* SYN-RECEIVED entries evicted by newer SYNs */
	uint64_t handoff;               /* a packet for another core's flow found its ring full */
	uint64_t imissed, rx_nombuf;    /* the ports': receive queue full, no buffer to receive in */
	uint64_t oerrors;
};

struct synack_run_sample {
	double t;                       /* seconds since the start, at the end of this sample */
	double dt;                      /* its length (the last one may be short) */
	struct synack_run_counts all;
	struct synack_run_counts script[SYNACK_LOAD_MAX_SCRIPTS];
	uint64_t retransmits;           /* segments retransmitted in the second (all workers) */
	uint64_t conns_in_use, tw_in_use;
	/* Latency of this second's connections, ns (0 when none): connect and whole script, p50/p99,
	 * uncorrected and corrected (open loop). */
	uint64_t connect_p50, connect_p99, done_p50, done_p99;
	uint64_t connect_p50_c, connect_p99_c, done_p50_c, done_p99_c;
};

struct synack_run_opts {
	struct synack_load load;
	double duration_s;              /* the load's time (0: until count, or until stopped) */
	double drain_s;                 /* at most this long for in-flight connections after the stop (default 10) */
	volatile int *stop;             /* non-NULL: the run stops when *stop becomes non-zero */
	/* Called after every sample (the progress block), from the calling thread. */
	void (*on_sample)(const struct synack_run_sample *s, void *arg);
	void *arg;
	unsigned max_samples;           /* samples kept in the result (default 3600) */
};

struct synack_run_result {
	double started_at;              /* CLOCK_REALTIME of the start, s */
	double load_s;                  /* from the start to the stop */
	double drain_s;                 /* from the stop to the last connection's end (or the drain limit) */
	struct synack_run_counts all;
	struct synack_run_counts script[SYNACK_LOAD_MAX_SCRIPTS];
	struct synack_run_counts at_stop;       /* all, from the start to the stop (before the drain) */
	bool drained;                   /* every started connection ended */
	uint64_t arp_failed;            /* destinations that never answered ARP: the load could not start */
	uint64_t retransmits;
	struct synack_run_drops drops;
	/* Histograms of the run, per script and over all: [script or SYNACK_LOAD_MAX_SCRIPTS for all]
	 * [enum synack_lat][uncorrected, corrected]. */
	struct synack_hist (*hist)[SYNACK_LAT_COUNT][2];
	unsigned nsamples;
	struct synack_run_sample *samples;
};

/* Runs o's load on e to its end (duration, count, or *stop), then drains. Returns 0, or -errno
 * when the load could not start (the message in err). The result's arrays are the caller's to free
 * with synack_run_result_free. */
int synack_run(struct synack_engine *e, const struct synack_run_opts *o, struct synack_run_result *r, char *err,
	       size_t errlen);
void synack_run_result_free(struct synack_run_result *r);

/* a -= b (histograms taken from the same engine at two times). */
void synack_hist_sub(struct synack_hist *a, const struct synack_hist *b);

#endif
