/* endpoint.c: one core's TCP endpoint (endpoint.h): the core's actions carried out, what a segment,
 * a timer or a user call does, listeners, set-up. The pool (ep_pool.c), TIME-WAIT (ep_timewait.c),
 * opens (ep_open.c) and the application API (ep_app.c) are its other files. No frame, clock or
 * lock. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/endpoint_internal.h"
#include "tcp/isn.h"

/* ---- actions ---- */

/* The first client connection of a load records the first bytes it receives (show response). */
static void record_response(struct synack_ep *ep, const uint8_t *d, uint32_t n)
{
	if (ep->rec_len >= sizeof(ep->rec))
		return;
	uint32_t k = (uint32_t)sizeof(ep->rec) - ep->rec_len;
	if (k > n)
		k = n;
	__atomic_store_n(&ep->rec_ver, ep->rec_ver + 1, __ATOMIC_RELEASE);
	memcpy(ep->rec + ep->rec_len, d, k);
	ep->rec_len += k;
	__atomic_store_n(&ep->rec_ver, ep->rec_ver + 1, __ATOMIC_RELEASE);
}

/* Carries out the core's actions for c (NULL for replies without a connection); mac: where such
 * replies go. rx_ok: the frame being handled may carry the first reply. Returns true when c was
 * freed. */
