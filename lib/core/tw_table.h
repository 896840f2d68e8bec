/* tw_table.h: a core's TIME-WAIT connections as 64-byte entries (lib/tcp/compact.h), apart from
 * full TCBs so that a core can hold millions. Every entry lasts the same 2×MSL, so expiry order is
 * arrival order: a FIFO reaps each entry exactly at its deadline in O(1), with no timer per entry
 * (a retransmitted FIN that restarts 2×MSL moves its entry to the tail). Written by its core only;
 * a ctab (ctab.h) maps the tuple to the entry. */
#ifndef SYNACK_CORE_TW_TABLE_H
#define SYNACK_CORE_TW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctab.h"
#include "tcp/compact.h"

struct synack_tw_table {
	struct synack_ctab tab;
	struct synack_tw *ent;
	uint32_t *free_idx;
	uint32_t nfree, cap, used;
	uint32_t head, tail;            /* FIFO of live entries by expiry; UINT32_MAX: empty */
};

/* Bytes of zeroed, 64-byte aligned memory a table of cap entries needs (the caller owns it). */
size_t synack_tw_table_mem_size(uint32_t cap);
/* key: 16 random bytes for the tuple hash. */
void synack_tw_table_init(struct synack_tw_table *t, void *mem, uint32_t cap, const uint8_t key[16]);
static inline struct synack_tw *synack_tw_table_lookup(struct synack_tw_table *t, const struct synack_tuple *k)
{
	if (t->used == 0)
		return NULL;
	uint32_t i = synack_ctab_lookup_h(&t->tab, k, synack_ctab_hash(&t->tab, k));
	return i == SYNACK_CTAB_NIL ? NULL : &t->ent[i];
}
/* Stores tcb (in TIME-WAIT) until expire_ns. NULL when the table is full. */
struct synack_tw *synack_tw_table_insert(struct synack_tw_table *t, const struct synack_tcb *tcb, uint64_t expire_ns);
void synack_tw_table_remove(struct synack_tw_table *t, struct synack_tw *e);
/* The entry's 2×MSL restarts: a new deadline, and the tail of the FIFO. */
void synack_tw_table_touch(struct synack_tw_table *t, struct synack_tw *e, uint64_t expire_ns);
/* Removes up to budget entries whose deadline is <= now_ns; returns how many. */
unsigned synack_tw_table_expire(struct synack_tw_table *t, uint64_t now_ns, unsigned budget);

#endif
