/* engine_internal.h: the engine's runtime structures: ports, listeners, control messages and the
 * per-worker state that one lcore owns. Shared by engine.c (control thread) and worker.c (lcores). */
#ifndef SYNACK_DPDK_ENGINE_INTERNAL_H
#define SYNACK_DPDK_ENGINE_INTERNAL_H

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <stdbool.h>

#include "core/arp_cache.h"
#include "core/conn.h"
#include "core/histogram.h"
#include "core/timer_wheel.h"
#include "core/ctab.h"
#include "core/tw_table.h"
#include "dpdk/bigmem.h"
#include "dpdk/config.h"
#include "dpdk/steer.h"
#include "synack.h"
#include "synack_app.h"
#include "tcp/tcp.h"

#define SYNACK_MAX_PORTS 8
#define SYNACK_BURST 32
#define SYNACK_TX_BUF 64
#define SYNACK_MAX_LISTENERS 64
#define SYNACK_SBUF_SIZE 16384u     /* echo ring; also each connection's receive buffer */
#define SYNACK_TICK_NS 1000000ull   /* the timer wheel's tick: 1 ms */
#define SYNACK_CONNECT_INFLIGHT 256u /* client connections a worker keeps open at once */

struct synack_port_rt {
	uint16_t port_id;
	uint16_t nb_rxq, nb_txq;
	uint16_t wfirst, wcount;        /* the workers that poll this port (queue w - wfirst) and own its flows */
	uint32_t ip, gateway, mask;
	uint8_t prefix;
	struct rte_ether_addr mac;
	bool tx_csum;                   /* IPv4 + TCP checksum offload in use */
	bool rx_csum;
	bool in_process;                /* a ring pair: frames never leave this process's memory */
	struct synack_port_cfg cfg;
	struct synack_steer steer;      /* RSS model; enabled: replies are steered to their opener's queue */
};

struct synack_listener {
	const struct synack_app *app;
	uint16_t port;
	uint8_t svc, keepalive;
	uint32_t body;
	uint32_t hdr_len, resp_len;
	char hdr[192];
};

enum synack_msg_type {
	SYNACK_MSG_LISTEN = 1,
	SYNACK_MSG_UNLISTEN,
	SYNACK_MSG_CONNECT,
	SYNACK_MSG_MSL,
	SYNACK_MSG_LOAD,
	SYNACK_MSG_LOAD_STOP,
	SYNACK_MSG_STOP,
};

struct synack_msg {
	int type;
	struct synack_listener l;
	struct synack_load load;
	uint16_t port;
	uint32_t msl_s;
	int rc;
	volatile int done;
};

#define SYNACK_MSTASH 32       /* fresh mbufs a worker takes from the pool at once */
#define SYNACK_MSTASH_AHEAD 8  /* ... and prefetches this many frames ahead */
#define SYNACK_MSTASH_RING (2 * SYNACK_MSTASH) /* the stash: a ring refilled before it runs dry */
#define SYNACK_FREE_BATCH 64   /* received mbufs freed in one rte_mempool_put_bulk */
#define SYNACK_PROPS 8   /* active-open tuples proposed ahead (start_connects) */

