/* bench.h: synack-bench's shared types: one result per (mode, workload), the options, and the
 * report writers (terminal table and CSV: bench_report.c; JSON: bench_json.c; gnuplot plots:
 * bench_plot.c). */
#ifndef SYNACK_BENCH_H
#define SYNACK_BENCH_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/histogram.h"

#define BENCH_MAX_REPS 16
#define BENCH_FILL UINT32_MAX   /* bench_run_one's rep for the unmeasured TIME-WAIT fill */
#define BENCH_MAX_SECONDS 600

enum bench_mode { MODE_RING = 0, MODE_MEMIF, MODE_TAP_SRV, MODE_TAP_CLI, MODE_LINUX, MODE_COUNT };
enum bench_wl { WL_HANDSHAKE = 0, WL_CLOSE, WL_REQUEST, WL_COUNT };

/* A --count repetition still ends after this long, its rate taken over what completed (as
 * linux-bench's --count does). */
#define BENCH_COUNT_CAP_S 300.0

struct bench_opts {
	bool modes[MODE_COUNT];
	bool wls[WL_COUNT];
	double duration_s;          /* per repetition */
	uint64_t count;             /* per repetition instead: this many connections, timed (0: duration) */
	unsigned reps;
	unsigned concurrency;       /* connections in flight per client core */
	unsigned src_ips;
	unsigned msl_s;
	unsigned size;              /* request / response bytes */
	uint32_t tw_entries;        /* the closing side's TIME-WAIT table; 0: sized by bench_tw_entries() */
	const char *json, *csv, *plots;
	const char *root;           /* the source tree (drivers-config, bench) */
	const char *linux_bench;    /* path of the linux-bench program */
	const char *console;        /* path of synack-console (memif mode's server process) */
	bool quick;
	bool steady;                /* close, request: run 2 x MSL unmeasured first: TIME-WAIT at its steady state */
	bool huge;                  /* synack's processes on hugepages (EAL memory and the workers' tables) */
	int argc;                   /* the command line as given, for the JSON's meta (getopt permutes argv: */
	char **argv;                /* ... this is a copy made before) */
	time_t started;             /* when the run began */
};

/* The figures a result measured, beyond the rates and counts every result has. The JSON and CSV
 * leave the others empty (null): a 0 there would read as measured, no cycles or no TIME-WAIT. */
enum {
	BENCH_HAS_CYCLES_CLIENT = 1u << 0,
	BENCH_HAS_CYCLES_SERVER = 1u << 1,
	BENCH_HAS_TIMEWAIT = 1u << 2,   /* tw_peak, tw_evicted: the side that closes first is synack's */
	BENCH_HAS_SIZES = 1u << 3,      /* bytes_tcb, bytes_tw, tw_cap: synack's structures */
	BENCH_HAS_FILL = 1u << 4,       /* fill_s, fill_rate: a 2 x MSL fill ran */
	BENCH_HAS_RSS = 1u << 5,        /* peak_rss_kb: the process that ran the workload */
};

struct bench_result {
	bool done;
	unsigned has;                       /* BENCH_HAS_* */
	enum bench_mode mode;
	enum bench_wl wl;
	unsigned nreps;
	double rate[BENCH_MAX_REPS];        /* connections/s of each repetition */
	double median, min, max;
	uint64_t started, completed, failed;/* over all repetitions */
	double cycles_client, cycles_server;/* busy TSC cycles per connection (ring) or CPU time x TSC Hz (linux) */
	uint64_t p50_ns, p99_ns, p999_ns;
	uint64_t tw_peak;                   /* TIME-WAIT entries held at most (both sides: the closer's) */
	uint64_t tw_evicted;                /* TIME-WAITs ended before 2 x MSL, the table full (fill included) */
	uint64_t tw_cap;                    /* the closing side's TIME-WAIT table: entries it holds */
	double fill_s;                      /* close, request: seconds run before the measured repetitions (steady) */
	double fill_rate;                   /* ... and its connections/s over the last 2 x MSL */
	uint64_t tw_bytes;                  /* ... and what they weigh */
	unsigned bytes_tcb, bytes_tw;
	uint64_t peak_rss_kb;
	double xcore_ns[2];                 /* cross-core round trip just before and after the mode ran */
	unsigned nseries;
	double series[BENCH_MAX_SECONDS];   /* connections/s, second by second, over the repetitions */
	uint8_t series_rep[BENCH_MAX_SECONDS]; /* ... the repetition each second is of, from 1 */
	struct synack_hist lat;             /* connect latency */
};

extern const char *const bench_mode_names[MODE_COUNT];
extern const char *const bench_wl_names[WL_COUNT];

void bench_summarise(struct bench_result *r);
/* HdrHistogram's percentile distribution of h (its .hgrm rows): row() for each level, with the
 * highest value of the bucket that reaches it (within h's exact maximum) and the count up to
 * there; five levels per halving of the distance to 100 %, up to the level where the last value
 * is reached; then level 1 at the maximum. Nothing for an empty histogram. */
