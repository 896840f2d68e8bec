/* worker.c: the per-lcore poll loop. One worker owns its connections, timers, TIME-WAIT entries,
 * counters and ISN secret; nothing here takes a lock, allocates or makes a syscall.
 *
 *   rx_burst (its queue of each port) + handoff rings from other cores
 *     -> parse (lib/net) -> ARP / ICMP echo answered in place / TCP:
 *        owner core? else hand off over an SPSC ring
 *        connection table hit -> protocol core (lib/tcp) -> actions
 *        TIME-WAIT table hit  -> unpack, core, repack or reopen
 *        listener             -> SYN: half-open connection (or SYN cookie); ACK: cookie check
 *        nothing              -> RST (RFC 9293 §3.10.7.1)
 *     actions: segments built into mbufs (the RX mbuf reused for the first reply), timers on the wheel,
 *     events to the built-in services (echo, discard, HTTP; the HTTP client)
 *   control ring (listen, connect, msl) -> timer wheel tick -> TIME-WAIT reaping -> tx_burst */
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "net/zero.h"
#include "engine_internal.h"
#include "net/build.h"
#include "net/parse.h"
#include "tcp/isn.h"
#include "tcp/seq.h"

#define EPH_LO 10000u

_Static_assert(SYNACK_BURST <= 32, "rx_prefetch marks a burst's hashed frames in 32 bits");
#define NIL_IDX UINT32_MAX

static inline uint64_t tsc_ns(const struct synack_worker *w, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - w->tsc0) * w->tsc_mult) >> 32);
}

static inline uint64_t clock_ns(const struct synack_worker *w) { return tsc_ns(w, rte_rdtsc()); }

/* ---- the connection pool and table ---- */

/* Sequence lock around a worker's writes to a connection: readers retry on an odd or changed
 * version (synack_conn_foreach). */
static inline void conn_write_begin(struct synack_conn *c)
{
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
static inline void conn_write_end(struct synack_conn *c)
{
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELEASE);
}

static struct synack_conn *conn_alloc(struct synack_worker *w)
{
	if (w->nfree == 0) {
		w->stats.drop_pool_full++;
		return NULL;
	}
	struct synack_conn *c = &w->conns[w->free_idx[--w->nfree]];
	uint32_t v = c->version, idx = c->idx;
	/* Everything after the TCB starts at zero. The TCB itself is left as its release left it
	 * (CLOSED, or zero in a fresh pool): every path that opens a connection runs
	 * synack_tcp_tcb_init() on it, and one that gives the connection back first never reads it.
	 * Zeroing 256 bytes here and the TCB's 128 again there was a rep stos per connection; the
	 * tail is now cleared with 16-byte stores (zero.h). */
	static_assert(offsetof(struct synack_conn, tcb) == 0, "the TCB leads the connection");
	synack_zero_small((uint8_t *)c + sizeof(c->tcb), sizeof(*c) - sizeof(c->tcb));
	c->version = v;
	c->idx = idx;
	c->tcb.user = idx;
	w->stats.conns_in_use++;
	return c;
}

/* h: the connection-table hash of c's tuple. */
static int conn_insert(struct synack_worker *w, struct synack_conn *c, uint64_t h)
{
	if (synack_ctab_insert_h(&w->conn_tab, c->idx, h, &c->tab_at) < 0)
		return -1;
	c->in_table = 1;
	return 0;
}

static void synrcv_unlink(struct synack_worker *w, struct synack_conn *c)
{
	if (!(c->cflags & SYNACK_CF_IN_SYNRCV))
		return;
	c->cflags &= (uint8_t)~SYNACK_CF_IN_SYNRCV;
	if (c->fifo.prev)
		c->fifo.prev->fifo.next = c->fifo.next;
	else
		w->synrcv_head = c->fifo.next;
	if (c->fifo.next)
		c->fifo.next->fifo.prev = c->fifo.prev;
	else
		w->synrcv_tail = c->fifo.prev;
	c->fifo.prev = c->fifo.next = NULL;
	w->synrcv_count--;
	w->stats.synrcv_in_use = w->synrcv_count;
}

static void sbuf_release(struct synack_worker *w, struct synack_conn *c)
{
	if (c->stream == SYNACK_STREAM_RING && c->sb.buf) {
		w->sbuf_free[w->nsbuf_free++] = (uint32_t)((c->sb.buf - w->sbuf_mem) / SYNACK_SBUF_SIZE);
		c->sb.buf = NULL;
	}
}

/* The load counters' sequence lock (a reader retries on an odd or changed lc_ver). */
static inline void lc_begin(struct synack_worker *w)
{
	__atomic_store_n(&w->lc_ver, w->lc_ver + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
static inline void lc_end(struct synack_worker *w) { __atomic_store_n(&w->lc_ver, w->lc_ver + 1, __ATOMIC_RELEASE); }

/* What a client connection's end says of it when its application reported nothing. */
static enum synack_outcome outcome_of(const struct synack_conn *c, unsigned reason)
{
	bool connected = c->cflags & SYNACK_CF_CONNECTED;
	switch (reason) {
	case SYNACK_CLOSE_NORMAL:
		return SYNACK_OUT_OK;
	case SYNACK_CLOSE_REFUSED:
		return SYNACK_OUT_REFUSED;
	case SYNACK_CLOSE_RESET:
		return SYNACK_OUT_RESET;
	case SYNACK_CLOSE_TIMEOUT:
		return connected ? SYNACK_OUT_OTHER : SYNACK_OUT_CONNECT_TIMEOUT;
	default:
		return SYNACK_OUT_OTHER;
	}
}

/* Every started client connection ends once, as completed or failed by kind: started = completed +
 * failed + in flight, per script. A connection whose application reported an outcome keeps it;
 * one that did its work is complete when it enters TIME-WAIT, however long that lasts. */
static void client_outcome(struct synack_worker *w, struct synack_conn *c, unsigned reason)
{
	if (c->cflags & SYNACK_CF_COUNTED)
		return;
	c->cflags |= SYNACK_CF_COUNTED;
	enum synack_outcome o = c->outcome != SYNACK_OUT_NONE ? (enum synack_outcome)c->outcome : outcome_of(c, reason);
	struct synack_load_counters *lc = &w->lc[c->app];
	lc_begin(w);
	lc->in_flight--;
	if (o == SYNACK_OUT_OK)
		lc->completed++;
	else
		lc->failed[o]++;
	lc_end(w);
	if (o == SYNACK_OUT_OK)
		w->stats.conns_completed++;
	else
		w->stats.conns_failed++;
}

/* Gives back a connection that never entered the table (set-up failed half-way). */
static void conn_unalloc(struct synack_worker *w, struct synack_conn *c)
{
	w->free_idx[w->nfree++] = c->idx;
	w->stats.conns_in_use--;
}

static void held_free(struct synack_worker *w, struct synack_conn *c);

/* Takes a connection out of the table, the wheel and the half-open FIFO and returns it to the pool.
 * Its TCP life may go on as a TIME-WAIT entry; conn_free() is for connections that are over. */
static void conn_release(struct synack_worker *w, struct synack_conn *c, unsigned reason)
{
	if (c->role == SYNACK_ROLE_CLIENT) {
		if (!c->detached)
			w->client_open--;
		client_outcome(w, c, reason);
	} else {
		w->lst_conns[c->app]--;
	}
	synack_wheel_cancel(w->wheel, &c->timer[0]);
	synack_wheel_cancel(w->wheel, &c->timer[1]);
	if (c->cflags & SYNACK_CF_APP_TIMER) {
		synack_wheel_cancel(w->wheel, &c->app_timer);
		c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
	}
	synrcv_unlink(w, c);
	sbuf_release(w, c);
	if (w->held[c->idx])
		held_free(w, c);
	if (c->in_table)
		synack_ctab_delete_at(&w->conn_tab, c->tab_at, &c->tcb.tuple, c->idx);
	conn_write_begin(c);
	c->in_table = 0;
	c->tcb.state = SYNACK_CLOSED;
	conn_write_end(c);
	conn_unalloc(w, c);
}

static void conn_free(struct synack_worker *w, struct synack_conn *c, unsigned reason)
{
	conn_release(w, c, reason);
	w->stats.conns_closed++;
}

/* ---- transmit ---- */

/* rte_pktmbuf_reset() without its stores into the header's second line (next, tx_offload):
 * next is NULL in every single-segment mbuf (the pool's invariant, kept by every free), and
 * tx_offload is read only under offload flags, which tx_seg sets together with it. A line nobody
 * writes stays shared in both cores' caches, so the core that frees the mbuf reads it for free. */
static inline void mbuf_reset(struct rte_mbuf *m)
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
static inline void mbuf_free(struct synack_worker *w, struct rte_mbuf *m)
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

static inline void mbuf_free_flush(struct synack_worker *w)
{
	if (w->nfb) {
		rte_mempool_put_bulk(w->pool, (void **)w->fb, w->nfb);
		w->nfb = 0;
	}
}

/* PREFETCHW where the CPU has it (CPUID 0x80000001 ECX bit 8; every AMD64 and Intel since
 * Broadwell): a fresh mbuf's lines were last read by the other core, which keeps a copy, so a read
 * prefetch leaves the first store to wait for that copy's invalidation. The build's baseline
 * (-march=corei7) has no PRFCHW, so __builtin_prefetch(p, 1) compiles to a read prefetch. */
static bool have_prefetchw;

static void __attribute__((constructor)) prefetchw_probe(void)
{
#if defined(__x86_64__)
	unsigned a, b, c, d;
	if (__get_cpuid(0x80000001u, &a, &b, &c, &d))
		have_prefetchw = (c >> 8) & 1;
#endif
}

static inline void prefetch_w(const void *p)
{
#if defined(__x86_64__)
	if (have_prefetchw) {
		__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
		return;
	}
#endif
	__builtin_prefetch(p, 1, 3);
}

/* Where our pool's frames start (the default headroom): known before the mbuf header arrives. */
static inline const uint8_t *frame_guess(const struct rte_mbuf *m)
{
	return (const uint8_t *)m + sizeof(*m) + RTE_PKTMBUF_HEADROOM;
}

/* An mbuf's three lines a segment touches: its header and the frame's two. */
static inline void mbuf_prefetch_w(const struct rte_mbuf *m, const uint8_t *frame)
{
	prefetch_w(m);
	prefetch_w(frame);
	prefetch_w(frame + 64);
}

/* A fresh mbuf from the pool: its frame will start at the headroom. */
static inline void fresh_prefetch(const struct rte_mbuf *m) { mbuf_prefetch_w(m, frame_guess(m)); }

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
		w->stats.tx_dropped += drop;
		sent = drop;
		left = (uint16_t)(SYNACK_TX_BUF - drop);
	}
	if (left && sent)
		memmove(b, b + sent, left * sizeof(*b));
	w->ntx[port] = left;
}

