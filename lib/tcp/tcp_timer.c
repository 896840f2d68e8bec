/* tcp_timer.c: what the core does when a timer it asked for expires (RFC 9293 §3.10.8): SYN and
 * SYN-ACK retries with exponential backoff, data and FIN retransmission (RFC 6298 §5), the
 * FIN-WAIT-2 limit and the end of TIME-WAIT; and the RTO estimator of RFC 6298 §2. The timers
 * themselves (a wheel) belong to the engine. */
#include "tcp_internal.h"

void synack_tcp_rtt_sample(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t r)
{
	if (r == 0)
		r = 1;
	if (tcb->srtt_us == 0) {
		/* RFC 6298 §2.2: the first measurement. */
		tcb->srtt_us = r;
		tcb->rttvar_us = r / 2;
	} else {
		/* §2.3: alpha = 1/8, beta = 1/4. */
		uint32_t delta = tcb->srtt_us > r ? tcb->srtt_us - r : r - tcb->srtt_us;
		tcb->rttvar_us = (3u * tcb->rttvar_us + delta) / 4u;
		tcb->srtt_us = (uint32_t)((7ull * tcb->srtt_us + r) / 8u);
	}
	/* RTO <- SRTT + max(G, K*RTTVAR), K = 4, G = 1 ms; bounded by §2.4 and §2.5. */
	uint64_t var = 4ull * tcb->rttvar_us;
	uint64_t rto = tcb->srtt_us + (var > 1000 ? var : 1000);
	uint64_t lo = (uint64_t)ctx->cfg.rto_min_ms * 1000u, hi = (uint64_t)ctx->cfg.rto_max_ms * 1000u;
	tcb->rto_us = (uint32_t)(rto < lo ? lo : rto > hi ? hi : rto);
}

void synack_tcp_rtx_arm(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now, struct synack_actions *out)
{
	if (!synack_tcp_tlp_ok(ctx, tcb)) {
		rtx_restart(tcb, now, out);
		return;
	}
	/* RFC 8985 §7.2: PTO = 2 SRTT, plus the peer's worst-case delayed ACK when one segment is out
	 * (its ACK may wait for a second one), and never past the RTO. Otherwise, as Linux, 2 ms for
	 * the timers' granularity. */
	uint64_t pto = 2ull * tcb->srtt_us + (tcb->snd_max - tcb->snd_una <= tcb->smss ? 200000u : 2000u);
	if (pto > tcb->rto_us)
		pto = tcb->rto_us;
	tcb->flags |= SYNACK_TF_PTO;
	timer_arm(tcb, SYNACK_TIMER_RTX, now + pto * SYNACK_NS_PER_US, out);
}

/* RFC 8985 §7.3: the loss probe's timeout. One probe, then the RTO runs (not backed off: nothing
 * is known lost yet). Its ACK decides (tcp_input.c): SACK blocks reaching the probe show what was
 * lost before it, and recovery starts; an ACK of everything ends the episode. */
static void tlp_timeout(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now, struct synack_actions *out)
{
	tcb->flags = (uint16_t)((tcb->flags & ~SYNACK_TF_PTO) | SYNACK_TF_TLP_OUT);
	int sent = synack_tcp_send_tlp(ctx, tcb, now, out);
	if (sent)
		ctx->stats.tlp_probes++;
	if (!(tcb->flags & SYNACK_TF_RTX_ARMED))
		rtx_restart(tcb, now, out);
	if (sent == 2)
		tcb->flags |= SYNACK_TF_PTO;
}

/* RFC 6298 §5.5: back off the timer, up to the maximum. */
static void backoff(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb)
{
	uint64_t rto = 2ull * tcb->rto_us, hi = (uint64_t)ctx->cfg.rto_max_ms * 1000u;
	tcb->rto_us = (uint32_t)(rto > hi ? hi : rto);
	tcb->retries++;
	/* Karn: a sample covering a retransmitted segment is ambiguous. */
	tcb->flags &= (uint16_t)~SYNACK_TF_RTT_TIMING;
}