bool synack_ep_apply(struct synack_ep *ep, unsigned port, struct synack_conn *c, struct synack_actions *out,
		  const uint8_t *mac, bool rx_ok)
{
	bool closed = false, to_tw = false;
	unsigned reason = SYNACK_CLOSE_NORMAL;
	const struct synack_app *app = c ? synack_ep_conn_app(ep, c) : NULL;
	void (*trace)(void *, const struct synack_tuple *, const struct synack_action *) = ep->io.trace;
	struct synack_actions *saved_out = synack_ep_cur_out;
	synack_ep_cur = ep;
	synack_ep_cur_out = out;   /* what the application's calls append is carried out by this very loop */
	for (unsigned i = 0; i < out->n; i++) {
		struct synack_action *a = &out->a[i];
		switch (a->kind) {
		case SYNACK_ACT_SEND:
			ep->io.send(ep->io.arg, port, c, &a->seg, c ? c->peer_mac : mac, rx_ok);
			break;
		case SYNACK_ACT_TIMER_ARM:
			if (c)
				synack_wheel_arm(ep->wheel, &c->timer[a->id],
						 (a->deadline_ns + SYNACK_TICK_NS - 1) / SYNACK_TICK_NS);
			break;
		case SYNACK_ACT_TIMER_CANCEL:
			if (c)
				synack_wheel_cancel(ep->wheel, &c->timer[a->id]);
			break;
		case SYNACK_ACT_EVENT:
			if (!c)
				break;
			if (trace)
				trace(ep->io.arg, &c->tcb.tuple, a);
			switch (a->id) {
			case SYNACK_EV_STATE:
				if (a->a < SYNACK_STATE_COUNT && ep->stats.per_state[a->a])
					ep->stats.per_state[a->a]--;
				if (a->b < SYNACK_STATE_COUNT)
					ep->stats.per_state[a->b]++;
				if (a->a == SYNACK_SYN_RECEIVED)
					synack_ep_synrcv_unlink(ep, c);
				break;
			case SYNACK_EV_CONNECTED:
				ep->stats.conns_opened++;
				if (c->cflags & SYNACK_CF_APP_TIMER) {
					/* The load's connect timeout (ep_open.c): met. */
					synack_wheel_cancel(ep->wheel, &c->app_timer);
					c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
				}
				if (ep->ka_all)
					synack_ep_ka_start(ep, c);
				c->cflags |= SYNACK_CF_CONNECTED;
				/* Connect latency: our SYN sent -> its SYN-ACK received, on the clock read once
				 * per loop. Both ends are loop starts: the SYN left at the end of its loop, the
				 * SYN-ACK arrived before the start of its own, so the error is under one loop. */
				synack_ep_lat_record(ep, c, SYNACK_LAT_CONNECT);
				if (app->connected)
					app->connected(c);
				break;
			case SYNACK_EV_ACCEPTED:
				ep->stats.conns_accepted++;
				if (ep->ka_all)
					synack_ep_ka_start(ep, c);
				if (app->accepted)
					app->accepted(c);
				break;
			case SYNACK_EV_DATA:
				if (c->idx == ep->rec_idx && c->role == SYNACK_ROLE_CLIENT)
					record_response(ep, a->data, a->n);
				synack_ep_data(ep, c, app, a->data, a->n);
				break;
			case SYNACK_EV_ACKED:
				if (c->stream == SYNACK_STREAM_RING)
					synack_sndbuf_ack(&c->sb, a->n);
				if (app->sent)
					app->sent(c, a->n);
				if (ep->held[c->idx])
					synack_ep_held_deliver(ep, c, app);
				break;
			case SYNACK_EV_PEER_FIN:
				if (ep->held[c->idx])
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
	synack_ep_cur_out = saved_out;
	/* Actions the core could not list (its list is sized for the worst case: a bug if any). */
	ep->stats.actions_overflow += out->overflow;
	if (closed) {
		if (ep->stats.per_state[SYNACK_CLOSED])
			ep->stats.per_state[SYNACK_CLOSED]--;
		synack_ep_conn_free(ep, c, reason);
		return true;
	}
	if (to_tw && c) {
		synack_ep_tw_enter(ep, c);
		return true;
	}
	return false;
}

/* Runs the core's output for c (data, FIN, owed ACK) and applies it. */
bool synack_ep_output(struct synack_ep *ep, unsigned port, struct synack_conn *c, bool rx_ok)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_output(&ep->ctx, &c->tcb, ep->now_ns, &out);
	return synack_ep_apply(ep, port, c, &out, NULL, rx_ok);
}

/* The end of a step on connection c (its write begun): the core's actions in out carried out, then
 * its output (data, FIN, the owed ACK), then the write ended. rx_apply / rx_output: the frame
 * being handled may carry a reply in either. may_delay: the step was a segment whose data the
 * application saw (had_ooo: bytes were held out of order before it), whose owed ACK may wait
 * (ep_delack.c) when nothing else is owed. Returns whether c was freed. */
static inline __attribute__((always_inline)) bool finish(struct synack_ep *ep, unsigned port, struct synack_conn *c,
							 struct synack_actions *out, bool rx_apply, bool rx_output,
							 bool may_delay, bool had_ooo)
{
	bool freed = synack_ep_apply(ep, port, c, out, NULL, rx_apply);
	if (!freed && !(may_delay && synack_ep_delack_defer(ep, c, had_ooo))) {
		freed = synack_ep_output(ep, port, c, rx_output);
		if (!freed && __builtin_expect(c->cflags & SYNACK_CF_DELACK, 0))
			synack_ep_delack_sent(c);
	}
	if (!freed)
		synack_conn_write_end(c);
	else
		synack_conn_write_freed(c);
	return freed;
}

/* Held out-of-order bytes the segment made contiguous beyond what one action list carries
 * (tcp.h: synack_tcp_reass_more). Returns whether c was freed. */
static bool deliver_more(struct synack_ep *ep, unsigned port, struct synack_conn *c)
{
	while (synack_tcp_reass_more(&ep->ctx, &c->tcb)) {
		struct synack_actions out;
		synack_actions_reset(&out);
		synack_conn_write_begin(c);
		synack_tcp_reass_deliver(&ep->ctx, &c->tcb, ep->now_ns, &out);
		if (finish(ep, port, c, &out, false, false, false, false))
			return true;
	}
	return false;
}

/* ---- a segment arrives ---- */

void synack_ep_input(struct synack_ep *ep, unsigned port, const struct synack_seg *s, const uint8_t src_mac[6],
		     const uint64_t *hash)
{
	struct synack_tuple key = { s->daddr, s->saddr, s->dport, s->sport };
	struct synack_actions out;
	synack_actions_reset(&out);
	/* The caller may have hashed this tuple already (rx_prefetch); the hash serves the lookup and,
	 * for a new connection, the insert. */
	uint64_t h = hash ? *hash : synack_ctab_hash(&ep->conn_tab, &key);
	uint32_t ci = ep->conn_tab.count ? synack_ctab_lookup_h(&ep->conn_tab, &key, h) : SYNACK_CTAB_NIL;
	bool reopen = false;
	uint32_t floor = 0;
	if (ci != SYNACK_CTAB_NIL) {
		struct synack_conn *c = &ep->conns[ci];
		synack_conn_write_begin(c);
		if (c->tcb.state == SYNACK_TIME_WAIT)
			c->tcb.flags = (uint16_t)((c->tcb.flags & ~SYNACK_TF_NO_LISTENER) |
						  (ep->lidx[s->dport] ? 0 : SYNACK_TF_NO_LISTENER));
		bool had_ooo = c->tcb.ooo != 0;
		if (__builtin_expect(c->rx_day != ep->today, 0)) {
			/* RFC 7323 §5.5: after more than 24 idle days TS.Recent is no longer valid. */
			if ((uint8_t)(ep->today - c->rx_day) > 24)
				synack_tcp_ts_stale(&c->tcb, s);
			c->rx_day = ep->today;
		}
		if (ep->ka_any) {
			c->ka_rx = (uint16_t)(ep->now_ns / SYNACK_NS_PER_S);
			c->ka_probes = 0;
		}
		synack_tcp_input(&ep->ctx, &c->tcb, s, ep->now_ns, &out);
		/* The received frame, warm in this core's cache, carries the first reply, unless the
		 * segment brought data: the application reads that from the frame during synack_ep_apply(), so then
		 * the reuse waits for synack_ep_output(). */
		bool has_data = out.events & 1u << SYNACK_EV_DATA;
		bool may_delay = has_data && ep->delack_ms && !(out.events & 1u << SYNACK_EV_PEER_FIN);
		bool freed = finish(ep, port, c, &out, !has_data, true, may_delay, had_ooo);
		if (__builtin_expect(!freed && c->tcb.ooo != 0, 0))
			freed = deliver_more(ep, port, c);
		if (!freed || !(out.events & 1u << SYNACK_EV_REOPEN))
			return;
		/* TIME-WAIT kept in this TCB (its table was full) took a new SYN (RFC 6191): the old
		 * incarnation is gone, and the SYN opens the new one below, as from a table entry. */
		reopen = true;
		floor = synack_ep_reopen_floor(&out);
		synack_actions_reset(&out);
	} else if (ep->tw.used) {
		struct synack_tw *tw = synack_tw_table_lookup(&ep->tw, &key);
		if (tw) {
			synack_ep_handle_tw(ep, port, tw, s, src_mac, &reopen, &floor);
			if (!reopen)
				return;
		}
	}
	if (ep->lidx[s->dport]) {
		/* An ACK for no connection may be the return of a SYN cookie: tried first, so that the
		 * RST the listener would answer it with is neither built nor counted when it is one. */
		if (ep->cookie_mode && (s->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_RST)) == SYNACK_TH_ACK &&
		    synack_ep_cookie_ack(ep, port, s, h, src_mac)) {
			/* taken */
		} else if (synack_tcp_listen_input(&ep->ctx, s, ep->now_ns, &out)) {
			synack_ep_listener_syn(ep, port, s, h, src_mac, reopen, floor);
		} else {
			synack_ep_apply(ep, port, NULL, &out, src_mac, true);
		}
	} else {
		synack_tcp_no_conn(&ep->ctx, s, ep->now_ns, &out);
		synack_ep_apply(ep, port, NULL, &out, src_mac, true);
	}
}

void synack_ep_frag_needed(struct synack_ep *ep, const struct synack_tuple *t, uint32_t seq, uint32_t mtu)
{
	struct synack_conn *c = synack_ep_lookup(ep, t);
	if (!c) {
		ep->ctx.stats.icmp_ignored++;  /* a TIME-WAIT entry or no connection: nothing in flight */
		return;
	}
	synack_conn_write_begin(c);
	struct synack_actions out;
	synack_actions_reset(&out);
	if (synack_tcp_frag_needed(&ep->ctx, &c->tcb, seq, mtu))
		finish(ep, c->port, c, &out, false, false, false, false);
	else
		synack_conn_write_end(c);
}

/* ---- time ---- */

static void on_timer(struct synack_wheel *wh, struct synack_timer_node *node, void *arg)
{
	(void)wh;
	struct synack_ep *ep = arg;
	/* Every node on this wheel is timer[0], timer[1] or app_timer of a connection in this pool:
	 * the connection is found by position in the pool, then which of its nodes fired. */
	struct synack_conn *c = &ep->conns[((uintptr_t)node - (uintptr_t)ep->conns) / sizeof(struct synack_conn)];
	ep->stats.timers_fired++;
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_conn_write_begin(c);
	if (node == &c->app_timer && c->role == SYNACK_ROLE_CLIENT && !(c->cflags & SYNACK_CF_CONNECTED)) {
		/* The load's connect timeout (ep_open.c): no SYN-ACK in time. Given up as the SYN
		 * retries would be (RFC 9293 §3.10.5 ABORT in SYN-SENT: the TCB goes, nothing is sent). */
		c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
		if (c->outcome == SYNACK_OUT_NONE)
			c->outcome = SYNACK_OUT_CONNECT_TIMEOUT;
		synack_tcp_abort(&ep->ctx, &c->tcb, ep->now_ns, &out);
	} else if (node == &c->app_timer) {
		/* The application's own timer: its calls go into out like those of any callback. */
		c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
		const struct synack_app *app = synack_ep_conn_app(ep, c);
		struct synack_actions *saved_out = synack_ep_cur_out;
		synack_ep_cur = ep;
		synack_ep_cur_out = &out;
		if (app->timer)
			app->timer(c);
		if (ep->held[c->idx])
			synack_ep_held_deliver(ep, c, app);
		synack_ep_cur_out = saved_out;
	} else if (node != &c->timer[1] || !ep->ka_any || !synack_ep_ka_fire(ep, c, &out)) {
		synack_tcp_timeout(&ep->ctx, &c->tcb, (enum synack_timer)(node == &c->timer[1]), ep->now_ns, &out);
	}
	finish(ep, c->port, c, &out, false, false, false, false);
}

#define DAY_NS (86400ull * SYNACK_NS_PER_S)

static void day_set(struct synack_ep *ep)
{
	uint64_t d = ep->now_ns / DAY_NS;
	ep->today = (uint8_t)d;
	ep->next_day_ns = (d + 1) * DAY_NS;
}

unsigned synack_ep_advance(struct synack_ep *ep, unsigned budget)
{
	if (__builtin_expect(ep->now_ns >= ep->next_day_ns, 0))
		day_set(ep);
	unsigned work = synack_wheel_advance(ep->wheel, ep->now_ns / SYNACK_TICK_NS, budget, on_timer, ep);
	if (ep->tw.used) {
		unsigned n = synack_tw_table_expire(&ep->tw, ep->now_ns, budget);
		if (n) {
			ep->stats.tw_in_use = ep->tw.used;
			synack_ep_tw_ended(ep, n);
			work += n;
		}
	}
	if (ep->delack_n)
		work += synack_ep_delack_run(ep, budget);
	ep->stats.timers_armed = synack_wheel_count(ep->wheel);
	return work;
}

int synack_ep_user(struct synack_ep *ep, struct synack_conn *c, int (*fn)(struct synack_conn *c, void *arg),
		   void *arg)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	struct synack_ep *saved = synack_ep_cur;
	struct synack_actions *saved_out = synack_ep_cur_out;
	synack_ep_cur = ep;
	synack_ep_cur_out = &out;
	synack_conn_write_begin(c);
	int rc = fn(c, arg);
	synack_ep_cur_out = saved_out;
	finish(ep, c->port, c, &out, false, false, false, false);
	synack_ep_cur = saved;
	return rc;
}

