/* tcp_internal.h: helpers shared by the core's files (input, output, user calls, timers): appending
 * actions, changing state, building the segments the core sends. Not part of the public API. */
#ifndef SYNACK_TCP_INTERNAL_H
#define SYNACK_TCP_INTERNAL_H

#include <string.h>

#include "seq.h"
#include "tcp.h"

#define SYNACK_MAX_WSCALE 14    /* RFC 7323 §2.3 */
#define SYNACK_DEFAULT_MSS 536  /* RFC 9293 §3.7.1: when the peer sends no MSS option */
#define SYNACK_TS_OPT_LEN 12    /* timestamp option with its two NOPs */

static inline struct synack_action *act_push(struct synack_actions *out)
{
	if (out->n >= SYNACK_ACTIONS_MAX) {
		out->overflow++;
		return NULL;
	}
	return &out->a[out->n++];
}

static inline void act_event(struct synack_actions *out, enum synack_event ev, uint8_t a, uint8_t b,
			     uint32_t n, const uint8_t *data)
{
	struct synack_action *x = act_push(out);
	if (!x)
		return;
	x->kind = SYNACK_ACT_EVENT;
	x->id = (uint8_t)ev;
	out->events |= 1u << ev;
	x->a = a;
	x->b = b;
	x->n = n;
	x->data = data;
}

static inline void tcb_set_state(struct synack_tcb *tcb, enum synack_state s, struct synack_actions *out)
{
	uint8_t old = tcb->state;
	tcb->state = (uint8_t)s;
	act_event(out, SYNACK_EV_STATE, old, (uint8_t)s, 0, NULL);
}

static inline void timer_arm(struct synack_tcb *tcb, enum synack_timer t, uint64_t deadline,
			     struct synack_actions *out)
{
	struct synack_action *x = act_push(out);
	/* Marked running only when the arm is in the list: a flag without its arm was a timer that
	 * never fires (counted in out->overflow). The next output call arms it then. */
	if (!x)
		return;
	tcb->flags |= t == SYNACK_TIMER_RTX ? SYNACK_TF_RTX_ARMED : SYNACK_TF_LINGER_ARMED;
	x->kind = SYNACK_ACT_TIMER_ARM;
	x->id = (uint8_t)t;
	x->deadline_ns = deadline;
}

static inline void timer_cancel(struct synack_tcb *tcb, enum synack_timer t, struct synack_actions *out)
{
	uint16_t bit = t == SYNACK_TIMER_RTX ? SYNACK_TF_RTX_ARMED : SYNACK_TF_LINGER_ARMED;
	if (!(tcb->flags & bit))
		return;
	tcb->flags &= (uint16_t)~bit;
	if (t == SYNACK_TIMER_RTX && !(tcb->flags & SYNACK_TF_TLP_OUT))
		tcb->flags &= (uint16_t)~SYNACK_TF_PTO;
	struct synack_action *x = act_push(out);
	if (!x)
		return;
	x->kind = SYNACK_ACT_TIMER_CANCEL;
	x->id = (uint8_t)t;
}

static inline uint32_t now_us32(uint64_t now) { return (uint32_t)(now / SYNACK_NS_PER_US); }
static inline uint32_t ts_clock(const struct synack_tcb *tcb, uint64_t now)
{
	return (uint32_t)(now / SYNACK_NS_PER_MS) + tcb->ts_offset;
}

/* An empty segment from this TCB's side of the tuple. */
static inline struct synack_seg *seg_new(struct synack_actions *out, const struct synack_tuple *t)
{
	struct synack_action *x = act_push(out);
	if (!x)
		return NULL;
	x->kind = SYNACK_ACT_SEND;
	struct synack_seg *s = &x->seg;
	s->saddr = t->laddr;
	s->daddr = t->raddr;
	s->sport = t->lport;
	s->dport = t->rport;
	s->seq = s->ack = s->len = 0;
	s->wnd = 0;
	s->flags = 0;
	s->ttl = 0;
	s->payload = NULL;
	s->opts.present = 0;
	s->opts.sack_blocks = 0;
	s->opts.tfo_len = 0;
	return s;
}

/* The window field to advertise: RFC 9293 §3.8.6.2.2 says never shrink it, so the right edge we
 * advertised (rcv_adv) only moves right. */
uint16_t synack_tcp_rcv_wnd_field(struct synack_tcb *tcb, int syn);

/* The receiver's SWS step (RFC 9293 §3.8.6.2.2): the window's right edge moves by at least
 * min(RCV.BUFF / 2, Eff.snd.MSS). */
static inline uint32_t synack_tcp_sws_step(const struct synack_tcb *tcb)
{
	uint32_t half = tcb->rcv_buf / 2;
	return half < tcb->smss ? half : tcb->smss;
}

/* The options of a synchronized connection's segment: the timestamp, and SACK blocks while bytes
 * are held out of order. */
void synack_tcp_put_opts(struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb, uint64_t now, struct synack_seg *s);

/* A SACK block of an ACK is about data in flight: inside (SND.UNA, SND.MAX] and not empty (so not a
 * D-SACK block, RFC 2883, nor a forged one). */
