/* tcb.h: the Transmission Control Block (RFC 9293 §3.3.1), laid out for the per-packet path.
 * The first 64-byte cache line holds everything an ordinary segment reads or writes (tuple, state,
 * send and receive sequence variables, windows, the last timestamp); the second holds what only
 * handshakes, retransmission and RTT sampling touch. Data buffers live outside (see sndbuf.h): the
 * core only moves sequence numbers, so a TCB stays at 128 bytes whatever the buffer sizes. */
#ifndef SYNACK_TCP_TCB_H
#define SYNACK_TCP_TCB_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"

/* A connection's identity, from this endpoint's side. Host byte order. */
struct synack_tuple {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
};

static inline int synack_tuple_eq(const struct synack_tuple *a, const struct synack_tuple *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport && a->rport == b->rport;
}

/* synack_tcb.flags */
#define SYNACK_TF_TS         0x0001  /* timestamps negotiated (RFC 7323 §3.2) */
#define SYNACK_TF_SACK       0x0002  /* SACK-permitted exchanged (RFC 2018) */
#define SYNACK_TF_WSCALE     0x0004  /* window scaling negotiated (RFC 7323 §2.2) */
#define SYNACK_TF_PASSIVE    0x0008  /* opened by a listener (SYN-RECEIVED returns to LISTEN) */
#define SYNACK_TF_ACK_NOW    0x0010  /* an ACK is owed: synack_tcp_output() sends it */
#define SYNACK_TF_FIN_QUEUED 0x0020  /* user CLOSE: a FIN follows the last queued byte */
#define SYNACK_TF_FIN_SENT   0x0040  /* our FIN has been sent (it is at snd_end) */
#define SYNACK_TF_RTX_ARMED  0x0080  /* the retransmission timer runs */
#define SYNACK_TF_LINGER_ARMED 0x0100 /* the FIN-WAIT-2 / TIME-WAIT timer runs */
#define SYNACK_TF_RTT_TIMING 0x0200  /* rtt_seq / rtt_start time one segment (Karn) */
/* RFC 8985 §7: the RTX timer runs as the tail loss probe's timeout (PTO); once the probe is out
 * (TLP_OUT, below), that it was a retransmission of the last segment rather than new data. */
#define SYNACK_TF_PTO        0x0400
/* Set by the caller before a segment in TIME-WAIT: the local port has no listener, so a new SYN
 * cannot reopen the tuple (RFC 1122 §4.2.2.13: only to accept a connection). */
#define SYNACK_TF_NO_LISTENER 0x0800
/* RFC 5681 §3.2 / RFC 6582: duplicate ACKs counted (0..3) and fast recovery under way. */
#define SYNACK_TF_DUPACK_1   0x1000
#define SYNACK_TF_DUPACKS    0x3000
#define SYNACK_TF_RECOVERY   0x4000
#define SYNACK_TF_PARTIAL    0x8000  /* ... and a partial ACK has restarted its timer (RFC 6582) */
/* Outside fast recovery, the same bit: a tail loss probe is out and no ACK has moved SND.UNA since
 * (RFC 8985 §7.3: one probe until then). */
#define SYNACK_TF_TLP_OUT    SYNACK_TF_PARTIAL

struct synack_tcb {
	/* ---- cache line 0: every segment ---- */
	struct synack_tuple tuple;  /* 12 */
	uint8_t state;              /* enum synack_state */
	uint8_t snd_wscale;         /* shift applied to the peer's window field */
	uint8_t rcv_wscale;         /* shift the peer applies to ours */
	uint8_t retries;            /* consecutive retransmissions of the current RTX timer */
	uint16_t flags;             /* SYNACK_TF_* */
	uint16_t smss;              /* payload bytes per segment, options excluded */
	uint32_t snd_una;           /* oldest unacknowledged sequence number */
	uint32_t snd_nxt;           /* next sequence number to send */
	uint32_t snd_end;           /* sequence number after the last byte the user queued */
	uint32_t snd_wnd;           /* peer's window, scaled */
	uint32_t snd_wl1, snd_wl2;  /* seq and ack of the last window update */
	uint32_t rcv_nxt;           /* next sequence number expected */
	uint32_t rcv_adv;           /* right edge of the window we advertised: never moves left */
	uint32_t rcv_unread;        /* bytes delivered but not yet consumed by the application */
	uint32_t ts_recent;         /* RFC 7323 §4.3 TS.Recent */
	uint32_t rcv_buf;           /* receive buffer size: window = rcv_buf - rcv_unread */
	/* ---- cache line 1: handshake, retransmission, RTT ---- */
	uint32_t iss;
	union {
		uint32_t irs;       /* the peer's ISN: read only until the handshake completes */
		/* Once synchronized (established() clears them): a fast recovery that resent only
		 * what had arrived already (RFC 3708: every retransmission reported received twice,
		 * by D-SACK) is undone (RFC 4015), cwnd and ssthresh back to prior_cwnd. */
		struct {
			uint16_t prior_cwnd; /* cwnd when the last fast recovery began, in segments */
			uint8_t undo_rtx;    /* 1 + its retransmissions not yet reported twice; 0: no undo */
			uint8_t spare_;
		};
	};
	uint32_t snd_max;           /* highest sequence number sent: SND.NXT before a go-back-N */
	uint32_t snd_max_wnd;       /* largest window the peer offered: RFC 5961 §5.2 MAX.SND.WND */
	uint32_t cwnd, ssthresh;    /* RFC 5681 */
	uint32_t rto_us;            /* current RTO, backoff included */
	uint32_t srtt_us, rttvar_us;/* RFC 6298; srtt 0 = no sample yet */
	uint32_t rtt_seq;           /* the timed segment ends here; in fast recovery (no timing then),
	                             * the retransmission point: resent up to here (RFC 6675 HighRxt) */
	uint32_t rtt_start_us;      /* when it was sent (low 32 bits of the clock in µs) */
	uint32_t ts_offset;         /* added to our ms clock for TSval: unrelated across tuples */
	uint32_t ooo;               /* the out-of-order queue in the core's store (reass.h): 0 empty */
	uint32_t recover;           /* RFC 6582 "recover": SND.MAX when fast recovery began */
};

/* The per-packet path touches one line: keep what it needs there (issue #2: at most 256 bytes, the
 * segment fields in the first 64). */
static_assert(offsetof(struct synack_tcb, rcv_buf) + 4 <= 64, "hot fields past first cache line");
static_assert(sizeof(struct synack_tcb) <= 256, "TCB over 256 bytes");

#endif
