/* ep_pool.c: an endpoint's connection pool and tuple table: a connection taken, entered, given back;
 * a client connection's outcome counted once (started = completed + failed + in flight). */
#include <string.h>

#include "core/endpoint_internal.h"
#include "net/zero.h"

/* ---- the connection pool and table ---- */

struct synack_conn *synack_ep_conn_alloc(struct synack_ep *ep)
{
	if (ep->nfree == 0) {
		ep->stats.drop_pool_full++;
		return NULL;
	}
	struct synack_conn *c = &ep->conns[ep->free_idx[--ep->nfree]];
	uint32_t v = c->version, idx = c->idx;
	/* Everything after the TCB starts at zero. The TCB itself is left as its release left it
	 * (CLOSED, or zero in a fresh pool): every path that opens a connection runs
	 * synack_tcp_tcb_init() on it, and one that gives the connection back first never reads it.
	 * The tail is cleared with 16-byte stores (zero.h), not a rep stos. */
	static_assert(offsetof(struct synack_conn, tcb) == 0, "the TCB leads the connection");
	synack_zero_small((uint8_t *)c + sizeof(c->tcb), sizeof(*c) - sizeof(c->tcb));
	c->version = v;
	c->idx = idx;
	ep->user[idx] = 0;
	c->rx_day = ep->today;
	ep->stats.conns_in_use++;
	return c;
}

/* h: the connection-table hash of c's tuple. */
int synack_ep_conn_insert(struct synack_ep *ep, struct synack_conn *c, uint64_t h)
{
	if (synack_ctab_insert_h(&ep->conn_tab, c->idx, h, &c->tab_at) < 0)
		return -1;
	c->in_table = 1;
	return 0;
}

void synack_ep_synrcv_unlink(struct synack_ep *ep, struct synack_conn *c)
{
	if (!(c->cflags & SYNACK_CF_IN_SYNRCV))
		return;
	c->cflags &= (uint8_t)~SYNACK_CF_IN_SYNRCV;
	if (c->fifo.prev)
		c->fifo.prev->fifo.next = c->fifo.next;
	else
		ep->synrcv_head = c->fifo.next;
	if (c->fifo.next)
		c->fifo.next->fifo.prev = c->fifo.prev;
	else
		ep->synrcv_tail = c->fifo.prev;
	c->fifo.prev = c->fifo.next = NULL;
	ep->synrcv_count--;
	ep->stats.synrcv_in_use = ep->synrcv_count;
}

void synack_ep_sbuf_release(struct synack_ep *ep, struct synack_conn *c)
{
	if (c->stream == SYNACK_STREAM_RING && c->sb.buf) {
		ep->sbuf_free[ep->nsbuf_free++] = (uint32_t)((c->sb.buf - ep->sbuf_mem) / ep->sbuf_size);
		c->sb.buf = NULL;
	}
}


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
void synack_ep_client_outcome(struct synack_ep *ep, struct synack_conn *c, unsigned reason)
{
	if (c->cflags & SYNACK_CF_COUNTED)
		return;
	c->cflags |= SYNACK_CF_COUNTED;
	enum synack_outcome o = c->outcome != SYNACK_OUT_NONE ? (enum synack_outcome)c->outcome : outcome_of(c, reason);
	struct synack_load_counters *lc = &ep->lc[c->app];
	synack_ep_lc_begin(ep);
	lc->in_flight--;
	if (o == SYNACK_OUT_OK)
		lc->completed++;
	else
		lc->failed[o]++;
	synack_ep_lc_end(ep);
	if (o == SYNACK_OUT_OK)
		ep->stats.conns_completed++;
	else
		ep->stats.conns_failed++;
}

/* Gives back a connection that never entered the table (set-up failed half-way). */
void synack_ep_conn_unalloc(struct synack_ep *ep, struct synack_conn *c)
{
	ep->free_idx[ep->nfree++] = c->idx;
	ep->stats.conns_in_use--;
}

/* Takes a connection out of the table, the wheel and the half-open FIFO and returns it to the pool.
 * Its TCP life may go on as a TIME-WAIT entry; synack_ep_conn_free() is for connections that are over. */
void synack_ep_conn_release(struct synack_ep *ep, struct synack_conn *c, unsigned reason)
{
	if (c->role == SYNACK_ROLE_CLIENT) {
		if (!c->detached)
			ep->client_open--;
		synack_ep_client_outcome(ep, c, reason);
	} else {
		ep->lst_conns[c->app]--;
	}
	synack_wheel_cancel(ep->wheel, &c->timer[0]);
	synack_wheel_cancel(ep->wheel, &c->timer[1]);
	if (c->cflags & SYNACK_CF_APP_TIMER) {
		synack_wheel_cancel(ep->wheel, &c->app_timer);
		c->cflags &= (uint8_t)~SYNACK_CF_APP_TIMER;
	}
	synack_ep_synrcv_unlink(ep, c);
	synack_ep_sbuf_release(ep, c);
	if (ep->held[c->idx])
		synack_ep_held_free(ep, c);
	if (c->tcb.ooo) {
		/* Ended without the core's close (an eviction): its held out-of-order bytes go too. */
		ep->ctx.stats.ooo_purged += synack_reass_drop(&ep->reass, &c->tcb.ooo);
	}
	if (c->in_table)
		synack_ctab_delete_at(&ep->conn_tab, c->tab_at, &c->tcb.tuple, c->idx);
	synack_conn_write_begin(c);
	c->in_table = 0;
	c->tcb.state = SYNACK_CLOSED;
	synack_conn_write_end(c);
	synack_ep_conn_unalloc(ep, c);
}

void synack_ep_conn_free(struct synack_ep *ep, struct synack_conn *c, unsigned reason)
{
	synack_ep_conn_release(ep, c, reason);
	ep->stats.conns_closed++;
}

void synack_ep_stream_copy(struct synack_ep *ep, struct synack_conn *c, uint32_t seq, uint8_t *dst, uint32_t len)
{
	switch (c->stream) {
	case SYNACK_STREAM_RING:
		synack_sndbuf_copy(&c->sb, seq, dst, len);
		break;
	case SYNACK_STREAM_GEN:
		synack_ep_conn_app(ep, c)->fill(c, seq - (c->tcb.iss + 1), dst, len);
		break;
	default:
		memset(dst, 0, len);
	}
}
