/* ep_delack.c: delayed ACKs (RFC 1122 §4.2.3.2). A segment of data the application took without
 * answering owes a bare ACK; instead of sending it at once the endpoint waits up to delack_ms for
 * something to carry it (the application's answer, the next segment's ACK): an ACK for at least
 * every second segment, never later than delack_ms (RFC 1122: under 0.5 s; RFC 5681 §4.2: every
 * second full-sized segment). It is sent at once, as RFC 5681 §4.2 asks, for a segment out of
 * order or one that fills a hole, a FIN, and whenever something else is owed (data, our FIN, a
 * window update the application's reading opened).
 *
 * The delay is one for all, so the waiting connections form a FIFO in deadline order: a ring of
 * (pool index, deadline in ms) per core, with no timer per connection and nothing on the path of
 * a segment that is not delayed. An entry whose connection sent its ACK meanwhile (the flag is
 * gone) is skipped; one whose connection is a new one by then at most sends an ACK early. A full
 * ring sends at once. */
#include "core/endpoint_internal.h"
#include "tcp/seq.h"

static inline uint32_t now_ms(const struct synack_ep *ep) { return (uint32_t)(ep->now_ns / SYNACK_NS_PER_MS); }

bool synack_ep_delack_defer(struct synack_ep *ep, struct synack_conn *c, bool had_ooo)
{
	const struct synack_tcb *t = &c->tcb;
	if (!ep->delack_ms || had_ooo || t->ooo || (c->cflags & SYNACK_CF_DELACK))
		return false;   /* off; a hole filled or still open; the second segment */
	if (!(t->flags & SYNACK_TF_ACK_NOW) || (t->flags & SYNACK_TF_FIN_QUEUED && !(t->flags & SYNACK_TF_FIN_SENT)))
		return false;
	if (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_FIN_WAIT_1 && t->state != SYNACK_FIN_WAIT_2)
		return false;   /* the peer's FIN came (CLOSE-WAIT, CLOSING, TIME-WAIT): acknowledged now */
	if (synack_seq_lt(t->snd_nxt, t->snd_end) || ep->delack_n == ep->delack_cap)
		return false;   /* data to send carries the ACK anyway; or no room to wait */
	struct synack_delack *d = &ep->delack_q[(ep->delack_head + ep->delack_n++) % ep->delack_cap];
	d->idx = c->idx;
	d->at_ms = now_ms(ep) + ep->delack_ms;
	c->cflags |= SYNACK_CF_DELACK;
	ep->stats.acks_delayed++;
	return true;
}

unsigned synack_ep_delack_run(struct synack_ep *ep, unsigned budget)
{
	unsigned n = 0;
	uint32_t t = now_ms(ep);
	while (ep->delack_n && n < budget) {
		struct synack_delack *d = &ep->delack_q[ep->delack_head];
		if ((int32_t)(d->at_ms - t) > 0)
			break;
		ep->delack_head = (ep->delack_head + 1) % ep->delack_cap;
		ep->delack_n--;
		n++;
		struct synack_conn *c = &ep->conns[d->idx];
		if (!(c->cflags & SYNACK_CF_DELACK))
			continue;
		c->cflags &= (uint8_t)~SYNACK_CF_DELACK;
		if (!(c->tcb.flags & SYNACK_TF_ACK_NOW) || !synack_state_synchronized(c->tcb.state))
			continue;
		ep->stats.delacks_sent++;
		synack_conn_write_begin(c);
		if (synack_ep_output(ep, c->port, c, false))
			synack_conn_write_freed(c);
		else
			synack_conn_write_end(c);
	}
	return n;
}