static inline void tx_enqueue(struct synack_worker *w, unsigned port, struct rte_mbuf *m)
{
	w->txb[port][w->ntx[port]++] = m;
	if (w->ntx[port] == SYNACK_TX_BUF)
		tx_burst(w, port);
	w->stats.tx_pkts++;
	w->stats.tx_bytes += m->pkt_len;
}

/* The loop's end: every port's buffer sent, what a port refused kept for the next loop. */
static void tx_flush(struct synack_worker *w)
{
	uint32_t backlog = 0;
	for (unsigned p = 0; p < w->e->nports; p++)
		if (w->ntx[p]) {
			tx_burst(w, p);
			backlog |= (uint32_t)(w->ntx[p] != 0) << p;
		}
	w->tx_backlog = backlog;
}

/* The worker's end: what no port took is freed (counted). */
static void tx_discard(struct synack_worker *w)
{
	for (unsigned p = 0; p < w->e->nports; p++) {
		rte_pktmbuf_free_bulk(w->txb[p], w->ntx[p]);
		w->stats.tx_dropped += w->ntx[p];
		w->ntx[p] = 0;
	}
}

static inline const struct synack_app *conn_app(const struct synack_worker *w, const struct synack_conn *c)
{
	return c->role == SYNACK_ROLE_CLIENT ? w->load.script[c->app].app : w->lst[c->app].app;
}

/* Copies len bytes of c's send stream starting at sequence number seq into dst. */
static void stream_copy(struct synack_worker *w, struct synack_conn *c, uint32_t seq, uint8_t *dst, uint32_t len)
{
	switch (c->stream) {
	case SYNACK_STREAM_RING:
		synack_sndbuf_copy(&c->sb, seq, dst, len);
		break;
	case SYNACK_STREAM_GEN:
		conn_app(w, c)->fill(c, seq - (c->tcb.iss + 1), dst, len);
		break;
	default:
		memset(dst, 0, len);
	}
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
	mbuf_reset(m);
	return m;
}

