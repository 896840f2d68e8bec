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
#include "apps/apps.h"
#include "core/histogram.h"
#include "core/timer_wheel.h"
#include "core/ctab.h"
#include "core/tw_table.h"
#include "dpdk/bigmem.h"
#include "dpdk/config.h"
#include "dpdk/steer.h"
#include "load/pacer.h"
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
	void *arg;                      /* synack_conn_listener_arg() */
	uint16_t port;
	uint8_t svc, keepalive;         /* a built-in service (SYNACK_SVC_COUNT: the user's own app) */
	uint32_t body;
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
	uint32_t tx_backlog;            /* ports that refused part of the last loop's burst (bit a port) */
	struct synack_arp_cache arp;
	/* The load this worker generates (synack_load_start): its share of the rate, the cap and the
	 * count; destinations and scripts picked by smooth weighted round robin. */
	struct {
		uint64_t todo;          /* closed loop: connections still to start (UINT64_MAX: until stopped) */
		bool open_loop;         /* paced: pacer says when (todo is then 0 or UINT64_MAX: running) */
		struct synack_pacer pacer;
		double rate, ramp_s;    /* the pacer's, to start its schedule again once ARP is done */
		uint64_t held_upto;     /* pacer starts up to here counted as held by the cap */
		uint8_t port_idx;       /* the port it leaves by */
		uint8_t ndst, nscripts;
		bool resolved;          /* every destination's next hop has an ARP entry */
		uint32_t concurrency;   /* connections open at once */
		uint32_t src_first;     /* source addresses: src_first .. src_first + src_ips - 1 */
		uint32_t src_ips;
		uint32_t src_next;
		uint16_t sport_lo, sport_hi;
		struct synack_load_dst dst[SYNACK_LOAD_MAX_DST];
		uint32_t hop[SYNACK_LOAD_MAX_DST];        /* next hop of each destination */
		int32_t dst_cur[SYNACK_LOAD_MAX_DST];     /* weighted round robin state */
		uint32_t dst_wsum;
		struct synack_load_script script[SYNACK_LOAD_MAX_SCRIPTS];
		int32_t script_cur[SYNACK_LOAD_MAX_SCRIPTS];
		uint32_t script_wsum;
	} load;
	/* The load's counters, per script: written under lc_ver (a sequence lock) so that a reader's
	 * copy of one worker's is consistent (started = completed + failed + in flight). */
	uint32_t lc_ver;
	struct synack_load_counters lc[SYNACK_LOAD_MAX_SCRIPTS];
	/* Latency: per script, per kind, uncorrected [0] and from the intended start [1]. */
	struct synack_hist (*lh)[SYNACK_LAT_COUNT][2];
	uint64_t *t_intended;           /* per pool index: a client connection's intended start, ns */
	uint8_t *app_ctx;               /* per pool index: SYNACK_APP_CTX_MAX bytes (synack_conn_ctx) */
	struct rte_mbuf **held;         /* per pool index: received bytes the application has not taken */
	struct rte_mbuf *rx_m;          /* the frame handle_tcp is on (its payload is what data() reads) */
	bool rx_m_held;                 /* ... kept on a connection's held queue: not freed nor reused */
	uint32_t client_open;           /* client connections not yet freed (TIME-WAIT excluded) */
	uint64_t arp_asked_ns, arp_first_ns;  /* last ARP request for the next hop, and the first */
	uint16_t next_lport;
	bool lport_set;                 /* next_lport maps back to this worker (propose) */
	bool walk_wrapped;              /* the walk came back to its first port */
	uint16_t walk_first;            /* the walk's first local port (a walk spans loads: SYNACK_MSG_LOAD) */
	uint64_t tw_old_until_ns;       /* TIME-WAIT entries older than the walk last until then */
	struct synack_tuple prop[SYNACK_PROPS];  /* the next active opens' tuples, buckets prefetched */
	uint8_t prop_dst[SYNACK_PROPS]; /* ... their destination index */
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
	uint32_t lst_conns[SYNACK_MAX_LISTENERS];      /* connections that name each listener slot */
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
	/* Listener arguments of the built-in services (synack_listen), kept until the engine stops. */
	void *svc_args[SYNACK_MAX_LISTENERS * 4];
	unsigned nsvc_args;
	uint64_t tsc_hz;
	bool eal_up;
	bool huge;                      /* EAL runs on hugepages (else the big tables use bigmem's THP) */
	bool own_prefix;                /* we named EAL's runtime directory: remove it at stop */
};


int synack_worker_main(void *arg);
int synack_worker_init(struct synack_engine *e, struct synack_worker *w, unsigned id, char *err, size_t errlen);
void synack_worker_free(struct synack_worker *w);
/* Whether addr is one of ours on port p: the port's address, or one of the load's sources on the
 * port the load leaves by (they stay ours after the load, for their TIME-WAIT entries). */
static inline bool synack_is_local(const struct synack_worker *w, unsigned p, uint32_t addr)
{
	return addr == w->e->ports[p].ip ||
	       (p == w->load.port_idx && w->load.src_ips && addr - w->load.src_first < w->load.src_ips);
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