static void rtx_timeout(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			struct synack_actions *out)
{
	switch (tcb->state) {
	case SYNACK_SYN_SENT:
	case SYNACK_SYN_RECEIVED: {
		/* With RTO 1 s doubling, Linux's 6 retries put the SYNs at 0, 1, 3, 7, 15, 31, 63 s and give up
		 * at 127 s. */
		unsigned limit = tcb->state == SYNACK_SYN_SENT ? ctx->cfg.syn_retries : ctx->cfg.synack_retries;
		if (tcb->retries >= limit) {
			ctx->stats.timeouts++;
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_TIMEOUT, out);
			return;
		}
		backoff(ctx, tcb);
		if (tcb->state == SYNACK_SYN_SENT)
			ctx->stats.rtx_syn++;
		else
			ctx->stats.rtx_synack++;
		synack_tcp_send_syn(ctx, tcb, now, out);
		rtx_restart(tcb, now, out);
		return;
	}
	case SYNACK_ESTABLISHED:
	case SYNACK_CLOSE_WAIT:
	case SYNACK_FIN_WAIT_1:
	case SYNACK_CLOSING:
	case SYNACK_LAST_ACK: {
		int outstanding = tcb->snd_una != tcb->snd_max;
		if (outstanding && (tcb->flags & (SYNACK_TF_PTO | SYNACK_TF_TLP_OUT | SYNACK_TF_RECOVERY)) == SYNACK_TF_PTO) {
			tlp_timeout(ctx, tcb, now, out);
			return;
		}
		tcb->flags &= (uint16_t)~SYNACK_TF_PTO;
		/* Nothing in flight and data waiting: a zero window's persist probe, or a small window's
		 * override timeout (RFC 9293 §3.8.6.2.1): send what it takes. */
		int probe = !outstanding && synack_seq_lt(tcb->snd_nxt, tcb->snd_end);
		if (!outstanding && !probe)
			return;
		if (tcb->retries >= ctx->cfg.data_retries) {
			ctx->stats.timeouts++;
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_TIMEOUT, out);
			return;
		}
		backoff(ctx, tcb);
		if (outstanding) {
			/* RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS); cwnd = one segment. */
			uint32_t flight = tcb->snd_max - tcb->snd_una;
			tcb->ssthresh = flight / 2 > 2u * tcb->smss ? flight / 2 : 2u * tcb->smss;
			tcb->cwnd = tcb->smss;
			/* Go back N: resend from the oldest unacknowledged byte. A fast recovery under way
			 * is over; the duplicates the go-back-N draws start none before SND.MAX is
			 * acknowledged (RFC 6582 §3.2 step 4). */
			tcb->snd_nxt = tcb->snd_una;
			tcb->recover = tcb->snd_max;
			tcb->flags &= (uint16_t)~(SYNACK_TF_RECOVERY | SYNACK_TF_PARTIAL | SYNACK_TF_DUPACKS);
			/* A timeout is loss, not reordering: no undo of the last recovery. */
			tcb->undo_rtx = 0;
			ctx->stats.rto_data++;
		}
		synack_tcp_output_probe(ctx, tcb, now, out);
		if (!(tcb->flags & SYNACK_TF_RTX_ARMED))
			rtx_restart(tcb, now, out);
		return;
	}
	default:
		return;
	}
}

void synack_tcp_timeout(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, enum synack_timer t,
			uint64_t now, struct synack_actions *out)
{
	if (t == SYNACK_TIMER_RTX) {
		if (!(tcb->flags & SYNACK_TF_RTX_ARMED))
			return;
		tcb->flags &= (uint16_t)~SYNACK_TF_RTX_ARMED;
		rtx_timeout(ctx, tcb, now, out);
		return;
	}
	if (!(tcb->flags & SYNACK_TF_LINGER_ARMED))
		return;
	tcb->flags &= (uint16_t)~SYNACK_TF_LINGER_ARMED;
	if (tcb->state == SYNACK_TIME_WAIT) {
		/* 2×MSL passed: any segment of this incarnation is gone. */
		synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_NORMAL, out);
	} else if (tcb->state == SYNACK_FIN_WAIT_2) {
		/* The peer never sent its FIN. Tell it, so that it does not sit in CLOSE-WAIT. */
		ctx->stats.fin_wait2_timeouts++;
		synack_tcp_send_rst(ctx, &tcb->tuple, tcb->snd_nxt, 0, 0, out);
		synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_FIN_WAIT2, out);
	}
}
