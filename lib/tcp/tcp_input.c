/* tcp_input.c: SEGMENT ARRIVES (RFC 9293 §3.10.7), with RFC 5961's defences against blind
 * injection, RFC 7323 timestamps and PAWS, RFC 1337's TIME-WAIT rule and RFC 6191's reopening of a
 * TIME-WAIT tuple. One function per group of states; each step carries the RFC rule it implements. */
#include <errno.h>

#include "net/zero.h"
#include "isn.h"
#include "tcp_internal.h"

static unsigned wscale_for(uint32_t rcv_buf)
{
	/* The smallest shift that lets the field express the whole buffer (RFC 7323 §2.3). */
	unsigned s = 0;
	while (s < SYNACK_MAX_WSCALE && (rcv_buf >> s) > 0xffff)
		s++;
	return s;
}

void synack_tcp_take_syn_opts(const struct synack_tcp_ctx *ctx, struct synack_tcb *tcb,
			      const struct synack_seg *seg, int we_offered)
{
	const struct synack_tcp_opts *o = &seg->opts;
	uint16_t keep = tcb->flags & (uint16_t)~(SYNACK_TF_TS | SYNACK_TF_SACK | SYNACK_TF_WSCALE);
	uint16_t offer = we_offered ? tcb->flags : (uint16_t)((ctx->cfg.timestamps ? SYNACK_TF_TS : 0) |
							      (ctx->cfg.sack ? SYNACK_TF_SACK : 0) |
							      (ctx->cfg.wscale ? SYNACK_TF_WSCALE : 0));
	tcb->flags = keep;
	/* Each option is in force only when both sides sent it (RFC 7323 §2.2, §3.2; RFC 2018 §2). */
	if ((offer & SYNACK_TF_TS) && (o->present & SYNACK_OPT_TS)) {
		tcb->flags |= SYNACK_TF_TS;
		tcb->ts_recent = o->tsval;
	}
	if ((offer & SYNACK_TF_SACK) && (o->present & SYNACK_OPT_SACK_OK))
		tcb->flags |= SYNACK_TF_SACK;
	if ((offer & SYNACK_TF_WSCALE) && (o->present & SYNACK_OPT_WSCALE)) {
		tcb->flags |= SYNACK_TF_WSCALE;
		tcb->snd_wscale = o->wscale > SYNACK_MAX_WSCALE ? SYNACK_MAX_WSCALE : o->wscale;
		tcb->rcv_wscale = (uint8_t)wscale_for(tcb->rcv_buf);
	} else {
		tcb->snd_wscale = 0;
		tcb->rcv_wscale = 0;
	}
	/* RFC 9293 §3.7.1: without an MSS option assume 536. The floor of 64 refuses the tiny MSS an
	 * attacker would use to make us cut a stream into one-byte segments. */
	uint32_t mss = (o->present & SYNACK_OPT_MSS) ? o->mss : SYNACK_DEFAULT_MSS;
	if (mss > ctx->cfg.mss)
		mss = ctx->cfg.mss;
	if (mss < 64)
		mss = 64;
	/* RFC 9293 §3.7.1: options in every segment come out of the MSS. */
	if (tcb->flags & SYNACK_TF_TS)
		mss -= SYNACK_TS_OPT_LEN;
	tcb->smss = (uint16_t)mss;
}

/* A connection's held out-of-order bytes that will never be delivered: its end, or a FIN before them. */
static void ooo_purge(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb)
{
	if (tcb->ooo && ctx->reass)
		ctx->stats.ooo_purged += synack_reass_drop(ctx->reass, &tcb->ooo);
	tcb->ooo = 0;
}

void synack_tcp_closed(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, enum synack_close_reason why,
		       struct synack_actions *out)
{
	ooo_purge(ctx, tcb);
	timer_cancel(tcb, SYNACK_TIMER_RTX, out);
	timer_cancel(tcb, SYNACK_TIMER_LINGER, out);
	tcb_set_state(tcb, SYNACK_CLOSED, out);
	act_event(out, SYNACK_EV_CLOSED, (uint8_t)why, 0, 0, NULL);
}

void synack_tcp_enter_time_wait(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
				struct synack_actions *out)
{
	timer_cancel(tcb, SYNACK_TIMER_RTX, out);
	tcb_set_state(tcb, SYNACK_TIME_WAIT, out);
	/* RFC 9293 §3.10.7.4 eighth step: start the time-wait timer, 2 MSL. */
	timer_arm(tcb, SYNACK_TIMER_LINGER, now + 2ull * ctx->cfg.msl_ms * SYNACK_NS_PER_MS, out);
	act_event(out, SYNACK_EV_TIME_WAIT, 0, 0, 0, NULL);
}

/* RFC 5681 §3.1 initial window, RFC 6928's larger one; one segment if the SYN had to be retried. */
static void cwnd_init(struct synack_tcb *tcb)
{
	uint32_t iw = 14600;
	if (iw > 10u * tcb->smss)
		iw = 10u * tcb->smss;
	if (iw < 2u * tcb->smss)
		iw = 2u * tcb->smss;
	tcb->cwnd = tcb->retries ? tcb->smss : iw;
	tcb->ssthresh = UINT32_MAX;
}

/* The handshake finished: ESTABLISHED, or straight to FIN-WAIT-1 when the user closed early. */
static void established(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			struct synack_actions *out)
{
	timer_cancel(tcb, SYNACK_TIMER_RTX, out);
	if ((tcb->flags & SYNACK_TF_RTT_TIMING) && tcb->retries == 0)
		synack_tcp_rtt_sample(ctx, tcb, now_us32(now) - tcb->rtt_start_us);
	tcb->flags &= (uint16_t)~SYNACK_TF_RTT_TIMING;
	cwnd_init(tcb);
	tcb->irs = 0;   /* from here on, the recovery's undo state (tcb.h) */
	/* RFC 6298 §5.7: after a retried SYN, data transmission starts with an RTO of at least 3 s. */
	if (tcb->retries && tcb->rto_us < 3000000u)
		tcb->rto_us = 3000000u;
	tcb->retries = 0;
	tcb_set_state(tcb, SYNACK_ESTABLISHED, out);
	ctx->stats.handshakes++;
	act_event(out, (tcb->flags & SYNACK_TF_PASSIVE) ? SYNACK_EV_ACCEPTED : SYNACK_EV_CONNECTED, 0, 0, 0, NULL);
	/* RFC 9293 §3.10.4: a CLOSE in SYN-RECEIVED was queued until ESTABLISHED. */
	if (tcb->flags & SYNACK_TF_FIN_QUEUED)
		tcb_set_state(tcb, SYNACK_FIN_WAIT_1, out);
}

/* Bytes now in order: RCV.NXT moves over them and the application gets them. */
static void deliver(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const uint8_t *p, uint32_t n,
		    struct synack_actions *out)
{
	tcb->rcv_nxt += n;
	tcb->rcv_unread += n;
	ctx->stats.data_bytes_in += n;
	act_event(out, SYNACK_EV_DATA, 0, 0, n, p);
}

