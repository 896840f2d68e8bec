/* compact.h: the two states a core holds by the million, kept in 64 bytes instead of a full TCB.
 * A half-open (SYN-RECEIVED) entry and a TIME-WAIT entry are packed from a TCB and unpacked into
 * one (on the stack) when a segment or timer arrives for them, so one state machine decides for all
 * states and the compact forms are only a storage format. */
#ifndef SYNACK_TCP_COMPACT_H
#define SYNACK_TCP_COMPACT_H

#include <assert.h>
#include <stdint.h>

#include "tcb.h"

struct synack_tw {
	struct synack_tuple tuple;  /* 12 */
	uint32_t snd_nxt;           /* our FIN's seq + 1 */
	uint32_t rcv_nxt;           /* peer's FIN's seq + 1 */
	uint32_t ts_recent;
	uint32_t ts_offset;
	uint32_t rcv_wnd;           /* what we advertise while in TIME-WAIT */
	uint16_t flags;             /* SYNACK_TF_TS, SYNACK_TF_WSCALE */
	uint8_t rcv_wscale;
	uint8_t pad_;
	uint64_t expire_ns;         /* 2×MSL after entry */
	uint64_t link;              /* the owner's list / wheel link */
};
static_assert(sizeof(struct synack_tw) <= 64, "TIME-WAIT entry over 64 bytes");

struct synack_synrcv {
	struct synack_tuple tuple;  /* 12 */
	uint32_t iss, irs;
	uint32_t snd_wnd;           /* peer's window from the SYN (never scaled) */
	uint32_t ts_recent, ts_offset;
	uint32_t rto_us;
	uint32_t syn_time_us;       /* for the handshake RTT sample */
	uint16_t smss;
	uint16_t flags;
	uint8_t snd_wscale, rcv_wscale, retries, pad_;
	uint64_t link;              /* the owner's list / wheel link */
};
static_assert(sizeof(struct synack_synrcv) <= 64, "half-open entry over 64 bytes");

void synack_tw_pack(const struct synack_tcb *tcb, uint64_t expire_ns, struct synack_tw *tw);
void synack_tw_unpack(const struct synack_tw *tw, uint32_t rcv_buf, struct synack_tcb *tcb);
void synack_synrcv_pack(const struct synack_tcb *tcb, struct synack_synrcv *e);
void synack_synrcv_unpack(const struct synack_synrcv *e, uint32_t rcv_buf, struct synack_tcb *tcb);

#endif