/* ---- control ---- */

int synack_ep_listen(struct synack_ep *ep, const struct synack_listener *nl)
{
	if (ep->lidx[nl->port]) {
		/* A live port keeps its application: its connections' contexts are laid out for it. */
		struct synack_listener *l = &ep->lst[ep->lidx[nl->port] - 1];
		if (l->app != nl->app)
			return -EEXIST;
		*l = *nl;
		return 0;
	}
	/* A slot an unlisten freed is reused once no connection names it. */
	unsigned k = ep->nlst;
	for (unsigned i = 0; i < ep->nlst; i++)
		if (!ep->lst[i].port && !ep->lst_conns[i]) {
			k = i;
			break;
		}
	if (k >= SYNACK_MAX_LISTENERS)
		return -ENOSPC;
	ep->lst[k] = *nl;
	ep->lidx[nl->port] = (uint8_t)(k + 1);
	if (k == ep->nlst)
		ep->nlst++;
	return 0;
}

int synack_ep_unlisten(struct synack_ep *ep, uint16_t port)
{
	if (!ep->lidx[port])
		return -ENOENT;
	/* Keep lst[] indices stable for live connections: mark the slot unused. */
	ep->lst[ep->lidx[port] - 1].port = 0;
	ep->lidx[port] = 0;
	return 0;
}

