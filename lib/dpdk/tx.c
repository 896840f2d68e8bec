/* tx.c: segments into mbufs and out of the ports (tx.h). */
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include <rte_ethdev.h>
#include <string.h>

#include "net/build.h"
#include "net/wire.h"
#include "tx.h"

bool synack_have_prefetchw;

static void __attribute__((constructor)) prefetchw_probe(void)
{
#if defined(__x86_64__)
	unsigned a, b, c, d;
	if (__get_cpuid(0x80000001u, &a, &b, &c, &d))
		synack_have_prefetchw = (c >> 8) & 1;
#endif
}

/* A fresh mbuf from the pool: its frame will start at the headroom. */
static inline void fresh_prefetch(const struct rte_mbuf *m) { synack_mbuf_prefetch_w(m, synack_frame_guess(m)); }

/* Sends what port's buffer holds. What the port does not take (its ring or queue is full) stays,
 * in order, for the next burst: a full queue is a moment's backlog, and a segment given up here
 * costs its connection a whole retransmission timeout (a SYN: a second, RFC 6298 §2). Only a
 * buffer the port took nothing from is halved, its oldest given up and counted in tx_dropped. */
static void tx_burst(struct synack_worker *w, unsigned port)
{
	struct rte_mbuf **b = w->txb[port];
	uint16_t n = w->ntx[port];
	uint16_t sent = rte_eth_tx_burst(w->e->ports[port].port_id, (uint16_t)w->id, b, n);
	uint16_t left = (uint16_t)(n - sent);
	if (left && left == SYNACK_TX_BUF) {
		const uint16_t drop = SYNACK_TX_BUF / 2;
		rte_pktmbuf_free_bulk(b, drop);
		w->ep.stats.tx_dropped += drop;
		sent = drop;
		left = (uint16_t)(SYNACK_TX_BUF - drop);
	}
	if (left && sent)
		memmove(b, b + sent, left * sizeof(*b));
	w->ntx[port] = left;
}

void synack_tx_enqueue(struct synack_worker *w, unsigned port, struct rte_mbuf *m)
{
	w->txb[port][w->ntx[port]++] = m;
	if (w->ntx[port] == SYNACK_TX_BUF)
		tx_burst(w, port);
	w->ep.stats.tx_pkts++;
	w->ep.stats.tx_bytes += m->pkt_len;
}

void synack_tx_flush(struct synack_worker *w)
{
	uint32_t backlog = 0;
	for (unsigned p = 0; p < w->e->nports; p++)
		if (w->ntx[p]) {
			tx_burst(w, p);
			backlog |= (uint32_t)(w->ntx[p] != 0) << p;
		}
	w->tx_backlog = backlog;
}

void synack_tx_discard(struct synack_worker *w)
{
	for (unsigned p = 0; p < w->e->nports; p++) {
		rte_pktmbuf_free_bulk(w->txb[p], w->ntx[p]);
		w->ep.stats.tx_dropped += w->ntx[p];
		w->ntx[p] = 0;
	}
	for (; w->mst_i != w->mst_n; w->mst_i++)
		rte_mempool_put(w->pool, w->mst[w->mst_i % SYNACK_MSTASH_RING]);
	w->mst_i = w->mst_n = 0;
}

/* A fresh mbuf for a frame we originate. Taken from a per-worker stash whose next entries' header
 * and frame lines are prefetched for writing a few frames ahead: in the ring benchmark each fresh
 * mbuf was last touched by the core that freed it, and the first stores into its header were a
 * quarter of the client core's time. The stash is a ring refilled 32 at a time while AHEAD
 * entries are still in it, so that the prefetching runs on across refills (a stash refilled
 * only once empty began each batch with its first frames' lines not yet asked for). */
static inline struct rte_mbuf *mbuf_get(struct synack_worker *w)
{
	static_assert(SYNACK_MSTASH_RING % SYNACK_MSTASH == 0 && SYNACK_MSTASH > SYNACK_MSTASH_AHEAD,
		      "the stash's refills must not wrap inside a batch");
	if (w->mst_n - w->mst_i <= SYNACK_MSTASH_AHEAD) {
		/* mst_n is a multiple of SYNACK_MSTASH: the batch lies in one piece of the ring. */
		uint32_t at = w->mst_n % SYNACK_MSTASH_RING;
		if (rte_mempool_get_bulk(w->pool, (void **)&w->mst[at], SYNACK_MSTASH) == 0) {
			/* The entries up to AHEAD past the next one not yet asked for. The indexes run
			 * free and wrap (every ten minutes or so at full rate): compared as distances. */
			for (uint32_t k = w->mst_n - w->mst_i; k < SYNACK_MSTASH_AHEAD; k++)
				fresh_prefetch(w->mst[(w->mst_i + k) % SYNACK_MSTASH_RING]);
			w->mst_n += SYNACK_MSTASH;
		} else if (w->mst_i == w->mst_n) {
			return rte_pktmbuf_alloc(w->pool);
		}
	}
	struct rte_mbuf *m = w->mst[w->mst_i % SYNACK_MSTASH_RING];
	if (w->mst_n - w->mst_i > SYNACK_MSTASH_AHEAD)
		fresh_prefetch(w->mst[(w->mst_i + SYNACK_MSTASH_AHEAD) % SYNACK_MSTASH_RING]);
	w->mst_i++;
	synack_mbuf_reset(m);
	return m;
}

