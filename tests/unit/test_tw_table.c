/* test_tw_table.c: the TIME-WAIT ring (lib/core/tw_table.c). Random inserts, early removals, FIN
 * retransmissions (touch) and reaping are checked against a plain model: every live entry stays
 * findable with its fields, none is reaped before its deadline or more than one tick after it, and
 * the count is exact. A full ring puts an insert into a slot an early removal freed inside it,
 * else refuses it until its head frees or its oldest is ended early; a touch on a full ring keeps
 * the entry until its new deadline; reaping leaves the hash
 * buckets untouched. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/tw_table.h"

#define TICK (1ull << SYNACK_TW_TICK_SHIFT)

static struct synack_tw_table make(uint32_t cap)
{
	struct synack_tw_table t;
	static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	size_t n = synack_tw_table_mem_size(cap);
	void *mem = aligned_alloc(64, (n + 63) & ~(size_t)63);
	cr_assert_not_null(mem);
	memset(mem, 0, n);
	synack_tw_table_init(&t, mem, cap, key);
	return t;
}

static struct synack_tcb tcb_for(uint32_t i)
{
	struct synack_tcb c;
	memset(&c, 0, sizeof(c));
	c.tuple.laddr = 0xc6120001u;                       /* 198.18.0.1 */
	c.tuple.raddr = 0xc6130000u | (i >> 16);           /* 198.19.x.y */
	c.tuple.lport = (uint16_t)(i + 1000);
	c.tuple.rport = (uint16_t)(i >> 8 | 0x8000);
	c.snd_nxt = 0x1000u + i;
	c.rcv_nxt = 0xfffffff0u + i;
	c.ts_recent = i * 7;
	c.ts_offset = i * 13;
	c.flags = SYNACK_TF_TS | (i & 1 ? SYNACK_TF_WSCALE : 0);
	c.rcv_wscale = i & 1 ? 7 : 0;
	c.state = SYNACK_TIME_WAIT;
	return c;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define N 3000u
struct model {
	bool live;
	bool late_ok;       /* touched on a full ring: may go late (tw_table.h), never early */
	uint64_t deadline;
};

