/* tcp_pmtu.c: path MTU discovery (RFC 1191) from ICMP fragmentation needed, validated against the
 * connection's sequence space (RFC 5927). Every segment we send has DF set, so without this a
 * path MTU under 1500 would be a black hole for full-sized segments. */
#include "tcp_internal.h"

#define SYNACK_MIN_PMTU 552u    /* as Linux's min_pmtu: an ICMP cannot make us send tiny segments */

bool synack_tcp_frag_needed(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t seq, uint32_t mtu)
{
	switch (tcb->state) {
	case SYNACK_ESTABLISHED:
	case SYNACK_CLOSE_WAIT:
	case SYNACK_FIN_WAIT_1:
	case SYNACK_CLOSING:
	case SYNACK_LAST_ACK:
		break;
	default:
		/* Handshake segments are small; later states send no data. */
		ctx->stats.icmp_ignored++;
		return false;
	}
	/* RFC 5927 §4.1: the quoted segment must be one we sent and that is not acknowledged yet. */
	if (!(synack_seq_ge(seq, tcb->snd_una) && synack_seq_lt(seq, tcb->snd_max))) {
		ctx->stats.icmp_ignored++;
		return false;
	}
	/* RFC 1191 §5: a router before RFC 1191 says 0; RFC 5927 §4.2: never below a floor. */
	if (mtu < SYNACK_MIN_PMTU)
		mtu = SYNACK_MIN_PMTU;
	/* RFC 9293 §3.7.1: IPv4 and TCP headers and the options every segment carries come out of it. */
	uint32_t mss = mtu - 40u - ((tcb->flags & SYNACK_TF_TS) ? SYNACK_TS_OPT_LEN : 0u);
	if (mss >= tcb->smss) {
		ctx->stats.icmp_ignored++;
		return false;
	}
	tcb->smss = (uint16_t)mss;
	/* RFC 1191 §6.1: what was in flight was dropped for its size: send it again now, at the new
	 * size, without waiting for the RTO or counting it as congestion. Karn: no RTT sample from it. */
	tcb->snd_nxt = tcb->snd_una;
	tcb->flags &= (uint16_t)~SYNACK_TF_RTT_TIMING;
	ctx->stats.pmtu_lowered++;
	return true;
}
