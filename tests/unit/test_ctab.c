/* test_ctab.c: the per-core tuple table (lib/core/ctab.c). Random inserts, lookups and deletes (by
 * tuple, or at the position insert reported) are checked against a plain array model; a table driven to capacity keeps every entry findable and
 * refuses one more; chains of spilled buckets survive deletes from their middle; tuples that share
 * all but one field land in different buckets; two tables with different keys hash differently. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctab.h"

struct ent {
	struct synack_tuple t;
	uint32_t live;
	uint32_t at;
	uint8_t pad[8];
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct synack_ctab make(uint32_t cap, struct ent *ents, uint64_t seed)
{
	struct synack_ctab t;
	uint8_t key[16];
	for (unsigned i = 0; i < 16; i++)
		key[i] = (uint8_t)rnd(&seed);
	void *mem = aligned_alloc(64, synack_ctab_mem_size(cap));
	cr_assert_not_null(mem);
	memset(mem, 0, synack_ctab_mem_size(cap));
	synack_ctab_init(&t, mem, cap, &ents[0].t, sizeof(ents[0]), key);
	return t;
}

/* Tuples in 198.18.0.0/15, as the engine would see them. */
static struct synack_tuple tup(uint64_t *s)
{
	uint64_t r = rnd(s);
	return (struct synack_tuple){ 0xc6120000u | (uint32_t)(r & 0x1ffff), 0xc6120000u | (uint32_t)((r >> 17) & 0x1ffff),
				      (uint16_t)(r >> 34), (uint16_t)(r >> 50) };
}

Test(ctab, random_ops_match_model)
{
	enum { CAP = 4096 };
	static struct ent ents[CAP];
	memset(ents, 0, sizeof(ents));
	struct synack_ctab t = make(CAP, ents, 1);
	uint64_t s = 42;
	uint32_t live = 0;
	for (unsigned step = 0; step < 200000; step++) {
		uint32_t i = (uint32_t)(rnd(&s) % CAP);
		if (ents[i].live) {
			cr_assert_eq(synack_ctab_lookup(&t, &ents[i].t), i);
			uint64_t r = rnd(&s);
			if (r & 1) {
				/* Half by tuple, half at the position the insert gave (as the engine does). */
				if (r & 2)
					cr_assert_eq(synack_ctab_delete(&t, &ents[i].t, i), 0);
				else
					cr_assert_eq(synack_ctab_delete_at(&t, ents[i].at, &ents[i].t, i), 0);
				ents[i].live = 0;
				live--;
				cr_assert_eq(synack_ctab_lookup(&t, &ents[i].t), SYNACK_CTAB_NIL);
			}
		} else {
			struct synack_tuple k = tup(&s);
			/* A fresh tuple is absent unless some live entry already has it. */
			uint32_t found = synack_ctab_lookup(&t, &k);
			if (found != SYNACK_CTAB_NIL) {
				cr_assert(ents[found].live && synack_tuple_eq(&ents[found].t, &k));
				continue;
			}
			ents[i].t = k;
			ents[i].live = 1;
			cr_assert_eq(synack_ctab_insert_h(&t, i, synack_ctab_hash(&t, &k), &ents[i].at), 0);
			live++;
		}
		cr_assert_eq(t.count, live);
	}
	for (uint32_t i = 0; i < CAP; i++)
		cr_assert_eq(synack_ctab_lookup(&t, &ents[i].t), ents[i].live ? i : SYNACK_CTAB_NIL);
	/* Emptied at the stored positions, every bucket's passed count is zero again. */
	for (uint32_t i = 0; i < CAP; i++)
		if (ents[i].live)
			cr_assert_eq(synack_ctab_delete_at(&t, ents[i].at, &ents[i].t, i), 0);
	cr_assert_eq(t.count, 0);
	for (uint32_t b = 0; b <= t.mask; b++)
		cr_assert_eq(t.b[b].passed, 0, "bucket %u", b);
	free(t.b);
}

