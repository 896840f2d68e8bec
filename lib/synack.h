/* synack.h: the public API of the synack engine: start DPDK and the worker cores from a
 * drivers-config file, listen and connect, read counters and connections, stop. Programs
 * (synack-console, synack-gen, synack-bench) use only this header.
 *
 * Threads: the calls here are made from the control thread (the main lcore). They never write a
 * worker's state: configuration changes travel to each worker over its message ring and take effect
 * on its next poll; reads (stats, connections) are lock-free snapshots of single-writer data. */
#ifndef SYNACK_H
#define SYNACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNACK_MAX_WORKERS 16

struct synack_engine;

/* Built-in services a listening port can run. */
enum synack_service {
	SYNACK_SVC_ECHO = 0,     /* every byte back */
	SYNACK_SVC_DISCARD,      /* swallow everything */
	SYNACK_SVC_HTTP,         /* HTTP/1.1 200 with a body of body_size bytes; Connection: close or keep-alive */
	SYNACK_SVC_RR,           /* request/response: body_size bytes received answered with body_size bytes, then
	                          * closed (keep-alive: every body_size bytes answered, the peer closes) */
	SYNACK_SVC_COUNT
};
const char *synack_service_name(unsigned s);

/* Counters of one worker core, each written by that core only. */
struct synack_core_stats {
	uint64_t rx_pkts, tx_pkts, rx_bytes, tx_bytes;
	uint64_t rx_arp, rx_icmp, rx_tcp, rx_other;
	uint64_t tx_arp, tx_icmp, tx_dropped;           /* tx_dropped: the port refused the burst */
	uint64_t drop_parse[32];                        /* by enum synack_parse_err */
	uint64_t drop_not_ours;                         /* IPv4 not addressed to this port */
	uint64_t drop_no_mbuf, drop_no_sendbuf, drop_pool_full, drop_synrcv_evicted;
	uint64_t drop_tw_full;                          /* TIME-WAIT table full: kept in the full TCB */
	uint64_t tw_evicted;                            /* ... and the pool short: a TIME-WAIT ended early */
	uint64_t handoff_out, handoff_in, handoff_drops;/* packets passed to their owner core */
	uint64_t conns_opened, conns_failed, conns_closed; /* opened: active opens established */
	uint64_t conns_accepted;                        /* passive opens established (a listener's) */
	uint64_t arp_misses, arp_failed;                /* arp_failed: connections given up unresolved */
	uint64_t conns_completed;                       /* client: did what its script asked (synack_load_counters) */
	uint64_t load_no_port;                          /* client: no free local port for a tuple */
	uint64_t rx_held;                               /* segments whose bytes an application left (held) */
	uint64_t rx_held_copied;                        /* ... from the out-of-order queue: copied to an mbuf */
	uint64_t acks_delayed;                          /* ACKs that waited for something to carry them (RFC 1122) */
	uint64_t delacks_sent;                          /* ... and went alone when the delay ran out */
	uint64_t actions_overflow;                      /* actions the core could not list (a bug if any) */
	uint64_t timers_fired;
	uint64_t loops, busy_loops;
	uint64_t busy_cycles;                           /* TSC cycles spent in loops that did work */
	/* gauges */
	uint64_t conns_in_use, tw_in_use, synrcv_in_use, timers_armed;
	uint64_t per_state[11];
};

/* Options for synack_engine_start beyond the config file. */
struct synack_start_opts {
	const char *config_path;        /* a drivers-config INI file */
	const char *const *sets;        /* "port0.ip=198.18.1.2/24" overrides, NULL-terminated, or NULL */
	const char *file_prefix;        /* EAL --file-prefix; NULL: --in-memory */
	bool huge;                      /* use hugepages (default: --no-huge) */
	unsigned mem_mb;                /* EAL -m when not using hugepages (default 1024) */
	const char *lcores;             /* EAL -l; NULL: main core + one per worker */
	bool verbose;                   /* EAL log level info instead of warnings */
};

