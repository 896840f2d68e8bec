/* tcp_output.c: everything the core sends: SYN and SYN-ACK, data and FIN within the peer's window
 * and the congestion window, bare ACKs, resets and rate-limited challenge ACKs. */
#include "siphash.h"
#include "tcp_internal.h"

uint16_t synack_tcp_rcv_wnd_field(struct synack_tcb *tcb, int syn)
{
	uint32_t space = tcb->rcv_buf > tcb->rcv_unread ? tcb->rcv_buf - tcb->rcv_unread : 0;
	uint32_t right = tcb->rcv_nxt + space;
	/* RFC 9293 §3.8.6.2.2: a receiver must not shrink the window (move its right edge left), and
	 * (its SWS avoidance) moves the edge right only by min(RCV.BUFF / 2, MSS) or more, so that a
	 * slowly reading application does not draw a string of tiny segments. */
	if (synack_seq_lt(right, tcb->rcv_adv) || (!syn && right - tcb->rcv_adv < synack_tcp_sws_step(tcb)))
		right = tcb->rcv_adv;
	uint32_t wnd = right - tcb->rcv_nxt;
	/* RFC 7323 §2.2: the window field of a SYN or SYN-ACK is never scaled. */
	unsigned shift = syn ? 0 : tcb->rcv_wscale;
	uint32_t field = wnd >> shift;
	if (field > 0xffff)
		field = 0xffff;
	uint32_t edge = tcb->rcv_nxt + (field << shift);
	if (synack_seq_gt(edge, tcb->rcv_adv))
		tcb->rcv_adv = edge;
	return (uint16_t)field;
}

/* The options of a segment of a synchronized connection: the timestamp (RFC 7323 §3.2) and, while
 * out-of-order bytes are held, SACK blocks for them (RFC 2018 §4: every ACK carries them, the
 * block of the segment that triggered it first; the frame builder keeps as many as fit). */
static void put_opts(struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb, uint64_t now, struct synack_seg *s)
{
	if (tcb->flags & SYNACK_TF_TS) {
		s->opts.present |= SYNACK_OPT_TS;
		s->opts.tsval = ts_clock(tcb, now);
		s->opts.tsecr = tcb->ts_recent;
	}
	/* RFC 2883 §4: a duplicate's D-SACK block goes first, then the blocks of what is held (the
	 * first of them, the most recent, contains the duplicate when it was held data). Only on an
	 * ACK without data: a data segment's size was chosen for the held blocks alone. */
	unsigned d = 0;
	if (__builtin_expect(ctx->dsack_tcb == tcb, 0)) {
		ctx->dsack_tcb = NULL;
		if (s->len == 0) {
			s->opts.sack[0][0] = ctx->dsack[0];
			s->opts.sack[0][1] = ctx->dsack[1];
			d = 1;
			ctx->stats.dsack_out++;
		}
	}
	if (__builtin_expect(tcb->ooo != 0, 0) && (tcb->flags & SYNACK_TF_SACK) && ctx->reass)
		s->opts.sack_blocks = (uint8_t)(d + synack_reass_blocks(ctx->reass, tcb->ooo, s->opts.sack + d,
									SYNACK_SACK_MAX_BLOCKS - d));
	else
		s->opts.sack_blocks = (uint8_t)d;
	if (s->opts.sack_blocks) {
		s->opts.present |= SYNACK_OPT_SACK;
		ctx->stats.sack_out++;
	}
}

/* The data a segment may carry now. smss is the peer's MSS less the timestamp option; SACK blocks
 * on a data segment come out of it too (RFC 9293 §3.7.1 and RFC 6691: the MSS counts data only,
 * and every option beyond the fixed header is taken from the segment, never added on top: a full
 * segment with blocks would exceed the path's MTU). The blocks are those put_opts() will write,
 * as many as fit beside the timestamps (lib/net/build.c trims to 40 bytes of options). */