/* The held slots the hole's filling made contiguous, at most SYNACK_REASS_DELIVER_MAX of them (the
 * rest: synack_tcp_reass_more()). Returns whether the peer's FIN is now in order. */
static int deliver_held(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, struct synack_actions *out)
{
	struct synack_reass *r = ctx->reass;
	struct synack_reass_slot *h;
	unsigned k = 0;
	int fin = 0;
	/* What the last delivery handed out has been read by now (the caller handles one input's
	 * events before the next). */
	synack_reass_release(r);
	while (k < SYNACK_REASS_DELIVER_MAX && (h = synack_reass_ready(r, tcb->ooo, tcb->rcv_nxt)) != NULL) {
		uint32_t skip = tcb->rcv_nxt - h->seq;  /* a retransmission may have covered its start */
		if (skip < h->len) {
			deliver(ctx, tcb, h->data + skip, h->len - skip, out);
			k++;
		}
		if (h->fin && h->seq + h->len == tcb->rcv_nxt)
			fin = 1;
		ctx->stats.ooo_delivered++;
		synack_reass_pop(r, &tcb->ooo);
		if (fin)
			break;
	}
	return fin;
}

/* Eighth step of RFC 9293 §3.10.7.4: the peer's FIN, in order. */
static void fin_in(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, unsigned st, uint64_t now,
		   struct synack_actions *out)
{
	/* It consumes one sequence number (RFC 9293 §3.4); nothing can follow it. */
	tcb->rcv_nxt += 1;
	tcb->flags |= SYNACK_TF_ACK_NOW;
	ooo_purge(ctx, tcb);
	switch (st) {
	case SYNACK_SYN_RECEIVED:
	case SYNACK_ESTABLISHED:
		tcb_set_state(tcb, SYNACK_CLOSE_WAIT, out);
		act_event(out, SYNACK_EV_PEER_FIN, 0, 0, 0, NULL);
		break;
	case SYNACK_FIN_WAIT_1:
		/* Our FIN is not yet acknowledged (step five would have moved us to FIN-WAIT-2):
		 * simultaneous close. */
		tcb_set_state(tcb, SYNACK_CLOSING, out);
		act_event(out, SYNACK_EV_PEER_FIN, 0, 0, 0, NULL);
		break;
	case SYNACK_FIN_WAIT_2:
		timer_cancel(tcb, SYNACK_TIMER_LINGER, out);
		act_event(out, SYNACK_EV_PEER_FIN, 0, 0, 0, NULL);
		synack_tcp_enter_time_wait(ctx, tcb, now, out);
		break;
	default:
		break;
	}
}

/* Bytes [l, r) of the peer arrived twice: the ACK this input sends reports them (RFC 2883). */
static inline void dsack_set(struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb, uint32_t l, uint32_t r)
{
	if ((tcb->flags & SYNACK_TF_SACK) && synack_seq_lt(l, r)) {
		ctx->dsack_tcb = tcb;
		ctx->dsack[0] = l;
		ctx->dsack[1] = r;
	}
}

/* Out-of-order text (and FIN) in the window: held for when the hole fills, or dropped when there is
 * no room. Either way the immediate duplicate ACK (RFC 5681 §4.2; RFC 9293 §3.10.7.4 "send an
 * acknowledgment") tells the sender where the hole is, and its SACK blocks what is held. */
static void ooo_in(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t seq, const uint8_t *payload,
		   uint32_t len, int fin)
{
	tcb->flags |= SYNACK_TF_ACK_NOW;
	if (!ctx->reass || !len) {
		ctx->stats.ooo_drops++;
		return;
	}
	struct synack_reass_put put = synack_reass_insert(ctx->reass, &tcb->ooo, seq, payload, len, fin);
	if (put.kept) {
		ctx->stats.ooo_segs++;
	} else if (put.dup == len) {
		ctx->stats.ooo_dup++;
		dsack_set(ctx, tcb, seq, seq + len); /* RFC 2883 §4.1.2: held twice */
	}
	if (put.dropped)
		ctx->stats.ooo_drops++;
}

/* Steps seven and eight of RFC 9293 §3.10.7.4: the segment text and the FIN. seq/payload/len are
 * the segment after trimming to the window. */
static void text_and_fin(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t seq,
			 const uint8_t *payload, uint32_t len, int fin, uint64_t now, struct synack_actions *out)
{
	unsigned st = tcb->state;
	if (len) {
		if (st == SYNACK_ESTABLISHED || st == SYNACK_FIN_WAIT_1 || st == SYNACK_FIN_WAIT_2) {
			if (seq != tcb->rcv_nxt) {
				ooo_in(ctx, tcb, seq, payload, len, fin);
				return;
			}
			deliver(ctx, tcb, payload, len, out);
			/* FIN-WAIT-2's limit is for a peer gone silent without its FIN: one still sending
			 * pushes it back. */
			if (st == SYNACK_FIN_WAIT_2)
				timer_arm(tcb, SYNACK_TIMER_LINGER,
					  now + (uint64_t)ctx->cfg.fin_wait2_ms * SYNACK_NS_PER_MS, out);
			tcb->flags |= SYNACK_TF_ACK_NOW;
			if (tcb->ooo && !fin && deliver_held(ctx, tcb, out))
				fin = 1;
			if (fin)
				fin_in(ctx, tcb, st, now, out);
			return;
		}
		/* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has been
		 * received from the remote side. Ignore the segment text." */
		return;
	}
	if (!fin)
		return;
	if (seq != tcb->rcv_nxt) {
		/* A bare FIN past a hole: not held (it carries no byte), acknowledged as out-of-order
		 * data is, with the duplicate ACK that tells the sender where the hole is. */
		ooo_in(ctx, tcb, seq, NULL, 0, 1);
		return;
	}
	fin_in(ctx, tcb, st, now, out);
}

void synack_tcp_reass_deliver(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			      struct synack_actions *out)
{
	if (!ctx->reass)
		return;
	unsigned st = tcb->state;
	if (st != SYNACK_ESTABLISHED && st != SYNACK_FIN_WAIT_1 && st != SYNACK_FIN_WAIT_2)
		return;
	tcb->flags |= SYNACK_TF_ACK_NOW;
	if (deliver_held(ctx, tcb, out))
		fin_in(ctx, tcb, st, now, out);
}