/* Builds s into an mbuf (rx, when given, is reused) and queues it on port. */
static void tx_seg(struct synack_worker *w, unsigned port, struct synack_conn *c, const struct synack_seg *s,
		   const uint8_t dst_mac[6], struct rte_mbuf **reuse)
{
	struct rte_mbuf *m = NULL;
	if (reuse && *reuse && !(*reuse == w->rx_m && w->rx_m_held)) {
		m = *reuse;
		*reuse = NULL;
		mbuf_reset(m);
	} else {
		m = mbuf_get(w);
		if (!m) {
			w->stats.drop_no_mbuf++;
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
		stream_copy(w, c, s->seq, p + SYNACK_ETH_HLEN + hl, s->len);
	}
	synack_build_eth(p, dst_mac, pr->mac.addr_bytes, 0x0800);
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
	tx_enqueue(w, port, m);
	return;
no_room:
	rte_pktmbuf_free(m);
	w->stats.drop_no_mbuf++;
}

/* ---- the application API (synack_app.h) ---- */

/* The worker and action list of the callback running now: an application calls in only from its
 * callbacks, on the connection's own core. */
static __thread struct synack_worker *cur_w;
static __thread struct synack_actions *cur_out;

int synack_conn_send_gen(struct synack_conn *c, uint32_t n)
{
	if (!cur_w)
		return -EPERM;
	if (!conn_app(cur_w, c)->fill || c->stream == SYNACK_STREAM_RING)
		return -ENOBUFS;
	c->stream = SYNACK_STREAM_GEN;
	int rc = synack_tcp_send(&cur_w->ctx, &c->tcb, n);
	return rc < 0 ? rc : (int)n;
}

int synack_conn_send(struct synack_conn *c, const void *d, uint32_t n)
{
	if (!cur_w)
		return -EPERM;
	if (c->stream != SYNACK_STREAM_RING || !c->sb.buf)
		return -ENOBUFS;
	if (c->tcb.flags & SYNACK_TF_FIN_QUEUED)
		return -EPIPE;
	uint32_t k = synack_sndbuf_append(&c->sb, d, n);
	int rc = synack_tcp_send(&cur_w->ctx, &c->tcb, k);
	return rc < 0 ? rc : (int)k;
}

uint32_t synack_conn_send_space(const struct synack_conn *c)
{
	return c->stream == SYNACK_STREAM_RING && c->sb.buf ? synack_sndbuf_free(&c->sb) : 0;
}

int synack_conn_close(struct synack_conn *c)
{
	if (!cur_w || !cur_out)
		return -EPERM;
	return synack_tcp_close(&cur_w->ctx, &c->tcb, cur_w->now_ns, cur_out);
}

void synack_conn_abort(struct synack_conn *c)
{
	if (cur_w && cur_out)
		synack_tcp_abort(&cur_w->ctx, &c->tcb, cur_w->now_ns, cur_out);
}

int synack_conn_timer(struct synack_conn *c, uint32_t ms)
{
	struct synack_worker *w = cur_w;
	if (!w)
		return -EPERM;
	if (c->cflags & SYNACK_CF_APP_TIMER)
		synack_wheel_cancel(w->wheel, &c->app_timer);
	c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
	if (!ms)
		return 0;
	/* The union's FIFO half is over: the application has the connection only once established. */
	if (c->cflags & SYNACK_CF_IN_SYNRCV)
		return -EBUSY;
	memset(&c->app_timer, 0, sizeof(c->app_timer));
	/* Exactly on its tick: think times spread as their connections were started, not gathered
	 * into one coarse bucket's burst. */
	synack_wheel_arm_exact(w->wheel, &c->app_timer,
			       (w->now_ns + (uint64_t)ms * SYNACK_NS_PER_MS + SYNACK_TICK_NS - 1) / SYNACK_TICK_NS);
	c->cflags |= SYNACK_CF_APP_TIMER;
	return 0;
}

void *synack_conn_ctx(struct synack_conn *c)
{
	return cur_w ? cur_w->app_ctx + (size_t)c->idx * SYNACK_APP_CTX_MAX : NULL;
}

uint64_t *synack_conn_user(struct synack_conn *c) { return &c->tcb.user; }

void *synack_conn_arg(const struct synack_conn *c)
{
	return cur_w && c->role == SYNACK_ROLE_CLIENT ? cur_w->load.script[c->app].arg : NULL;
}

void *synack_conn_listener_arg(const struct synack_conn *c)
{
	return cur_w && c->role == SYNACK_ROLE_SERVER ? cur_w->lst[c->app].arg : NULL;
}

unsigned synack_conn_worker(const struct synack_conn *c)
{
	(void)c;
	return cur_w ? cur_w->id : 0;
}

void synack_conn_tuple(const struct synack_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
		       uint16_t *rport)
{
	*laddr = c->tcb.tuple.laddr;
	*lport = c->tcb.tuple.lport;
	*raddr = c->tcb.tuple.raddr;
	*rport = c->tcb.tuple.rport;
}

uint64_t synack_now_ns(void) { return cur_w ? cur_w->now_ns : 0; }

void synack_conn_outcome(struct synack_conn *c, enum synack_outcome o)
{
	/* The first report counts, but a failure found after OK (bytes past the answer, say) replaces it. */
	if (c->role == SYNACK_ROLE_CLIENT && o > SYNACK_OUT_NONE && o < SYNACK_OUT_COUNT &&
	    (c->outcome == SYNACK_OUT_NONE || (c->outcome == SYNACK_OUT_OK && o != SYNACK_OUT_OK)))
		c->outcome = (uint8_t)o;
}

/* Records a latency from the SYN (t_open, TSC) and, in open loop, from the intended start. */
static void lat_record(struct synack_worker *w, struct synack_conn *c, enum synack_lat k)
{
	struct synack_hist *h = w->lh[c->app][k];
	synack_hist_record(&h[0], (uint64_t)(((unsigned __int128)(w->now_tsc - c->t_open) * w->tsc_mult) >> 32));
	uint64_t t = w->t_intended[c->idx];
	if (t)
		synack_hist_record(&h[1], w->now_ns > t ? w->now_ns - t : 0);
}

void synack_conn_mark(struct synack_conn *c, enum synack_mark m)
{
	struct synack_worker *w = cur_w;
	uint8_t bit = m == SYNACK_MARK_FIRST_BYTE ? SYNACK_CF_MARK_FIRST : SYNACK_CF_MARK_DONE;
	if (!w || c->role != SYNACK_ROLE_CLIENT || m >= SYNACK_MARK_COUNT || (c->cflags & bit))
		return;
	c->cflags |= bit;
	lat_record(w, c, m == SYNACK_MARK_FIRST_BYTE ? SYNACK_LAT_FIRST_BYTE : SYNACK_LAT_DONE);
}

void synack_conn_count_request(struct synack_conn *c)
{
	if (cur_w && c->role == SYNACK_ROLE_CLIENT)
		__atomic_store_n(&cur_w->lc[c->app].requests, cur_w->lc[c->app].requests + 1, __ATOMIC_RELAXED);
}

/* A send ring for c if its application wants one: false when none is left. Its context zeroed. */
static bool app_attach(struct synack_worker *w, struct synack_conn *c, const struct synack_app *app)
{
	if (app->ctx_size)
		synack_zero_small(w->app_ctx + (size_t)c->idx * SYNACK_APP_CTX_MAX, SYNACK_APP_CTX_MAX);
	if (!app->needs_send_ring)
		return true;
	if (!w->nsbuf_free)
		return false;
	uint32_t k = w->sbuf_free[--w->nsbuf_free];
	c->stream = SYNACK_STREAM_RING;
	synack_sndbuf_init(&c->sb, w->sbuf_mem + (size_t)k * SYNACK_SBUF_SIZE, SYNACK_SBUF_SIZE, c->tcb.iss + 1);
	return true;
}

/* ---- received bytes the application has not taken yet ---- */

/* An application's data() that takes fewer bytes than it was given leaves the rest with the stack:
 * the segment's mbuf is kept on the connection's queue, trimmed to those bytes, and they go on
 * holding the receive window closed (they are unread). Later segments queue behind them, so order
 * is kept; the window bounds the queue. They are offered again after the application's next sent()
 * or timer() callback, and the peer's FIN is told once they are all taken. */
static void hold_rest(struct synack_worker *w, struct synack_conn *c, const uint8_t *p, uint32_t len)
{
	struct rte_mbuf *m = w->rx_m;
	if (!m || w->rx_m_held || p < rte_pktmbuf_mtod(m, const uint8_t *) ||
	    p + len > rte_pktmbuf_mtod(m, const uint8_t *) + m->data_len) {
		/* Not from the segment being handled (cannot happen: data comes only from input). */
		w->stats.rx_other++;
		synack_tcp_consumed(&w->ctx, &c->tcb, len);
		return;
	}
	m->data_off = (uint16_t)(p - (const uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->next = NULL;
	struct rte_mbuf **tail = &w->held[c->idx];
	while (*tail)
		tail = &(*tail)->next;
	*tail = m;
	w->rx_m_held = true;
	w->stats.rx_held++;
}

/* Offers the held bytes again, in order, until the application leaves some. Runs inside a
 * callback's context (cur_w, cur_out set): what the application does goes into that list. */
static void held_deliver(struct synack_worker *w, struct synack_conn *c, const struct synack_app *app)
{
	struct rte_mbuf *m;
	while ((m = w->held[c->idx]) != NULL) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = m->data_len;
		uint32_t k = app->data ? app->data(c, p, len) : len;
		if (k > len)
			k = len;
		if (k)
			synack_tcp_consumed(&w->ctx, &c->tcb, k);
		if (!w->held[c->idx])
			return; /* the callback ended the connection's queue (released) */
		if (k < len) {
			rte_pktmbuf_adj(m, (uint16_t)k);
			return;
		}
		w->held[c->idx] = m->next;
		m->next = NULL;
		mbuf_free(w, m);
	}
	if (c->cflags & SYNACK_CF_HELD_FIN) {
		c->cflags &= (uint8_t)~SYNACK_CF_HELD_FIN;
		if (app->peer_closed)
			app->peer_closed(c);
	}
}

static void held_free(struct synack_worker *w, struct synack_conn *c)
{
	struct rte_mbuf *m = w->held[c->idx];
	w->held[c->idx] = NULL;
	while (m) {
		struct rte_mbuf *n = m->next;
		m->next = NULL;
		mbuf_free(w, m);
		m = n;
	}
	c->cflags &= (uint8_t)~SYNACK_CF_HELD_FIN;
}

/* The frame being handled is freed, or reused for a reply, unless its bytes are held. */
static inline void rx_release(struct synack_worker *w, struct rte_mbuf *m)
{
	if (!(m == w->rx_m && w->rx_m_held))
		mbuf_free(w, m);
}

/* ---- actions ---- */

/* The first client connection of a load records the first bytes it receives (show response). */
static void record_response(struct synack_worker *w, const uint8_t *d, uint32_t n)
{
	if (w->rec_len >= sizeof(w->rec))
		return;
	uint32_t k = (uint32_t)sizeof(w->rec) - w->rec_len;
	if (k > n)
		k = n;
	__atomic_store_n(&w->rec_ver, w->rec_ver + 1, __ATOMIC_RELEASE);
	memcpy(w->rec + w->rec_len, d, k);
	w->rec_len += k;
	__atomic_store_n(&w->rec_ver, w->rec_ver + 1, __ATOMIC_RELEASE);
}

static void tw_enter(struct synack_worker *w, struct synack_conn *c);

/* Carries out the core's actions for c (NULL for replies without a connection). Returns true when
 * c was freed. */
static bool apply(struct synack_worker *w, unsigned port, struct synack_conn *c, struct synack_actions *out,
		  const uint8_t *reply_mac, struct rte_mbuf **reuse)
{
	bool closed = false, to_tw = false;
	unsigned reason = SYNACK_CLOSE_NORMAL;
	const struct synack_app *app = c ? conn_app(w, c) : NULL;
	struct synack_actions *saved_out = cur_out;
	cur_w = w;
	cur_out = out;   /* what the application's calls append is carried out by this very loop */
	for (unsigned i = 0; i < out->n; i++) {
		struct synack_action *a = &out->a[i];
		switch (a->kind) {
		case SYNACK_ACT_SEND:
			tx_seg(w, port, c, &a->seg, c ? c->peer_mac : reply_mac, reuse);
			break;
		case SYNACK_ACT_TIMER_ARM:
			if (c)
				synack_wheel_arm(w->wheel, &c->timer[a->id],
						 (a->deadline_ns + SYNACK_TICK_NS - 1) / SYNACK_TICK_NS);
			break;
		case SYNACK_ACT_TIMER_CANCEL:
			if (c)
				synack_wheel_cancel(w->wheel, &c->timer[a->id]);
			break;
		case SYNACK_ACT_EVENT:
			if (!c)
				break;
			switch (a->id) {
			case SYNACK_EV_STATE:
				if (a->a < SYNACK_STATE_COUNT && w->stats.per_state[a->a])
					w->stats.per_state[a->a]--;
				if (a->b < SYNACK_STATE_COUNT)
					w->stats.per_state[a->b]++;
				if (a->a == SYNACK_SYN_RECEIVED)
					synrcv_unlink(w, c);
				break;
			case SYNACK_EV_CONNECTED:
				w->stats.conns_opened++;
				c->cflags |= SYNACK_CF_CONNECTED;
				/* Connect latency: our SYN sent -> its SYN-ACK received, on the TSC read once per
				 * loop (a read per packet was a visible share of a core). Both ends are loop
				 * starts: the SYN left at the end of its loop, the SYN-ACK arrived before the
				 * start of its own, so the error is under one loop. */
				lat_record(w, c, SYNACK_LAT_CONNECT);
				if (app->connected)
					app->connected(c);
				break;
			case SYNACK_EV_ACCEPTED:
				w->stats.conns_accepted++;
				if (app->accepted)
					app->accepted(c);
				break;
			case SYNACK_EV_DATA: {
				if (c->idx == w->rec_idx && c->role == SYNACK_ROLE_CLIENT)
					record_response(w, a->data, a->n);
				if (w->held[c->idx]) {
					/* Bytes wait already: these queue behind them, in order. */
					hold_rest(w, c, a->data, a->n);
					break;
				}
				uint32_t k = app->data ? app->data(c, a->data, a->n) : a->n;
				if (k > a->n)
					k = a->n;
				if (k)
					synack_tcp_consumed(&w->ctx, &c->tcb, k);
				if (k < a->n)
					hold_rest(w, c, a->data + k, a->n - k);
				break;
			}
			case SYNACK_EV_ACKED:
				if (c->stream == SYNACK_STREAM_RING)
					synack_sndbuf_ack(&c->sb, a->n);
				if (app->sent)
					app->sent(c, a->n);
				if (w->held[c->idx])
					held_deliver(w, c, app);
				break;
			case SYNACK_EV_PEER_FIN:
				if (w->held[c->idx])
					c->cflags |= SYNACK_CF_HELD_FIN; /* told once the held bytes are taken */
				else if (app->peer_closed)
					app->peer_closed(c);
				break;
			case SYNACK_EV_TIME_WAIT:
				to_tw = true;
				break;
			case SYNACK_EV_CLOSED:
				/* (A detached connection, TIME-WAIT kept in its TCB, told its application
				 * already; TIME-WAIT brings no other event to an application.) */
				if (app->closed && !c->detached)
					app->closed(c, (enum synack_close_reason)a->a);
				reason = a->a;
				closed = true;
				break;
			}
			break;
		}
	}
	cur_out = saved_out;
	/* Actions the core could not list (its list is sized for the worst case: a bug if any). */
	w->stats.actions_overflow += out->overflow;
	if (closed) {
		if (w->stats.per_state[SYNACK_CLOSED])
			w->stats.per_state[SYNACK_CLOSED]--;
		conn_free(w, c, reason);
		return true;
	}
	if (to_tw && c) {
		tw_enter(w, c);
		return true;
	}
	return false;
}

/* Runs the core's output for c (data, FIN, owed ACK) and applies it. */
static bool output(struct synack_worker *w, unsigned port, struct synack_conn *c, struct rte_mbuf **reuse)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_output(&w->ctx, &c->tcb, w->now_ns, &out);
	return apply(w, port, c, &out, NULL, reuse);
}

/* n TIME-WAITs are over (expired, or ended early): counted closed, as per_state stops counting them. */
static void tw_ended(struct synack_worker *w, unsigned n)
{
	w->stats.per_state[SYNACK_TIME_WAIT] -= n;
	w->stats.conns_closed += n;
}

/* Tells the application its connection is over (it entered TIME-WAIT, which goes on without it). */
static void app_closed(struct synack_worker *w, struct synack_conn *c)
{
	const struct synack_app *app = conn_app(w, c);
	if (app->closed) {
		struct synack_worker *saved = cur_w;
		cur_w = w;
		app->closed(c, SYNACK_CLOSE_NORMAL);
		cur_w = saved;
	}
}

/* A connection entering TIME-WAIT moves to the compact table; its full TCB goes back to the pool.
 *
 * When the table is full, TIME-WAIT stays in the full TCB (its LINGER timer ends it) as long as
 * the pool keeps a quarter of its TCBs free: 2 x MSL is kept. Past that reserve, TIME-WAITs held
 * in TCBs would take the pool from new connections and stop the core opening or accepting any
 * until 2 x MSL had passed (a benchmark's close load, or a server that closes first, at more
 * than the table's size per 2 x MSL). The table's oldest entry, the nearest its end, then ends
 * early and the new one takes its place, as FreeBSD recycles its oldest TIME-WAIT when it has no
 * more; a table with nothing to end (none in use) lets this one end now. Both are counted in
 * tw_evicted: each is a TIME-WAIT shorter than RFC 9293's 2 x MSL (§3.6.1). */
static void tw_enter(struct synack_worker *w, struct synack_conn *c)
{
	/* The core's ACK of the peer's FIN is owed: send it before the TCB goes. */
	output(w, c->port, c, NULL);
	if (c->role == SYNACK_ROLE_CLIENT)
		client_outcome(w, c, SYNACK_CLOSE_NORMAL);
	uint64_t expire = w->now_ns + 2ull * w->ctx.cfg.msl_ms * SYNACK_NS_PER_MS;
	bool kept = synack_tw_table_insert(&w->tw, &c->tcb, expire) != NULL;
	if (!kept) {
		if (w->nfree > w->nconns / 4) {
			/* TIME-WAIT goes on in this TCB, without the application, as it would in the
			 * table: the application's handle ends now, and a client's load may open the next
			 * connection (else each such TIME-WAIT held a place of the load for 2 x MSL). */
			w->stats.drop_tw_full++;
			app_closed(w, c);
			if (c->role == SYNACK_ROLE_CLIENT)
				w->client_open--;
			c->detached = 1;
			/* Every byte was acknowledged before TIME-WAIT: the send buffer goes back too. */
			sbuf_release(w, c);
			return;
		}
		w->stats.tw_evicted++;
		if (synack_tw_table_evict_oldest(&w->tw) == 0) {
			tw_ended(w, 1);
			kept = synack_tw_table_insert(&w->tw, &c->tcb, expire) != NULL;
		}
	}
	w->stats.tw_in_use = w->tw.used;
	/* The application's handle ends here: TIME-WAIT lives on without it. */
	app_closed(w, c);
	/* per_state keeps counting it in TIME-WAIT; its close is counted when the entry ends. */
	conn_release(w, c, SYNACK_CLOSE_NORMAL);
	if (!kept)
		tw_ended(w, 1);
}

/* ---- receive ---- */

/* The ISS floor a SYNACK_EV_REOPEN in out carries (its n). */
static uint32_t reopen_floor(const struct synack_actions *out)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].kind == SYNACK_ACT_EVENT && out->a[i].id == SYNACK_EV_REOPEN)
			return out->a[i].n;
	return 0;
}

