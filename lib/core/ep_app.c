/* ep_app.c: the application API (synack_app.h) on an endpoint, and the received bytes an
 * application has not taken yet. An application calls in only from its callbacks, which run
 * inside synack_ep_* calls on the connection's own core: synack_ep_cur names that endpoint. */
#include <errno.h>
#include <string.h>

#include "core/endpoint_internal.h"
#include "net/zero.h"

__thread struct synack_ep *synack_ep_cur;
__thread struct synack_actions *synack_ep_cur_out;

int synack_conn_send_gen(struct synack_conn *c, uint32_t n)
{
	struct synack_ep *ep = synack_ep_cur;
	if (!ep)
		return -EPERM;
	if (!synack_ep_conn_app(ep, c)->fill || c->stream == SYNACK_STREAM_RING)
		return -ENOBUFS;
	c->stream = SYNACK_STREAM_GEN;
	int rc = synack_tcp_send(&ep->ctx, &c->tcb, n);
	return rc < 0 ? rc : (int)n;
}

int synack_conn_send(struct synack_conn *c, const void *d, uint32_t n)
{
	struct synack_ep *ep = synack_ep_cur;
	if (!ep)
		return -EPERM;
	if (c->stream != SYNACK_STREAM_RING || !c->sb.buf)
		return -ENOBUFS;
	if (c->tcb.flags & SYNACK_TF_FIN_QUEUED)
		return -EPIPE;
	uint32_t k = synack_sndbuf_append(&c->sb, d, n);
	int rc = synack_tcp_send(&ep->ctx, &c->tcb, k);
	return rc < 0 ? rc : (int)k;
}

uint32_t synack_conn_send_space(const struct synack_conn *c)
{
	return c->stream == SYNACK_STREAM_RING && c->sb.buf ? synack_sndbuf_free(&c->sb) : 0;
}

int synack_conn_close(struct synack_conn *c)
{
	if (!synack_ep_cur || !synack_ep_cur_out)
		return -EPERM;
	return synack_tcp_close(&synack_ep_cur->ctx, &c->tcb, synack_ep_cur->now_ns, synack_ep_cur_out);
}

void synack_conn_abort(struct synack_conn *c)
{
	if (synack_ep_cur && synack_ep_cur_out)
		synack_tcp_abort(&synack_ep_cur->ctx, &c->tcb, synack_ep_cur->now_ns, synack_ep_cur_out);
}

int synack_conn_timer(struct synack_conn *c, uint32_t ms)
{
	struct synack_ep *ep = synack_ep_cur;
	if (!ep)
		return -EPERM;
	if (c->cflags & SYNACK_CF_APP_TIMER)
		synack_wheel_cancel(ep->wheel, &c->app_timer);
	c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
	if (!ms)
		return 0;
	/* The union's FIFO half is over: the application has the connection only once established. */
	if (c->cflags & SYNACK_CF_IN_SYNRCV)
		return -EBUSY;
	memset(&c->app_timer, 0, sizeof(c->app_timer));
	/* Exactly on its tick: think times spread as their connections were started, not gathered
	 * into one coarse bucket's burst. */
	synack_wheel_arm_exact(ep->wheel, &c->app_timer,
			       (ep->now_ns + (uint64_t)ms * SYNACK_NS_PER_MS + SYNACK_TICK_NS - 1) / SYNACK_TICK_NS);
	c->cflags |= SYNACK_CF_APP_TIMER;
	return 0;
}

void *synack_conn_ctx(struct synack_conn *c)
{
	return synack_ep_cur ? synack_ep_cur->app_ctx + (size_t)c->idx * SYNACK_APP_CTX_MAX : NULL;
}

uint64_t *synack_conn_user(struct synack_conn *c)
{
	static uint64_t none;
	return synack_ep_cur ? &synack_ep_cur->user[c->idx] : &none;
}

void *synack_conn_arg(const struct synack_conn *c)
{
	return synack_ep_cur && c->role == SYNACK_ROLE_CLIENT ? synack_ep_cur->script[c->app].arg : NULL;
}

void *synack_conn_listener_arg(const struct synack_conn *c)
{
	return synack_ep_cur && c->role == SYNACK_ROLE_SERVER ? synack_ep_cur->lst[c->app].arg : NULL;
}

unsigned synack_conn_worker(const struct synack_conn *c)
{
	(void)c;
	return synack_ep_cur ? synack_ep_cur->id : 0;
}

void synack_conn_tuple(const struct synack_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
		       uint16_t *rport)
{
	*laddr = c->tcb.tuple.laddr;
	*lport = c->tcb.tuple.lport;
	*raddr = c->tcb.tuple.raddr;
	*rport = c->tcb.tuple.rport;
}

uint64_t synack_now_ns(void) { return synack_ep_cur ? synack_ep_cur->now_ns : 0; }

void synack_conn_outcome(struct synack_conn *c, enum synack_outcome o)
{
	/* The first report counts, but a failure found after OK (bytes past the answer, say) replaces it. */
	if (c->role == SYNACK_ROLE_CLIENT && o > SYNACK_OUT_NONE && o < SYNACK_OUT_COUNT &&
	    (c->outcome == SYNACK_OUT_NONE || (c->outcome == SYNACK_OUT_OK && o != SYNACK_OUT_OK)))
		c->outcome = (uint8_t)o;
}