int synack_ep_set_scripts(struct synack_ep *ep, const struct synack_load_script *s, unsigned n)
{
	/* Connections of the previous load still name its scripts by index: a load with other scripts
	 * waits until they are over (the caller retries). */
	if (n > SYNACK_LOAD_MAX_SCRIPTS)
		return -EINVAL;
	if (ep->client_open && (ep->nscripts != n || memcmp(ep->script, s, n * sizeof(s[0]))))
		return -EBUSY;
	ep->nscripts = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		ep->script[i] = s[i];
		if (!ep->script[i].weight)
			ep->script[i].weight = 1;
	}
	return 0;
}

/* ---- set-up ---- */

int synack_ep_init(struct synack_ep *ep, const struct synack_ep_cfg *cfg, const struct synack_ep_io *io,
		   const struct synack_ep_mem *mem, uint64_t now_ns, char *err, size_t errlen)
{
	ep->id = cfg->id;
	ep->io = *io;
	ep->mem = *mem;
	ep->now_ns = now_ns;
	if (synack_tcp_ctx_init(&ep->ctx, &cfg->tcp, cfg->id) != 0) {
		snprintf(err, errlen, "worker %u: getrandom failed for the ISN secret", cfg->id);
		return -1;
	}
	ep->nconns = cfg->nconns;
	ep->nsbuf = cfg->nsbuf;
	void *a = mem->arg;
	ep->conns = mem->alloc(a, (size_t)ep->nconns * sizeof(struct synack_conn));
	ep->free_idx = mem->alloc(a, (size_t)ep->nconns * sizeof(uint32_t));
	ep->wheel = mem->alloc(a, sizeof(struct synack_wheel));
	ep->app_ctx = mem->alloc(a, (size_t)ep->nconns * SYNACK_APP_CTX_MAX);
	ep->t_intended = mem->alloc(a, (size_t)ep->nconns * sizeof(uint64_t));
	ep->held = mem->alloc(a, (size_t)ep->nconns * sizeof(*ep->held));
	ep->user = mem->alloc(a, (size_t)ep->nconns * sizeof(*ep->user));
	/* RFC 1122 §4.2.3.6: off unless asked; the idle time no less than two hours by default. */
	ep->ka_s = cfg->keepalive_s ? cfg->keepalive_s : 7200;
	ep->ka_intvl_s = cfg->keepalive_intvl_s ? cfg->keepalive_intvl_s : 75;
	ep->ka_probes = cfg->keepalive_probes ? cfg->keepalive_probes : 9;
	ep->ka_all = ep->ka_any = cfg->keepalive_s != 0;
	if (cfg->delack_ms) {
		ep->delack_cap = ep->nconns;
		ep->delack_q = mem->alloc(a, (size_t)ep->delack_cap * sizeof(*ep->delack_q));
		ep->delack_ms = ep->delack_q ? cfg->delack_ms : 0;
	}
	if (cfg->ooo_slots && cfg->ooo_per_conn) {
		ep->reass_mem = mem->alloc(a, synack_reass_mem(cfg->ooo_slots));
		if (ep->reass_mem) {
			synack_reass_init(&ep->reass, ep->reass_mem, cfg->ooo_slots, cfg->ooo_per_conn);
			ep->ctx.reass = &ep->reass;
		}
	}
	ep->lh = mem->alloc(a, sizeof(*ep->lh) * SYNACK_LOAD_MAX_SCRIPTS);
	ep->sbuf_size = cfg->sbuf_size ? cfg->sbuf_size : SYNACK_SBUF_SIZE;
	ep->sbuf_mem = mem->alloc(a, (size_t)ep->nsbuf * ep->sbuf_size);
	ep->sbuf_free = mem->alloc(a, (size_t)ep->nsbuf * sizeof(uint32_t));
	uint8_t hkey[16], twkey[16];
	bool keys = synack_isn_secret_init(hkey) == 0 && synack_isn_secret_init(twkey) == 0;
	void *tab_mem = mem->alloc(a, synack_ctab_mem_size(ep->nconns));
	if (tab_mem && ep->conns)
		synack_ctab_init(&ep->conn_tab, tab_mem, ep->nconns,
				 (const uint8_t *)ep->conns + offsetof(struct synack_conn, tcb.tuple),
				 sizeof(struct synack_conn), hkey);
	else if (tab_mem)
		mem->free(a, tab_mem, synack_ctab_mem_size(ep->nconns));
	void *tw_mem = mem->alloc(a, synack_tw_table_mem_size(cfg->ntw));
	if (tw_mem)
		synack_tw_table_init(&ep->tw, tw_mem, cfg->ntw, twkey);   /* its buckets lead: ep->tw.tab.b */
	if (!keys) {
		snprintf(err, errlen, "worker %u: getrandom failed for the table hash keys", cfg->id);
		return -1;
	}
	if (!ep->conns || !ep->free_idx || !ep->wheel || !ep->app_ctx || !ep->t_intended || !ep->held || !ep->user || !ep->lh ||
	    (cfg->ooo_slots && cfg->ooo_per_conn && !ep->reass_mem) || (cfg->delack_ms && !ep->delack_q) ||
	    !ep->sbuf_mem || !ep->sbuf_free || !ep->conn_tab.b || !ep->tw.tab.b) {
		snprintf(err, errlen,
			 "worker %u: cannot allocate its tables (%u connections, %u TIME-WAIT entries, %u "
			 "out-of-order slots): lower tcb_per_core / timewait_per_core / ooo_per_core or raise --mem",
			 cfg->id, cfg->nconns, cfg->ntw, cfg->ooo_slots);
		return -1;
	}
	for (uint32_t i = 0; i < ep->nconns; i++) {
		ep->conns[i].idx = i;
		ep->free_idx[i] = ep->nconns - 1 - i;
	}
	ep->nfree = ep->nconns;
	for (uint32_t i = 0; i < ep->nsbuf; i++)
		ep->sbuf_free[i] = ep->nsbuf - 1 - i;
	ep->nsbuf_free = ep->nsbuf;
	synack_wheel_init(ep->wheel, SYNACK_TICK_NS, now_ns / SYNACK_TICK_NS);
	ep->synrcv_max = cfg->synrcv_max;
	ep->cookie_mode = cfg->cookie_mode;
	ep->rec_idx = UINT32_MAX;
	day_set(ep);
	return 0;
}