/* RFC 9293 §3.10.7.3: SYN-SENT. */
static void syn_sent_input(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			   uint64_t now, struct synack_actions *out)
{
	int ack_ok = 0;
	/* First: the ACK bit. */
	if (seg->flags & SYNACK_TH_ACK) {
		if (synack_seq_le(seg->ack, tcb->iss) || synack_seq_gt(seg->ack, tcb->snd_max)) {
			/* <SEQ=SEG.ACK><CTL=RST>, unless the segment is itself a reset. */
			if (!(seg->flags & SYNACK_TH_RST))
				synack_tcp_send_rst(ctx, &tcb->tuple, seg->ack, 0, 0, out);
			return;
		}
		ack_ok = 1;
	}
	/* Second: RST. Acceptable only if its ACK acknowledges our SYN (RFC 5961 §3.2, RFC 9293). */
	if (seg->flags & SYNACK_TH_RST) {
		if (ack_ok)
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_REFUSED, out);
		else
			ctx->stats.rst_in_ignored++;
		return;
	}
	/* Fourth: SYN. Fifth: neither SYN nor RST: drop. */
	if (!(seg->flags & SYNACK_TH_SYN))
		return;
	tcb->irs = seg->seq;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->rcv_adv = tcb->rcv_nxt;
	synack_tcp_take_syn_opts(ctx, tcb, seg, 1);
	/* RFC 7323 §2.2: the window of a SYN is not scaled. */
	tcb->snd_wnd = seg->wnd;
	tcb->snd_max_wnd = seg->wnd;
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	if (ack_ok) {
		/* Our SYN is acknowledged: ESTABLISHED, and <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; "data or
		 * controls that were queued for transmission MAY be included". The ACK is owed rather than
		 * built here: synack_tcp_output() (which the caller runs after the application has seen
		 * the connection open) sends it alone, or carrying the request or FIN the application
		 * queued on the open: one segment fewer per connection. ABORT sends it before its RST. */
		tcb->snd_una = seg->ack;
		established(ctx, tcb, now, out);
		tcb->flags |= SYNACK_TF_ACK_NOW;
		/* Text or FIN carried by the SYN-ACK: continue at step six. */
		if (seg->len || (seg->flags & SYNACK_TH_FIN)) {
			uint32_t space = tcb->rcv_buf - tcb->rcv_unread;
			uint32_t len = seg->len < space ? seg->len : space;
			text_and_fin(ctx, tcb, seg->seq + 1, seg->payload, len,
				     len == seg->len && (seg->flags & SYNACK_TH_FIN), now, out);
		}
		return;
	}
	/* Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
	tcb_set_state(tcb, SYNACK_SYN_RECEIVED, out);
	synack_tcp_send_syn(ctx, tcb, now, out);
}

/* TIME-WAIT before the general checks: RFC 1337 and RFC 6191. Returns 1 when the segment is done. */
static int time_wait_input(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			   uint64_t now, struct synack_actions *out)
{
	if (seg->flags & SYNACK_TH_RST) {
		/* RFC 1337 (TIME-WAIT assassination): an RST must not end TIME-WAIT early. */
		ctx->stats.rst_in_ignored++;
		return 1;
	}
	if ((seg->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK)) == SYNACK_TH_SYN) {
		/* RFC 6191 §2 / RFC 9293 §3.10.7.4: a new SYN may reopen the tuple when it cannot be an old
		 * duplicate: its timestamp is newer than TS.Recent, or, without timestamps on both sides, its
		 * sequence number is above RCV.NXT. */
		int newer;
		if ((tcb->flags & SYNACK_TF_TS) && (seg->opts.present & SYNACK_OPT_TS) && ctx->cfg.timestamps)
			newer = synack_seq_gt(seg->opts.tsval, tcb->ts_recent) ||
				(seg->opts.tsval == tcb->ts_recent && synack_seq_gt(seg->seq, tcb->rcv_nxt));
		else
			newer = synack_seq_gt(seg->seq, tcb->rcv_nxt);
		/* Reopening is for a listener to accept the SYN (RFC 1122 §4.2.2.13, RFC 9293 MUST-13):
		 * with none, the SYN is one in a synchronized state (challenge ACK, below). */
		if (newer && !(tcb->flags & SYNACK_TF_NO_LISTENER)) {
			ctx->stats.tw_reopen++;
			/* The new incarnation starts above everything the old one may have sent (Linux uses the
			 * same margin: one maximal unscaled window beyond SND.NXT). */
			act_event(out, SYNACK_EV_REOPEN, 0, 0, tcb->snd_nxt + 65535 + 2, NULL);
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_REOPENED, out);
			return 1;
		}
		return 0;
	}
	if ((seg->flags & SYNACK_TH_FIN) && seg->seq + seg->len + 1 == tcb->rcv_nxt) {
		/* A retransmission of the peer's FIN: our ACK was lost. Acknowledge it and restart the
		 * 2 MSL timeout (RFC 9293 §3.10.7.4, TIME-WAIT STATE of the eighth step). */
		synack_tcp_send_ack(ctx, tcb, now, out);
		timer_arm(tcb, SYNACK_TIMER_LINGER, now + 2ull * ctx->cfg.msl_ms * SYNACK_NS_PER_MS, out);
		return 1;
	}
	return 0;
}

/* The next hole to send again (RFC 6675 §4 NextSeg, rule 1, over the blocks of this ACK alone:
 * the TCB has no room for a scoreboard): from `from` up, the first bytes the peer's SACK blocks do
 * not cover, below the highest byte they do. Blocks outside (SND.UNA, SND.MAX] are ignored (D-SACK,
 * RFC 2883, or forged). Returns the hole's length up to the next block (0: none), *at its start.
 * The peer lists its newest blocks first and at most three or four: with more holes than that, an
 * older block may be missing and its bytes sent twice, which costs bandwidth, not correctness. */
static uint32_t next_hole(const struct synack_tcb *tcb, const struct synack_seg *seg, uint32_t from, uint32_t *at)
{
	if (!(tcb->flags & SYNACK_TF_SACK) || !(seg->opts.present & SYNACK_OPT_SACK))
		return 0;
	uint32_t bl[SYNACK_SACK_MAX_BLOCKS][2];
	unsigned n = 0;
	for (unsigned k = 0; k < seg->opts.sack_blocks && k < SYNACK_SACK_MAX_BLOCKS; k++) {
		uint32_t l = seg->opts.sack[k][0], r = seg->opts.sack[k][1];
		if (!synack_tcp_sack_block_ok(tcb, l, r))
			continue;
		unsigned j = n++;
		while (j && synack_seq_lt(l, bl[j - 1][0])) {
			bl[j][0] = bl[j - 1][0];
			bl[j][1] = bl[j - 1][1];
			j--;
		}
		bl[j][0] = l;
		bl[j][1] = r;
	}
	uint32_t p = from;
	for (unsigned k = 0; k < n; k++) {
		if (synack_seq_lt(p, bl[k][0])) {
			*at = p;
			return bl[k][0] - p;
		}
		if (synack_seq_lt(p, bl[k][1]))
			p = bl[k][1];
	}
	return 0;
}

/* Bytes above SND.UNA the ACK's SACK blocks cover (0 without SACK). RFC 6675 §2 counts an ACK that
 * carries SACK information as a duplicate whatever else it carries (data, a window update): a peer
 * sending data of its own, or whose window moves, sends no ACK RFC 5681 would call one. */
