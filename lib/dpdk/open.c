/* open.c: the load's active opens on a worker (synack_load_start): its share of the rate, the
 * concurrency cap and the count; the next hop's ARP resolved first; tuples proposed ahead on a walk
 * that maps back to this core (or follows RSS on a steered port), checked against the tables; the
 * connection itself opened by the endpoint (synack_ep_connect). */
#include <errno.h>
#include <rte_mbuf.h>
#include <string.h>

#include "net/build.h"
#include "tcp/isn.h"
#include "tx.h"


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
	return w->ep.tw.used && (w->walk_wrapped || w->ep.now_ns < w->tw_old_until_ns ||
			      w->e->ports[w->load.port_idx].steer.enabled);
}

/* A tuple start_connects must not take (h: its connection-table hash). */
static inline bool tuple_busy(struct synack_worker *w, const struct synack_tuple *t, uint64_t h)
{
	return synack_ep_tuple_busy(&w->ep, t, h, tw_may_hold(w));
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
	return wrr_pick(w->load.script_cur, &w->ep.script[0].weight, sizeof(w->ep.script[0]), w->ep.nscripts,
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
		w->prop_h[j] = synack_ctab_hash(&w->ep.conn_tab, t);
		synack_ctab_prefetch(&w->ep.conn_tab, w->prop_h[j]);
		/* F is wanted a few connections from now: its latency hides behind them. */
		w->prop_f[j] = synack_isn_hash(&w->ep.ctx.isn_key, t);
		if (tw_may_hold(w))
			synack_ctab_prefetch(&w->ep.tw.tab, synack_ctab_hash(&w->ep.tw.tab, t));
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
			synack_pacer_init(&w->load.pacer, w->load.rate, w->load.ramp_s, w->ep.now_ns, w->load.pacer.count);
		__atomic_store_n(&w->load.resolved, true, __ATOMIC_RELEASE);
		w->arp_asked_ns = w->arp_first_ns = 0;
		return 0;
	}
	if (w->arp_first_ns && w->ep.now_ns - w->arp_first_ns > 5 * SYNACK_NS_PER_S) {
		/* A destination never answered: the load cannot start. */
		w->ep.stats.arp_failed++;
		load_end(w);
		w->arp_first_ns = w->arp_asked_ns = 0;
		return 0;
	}
	if (w->arp_asked_ns && w->ep.now_ns - w->arp_asked_ns < SYNACK_NS_PER_S)
		return 0;
	w->arp_asked_ns = w->ep.now_ns;
	if (!w->arp_first_ns)
		w->arp_first_ns = w->ep.now_ns;
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
		w->ep.stats.tx_arp++;
		w->ep.stats.arp_misses++;
		synack_tx_enqueue(w, port, m);
		sent = 1;
	}
	return sent;
}

/* How many starts this loop may make: the pacer's due starts (open loop) or the count left
 * (closed loop), at most one burst and at most what the concurrency cap leaves. Due starts the cap
 * holds back stay due (their intended times are kept) and are counted in held, each once. */
static uint64_t starts_allowed(struct synack_worker *w, uint64_t *intended_from)
{
	uint64_t room = w->ep.client_open < w->load.concurrency ? w->load.concurrency - w->ep.client_open : 0;
	uint64_t due;
	if (w->load.open_loop) {
		due = synack_pacer_due(&w->load.pacer, w->ep.now_ns, SYNACK_BURST);
		if (synack_pacer_done(&w->load.pacer)) {
			load_end(w);
			return 0;
		}
		uint64_t taken = synack_pacer_taken(&w->load.pacer);
		if (due > room && taken + due > w->load.held_upto) {
			uint64_t from = taken + room > w->load.held_upto ? taken + room : w->load.held_upto;
			struct synack_load_counters *lc = &w->ep.lc[0];
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
unsigned synack_open_starts(struct synack_worker *w)
{
	/* Checked first: a closed-loop load at its limit comes here on every loop. */
	if (!w->load.open_loop && w->ep.client_open >= w->load.concurrency)
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
			uint8_t dd = 0;
			ok = ++tries < 4000 && propose(w, port, pr, &t, &dd);
			d = dd;
			h = ok ? synack_ctab_hash(&w->ep.conn_tab, &t) : 0;
			have_f = false;
		}
		if (!ok) {
			w->ep.stats.load_no_port++;
			w->ep.lc[0].no_tuple++;
			return i;
		}
		struct synack_conn *c = synack_ep_connect(&w->ep, port, &t, h, pick_script(w),
							  synack_arp_lookup(&w->arp, w->load.hop[d]),
							  paced ? synack_pacer_next_ns(&w->load.pacer) : 0, have_f ? f : 0);
		if (!c)
			return i; /* counted (drop_pool_full, or load_no_port); tried again next loop */
		c->dst = (uint8_t)d;
		if (paced)
			synack_pacer_take(&w->load.pacer);
		else if (w->load.todo != UINT64_MAX)
			w->load.todo--;
	}
	return i;
}


/* A new load on this worker (synack_load_start). Its share: every worker of the port the
 * destinations route through takes rate, cap and count divided among them; every worker keeps the
 * source spread, since any of them may receive for those addresses. */
int synack_open_load_begin(struct synack_worker *w, const struct synack_load *l)
{
	/* Connections of the previous load still name its scripts by index: a load with other scripts
	 * waits until they are over (the caller retries). */
	int rc = synack_ep_set_scripts(&w->ep, l->script, l->nscripts);
	if (rc < 0)
		return rc;
	w->ep.connect_timeout_ms = l->connect_timeout_ms;
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
	uint16_t lo = l->sport_lo ? l->sport_lo : SYNACK_EPH_LO, hi = l->sport_hi ? l->sport_hi : UINT16_MAX;
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
		w->tw_old_until_ns = synack_tw_table_last_deadline_ns(&w->ep.tw, w->ep.now_ns);
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
	w->load.script_wsum = 0;
	for (unsigned i = 0; i < w->ep.nscripts; i++) {
		w->load.script_wsum += w->ep.script[i].weight;
		w->load.script_cur[i] = 0;
	}
	/* An open loop keeps its rate whatever the server does (wrk2's): without a cap asked for, only
	 * the connection table bounds it. A closed loop's cap is its concurrency. */
	uint64_t dflt = l->rate > 0 ? w->ep.nconns : SYNACK_CONNECT_INFLIGHT;
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
		synack_pacer_init(&w->load.pacer, w->load.rate, w->load.ramp_s, w->ep.now_ns, share == UINT64_MAX ? 0 : share);
	} else {
		w->load.open_loop = false;
		w->load.todo = share;
	}
	w->ep.rec_arm = share > 0;
	return 0;
}


void synack_open_load_stop(struct synack_worker *w)
{
	if (w->load.open_loop && w->load.resolved) {
		/* What the schedule had due and was not started is said, never lost silently. */
		uint64_t due = synack_pacer_due(&w->load.pacer, w->ep.now_ns, UINT64_MAX);
		__atomic_store_n(&w->ep.lc[0].late, w->ep.lc[0].late + due, __ATOMIC_RELAXED);
	}
	load_end(w);
}