static void handle_tw(struct synack_worker *w, unsigned port, struct synack_tw *tw, const struct synack_seg *s,
		      const uint8_t *src_mac, struct rte_mbuf **reuse, bool *reopen, uint32_t *floor)
{
	struct synack_tcb tcb;
	synack_tw_unpack(tw, w->ctx.cfg.rcv_buf, &tcb);
	if (!w->lidx[s->dport])
		tcb.flags |= SYNACK_TF_NO_LISTENER;
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_input(&w->ctx, &tcb, s, w->now_ns, &out);
	for (unsigned i = 0; i < out.n; i++) {
		struct synack_action *a = &out.a[i];
		if (a->kind == SYNACK_ACT_SEND)
			tx_seg(w, port, NULL, &a->seg, src_mac, reuse);
		else if (a->kind == SYNACK_ACT_TIMER_ARM)
			tw = synack_tw_table_touch(&w->tw, tw, a->deadline_ns);
		else if (a->kind == SYNACK_ACT_EVENT && a->id == SYNACK_EV_REOPEN) {
			*reopen = true;
			*floor = a->n;
		}
	}
	if (*reopen) {
		synack_tw_table_remove(&w->tw, tw);
		w->stats.tw_in_use = w->tw.used;
		w->stats.per_state[SYNACK_TIME_WAIT]--;
		return;
	}
	tw->ts_recent = tcb.ts_recent;
}

/* An ACK to a listening port, no connection: the connection its SYN cookie stands for, if it is
 * one (true), or nothing done (false: the caller answers it as the listener does). */
static bool cookie_ack(struct synack_worker *w, unsigned port, const struct synack_seg *s, uint64_t h,
		       const uint8_t *src_mac, struct rte_mbuf **reuse)
{
	struct synack_conn *c = conn_alloc(w);
	if (!c)
		return false;
	struct synack_actions out;
	synack_actions_reset(&out);
	if (!synack_tcp_cookie_accept(&w->ctx, &c->tcb, s, w->now_ns, &out)) {
		conn_unalloc(w, c);
		return false;
	}
	const struct synack_listener *l = &w->lst[w->lidx[s->dport] - 1];
	c->port = (uint8_t)port;
	c->app = (uint16_t)(l - w->lst);
	w->lst_conns[c->app]++;
	memcpy(c->peer_mac, src_mac, 6);
	conn_insert(w, c, h);
	if (!app_attach(w, c, l->app))
		w->stats.drop_no_sendbuf++; /* it runs without: synack_conn_send says -ENOBUFS */
	if (!apply(w, port, c, &out, NULL, NULL))
		output(w, port, c, reuse);
	return true;
}

static void listener_syn(struct synack_worker *w, unsigned port, const struct synack_seg *s, uint64_t h,
			 const uint8_t *src_mac, struct rte_mbuf **reuse, bool has_floor, uint32_t floor)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	const struct synack_listener *l = &w->lst[w->lidx[s->dport] - 1];
	bool cookie = w->cookie_mode == 2 || (w->cookie_mode == 1 && (w->synrcv_count >= w->synrcv_max || w->nfree == 0));
	if (!cookie && w->synrcv_count >= w->synrcv_max && w->synrcv_head) {
		/* Cookies off and the half-open table full: the oldest half-open connection makes room. */
		struct synack_conn *old = w->synrcv_head;
		if (w->stats.per_state[SYNACK_SYN_RECEIVED])
			w->stats.per_state[SYNACK_SYN_RECEIVED]--;
		conn_free(w, old, SYNACK_CLOSE_ABORTED);
		w->stats.drop_synrcv_evicted++;
	}
	struct synack_conn *c = cookie ? NULL : conn_alloc(w);
	if (!c) {
		if (w->cookie_mode == 0)
			return; /* counted as drop_pool_full */
		synack_tcp_cookie_synack(&w->ctx, s, w->now_ns, &out);
		apply(w, port, NULL, &out, src_mac, reuse);
		return;
	}
	c->port = (uint8_t)port;
	c->role = SYNACK_ROLE_SERVER;
	c->app = (uint16_t)(l - w->lst);
	memcpy(c->peer_mac, src_mac, 6);
	if (l->app->needs_send_ring && !w->nsbuf_free) {
		w->stats.drop_no_sendbuf++;
		conn_unalloc(w, c);
		return;
	}
	conn_write_begin(c);
	synack_tcp_accept(&w->ctx, &c->tcb, s, w->now_ns, has_floor, floor, &out);
	conn_write_end(c);
	if (conn_insert(w, c, h) < 0) {
		conn_unalloc(w, c);
		w->stats.drop_pool_full++;
		return;
	}
	w->lst_conns[c->app]++;
	app_attach(w, c, l->app);
	/* Half-open FIFO: the oldest is evicted first when the table is full. */
	c->fifo.prev = w->synrcv_tail;
	c->fifo.next = NULL;
	c->cflags |= SYNACK_CF_IN_SYNRCV;
	if (w->synrcv_tail)
		w->synrcv_tail->fifo.next = c;
	else
		w->synrcv_head = c;
	w->synrcv_tail = c;
	w->synrcv_count++;
	w->stats.synrcv_in_use = w->synrcv_count;
	apply(w, port, c, &out, NULL, reuse);
}