static uint32_t sacked_above(const struct synack_tcb *tcb, const struct synack_seg *seg)
{
	if (!(tcb->flags & SYNACK_TF_SACK) || !(seg->opts.present & SYNACK_OPT_SACK))
		return 0;
	uint32_t n = 0;
	for (unsigned k = 0; k < seg->opts.sack_blocks && k < SYNACK_SACK_MAX_BLOCKS; k++) {
		uint32_t l = seg->opts.sack[k][0], r = seg->opts.sack[k][1];
		if (synack_tcp_sack_block_ok(tcb, l, r))
			n += r - l;
	}
	return n;
}

/* Whether the ACK's SACK blocks reach the last byte of data sent: after a tail loss probe, that the
 * probe arrived, so that what is missing below it was lost (RFC 8985: sent PTO earlier, it had
 * more than the reordering window to arrive). */
static bool sacked_to_end(const struct synack_tcb *tcb, const struct synack_seg *seg)
{
	if (!(tcb->flags & SYNACK_TF_SACK) || !(seg->opts.present & SYNACK_OPT_SACK))
		return false;
	uint32_t data_end = synack_seq_lt(tcb->snd_end, tcb->snd_max) ? tcb->snd_end : tcb->snd_max;
	for (unsigned k = 0; k < seg->opts.sack_blocks && k < SYNACK_SACK_MAX_BLOCKS; k++) {
		uint32_t l = seg->opts.sack[k][0], r = seg->opts.sack[k][1];
		if (synack_tcp_sack_block_ok(tcb, l, r) && synack_seq_ge(r, data_end))
			return true;
	}
	return false;
}

/* RFC 2883: a first SACK block at or below the cumulative ACK reports bytes received twice. */
static bool dsack(const struct synack_seg *seg)
{
	return (seg->opts.present & SYNACK_OPT_SACK) && seg->opts.sack_blocks &&
	       synack_seq_le(seg->opts.sack[0][1], seg->ack);
}

/* The ACK that ends a tail loss probe's episode by moving SND.UNA (RFC 8985 §7.4). If the probe
 * was the last segment sent again and the ACK covers all that was out without reporting it
 * received twice, the probe repaired a loss, and congestion control responds as to one
 * (§7.4.2): ssthresh and cwnd halve. */
static void tlp_acked(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
		      uint32_t flight)
{
	bool resent = tcb->flags & SYNACK_TF_PTO;
	tcb->flags &= (uint16_t)~(SYNACK_TF_TLP_OUT | SYNACK_TF_PTO);
	if (!resent || tcb->snd_una != tcb->snd_max || dsack(seg))
		return;
	tcb->ssthresh = flight / 2 > 2u * tcb->smss ? flight / 2 : 2u * tcb->smss;
	tcb->cwnd = tcb->ssthresh;
	ctx->stats.tlp_recoveries++;
}

/* Whether a valid SACK block of the ACK reaches past seq. */
static bool sacked_past(const struct synack_tcb *tcb, const struct synack_seg *seg, uint32_t seq)
{
	if (!(tcb->flags & SYNACK_TF_SACK) || !(seg->opts.present & SYNACK_OPT_SACK))
		return false;
	for (unsigned k = 0; k < seg->opts.sack_blocks && k < SYNACK_SACK_MAX_BLOCKS; k++) {
		uint32_t l = seg->opts.sack[k][0], r = seg->opts.sack[k][1];
		if (synack_tcp_sack_block_ok(tcb, l, r) && synack_seq_gt(r, seq))
			return true;
	}
	return false;
}

/* One more retransmission of this fast recovery that the peer must report received twice for the
 * recovery to be undone. */
static inline void recovery_resent(struct synack_tcb *tcb, uint32_t sent)
{
	if (sent && tcb->undo_rtx && tcb->undo_rtx < UINT8_MAX)
		tcb->undo_rtx++;
}

/* RFC 3708 §3 (with RFC 2883): a D-SACK block of data the last fast recovery could have sent
 * again is taken as one of its retransmissions arriving after the original did. The TCB keeps no
 * per-segment record: what the recovery could have resent is [recover - 2 ssthresh, recover), the
 * flight when it began (ssthresh is half of it until the next reduction), and a copy the network
 * made of a byte there counts too.
 * When every one is reported, none was needed: reordering, not loss, set the recovery off. Its
 * reduction is undone (RFC 4015 §3.2: cwnd and ssthresh as before it), and it ends if it is still
 * under way. (DupThresh is not raised: without RACK's timers, a higher one turned some real
 * losses into RTOs on the pair.) */
static void dsack_seen(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg)
{
	uint32_t l = seg->opts.sack[0][0], r = seg->opts.sack[0][1];
	if (!synack_seq_lt(l, r) || synack_seq_gt(r, tcb->recover) ||
	    synack_seq_lt(l, tcb->recover - 2u * tcb->ssthresh))
		return;
	uint32_t segs = (r - l + tcb->smss - 1) / tcb->smss;
	if (segs + 1 < tcb->undo_rtx) {
		tcb->undo_rtx = (uint8_t)(tcb->undo_rtx - segs);
		return;
	}
	tcb->undo_rtx = 0;
	uint32_t prior = (uint32_t)tcb->prior_cwnd * tcb->smss;
	if (tcb->cwnd < prior)
		tcb->cwnd = prior;
	if (tcb->ssthresh < prior)
		tcb->ssthresh = prior;
	if (tcb->flags & SYNACK_TF_RECOVERY)
		tcb->flags &= (uint16_t)~(SYNACK_TF_RECOVERY | SYNACK_TF_PARTIAL);
	ctx->stats.recoveries_undone++;
}

/* A lost retransmission (RFC 8985 §6's rule, where the TCB can apply it: it keeps no send time
 * per segment). In recovery, the segment at SND.UNA was sent again when "recover" was SND.MAX; a
 * duplicate ACK whose SACK blocks reach past "recover" reports data sent after that resend as
 * arrived, while the resend has not: it was lost too. It goes once more, and "recover" moves to
 * SND.MAX, so that its own loss is seen the same way; without this, only the RTO repairs it. */
static bool lost_resend(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg, uint64_t now,
			struct synack_actions *out)
{
	if (!sacked_past(tcb, seg, tcb->recover))
		return false;
	uint32_t sent = synack_tcp_send_at(ctx, tcb, tcb->snd_una, UINT32_MAX, now, out);
	if (!sent)
		return false;
	recovery_resent(tcb, sent);
	if (synack_seq_gt(tcb->snd_una + sent, tcb->rtt_seq))
		tcb->rtt_seq = tcb->snd_una + sent;
	tcb->recover = tcb->snd_max;
	ctx->stats.lost_rtx++;
	return true;
}

