/* worker.c: a worker lcore: its poll loop, its control messages and its set-up. One worker owns
 * its endpoint (connections, timers, TIME-WAIT entries, counters, ISN secret: lib/core/endpoint.h);
 * nothing here takes a lock, allocates or makes a syscall once the loop runs.
 *
 *   every loop: rx_burst on this core's queue of each port (rx.c) + the handoff rings from other
 *   cores -> control messages (listen, load, msl) -> the load's starts (open.c) -> the endpoint's
 *   timers and TIME-WAIT ends -> tx_burst of what was built (tx.c) -> mbufs back in one put. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdio.h>
#include <string.h>

#include "bigmem.h"
#include "tx.h"

static inline uint64_t tsc_ns(const struct synack_worker *w, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - w->tsc0) * w->tsc_mult) >> 32);
}

static void handle_msg(struct synack_worker *w, struct synack_msg *msg)
{
	int rc = 0;
	switch (msg->type) {
	case SYNACK_MSG_LISTEN:
		rc = synack_ep_listen(&w->ep, &msg->l);
		break;
	case SYNACK_MSG_UNLISTEN:
		rc = synack_ep_unlisten(&w->ep, msg->port);
		break;
	case SYNACK_MSG_LOAD:
		rc = synack_open_load_begin(w, &msg->load);
		break;
	case SYNACK_MSG_LOAD_STOP:
		synack_open_load_stop(w);
		break;
	case SYNACK_MSG_MSL:
		w->ep.ctx.cfg.msl_ms = msg->msl_s * 1000u;
		break;
	case SYNACK_MSG_STOP:
		w->stop = 1;
		break;
	}
	msg->rc = rc;
	__atomic_store_n(&msg->done, 1, __ATOMIC_RELEASE);
}

int synack_worker_main(void *arg)
{
	struct synack_worker *w = arg;
	struct synack_engine *e = w->e;
	struct rte_mbuf *pkts[SYNACK_BURST];
	uint64_t t0 = rte_rdtsc();
	while (!w->stop) {
		w->now_tsc = t0;
		w->ep.now_ns = tsc_ns(w, t0);
		unsigned work = 0;
		uint32_t rx_full = 0;
		for (unsigned p = 0; p < e->nports; p++) {
			const struct synack_port_rt *pr = &e->ports[p];
			if (w->id < pr->wfirst || w->id - pr->wfirst >= pr->nb_rxq)
				continue;
			uint16_t n = rte_eth_rx_burst(pr->port_id, (uint16_t)(w->id - pr->wfirst), pkts, SYNACK_BURST);
			if (!n)
				continue;
			rx_full |= (uint32_t)(n == SYNACK_BURST) << p;
			synack_rx_burst(w, p, pkts, n);
			work += n;
		}
		for (unsigned s = 0; s < w->nworkers; s++) {
			if (!w->handoff_in[s])
				continue;
			unsigned n = rte_ring_sc_dequeue_burst(w->handoff_in[s], (void **)pkts, SYNACK_BURST, NULL);
			synack_rx_handoff(w, pkts, n);
			work += n;
		}
		void *msg;
		while (rte_ring_sc_dequeue(w->ctl, &msg) == 0) {
			handle_msg(w, msg);
			work++;
		}
		/* An open loop's new connections wait while the load's port has a full burst waiting:
		 * finishing the connections under way comes first, else a generator short of cycles
		 * grows its in-flight set (and its cache misses) until its peer's queues overflow. The
		 * starts stay due: the corrected latency and the rate achieved show the delay. */
		if (w->load.todo || (w->load.open_loop && !(rx_full >> w->load.port_idx & 1)))
			work += synack_open_starts(w);
		work += synack_ep_advance(&w->ep, 256);
		synack_tx_flush(w);
		synack_mbuf_free_flush(w);
		w->ep.stats.loops++;
		/* One TSC read per loop: it ends this loop and starts the next. */
		uint64_t t1 = rte_rdtsc();
		if (work) {
			w->ep.stats.busy_loops++;
			w->ep.stats.busy_cycles += t1 - t0;
		}
		t0 = t1;
	}
	synack_tx_flush(w);
	synack_tx_discard(w);
	synack_mbuf_free_flush(w);
	return 0;
}

