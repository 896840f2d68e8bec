/* ctab.c: insert and delete for the per-core tuple table (see ctab.h). */
#include <string.h>

#include "ctab.h"

static uint32_t nbuckets(uint32_t cap)
{
	/* At most 4 entries per 7-slot bucket: a bucket overflows rarely (Poisson(4) > 7: ~5 %). */
	uint64_t want = ((uint64_t)cap + 3) / 4, n = 1;
	while (n < want)
		n <<= 1;
	return (uint32_t)n;
}

size_t synack_ctab_mem_size(uint32_t cap) { return (size_t)nbuckets(cap) * sizeof(struct synack_ctab_bucket); }

void synack_ctab_init(struct synack_ctab *t, void *mem, uint32_t cap, const void *keys, size_t stride,
		      const uint8_t key[16])
{
	memset(t, 0, sizeof(*t));
	t->b = mem;
	t->mask = nbuckets(cap) - 1;
	t->cap = cap;
	t->keys = keys;
	t->stride = stride;
	memcpy(t->k, key, sizeof(t->k));
}

int synack_ctab_insert(struct synack_ctab *t, const struct synack_tuple *k, uint32_t idx)
{
	return synack_ctab_insert_h(t, idx, synack_ctab_hash(t, k), NULL);
}

int synack_ctab_insert_h(struct synack_ctab *t, uint32_t idx, uint64_t h, uint32_t *at)
{
	if (t->count >= t->cap)
		return -1;
	uint32_t bi = (uint32_t)h & t->mask, tag = synack_ctab_tag(h);
	/* count < cap <= 4/7 of the slots: a free slot exists, so this loop ends. */
	for (;;) {
		struct synack_ctab_bucket *b = &t->b[bi];
		for (unsigned i = 0; i < SYNACK_CTAB_WAYS; i++) {
			if (b->tag[i] == 0) {
				b->idx[i] = idx;
				b->tag[i] = tag;
				t->count++;
				if (at) {
					uint32_t walked = (bi - ((uint32_t)h & t->mask)) & t->mask;
					*at = walked < 7 && bi < (1u << 26) ? bi << 6 | walked << 3 | i
									    : SYNACK_CTAB_AT_NONE;
				}
				return 0;
			}
		}
		b->passed++;
		bi = (bi + 1) & t->mask;
	}
}

/* Frees way i of bucket bi, whose entry's home is bucket home: the buckets between no longer have
 * it past them. */
static void slot_clear(struct synack_ctab *t, uint32_t home, uint32_t bi, unsigned i)
{
	t->b[bi].tag[i] = 0;
	for (uint32_t j = home; j != bi; j = (j + 1) & t->mask)
		t->b[j].passed--;
	t->count--;
}

int synack_ctab_delete(struct synack_ctab *t, const struct synack_tuple *k, uint32_t idx)
{
	uint64_t h = synack_ctab_hash(t, k);
	uint32_t home = (uint32_t)h & t->mask, bi = home, tag = synack_ctab_tag(h);
	for (;;) {
		struct synack_ctab_bucket *b = &t->b[bi];
		for (unsigned m = synack_ctab_match(b, tag); m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctz(m);
			if (b->idx[i] != idx)
				continue;
			slot_clear(t, home, bi, i);
			return 0;
		}
		if (!b->passed)
			return -1;
		bi = (bi + 1) & t->mask;
	}
}

int synack_ctab_delete_at(struct synack_ctab *t, uint32_t at, const struct synack_tuple *k, uint32_t idx)
{
	if (at == SYNACK_CTAB_AT_NONE)
		return synack_ctab_delete(t, k, idx);
	uint32_t bi = at >> 6;
	slot_clear(t, (bi - (at >> 3 & 7)) & t->mask, bi, at & 7);
	return 0;
}

uint32_t synack_ctab_max_probe(const struct synack_ctab *t)
{
	uint32_t best = 0;
	for (uint32_t i = 0; i <= t->mask; i++) {
		uint32_t run = 1;
		for (uint32_t j = i; t->b[j].passed && run <= t->mask; j = (j + 1) & t->mask)
			run++;
		if (run > best)
			best = run;
	}
	return best;
}