/* In SACK recovery, one hole above the retransmission point, if the ACK shows one. */
static bool resend_hole(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg, uint64_t now,
			struct synack_actions *out)
{
	uint32_t from = synack_seq_max(tcb->snd_una, tcb->rtt_seq), at;
	uint32_t len = next_hole(tcb, seg, from, &at);
	if (!len)
		return false;
	uint32_t sent = synack_tcp_send_at(ctx, tcb, at, len, now, out);
	if (!sent)
		return false;
	recovery_resent(tcb, sent);
	tcb->rtt_seq = at + sent;
	ctx->stats.sack_rtx++;
	return true;
}

/* RFC 5681 §3.2 with RFC 6582 (NewReno): a duplicate ACK (nothing new acknowledged, no data, the
 * window unchanged, data outstanding) says a segment left the network; the third in a row says
 * the one at SND.UNA was lost. It is sent again at once, without waiting for the RTO, and fast
 * recovery keeps the ACK clock running: ssthresh halves, and each further duplicate lets one
 * segment out: the next hole the peer's SACK blocks show (RFC 6675), else new data. */
static void dup_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg, uint64_t now,
		    struct synack_actions *out)
{
	if (tcb->flags & SYNACK_TF_RECOVERY) {
		if (lost_resend(ctx, tcb, seg, now, out) || resend_hole(ctx, tcb, seg, now, out))
			return;
		/* §3.2 step 4: inflate cwnd by one segment for each one that has left the network. */
		tcb->cwnd += tcb->smss;
		return;
	}
	unsigned n = (tcb->flags & SYNACK_TF_DUPACKS) / SYNACK_TF_DUPACK_1;
	if (n < 3)
		n++;
	tcb->flags = (uint16_t)((tcb->flags & ~SYNACK_TF_DUPACKS) | n * SYNACK_TF_DUPACK_1);
	/* DupThresh is 3; RFC 5827 (early retransmit): with fewer than four segments outstanding and
	 * nothing new to send, there cannot be three duplicates, and it is one fewer than what is out
	 * (a small flight's loss would otherwise wait for the RTO). */
	uint32_t oseg = (tcb->snd_max - tcb->snd_una + tcb->smss - 1) / tcb->smss;
	unsigned thresh = oseg >= 2 && oseg < 4 && !synack_seq_lt(tcb->snd_max, tcb->snd_end) ? oseg - 1 : 3;
	/* After a tail loss probe, its SACK is enough: what is missing below it was lost (RFC 8985). */
	bool tail = (tcb->flags & SYNACK_TF_TLP_OUT) && sacked_to_end(tcb, seg);
	/* With SACK, as soon as the blocks cover DupThresh segments above SND.UNA (RFC 6675 §4
	 * IsLost), or on the third duplicate, whichever comes first. RFC 6582 §3.2 step 2: without
	 * SACK blocks, only when the ACK covers more than "recover", so that duplicates left over from
	 * the last recovery (or a go-back-N after an RTO) do not start another; blocks above SND.UNA
	 * say that bytes past a hole arrived, which no leftover duplicate does (RFC 6675 has no such
	 * guard: a loss just past "recover" would wait for the RTO). */
	uint32_t sacked = sacked_above(tcb, seg);
	if ((n < thresh && !tail && sacked < thresh * tcb->smss) ||
	    (!sacked && !synack_seq_gt(tcb->snd_una, tcb->recover)))
		return;
	if (tail)
		ctx->stats.tlp_recoveries++;
	else if (thresh < 3)
		ctx->stats.early_retransmits++;
	uint32_t flight = tcb->snd_max - tcb->snd_una;
	uint32_t cw = tcb->cwnd / tcb->smss;
	tcb->prior_cwnd = (uint16_t)(cw < UINT16_MAX ? cw : UINT16_MAX);
	tcb->undo_rtx = 1;
	tcb->ssthresh = flight / 2 > 2u * tcb->smss ? flight / 2 : 2u * tcb->smss;
	tcb->recover = tcb->snd_max;
	tcb->flags = (uint16_t)((tcb->flags | SYNACK_TF_RECOVERY) & ~SYNACK_TF_PARTIAL);
	ctx->stats.fast_retransmits++;
	/* The retransmission point (rtt_seq while recovering: no RTT is timed then, Karn). */
	uint32_t sent = synack_tcp_send_at(ctx, tcb, tcb->snd_una, UINT32_MAX, now, out);
	recovery_resent(tcb, sent);
	tcb->rtt_seq = tcb->snd_una + sent;
	tcb->cwnd = tcb->ssthresh + 3u * tcb->smss;
	/* A loss probe's timeout gives way to the RTO, the backstop of recovery. */
	if (tcb->flags & SYNACK_TF_PTO)
		rtx_restart(tcb, now, out);
}

/* New data acknowledged during fast recovery (RFC 6582 §3.2 steps 3 and 5). A full ACK (all
 * that was outstanding when recovery began) ends it, cwnd deflated to ssthresh; a partial one
 * shows the next hole, whose segment is sent at once (with SACK: unless it was sent again in
 * this recovery already, then the next hole the blocks show), cwnd deflated by what was
 * acknowledged. Returns true when the RTX timer was handled (the first partial ACK restarts it,
 * later ones leave it: the "impatient" variant, so that many losses in one window fall back on
 * the RTO). */
static bool recovery_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			 uint32_t advanced, uint64_t now, struct synack_actions *out)
{
	if (synack_seq_ge(tcb->snd_una, tcb->recover)) {
		uint32_t flight = tcb->snd_max - tcb->snd_una;
		uint32_t c = (flight > tcb->smss ? flight : tcb->smss) + tcb->smss;
		tcb->cwnd = c < tcb->ssthresh ? c : tcb->ssthresh;
		tcb->flags &= (uint16_t)~(SYNACK_TF_RECOVERY | SYNACK_TF_PARTIAL);
		ctx->stats.recoveries++;
		return false;
	}
	ctx->stats.partial_acks++;
	if (!(tcb->flags & SYNACK_TF_SACK) || synack_seq_ge(tcb->snd_una, tcb->rtt_seq)) {
		uint32_t sent = synack_tcp_send_at(ctx, tcb, tcb->snd_una, UINT32_MAX, now, out);
		recovery_resent(tcb, sent);
		if (synack_seq_gt(tcb->snd_una + sent, tcb->rtt_seq))
			tcb->rtt_seq = tcb->snd_una + sent;
	} else {
		resend_hole(ctx, tcb, seg, now, out);
	}
	tcb->cwnd = tcb->cwnd > advanced ? tcb->cwnd - advanced : 0;
	if (advanced >= tcb->smss)
		tcb->cwnd += tcb->smss;
	if (tcb->cwnd < tcb->smss)
		tcb->cwnd = tcb->smss;
	/* The first partial ACK of this recovery: the one the third duplicate retransmitted. */
	bool first = !(tcb->flags & SYNACK_TF_PARTIAL);
	tcb->flags |= SYNACK_TF_PARTIAL;
	if (first)
		rtx_restart(tcb, now, out);
	return true;
}

static void closed_reply(struct synack_tcp_ctx *ctx, const struct synack_seg *seg, uint64_t now,
			 struct synack_actions *out);