static void handle_tcp(struct synack_worker *w, unsigned port, const struct synack_pkt *pkt, struct rte_mbuf *m,
		       const uint64_t *hash)
{
	const struct synack_seg *s = &pkt->seg;
	struct rte_mbuf *reuse = m;
	w->rx_m = m;
	w->rx_m_held = false;
	if (!synack_is_local(w, port, s->daddr)) {
		w->stats.drop_not_ours++;
		mbuf_free(w, m);
		return;
	}
	unsigned owner = synack_owner(w, port, s->daddr, s->saddr, s->dport, s->sport);
	if (owner != w->id) {
		/* A port that cannot steer (tap, af_packet) brought another core's flow: hand it over. */
		struct rte_ring *r = w->e->w[owner]->handoff_in[w->id];
		m->port = (uint16_t)port;
		if (rte_ring_sp_enqueue(r, m) != 0) {
			w->stats.handoff_drops++;
			mbuf_free(w, m);
		} else {
			w->stats.handoff_out++;
		}
		return;
	}
	struct synack_tuple key = { s->daddr, s->saddr, s->dport, s->sport };
	struct synack_actions out;
	synack_actions_reset(&out);
	/* rx_prefetch hashed this tuple already (same fields, read from the same offsets); the hash
	 * serves the lookup and, for a new connection, the insert. */
	uint64_t h = hash ? *hash : synack_ctab_hash(&w->conn_tab, &key);
	uint32_t ci = w->conn_tab.count ? synack_ctab_lookup_h(&w->conn_tab, &key, h) : SYNACK_CTAB_NIL;
	bool reopen = false;
	uint32_t floor = 0;
	if (ci != SYNACK_CTAB_NIL) {
		struct synack_conn *c = &w->conns[ci];
		conn_write_begin(c);
		if (c->tcb.state == SYNACK_TIME_WAIT)
			c->tcb.flags = (uint16_t)((c->tcb.flags & ~SYNACK_TF_NO_LISTENER) |
						  (w->lidx[s->dport] ? 0 : SYNACK_TF_NO_LISTENER));
		synack_tcp_input(&w->ctx, &c->tcb, s, w->now_ns, &out);
		/* The RX mbuf, warm in this core's cache, carries the first reply, unless the segment
		 * brought data: the application reads that from the mbuf during apply(), so then the reuse
		 * waits for output(). */
		bool has_data = out.events & 1u << SYNACK_EV_DATA;
		bool freed = apply(w, port, c, &out, NULL, has_data ? NULL : &reuse);
		if (!freed)
			freed = output(w, port, c, &reuse);
		if (!freed)
			conn_write_end(c);
		else
			__atomic_store_n(&c->version, (c->version | 1) + 1, __ATOMIC_RELEASE);
		if (!freed || !(out.events & 1u << SYNACK_EV_REOPEN)) {
			if (reuse)
				rx_release(w, reuse);
			return;
		}
		/* TIME-WAIT kept in this TCB (its table was full) took a new SYN (RFC 6191): the old
		 * incarnation is gone, and the SYN opens the new one below, as from a table entry. */
		reopen = true;
		floor = reopen_floor(&out);
		synack_actions_reset(&out);
	} else if (w->tw.used) {
		struct synack_tw *tw = synack_tw_table_lookup(&w->tw, &key);
		if (tw) {
			handle_tw(w, port, tw, s, pkt->src_mac, &reuse, &reopen, &floor);
			if (!reopen) {
				if (reuse)
					rx_release(w, reuse);
				return;
			}
		}
	}
	if (w->lidx[s->dport]) {
		/* An ACK for no connection may be the return of a SYN cookie: tried first, so that the
		 * RST the listener would answer it with is neither built nor counted when it is one. */
		if (w->cookie_mode && (s->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_RST)) == SYNACK_TH_ACK &&
		    cookie_ack(w, port, s, h, pkt->src_mac, &reuse)) {
			/* taken */
		} else if (synack_tcp_listen_input(&w->ctx, s, &out)) {
			listener_syn(w, port, s, h, pkt->src_mac, &reuse, reopen, floor);
		} else {
			apply(w, port, NULL, &out, pkt->src_mac, &reuse);
		}
	} else {
		synack_tcp_no_conn(&w->ctx, s, &out);
		apply(w, port, NULL, &out, pkt->src_mac, &reuse);
	}
	if (reuse)
		rx_release(w, reuse);
}

/* hash: the frame's connection-table hash from rx_prefetch, or NULL. */
static void handle_pkt(struct synack_worker *w, unsigned port, struct rte_mbuf *m, const uint64_t *hash)
{
	const struct synack_port_rt *pr = &w->e->ports[port];
	if (m->nb_segs != 1) {
		/* Jumbo frames in chains are not expected at our MTU: count and drop. */
		w->stats.rx_other++;
		mbuf_free(w, m);
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
		w->stats.drop_parse[err < 32 ? err : 31]++;
		mbuf_free(w, m);
		return;
	}
	switch (pkt.kind) {
	case SYNACK_PKT_TCP:
		w->stats.rx_tcp++;
		handle_tcp(w, port, &pkt, m, hash);
		w->rx_m = NULL;
		return;
	case SYNACK_PKT_ARP:
		w->stats.rx_arp++;
		bool for_us = synack_is_local(w, port, pkt.arp.tpa);
		if (for_us || pkt.arp.op == 2)
			synack_arp_learn(&w->arp, pkt.arp.spa, pkt.arp.sha, w->now_ns);
		if (pkt.arp.op == 1 && for_us) {
			struct synack_arp req = pkt.arp;
			mbuf_reset(m);
			uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 60);
			if (p) {
				memset(p, 0, 60);
				synack_build_arp_reply(p, 60, &req, pr->mac.addr_bytes, req.tpa);
				w->stats.tx_arp++;
				tx_enqueue(w, port, m);
				return;
			}
		}
		break;
	case SYNACK_PKT_ICMP_ECHO:
		w->stats.rx_icmp++;
		if (pkt.icmp.type == 8 && pkt.icmp.daddr == pr->ip) {
			size_t n = synack_build_icmp_echo_reply(d, m->data_len, &pkt, pr->mac.addr_bytes);
			if (n) {
				w->stats.tx_icmp++;
				tx_enqueue(w, port, m);
				return;
			}
		}
		break;
	default:
		w->stats.rx_other++;
		break;
	}
	mbuf_free(w, m);
}

/* ---- active opens ---- */

static unsigned route_port(const struct synack_worker *w, uint32_t ip, uint32_t *next_hop)
{
	for (unsigned p = 0; p < w->e->nports; p++) {
		const struct synack_port_rt *pr = &w->e->ports[p];
		if ((ip & pr->mask) == (pr->ip & pr->mask)) {
			*next_hop = ip;
			return p;
		}
	}
	*next_hop = w->e->ports[0].gateway ? w->e->ports[0].gateway : ip;
	return 0;
}

/* Whether the TIME-WAIT table may hold a tuple the load's walk proposes. The walk (propose())
 * gives each (address, port) pair once before it comes back to its first port: until then its
 * tuples can meet only entries older than the walk, and once the newest of those has expired,
 * none. Listener ports are never proposed. A steered port's walk follows RSS: always checked. */
static inline bool tw_may_hold(const struct synack_worker *w)
{
	return w->tw.used && (w->walk_wrapped || w->now_ns < w->tw_old_until_ns ||
			      w->e->ports[w->load.port_idx].steer.enabled);
}

/* A tuple start_connects must not take: a listener's port, or in use towards this peer (open, or
 * in TIME-WAIT). h: its connection-table hash. */
static bool tuple_busy(struct synack_worker *w, const struct synack_tuple *t, uint64_t h)
{
	return w->lidx[t->lport] ||
	       (w->conn_tab.count && synack_ctab_lookup_h(&w->conn_tab, t, h) != SYNACK_CTAB_NIL) ||
	       (tw_may_hold(w) && synack_tw_table_lookup(&w->tw, t) != NULL);
}

/* Smooth weighted round robin (nginx's upstream choice): over any window of wsum picks, entry i
 * is picked weight[i] times, interleaved rather than in runs. A single entry costs nothing. */
static inline unsigned wrr_pick(int32_t *cur, const uint32_t *weight, size_t stride, unsigned n, uint32_t wsum)
{
	if (n <= 1)
		return 0;
	unsigned best = 0;
	for (unsigned i = 0; i < n; i++) {
		cur[i] += (int32_t)*(const uint32_t *)((const uint8_t *)weight + i * stride);
		if (cur[i] > cur[best])
			best = i;
	}
	cur[best] -= (int32_t)wsum;
	return best;
}

static inline unsigned pick_dst(struct synack_worker *w)
{
	return wrr_pick(w->load.dst_cur, &w->load.dst[0].weight, sizeof(w->load.dst[0]), w->load.ndst,
			w->load.dst_wsum);
}

static inline unsigned pick_script(struct synack_worker *w)
{
	return wrr_pick(w->load.script_cur, &w->load.script[0].weight, sizeof(w->load.script[0]), w->load.nscripts,
			w->load.script_wsum);
}

/* The next tuple for an active open: a source address from the spread, a destination by weight and
 * a source port that maps back to this core (on a steered port, that RSS brings the reply to this
 * worker's queue). Not yet checked against the tables: false only when no port maps back at all. */
static bool propose(struct synack_worker *w, unsigned port, const struct synack_port_rt *pr, struct synack_tuple *t,
		    uint8_t *dsti)
{
	/* The address index turns 0, 1, ... src_ips - 1, 0, ...: a compare instead of a division per
	 * connection. (A spread of another size starts a new walk, from 0 if past its end.) */
	uint32_t k = 0;
	if (w->load.src_ips > 1) {
		k = w->load.src_next < w->load.src_ips ? w->load.src_next : 0;
		w->load.src_next = k + 1 == w->load.src_ips ? 0 : k + 1;
	}
	unsigned d = pick_dst(w);
	*dsti = (uint8_t)d;
	/* The tuple is written whole at the end: the hash reads its two ports as one 32-bit word, and
	 * a 32-bit load over a 16-bit store just made cannot be forwarded from the store buffer; it
	 * waits for every older store to reach the cache (the frames being written: misses). */
	struct synack_tuple v = { w->load.src_first + k, w->load.dst[d].ip, 0, w->load.dst[d].port };
	uint16_t lo = w->load.sport_lo, hi = w->load.sport_hi;
	if (pr->steer.enabled) {
		v.lport = synack_steer_pick_lport(&pr->steer, v.laddr, v.raddr, v.rport, w->id - pr->wfirst, lo, hi,
						  &w->lport_cursor, NULL, NULL, 4000);
		*t = v;
		return v.lport != 0;
	}
	/* The source address turns fastest and the port moves on once per round of addresses, so the
	 * walk covers every (address, port) pair before it repeats one. (Both moving in step repeated
	 * after lcm(addresses, ports), which a close run holds in TIME-WAIT within seconds.) The
	 * owner depends on the port only. */
	if (k == 0 || !w->lport_set) {
		unsigned tries = 0;
		do {
			w->next_lport = w->next_lport >= hi || w->next_lport < lo ? lo : (uint16_t)(w->next_lport + 1);
		} while (synack_owner(w, port, v.laddr, v.raddr, w->next_lport, v.rport) != w->id && ++tries < 4000);
		if (tries >= 4000)
			return false;
		if (!w->lport_set)
			w->walk_first = w->next_lport;
		else if (w->next_lport == w->walk_first)
			w->walk_wrapped = true;
		w->lport_set = true;
	}
	v.lport = w->next_lport;
	*t = v;
	return true;
}

