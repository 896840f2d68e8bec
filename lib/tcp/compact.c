/* compact.c: packing TIME-WAIT and SYN-RECEIVED TCBs into their 32- and 64-byte entries and back. */
#include <string.h>

#include "compact.h"

#include "net/zero.h"
#include "seq.h"
#include "tcp.h"
#include "tcp_internal.h"

void synack_tw_pack(const struct synack_tcb *tcb, uint64_t expire_ns, struct synack_tw *tw)
{
	tw->tuple = tcb->tuple;
	tw->snd_nxt = tcb->snd_nxt;
	tw->rcv_nxt = tcb->rcv_nxt;
	tw->ts_recent = tcb->ts_recent;
	tw->ts_offset = tcb->ts_offset;
	tw->meta = synack_tw_tick_ceil(expire_ns) << 8 | (uint32_t)(tcb->rcv_wscale & 0xf) << 4 | SYNACK_TW_LIVE |
		   (tcb->flags & SYNACK_TF_TS ? SYNACK_TW_TS : 0) | (tcb->flags & SYNACK_TF_WSCALE ? SYNACK_TW_WSCALE : 0);
}

void synack_tw_unpack(const struct synack_tw *tw, uint32_t rcv_buf, struct synack_tcb *tcb)
{
	synack_zero_small(tcb, sizeof(*tcb));
	tcb->tuple = tw->tuple;
	tcb->state = SYNACK_TIME_WAIT;
	/* The entry's 2 x MSL timer is its place in the table's FIFO: it always runs. */
	tcb->flags = (uint16_t)(SYNACK_TF_LINGER_ARMED | (tw->meta & SYNACK_TW_TS ? SYNACK_TF_TS : 0) |
				(tw->meta & SYNACK_TW_WSCALE ? SYNACK_TF_WSCALE : 0));
	tcb->snd_una = tcb->snd_nxt = tcb->snd_max = tcb->snd_end = tw->snd_nxt;
	tcb->rcv_nxt = tw->rcv_nxt;
	/* Nothing is unread in TIME-WAIT: the window is the whole buffer, whose right edge is at or
	 * beyond any advertised before, as long as rcv_buf is the connection's own. */
	tcb->rcv_buf = rcv_buf;
	tcb->rcv_wscale = (uint8_t)(tw->meta >> 4 & 0xf);
	tcb->ts_recent = tw->ts_recent;
	tcb->ts_offset = tw->ts_offset;
	/* The window advertised again, so that segment acceptability (RFC 9293 §3.10.7.4) sees it. */
	(void)synack_tcp_rcv_wnd_field(tcb, 0);
}

void synack_synrcv_pack(const struct synack_tcb *tcb, struct synack_synrcv *e)
{
	e->tuple = tcb->tuple;
	e->iss = tcb->iss;
	e->irs = tcb->irs;
	e->snd_wnd = tcb->snd_wnd;
	e->ts_recent = tcb->ts_recent;
	e->ts_offset = tcb->ts_offset;
	e->rto_us = tcb->rto_us;
	e->syn_time_us = tcb->rtt_start_us;
	e->smss = tcb->smss;
	e->flags = tcb->flags;
	e->snd_wscale = tcb->snd_wscale;
	e->rcv_wscale = tcb->rcv_wscale;
	e->retries = tcb->retries;
	e->pad_ = 0;
	e->link = 0;
}

void synack_synrcv_unpack(const struct synack_synrcv *e, uint32_t rcv_buf, struct synack_tcb *tcb)
{
	synack_zero_small(tcb, sizeof(*tcb));
	tcb->tuple = e->tuple;
	tcb->state = SYNACK_SYN_RECEIVED;
	tcb->flags = e->flags;
	tcb->iss = e->iss;
	tcb->irs = e->irs;
	tcb->snd_una = tcb->recover = e->iss;
	tcb->snd_nxt = tcb->snd_max = tcb->snd_end = e->iss + 1;
	tcb->snd_wnd = tcb->snd_max_wnd = e->snd_wnd;
	tcb->snd_wl1 = e->irs;
	tcb->rcv_nxt = e->irs + 1;
	tcb->rcv_buf = rcv_buf;
	tcb->rcv_adv = tcb->rcv_nxt + (rcv_buf > 0xffff ? 0xffff : rcv_buf);
	tcb->ts_recent = e->ts_recent;
	tcb->ts_offset = e->ts_offset;
	tcb->rto_us = e->rto_us;
	tcb->rtt_seq = e->iss + 1;
	tcb->rtt_start_us = e->syn_time_us;
	tcb->smss = e->smss;
	tcb->snd_wscale = e->snd_wscale;
	tcb->rcv_wscale = e->rcv_wscale;
	tcb->retries = e->retries;
}