/* RFC 9293 §3.10.7.4 first step: is the segment acceptable? */
static int acceptable(const struct synack_tcb *tcb, uint32_t seq, uint32_t seglen)
{
	uint32_t wnd = synack_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
	if (seglen == 0) {
		if (wnd == 0)
			return seq == tcb->rcv_nxt;
		return synack_seq_in(seq, tcb->rcv_nxt, tcb->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return 0;
	return synack_seq_in(seq, tcb->rcv_nxt, tcb->rcv_nxt + wnd) ||
	       synack_seq_in(seq + seglen - 1, tcb->rcv_nxt, tcb->rcv_nxt + wnd);
}

void synack_tcp_input(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
		      uint64_t now, struct synack_actions *out)
{
	ctx->stats.seg_in++;
	if (seg->flags & SYNACK_TH_RST)
		ctx->stats.rst_in++;
	synack_tcp_segment(ctx, tcb, seg, now, out);
}

void synack_tcp_segment(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			uint64_t now, struct synack_actions *out)
{
	ctx->dsack_tcb = NULL;
	switch (tcb->state) {
	case SYNACK_CLOSED:
	case SYNACK_LISTEN:
		closed_reply(ctx, seg, now, out); /* counted by synack_tcp_input */
		return;
	case SYNACK_SYN_SENT:
		syn_sent_input(ctx, tcb, seg, now, out);
		return;
	case SYNACK_TIME_WAIT:
		if (time_wait_input(ctx, tcb, seg, now, out))
			return;
		break;
	case SYNACK_SYN_RECEIVED:
		/* Simultaneous open: the peer's SYN-ACK answers our SYN. Its SYN is already counted in
		 * RCV.NXT, which would make it fail the acceptability test although its ACK is what completes
		 * the handshake (RFC 9293 §3.5 figure 7); take the ACK, as Linux does. */
		if (!(tcb->flags & SYNACK_TF_PASSIVE) &&
		    (seg->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_RST | SYNACK_TH_FIN)) ==
			    (SYNACK_TH_SYN | SYNACK_TH_ACK) &&
		    seg->seq == tcb->irs && seg->len == 0 && seg->ack == tcb->snd_nxt) {
			tcb->snd_una = seg->ack;
			tcb->snd_wnd = (uint32_t)seg->wnd; /* a SYN's window is never scaled */
			tcb->snd_max_wnd = tcb->snd_wnd;
			tcb->snd_wl1 = seg->seq;
			tcb->snd_wl2 = seg->ack;
			established(ctx, tcb, now, out);
			return;
		}
		/* The peer's SYN again (its retransmission crossed our SYN-ACK, or the SYN-ACK was lost):
		 * answer with the same SYN-ACK; the ISNs are unchanged so the duplicate is harmless. */
		if ((seg->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_RST)) == SYNACK_TH_SYN &&
		    seg->seq == tcb->irs) {
			ctx->stats.rtx_synack++;
			synack_tcp_send_syn(ctx, tcb, now, out);
			return;
		}
		break;
	default:
		break;
	}

	uint32_t seq = seg->seq;
	uint32_t len = seg->len;
	const uint8_t *payload = seg->payload;
	int fin = (seg->flags & SYNACK_TH_FIN) != 0;
	int has_ts = (tcb->flags & SYNACK_TF_TS) && (seg->opts.present & SYNACK_OPT_TS);

	/* RFC 7323 §5.3 R1 (PAWS): an older timestamp than TS.Recent marks an old duplicate. */
	if (has_ts && !(seg->flags & SYNACK_TH_RST) && synack_seq_lt(seg->opts.tsval, tcb->ts_recent)) {
		ctx->stats.paws_drops++;
		synack_tcp_invalid_ack(ctx, tcb, seg, now, out);
		return;
	}

	/* First: the sequence number (RFC 9293 §3.10.7.4, the four cases of the acceptability test). */
	if (!acceptable(tcb, seq, synack_seg_seqlen(seg))) {
		if (seg->flags & SYNACK_TH_RST) {
			ctx->stats.rst_in_ignored++;
			return;
		}
		ctx->stats.seg_unacceptable++;
		uint32_t rwnd = synack_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
		if (rwnd == 0 && seq == tcb->rcv_nxt && (seg->flags & (SYNACK_TH_ACK | SYNACK_TH_SYN)) == SYNACK_TH_ACK) {
			/* "If the RCV.WND is zero, no segments will be acceptable, but special allowance
			 * should be made to accept valid ACKs": a zero-window probe's text is dropped, its
			 * ACK (and window) taken below, and the ACK it asks for sent. */
			len = 0;
			fin = 0;
			tcb->flags |= SYNACK_TF_ACK_NOW;
		} else {
			/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, then drop; text received before is
			 * reported as a duplicate (RFC 2883 §4.1.1), so that the sender can tell a
			 * needless retransmission. */
			if (len && synack_seq_le(seq + len, tcb->rcv_nxt))
				dsack_set(ctx, tcb, seq, seq + len);
			synack_tcp_invalid_ack(ctx, tcb, seg, now, out);
			return;
		}
	}

	/* Second: RST (RFC 5961 §3.2): exactly RCV.NXT resets; elsewhere in the window, challenge. */
	if (seg->flags & SYNACK_TH_RST) {
		if (seq != tcb->rcv_nxt) {
			synack_tcp_challenge_ack(ctx, tcb, now, out);
			return;
		}
		switch (tcb->state) {
		case SYNACK_SYN_RECEIVED:
			/* Passive: back to LISTEN, which for us is: forget it. Active: refused. */
			synack_tcp_closed(ctx, tcb, (tcb->flags & SYNACK_TF_PASSIVE) ? SYNACK_CLOSE_RESET
										: SYNACK_CLOSE_REFUSED, out);
			return;
		default:
			/* ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT: "connection reset"; CLOSING, LAST-ACK: CLOSED. */
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_RESET, out);
			return;
		}
	}

	/* Trim to the window: bytes before RCV.NXT are old (a SYN cannot be here: see step four). */
	if (synack_seq_lt(seq, tcb->rcv_nxt) && !(seg->flags & SYNACK_TH_SYN)) {
		uint32_t skip = tcb->rcv_nxt - seq;
		if (skip > len) {
			/* Everything, the FIN too, was received before. */
			payload += len;
			seq += len + 1;
			len = 0;
			fin = 0;
		} else {
			dsack_set(ctx, tcb, seq, tcb->rcv_nxt); /* RFC 2883 §4.1.1: its old part */
			tcb->flags |= SYNACK_TF_ACK_NOW;
			payload += skip;
			len -= skip;
			seq += skip;
		}
	}
	{
		uint32_t wnd = synack_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
		uint32_t space = tcb->rcv_buf > tcb->rcv_unread ? tcb->rcv_buf - tcb->rcv_unread : 0;
		if (space < wnd)
			wnd = space;
		/* Text past the window's right edge is not ours to keep (RFC 9293 §3.10.7.4: "trimmed");
		 * an out-of-order segment straddling it keeps its in-window part. */
		uint32_t right = tcb->rcv_nxt + wnd;
		if (synack_seq_ge(seq, tcb->rcv_nxt) && synack_seq_gt(seq + len, right)) {
			len = synack_seq_gt(right, seq) ? right - seq : 0;
			fin = 0;
		}
	}

	/* Fourth: SYN. RFC 9293 (after RFC 5961 §4): in SYN-RECEIVED of a passive open, back to LISTEN;
	 * in a synchronized state, a challenge ACK whatever the sequence number. */
	if (seg->flags & SYNACK_TH_SYN) {
		ctx->stats.syn_in_synchronized++;
		if (tcb->state == SYNACK_SYN_RECEIVED && (tcb->flags & SYNACK_TF_PASSIVE)) {
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_RESET, out);
			return;
		}
		synack_tcp_challenge_ack(ctx, tcb, now, out);
		return;
	}

	/* Fifth: the ACK field. Without ACK, drop. */
	if (!(seg->flags & SYNACK_TH_ACK))
		return;

	uint32_t ack = seg->ack;
	if (tcb->state == SYNACK_SYN_RECEIVED) {
		/* If SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED; else <SEQ=SEG.ACK><CTL=RST>. */
		if (!(synack_seq_gt(ack, tcb->snd_una) && synack_seq_le(ack, tcb->snd_max))) {
			synack_tcp_send_rst(ctx, &tcb->tuple, ack, 0, 0, out);
			return;
		}
		tcb->snd_una = ack;
		tcb->snd_wnd = (uint32_t)seg->wnd << tcb->snd_wscale;
		tcb->snd_max_wnd = tcb->snd_wnd;
		tcb->snd_wl1 = seg->seq;
		tcb->snd_wl2 = ack;
		established(ctx, tcb, now, out);
	} else {
		/* RFC 5961 §5.2: acceptable only in [SND.UNA - MAX.SND.WND, SND.NXT] (SND.NXT here is the
		 * highest ever sent, snd_max, so that a go-back-N does not refuse genuine ACKs). */
		if (synack_seq_lt(ack, tcb->snd_una - tcb->snd_max_wnd) || synack_seq_gt(ack, tcb->snd_max)) {
			ctx->stats.ack_out_of_range++;
			synack_tcp_challenge_ack(ctx, tcb, now, out);
			return;
		}
		if (__builtin_expect(tcb->undo_rtx > 1, 0) && dsack(seg) && (tcb->flags & SYNACK_TF_SACK))
			dsack_seen(ctx, tcb, seg);
		if (synack_seq_gt(ack, tcb->snd_una)) {
			/* New data acknowledged: SND.UNA <- SEG.ACK. SYN and FIN occupy sequence numbers but no
			 * byte of the stream, so the bytes to free exclude them. */
			uint32_t lo = synack_seq_max(tcb->snd_una, tcb->iss + 1);
			uint32_t hi = synack_seq_lt(ack, tcb->snd_end) ? ack : tcb->snd_end;
			uint32_t acked = synack_seq_gt(hi, lo) ? hi - lo : 0;
			uint32_t advanced = ack - tcb->snd_una, flight = tcb->snd_max - tcb->snd_una;
			tcb->snd_una = ack;
			if (synack_seq_gt(ack, tcb->snd_nxt))
				tcb->snd_nxt = ack;
			if ((tcb->flags & SYNACK_TF_RTT_TIMING) && synack_seq_ge(ack, tcb->rtt_seq)) {
				tcb->flags &= (uint16_t)~SYNACK_TF_RTT_TIMING;
				synack_tcp_rtt_sample(ctx, tcb, now_us32(now) - tcb->rtt_start_us);
			}
			tcb->flags &= (uint16_t)~SYNACK_TF_DUPACKS;
			tcb->retries = 0;
			if ((tcb->flags & (SYNACK_TF_TLP_OUT | SYNACK_TF_RECOVERY)) == SYNACK_TF_TLP_OUT)
				tlp_acked(ctx, tcb, seg, flight);
			if (tcb->flags & SYNACK_TF_RECOVERY) {
				if (recovery_ack(ctx, tcb, seg, advanced, now, out))
					goto acked;
			} else if (tcb->cwnd < tcb->ssthresh) {
				/* RFC 5681 §3.1: slow start below ssthresh, congestion avoidance above. */
				tcb->cwnd += acked < tcb->smss ? acked : tcb->smss;
			} else {
				tcb->cwnd += (uint32_t)((uint64_t)tcb->smss * tcb->smss / tcb->cwnd) + 1;
			}
			/* RFC 6298 §5.2, §5.3: all acknowledged, stop the timer; else restart it. */
			if (tcb->snd_una == tcb->snd_max)
				timer_cancel(tcb, SYNACK_TIMER_RTX, out);
			else
				synack_tcp_rtx_arm(ctx, tcb, now, out);
acked:
			if (acked)
				act_event(out, SYNACK_EV_ACKED, 0, 0, acked, NULL);
		} else if (ack == tcb->snd_una && tcb->snd_una != tcb->snd_max &&
			   ((seg->len == 0 && !(seg->flags & (SYNACK_TH_SYN | SYNACK_TH_FIN)) &&
			     ((uint32_t)seg->wnd << tcb->snd_wscale) == tcb->snd_wnd) ||
			    sacked_above(tcb, seg))) {
			dup_ack(ctx, tcb, seg, now, out);
		}
		/* Window update (RFC 9293 §3.10.7.4): only from a segment not older than the last one. */
		if (synack_seq_lt(tcb->snd_wl1, seg->seq) ||
		    (tcb->snd_wl1 == seg->seq && synack_seq_le(tcb->snd_wl2, ack))) {
			tcb->snd_wnd = (uint32_t)seg->wnd << tcb->snd_wscale;
			if (tcb->snd_wnd > tcb->snd_max_wnd)
				tcb->snd_max_wnd = tcb->snd_wnd;
			tcb->snd_wl1 = seg->seq;
			tcb->snd_wl2 = ack;
		}
		/* RFC 9293 §3.8.6.1: a peer answering our window probes keeps the connection open. */
		if (tcb->snd_wnd == 0 && ack == tcb->snd_una)
			tcb->retries = 0;
	}
	/* RFC 7323 §4.3: TS.Recent follows the segment that covers the left window edge, and only once
	 * its ACK passed the checks above (a segment RFC 5961 §5.2 discards must not move it). */
	if (has_ts && synack_seq_le(seg->seq, tcb->rcv_nxt) && synack_seq_ge(seg->opts.tsval, tcb->ts_recent))
		tcb->ts_recent = seg->opts.tsval;

	int fin_acked = (tcb->flags & SYNACK_TF_FIN_SENT) && synack_seq_gt(tcb->snd_una, tcb->snd_end);
	switch (tcb->state) {
	case SYNACK_FIN_WAIT_1:
		/* Our FIN acknowledged: FIN-WAIT-2. We only close fully, so bound the wait for the peer's
		 * FIN (Linux's tcp_fin_timeout for an orphaned socket). */
		if (fin_acked) {
			tcb_set_state(tcb, SYNACK_FIN_WAIT_2, out);
			timer_arm(tcb, SYNACK_TIMER_LINGER, now + (uint64_t)ctx->cfg.fin_wait2_ms * SYNACK_NS_PER_MS, out);
		}
		break;
	case SYNACK_CLOSING:
		if (fin_acked) {
			synack_tcp_enter_time_wait(ctx, tcb, now, out);
			return;
		}
		return;
	case SYNACK_LAST_ACK:
		if (fin_acked)
			synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_NORMAL, out);
		return;
	case SYNACK_TIME_WAIT:
		return;
	default:
		break;
	}

	/* Sixth (URG) is not supported: the urgent pointer is ignored, as RFC 6093 advises. */
	text_and_fin(ctx, tcb, seq, payload, len, fin, now, out);
}