void synack_ep_lat_record(struct synack_ep *ep, struct synack_conn *c, enum synack_lat k)
{
	struct synack_hist *h = ep->lh[c->app][k];
	synack_hist_record(&h[0], ep->now_ns - c->t_open);
	uint64_t t = ep->t_intended[c->idx];
	if (t)
		synack_hist_record(&h[1], ep->now_ns > t ? ep->now_ns - t : 0);
}

void synack_conn_mark(struct synack_conn *c, enum synack_mark m)
{
	struct synack_ep *ep = synack_ep_cur;
	uint8_t bit = m == SYNACK_MARK_FIRST_BYTE ? SYNACK_CF_MARK_FIRST : SYNACK_CF_MARK_DONE;
	if (!ep || c->role != SYNACK_ROLE_CLIENT || m >= SYNACK_MARK_COUNT || (c->cflags & bit))
		return;
	c->cflags |= bit;
	synack_ep_lat_record(ep, c, m == SYNACK_MARK_FIRST_BYTE ? SYNACK_LAT_FIRST_BYTE : SYNACK_LAT_DONE);
}

void synack_conn_count_request(struct synack_conn *c)
{
	struct synack_ep *ep = synack_ep_cur;
	if (ep && c->role == SYNACK_ROLE_CLIENT)
		__atomic_store_n(&ep->lc[c->app].requests, ep->lc[c->app].requests + 1, __ATOMIC_RELAXED);
}

bool synack_ep_app_attach(struct synack_ep *ep, struct synack_conn *c, const struct synack_app *app)
{
	if (app->ctx_size)
		synack_zero_small(ep->app_ctx + (size_t)c->idx * SYNACK_APP_CTX_MAX, SYNACK_APP_CTX_MAX);
	if (!app->needs_send_ring)
		return true;
	if (!ep->nsbuf_free)
		return false;
	uint32_t k = ep->sbuf_free[--ep->nsbuf_free];
	c->stream = SYNACK_STREAM_RING;
	synack_sndbuf_init(&c->sb, ep->sbuf_mem + (size_t)k * ep->sbuf_size, ep->sbuf_size, c->tcb.iss + 1);
	return true;
}

/* ---- received bytes the application has not taken yet ----
 *
 * An application's data() that takes fewer bytes than it was given leaves the rest with the stack:
 * the io layer keeps the segment's frame (its hold callback) and the bytes go on holding the
 * receive window closed (they are unread). Later segments queue behind them, so order is kept;
 * the window bounds the queue. They are offered again after the application's next sent() or
 * timer() callback, and the peer's FIN is told once they are all taken. */

static void hold_rest(struct synack_ep *ep, struct synack_conn *c, const uint8_t *p, uint32_t len)
{
	struct synack_held *h = ep->io.hold ? ep->io.hold(ep->io.arg, p, len) : NULL;
	if (!h) {
		/* The io layer could not keep them (no record or copy to be had: bytes from the
		 * out-of-order store are copied, so only a lack of mbufs or records does it): taken,
		 * counted. */
		ep->stats.rx_other++;
		synack_tcp_consumed(&ep->ctx, &c->tcb, len);
		return;
	}
	h->next = NULL;
	struct synack_held **tail = &ep->held[c->idx];
	while (*tail)
		tail = &(*tail)->next;
	*tail = h;
	ep->stats.rx_held++;
}

void synack_ep_data(struct synack_ep *ep, struct synack_conn *c, const struct synack_app *app, const uint8_t *d,
		    uint32_t n)
{
	if (ep->held[c->idx]) {
		/* Bytes wait already: these queue behind them, in order. */
		hold_rest(ep, c, d, n);
		return;
	}
	uint32_t k = app->data ? app->data(c, d, n) : n;
	if (k > n)
		k = n;
	if (k)
		synack_tcp_consumed(&ep->ctx, &c->tcb, k);
	if (k < n)
		hold_rest(ep, c, d + k, n - k);
}

void synack_ep_held_deliver(struct synack_ep *ep, struct synack_conn *c, const struct synack_app *app)
{
	struct synack_held *h;
	while ((h = ep->held[c->idx]) != NULL) {
		uint32_t len = h->len;
		uint32_t k = app->data ? app->data(c, h->p, len) : len;
		if (k > len)
			k = len;
		if (k)
			synack_tcp_consumed(&ep->ctx, &c->tcb, k);
		if (!ep->held[c->idx])
			return; /* the callback ended the connection's queue (released) */
		if (k < len) {
			h->p += k;
			h->len -= k;
			return;
		}
		ep->held[c->idx] = h->next;
		ep->io.release(ep->io.arg, h);
	}
	if (c->cflags & SYNACK_CF_HELD_FIN) {
		c->cflags &= (uint8_t)~SYNACK_CF_HELD_FIN;
		if (app->peer_closed)
			app->peer_closed(c);
	}
}

void synack_ep_held_free(struct synack_ep *ep, struct synack_conn *c)
{
	struct synack_held *h = ep->held[c->idx];
	ep->held[c->idx] = NULL;
	while (h) {
		struct synack_held *n = h->next;
		ep->io.release(ep->io.arg, h);
		h = n;
	}
	c->cflags &= (uint8_t)~SYNACK_CF_HELD_FIN;
}
