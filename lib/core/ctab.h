/* ctab.h: a core's map from 4-tuple to an index in an array of entries that hold the tuple (its
 * connections; the TIME-WAIT table keeps ring sequence numbers in the same buckets, with its own
 * insert and lookup: tw_table.c). Written by its own core only.
 *
 * Why not rte_hash: a hit there touches the bucket, then a separate key-store slot handed out
 * FIFO from a ring (cold by construction), and its CRC hash is unkeyed, so a peer that knows it
 * can fill one bucket chain on purpose. Here a bucket is one 64-byte line of 7 (tag, index) pairs;
 * the tuple is compared in the entry itself, which the caller is about to touch anyway, so a hit
 * costs the bucket line and a miss costs only that. The hash is NH (keyed per table with random
 * bits) followed by a 64-bit mixer: an attacker who does not know the key cannot aim tuples at a
 * bucket.
 *
 * A full bucket spills into the next one (linear probing by bucket); each bucket counts the
 * entries that passed over it, so a lookup stops at the first bucket with no such count and a
 * delete needs no tombstone. The table is sized to at most 4 of the 7 slots per bucket. */
#ifndef SYNACK_CORE_CTAB_H
#define SYNACK_CORE_CTAB_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "tcp/tcb.h"

#define SYNACK_CTAB_WAYS 7
#define SYNACK_CTAB_NIL  UINT32_MAX

struct synack_ctab_bucket {
	uint32_t tag[SYNACK_CTAB_WAYS];  /* 0: free slot */
	uint32_t passed;                 /* entries stored beyond this bucket that probed through it */
	uint32_t idx[SYNACK_CTAB_WAYS];
	uint32_t aux;                    /* unused by ctab; the TIME-WAIT table's "passed is set" */
};
_Static_assert(sizeof(struct synack_ctab_bucket) == 64, "a bucket is one cache line");

struct synack_ctab {
	struct synack_ctab_bucket *b;
	const uint8_t *keys;    /* entry i's tuple is at keys + i * stride */
	size_t stride;
	uint32_t mask;          /* buckets - 1 */
	uint32_t count, cap;
	uint32_t k[4];          /* NH key */
};

/* Where insert put an entry, in 32 bits: bucket << 6 | buckets walked past home << 3 | way.
 * Entries never move, so an owner that keeps this deletes without hashing or searching. A walk of
 * 7 or more buckets, or a table of 2^26 buckets or more, does not fit: SYNACK_CTAB_AT_NONE, and
 * the delete searches. */
#define SYNACK_CTAB_AT_NONE UINT32_MAX

/* Bytes of zeroed, 64-byte aligned memory a table of cap entries needs. */
size_t synack_ctab_mem_size(uint32_t cap);
/* mem: synack_ctab_mem_size(cap) zeroed bytes, 64-byte aligned. key: 16 random bytes. */
void synack_ctab_init(struct synack_ctab *t, void *mem, uint32_t cap, const void *keys, size_t stride,
		      const uint8_t key[16]);
/* -1 when the table holds cap entries already. The tuple must not be in the table. */
int synack_ctab_insert(struct synack_ctab *t, const struct synack_tuple *k, uint32_t idx);
/* The same, with h = synack_ctab_hash(t, k) already at hand; where it went in *at (see
 * SYNACK_CTAB_AT_NONE), when at is not NULL. */
int synack_ctab_insert_h(struct synack_ctab *t, uint32_t idx, uint64_t h, uint32_t *at);
/* Removes the entry idx stored under k; -1 if it is not there. */
int synack_ctab_delete(struct synack_ctab *t, const struct synack_tuple *k, uint32_t idx);
/* Removes the entry idx stored under k that insert put at at, straight there unless at is
 * SYNACK_CTAB_AT_NONE. */
int synack_ctab_delete_at(struct synack_ctab *t, uint32_t at, const struct synack_tuple *k, uint32_t idx);
/* The longest run of buckets a lookup would walk now (for tests and the console). */
uint32_t synack_ctab_max_probe(const struct synack_ctab *t);

static inline uint64_t synack_ctab_hash(const struct synack_ctab *t, const struct synack_tuple *k)
{
	/* NH (Black et al., UMAC): (m0 + k0)(m1 + k1) + (m2 + k2)(m3 + k3), 32-bit sums, 64-bit products. */
	uint64_t h = (uint64_t)(uint32_t)(k->laddr + t->k[0]) * (uint32_t)(k->raddr + t->k[1]) +
		     (uint64_t)(uint32_t)(((uint32_t)k->lport | (uint32_t)k->rport << 16) + t->k[2]) * (uint32_t)(t->k[3] | 1);
	/* NH's low bits are weak (a product's low bits see only its factors' low bits): mix. */
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static inline const struct synack_tuple *synack_ctab_key(const struct synack_ctab *t, uint32_t idx)
{
	return (const struct synack_tuple *)(const void *)(t->keys + (size_t)idx * t->stride);
}

static inline uint32_t synack_ctab_tag(uint64_t h) { return (uint32_t)(h >> 32) | 1u; }

static inline void synack_ctab_prefetch(const struct synack_ctab *t, uint64_t h)
{
	__builtin_prefetch(&t->b[(uint32_t)h & t->mask]);
}

/* Slots of b whose tag is tag, as a bit mask. */
static inline unsigned synack_ctab_match(const struct synack_ctab_bucket *b, uint32_t tag)
{
#if defined(__SSE2__)
	__m128i v = _mm_set1_epi32((int)tag);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(const void *)&b->tag[0]), v);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(const void *)&b->tag[4]), v);
	unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
		     (unsigned)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
	return m & 0x7f;  /* lane 7 is the passed count, not a tag */
#else
	unsigned m = 0;
	for (unsigned i = 0; i < SYNACK_CTAB_WAYS; i++)
		m |= (unsigned)(b->tag[i] == tag) << i;
	return m;
#endif
}

/* The index stored under k (h = synack_ctab_hash(t, k)), or SYNACK_CTAB_NIL. */
static inline uint32_t synack_ctab_lookup_h(const struct synack_ctab *t, const struct synack_tuple *k, uint64_t h)
{
	uint32_t bi = (uint32_t)h & t->mask, tag = synack_ctab_tag(h);
	for (;;) {
		const struct synack_ctab_bucket *b = &t->b[bi];
		for (unsigned m = synack_ctab_match(b, tag); m; m &= m - 1) {
			uint32_t idx = b->idx[__builtin_ctz(m)];
			if (synack_tuple_eq(synack_ctab_key(t, idx), k))
				return idx;
		}
		if (!b->passed)
			return SYNACK_CTAB_NIL;
		bi = (bi + 1) & t->mask;
	}
}

static inline uint32_t synack_ctab_lookup(const struct synack_ctab *t, const struct synack_tuple *k)
{
	return t->count ? synack_ctab_lookup_h(t, k, synack_ctab_hash(t, k)) : SYNACK_CTAB_NIL;
}

#endif
