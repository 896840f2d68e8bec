/* tcp_cookie.c: the state machine's side of SYN cookies: the stateless SYN-ACK, and the TCB rebuilt
 * from a returning ACK. The cookie's layout and MAC are in syncookie.c. */
#include "isn.h"
#include "syncookie.h"
#include "tcp_internal.h"

void synack_tcp_cookie_synack(struct synack_tcp_ctx *ctx, const struct synack_seg *syn, uint64_t now,
			      struct synack_actions *out)
{
	struct synack_tuple t = { syn->daddr, syn->saddr, syn->dport, syn->sport };
	struct synack_seg *s = seg_new(out, &t);
	if (!s)
		return;
	uint16_t mss;
	uint64_t h = synack_isn_hash(&ctx->isn_key, &t);
	s->seq = synack_cookie_make(ctx->secret, syn, now, &mss);
	s->ack = syn->seq + 1;
	s->flags = SYNACK_TH_SYN | SYNACK_TH_ACK;
	s->wnd = ctx->cfg.rcv_buf > 0xffff ? 0xffff : (uint16_t)ctx->cfg.rcv_buf;
	s->opts.present = SYNACK_OPT_MSS;
	s->opts.mss = ctx->cfg.mss;
	/* Window scaling and SACK can be remembered only inside the timestamp: without one, offer
	 * neither (see syncookie.c). */
	if (ctx->cfg.timestamps && (syn->opts.present & SYNACK_OPT_TS)) {
		s->opts.present |= SYNACK_OPT_TS;
		/* The cookie remembers only what this SYN-ACK offers back: an option the SYN had but we do
		 * not offer is not agreed (RFC 7323 §2.2, RFC 2018 §2), and the ACK must not turn it on. */
		struct synack_tcp_opts agreed = syn->opts;
		if (!ctx->cfg.wscale)
			agreed.present &= (uint8_t)~SYNACK_OPT_WSCALE;
		if (!ctx->cfg.sack)
			agreed.present &= (uint8_t)~SYNACK_OPT_SACK_OK;
		s->opts.tsval = synack_cookie_tsval((uint32_t)(now / SYNACK_NS_PER_MS) + (uint32_t)(h >> 32), &agreed);
		s->opts.tsecr = syn->opts.tsval;
		if (ctx->cfg.sack && (syn->opts.present & SYNACK_OPT_SACK_OK))
			s->opts.present |= SYNACK_OPT_SACK_OK;
		if (ctx->cfg.wscale && (syn->opts.present & SYNACK_OPT_WSCALE)) {
			unsigned ws = 0;
			while (ws < SYNACK_MAX_WSCALE && (ctx->cfg.rcv_buf >> ws) > 0xffff)
				ws++;
			s->opts.present |= SYNACK_OPT_WSCALE;
			s->opts.wscale = (uint8_t)ws;
		}
	}
	/* The SYN was counted in syn_in by synack_tcp_listen_input. */
	ctx->stats.cookies_sent++;
	ctx->stats.synack_out++;
	ctx->stats.seg_out++;
}

bool synack_tcp_cookie_accept(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			      uint64_t now, struct synack_actions *out)
{
	struct synack_cookie_info ci;
	if ((seg->flags & (SYNACK_TH_SYN | SYNACK_TH_RST | SYNACK_TH_ACK)) != SYNACK_TH_ACK ||
	    !synack_cookie_check(ctx->secret, seg, now, &ci)) {
		ctx->stats.cookies_rejected++;
		return false;
	}
	ctx->stats.cookies_accepted++;
	ctx->stats.seg_in++;
	struct synack_tuple t = { seg->daddr, seg->saddr, seg->dport, seg->sport };
	synack_tcp_tcb_init(ctx, tcb, &t, now);
	/* Rebuild the SYN-RECEIVED connection the cookie stands for, then let the ordinary SYN-RECEIVED
	 * path take the ACK (and any data or FIN on it). */
	tcb->state = SYNACK_SYN_RECEIVED;
	tcb->flags = SYNACK_TF_PASSIVE;
	tcb->iss = seg->ack - 1;
	tcb->snd_una = tcb->recover = tcb->iss;
	tcb->snd_nxt = tcb->snd_max = tcb->snd_end = tcb->iss + 1;
	tcb->irs = seg->seq - 1;
	tcb->rcv_nxt = seg->seq;
	tcb->rcv_adv = tcb->rcv_nxt + (tcb->rcv_buf > 0xffff ? 0xffff : tcb->rcv_buf);
	tcb->smss = ci.mss < ctx->cfg.mss ? ci.mss : ctx->cfg.mss;
	if (ci.has_ts) {
		tcb->flags |= SYNACK_TF_TS;
		tcb->ts_recent = seg->opts.tsval;
		tcb->smss -= SYNACK_TS_OPT_LEN;
	}
	if (ci.sack_ok)
		tcb->flags |= SYNACK_TF_SACK;
	if (ci.has_wscale) {
		tcb->flags |= SYNACK_TF_WSCALE;
		tcb->snd_wscale = ci.wscale > SYNACK_MAX_WSCALE ? SYNACK_MAX_WSCALE : ci.wscale;
	} else {
		tcb->snd_wscale = 0;
		tcb->rcv_wscale = 0;
	}
	tcb->snd_wl1 = tcb->irs;
	ctx->stats.passive_opens++;
	/* No RTT sample: the SYN-ACK's send time was not kept. */
	tcb->flags &= (uint16_t)~SYNACK_TF_RTT_TIMING;
	act_event(out, SYNACK_EV_STATE, SYNACK_LISTEN, SYNACK_SYN_RECEIVED, 0, NULL);
	synack_tcp_segment(ctx, tcb, seg, now, out);
	return true;
}