static uint32_t data_mss(const struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb)
{
	if (__builtin_expect(tcb->ooo == 0, 1) || !(tcb->flags & SYNACK_TF_SACK) || !ctx->reass)
		return tcb->smss;
	uint32_t bl[SYNACK_SACK_MAX_BLOCKS][2];
	unsigned n = synack_reass_blocks(ctx->reass, tcb->ooo, bl, SYNACK_SACK_MAX_BLOCKS);
	unsigned fit = (tcb->flags & SYNACK_TF_TS) ? 3 : SYNACK_SACK_MAX_BLOCKS;
	if (n > fit)
		n = fit;
	uint32_t o = n ? 4u + 8u * n : 0;
	return tcb->smss > o ? tcb->smss - o : 1;
}

/* For the core's other files (a keep-alive probe): the per-segment path above calls it inline. */
void synack_tcp_put_opts(struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb, uint64_t now, struct synack_seg *s)
{
	put_opts(ctx, tcb, now, s);
}

void synack_tcp_syn_opts(const struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb, uint64_t now,
			 struct synack_tcp_opts *o)
{
	o->present = SYNACK_OPT_MSS;
	o->mss = ctx->cfg.mss;
	/* In SYN-SENT the flags are what we offer; in SYN-RECEIVED, what both sides agreed. */
	if (tcb->flags & SYNACK_TF_WSCALE) {
		o->present |= SYNACK_OPT_WSCALE;
		o->wscale = tcb->rcv_wscale;
	}
	if (tcb->flags & SYNACK_TF_SACK)
		o->present |= SYNACK_OPT_SACK_OK;
	if (tcb->flags & SYNACK_TF_TS) {
		o->present |= SYNACK_OPT_TS;
		o->tsval = ts_clock(tcb, now);
		/* RFC 7323 §3.2: TSecr of a SYN is 0; of a SYN-ACK, the SYN's TSval. */
		o->tsecr = tcb->state == SYNACK_SYN_SENT ? 0 : tcb->ts_recent;
	}
}

