/* endpoint_internal.h: what the endpoint's files (endpoint.c, ep_app.c) share and nothing else
 * includes: the callback context, the pool's sequence lock, the held-bytes queue. */
#ifndef SYNACK_CORE_ENDPOINT_INTERNAL_H
#define SYNACK_CORE_ENDPOINT_INTERNAL_H

#include "core/endpoint.h"

/* The endpoint and action list of the callback running now: an application calls in only from its
 * callbacks, on the connection's own core. */
extern __thread struct synack_ep *synack_ep_cur;
extern __thread struct synack_actions *synack_ep_cur_out;

/* Sequence lock around the core's writes to a connection: readers retry on an odd or changed
 * version (synack_conn_foreach). */
static inline void synack_conn_write_begin(struct synack_conn *c)
{
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
static inline void synack_conn_write_end(struct synack_conn *c)
{
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELEASE);
}
/* The end of a write after which the connection went back to the pool. */
static inline void synack_conn_write_freed(struct synack_conn *c)
{
	__atomic_store_n(&c->version, (c->version | 1) + 1, __ATOMIC_RELEASE);
}

static inline const struct synack_app *synack_ep_conn_app(const struct synack_ep *ep, const struct synack_conn *c)
{
	return c->role == SYNACK_ROLE_CLIENT ? ep->script[c->app].app : ep->lst[c->app].app;
}

/* The load counters' sequence lock (a reader retries on an odd or changed lc_ver). */
static inline void synack_ep_lc_begin(struct synack_ep *ep)
{
	__atomic_store_n(&ep->lc_ver, ep->lc_ver + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
static inline void synack_ep_lc_end(struct synack_ep *ep)
{
	__atomic_store_n(&ep->lc_ver, ep->lc_ver + 1, __ATOMIC_RELEASE);
}

/* ep_pool.c */
struct synack_conn *synack_ep_conn_alloc(struct synack_ep *ep);
int synack_ep_conn_insert(struct synack_ep *ep, struct synack_conn *c, uint64_t h);
void synack_ep_conn_unalloc(struct synack_ep *ep, struct synack_conn *c);
void synack_ep_synrcv_unlink(struct synack_ep *ep, struct synack_conn *c);
void synack_ep_sbuf_release(struct synack_ep *ep, struct synack_conn *c);
void synack_ep_client_outcome(struct synack_ep *ep, struct synack_conn *c, unsigned reason);
/* Out of the table, the wheel and the half-open FIFO, back to the pool (its TCP life may go on as
 * a TIME-WAIT entry); conn_free: and counted closed. */
void synack_ep_conn_release(struct synack_ep *ep, struct synack_conn *c, unsigned reason);
void synack_ep_conn_free(struct synack_ep *ep, struct synack_conn *c, unsigned reason);

/* endpoint.c: the core's actions for c (NULL: replies to mac), then its output. True: c was freed. */
bool synack_ep_apply(struct synack_ep *ep, unsigned port, struct synack_conn *c, struct synack_actions *out,
		     const uint8_t *mac, bool rx_ok);
bool synack_ep_output(struct synack_ep *ep, unsigned port, struct synack_conn *c, bool rx_ok);

/* ep_timewait.c */
void synack_ep_tw_enter(struct synack_ep *ep, struct synack_conn *c);
void synack_ep_tw_ended(struct synack_ep *ep, unsigned n);
uint32_t synack_ep_reopen_floor(const struct synack_actions *out);
void synack_ep_handle_tw(struct synack_ep *ep, unsigned port, struct synack_tw *tw, const struct synack_seg *s,
			 const uint8_t *src_mac, bool *reopen, uint32_t *floor);

/* ep_open.c */
bool synack_ep_cookie_ack(struct synack_ep *ep, unsigned port, const struct synack_seg *s, uint64_t h,
			  const uint8_t *src_mac);
void synack_ep_listener_syn(struct synack_ep *ep, unsigned port, const struct synack_seg *s, uint64_t h,
			    const uint8_t *src_mac, bool has_floor, uint32_t floor);

/* Records a latency of c from its SYN and, in open loop, from its intended start. */
void synack_ep_lat_record(struct synack_ep *ep, struct synack_conn *c, enum synack_lat k);
/* A send ring for c if its application wants one (false: none left); its context zeroed. */
bool synack_ep_app_attach(struct synack_ep *ep, struct synack_conn *c, const struct synack_app *app);
/* The application's data() for bytes that arrived (behind any held ones). */
void synack_ep_data(struct synack_ep *ep, struct synack_conn *c, const struct synack_app *app, const uint8_t *d,
		    uint32_t n);
/* Offers the held bytes again, in order, until the application leaves some. */
void synack_ep_held_deliver(struct synack_ep *ep, struct synack_conn *c, const struct synack_app *app);
void synack_ep_held_free(struct synack_ep *ep, struct synack_conn *c);

/* ep_delack.c: whether c's owed ACK, after a segment whose data the application has seen (had_ooo:
 * bytes were held out of order before it), may wait instead of leaving now; if so it is queued. */
bool synack_ep_delack_defer(struct synack_ep *ep, struct synack_conn *c, bool had_ooo);
/* The delayed ACKs due by now, at most budget; returns how many were looked at. */
unsigned synack_ep_delack_run(struct synack_ep *ep, unsigned budget);
/* ep_keepalive.c: c is established: its keep-alive timer starts (ka_s set). */
void synack_ep_ka_start(struct synack_ep *ep, struct synack_conn *c);
/* c's second timer fired: true when it was the keep-alive's (handled, actions in out), false when
 * it is the core's (FIN-WAIT-2, TIME-WAIT). */
bool synack_ep_ka_fire(struct synack_ep *ep, struct synack_conn *c, struct synack_actions *out);

/* An output sent c's owed ACK: nothing is delayed for it any more. */
static inline void synack_ep_delack_sent(struct synack_conn *c)
{
	if ((c->cflags & SYNACK_CF_DELACK) && !(c->tcb.flags & SYNACK_TF_ACK_NOW))
		c->cflags &= (uint8_t)~SYNACK_CF_DELACK;
}

#endif
