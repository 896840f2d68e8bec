/* compact.h: the two states a core holds by the million, kept in 32 and 64 bytes instead of a full TCB.
 * A half-open (SYN-RECEIVED) entry and a TIME-WAIT entry are packed from a TCB and unpacked into
 * one (on the stack) when a segment or timer arrives for them, so one state machine decides for all
 * states and the compact forms are only a storage format. */
#ifndef SYNACK_TCP_COMPACT_H
#define SYNACK_TCP_COMPACT_H

#include <assert.h>
#include <stdint.h>

#include "tcb.h"

/* A TIME-WAIT entry: 32 bytes, so that a core holds rate x 2 x MSL of them (1.5 M/s x 120 s is 180 M
 * entries: 5.8 GB here, where 64 bytes would not fit beside the hash buckets). What it drops from
 * the TCB is what TIME-WAIT can rebuild: the receive window is the whole buffer again (nothing is
 * unread; its right edge is never left of one advertised before, RFC 9293 §3.8.6.2.2), and the
 * deadline is kept in ticks of 2^20 ns, rounded up (never early, at most 1.05 ms late). */
struct synack_tw {
	struct synack_tuple tuple;  /* 12 */
	uint32_t snd_nxt;           /* our FIN's seq + 1 */
	uint32_t rcv_nxt;           /* peer's FIN's seq + 1 */
	uint32_t ts_recent;
	uint32_t ts_offset;
	uint32_t meta;              /* deadline tick (bits 31..8) | rcv_wscale (7..4) | SYNACK_TW_* (3..0); 0: free */
};
static_assert(sizeof(struct synack_tw) == 32, "TIME-WAIT entry is 32 bytes");

#define SYNACK_TW_TICK_SHIFT 20     /* deadline tick: 2^20 ns */
#define SYNACK_TW_TICK_MASK  0xffffffu
#define SYNACK_TW_LIVE       0x1u   /* set in every entry in use, so that meta is never 0 */
#define SYNACK_TW_TS         0x2u   /* timestamps negotiated */
#define SYNACK_TW_WSCALE     0x4u   /* window scaling negotiated */
#define SYNACK_TW_MOVED      0x8u   /* deadline pushed later in place: the FIFO must requeue it (tw_table.c) */

/* The deadline tick for a deadline in ns: rounded up, so the entry never expires early. */
static inline uint32_t synack_tw_tick_ceil(uint64_t ns)
{
	return (uint32_t)((ns + (1ull << SYNACK_TW_TICK_SHIFT) - 1) >> SYNACK_TW_TICK_SHIFT) & SYNACK_TW_TICK_MASK;
}
/* Ticks from now_ns to the entry's deadline (negative once passed). Ticks wrap every 4.9 hours;
 * the difference is right while it is under half of that (2 x MSL is at most 20 minutes). */
static inline int32_t synack_tw_ticks_left(uint32_t meta, uint64_t now_ns)
{
	uint32_t now = (uint32_t)(now_ns >> SYNACK_TW_TICK_SHIFT);
	return (int32_t)(((meta >> 8) - now) << 8) >> 8;
}
static inline uint64_t synack_tw_deadline_ns(uint32_t meta, uint64_t now_ns)
{
	int64_t t = (int64_t)(now_ns >> SYNACK_TW_TICK_SHIFT) + synack_tw_ticks_left(meta, now_ns);
	return t > 0 ? (uint64_t)t << SYNACK_TW_TICK_SHIFT : 0;
}

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