struct synack_worker {
	/* ---- written by the worker on every packet ---- */
	struct synack_core_stats stats __attribute__((aligned(64)));
	struct synack_tcp_ctx ctx;
	uint64_t now_ns;
	uint64_t now_tsc;               /* the TSC at this loop's start; now_ns is the same instant */
	uint64_t tsc0, tsc_mult;        /* ns = (tsc - tsc0) * tsc_mult >> 32 */
	struct synack_ctab conn_tab;     /* tuple -> index in conns */
	struct synack_conn *conns;
	uint32_t nconns, nfree;
	uint32_t *free_idx;
	struct synack_tw_table tw;
	struct synack_wheel *wheel;
	uint8_t *sbuf_mem;              /* SYNACK_SBUF_SIZE per ring-stream slot */
	uint32_t *sbuf_free, nsbuf, nsbuf_free;
	struct synack_conn *synrcv_head, *synrcv_tail;
	uint32_t synrcv_count, synrcv_max;
	uint8_t cookie_mode;
	struct rte_mbuf *txb[SYNACK_MAX_PORTS][SYNACK_TX_BUF];
	struct rte_mbuf *mst[SYNACK_MSTASH_RING]; /* fresh mbufs taken ahead (mbuf_get) */
	uint32_t mst_i, mst_n;                 /* next to take, end of the filled part (free-running) */
	struct rte_mbuf *fb[SYNACK_FREE_BATCH]; /* received mbufs to give back at the loop's end */
	uint32_t nfb;
	uint16_t ntx[SYNACK_MAX_PORTS];
	struct synack_arp_cache arp;
	/* active opens still to start */
	/* The load this worker generates (a connect command, or synack-bench's). */
	struct {
		uint64_t todo;          /* connections still to start (UINT64_MAX: until stopped) */
		uint32_t ip;            /* destination */
		uint16_t port;
		uint8_t wl;             /* enum synack_workload */
		uint8_t port_idx;       /* the port it leaves by */
		uint32_t concurrency;   /* connections open at once */
		uint32_t src_ips;       /* source addresses: the port's address + 0 .. src_ips - 1 */
		uint32_t src_next;
		uint32_t size;          /* request / response bytes */
	} load;
	uint32_t client_open;           /* client connections not yet freed (TIME-WAIT excluded) */
	struct synack_hist lat;         /* connect latency, SYN sent -> SYN-ACK received, ns */
	uint64_t arp_asked_ns, arp_first_ns;  /* last ARP request for the next hop, and the first */
	uint16_t next_lport;
	bool lport_set;                 /* next_lport maps back to this worker (propose) */
	bool walk_wrapped;              /* the walk came back to its first port */
	uint16_t walk_first;            /* the walk's first local port (a walk spans loads: SYNACK_MSG_LOAD) */
	uint64_t tw_old_until_ns;       /* TIME-WAIT entries older than the walk last until then */
	struct synack_tuple prop[SYNACK_PROPS];  /* the next active opens' tuples, buckets prefetched */
	uint64_t prop_h[SYNACK_PROPS];  /* ... and their connection-table hashes */
	uint64_t prop_f[SYNACK_PROPS];  /* ... and their ISN's F (synack_tcp_isn_ahead) */
	uint32_t prop_head, nprop;
	uint32_t lport_cursor;          /* synack_steer_pick_lport's place in the ephemeral range */
	/* The first client connection after a connect command records its response (show response). */
	uint32_t rec_idx;               /* the recording connection, UINT32_MAX: none */
	bool rec_arm;                   /* the next active open records */
	uint32_t rec_len, rec_ver;      /* rec_ver: seqlock for the console's read */
	char rec[1024];
	/* listeners: lidx[port] = 1 + index into lst[], 0 when nobody listens */
	uint8_t lidx[65536];
	struct synack_listener lst[SYNACK_MAX_LISTENERS];
	unsigned nlst;
	/* ---- set up at start, read-only after ---- */
	unsigned id, lcore, nworkers;
	struct synack_engine *e;
	struct rte_ring *ctl;
	struct rte_ring *handoff_in[SYNACK_MAX_WORKERS]; /* one SPSC ring per sending worker */
	struct rte_mempool *pool;
	volatile int stop;
};

struct synack_engine {
	struct synack_config cfg;
	unsigned nports, nworkers;
	struct synack_port_rt ports[SYNACK_MAX_PORTS];
	struct synack_worker *w[SYNACK_MAX_WORKERS];
	struct rte_mempool *pool;
	struct synack_bigmem_heap pool_heap;  /* without hugepages: the pool's THP memory (bigmem.h) */
	char request[512];
	uint32_t request_len;
	uint64_t tsc_hz;
	bool eal_up;
	bool huge;                      /* EAL runs on hugepages (else the big tables use bigmem's THP) */
	bool own_prefix;                /* we named EAL's runtime directory: remove it at stop */
};

/* The built-in applications (services.c). */
const struct synack_app *synack_service_app(enum synack_service svc);
const struct synack_app *synack_workload_app(enum synack_workload wl);

/* For the built-in applications: the worker running the current callback, and queueing bytes of a
 * stream generated on the fly (c->stream says which) instead of copied into a ring. */
struct synack_worker *synack_cur_worker(void);
int synack_conn_send_generated(struct synack_conn *c, uint32_t n);

int synack_worker_main(void *arg);
int synack_worker_init(struct synack_engine *e, struct synack_worker *w, unsigned id, char *err, size_t errlen);
void synack_worker_free(struct synack_worker *w);
/* Builds the listener's response header for its body size and mode. */
void synack_listener_prepare(struct synack_listener *l);
/* How many addresses from the port's own up are this worker's on port p (a load's source spread). */
static inline uint32_t synack_local_span(const struct synack_worker *w, unsigned p)
{
	return p == w->load.port_idx && w->load.src_ips > 1 ? w->load.src_ips : 1;
}

/* The owner core of a tuple arriving on port, as every worker computes it: one of the port's
 * workers. On a steered port (one RSS queue per worker) the owner is the queue RSS gives the
 * peer's packets, for passive and active opens alike (start_connects picks local ports so). On
 * others: passive flows spread by the peer's port, active ones by the local port their opener
 * picked to map back to itself. */
static inline unsigned synack_owner(const struct synack_worker *w, unsigned port, uint32_t laddr, uint32_t raddr,
				    uint16_t lport, uint16_t rport)
{
	const struct synack_port_rt *pr = &w->e->ports[port];
	if (pr->steer.enabled)
		return pr->wfirst + synack_steer_queue(&pr->steer, raddr, laddr, rport, lport);
	if (pr->wcount == 1)
		return pr->wfirst;  /* no division on the per-packet path when a port has one worker */
	return pr->wfirst + (unsigned)(w->lidx[lport] ? rport : lport) % pr->wcount;
}

#endif
