/* tcp_user.c: the user calls of RFC 9293 §3.10: OPEN (active), SEND, CLOSE, ABORT, and the
 * receive-side "consumed" that reopens the window. */
#include <errno.h>

#include "tcp_internal.h"

void synack_tcp_connect(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_tuple *t,
			uint64_t now, struct synack_actions *out)
{
	synack_tcp_tcb_init(ctx, tcb, t, now);
	/* In SYN-SENT the option flags say what we offer; the SYN-ACK keeps those the peer echoes. */
	if (ctx->cfg.timestamps)
		tcb->flags |= SYNACK_TF_TS;
	if (ctx->cfg.sack)
		tcb->flags |= SYNACK_TF_SACK;
	if (ctx->cfg.wscale)
		tcb->flags |= SYNACK_TF_WSCALE;
	ctx->stats.active_opens++;
	/* RFC 9293 §3.10.1: <SEQ=ISS><CTL=SYN>, SND.UNA <- ISS, SND.NXT <- ISS+1, SYN-SENT. */
	tcb_set_state(tcb, SYNACK_SYN_SENT, out);
	synack_tcp_send_syn(ctx, tcb, now, out);
	rtx_restart(tcb, now, out);
}

int synack_tcp_send(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t len)
{
	(void)ctx;
	switch (tcb->state) {
	case SYNACK_SYN_SENT:
	case SYNACK_SYN_RECEIVED:
	case SYNACK_ESTABLISHED:
	case SYNACK_CLOSE_WAIT:
		/* RFC 9293 §3.10.2: queued in SYN-SENT/SYN-RECEIVED until ESTABLISHED. */
		if (tcb->flags & SYNACK_TF_FIN_QUEUED)
			return -EPIPE;
		tcb->snd_end += len;
		return 0;
	case SYNACK_CLOSED:
	case SYNACK_LISTEN:
		return -ENOTCONN;
	default:
		return -EPIPE; /* "error: connection closing" */
	}
}

void synack_tcp_consumed(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t n)
{
	(void)ctx;
	tcb->rcv_unread = n >= tcb->rcv_unread ? 0 : tcb->rcv_unread - n;
	/* A window update is worth a segment once the right edge it would advertise moves by the SWS
	 * step (RFC 9293 §3.8.6.2.2), a closed window included: a smaller opening is not advertised,
	 * and the sender's persist probes learn of it. */
	uint32_t right = tcb->rcv_nxt + (tcb->rcv_buf > tcb->rcv_unread ? tcb->rcv_buf - tcb->rcv_unread : 0);
	if (synack_state_synchronized(tcb->state) && synack_seq_gt(right, tcb->rcv_adv) &&
	    right - tcb->rcv_adv >= synack_tcp_sws_step(tcb))
		tcb->flags |= SYNACK_TF_ACK_NOW;
}

int synack_tcp_close(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
		     struct synack_actions *out)
{
	switch (tcb->state) {
	case SYNACK_SYN_SENT:
		/* "Delete the TCB": nothing was established. */
		synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_NORMAL, out);
		return 0;
	case SYNACK_SYN_RECEIVED:
		/* RFC 9293 §3.10.4 sends the FIN at once when nothing was queued. We hold it until
		 * ESTABLISHED instead, so that a lost SYN-ACK is still retransmitted as a SYN-ACK (a
		 * deliberate deviation: the FIN leaves one round trip later). */
		tcb->flags |= SYNACK_TF_FIN_QUEUED;
		return 0;
	case SYNACK_ESTABLISHED:
		/* Queue the FIN after the data; FIN-WAIT-1. */
		tcb->flags |= SYNACK_TF_FIN_QUEUED;
		tcb_set_state(tcb, SYNACK_FIN_WAIT_1, out);
		synack_tcp_output(ctx, tcb, now, out);
		return 0;
	case SYNACK_CLOSE_WAIT:
		/* Our FIN after the data; LAST-ACK. */
		tcb->flags |= SYNACK_TF_FIN_QUEUED;
		tcb_set_state(tcb, SYNACK_LAST_ACK, out);
		synack_tcp_output(ctx, tcb, now, out);
		return 0;
	case SYNACK_CLOSED:
	case SYNACK_LISTEN:
		return -ENOTCONN;
	default:
		return -ESHUTDOWN; /* "error: connection closing" */
	}
}

void synack_tcp_abort(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
		      struct synack_actions *out)
{
	switch (tcb->state) {
	case SYNACK_SYN_RECEIVED:
	case SYNACK_ESTABLISHED:
	case SYNACK_FIN_WAIT_1:
	case SYNACK_FIN_WAIT_2:
	case SYNACK_CLOSE_WAIT:
		/* An ACK still owed goes first (the handshake's third segment, when the application
		 * aborts as the connection opens: the peer sees SYN, SYN-ACK, ACK, RST, as from Linux). */
		if ((tcb->flags & SYNACK_TF_ACK_NOW) && tcb->state != SYNACK_SYN_RECEIVED)
			synack_tcp_send_ack(ctx, tcb, now, out);
		/* RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>. */
		synack_tcp_send_rst(ctx, &tcb->tuple, tcb->snd_nxt, 0, 0, out);
		break;
	case SYNACK_CLOSED:
		return;
	default:
		/* SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: just delete the TCB. */
		break;
	}
	synack_tcp_closed(ctx, tcb, SYNACK_CLOSE_ABORTED, out);
}