void bench_percentiles(const struct synack_hist *h, void (*row)(void *arg, uint64_t value, double level, uint64_t total),
		       void *arg);
/* One second of repetition rep (from 0) into r's series: its connections/s. */
void bench_series_add(struct bench_result *r, unsigned rep, double rate);
/* The Linux result of workload w, the one synack's are set beside; NULL when Linux did not run it. */
const struct bench_result *bench_linux_of(const struct bench_result res[MODE_COUNT][WL_COUNT], unsigned w);
void bench_print_table(FILE *f, const struct bench_result res[MODE_COUNT][WL_COUNT], const struct bench_opts *o);
int bench_write_json(const char *path, const struct bench_result res[MODE_COUNT][WL_COUNT], const struct bench_opts *o);
int bench_write_csv(const char *path, const struct bench_result res[MODE_COUNT][WL_COUNT]);
int bench_write_plots(const char *dir, const struct bench_result res[MODE_COUNT][WL_COUNT]);

/* Runners: fill res[mode][wl] for the selected workloads; return 0 or -1 with a message printed. */
int bench_run_linux(const struct bench_opts *o, struct bench_result res[WL_COUNT]);
int bench_run_ring(const struct bench_opts *o, struct bench_result res[WL_COUNT]);
int bench_run_memif(const struct bench_opts *o, struct bench_result res[WL_COUNT]);
int bench_run_tap(const struct bench_opts *o, struct bench_result srv[WL_COUNT], struct bench_result cli[WL_COUNT]);

/* Shared by the synack modes. */
struct synack_engine;
/* The server side's busy cycles and TIME-WAIT entries; known: it answered (else all 0). */
struct bench_srv_stats {
	uint64_t busy_cycles, tw_in_use, tw_evicted;
	bool known;
};
typedef void (*server_stats_fn)(struct synack_engine *e, void *arg, struct bench_srv_stats *out);
int bench_run_one(struct synack_engine *e, const struct bench_opts *o, enum bench_wl wl, unsigned rep,
		  struct bench_result *r, uint32_t dst, server_stats_fn server_stats, void *arg);
double bench_now_s(void);
/* The cross-core cache-line round trip between CPUs 0 and 1, in ns (bench_xcore.c). */
double bench_xcore_rtt_ns(void);
/* TIME-WAIT table sizes. The side that closes first holds TIME-WAIT: the client in close, the
 * server in request (handshake ends in a RST: none). Its table is sized for o's run
 * (bench_tw_entries); the other side's is small. */
#define BENCH_TW_SMALL 65536u
uint32_t bench_tw_entries(const struct bench_opts *o);
uint32_t bench_tw_client(const struct bench_opts *o);
uint32_t bench_tw_server(const struct bench_opts *o);
/* A result's identity and sizes; its summary once its repetitions are in. */
void bench_result_begin(struct bench_result *r, enum bench_mode mode, enum bench_wl wl);
void bench_result_end(struct bench_result *r, int rc);
/* Every selected workload, o->reps times, from e's client worker against dst (ring and memif). */
int bench_run_synack(struct synack_engine *e, const struct bench_opts *o, enum bench_mode mode,
		     struct bench_result res[WL_COUNT], uint32_t dst, server_stats_fn server_stats, void *arg);

/* Linux's side (bench_linux.c), also used by the tap mode. */
#include <sys/types.h>
pid_t bench_linux_server(const struct bench_opts *o, unsigned w, const char *addr, unsigned port, const char *ns,
			 int *fd);
double bench_linux_server_end(pid_t sp, int sfd);
int bench_linux_client(const struct bench_opts *o, unsigned w, const char *dst, unsigned srcs, const char *ns,
		       struct bench_result *r, unsigned k);
void bench_linux_add_server(const struct bench_opts *o, struct bench_result *r, double cpu_s, uint64_t completed);

/* A synack-console server process driven through its --control FIFO (bench_memif.c). */
struct bench_server {
	int pid;
	char dir[64], log[128], fifo[128], sock[128];
};
int bench_server_dir(struct bench_server *s);
int bench_server_start(const struct bench_opts *o, struct bench_server *s, const char *cfg_name, const char *set1,
		       const char *set2, const char *ns, uint32_t tw_entries);
void bench_server_stats(struct synack_engine *e, void *arg, struct bench_srv_stats *out);
void bench_server_stop(struct bench_server *s);
uint64_t bench_peak_rss_kb(void);
/* In a child just forked from parent: SIGTERM when the parent dies, so that a synack-bench killed
 * mid-run leaves no workload process, memif server or Linux peer behind (each stops on SIGTERM). */
void bench_die_with_parent(pid_t parent);
/* What a SIGTERM or SIGINT to this process removes before it dies (killed midway, synack-bench
 * leaves nothing behind): server s's files, network namespace ns (tap mode); NULL: nothing. */
void bench_on_stop_server(struct bench_server *s);
void bench_on_stop_netns(const char *ns);

#endif
