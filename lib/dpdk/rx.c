/* rx.c: a worker's received frames: prefetched in stages over the burst, parsed (lib/net), ARP and
 * ICMP echo answered in place, another core's flow handed over on an SPSC ring, and a TCP segment
 * for one of our addresses given to the endpoint (lib/core/endpoint.h). */
#include <rte_byteorder.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <string.h>

#include "net/build.h"
#include "net/parse.h"
#include "net/wire.h"
#include "tcp/isn.h"
#include "tx.h"

_Static_assert(SYNACK_BURST <= 32, "rx_prefetch marks a burst's hashed frames in 32 bits");

#define RX_AHEAD 8
#define IP4 SYNACK_ETH_HLEN                     /* where the IPv4 header starts */
#define TCP4 (SYNACK_ETH_HLEN + SYNACK_IP4_HLEN) /* ... and TCP after an IPv4 header without options */

/* A port that cannot steer (tap, af_packet) brought another core's flow: hand it over. */
static void handoff(struct synack_worker *w, unsigned port, unsigned owner, struct rte_mbuf *m)
{
	struct rte_ring *r = w->e->w[owner]->handoff_in[w->id];
	m->port = (uint16_t)port;
	if (rte_ring_sp_enqueue(r, m) != 0) {
		w->ep.stats.handoff_drops++;
		synack_mbuf_free(w, m);
	} else {
		w->ep.stats.handoff_out++;
	}
}

/* Whether frame m, about the flow (laddr, raddr, lport, rport) on port, is for this core. If not,
 * it is dealt with: freed and counted when the address is not ours, else handed to its owner. */
static bool for_this_core(struct synack_worker *w, unsigned port, uint32_t laddr, uint32_t raddr, uint16_t lport,
			  uint16_t rport, struct rte_mbuf *m)
{
	if (!synack_is_local(w, port, laddr)) {
		w->ep.stats.drop_not_ours++;
		synack_mbuf_free(w, m);
		return false;
	}
	unsigned owner = synack_owner(w, port, laddr, raddr, lport, rport);
	if (owner != w->id) {
		handoff(w, port, owner, m);
		return false;
	}
	return true;
}

static void handle_tcp(struct synack_worker *w, unsigned port, const struct synack_pkt *pkt, struct rte_mbuf *m,
		       const uint64_t *hash)
{
	const struct synack_seg *s = &pkt->seg;
	if (!for_this_core(w, port, s->daddr, s->saddr, s->dport, s->sport, m))
		return;
	/* The frame may carry the first reply (synack_tx_seg) or stay held (synack_rx_hold); if
	 * neither took it, it goes back to the pool. */
	w->rx_m = w->rx_reuse = m;
	synack_ep_input(&w->ep, port, s, pkt->src_mac, hash);
	if (w->rx_reuse)
		synack_mbuf_free(w, w->rx_reuse);
	w->rx_m = w->rx_reuse = NULL;
}

