/* ep_open.c: an endpoint's opens: passive (a SYN for a listener: a half-open connection in the
 * SYN-RECEIVED FIFO, the oldest evicted at the bound, or a SYN cookie; the ACK that returns a
 * cookie) and active (a load's start). */
#include <errno.h>
#include <string.h>

#include "core/endpoint_internal.h"
#include "tcp/isn.h"

/* ---- passive opens ---- */

/* An ACK to a listening port, no connection: the connection its SYN cookie stands for, if it is
 * one (true), or nothing done (false: the caller answers it as the listener does). */
bool synack_ep_cookie_ack(struct synack_ep *ep, unsigned port, const struct synack_seg *s, uint64_t h,
		       const uint8_t *src_mac)
{
	struct synack_conn *c = synack_ep_conn_alloc(ep);
	if (!c)
		return false;
	struct synack_actions out;
	synack_actions_reset(&out);
	if (!synack_tcp_cookie_accept(&ep->ctx, &c->tcb, s, ep->now_ns, &out)) {
		synack_ep_conn_unalloc(ep, c);
		return false;
	}
	const struct synack_listener *l = &ep->lst[ep->lidx[s->dport] - 1];
	c->port = (uint8_t)port;
	c->app = (uint16_t)(l - ep->lst);
	ep->lst_conns[c->app]++;
	memcpy(c->peer_mac, src_mac, 6);
	synack_ep_conn_insert(ep, c, h);
	if (!synack_ep_app_attach(ep, c, l->app))
		ep->stats.drop_no_sendbuf++; /* it runs without: synack_conn_send says -ENOBUFS */
	if (!synack_ep_apply(ep, port, c, &out, NULL, false))
		synack_ep_output(ep, port, c, true);
	return true;
}

void synack_ep_listener_syn(struct synack_ep *ep, unsigned port, const struct synack_seg *s, uint64_t h,
			 const uint8_t *src_mac, bool has_floor, uint32_t floor)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	const struct synack_listener *l = &ep->lst[ep->lidx[s->dport] - 1];
	bool cookie = ep->cookie_mode == 2 ||
		      (ep->cookie_mode == 1 && (ep->synrcv_count >= ep->synrcv_max || ep->nfree == 0));
	if (!cookie && ep->synrcv_count >= ep->synrcv_max && ep->synrcv_head) {
		/* Cookies off and the half-open table full: the oldest half-open connection makes room. */
		struct synack_conn *old = ep->synrcv_head;
		if (ep->stats.per_state[SYNACK_SYN_RECEIVED])
			ep->stats.per_state[SYNACK_SYN_RECEIVED]--;
		synack_ep_conn_free(ep, old, SYNACK_CLOSE_ABORTED);
		ep->stats.drop_synrcv_evicted++;
	}
	struct synack_conn *c = cookie ? NULL : synack_ep_conn_alloc(ep);
	if (!c) {
		if (ep->cookie_mode == 0)
			return; /* counted as drop_pool_full */
		synack_tcp_cookie_synack(&ep->ctx, s, ep->now_ns, &out);
		synack_ep_apply(ep, port, NULL, &out, src_mac, true);
		return;
	}
	c->port = (uint8_t)port;
	c->role = SYNACK_ROLE_SERVER;
	c->app = (uint16_t)(l - ep->lst);
	memcpy(c->peer_mac, src_mac, 6);
	if (l->app->needs_send_ring && !ep->nsbuf_free) {
		ep->stats.drop_no_sendbuf++;
		synack_ep_conn_unalloc(ep, c);
		return;
	}
	synack_conn_write_begin(c);
	synack_tcp_accept(&ep->ctx, &c->tcb, s, ep->now_ns, has_floor, floor, &out);
	synack_conn_write_end(c);
	if (synack_ep_conn_insert(ep, c, h) < 0) {
		synack_ep_conn_unalloc(ep, c);
		ep->stats.drop_pool_full++;
		return;
	}
	ep->lst_conns[c->app]++;
	synack_ep_app_attach(ep, c, l->app);
	/* Half-open FIFO: the oldest is evicted first when the table is full. */
	c->fifo.prev = ep->synrcv_tail;
	c->fifo.next = NULL;
	c->cflags |= SYNACK_CF_IN_SYNRCV;
	if (ep->synrcv_tail)
		ep->synrcv_tail->fifo.next = c;
	else
		ep->synrcv_head = c;
	ep->synrcv_tail = c;
	ep->synrcv_count++;
	ep->stats.synrcv_in_use = ep->synrcv_count;
	synack_ep_apply(ep, port, c, &out, NULL, true);
}

/* ---- active opens ---- */

bool synack_ep_tuple_busy(struct synack_ep *ep, const struct synack_tuple *t, uint64_t h, bool check_tw)
{
	return ep->lidx[t->lport] ||
	       (ep->conn_tab.count && synack_ctab_lookup_h(&ep->conn_tab, t, h) != SYNACK_CTAB_NIL) ||
	       (check_tw && ep->tw.used && synack_tw_table_lookup(&ep->tw, t) != NULL);
}

struct synack_conn *synack_ep_connect(struct synack_ep *ep, unsigned port, const struct synack_tuple *t, uint64_t h,
				      unsigned sc, const uint8_t mac[6], uint64_t intended_ns, uint64_t isn_f)
{
	struct synack_conn *c = synack_ep_conn_alloc(ep);
	if (!c)
		return NULL; /* counted as drop_pool_full */
	const struct synack_app *app = ep->script[sc].app;
	c->role = SYNACK_ROLE_CLIENT;
	c->app = (uint16_t)sc;
	c->port = (uint8_t)port;
	if (ep->rec_arm) {
		ep->rec_arm = false;
		ep->rec_idx = c->idx;
		ep->rec_len = 0;
	}
	memcpy(c->peer_mac, mac, 6);
	c->t_open = ep->now_ns;
	ep->t_intended[c->idx] = intended_ns;
	struct synack_actions out;
	synack_actions_reset(&out);
	if (isn_f)
		synack_tcp_isn_ahead(&ep->ctx, t, isn_f);
	synack_conn_write_begin(c);
	synack_tcp_connect(&ep->ctx, &c->tcb, t, ep->now_ns, &out);
	synack_conn_write_end(c);
	if (synack_ep_conn_insert(ep, c, h) < 0) {
		/* The table has no room for the tuple's bucket: as if no tuple were free. */
		synack_ep_conn_unalloc(ep, c);
		ep->stats.load_no_port++;
		ep->lc[0].no_tuple++;
		return NULL;
	}
	ep->client_open++;
	struct synack_load_counters *lc = &ep->lc[sc];
	synack_ep_lc_begin(ep);
	lc->started++;
	lc->in_flight++;
	synack_ep_lc_end(ep);
	if (!synack_ep_app_attach(ep, c, app))
		ep->stats.drop_no_sendbuf++;
	if (ep->connect_timeout_ms) {
		/* The connect timeout runs on the application's timer, which is free until the
		 * connection is established (an active open is never in the half-open FIFO): on_timer
		 * tells the two apart by the state, and ESTABLISHED cancels it before connected(). */
		memset(&c->app_timer, 0, sizeof(c->app_timer));
		synack_wheel_arm(ep->wheel, &c->app_timer,
				 (ep->now_ns + (uint64_t)ep->connect_timeout_ms * SYNACK_NS_PER_MS + SYNACK_TICK_NS - 1) /
					 SYNACK_TICK_NS);
		c->cflags |= SYNACK_CF_APP_TIMER;
	}
	synack_ep_apply(ep, port, c, &out, NULL, false);
	return c;
}