/* Keeps SYNACK_PROPS tuples proposed ahead, their table buckets on their way into the cache and
 * their ISN's F computed, so that the check, insert and SYN of each new connection wait for
 * neither. */
static void props_fill(struct synack_worker *w, unsigned port, const struct synack_port_rt *pr)
{
	while (w->nprop < SYNACK_PROPS) {
		unsigned j = (w->prop_head + w->nprop) % SYNACK_PROPS;
		struct synack_tuple *t = &w->prop[j];
		if (!propose(w, port, pr, t, &w->prop_dst[j]))
			return;
		w->prop_h[j] = synack_ctab_hash(&w->conn_tab, t);
		synack_ctab_prefetch(&w->conn_tab, w->prop_h[j]);
		/* F is wanted a few connections from now: its latency hides behind them. */
		w->prop_f[j] = synack_isn_hash(&w->ctx.isn_key, t);
		if (tw_may_hold(w))
			synack_ctab_prefetch(&w->tw.tab, synack_ctab_hash(&w->tw.tab, t));
		w->nprop++;
	}
}

/* Ends the load on this worker: nothing more to start. */
static void load_end(struct synack_worker *w)
{
	w->load.todo = 0;
	w->load.open_loop = false;
}

/* Resolves every destination's next hop before the first start: asks once a second and gives up
 * after five (the load ends, counted in arp_failed). Returns 1 when it sent a request. */
static unsigned load_resolve(struct synack_worker *w, unsigned port, const struct synack_port_rt *pr)
{
	bool missing = false;
	for (unsigned d = 0; d < w->load.ndst; d++)
		if (!synack_arp_lookup(&w->arp, w->load.hop[d]))
			missing = true;
	if (!missing) {
		/* The schedule begins once every destination is reachable: the ARP wait is neither
		 * the server's latency nor starts owed to it. */
		if (w->load.open_loop)
			synack_pacer_init(&w->load.pacer, w->load.rate, w->load.ramp_s, w->now_ns, w->load.pacer.count);
		__atomic_store_n(&w->load.resolved, true, __ATOMIC_RELEASE);
		w->arp_asked_ns = w->arp_first_ns = 0;
		return 0;
	}
	if (w->arp_first_ns && w->now_ns - w->arp_first_ns > 5 * SYNACK_NS_PER_S) {
		/* A destination never answered: the load cannot start. */
		w->stats.arp_failed++;
		load_end(w);
		w->arp_first_ns = w->arp_asked_ns = 0;
		return 0;
	}
	if (w->arp_asked_ns && w->now_ns - w->arp_asked_ns < SYNACK_NS_PER_S)
		return 0;
	w->arp_asked_ns = w->now_ns;
	if (!w->arp_first_ns)
		w->arp_first_ns = w->now_ns;
	unsigned sent = 0;
	for (unsigned d = 0; d < w->load.ndst; d++) {
		uint32_t hop = w->load.hop[d];
		bool dup = false;
		for (unsigned e = 0; e < d; e++)
			dup |= w->load.hop[e] == hop;
		if (dup || synack_arp_lookup(&w->arp, hop))
			continue;
		struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
		uint8_t *p = m ? (uint8_t *)rte_pktmbuf_append(m, 60) : NULL;
		if (!p) {
			if (m)
				rte_pktmbuf_free(m);
			continue;
		}
		memset(p, 0, 60);
		synack_build_arp_request(p, 60, pr->mac.addr_bytes, pr->ip, hop);
		w->stats.tx_arp++;
		w->stats.arp_misses++;
		tx_enqueue(w, port, m);
		sent = 1;
	}
	return sent;
}

/* How many starts this loop may make: the pacer's due starts (open loop) or the count left
 * (closed loop), at most one burst and at most what the concurrency cap leaves. Due starts the cap
 * holds back stay due (their intended times are kept) and are counted in held, each once. */
static uint64_t starts_allowed(struct synack_worker *w, uint64_t *intended_from)
{
	uint64_t room = w->client_open < w->load.concurrency ? w->load.concurrency - w->client_open : 0;
	uint64_t due;
	if (w->load.open_loop) {
		due = synack_pacer_due(&w->load.pacer, w->now_ns, SYNACK_BURST);
		if (synack_pacer_done(&w->load.pacer)) {
			load_end(w);
			return 0;
		}
		uint64_t taken = synack_pacer_taken(&w->load.pacer);
		if (due > room && taken + due > w->load.held_upto) {
			uint64_t from = taken + room > w->load.held_upto ? taken + room : w->load.held_upto;
			struct synack_load_counters *lc = &w->lc[0];
			__atomic_store_n(&lc->held, lc->held + (taken + due - from), __ATOMIC_RELAXED);
			w->load.held_upto = taken + due;
		}
		*intended_from = 1;
	} else {
		due = w->load.todo < SYNACK_BURST ? w->load.todo : SYNACK_BURST;
		*intended_from = 0;
	}
	return due < room ? due : room;
}

/* Returns what it did (connections opened, or an ARP request sent): the loop counts as busy
 * only then. A load waiting at its concurrency limit is idle polling, not work. */
static unsigned start_connects(struct synack_worker *w)
{
	/* Checked first: a closed-loop load at its limit comes here on every loop. */
	if (!w->load.open_loop && w->client_open >= w->load.concurrency)
		return 0;
	unsigned port = w->load.port_idx;
	const struct synack_port_rt *pr = &w->e->ports[port];
	/* The port refused part of the last loop's burst: new connections wait (they stay due) rather
	 * than queue SYNs it would have to give up. */
	if (w->tx_backlog & (1u << port))
		return 0;
	if (!w->load.resolved)
		return load_resolve(w, port, pr);
	uint64_t paced;
	uint64_t burst = starts_allowed(w, &paced);
	unsigned i;
	for (i = 0; i < burst; i++) {
		props_fill(w, port, pr);
		struct synack_tuple t;
		uint64_t h = 0, f = 0;
		unsigned tries = 0, d = 0;
		bool ok = w->nprop > 0, have_f = ok;
		if (ok) {
			t = w->prop[w->prop_head];
			h = w->prop_h[w->prop_head];
			f = w->prop_f[w->prop_head];
			d = w->prop_dst[w->prop_head];
			w->prop_head = (w->prop_head + 1) % SYNACK_PROPS;
			w->nprop--;
		}
		/* Proposed a few connections ago without the table check (its buckets were prefetched
		 * then): check now, and take fresh proposals while the tuple is in use. */
		while (ok && tuple_busy(w, &t, h)) {
			uint8_t dd;
			ok = ++tries < 4000 && propose(w, port, pr, &t, &dd);
			d = dd;
			h = ok ? synack_ctab_hash(&w->conn_tab, &t) : 0;
			have_f = false;
		}
		if (!ok) {
			w->stats.load_no_port++;
			w->lc[0].no_tuple++;
			return i;
		}
		struct synack_conn *c = conn_alloc(w);
		if (!c)
			return i; /* counted as drop_pool_full; tried again next loop */
		unsigned sc = pick_script(w);
		const struct synack_app *app = w->load.script[sc].app;
		c->role = SYNACK_ROLE_CLIENT;
		c->app = (uint16_t)sc;
		c->dst = (uint8_t)d;
		c->port = (uint8_t)port;
		if (w->rec_arm) {
			w->rec_arm = false;
			w->rec_idx = c->idx;
			w->rec_len = 0;
		}
		memcpy(c->peer_mac, synack_arp_lookup(&w->arp, w->load.hop[d]), 6);
		c->t_open = w->now_tsc;
		w->t_intended[c->idx] = paced ? synack_pacer_next_ns(&w->load.pacer) : 0;
		struct synack_actions out;
		synack_actions_reset(&out);
		if (have_f)
			synack_tcp_isn_ahead(&w->ctx, &t, f);
		conn_write_begin(c);
		synack_tcp_connect(&w->ctx, &c->tcb, &t, w->now_ns, &out);
		conn_write_end(c);
		if (conn_insert(w, c, h) < 0) {
			conn_unalloc(w, c);
			w->stats.load_no_port++;
			w->lc[0].no_tuple++;
			return i;
		}
		w->client_open++;
		struct synack_load_counters *lc = &w->lc[sc];
		lc_begin(w);
		lc->started++;
		lc->in_flight++;
		lc_end(w);
		if (paced)
			synack_pacer_take(&w->load.pacer);
		else if (w->load.todo != UINT64_MAX)
			w->load.todo--;
		if (!app_attach(w, c, app))
			w->stats.drop_no_sendbuf++;
		apply(w, port, c, &out, NULL, NULL);
	}
	return i;
}

/* ---- timers and control ---- */

static void on_timer(struct synack_wheel *wh, struct synack_timer_node *node, void *arg)
{
	(void)wh;
	struct synack_worker *w = arg;
	/* Every node on this wheel is timer[0] or timer[1] of a connection in this worker's pool: the
	 * connection is found by position in the pool, then which of its two nodes fired. (Deriving
	 * the connection from the node as if it were timer[0] and then testing the offset always
	 * answered timer[0]: a LINGER timer - FIN-WAIT-2's limit, or TIME-WAIT kept in a full TCB when
	 * the TIME-WAIT table is full - ran on a pointer 24 bytes off and crashed the worker.) */
	struct synack_conn *c = &w->conns[((uintptr_t)node - (uintptr_t)w->conns) / sizeof(struct synack_conn)];
	w->stats.timers_fired++;
	struct synack_actions out;
	synack_actions_reset(&out);
	conn_write_begin(c);
	if (node == &c->app_timer) {
		/* The application's own timer: its calls go into out like those of any callback. */
		c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
		const struct synack_app *app = conn_app(w, c);
		struct synack_actions *saved_out = cur_out;
		cur_w = w;
		cur_out = &out;
		if (app->timer)
			app->timer(c);
		if (w->held[c->idx])
			held_deliver(w, c, app);
		cur_out = saved_out;
	} else {
		synack_tcp_timeout(&w->ctx, &c->tcb, (enum synack_timer)(node == &c->timer[1]), w->now_ns, &out);
	}
	bool freed = apply(w, c->port, c, &out, NULL, NULL);
	if (!freed)
		freed = output(w, c->port, c, NULL);
	if (!freed)
		conn_write_end(c);
	else
		__atomic_store_n(&c->version, (c->version | 1) + 1, __ATOMIC_RELEASE);
}