/* Builds s into an mbuf (the frame being handled, when rx_ok and it is free) and queues it. */
void synack_tx_seg(void *arg, unsigned port, struct synack_conn *c, const struct synack_seg *s, const uint8_t mac[6],
		   bool rx_ok)
{
	struct synack_worker *w = arg;
	struct rte_mbuf *m;
	if (rx_ok && w->rx_reuse) {
		m = w->rx_reuse;
		w->rx_reuse = NULL;
		synack_mbuf_reset(m);
	} else {
		m = mbuf_get(w);
		if (!m) {
			w->ep.stats.drop_no_mbuf++;
			return;
		}
	}
	const struct synack_port_rt *pr = &w->e->ports[port];
	/* The frame is written into the empty mbuf's room, then its length set from what the builder
	 * wrote: a segment without payload needs no header length first (the builder plans the
	 * options once). Payload goes in first, after the headers, for the checksum to cover it. */
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	size_t room = rte_pktmbuf_tailroom(m);
	if (s->len && c) {
		size_t hl = synack_ipv4_tcp_hlen(s);
		if (SYNACK_ETH_HLEN + hl + s->len > room)
			goto no_room;
		synack_ep_stream_copy(&w->ep, c, s->seq, p + SYNACK_ETH_HLEN + hl, s->len);
	}
	synack_build_eth(p, mac, pr->mac.addr_bytes, SYNACK_ETHERTYPE_IPV4);
	size_t ipl = room > SYNACK_ETH_HLEN ? synack_build_ipv4_tcp(p + SYNACK_ETH_HLEN, room - SYNACK_ETH_HLEN, s, NULL,
								     pr->tx_csum || pr->in_process)
					    : 0;
	if (!ipl)
		goto no_room;
	m->data_len = (uint16_t)(SYNACK_ETH_HLEN + ipl);
	m->pkt_len = m->data_len;
	if (pr->tx_csum) {
		m->tx_offload = 0;
		m->l2_len = SYNACK_ETH_HLEN;
		m->l3_len = SYNACK_IP4_HLEN;
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	}
	synack_tx_enqueue(w, port, m);
	return;
no_room:
	rte_pktmbuf_free(m);
	w->ep.stats.drop_no_mbuf++;
}

/* Bytes an application leaves unread stay in the frame they came in: the record goes at the start
 * of its buffer, in the headroom before the frame (a received frame keeps the default headroom),
 * and the mbuf is neither freed nor reused for a reply until the bytes are all taken. Bytes that
 * are not the frame's (delivered from the out-of-order queue, whose slot is reused) are copied
 * into a fresh mbuf, held the same way. */
struct synack_held *synack_rx_hold(void *arg, const uint8_t *p, uint32_t len)
{
	struct synack_worker *w = arg;
	struct rte_mbuf *m = w->rx_m;
	if (!m || w->rx_reuse != m || m->data_off < sizeof(struct synack_held) ||
	    p < rte_pktmbuf_mtod(m, const uint8_t *) || p + len > rte_pktmbuf_mtod(m, const uint8_t *) + m->data_len) {
		if (m && p >= rte_pktmbuf_mtod(m, const uint8_t *) &&
		    p + len <= rte_pktmbuf_mtod(m, const uint8_t *) + m->data_len)
			return NULL;    /* the frame's, but it is taken already: cannot happen */
		m = mbuf_get(w);
		if (!m || rte_pktmbuf_tailroom(m) < len || m->data_off < sizeof(struct synack_held)) {
			if (m)
				rte_pktmbuf_free(m);
			return NULL;
		}
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
		memcpy(d, p, len);
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		struct synack_held *h = m->buf_addr;
		h->frame = m;
		h->p = d;
		h->len = len;
		w->ep.stats.rx_held_copied++;
		return h;
	}
	w->rx_reuse = NULL;
	struct synack_held *h = m->buf_addr;
	h->frame = m;
	h->p = p;
	h->len = len;
	return h;
}

void synack_rx_release(void *arg, struct synack_held *h)
{
	synack_mbuf_free(arg, h->frame);
}