Test(tw_table, random_against_model)
{
	const uint32_t cap = 256;
	const uint64_t msl2 = 200 * TICK;
	struct synack_tw_table t = make(cap);
	static struct model m[N];
	memset(m, 0, sizeof(m));
	uint64_t seed = 42, now = 5 * TICK, live = 0, refused = 0, moved = 0, filled = 0;
	for (unsigned step = 0; step < 200000; step++) {
		uint32_t i = (uint32_t)(rnd(&seed) % N);
		struct synack_tcb c = tcb_for(i);
		struct synack_tw *e = synack_tw_table_lookup(&t, &c.tuple);
		cr_assert_eq(e != NULL, m[i].live, "step %u: entry %u found %d, model %d", step, i, e != NULL, m[i].live);
		unsigned op = (unsigned)(rnd(&seed) % 10);
		if (!e && op < 6) {
			uint32_t holes = t.nholes;
			e = synack_tw_table_insert(&t, &c, now + msl2);
			if (e) {
				m[i].live = true;
				m[i].deadline = now + msl2;
				/* Put into a hole of a full ring: may go late, never early. */
				m[i].late_ok = (e->meta & SYNACK_TW_MOVED) != 0;
				filled += m[i].late_ok;
				live++;
			} else {
				cr_assert_eq(t.span, cap, "refused with room");
				/* Every remembered free slot was tried (some are taken again since). */
				cr_assert(t.used == cap || t.nholes == 0, "refused with %u of %u free slots untried",
					  t.nholes, holes);
				refused++;
			}
		} else if (e && op < 7) {
			synack_tw_table_remove(&t, e);
			m[i].live = false;
			live--;
		} else if (e && op < 8) {
			e = synack_tw_table_touch(&t, e, now + msl2);
			moved += (e->meta & SYNACK_TW_MOVED) != 0;
			m[i].late_ok |= (e->meta & SYNACK_TW_MOVED) != 0;
			m[i].deadline = now + msl2;
			cr_assert(synack_tuple_eq(&e->tuple, &c.tuple));
		} else if (e) {
			/* Fields survive moves: unpack gives back what TIME-WAIT needs. */
			struct synack_tcb u;
			synack_tw_unpack(e, 65535, &u);
			cr_assert_eq(u.snd_nxt, c.snd_nxt);
			cr_assert_eq(u.rcv_nxt, c.rcv_nxt);
			cr_assert_eq(u.ts_recent, c.ts_recent);
			cr_assert_eq(u.ts_offset, c.ts_offset);
			cr_assert_eq(u.flags & (SYNACK_TF_TS | SYNACK_TF_WSCALE), c.flags);
			cr_assert_eq(u.rcv_wscale, c.rcv_wscale);
			cr_assert_eq(u.state, SYNACK_TIME_WAIT);
		}
		now += rnd(&seed) % (TICK / 2);
		synack_tw_table_expire(&t, now, 1000000);
		/* Whatever the model still holds past its deadline by more than a tick must be gone,
		 * and nothing before its deadline may be: checked on a sample. */
		for (unsigned k = 0; k < 8; k++) {
			uint32_t j = (uint32_t)(rnd(&seed) % N);
			if (!m[j].live)
				continue;
			struct synack_tcb cj = tcb_for(j);
			bool found = synack_tw_table_lookup(&t, &cj.tuple) != NULL;
			if (now < m[j].deadline)
				cr_assert(found, "entry %u reaped %llu ns early", j, (unsigned long long)(m[j].deadline - now));
			else if (now >= m[j].deadline + TICK && !m[j].late_ok)
				cr_assert(!found, "entry %u kept %llu ns late", j, (unsigned long long)(now - m[j].deadline));
			if (!found) {
				m[j].live = false;
				live--;
			}
		}
		/* Sync the model with reaped entries before counting again. */
		for (uint32_t j = 0; j < N && t.used != live; j++) {
			if (!m[j].live)
				continue;
			struct synack_tcb cj = tcb_for(j);
			if (!synack_tw_table_lookup(&t, &cj.tuple)) {
				cr_assert_geq(now, m[j].deadline, "entry %u reaped early", j);
				m[j].live = false;
				live--;
			}
		}
		cr_assert_eq(t.used, live);
	}
	/* Every full-ring path ran. */
	cr_assert_gt(refused, 0u);
	cr_assert_gt(moved, 0u);
	cr_assert_gt(filled, 0u);
	free(t.tab.b);
}

/* A table of cap entries, full: entry i (tcb_for(i)) expires at deadline + i * step. */
static struct synack_tw_table full_table(uint32_t cap, uint64_t deadline, uint64_t step)
{
	struct synack_tw_table t = make(cap);
	for (uint32_t i = 0; i < cap; i++) {
		struct synack_tcb c = tcb_for(i);
		cr_assert_not_null(synack_tw_table_insert(&t, &c, deadline + i * step));
	}
	return t;
}