void synack_tcp_send_syn(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			 struct synack_actions *out)
{
	struct synack_seg *s = seg_new(out, &tcb->tuple);
	if (!s)
		return;
	s->seq = tcb->iss;
	s->flags = SYNACK_TH_SYN;
	if (tcb->state == SYNACK_SYN_RECEIVED) {
		/* RFC 9293 §3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
		s->flags |= SYNACK_TH_ACK;
		s->ack = tcb->rcv_nxt;
		ctx->stats.synack_out++;
	}
	s->wnd = synack_tcp_rcv_wnd_field(tcb, 1);
	synack_tcp_syn_opts(ctx, tcb, now, &s->opts);
	ctx->stats.seg_out++;
}

void synack_tcp_send_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			 struct synack_actions *out)
{
	struct synack_seg *s = seg_new(out, &tcb->tuple);
	if (!s)
		return;
	s->seq = tcb->snd_nxt;
	s->ack = tcb->rcv_nxt;
	s->flags = SYNACK_TH_ACK;
	s->wnd = synack_tcp_rcv_wnd_field(tcb, 0);
	put_opts(ctx, tcb, now, s);
	tcb->flags &= (uint16_t)~SYNACK_TF_ACK_NOW;
	ctx->stats.seg_out++;
}

void synack_tcp_send_rst(struct synack_tcp_ctx *ctx, const struct synack_tuple *t, uint32_t seq,
			 uint32_t ack, int with_ack, struct synack_actions *out)
{
	struct synack_seg *s = seg_new(out, t);
	if (!s)
		return;
	s->seq = seq;
	s->flags = SYNACK_TH_RST;
	if (with_ack) {
		s->flags |= SYNACK_TH_ACK;
		s->ack = ack;
	}
	ctx->stats.rst_out++;
	ctx->stats.seg_out++;
}

/* One more in a per-core one-second budget of limit (0: none); false when it is spent. */
static bool budget(uint64_t now, uint64_t *window, uint32_t *sent, uint32_t limit)
{
	if (!limit)
		return true;
	if (now - *window >= SYNACK_NS_PER_S || !*window) {
		*window = now ? now : 1;
		*sent = 0;
	}
	if (*sent >= limit)
		return false;
	(*sent)++;
	return true;
}

void synack_tcp_invalid_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			    uint64_t now, struct synack_actions *out)
{
	/* An ACK for a segment that is not acceptable (or an old duplicate by PAWS) is owed by RFC 9293
	 * §3.10.7.4, but two endpoints that disagree (a TS.Recent gone stale, RFC 7323 §5.5) would
	 * answer each other's ACKs forever, and an attacker would get one reflected per forged
	 * segment: so, as Linux, at most one per connection per interval for segments without data
	 * (an ACK loop carries none; a peer's retransmitted data is answered), and a per-core budget. */
	if (ctx->cfg.invalid_ack_conn_ms && synack_seg_seqlen(seg) == 0) {
		const struct synack_tuple *t = &tcb->tuple;
		uint16_t *slot = &ctx->oow_slot[synack_siphash24_2w(ctx->secret, (uint64_t)t->laddr << 32 | t->raddr,
								     ((uint64_t)t->lport << 16 | t->rport) ^ 0x6f6f770000000000ull) %
						 SYNACK_CHACK_SLOTS];
		uint16_t tick = (uint16_t)(now / (8 * SYNACK_NS_PER_MS));
		tick += !tick;
		if (*slot && (uint16_t)(tick - *slot) < ctx->cfg.invalid_ack_conn_ms / 8) {
			ctx->stats.invalid_acks_conn_limited++;
			return;
		}
		*slot = tick;
	}
	if (!budget(now, &ctx->oow_window_ns, &ctx->oow_sent, ctx->cfg.invalid_ack_limit)) {
		ctx->stats.invalid_acks_limited++;
		return;
	}
	synack_tcp_send_ack(ctx, tcb, now, out);
}

bool synack_tcp_rst_budget(struct synack_tcp_ctx *ctx, uint64_t now)
{
	if (budget(now, &ctx->rst_window_ns, &ctx->rst_sent, ctx->cfg.rst_limit))
		return true;
	ctx->stats.rst_limited++;
	return false;
}

void synack_tcp_challenge_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			      struct synack_actions *out)
{
	/* RFC 5961 §7: limit challenge ACKs, so that they cannot reflect a flood or count guesses. A
	 * per-core budget alone is a side channel (CVE-2016-5696): an attacker who spends it and counts
	 * the challenge ACKs left learns whether its guesses hit another connection. So, as Linux
	 * since 4.7: at most one per connection in challenge_ack_conn_ms (which an off-path guesser
	 * cannot see spent), and each second's per-core budget drawn at random around the limit,
	 * from a keyed PRF the attacker cannot predict. */
	const struct synack_tuple *t = &tcb->tuple;
	uint16_t *slot = &ctx->chack_slot[synack_siphash24_2w(ctx->secret, (uint64_t)t->laddr << 32 | t->raddr,
							       (uint64_t)t->lport << 16 | t->rport) %
					   SYNACK_CHACK_SLOTS];
	uint16_t tick = (uint16_t)(now / (8 * SYNACK_NS_PER_MS));
	tick += !tick; /* 0 means none */
	if (ctx->cfg.challenge_ack_conn_ms && *slot &&
	    (uint16_t)(tick - *slot) < ctx->cfg.challenge_ack_conn_ms / 8) {
		ctx->stats.challenge_acks_conn_limited++;
		return;
	}
	if (now - ctx->chack_window_ns >= SYNACK_NS_PER_S || !ctx->chack_windows) {
		uint32_t lim = ctx->cfg.challenge_ack_limit;
		uint64_t r = synack_siphash24_2w(ctx->secret, 0x6368616c6c656e67ull /* "challeng" */, ctx->chack_windows++);
		ctx->chack_window_ns = now;
		ctx->chack_sent = 0;
		ctx->chack_budget = lim ? lim / 2 + (uint32_t)(r % lim) : 0;
	}
	if (ctx->chack_sent >= ctx->chack_budget) {
		ctx->stats.challenge_acks_limited++;
		return;
	}
	ctx->chack_sent++;
	*slot = tick;
	ctx->stats.challenge_acks++;
	synack_tcp_send_ack(ctx, tcb, now, out);
}

enum { SEND_NORMAL, SEND_PERSIST, SEND_TLP };