/* Starts EAL, the ports and the workers. Returns NULL and writes a one-line reason into err. */
struct synack_engine *synack_engine_start(const struct synack_start_opts *o, char *err, size_t errlen);
/* Stops the workers, closes every connection, frees everything (EAL cleanup too). */
void synack_engine_stop(struct synack_engine *e);

unsigned synack_workers(const struct synack_engine *e);

/* Control (through the workers' rings; each returns 0 or -errno once every worker has applied it). */
int synack_listen(struct synack_engine *e, uint16_t port, enum synack_service svc, uint32_t body_size,
		  bool keepalive);
int synack_unlisten(struct synack_engine *e, uint16_t port);
/* Opens count connections to ip:port spread over the workers (the console's connect): without a
 * path, each connects then closes; with one, each sends an HTTP/1.1 GET of it and closes after
 * the response (the load's built-in scripts, lib/load/script.h). */
int synack_connect(struct synack_engine *e, uint32_t ip, uint16_t port, uint32_t count, const char *http_path);
int synack_set_msl(struct synack_engine *e, uint32_t msl_s);

/* Generated load (synack-gen, synack-bench, the console's connect and load commands). Each client
 * worker of the port the destinations route through takes its share of the rate, the concurrency
 * cap and the count. Connections start paced from the TSC (open loop, rate > 0) or as others end
 * (closed loop, rate 0), at most `concurrency` open at once: a start the cap holds back waits and
 * is counted (held). Each start picks a destination and a script by weight; a script is an
 * application (synack_app.h) run on the connection, with its argument. */
#define SYNACK_LOAD_MAX_DST 16
#define SYNACK_LOAD_MAX_SCRIPTS 8
#define SYNACK_LOAD_ALL UINT32_MAX      /* synack_load_counters / _hist: every script */

struct synack_app;

struct synack_load_dst {
	uint32_t ip;
	uint16_t port;
	uint32_t weight;                /* 0 counts as 1 */
};

struct synack_load_script {
	const struct synack_app *app;
	void *arg;                      /* synack_conn_arg() of its connections */
	uint32_t weight;                /* 0 counts as 1 */
};

struct synack_load {
	struct synack_load_dst dst[SYNACK_LOAD_MAX_DST];
	unsigned ndst;
	struct synack_load_script script[SYNACK_LOAD_MAX_SCRIPTS];
	unsigned nscripts;
	uint32_t src_first;             /* first source address; 0: the port's own */
	uint32_t src_ips;               /* source addresses from src_first up (0: 1) */
	uint16_t sport_lo, sport_hi;    /* source ports (0, 0: 10000-65535) */
	double rate;                    /* connections/s over every worker; 0: closed loop */
	double ramp_s;                  /* linear ramp from 0 to rate */
	uint64_t concurrency;           /* connections open at once over every worker (0: closed loop 256 a
					 * worker; open loop no cap but the connection table's size) */
	uint64_t count;                 /* connections to start in all; 0: until synack_load_stop */
	uint32_t connect_timeout_ms;    /* a connection not established this long after its first SYN
					 * is given up (outcome connect-timeout); 0: its SYN retries
					 * decide (engine.syn_retries: 247 s by default) */
};
int synack_load_start(struct synack_engine *e, const struct synack_load *l);
int synack_load_stop(struct synack_engine *e);

/* A load's counters, per script or summed (script SYNACK_LOAD_ALL), per worker or summed (worker
 * SYNACK_LOAD_ALL). Each worker's are one consistent snapshot: started = completed + the failed
 * kinds + in_flight holds in every one. */
