/* tw_table.c: the TIME-WAIT table (see tw_table.h). */
#include <string.h>

#include "tw_table.h"

size_t synack_tw_table_mem_size(uint32_t cap)
{
	return synack_ctab_mem_size(cap) + (size_t)cap * sizeof(struct synack_tw);
}

void synack_tw_table_init(struct synack_tw_table *t, void *mem, uint32_t cap, const uint8_t key[16])
{
	memset(t, 0, sizeof(*t));
	uint8_t *m = mem;
	t->ent = (struct synack_tw *)(void *)(m + synack_ctab_mem_size(cap));
	/* Only the buckets, their hash and mask: the slots hold sequence numbers, resolved here, so
	 * ctab's key array is not used. */
	synack_ctab_init(&t->tab, m, cap, NULL, 0, key);
	t->cap = cap;
}

/* The hash buckets of a TIME-WAIT table are ctab buckets (ctab.h) used differently, so that reaping
 * never touches them: in a table of hundreds of millions each bucket is a cache and TLB miss, and
 * the reaper would pay one per entry. A slot holds the entry's ring sequence number, not its
 * index: the ring's live window is the sequence numbers [seq_head, seq_head + span), so a slot
 * whose number has left it (reaped) is free without anyone clearing it, and the index is the
 * number's offset from the head. A bucket's `passed` holds the newest sequence number that probed
 * past it and aux says whether there is one: a lookup walks on while that entry can still be
 * live. Entries removed early clear their slot; a slot still in the window is always checked
 * against its entry (meta non-zero, the same tuple), so a stale one only costs room. */

static inline uint32_t seq_off(const struct synack_tw_table *t, uint32_t seq) { return seq - t->seq_head; }
static inline int seq_live(const struct synack_tw_table *t, uint32_t seq) { return seq_off(t, seq) < t->span; }

/* The ring index of a live sequence number, and back. */
static inline uint32_t seq_idx(const struct synack_tw_table *t, uint32_t seq)
{
	return synack_tw_table_slot(t, t->head, seq_off(t, seq));
}

static inline uint32_t idx_seq(const struct synack_tw_table *t, uint32_t idx)
{
	return t->seq_head + (idx >= t->head ? idx - t->head : idx + t->cap - t->head);
}

static inline int passed_live(const struct synack_tw_table *t, const struct synack_ctab_bucket *b)
{
	return b->aux && seq_live(t, b->passed);
}

struct synack_tw *synack_tw_table_find(struct synack_tw_table *t, const struct synack_tuple *k, uint64_t h)
{
	uint32_t bi = (uint32_t)h & t->tab.mask, tag = synack_ctab_tag(h);
	for (;;) {
		const struct synack_ctab_bucket *b = &t->tab.b[bi];
		for (unsigned m = synack_ctab_match(b, tag); m; m &= m - 1) {
			uint32_t seq = b->idx[__builtin_ctz(m)];
			if (!seq_live(t, seq))
				continue;
			struct synack_tw *e = &t->ent[seq_idx(t, seq)];
			if (e->meta && synack_tuple_eq(&e->tuple, k))
				return e;
		}
		if (!passed_live(t, b))
			return NULL;
		bi = (bi + 1) & t->tab.mask;
	}
}

/* Files live sequence number seq under the tuple's hash h. A slot is free if empty or if its
 * number has left the window; a live entry always leaves a free slot somewhere (the buckets have
 * 7/4 of cap slots), so the walk ends. */
static void slot_put(struct synack_tw_table *t, uint64_t h, uint32_t seq)
{
	uint32_t bi = (uint32_t)h & t->tab.mask, tag = synack_ctab_tag(h);
	for (;;) {
		struct synack_ctab_bucket *b = &t->tab.b[bi];
		for (unsigned i = 0; i < SYNACK_CTAB_WAYS; i++) {
			if (b->tag[i] == 0 || !seq_live(t, b->idx[i])) {
				b->idx[i] = seq;
				b->tag[i] = tag;
				return;
			}
		}
		/* passed keeps the newest number that probed past: inserts come in sequence order,
		 * but one into a hole inside the ring (synack_tw_table_insert) is older. */
		if (!passed_live(t, b) || seq_off(t, seq) > seq_off(t, b->passed))
			b->passed = seq;
		b->aux = 1;
		bi = (bi + 1) & t->tab.mask;
	}
}

