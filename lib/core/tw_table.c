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
	synack_ctab_init(&t->tab, m, cap, &t->ent[0].tuple, sizeof(*t->ent), key);
	t->cap = cap;
}

static inline uint32_t tail_slot(const struct synack_tw_table *t) { return synack_tw_table_slot(t, t->head, t->span); }

static inline void pop_head(struct synack_tw_table *t)
{
	t->head = synack_tw_table_slot(t, t->head, 1);
	if (--t->span == 0)
		t->head = 0;     /* empty: start again at the ring's first (already mapped) slots */
}

/* Steps the head over free slots (entries removed early or moved to the tail). */
static void skip_free(struct synack_tw_table *t)
{
	while (t->span && t->ent[t->head].meta == 0)
		pop_head(t);
}

struct synack_tw *synack_tw_table_insert(struct synack_tw_table *t, const struct synack_tcb *tcb, uint64_t expire_ns)
{
	if (t->span == t->cap) {
		skip_free(t);
		if (t->span == t->cap)
			return NULL;
	}
	uint32_t i = tail_slot(t);
	t->span++;
	struct synack_tw *e = &t->ent[i];
	synack_tw_pack(tcb, expire_ns, e);
	/* Cannot fail: the table holds at most cap live entries, and this slot was free. */
	synack_ctab_insert(&t->tab, &e->tuple, i);
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
	synack_ctab_delete(&t->tab, &e->tuple, (uint32_t)(e - t->ent));
	release(t, e);
	skip_free(t);
}

/* Copies e to the tail (the ring has a free slot there) and frees its old slot. */
static struct synack_tw *requeue(struct synack_tw_table *t, struct synack_tw *e)
{
	uint32_t from = (uint32_t)(e - t->ent), to = tail_slot(t);
	t->span++;
	if (from == to)
		return e;    /* the head of a ring with one free slot moving to its tail: the same slot */
	struct synack_tw *n = &t->ent[to];
	*n = *e;
	synack_ctab_delete(&t->tab, &e->tuple, from);
	synack_ctab_insert(&t->tab, &n->tuple, to);
	__atomic_store_n(&e->meta, 0, __ATOMIC_RELEASE);
	return n;
}

struct synack_tw *synack_tw_table_touch(struct synack_tw_table *t, struct synack_tw *e, uint64_t expire_ns)
{
	uint32_t meta = (e->meta & 0xffu) | synack_tw_tick_ceil(expire_ns) << 8;
	if (t->span == t->cap)
		skip_free(t);
	if (t->span < t->cap) {
		e->meta = meta & ~SYNACK_TW_MOVED;
		return requeue(t, e);
	}
	/* A ring full of live entries: the new deadline stays in place, marked, and the reaper
	 * requeues the entry when it reaches the head. It then expires late (by at most the time from
	 * this touch to its old deadline), never early. */
	e->meta = meta | SYNACK_TW_MOVED;
	return e;
}

/* The bucket of the entry SYNACK_TW_REAP_AHEAD places behind the head: in a table of millions
 * each reaped entry's bucket is a cache (and TLB) miss, so it is asked for that many reaps early.
 * The entries themselves are read in order. */
#define SYNACK_TW_REAP_AHEAD 8
static inline void prefetch_ahead(const struct synack_tw_table *t)
{
	if (t->span > SYNACK_TW_REAP_AHEAD) {
		const struct synack_tw *a = &t->ent[synack_tw_table_slot(t, t->head, SYNACK_TW_REAP_AHEAD)];
		synack_ctab_prefetch(&t->tab, synack_ctab_hash(&t->tab, &a->tuple));
	}
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
		if (meta & SYNACK_TW_MOVED) {
			/* Its deadline is later than its place: to the tail (the slot it leaves is the room). */
			e->meta = meta & ~SYNACK_TW_MOVED;
			uint32_t from = t->head;
			t->head = synack_tw_table_slot(t, t->head, 1);
			t->span--;
			requeue(t, &t->ent[from]);
			continue;
		}
		if (n == budget || synack_tw_ticks_left(meta, now_ns) > 0)
			break;
		synack_ctab_delete(&t->tab, &e->tuple, t->head);
		release(t, e);
		pop_head(t);
		prefetch_ahead(t);
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