/* A new load on this worker (synack_load_start). Its share: every worker of the port the
 * destinations route through takes rate, cap and count divided among them; every worker keeps the
 * source spread, since any of them may receive for those addresses. */
static int load_begin(struct synack_worker *w, const struct synack_load *l)
{
	/* Connections of the previous load still name its scripts by index: a load with other scripts
	 * waits until they are over (the caller retries). */
	if (w->client_open && (w->load.nscripts != l->nscripts ||
			       memcmp(w->load.script, l->script, l->nscripts * sizeof(l->script[0]))))
		return -EBUSY;
	uint32_t hop0;
	unsigned port = route_port(w, l->dst[0].ip, &hop0);
	const struct synack_port_rt *pr = &w->e->ports[port];
	uint64_t share = 0;
	unsigned k = 0, nw = pr->wcount;
	bool mine = w->id >= pr->wfirst && w->id - pr->wfirst < pr->wcount;
	if (mine) {
		k = w->id - pr->wfirst;
		share = l->count ? l->count / nw + (k < l->count % nw) : UINT64_MAX;
	}
	uint32_t src_first = l->src_first ? l->src_first : pr->ip;
	uint32_t src_ips = l->src_ips ? l->src_ips : 1;
	uint16_t lo = l->sport_lo ? l->sport_lo : EPH_LO, hi = l->sport_hi ? l->sport_hi : UINT16_MAX;
	w->nprop = 0;   /* proposals were for the previous load's destinations */
	/* A load from the same source spread on the same port continues the walk where the last
	 * one stopped: every entry the walk made is behind it, so, as within one load, none can
	 * meet its tuples until it wraps (a close load's repetitions at TIME-WAIT's steady state
	 * then skip a TIME-WAIT lookup per connection, a cache and TLB miss in a table of
	 * hundreds of millions). Otherwise a new walk: entries made before it may meet its
	 * tuples until the newest of them expires (the ring's tail expires last). */
	if (!(w->lport_set && w->load.src_ips == src_ips && w->load.src_first == src_first &&
	      w->load.port_idx == port && w->load.sport_lo == lo && w->load.sport_hi == hi && !pr->steer.enabled)) {
		w->lport_set = false;
		w->walk_wrapped = false;
		w->tw_old_until_ns = synack_tw_table_last_deadline_ns(&w->tw, w->now_ns);
	}
	w->load.port_idx = (uint8_t)port;
	w->load.src_first = src_first;
	w->load.src_ips = src_ips;
	w->load.sport_lo = lo;
	w->load.sport_hi = hi;
	w->load.ndst = (uint8_t)l->ndst;
	w->load.dst_wsum = 0;
	for (unsigned d = 0; d < l->ndst; d++) {
		w->load.dst[d] = l->dst[d];
		if (!w->load.dst[d].weight)
			w->load.dst[d].weight = 1;
		w->load.dst_wsum += w->load.dst[d].weight;
		w->load.dst_cur[d] = 0;
		route_port(w, l->dst[d].ip, &w->load.hop[d]);
	}
	w->load.nscripts = (uint8_t)l->nscripts;
	w->load.script_wsum = 0;
	for (unsigned i = 0; i < l->nscripts; i++) {
		w->load.script[i] = l->script[i];
		if (!w->load.script[i].weight)
			w->load.script[i].weight = 1;
		w->load.script_wsum += w->load.script[i].weight;
		w->load.script_cur[i] = 0;
	}
	/* An open loop keeps its rate whatever the server does (wrk2's): without a cap asked for, only
	 * the connection table bounds it. A closed loop's cap is its concurrency. */
	uint64_t dflt = l->rate > 0 ? w->nconns : SYNACK_CONNECT_INFLIGHT;
	uint64_t cap = l->concurrency ? l->concurrency / nw + (k < l->concurrency % nw) : dflt;
	w->load.concurrency = (uint32_t)(cap ? (cap < UINT32_MAX ? cap : UINT32_MAX) : 1);
	w->load.resolved = false;
	w->arp_asked_ns = w->arp_first_ns = 0;
	w->load.held_upto = 0;
	if (mine && l->rate > 0) {
		w->load.open_loop = true;
		w->load.todo = 0;
		w->load.rate = l->rate / nw;
		w->load.ramp_s = l->ramp_s;
		synack_pacer_init(&w->load.pacer, w->load.rate, w->load.ramp_s, w->now_ns, share == UINT64_MAX ? 0 : share);
	} else {
		w->load.open_loop = false;
		w->load.todo = share;
	}
	w->rec_arm = share > 0;
	return 0;
}

static void handle_msg(struct synack_worker *w, struct synack_msg *msg)
{
	int rc = 0;
	switch (msg->type) {
	case SYNACK_MSG_LISTEN:
		if (w->lidx[msg->l.port]) {
			/* A live port keeps its application: its connections' contexts are laid out for it. */
			struct synack_listener *l = &w->lst[w->lidx[msg->l.port] - 1];
			if (l->app != msg->l.app)
				rc = -EEXIST;
			else
				*l = msg->l;
		} else {
			/* A slot an unlisten freed is reused once no connection names it. */
			unsigned k = w->nlst;
			for (unsigned i = 0; i < w->nlst; i++)
				if (!w->lst[i].port && !w->lst_conns[i]) {
					k = i;
					break;
				}
			if (k >= SYNACK_MAX_LISTENERS) {
				rc = -ENOSPC;
			} else {
				w->lst[k] = msg->l;
				w->lidx[msg->l.port] = (uint8_t)(k + 1);
				if (k == w->nlst)
					w->nlst++;
			}
		}
		break;
	case SYNACK_MSG_UNLISTEN:
		if (!w->lidx[msg->port]) {
			rc = -ENOENT;
		} else {
			/* Keep lst[] indices stable for live connections: mark the slot unused. */
			w->lst[w->lidx[msg->port] - 1].port = 0;
			w->lidx[msg->port] = 0;
		}
		break;
	case SYNACK_MSG_LOAD:
		rc = load_begin(w, &msg->load);
		break;
	case SYNACK_MSG_LOAD_STOP:
		if (w->load.open_loop && w->load.resolved) {
			/* What the schedule had due and was not started is said, never lost silently. */
			uint64_t due = synack_pacer_due(&w->load.pacer, w->now_ns, UINT64_MAX);
			__atomic_store_n(&w->lc[0].late, w->lc[0].late + due, __ATOMIC_RELAXED);
		}
		load_end(w);
		break;
	case SYNACK_MSG_MSL:
		w->ctx.cfg.msl_ms = msg->msl_s * 1000u;
		break;
	case SYNACK_MSG_STOP:
		w->stop = 1;
		break;
	}
	msg->rc = rc;
	__atomic_store_n(&msg->done, 1, __ATOMIC_RELEASE);
}

#define RX_AHEAD 8

static inline void rx_prefetch_pkt(const struct rte_mbuf *m)
{
	const uint8_t *frame = frame_guess(m);
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
		if (pkts[i]->data_len < SYNACK_ETH_HLEN + 40 || d[12] != 0x08 || d[13] != 0x00 || d[14] != 0x45 ||
		    d[23] != 6)
			continue;
		const uint8_t *ip = d + SYNACK_ETH_HLEN;
		struct synack_tuple *t = &k[i];
		memcpy(&t->raddr, ip + 12, 4);
		memcpy(&t->laddr, ip + 16, 4);
		memcpy(&t->rport, ip + 20, 2);
		memcpy(&t->lport, ip + 22, 2);
		t->raddr = rte_be_to_cpu_32(t->raddr);
		t->laddr = rte_be_to_cpu_32(t->laddr);
		t->rport = rte_be_to_cpu_16(t->rport);
		t->lport = rte_be_to_cpu_16(t->lport);
		if (ip[20 + 13] & SYNACK_TH_FIN)
			fin |= 1u << i;
		/* A SYN or SYN-ACK is answered in its own mbuf (SYN-ACK, ACK): ask for its lines in
		 * exclusive state now, or the reply's stores queue until the sender's copies are gone
		 * and stall the next packet's. Segments that are only freed keep the shared state. */
		if (ip[20 + 13] & SYNACK_TH_SYN) {
			mbuf_prefetch_w(pkts[i], d);
			/* A SYN may open a connection: its ISN's F now, the burst's together, so that
			 * their 40-cycle AES chains overlap instead of each stalling its own SYN. */
			if (!(ip[20 + 13] & SYNACK_TH_ACK)) {
				hi->isnf[i] = synack_isn_hash(&w->ctx.isn_key, t);
				hi->syn |= 1u << i;
			}
		}
		hash[i] = synack_ctab_hash(&w->conn_tab, t);
		hi->hashed |= 1u << i;
		synack_ctab_prefetch(&w->conn_tab, hash[i]);
	}
	/* Then the connections the buckets name (their first line holds the tuple to compare), and
	 * the TIME-WAIT bucket only where it will be read: no connection matched (a segment for a
	 * TIME-WAIT entry, or a SYN), or a FIN that may take the connection into TIME-WAIT. That
	 * table spans gigabytes: a prefetch per packet was a memory access and a page walk each. */
	for (uint32_t todo = hi->hashed; todo; todo &= todo - 1) {
		unsigned i = (unsigned)__builtin_ctz(todo);
		const struct synack_ctab_bucket *b = &w->conn_tab.b[(uint32_t)hash[i] & w->conn_tab.mask];
		unsigned bits = synack_ctab_match(b, synack_ctab_tag(hash[i]));
		if (w->tw.used && (!bits || (fin >> i & 1)))
			synack_ctab_prefetch(&w->tw.tab, synack_ctab_hash(&w->tw.tab, &k[i]));
		for (; bits; bits &= bits - 1)
			rte_prefetch0(&w->conns[b->idx[__builtin_ctz(bits)]]);
	}
}

