/* tw_table.c: the TIME-WAIT table (see tw_table.h). */
#include <string.h>

#include "tw_table.h"

#define NIL UINT32_MAX

/* The FIFO links live in the entry's 64-bit link word: next in the low half, prev in the high. */
static inline uint32_t nxt(const struct synack_tw *e) { return (uint32_t)e->link; }
static inline uint32_t prv(const struct synack_tw *e) { return (uint32_t)(e->link >> 32); }
static inline void set_link(struct synack_tw *e, uint32_t next, uint32_t prev)
{
	e->link = (uint64_t)prev << 32 | next;
}

size_t synack_tw_table_mem_size(uint32_t cap)
{
	return synack_ctab_mem_size(cap) + (size_t)cap * sizeof(struct synack_tw) + (size_t)cap * sizeof(uint32_t);
}

void synack_tw_table_init(struct synack_tw_table *t, void *mem, uint32_t cap, const uint8_t key[16])
{
	memset(t, 0, sizeof(*t));
	uint8_t *m = mem;
	void *buckets = m;
	m += synack_ctab_mem_size(cap);
	t->ent = (struct synack_tw *)(void *)m;
	m += (size_t)cap * sizeof(struct synack_tw);
	t->free_idx = (uint32_t *)(void *)m;
	synack_ctab_init(&t->tab, buckets, cap, &t->ent[0].tuple, sizeof(*t->ent), key);
	t->cap = cap;
	for (uint32_t i = 0; i < cap; i++)
		t->free_idx[i] = cap - 1 - i;
	t->nfree = cap;
	t->head = t->tail = NIL;
}

static void fifo_append(struct synack_tw_table *t, uint32_t i)
{
	set_link(&t->ent[i], NIL, t->tail);
	if (t->tail != NIL)
		set_link(&t->ent[t->tail], i, prv(&t->ent[t->tail]));
	else
		t->head = i;
	t->tail = i;
}

static void fifo_unlink(struct synack_tw_table *t, uint32_t i)
{
	struct synack_tw *e = &t->ent[i];
	uint32_t n = nxt(e), p = prv(e);
	if (p != NIL)
		set_link(&t->ent[p], n, prv(&t->ent[p]));
	else
		t->head = n;
	if (n != NIL)
		set_link(&t->ent[n], nxt(&t->ent[n]), p);
	else
		t->tail = p;
}

struct synack_tw *synack_tw_table_insert(struct synack_tw_table *t, const struct synack_tcb *tcb, uint64_t expire_ns)
{
	if (t->nfree == 0)
		return NULL;
	uint32_t i = t->free_idx[--t->nfree];
	struct synack_tw *e = &t->ent[i];
	synack_tw_pack(tcb, expire_ns, e);
	/* Cannot fail: the table holds exactly the used entries, and a free one was just taken. */
	synack_ctab_insert(&t->tab, &e->tuple, i);
	fifo_append(t, i);
	t->used++;
	return e;
}

void synack_tw_table_remove(struct synack_tw_table *t, struct synack_tw *e)
{
	uint32_t i = (uint32_t)(e - t->ent);
	synack_ctab_delete(&t->tab, &e->tuple, i);
	fifo_unlink(t, i);
	/* expire_ns 0 marks the slot free for lock-free readers (synack_conn_foreach). */
	__atomic_store_n(&e->expire_ns, 0, __ATOMIC_RELEASE);
	t->free_idx[t->nfree++] = i;
	t->used--;
}

void synack_tw_table_touch(struct synack_tw_table *t, struct synack_tw *e, uint64_t expire_ns)
{
	uint32_t i = (uint32_t)(e - t->ent);
	fifo_unlink(t, i);
	e->expire_ns = expire_ns;
	fifo_append(t, i);
}

unsigned synack_tw_table_expire(struct synack_tw_table *t, uint64_t now_ns, unsigned budget)
{
	unsigned n = 0;
	while (n < budget && t->head != NIL && t->ent[t->head].expire_ns <= now_ns) {
		synack_tw_table_remove(t, &t->ent[t->head]);
		n++;
	}
	return n;
}