Test(tw_table, full_ring_refuses_until_the_head_frees)
{
	const uint32_t cap = 64;
	uint64_t now = TICK;
	struct synack_tw_table t = full_table(cap, now + 100 * TICK, TICK);
	struct synack_tcb extra = tcb_for(1000);
	cr_assert_null(synack_tw_table_insert(&t, &extra, now + 200 * TICK));
	/* Removing one from the middle frees a slot inside the ring: the next insert takes it (it
	 * used to be refused while the ring had that room), and stays findable. */
	struct synack_tcb mid = tcb_for(30);
	synack_tw_table_remove(&t, synack_tw_table_lookup(&t, &mid.tuple));
	cr_assert_not_null(synack_tw_table_insert(&t, &extra, now + 200 * TICK));
	cr_assert_eq(t.used, cap);
	cr_assert_not_null(synack_tw_table_lookup(&t, &extra.tuple));
	for (uint32_t i = 0; i < cap; i++) {
		struct synack_tcb c = tcb_for(i);
		cr_assert_eq(synack_tw_table_lookup(&t, &c.tuple) != NULL, i != 30, "entry %u", i);
	}
	/* Now full with no room: refused. Removing the oldest frees the head: accepted. */
	struct synack_tcb extra2 = tcb_for(1001);
	cr_assert_null(synack_tw_table_insert(&t, &extra2, now + 200 * TICK));
	struct synack_tcb first = tcb_for(0);
	synack_tw_table_remove(&t, synack_tw_table_lookup(&t, &first.tuple));
	cr_assert_not_null(synack_tw_table_insert(&t, &extra2, now + 200 * TICK));
	cr_assert_eq(t.used, cap);
	/* Nothing expires before its deadline: the one in the hole outlives its neighbours (it is
	 * requeued at the tail when the head reaches it), and goes at its own deadline. */
	cr_assert_eq(synack_tw_table_expire(&t, now + 100 * TICK, 1000), 0u);
	cr_assert_eq(synack_tw_table_expire(&t, now + 199 * TICK, 1000), cap - 2);
	cr_assert_not_null(synack_tw_table_lookup(&t, &extra.tuple), "the hole's entry went early");
	cr_assert_not_null(synack_tw_table_lookup(&t, &extra2.tuple));
	cr_assert_eq(synack_tw_table_expire(&t, now + 201 * TICK, 1000), 2u);
	cr_assert_eq(t.used, 0u);
	cr_assert_eq(t.span, 0u);
	free(t.tab.b);
}

Test(tw_table, touch_on_a_full_ring_keeps_the_new_deadline)
{
	const uint32_t cap = 64;
	uint64_t now = TICK;
	struct synack_tw_table t = full_table(cap, now + 100 * TICK, 0);
	/* The oldest entry's FIN comes again at now + 50 ticks: 2 x MSL restarts from there. */
	struct synack_tcb first = tcb_for(0);
	struct synack_tw *e = synack_tw_table_touch(&t, synack_tw_table_lookup(&t, &first.tuple), now + 150 * TICK);
	cr_assert_not_null(e);
	/* At the others' deadline, 63 go and the touched one stays. */
	cr_assert_eq(synack_tw_table_expire(&t, now + 101 * TICK, 1000), cap - 1);
	cr_assert_not_null(synack_tw_table_lookup(&t, &first.tuple));
	cr_assert_eq(synack_tw_table_expire(&t, now + 149 * TICK, 1000), 0u);
	cr_assert_eq(synack_tw_table_expire(&t, now + 151 * TICK, 1000), 1u);
	cr_assert_null(synack_tw_table_lookup(&t, &first.tuple));
	free(t.tab.b);
}

/* A full table makes room by ending its oldest entry early: the oldest goes (removed early ones
 * at the head are stepped over, a touched one too if it is the oldest), every other entry stays
 * findable, the new one is accepted, the count is exact; an empty table has nothing to end. */