/* Sends queued data and FIN. SEND_PERSIST sends one byte (or the FIN) even into a zero window: the
 * persist behaviour of RFC 9293 §3.8.6.1, driven by the retransmission timer. SEND_TLP sends one
 * segment the peer's window takes, whatever cwnd says (RFC 8985 §7.3). Returns segments sent. */
static unsigned send_data(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now, int force_probe,
			  struct synack_actions *out)
{
	unsigned sent = 0;
	uint32_t wnd = tcb->snd_wnd < tcb->cwnd ? tcb->snd_wnd : tcb->cwnd;
	if (force_probe == SEND_TLP)
		wnd = tcb->snd_wnd;
	else if (force_probe && wnd == 0)
		wnd = 1;
	uint32_t right = tcb->snd_una + wnd;
	int fin_queued = (tcb->flags & SYNACK_TF_FIN_QUEUED) != 0;
	const uint32_t mss = data_mss(ctx, tcb);

	for (;;) {
		if (out->n + SYNACK_ACTIONS_RESERVE >= SYNACK_ACTIONS_MAX)
			break;
		uint32_t avail = tcb->snd_end - tcb->snd_nxt;
		if (synack_seq_ge(tcb->snd_nxt, tcb->snd_end))
			avail = 0;
		int fin = fin_queued && tcb->snd_nxt + avail == tcb->snd_end;
		if (avail == 0 && !fin)
			break;
		uint32_t room = synack_seq_lt(tcb->snd_nxt, right) ? right - tcb->snd_nxt : 0;
		uint32_t len = avail;
		if (len > room)
			len = room;
		if (len > mss)
			len = mss;
		if (len < avail) {
			/* RFC 9293 §3.8.6.2.1 (sender's SWS avoidance): send a partial segment only when it fills
			 * the MSS or at least half the largest window the peer offered. */
			if (len == 0 || (len < mss && len < tcb->snd_max_wnd / 2 && force_probe != SEND_PERSIST))
				break;
			fin = 0;
		}
		struct synack_seg *s = seg_new(out, &tcb->tuple);
		if (!s)
			break;
		s->seq = tcb->snd_nxt;
		s->ack = tcb->rcv_nxt;
		s->len = len;
		s->flags = SYNACK_TH_ACK | (len ? SYNACK_TH_PSH : 0) | (fin ? SYNACK_TH_FIN : 0);
		s->wnd = synack_tcp_rcv_wnd_field(tcb, 0);
		put_opts(ctx, tcb, now, s);
		int retransmit = synack_seq_lt(tcb->snd_nxt, tcb->snd_max);
		if (retransmit) {
			if (len)
				ctx->stats.rtx_data++;
			else
				ctx->stats.rtx_fin++;
		} else if (!(tcb->flags & (SYNACK_TF_RTT_TIMING | SYNACK_TF_RECOVERY)) && tcb->retries == 0) {
			/* Time one segment per RTT (RFC 6298 §3); Karn: never a retransmitted one. Not in
			 * fast recovery, whose retransmission point rtt_seq holds (tcb.h). */
			tcb->flags |= SYNACK_TF_RTT_TIMING;
			tcb->rtt_seq = tcb->snd_nxt + len + (uint32_t)fin;
			tcb->rtt_start_us = now_us32(now);
		}
		tcb->snd_nxt += len + (uint32_t)fin;
		if (fin)
			tcb->flags |= SYNACK_TF_FIN_SENT;
		if (synack_seq_gt(tcb->snd_nxt, tcb->snd_max))
			tcb->snd_max = tcb->snd_nxt;
		ctx->stats.seg_out++;
		ctx->stats.data_bytes_out += len;
		sent++;
		if (fin || force_probe)
			break;
	}
	if (sent) {
		tcb->flags &= (uint16_t)~SYNACK_TF_ACK_NOW;
		/* RFC 8985 §7.2: the loss probe's timeout runs from the last segment sent; else RFC 6298
		 * §5.1: start the timer if it is not running. */
		if (synack_tcp_tlp_ok(ctx, tcb))
			synack_tcp_rtx_arm(ctx, tcb, now, out);
		else if (!(tcb->flags & SYNACK_TF_RTX_ARMED))
			rtx_restart(tcb, now, out);
	}
	return sent;
}