int synack_worker_main(void *arg)
{
	struct synack_worker *w = arg;
	struct synack_engine *e = w->e;
	struct rte_mbuf *pkts[SYNACK_BURST];
	uint64_t t0 = rte_rdtsc();
	while (!w->stop) {
		w->now_tsc = t0;
		w->now_ns = tsc_ns(w, t0);
		unsigned work = 0;
		uint32_t rx_full = 0;
		for (unsigned p = 0; p < e->nports; p++) {
			const struct synack_port_rt *pr = &e->ports[p];
			if (w->id < pr->wfirst || w->id - pr->wfirst >= pr->nb_rxq)
				continue;
			uint16_t n = rte_eth_rx_burst(pr->port_id, (uint16_t)(w->id - pr->wfirst), pkts, SYNACK_BURST);
			struct rx_hints hi;
			if (!n)
				continue;
			rx_full |= (uint32_t)(n == SYNACK_BURST) << p;
			rx_prefetch(w, pkts, n, &hi);
			for (uint16_t i = 0; i < n; i++) {
				/* Counted where received; a packet handed to its owner is not counted again. */
				w->stats.rx_pkts++;
				w->stats.rx_bytes += pkts[i]->pkt_len;
				if (hi.syn >> i & 1)
					synack_tcp_isn_ahead(&w->ctx, &hi.k[i], hi.isnf[i]);
				handle_pkt(w, p, pkts[i], hi.hashed >> i & 1 ? &hi.hash[i] : NULL);
			}
			work += n;
		}
		for (unsigned s = 0; s < w->nworkers; s++) {
			if (!w->handoff_in[s])
				continue;
			unsigned n = rte_ring_sc_dequeue_burst(w->handoff_in[s], (void **)pkts, SYNACK_BURST, NULL);
			for (unsigned i = 0; i < n; i++) {
				w->stats.handoff_in++;
				handle_pkt(w, pkts[i]->port, pkts[i], NULL);
			}
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
			work += start_connects(w);
		work += synack_wheel_advance(w->wheel, w->now_ns / SYNACK_TICK_NS, 256, on_timer, w);
		if (w->tw.used) {
			unsigned n = synack_tw_table_expire(&w->tw, w->now_ns, 256);
			if (n) {
				w->stats.tw_in_use = w->tw.used;
				tw_ended(w, n);
				work += n;
			}
		}
		tx_flush(w);
		mbuf_free_flush(w);
		w->stats.timers_armed = synack_wheel_count(w->wheel);
		w->stats.loops++;
		/* One TSC read per loop: it ends this loop and starts the next. */
		uint64_t t1 = rte_rdtsc();
		if (work) {
			w->stats.busy_loops++;
			w->stats.busy_cycles += t1 - t0;
		}
		t0 = t1;
	}
	tx_flush(w);
	tx_discard(w);
	mbuf_free_flush(w);
	for (; w->mst_i != w->mst_n; w->mst_i++)
		rte_mempool_put(w->pool, w->mst[w->mst_i % SYNACK_MSTASH_RING]);
	w->mst_i = w->mst_n = 0;
	return 0;
}

int synack_worker_init(struct synack_engine *e, struct synack_worker *w, unsigned id, char *err, size_t errlen)
{
	const struct synack_engine_cfg_file *ec = &e->cfg.engine;
	int socket = (int)rte_socket_id();
	char name[64];
	w->e = e;
	w->id = id;
	w->nworkers = e->nworkers;
	w->pool = e->pool;
	struct synack_tcp_cfg tc;
	synack_tcp_cfg_default(&tc);
	tc.msl_ms = ec->msl_s * 1000u;
	if (ec->mss)
		tc.mss = ec->mss;
	if (ec->syn_retries)
		tc.syn_retries = ec->syn_retries;
	if (ec->synack_retries)
		tc.synack_retries = ec->synack_retries;
	tc.rcv_buf = SYNACK_SBUF_SIZE;
	if (synack_tcp_ctx_init(&w->ctx, &tc, id) != 0) {
		snprintf(err, errlen, "worker %u: getrandom failed for the ISN secret", id);
		return -1;
	}
	w->tsc0 = rte_rdtsc();
	w->tsc_mult = (uint64_t)(((unsigned __int128)SYNACK_NS_PER_S << 32) / e->tsc_hz);
	/* The clock starts at 1000 s so that "0" never means "now". */
	w->tsc0 -= e->tsc_hz * 1000;
	w->nconns = ec->tcb_per_core;
	w->conns = synack_bigmem_alloc((size_t)w->nconns * sizeof(struct synack_conn), socket, e->huge);
	w->free_idx = synack_bigmem_alloc((size_t)w->nconns * sizeof(uint32_t), socket, e->huge);
	w->wheel = rte_zmalloc_socket("synack_wheel", sizeof(struct synack_wheel), 64, socket);
	w->app_ctx = synack_bigmem_alloc((size_t)w->nconns * SYNACK_APP_CTX_MAX, socket, e->huge);
	w->t_intended = synack_bigmem_alloc((size_t)w->nconns * sizeof(uint64_t), socket, e->huge);
	w->held = synack_bigmem_alloc((size_t)w->nconns * sizeof(*w->held), socket, e->huge);
	w->lh = rte_zmalloc_socket("synack_load_hist", sizeof(*w->lh) * SYNACK_LOAD_MAX_SCRIPTS, 64, socket);
	w->nsbuf = ec->tcb_per_core < 4096 ? ec->tcb_per_core : 4096;
	w->sbuf_mem = rte_malloc_socket("synack_sbuf", (size_t)w->nsbuf * SYNACK_SBUF_SIZE, 64, socket);
	w->sbuf_free = rte_malloc_socket("synack_sbuf_free", (size_t)w->nsbuf * sizeof(uint32_t), 64, socket);
	uint8_t hkey[16], twkey[16];
	bool keys = synack_isn_secret_init(hkey) == 0 && synack_isn_secret_init(twkey) == 0;
	void *tab_mem = synack_bigmem_alloc(synack_ctab_mem_size(w->nconns), socket, e->huge);
	if (tab_mem && w->conns)
		synack_ctab_init(&w->conn_tab, tab_mem, w->nconns, (const uint8_t *)w->conns + offsetof(struct synack_conn, tcb.tuple),
				 sizeof(struct synack_conn), hkey);
	else
		synack_bigmem_free(tab_mem, synack_ctab_mem_size(w->nconns), e->huge);
	uint32_t ntw = synack_config_timewait(ec, id);
	void *tw_mem = synack_bigmem_alloc(synack_tw_table_mem_size(ntw), socket, e->huge);
	if (tw_mem)
		synack_tw_table_init(&w->tw, tw_mem, ntw, twkey);   /* its buckets lead: w->tw.tab.b */
	snprintf(name, sizeof(name), "synack_ctl_%u", id);
	w->ctl = rte_ring_create(name, 64, socket, RING_F_SC_DEQ);
	if (!keys) {
		snprintf(err, errlen, "worker %u: getrandom failed for the table hash keys", id);
		return -1;
	}
	if (!w->conns || !w->free_idx || !w->wheel || !w->app_ctx || !w->t_intended || !w->held || !w->lh || !w->sbuf_mem || !w->sbuf_free || !w->conn_tab.b || !w->tw.tab.b || !w->ctl) {
		snprintf(err, errlen,
			 "worker %u: cannot allocate its tables (%u connections, %u TIME-WAIT entries): "
			 "lower tcb_per_core / timewait_per_core or raise --mem",
			 id, ec->tcb_per_core, ntw);
		return -1;
	}
	for (uint32_t i = 0; i < w->nconns; i++) {
		w->conns[i].idx = i;
		w->free_idx[i] = w->nconns - 1 - i;
	}
	w->nfree = w->nconns;
	for (uint32_t i = 0; i < w->nsbuf; i++)
		w->sbuf_free[i] = w->nsbuf - 1 - i;
	w->nsbuf_free = w->nsbuf;
	synack_wheel_init(w->wheel, SYNACK_TICK_NS, clock_ns(w) / SYNACK_TICK_NS);
	w->synrcv_max = ec->synrcv_per_core;
	w->cookie_mode = ec->syncookies;
	w->next_lport = (uint16_t)(EPH_LO + id);
	w->rec_idx = UINT32_MAX;
	return 0;
}

void synack_worker_free(struct synack_worker *w)
{
	if (!w)
		return;
	const struct synack_engine *e = w->e;
	synack_bigmem_free(w->conn_tab.b, synack_ctab_mem_size(w->nconns), e->huge);
	synack_bigmem_free(w->tw.tab.b, synack_tw_table_mem_size(w->tw.cap), e->huge);
	synack_bigmem_free(w->conns, (size_t)w->nconns * sizeof(struct synack_conn), e->huge);
	synack_bigmem_free(w->free_idx, (size_t)w->nconns * sizeof(uint32_t), e->huge);
	synack_bigmem_free(w->app_ctx, (size_t)w->nconns * SYNACK_APP_CTX_MAX, e->huge);
	synack_bigmem_free(w->t_intended, (size_t)w->nconns * sizeof(uint64_t), e->huge);
	synack_bigmem_free(w->held, (size_t)w->nconns * sizeof(*w->held), e->huge);
	rte_free(w->lh);
	rte_free(w->wheel);
	rte_free(w->sbuf_mem);
	rte_free(w->sbuf_free);
	rte_ring_free(w->ctl);
	for (unsigned s = 0; s < SYNACK_MAX_WORKERS; s++)
		rte_ring_free(w->handoff_in[s]);
}
