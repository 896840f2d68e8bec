/* tw_table.h: a core's TIME-WAIT connections as 32-byte entries (lib/tcp/compact.h), apart from
 * full TCBs so that a core can hold rate x 2 x MSL of them. Every entry lasts the same 2 x MSL, so
 * expiry order is arrival order: the entries sit in a ring in the order they came, and the reaper
 * takes them from its head exactly at their deadlines, in O(1), with no timer, link or free list
 * per entry. An entry removed early (a new SYN reusing its tuple, RFC 9293 §3.10.7.4) leaves a free
 * slot the head steps over. A retransmitted FIN restarts 2 x MSL: the entry moves to the tail.
 * Written by its core only. Hash buckets laid out as ctab's (ctab.h) map the tuple to the entry's
 * ring sequence number, so that a reaped entry's bucket slot is free once the head has passed it,
 * without a visit (tw_table.c): reaping reads the ring in order and nothing else.
 *
 * Memory: 32 bytes per entry in the ring, 64 per 4 entries of buckets (the engine faults both in
 * at start: bigmem.c). */
#ifndef SYNACK_CORE_TW_TABLE_H
#define SYNACK_CORE_TW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctab.h"
#include "tcp/compact.h"

#define SYNACK_TW_HOLES 64   /* free slots inside the ring a full one remembers to fill */

struct synack_tw_table {
	struct synack_ctab tab;
	struct synack_tw *ent;
	uint32_t cap, used;             /* used: live entries */
	uint32_t head, span;            /* the ring: slots head, head + 1, ... (mod cap), span of them */
	uint32_t seq_head;              /* the sequence number of the head's slot (+1 per slot passed) */
	uint32_t nholes;                /* slots removed early, away from the head: a full ring's room */
	uint32_t holes[SYNACK_TW_HOLES];
};

/* The slot k places after slot i, around the ring. */
static inline uint32_t synack_tw_table_slot(const struct synack_tw_table *t, uint32_t i, uint32_t k)
{
	return i + k < t->cap ? i + k : i + k - t->cap;
}

/* Bytes of zeroed, 64-byte aligned memory a table of cap entries needs (the caller owns it):
 * the hash buckets first (tab.b points at the start), then the ring. */
size_t synack_tw_table_mem_size(uint32_t cap);
/* key: 16 random bytes for the tuple hash. */
void synack_tw_table_init(struct synack_tw_table *t, void *mem, uint32_t cap, const uint8_t key[16]);
/* The entry for tuple k, whose hash (synack_ctab_hash(&t->tab, k)) is h; NULL if none. */
struct synack_tw *synack_tw_table_find(struct synack_tw_table *t, const struct synack_tuple *k, uint64_t h);
static inline struct synack_tw *synack_tw_table_lookup(struct synack_tw_table *t, const struct synack_tuple *k)
{
	return t->used ? synack_tw_table_find(t, k, synack_ctab_hash(&t->tab, k)) : NULL;
}
/* Stores tcb (in TIME-WAIT) until expire_ns, which is now + 2 x MSL: later than every entry in the
 * table. NULL when the ring is full. */
struct synack_tw *synack_tw_table_insert(struct synack_tw_table *t, const struct synack_tcb *tcb, uint64_t expire_ns);
void synack_tw_table_remove(struct synack_tw_table *t, struct synack_tw *e);
/* The entry's 2 x MSL restarts (expire_ns = now + 2 x MSL): it moves to the tail; returns where it
 * is now. */
struct synack_tw *synack_tw_table_touch(struct synack_tw_table *t, struct synack_tw *e, uint64_t expire_ns);
/* Ends the oldest entry (the head of the ring, the nearest its deadline) before its time, to make
 * room in a full table; returns 0, or -1 if the table is empty. The entry's 2 x MSL is cut short:
 * the caller decides when that is the lesser harm (worker.c, tw_enter) and counts it. */
int synack_tw_table_evict_oldest(struct synack_tw_table *t);
/* Removes up to budget entries whose deadline has passed at now_ns; returns how many. */
unsigned synack_tw_table_expire(struct synack_tw_table *t, uint64_t now_ns, unsigned budget);
/* The deadline of the newest entry (the last to expire), or 0 when the table is empty. */
uint64_t synack_tw_table_last_deadline_ns(const struct synack_tw_table *t, uint64_t now_ns);

#endif