bool synack_tcp_listen_input(struct synack_tcp_ctx *ctx, const struct synack_seg *seg, uint64_t now,
			     struct synack_actions *out)
{
	/* RFC 9293 §3.10.7.2, LISTEN: first an RST is ignored; second an ACK is answered with
	 * <SEQ=SEG.ACK><CTL=RST>; third a SYN opens a connection; anything else is dropped. */
	ctx->stats.seg_in++;
	if (seg->flags & SYNACK_TH_RST) {
		ctx->stats.rst_in++;
		return false;
	}
	if (seg->flags & SYNACK_TH_ACK) {
		struct synack_tuple t = { seg->daddr, seg->saddr, seg->dport, seg->sport };
		if (synack_tcp_rst_budget(ctx, now))
			synack_tcp_send_rst(ctx, &t, seg->ack, 0, 0, out);
		return false;
	}
	if (seg->flags & SYNACK_TH_SYN) {
		ctx->stats.syn_in++;
		return true;
	}
	return false;
}

/* RFC 9293 §3.10.7.1, CLOSED: an RST is dropped; to a segment with ACK, <SEQ=SEG.ACK><CTL=RST>;
 * otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. A flood of segments for no connection
 * must not be reflected one for one: the RSTs have a per-core budget. */
static void closed_reply(struct synack_tcp_ctx *ctx, const struct synack_seg *seg, uint64_t now,
			 struct synack_actions *out)
{
	if ((seg->flags & SYNACK_TH_RST) || !synack_tcp_rst_budget(ctx, now))
		return;
	struct synack_tuple t = { seg->daddr, seg->saddr, seg->dport, seg->sport };
	if (seg->flags & SYNACK_TH_ACK)
		synack_tcp_send_rst(ctx, &t, seg->ack, 0, 0, out);
	else
		synack_tcp_send_rst(ctx, &t, 0, seg->seq + synack_seg_seqlen(seg), 1, out);
}