/* Clears the slot of live sequence number seq (an entry removed or moved before its time). */
static void slot_clear(struct synack_tw_table *t, uint64_t h, uint32_t seq)
{
	uint32_t bi = (uint32_t)h & t->tab.mask, tag = synack_ctab_tag(h);
	for (;;) {
		struct synack_ctab_bucket *b = &t->tab.b[bi];
		for (unsigned m = synack_ctab_match(b, tag); m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctz(m);
			if (b->idx[i] == seq) {
				b->tag[i] = 0;
				return;
			}
		}
		if (!passed_live(t, b))
			return;
		bi = (bi + 1) & t->tab.mask;
	}
}

static inline uint64_t ent_hash(const struct synack_tw_table *t, const struct synack_tw *e)
{
	return synack_ctab_hash(&t->tab, &e->tuple);
}

static inline uint32_t tail_slot(const struct synack_tw_table *t) { return synack_tw_table_slot(t, t->head, t->span); }

static inline void pop_head(struct synack_tw_table *t)
{
	t->head = synack_tw_table_slot(t, t->head, 1);
	t->seq_head++;
	if (--t->span == 0)
		t->head = 0;     /* empty: start again at the ring's first (already mapped) slots */
}

/* Steps the head over free slots (entries removed early or moved to the tail). */
static void skip_free(struct synack_tw_table *t)
{
	while (t->span && t->ent[t->head].meta == 0)
		pop_head(t);
}

/* A full ring's insert goes into a slot an early removal freed inside it (RFC 9293 asks 2 x MSL of
 * every TIME-WAIT; refusing would end the oldest early or hold a TCB). Its deadline is later than
 * its place, so it is marked MOVED, as a touched entry: the reaper requeues it at the tail when
 * the head reaches it before its deadline. It never expires early, and late by at most the time
 * from that requeue to the head's coming round again. */
static struct synack_tw *insert_in_hole(struct synack_tw_table *t, const struct synack_tcb *tcb, uint64_t expire_ns)
{
	while (t->nholes) {
		uint32_t i = t->holes[--t->nholes];
		struct synack_tw *e = &t->ent[i];
		if (e->meta != 0)
			continue;   /* taken since (a requeue to the tail reached it) */
		synack_tw_pack(tcb, expire_ns, e);
		e->meta |= SYNACK_TW_MOVED;
		slot_put(t, ent_hash(t, e), idx_seq(t, i));
		t->used++;
		return e;
	}
	return NULL;
}

struct synack_tw *synack_tw_table_insert(struct synack_tw_table *t, const struct synack_tcb *tcb, uint64_t expire_ns)
{
	if (t->span == t->cap) {
		skip_free(t);
		if (t->span == t->cap)
			return insert_in_hole(t, tcb, expire_ns);
	}
	uint32_t i = tail_slot(t), seq = t->seq_head + t->span;
	t->span++;
	struct synack_tw *e = &t->ent[i];
	synack_tw_pack(tcb, expire_ns, e);
	slot_put(t, ent_hash(t, e), seq);
	t->used++;
	return e;
}

static void release(struct synack_tw_table *t, struct synack_tw *e)
{
	/* meta 0 marks the slot free for lock-free readers (synack_conn_foreach) and for the head. */
	__atomic_store_n(&e->meta, 0, __ATOMIC_RELEASE);
	t->used--;
}