static inline bool synack_tcp_sack_block_ok(const struct synack_tcb *tcb, uint32_t l, uint32_t r)
{
	return synack_seq_lt(l, r) && synack_seq_gt(l, tcb->snd_una) && synack_seq_le(r, tcb->snd_max);
}

/* Segments from the core: a bare ACK, a control segment (RST) and the SYN / SYN-ACK. */
void synack_tcp_send_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			 struct synack_actions *out);
void synack_tcp_send_syn(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			 struct synack_actions *out);
void synack_tcp_send_rst(struct synack_tcp_ctx *ctx, const struct synack_tuple *t, uint32_t seq,
			 uint32_t ack, int with_ack, struct synack_actions *out);
/* The ACK that answers an unacceptable (or PAWS-failed) segment seg, within its limits. */
void synack_tcp_invalid_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			    uint64_t now, struct synack_actions *out);
/* Whether an RST for a segment with no connection may go now (the per-core budget); counts if not. */
bool synack_tcp_rst_budget(struct synack_tcp_ctx *ctx, uint64_t now);
/* A challenge ACK (RFC 5961 §3.2, §4.2, §5.2) within the per-core budget (§7). */
void synack_tcp_challenge_ack(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			      struct synack_actions *out);

/* Transition to CLOSED: cancel timers, emit CLOSED with the reason. */
void synack_tcp_closed(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, enum synack_close_reason why,
		       struct synack_actions *out);
/* Enter TIME-WAIT: cancel the retransmission timer, start 2×MSL. */
void synack_tcp_enter_time_wait(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
				struct synack_actions *out);

/* Like synack_tcp_output(), but sends one segment even into a zero window (the persist probe). */
void synack_tcp_output_probe(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			     struct synack_actions *out);

/* Sends again the one segment of data (and FIN) that starts at seq, at most max bytes of data: a
 * fast retransmission. Returns the sequence space it covered (0: nothing sent). */
uint32_t synack_tcp_send_at(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t seq, uint32_t max,
			    uint64_t now, struct synack_actions *out);

/* RFC 6298 RTT sample of rtt_us microseconds. */
void synack_tcp_rtt_sample(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t rtt_us);

/* Start or restart the retransmission timer at now + current RTO (as the RTO, not a loss probe's
 * timeout: outside a probe's episode, the PTO bit goes). */
static inline void rtx_restart(struct synack_tcb *tcb, uint64_t now, struct synack_actions *out)
{
	if (!(tcb->flags & SYNACK_TF_TLP_OUT) || (tcb->flags & SYNACK_TF_RECOVERY))
		tcb->flags &= (uint16_t)~SYNACK_TF_PTO;
	timer_arm(tcb, SYNACK_TIMER_RTX, now + (uint64_t)tcb->rto_us * SYNACK_NS_PER_US, out);
}

/* RFC 8985 §7.2: may the RTX timer run as a tail loss probe's timeout? With SACK (the probe's ACK
 * must say what arrived), an RTT measured, data in flight, in the open state: no recovery, no RTO
 * backoff, no probe out already. */
static inline bool synack_tcp_tlp_ok(const struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb)
{
	return ctx->cfg.tlp && (tcb->flags & (SYNACK_TF_SACK | SYNACK_TF_RECOVERY | SYNACK_TF_TLP_OUT)) == SYNACK_TF_SACK &&
	       tcb->retries == 0 && tcb->srtt_us && tcb->snd_una != tcb->snd_max &&
	       (tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT || tcb->state == SYNACK_FIN_WAIT_1 ||
		tcb->state == SYNACK_CLOSING || tcb->state == SYNACK_LAST_ACK);
}

/* (Re)starts the RTX timer as the loss probe's timeout when synack_tcp_tlp_ok(), else as the RTO. */
void synack_tcp_rtx_arm(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now, struct synack_actions *out);

/* The tail loss probe (RFC 8985 §7.3): one new segment if the peer's window takes one (cwnd does
 * not count), else the last segment sent once more. Returns 1 for new data, 2 for the resend, 0
 * when nothing could be sent. */
int synack_tcp_send_tlp(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now, struct synack_actions *out);

/* The options of a SYN or SYN-ACK from this TCB (what was negotiated or is offered). */
void synack_tcp_syn_opts(const struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb, uint64_t now,
			 struct synack_tcp_opts *o);

/* SEGMENT ARRIVES without counting the segment: for a segment already counted on its way in
 * (the ACK that returns a SYN cookie was counted by the listener). */
void synack_tcp_segment(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			uint64_t now, struct synack_actions *out);

/* A fresh TCB for tuple t: ISS (RFC 6528), timestamp offset, buffers and RTO from the config. */
void synack_tcp_tcb_init(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_tuple *t,
			 uint64_t now);

/* Common set-up of a TCB from the options of the peer's SYN (or SYN-ACK). */
void synack_tcp_take_syn_opts(const struct synack_tcp_ctx *ctx, struct synack_tcb *tcb,
			      const struct synack_seg *seg, int we_offered);

#endif