Test(tw_table, evicting_the_oldest_makes_room)
{
	const uint32_t cap = 64;
	uint64_t now = TICK;
	struct synack_tw_table t = full_table(cap, now + 100 * TICK, TICK);
	struct synack_tcb first = tcb_for(0), second = tcb_for(1), third = tcb_for(2), extra = tcb_for(1000);
	/* The oldest removed early: its free slot is stepped over, the next oldest goes. */
	synack_tw_table_remove(&t, synack_tw_table_lookup(&t, &first.tuple));
	cr_assert_eq(synack_tw_table_evict_oldest(&t), 0);
	cr_assert_null(synack_tw_table_lookup(&t, &second.tuple));
	cr_assert_eq(t.used, cap - 2);
	cr_assert_not_null(synack_tw_table_insert(&t, &extra, now + 200 * TICK));
	cr_assert_not_null(synack_tw_table_lookup(&t, &extra.tuple));
	for (uint32_t i = 2; i < cap; i++) {
		struct synack_tcb c = tcb_for(i);
		cr_assert_not_null(synack_tw_table_lookup(&t, &c.tuple), "entry %u", i);
	}
	/* (Removing the head had made room for one more already.) Full again: */
	struct synack_tcb extra2 = tcb_for(1001), extra3 = tcb_for(1002);
	cr_assert_not_null(synack_tw_table_insert(&t, &extra2, now + 200 * TICK));
	cr_assert_null(synack_tw_table_insert(&t, &extra3, now + 200 * TICK));
	/* The oldest touched on the full ring (MOVED in place) is still the one that goes. */
	synack_tw_table_touch(&t, synack_tw_table_lookup(&t, &third.tuple), now + 300 * TICK);
	cr_assert_eq(synack_tw_table_evict_oldest(&t), 0);
	cr_assert_null(synack_tw_table_lookup(&t, &third.tuple));
	cr_assert_eq(t.used, cap - 1);
	/* The rest expire at their deadlines, none early: 61 old ones, then the two new ones. */
	cr_assert_eq(synack_tw_table_expire(&t, now + 99 * TICK, 1000), 0u);
	cr_assert_eq(synack_tw_table_expire(&t, now + 170 * TICK, 1000), cap - 3);
	cr_assert_eq(synack_tw_table_expire(&t, now + 201 * TICK, 1000), 2u);
	cr_assert_eq(t.used, 0u);
	cr_assert_eq(synack_tw_table_evict_oldest(&t), -1);
	free(t.tab.b);
}

/* Reaping reads the ring and nothing else: the hash buckets are byte for byte the same after
 * every entry has expired (a reaped entry's slot is free because the head has passed it), and a
 * second lap of the ring then reuses those slots: every new entry is found, no old one is. */
Test(tw_table, reaping_leaves_the_buckets_alone)
{
	const uint32_t cap = 256;
	uint64_t now = TICK;
	struct synack_tw_table t = full_table(cap, now + 100 * TICK, 0);
	size_t nb = synack_ctab_mem_size(cap);
	uint8_t *before = malloc(nb);
	cr_assert_not_null(before);
	memcpy(before, t.tab.b, nb);
	cr_assert_eq(synack_tw_table_expire(&t, now + 101 * TICK, 1000000), cap);
	cr_assert(memcmp(before, t.tab.b, nb) == 0, "reaping wrote into the buckets");
	for (uint32_t i = 0; i < cap; i++) {
		struct synack_tcb c = tcb_for(cap + i);
		cr_assert_not_null(synack_tw_table_insert(&t, &c, now + 300 * TICK));
	}
	for (uint32_t i = 0; i < 2 * cap; i++) {
		struct synack_tcb c = tcb_for(i);
		cr_assert_eq(synack_tw_table_lookup(&t, &c.tuple) != NULL, i >= cap, "entry %u", i);
	}
	free(before);
	free(t.tab.b);
}

Test(tw_table, deadline_ticks_wrap)
{
	/* Deadlines near the 24-bit tick wrap still compare by their distance. */
	uint64_t base = (uint64_t)SYNACK_TW_TICK_MASK << SYNACK_TW_TICK_SHIFT;
	for (uint64_t now = base - 10 * TICK; now < base + 10 * TICK; now += TICK / 3) {
		uint32_t meta = synack_tw_tick_ceil(now + 5 * TICK) << 8 | SYNACK_TW_LIVE;
		cr_assert_geq(synack_tw_ticks_left(meta, now), 5);
		cr_assert_leq(synack_tw_ticks_left(meta, now), 6);
		cr_assert_lt(synack_tw_ticks_left(meta, now + 7 * TICK), 0);
		uint64_t d = synack_tw_deadline_ns(meta, now);
		cr_assert(d >= now + 5 * TICK && d < now + 6 * TICK + TICK);
	}
}