void synack_ep_free(struct synack_ep *ep)
{
	const struct synack_ep_mem *m = &ep->mem;
	if (!m->free)
		return;
	void *a = m->arg;
	if (ep->conn_tab.b)
		m->free(a, ep->conn_tab.b, synack_ctab_mem_size(ep->nconns));
	if (ep->tw.tab.b)
		m->free(a, ep->tw.tab.b, synack_tw_table_mem_size(ep->tw.cap));
	m->free(a, ep->conns, (size_t)ep->nconns * sizeof(struct synack_conn));
	m->free(a, ep->free_idx, (size_t)ep->nconns * sizeof(uint32_t));
	m->free(a, ep->wheel, sizeof(struct synack_wheel));
	m->free(a, ep->app_ctx, (size_t)ep->nconns * SYNACK_APP_CTX_MAX);
	m->free(a, ep->t_intended, (size_t)ep->nconns * sizeof(uint64_t));
	m->free(a, ep->held, (size_t)ep->nconns * sizeof(*ep->held));
	m->free(a, ep->user, (size_t)ep->nconns * sizeof(*ep->user));
	if (ep->delack_q)
		m->free(a, ep->delack_q, (size_t)ep->delack_cap * sizeof(*ep->delack_q));
	ep->delack_q = NULL;
	ep->delack_ms = ep->delack_n = 0;
	if (ep->reass_mem)
		m->free(a, ep->reass_mem, synack_reass_mem(ep->reass.nslots));
	ep->reass_mem = NULL;
	ep->ctx.reass = NULL;
	m->free(a, ep->lh, sizeof(*ep->lh) * SYNACK_LOAD_MAX_SCRIPTS);
	m->free(a, ep->sbuf_mem, (size_t)ep->nsbuf * ep->sbuf_size);
	m->free(a, ep->sbuf_free, (size_t)ep->nsbuf * sizeof(uint32_t));
	memset(&ep->conn_tab, 0, sizeof(ep->conn_tab));
	ep->conns = NULL;
}