/* hash: the frame's connection-table hash from rx_prefetch, or NULL. */
static void handle_pkt(struct synack_worker *w, unsigned port, struct rte_mbuf *m, const uint64_t *hash)
{
	const struct synack_port_rt *pr = &w->e->ports[port];
	if (m->nb_segs != 1) {
		/* Jumbo frames in chains are not expected at our MTU: count and drop. */
		w->ep.stats.rx_other++;
		synack_mbuf_free(w, m);
		return;
	}
	unsigned flags = pr->in_process ? SYNACK_PARSE_F_IP_CSUM_OK | SYNACK_PARSE_F_L4_CSUM_OK : 0;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		flags |= SYNACK_PARSE_F_IP_CSUM_OK;
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		flags |= SYNACK_PARSE_F_L4_CSUM_OK;
	struct synack_pkt pkt;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	enum synack_parse_err err = synack_parse_frame(d, m->data_len, flags, &pkt);
	if (err != SYNACK_PARSE_OK) {
		w->ep.stats.drop_parse[err < 32 ? err : 31]++;
		synack_mbuf_free(w, m);
		return;
	}
	switch (pkt.kind) {
	case SYNACK_PKT_TCP:
		w->ep.stats.rx_tcp++;
		handle_tcp(w, port, &pkt, m, hash);
		return;
	case SYNACK_PKT_ARP:
		w->ep.stats.rx_arp++;
		bool for_us = synack_is_local(w, port, pkt.arp.tpa);
		if (for_us || pkt.arp.op == SYNACK_ARP_OP_REPLY)
			synack_arp_learn(&w->arp, pkt.arp.spa, pkt.arp.sha, w->ep.now_ns);
		if (pkt.arp.op == SYNACK_ARP_OP_REQUEST && for_us) {
			struct synack_arp req = pkt.arp;
			synack_mbuf_reset(m);
			uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 60);
			if (p) {
				memset(p, 0, 60);
				synack_build_arp_reply(p, 60, &req, pr->mac.addr_bytes, req.tpa);
				w->ep.stats.tx_arp++;
				synack_tx_enqueue(w, port, m);
				return;
			}
		}
		break;
	case SYNACK_PKT_ICMP_FRAG: {
		/* A router could not forward one of our segments: for the connection that sent it, on
		 * the core that owns it. */
		const struct synack_icmp_frag *f = &pkt.frag;
		w->ep.stats.rx_icmp++;
		if (!for_this_core(w, port, f->laddr, f->raddr, f->lport, f->rport, m))
			return;
		const struct synack_tuple t = { f->laddr, f->raddr, f->lport, f->rport };
		synack_ep_frag_needed(&w->ep, &t, f->seq, f->mtu);
		break;
	}
	case SYNACK_PKT_ICMP_ECHO:
		w->ep.stats.rx_icmp++;
		if (pkt.icmp.type == SYNACK_ICMP_ECHO_REQUEST && pkt.icmp.daddr == pr->ip) {
			size_t n = synack_build_icmp_echo_reply(d, m->data_len, &pkt, pr->mac.addr_bytes);
			if (n) {
				w->ep.stats.tx_icmp++;
				synack_tx_enqueue(w, port, m);
				return;
			}
		}
		break;
	default:
		w->ep.stats.rx_other++;
		break;
	}
	synack_mbuf_free(w, m);
}

static inline void rx_prefetch_pkt(const struct rte_mbuf *m)
{
	const uint8_t *frame = synack_frame_guess(m);
	rte_prefetch0(m);
	rte_prefetch0(frame);
	rte_prefetch0(frame + 64);
}

/* What rx_prefetch learnt of a burst's frames, for their handling. */
struct rx_hints {
	uint32_t hashed;                        /* frames with a tuple k[i] and its table hash[i] */
	uint32_t syn;                           /* ... that are a SYN without ACK, with their ISN's isnf[i] */
	uint64_t hash[SYNACK_BURST];
	uint64_t isnf[SYNACK_BURST];
	struct synack_tuple k[SYNACK_BURST];
};

/* Before a burst is handled: the packets' mbuf headers and frame lines, RX_AHEAD packets ahead of
 * the pass that peeks at each frame's 4-tuple; from the tuple, the connection-table bucket it will
 * look up (and the TIME-WAIT one while that table is in use); then the connections the buckets
 * name. Misses overlap within each stage instead of coming one per packet. The frame is only
 * peeked at here: a guess that misses costs a useless prefetch, nothing else. */