void synack_tcp_no_conn(struct synack_tcp_ctx *ctx, const struct synack_seg *seg, uint64_t now,
			struct synack_actions *out)
{
	/* Counted as every segment in is (a capture of the port shows it). */
	ctx->stats.seg_in++;
	if (seg->flags & SYNACK_TH_RST)
		ctx->stats.rst_in++;
	else if ((seg->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK)) == SYNACK_TH_SYN)
		ctx->stats.syn_in++;
	closed_reply(ctx, seg, now, out);
}

/* ISS and timestamp offset for a tuple (RFC 6528; RFC 7323 §7.1 for the offset). */
static void choose_iss(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now)
{
	const struct synack_tuple *t = &tcb->tuple;
	uint64_t h = ctx->isn_ahead.set && synack_tuple_eq(&ctx->isn_ahead.t, t) ? ctx->isn_ahead.f
										   : synack_isn_hash(&ctx->isn_key, t);
	ctx->isn_ahead.set = false;
	tcb->iss = synack_isn_clock(now) + (uint32_t)h;
	tcb->ts_offset = (uint32_t)(h >> 32);
	if (ctx->isn_hook)
		tcb->iss = ctx->isn_hook(ctx->isn_arg, &tcb->tuple);
	tcb->recover = tcb->iss;        /* RFC 6582 §3.2 step 1 */
}

void synack_tcp_tcb_init(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_tuple *t,
			 uint64_t now)
{
	synack_zero_small(tcb, sizeof(*tcb));
	tcb->tuple = *t;
	tcb->rcv_buf = ctx->cfg.rcv_buf;
	tcb->rcv_wscale = ctx->cfg.wscale ? (uint8_t)wscale_for(tcb->rcv_buf) : 0;
	tcb->smss = SYNACK_DEFAULT_MSS;
	tcb->rto_us = ctx->cfg.rto_init_ms * 1000u;
	choose_iss(ctx, tcb, now);
	tcb->snd_una = tcb->iss;
	tcb->snd_nxt = tcb->snd_max = tcb->snd_end = tcb->iss + 1;
	/* Time the handshake (Karn: the sample is dropped if the SYN or SYN-ACK is retried). */
	tcb->flags = SYNACK_TF_RTT_TIMING;
	tcb->rtt_seq = tcb->iss + 1;
	tcb->rtt_start_us = now_us32(now);
}

void synack_tcp_accept(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
		       uint64_t now, bool has_floor, uint32_t iss_floor, struct synack_actions *out)
{
	struct synack_tuple t = { seg->daddr, seg->saddr, seg->dport, seg->sport };
	synack_tcp_tcb_init(ctx, tcb, &t, now);
	if (has_floor && synack_seq_lt(tcb->iss, iss_floor)) {
		tcb->iss = iss_floor;
		tcb->recover = tcb->iss;
		tcb->snd_una = tcb->iss;
		tcb->snd_nxt = tcb->snd_max = tcb->snd_end = tcb->rtt_seq = tcb->iss + 1;
	}
	tcb->flags |= SYNACK_TF_PASSIVE;
	tcb->state = SYNACK_LISTEN;
	/* RFC 9293 §3.10.7.2 third: RCV.NXT <- SEG.SEQ+1, IRS <- SEG.SEQ. Text in the SYN is not kept
	 * (no Fast Open yet): RCV.NXT does not cover it, so the peer sends it again. */
	tcb->irs = seg->seq;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->rcv_adv = tcb->rcv_nxt;
	synack_tcp_take_syn_opts(ctx, tcb, seg, 0);
	tcb->snd_wnd = seg->wnd;
	tcb->snd_max_wnd = seg->wnd;
	tcb->snd_wl1 = seg->seq;
	ctx->stats.passive_opens++;
	tcb_set_state(tcb, SYNACK_SYN_RECEIVED, out);
	synack_tcp_send_syn(ctx, tcb, now, out);
	rtx_restart(tcb, now, out);
}

