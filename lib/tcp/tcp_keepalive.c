/* tcp_keepalive.c: the segments of TCP keep-alives (RFC 1122 §4.2.3.6). When to send them is the
 * caller's (the endpoint's ep_keepalive.c): they are off by default, as RFC 1122 requires. */
#include "tcp_internal.h"

void synack_tcp_keepalive_probe(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
				struct synack_actions *out)
{
	/* "SEG.SEQ = SND.NXT-1" with no data (RFC 1122: "an implementation SHOULD send a keep-alive
	 * segment with no data"); here SND.UNA - 1, which with nothing outstanding is the same. */
	struct synack_seg *s = seg_new(out, &tcb->tuple);
	if (!s)
		return;
	s->seq = tcb->snd_una - 1;
	s->ack = tcb->rcv_nxt;
	s->flags = SYNACK_TH_ACK;
	s->wnd = synack_tcp_rcv_wnd_field(tcb, 0);
	synack_tcp_put_opts(ctx, tcb, now, s);
	ctx->stats.keepalive_probes++;
	ctx->stats.seg_out++;
}

void synack_tcp_keepalive_timeout(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, struct synack_actions *out)
{
	ctx->stats.keepalive_timeouts++;
	ctx->stats.timeouts++;
	/* The peer may still be there behind a broken path: tell it, as Linux does. */
	synack_tcp_send_rst(ctx, &tcb->tuple, tcb->snd_nxt, 0, 0, out);
	synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_TIMEOUT, out);
}
