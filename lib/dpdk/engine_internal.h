/* engine_internal.h: the engine's runtime structures: ports, listeners, control messages and the
 * per-worker state that one lcore owns. Shared by engine.c (control thread) and worker.c (lcores). */
#ifndef SYNACK_DPDK_ENGINE_INTERNAL_H
#define SYNACK_DPDK_ENGINE_INTERNAL_H

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <stdbool.h>

#include "core/arp_cache.h"
#include "core/endpoint.h"
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
#define SYNACK_EPH_LO 10000u /* the load's source ports start here by default */
#define SYNACK_PROPS 8   /* active-open tuples proposed ahead (start_connects) */

struct synack_worker {
	/* ---- written by the worker on every packet ---- */
	struct synack_ep ep;            /* its TCP endpoint: connections, timers, TIME-WAIT, counters */
	uint64_t now_tsc;               /* the TSC at this loop's start; ep.now_ns is the same instant */
	uint64_t tsc0, tsc_mult;        /* ns = (tsc - tsc0) * tsc_mult >> 32 */
	struct rte_mbuf *txb[SYNACK_MAX_PORTS][SYNACK_TX_BUF];
	struct rte_mbuf *mst[SYNACK_MSTASH_RING]; /* fresh mbufs taken ahead (mbuf_get) */
	uint32_t mst_i, mst_n;                 /* next to take, end of the filled part (free-running) */
	struct rte_mbuf *fb[SYNACK_FREE_BATCH]; /* received mbufs to give back at the loop's end */
	uint32_t nfb;
	uint16_t ntx[SYNACK_MAX_PORTS];
	uint32_t tx_backlog;            /* ports that refused part of the last loop's burst (bit a port) */
	struct rte_mbuf *rx_m;          /* the frame being handled (its payload is what data() reads) */
	struct rte_mbuf *rx_reuse;      /* ... while it is neither reused for a reply nor held */
	struct synack_arp_cache arp;
	/* The load this worker generates (synack_load_start): its share of the rate, the cap and the
	 * count; destinations and scripts (ep.script) picked by smooth weighted round robin. */
	struct {
		uint64_t todo;          /* closed loop: connections still to start (UINT64_MAX: until stopped) */
		bool open_loop;         /* paced: pacer says when (todo is then 0 or UINT64_MAX: running) */
		struct synack_pacer pacer;
		double rate, ramp_s;    /* the pacer's, to start its schedule again once ARP is done */
		uint64_t held_upto;     /* pacer starts up to here counted as held by the cap */
		uint8_t port_idx;       /* the port it leaves by */
		uint8_t ndst;
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
		int32_t script_cur[SYNACK_LOAD_MAX_SCRIPTS];
		uint32_t script_wsum;
	} load;
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
/* rx.c */
void synack_rx_burst(struct synack_worker *w, unsigned port, struct rte_mbuf **pkts, unsigned n);
void synack_rx_handoff(struct synack_worker *w, struct rte_mbuf **pkts, unsigned n);
/* open.c: the load's starts, a new load, its stop */
unsigned synack_open_starts(struct synack_worker *w);
int synack_open_load_begin(struct synack_worker *w, const struct synack_load *l);
void synack_open_load_stop(struct synack_worker *w);
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
	return pr->wfirst + (unsigned)(w->ep.lidx[lport] ? rport : lport) % pr->wcount;
}

#endif