/* The endpoint's tables come from bigmem: on the worker's socket, on hugepages when EAL has them. */
static void *ep_alloc(void *arg, size_t size)
{
	const struct synack_engine *e = arg;
	return synack_bigmem_alloc(size, (int)rte_socket_id(), e->huge);
}

static void ep_free(void *arg, void *p, size_t size)
{
	const struct synack_engine *e = arg;
	synack_bigmem_free(p, size, e->huge);
}

int synack_worker_init(struct synack_engine *e, struct synack_worker *w, unsigned id, char *err, size_t errlen)
{
	const struct synack_engine_cfg_file *ec = &e->cfg.engine;
	char name[64];
	w->e = e;
	w->id = id;
	w->nworkers = e->nworkers;
	w->pool = e->pool;
	struct synack_ep_cfg cfg = { .id = id, .nconns = ec->tcb_per_core, .ntw = synack_config_timewait(ec, id),
				     .synrcv_max = ec->synrcv_per_core, .cookie_mode = ec->syncookies };
	cfg.nsbuf = ec->tcb_per_core < 4096 ? ec->tcb_per_core : 4096;
	synack_tcp_cfg_default(&cfg.tcp);
	cfg.tcp.msl_ms = ec->msl_s * 1000u;
	if (ec->mss)
		cfg.tcp.mss = ec->mss;
	if (ec->syn_retries)
		cfg.tcp.syn_retries = ec->syn_retries;
	if (ec->synack_retries)
		cfg.tcp.synack_retries = ec->synack_retries;
	cfg.tcp.rcv_buf = ec->rcv_buf ? ec->rcv_buf : SYNACK_SBUF_SIZE;
	cfg.sbuf_size = ec->snd_buf;
	if (ec->rto_min_ms)
		cfg.tcp.rto_min_ms = ec->rto_min_ms;
	cfg.ooo_slots = ec->ooo_per_core;
	cfg.ooo_per_conn = synack_config_ooo_per_conn(ec, cfg.tcp.rcv_buf);
	cfg.tcp.rst_limit = ec->rst_limit;
	cfg.delack_ms = ec->delack_ms;
	cfg.tcp.tlp = (uint8_t)ec->tlp;
	cfg.keepalive_s = ec->keepalive_s;
	cfg.keepalive_intvl_s = ec->keepalive_intvl_s;
	cfg.keepalive_probes = ec->keepalive_probes;
	cfg.tcp.invalid_ack_limit = ec->invalid_ack_limit;
	w->tsc0 = rte_rdtsc();
	w->tsc_mult = (uint64_t)(((unsigned __int128)SYNACK_NS_PER_S << 32) / e->tsc_hz);
	/* The clock starts at 1000 s so that "0" never means "now". */
	w->tsc0 -= e->tsc_hz * 1000;
	const struct synack_ep_io io = { w, synack_tx_seg, synack_rx_hold, synack_rx_release, NULL };
	const struct synack_ep_mem mem = { e, ep_alloc, ep_free };
	if (synack_ep_init(&w->ep, &cfg, &io, &mem, tsc_ns(w, rte_rdtsc()), err, errlen) != 0)
		return -1;
	snprintf(name, sizeof(name), "synack_ctl_%u", id);
	w->ctl = rte_ring_create(name, 64, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (!w->ctl) {
		snprintf(err, errlen, "worker %u: cannot create its control ring", id);
		return -1;
	}
	w->next_lport = (uint16_t)(SYNACK_EPH_LO + id);
	return 0;
}

void synack_worker_free(struct synack_worker *w)
{
	if (!w)
		return;
	synack_ep_free(&w->ep);
	rte_ring_free(w->ctl);
	for (unsigned s = 0; s < SYNACK_MAX_WORKERS; s++)
		rte_ring_free(w->handoff_in[s]);
}
