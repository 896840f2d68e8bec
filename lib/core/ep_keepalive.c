/* ep_keepalive.c: when an endpoint sends TCP keep-alives (RFC 1122 §4.2.3.6). Off unless
 * keepalive_s is set for every connection, or an application turns them on for one
 * (synack_conn_keepalive: RFC 1122 says an application MUST be able to, and that they MUST
 * default to off; the idle time MUST be configurable and default to no less than two hours, 7200 s
 * here when keepalive_s is 0). An established connection's second timer, which only
 * FIN-WAIT-2 and TIME-WAIT use, runs as its keep-alive timer: armed once as the connection opens,
 * never per segment. A segment in only notes the time (ka_rx, seconds modulo 2^16) and clears the
 * count of unanswered probes; when the
 * timer fires, a connection idle for less than keepalive_s is re-armed for the rest, one idle for
 * longer is probed every keepalive_intvl_s, and after keepalive_probes unanswered probes it is
 * dropped. While data is outstanding the retransmission timer watches the peer instead. */
#include <errno.h>

#include "core/endpoint_internal.h"

static inline uint16_t now_s16(const struct synack_ep *ep) { return (uint16_t)(ep->now_ns / SYNACK_NS_PER_S); }

static void ka_arm(struct synack_ep *ep, struct synack_conn *c, uint32_t s)
{
	synack_wheel_arm(ep->wheel, &c->timer[SYNACK_TIMER_LINGER],
			 (ep->now_ns + (uint64_t)s * SYNACK_NS_PER_S + SYNACK_TICK_NS - 1) / SYNACK_TICK_NS);
}

void synack_ep_ka_start(struct synack_ep *ep, struct synack_conn *c)
{
	c->ka_rx = now_s16(ep);
	c->ka_probes = 0;
	ka_arm(ep, c, ep->ka_s);
}

bool synack_ep_ka_fire(struct synack_ep *ep, struct synack_conn *c, struct synack_actions *out)
{
	const struct synack_tcb *t = &c->tcb;
	if ((t->flags & SYNACK_TF_LINGER_ARMED) ||
	    (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_CLOSE_WAIT))
		return false;   /* the core's own use of the timer */
	uint32_t idle = (uint16_t)(now_s16(ep) - c->ka_rx);
	if (t->snd_una != t->snd_max) {
		ka_arm(ep, c, ep->ka_s);
		return true;
	}
	if (!c->ka_probes && idle < ep->ka_s) {
		/* Not idle long enough (or a probe was answered: a segment in clears the count). */
		ka_arm(ep, c, ep->ka_s - idle);
		return true;
	}
	if (c->ka_probes >= ep->ka_probes) {
		synack_tcp_keepalive_timeout(&ep->ctx, &c->tcb, out);
		return true;
	}
	synack_tcp_keepalive_probe(&ep->ctx, &c->tcb, ep->now_ns, out);
	c->ka_probes++;
	ka_arm(ep, c, ep->ka_intvl_s);
	return true;
}

int synack_conn_keepalive(struct synack_conn *c, int on)
{
	struct synack_ep *ep = synack_ep_cur;
	if (!ep)
		return -EPERM;
	const struct synack_tcb *t = &c->tcb;
	if (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_CLOSE_WAIT)
		return -ENOTCONN;
	/* The second timer is the keep-alive's in these states (the core arms it only from
	 * FIN-WAIT-2 on), so its being armed is the connection's setting. */
	if (!on) {
		if (!(t->flags & SYNACK_TF_LINGER_ARMED))
			synack_wheel_cancel(ep->wheel, &c->timer[SYNACK_TIMER_LINGER]);
		return 0;
	}
	ep->ka_any = true;
	synack_ep_ka_start(ep, c);
	return 0;
}