uint32_t synack_tcp_send_at(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t seq, uint32_t max,
			    uint64_t now, struct synack_actions *out)
{
	/* One segment of what was sent before, from seq: its bytes, and our FIN if it ends there. */
	uint32_t data_end = synack_seq_lt(tcb->snd_end, tcb->snd_max) ? tcb->snd_end : tcb->snd_max;
	uint32_t len = synack_seq_lt(seq, data_end) ? data_end - seq : 0;
	uint32_t mss = data_mss(ctx, tcb);
	if (len > mss)
		len = mss;
	if (len > max)
		len = max;
	int fin = (tcb->flags & SYNACK_TF_FIN_SENT) && seq + len == tcb->snd_end &&
		  synack_seq_gt(tcb->snd_max, tcb->snd_end);
	if (!len && !fin)
		return 0;
	struct synack_seg *s = seg_new(out, &tcb->tuple);
	if (!s)
		return 0;
	s->seq = seq;
	s->ack = tcb->rcv_nxt;
	s->len = len;
	s->flags = SYNACK_TH_ACK | (len ? SYNACK_TH_PSH : 0) | (fin ? SYNACK_TH_FIN : 0);
	s->wnd = synack_tcp_rcv_wnd_field(tcb, 0);
	put_opts(ctx, tcb, now, s);
	if (len)
		ctx->stats.rtx_data++;
	else
		ctx->stats.rtx_fin++;
	ctx->stats.seg_out++;
	ctx->stats.data_bytes_out += len;
	/* Karn (RFC 6298 §3): a sample that may cover a retransmission is ambiguous. */
	tcb->flags &= (uint16_t)~(SYNACK_TF_RTT_TIMING | SYNACK_TF_ACK_NOW);
	return len + (uint32_t)fin;
}

static int can_send_data(unsigned state)
{
	return state == SYNACK_ESTABLISHED || state == SYNACK_CLOSE_WAIT || state == SYNACK_FIN_WAIT_1 ||
	       state == SYNACK_CLOSING || state == SYNACK_LAST_ACK;
}

void synack_tcp_output(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
		       struct synack_actions *out)
{
	if (can_send_data(tcb->state)) {
		send_data(ctx, tcb, now, 0, out);
		/* Data waits with nothing in flight, so no ACK will come to send it: behind a zero window
		 * (RFC 9293 §3.8.6.1) the RTX timer runs as the persist timer; behind a small one that SWS
		 * avoidance will not fill (§3.8.6.2.1) as the override timeout. Its expiry sends what
		 * the window takes (a probe byte into a zero one). */
		if (tcb->snd_una == tcb->snd_max && synack_seq_lt(tcb->snd_nxt, tcb->snd_end) &&
		    !(tcb->flags & SYNACK_TF_RTX_ARMED))
			rtx_restart(tcb, now, out);
	}
	if ((tcb->flags & SYNACK_TF_ACK_NOW) && synack_state_synchronized(tcb->state))
		synack_tcp_send_ack(ctx, tcb, now, out);
}

void synack_tcp_output_probe(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			     struct synack_actions *out)
{
	if (can_send_data(tcb->state))
		send_data(ctx, tcb, now, SEND_PERSIST, out);
}

int synack_tcp_send_tlp(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now, struct synack_actions *out)
{
	if (!can_send_data(tcb->state))
		return 0;
	if (send_data(ctx, tcb, now, SEND_TLP, out))
		return 1;
	/* The last segment once more: its ACK's SACK blocks say whether what was sent before it
	 * arrived (RFC 8985 §7.3). */
	uint32_t data_end = synack_seq_lt(tcb->snd_end, tcb->snd_max) ? tcb->snd_end : tcb->snd_max;
	uint32_t from = synack_seq_max(tcb->snd_una, tcb->iss + 1);
	uint32_t len = synack_seq_gt(data_end, from) ? data_end - from : 0;
	if (len > tcb->smss)
		len = tcb->smss;
	return synack_tcp_send_at(ctx, tcb, data_end - len, UINT32_MAX, now, out) ? 2 : 0;
}