void synack_tw_table_remove(struct synack_tw_table *t, struct synack_tw *e)
{
	uint32_t i = (uint32_t)(e - t->ent);
	slot_clear(t, ent_hash(t, e), idx_seq(t, i));
	release(t, e);
	if (i != t->head && t->nholes < SYNACK_TW_HOLES)
		t->holes[t->nholes++] = i;   /* (a hole the head reaches first is stepped over, and skipped here) */
	skip_free(t);
}

/* Copies e to the tail (the ring has a free slot there) and frees its old slot; old_seq is e's
 * sequence number, which the caller may already have let leave the window (the head's entry). */
static struct synack_tw *requeue(struct synack_tw_table *t, struct synack_tw *e, uint32_t old_seq)
{
	uint32_t from = (uint32_t)(e - t->ent), to = tail_slot(t), seq = t->seq_head + t->span;
	uint64_t h = ent_hash(t, e);
	if (seq_live(t, old_seq))
		slot_clear(t, h, old_seq);
	t->span++;
	struct synack_tw *n = &t->ent[to];
	if (from != to) {
		/* (from == to: the head of a ring with one free slot moving to its tail, in place) */
		*n = *e;
		__atomic_store_n(&e->meta, 0, __ATOMIC_RELEASE);
	}
	slot_put(t, h, seq);
	return n;
}

struct synack_tw *synack_tw_table_touch(struct synack_tw_table *t, struct synack_tw *e, uint64_t expire_ns)
{
	uint32_t meta = (e->meta & 0xffu) | synack_tw_tick_ceil(expire_ns) << 8;
	if (t->span == t->cap)
		skip_free(t);
	if (t->span < t->cap) {
		e->meta = meta & ~SYNACK_TW_MOVED;
		return requeue(t, e, idx_seq(t, (uint32_t)(e - t->ent)));
	}
	/* A ring full of live entries: the new deadline stays in place, marked, and the reaper
	 * requeues the entry when it reaches the head. It then expires late (by at most the time from
	 * this touch to its old deadline), never early. */
	e->meta = meta | SYNACK_TW_MOVED;
	return e;
}

int synack_tw_table_evict_oldest(struct synack_tw_table *t)
{
	skip_free(t);
	if (!t->span)
		return -1;
	/* As the reaper does: the head's bucket slot frees itself as the head passes. An entry marked
	 * MOVED (its 2 x MSL restarted while the ring was full) goes too: it is still the one that
	 * has waited longest. */
	release(t, &t->ent[t->head]);
	pop_head(t);
	skip_free(t);
	return 0;
}

unsigned synack_tw_table_expire(struct synack_tw_table *t, uint64_t now_ns, unsigned budget)
{
	unsigned n = 0, steps = 0;
	while (t->span && steps++ < 4 * budget) {
		struct synack_tw *e = &t->ent[t->head];
		uint32_t meta = e->meta;
		if (meta == 0) {
			pop_head(t);
			continue;
		}
		if ((meta & SYNACK_TW_MOVED) && synack_tw_ticks_left(meta, now_ns) > 0) {
			/* Its deadline is later than its place: to the tail (the slot it leaves is the room). */
			e->meta = meta & ~SYNACK_TW_MOVED;
			uint32_t from = t->head, seq = t->seq_head;
			t->head = synack_tw_table_slot(t, t->head, 1);
			t->seq_head++;
			t->span--;
			requeue(t, &t->ent[from], seq);
			continue;
		}
		if (n == budget || synack_tw_ticks_left(meta, now_ns) > 0)
			break;
		/* Its bucket slot frees itself as the head passes (see above): the reaper reads the ring
		 * in order and touches nothing else. */
		release(t, e);
		pop_head(t);
		n++;
	}
	return n;
}

uint64_t synack_tw_table_last_deadline_ns(const struct synack_tw_table *t, uint64_t now_ns)
{
	for (uint32_t k = t->span; k > 0; k--) {
		uint32_t meta = t->ent[synack_tw_table_slot(t, t->head, k - 1)].meta;
		if (meta)
			return synack_tw_deadline_ns(meta, now_ns);
	}
	return 0;
}