struct synack_load_counters {
	uint64_t started, completed;
	uint64_t failed[16];            /* by enum synack_outcome (OK and NONE unused) */
	uint64_t in_flight;             /* started, not yet ended */
	uint64_t held;                  /* starts that waited for the concurrency cap */
	uint64_t no_tuple;              /* starts that found no free source tuple (retried) */
	uint64_t late;                  /* open loop: starts the schedule had due by the stop and that
					 * were never made (the generator or its port behind) */
	uint64_t requests;              /* requests the scripts made */
	uint64_t to_start;              /* starts still to make (UINT64_MAX: until stopped) */
	uint64_t resolving;             /* workers whose load waits for its destinations' ARP answers */
};
uint64_t synack_load_failed_total(const struct synack_load_counters *c);
void synack_load_counters(const struct synack_engine *e, unsigned worker, unsigned script,
			  struct synack_load_counters *out);
/* Latency of the load's connections, ns: connect (SYN sent -> SYN-ACK received), the first byte
 * of the answer, the script's end; from the SYN, or (corrected) from the start's intended time in
 * open loop, as wrk2 corrects for coordinated omission. Merged over workers into out (which the
 * caller zeroes or accumulates into). */
enum synack_lat { SYNACK_LAT_CONNECT = 0, SYNACK_LAT_FIRST_BYTE, SYNACK_LAT_DONE, SYNACK_LAT_COUNT };
struct synack_hist;
void synack_load_hist(const struct synack_engine *e, unsigned script, enum synack_lat k, bool corrected,
		      struct synack_hist *out);
/* The connect latencies of every script, uncorrected (synack-bench's figure). */
void synack_load_latency(const struct synack_engine *e, struct synack_hist *out);
/* The TSC rate the engine converts cycles with. */
uint64_t synack_tsc_hz(const struct synack_engine *e);

/* Snapshots. */
struct synack_tcp_stats;
/* The protocol core's counters of one worker (SYNs, handshakes, resets, challenge ACKs, cookies,
 * retransmissions...: struct synack_tcp_stats in lib/tcp/tcp.h), and their sum over workers. */
void synack_tcp_counters(const struct synack_engine *e, unsigned worker, struct synack_tcp_stats *out);
void synack_tcp_counters_total(const struct synack_engine *e, struct synack_tcp_stats *out);
void synack_stats(const struct synack_engine *e, unsigned worker, struct synack_core_stats *out);
void synack_stats_total(const struct synack_engine *e, struct synack_core_stats *out);

struct synack_conn_info {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint8_t state;                  /* enum synack_state */
	uint8_t worker;
	uint32_t snd_una, snd_nxt, rcv_nxt, snd_wnd, rcv_wnd;
	uint32_t send_q, recv_q;        /* bytes unacknowledged / unread, as ss shows */
	uint32_t rto_ms;
	uint64_t timer_ms;              /* ms until the next timer of this connection; 0 none */
};
/* Calls fn for every connection (TIME-WAIT entries included) of every worker, until fn returns
 * non-zero. Each entry is a consistent snapshot (never torn). Returns the number visited. */
unsigned synack_conn_foreach(const struct synack_engine *e, int (*fn)(const struct synack_conn_info *, void *),
			     void *arg);

struct synack_port_stats {
	char name[32];
	char driver[32];
	uint32_t ip;
	uint8_t prefix, mac[6];
	uint64_t ipackets, opackets, ibytes, obytes, imissed, ierrors, oerrors, rx_nombuf;
};
unsigned synack_ports(const struct synack_engine *e);
int synack_port_stats(const struct synack_engine *e, unsigned port, struct synack_port_stats *out);

/* The response the first connection of the last connect command received (its first 1 KB), from
 * the lowest worker that has one. Returns its length (0: none yet). */
size_t synack_last_response(const struct synack_engine *e, char *buf, size_t len);

/* Listeners currently configured (as seen by worker 0). */
struct synack_listener_info {
	uint16_t port;
	uint8_t service;
	uint8_t keepalive;
	uint32_t body_size;
};
unsigned synack_listeners(const struct synack_engine *e, struct synack_listener_info *out, unsigned max);

#endif