Test(ctab, full_table_finds_all_and_refuses_one_more)
{
	enum { CAP = 1000 };
	static struct ent ents[CAP + 1];
	struct synack_ctab t = make(CAP, ents, 7);
	uint64_t s = 9;
	for (uint32_t i = 0; i <= CAP; i++)
		ents[i].t = (struct synack_tuple){ 0xc6120001u, 0xc6130000u + i, (uint16_t)(10000 + (rnd(&s) & 0x3fff)), 80 };
	for (uint32_t i = 0; i < CAP; i++)
		cr_assert_eq(synack_ctab_insert(&t, &ents[i].t, i), 0);
	cr_assert_eq(synack_ctab_insert(&t, &ents[CAP].t, CAP), -1, "a full table takes no more");
	for (uint32_t i = 0; i < CAP; i++)
		cr_assert_eq(synack_ctab_lookup(&t, &ents[i].t), i);
	/* Empty it in another order: every bucket's passed count goes back to zero. */
	for (uint32_t i = 0; i < CAP; i++) {
		uint32_t j = (i * 7919u) % CAP;
		cr_assert_eq(synack_ctab_delete(&t, &ents[j].t, j), 0);
	}
	cr_assert_eq(t.count, 0);
	for (uint32_t b = 0; b <= t.mask; b++)
		cr_assert_eq(t.b[b].passed, 0, "bucket %u", b);
	cr_assert_eq(synack_ctab_delete(&t, &ents[0].t, 0), -1, "deleting what is not there fails");
	free(t.b);
}

Test(ctab, spilled_chain_survives_middle_deletes)
{
	/* A tiny table (4 buckets): 16 entries force spills past full buckets. */
	enum { CAP = 16 };
	static struct ent ents[CAP];
	struct synack_ctab t = make(CAP, ents, 3);
	for (uint32_t i = 0; i < CAP; i++) {
		ents[i].t = (struct synack_tuple){ 0xc6120001u, 0xc6120002u, (uint16_t)(20000 + i), 443 };
		cr_assert_eq(synack_ctab_insert(&t, &ents[i].t, i), 0);
	}
	for (uint32_t i = 0; i < CAP; i += 3)
		cr_assert_eq(synack_ctab_delete(&t, &ents[i].t, i), 0);
	for (uint32_t i = 0; i < CAP; i++)
		cr_assert_eq(synack_ctab_lookup(&t, &ents[i].t), i % 3 ? i : SYNACK_CTAB_NIL);
	cr_assert_leq(synack_ctab_max_probe(&t), t.mask + 1);
	free(t.b);
}

/* Entries that all hash to one bucket: the 50th walks past seven full ones, its position does not
 * fit in 32 bits, and deleting it falls back to the search. Every position deletes right. */
Test(ctab, long_walks_fall_back_to_the_search)
{
	enum { CAP = 64, N = 50 };
	static struct ent ents[CAP];
	struct synack_ctab t = make(CAP, ents, 11);
	uint64_t s = 5;
	uint32_t home = UINT32_MAX, n = 0, none = 0;
	while (n < N) {
		struct synack_tuple k = tup(&s);
		uint64_t h = synack_ctab_hash(&t, &k);
		if (home == UINT32_MAX)
			home = (uint32_t)h & t.mask;
		if (((uint32_t)h & t.mask) != home || synack_ctab_lookup(&t, &k) != SYNACK_CTAB_NIL)
			continue;
		ents[n].t = k;
		cr_assert_eq(synack_ctab_insert_h(&t, n, h, &ents[n].at), 0);
		none += ents[n].at == SYNACK_CTAB_AT_NONE;
		n++;
	}
	cr_assert_eq(none, N - 49, "the first 49 fit in seven buckets; %u did not", none);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t j = (i * 17u) % N;
		cr_assert_eq(synack_ctab_delete_at(&t, ents[j].at, &ents[j].t, j), 0);
		cr_assert_eq(synack_ctab_lookup(&t, &ents[j].t), SYNACK_CTAB_NIL);
	}
	cr_assert_eq(t.count, 0);
	for (uint32_t b = 0; b <= t.mask; b++)
		cr_assert_eq(t.b[b].passed, 0, "bucket %u", b);
	free(t.b);
}

Test(ctab, keyed_hash)
{
	static struct ent ents[1];
	struct synack_ctab a = make(64, ents, 100), b = make(64, ents, 200);
	struct synack_tuple k = { 0xc6120001u, 0xc6120002u, 40000, 80 };
	cr_assert_neq(synack_ctab_hash(&a, &k), synack_ctab_hash(&b, &k), "the key changes the hash");
	/* Neighbouring ports spread over buckets rather than piling into one. */
	unsigned used[64] = { 0 }, distinct = 0;
	for (uint16_t p = 0; p < 64; p++) {
		k.lport = (uint16_t)(40000 + p);
		used[synack_ctab_hash(&a, &k) & 63]++;
	}
	for (unsigned i = 0; i < 64; i++)
		distinct += used[i] != 0;
	cr_assert_gt(distinct, 32, "64 neighbouring ports hit %u of 64 bucket indices", distinct);
	free(a.b);
	free(b.b);
}