static void rx_prefetch(struct synack_worker *w, struct rte_mbuf **pkts, unsigned n, struct rx_hints *hi)
{
	struct synack_ep *ep = &w->ep;
	/* Three lines per packet (the mbuf header, the frame's two), the other core wrote them all:
	 * a burst's 96 at once overflow the core's miss queue, so keep RX_AHEAD packets' worth in
	 * flight, ahead of the pass that reads them. */
	unsigned ahead = n < RX_AHEAD ? n : RX_AHEAD;
	for (unsigned i = 0; i < ahead; i++)
		rx_prefetch_pkt(pkts[i]);
	struct synack_tuple *k = hi->k;
	uint64_t *hash = hi->hash;
	uint32_t fin = 0;
	hi->hashed = hi->syn = 0;
	for (unsigned i = 0; i < n; i++) {
		if (i + RX_AHEAD < n)
			rx_prefetch_pkt(pkts[i + RX_AHEAD]);
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		/* IPv4 without options carrying TCP: the tuple is where the parser will find it. */
		if (pkts[i]->data_len < TCP4 + SYNACK_TCP_HLEN || synack_rd16(d + SYNACK_ETH_OFF_TYPE) != SYNACK_ETHERTYPE_IPV4 ||
		    d[IP4 + SYNACK_IP4_OFF_VIHL] != 0x45 || d[IP4 + SYNACK_IP4_OFF_PROTO] != SYNACK_IPPROTO_TCP)
			continue;
		const uint8_t *ip = d + IP4;
		struct synack_tuple *t = &k[i];
		memcpy(&t->raddr, ip + SYNACK_IP4_OFF_SADDR, 4);
		memcpy(&t->laddr, ip + SYNACK_IP4_OFF_DADDR, 4);
		memcpy(&t->rport, d + TCP4 + SYNACK_TCP_OFF_SPORT, 2);
		memcpy(&t->lport, d + TCP4 + SYNACK_TCP_OFF_DPORT, 2);
		t->raddr = rte_be_to_cpu_32(t->raddr);
		t->laddr = rte_be_to_cpu_32(t->laddr);
		t->rport = rte_be_to_cpu_16(t->rport);
		t->lport = rte_be_to_cpu_16(t->lport);
		uint8_t tf = d[TCP4 + SYNACK_TCP_OFF_FLAGS];
		if (tf & SYNACK_TH_FIN)
			fin |= 1u << i;
		/* A SYN or SYN-ACK is answered in its own mbuf (SYN-ACK, ACK): ask for its lines in
		 * exclusive state now, or the reply's stores queue until the sender's copies are gone
		 * and stall the next packet's. Segments that are only freed keep the shared state. */
		if (tf & SYNACK_TH_SYN) {
			synack_mbuf_prefetch_w(pkts[i], d);
			/* A SYN may open a connection: its ISN's F now, the burst's together, so that
			 * their AES chains overlap instead of each stalling its own SYN. */
			if (!(tf & SYNACK_TH_ACK)) {
				hi->isnf[i] = synack_isn_hash(&ep->ctx.isn_key, t);
				hi->syn |= 1u << i;
			}
		}
		hash[i] = synack_ctab_hash(&ep->conn_tab, t);
		hi->hashed |= 1u << i;
		synack_ctab_prefetch(&ep->conn_tab, hash[i]);
	}
	/* Then the connections the buckets name (their first line holds the tuple to compare), and
	 * the TIME-WAIT bucket only where it will be read: no connection matched (a segment for a
	 * TIME-WAIT entry, or a SYN), or a FIN that may take the connection into TIME-WAIT. That
	 * table spans gigabytes: a prefetch per packet was a memory access and a page walk each. */
	for (uint32_t todo = hi->hashed; todo; todo &= todo - 1) {
		unsigned i = (unsigned)__builtin_ctz(todo);
		const struct synack_ctab_bucket *b = &ep->conn_tab.b[(uint32_t)hash[i] & ep->conn_tab.mask];
		unsigned bits = synack_ctab_match(b, synack_ctab_tag(hash[i]));
		if (ep->tw.used && (!bits || (fin >> i & 1)))
			synack_ctab_prefetch(&ep->tw.tab, synack_ctab_hash(&ep->tw.tab, &k[i]));
		for (; bits; bits &= bits - 1)
			rte_prefetch0(&ep->conns[b->idx[__builtin_ctz(bits)]]);
	}
}

void synack_rx_burst(struct synack_worker *w, unsigned port, struct rte_mbuf **pkts, unsigned n)
{
	struct rx_hints hi;
	rx_prefetch(w, pkts, n, &hi);
	for (unsigned i = 0; i < n; i++) {
		/* Counted where received; a packet handed to its owner is not counted again. */
		w->ep.stats.rx_pkts++;
		w->ep.stats.rx_bytes += pkts[i]->pkt_len;
		if (hi.syn >> i & 1)
			synack_tcp_isn_ahead(&w->ep.ctx, &hi.k[i], hi.isnf[i]);
		handle_pkt(w, port, pkts[i], hi.hashed >> i & 1 ? &hi.hash[i] : NULL);
	}
}

void synack_rx_handoff(struct synack_worker *w, struct rte_mbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		w->ep.stats.handoff_in++;
		handle_pkt(w, pkts[i]->port, pkts[i], NULL);
	}
}
