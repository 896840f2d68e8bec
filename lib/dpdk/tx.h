/* tx.h: a worker's frames out and mbufs back: the fresh-mbuf stash, segments built into mbufs
 * (the endpoint's io), the per-port TX buffers and their bursts, received mbufs freed in batches,
 * and received bytes an application holds kept in their mbufs. */
#ifndef SYNACK_DPDK_TX_H
#define SYNACK_DPDK_TX_H

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "engine_internal.h"

/* rte_pktmbuf_reset() without its stores into the header's second line (next, tx_offload):
 * next is NULL in every single-segment mbuf (the pool's invariant, kept by every free), and
 * tx_offload is read only under offload flags, which the segment builder sets together with it. A
 * line nobody writes stays shared in both cores' caches, so the core that frees the mbuf reads it
 * for free. */
static inline void synack_mbuf_reset(struct rte_mbuf *m)
{
	m->data_off = (uint16_t)RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM, m->buf_len);
	m->nb_segs = 1;
	m->port = RTE_MBUF_PORT_INVALID;
	m->ol_flags &= RTE_MBUF_F_EXTERNAL;
	m->packet_type = 0;
	m->pkt_len = 0;
	m->data_len = 0;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
}

/* Frees a received mbuf we are done with. One of ours, single, direct and unshared (the
 * common case) waits in a batch for one rte_mempool_put_bulk at the end of the loop, read
 * from its first header line only; anything else goes the general way. */
static inline __attribute__((always_inline)) void synack_mbuf_free(struct synack_worker *w, struct rte_mbuf *m)
{
	if (likely(m->pool == w->pool && rte_mbuf_refcnt_read(m) == 1 && m->nb_segs == 1 && RTE_MBUF_DIRECT(m))) {
		w->fb[w->nfb++] = m;
		if (w->nfb == SYNACK_FREE_BATCH) {
			rte_mempool_put_bulk(w->pool, (void **)w->fb, w->nfb);
			w->nfb = 0;
		}
		return;
	}
	rte_pktmbuf_free(m);
}

static inline void synack_mbuf_free_flush(struct synack_worker *w)
{
	if (w->nfb) {
		rte_mempool_put_bulk(w->pool, (void **)w->fb, w->nfb);
		w->nfb = 0;
	}
}

/* Where our pool's frames start (the default headroom): known before the mbuf header arrives. */
static inline const uint8_t *synack_frame_guess(const struct rte_mbuf *m)
{
	return (const uint8_t *)m + sizeof(*m) + RTE_PKTMBUF_HEADROOM;
}

/* PREFETCHW where the CPU has it (CPUID 0x80000001 ECX bit 8; every AMD64 and Intel since
 * Broadwell): a fresh mbuf's lines were last read by the other core, which keeps a copy, so a read
 * prefetch leaves the first store to wait for that copy's invalidation. The build's baseline
 * (-march=corei7) has no PRFCHW, so __builtin_prefetch(p, 1) compiles to a read prefetch. */
extern bool synack_have_prefetchw;

static inline void synack_prefetch_w(const void *p)
{
#if defined(__x86_64__)
	if (synack_have_prefetchw) {
		__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
		return;
	}
#endif
	__builtin_prefetch(p, 1, 3);
}

/* An mbuf's three lines a segment touches: its header and the frame's two. */
static inline void synack_mbuf_prefetch_w(const struct rte_mbuf *m, const uint8_t *frame)
{
	synack_prefetch_w(m);
	synack_prefetch_w(frame);
	synack_prefetch_w(frame + 64);
}

/* Queues m on port's TX buffer (a full one is sent at once). */
void synack_tx_enqueue(struct synack_worker *w, unsigned port, struct rte_mbuf *m);
/* The loop's end: every port's buffer sent, what a port refused kept for the next loop. */
void synack_tx_flush(struct synack_worker *w);
/* The worker's end: what no port took is freed (counted), and the stash given back. */
void synack_tx_discard(struct synack_worker *w);

/* The endpoint's io (endpoint.h) on mbufs: its arg is the worker. */
void synack_tx_seg(void *arg, unsigned port, struct synack_conn *c, const struct synack_seg *s, const uint8_t mac[6],
		   bool rx_ok);
struct synack_held *synack_rx_hold(void *arg, const uint8_t *p, uint32_t len);
void synack_rx_release(void *arg, struct synack_held *h);

#endif
