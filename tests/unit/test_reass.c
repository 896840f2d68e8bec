/* test_reass.c: the out-of-order queue's store (lib/tcp/reass.h) on plain memory: gaps filled
 * around what is held, copies counted and not held twice, the bounds, the SACK blocks' order, the
 * FIN, sequence numbers across 2^32, and every slot back on the free list. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/reass.h"

static struct synack_reass r;
static void *mem;
static uint8_t bytes[20000];
static unsigned bad;     /* checks failed inside loops (Criterion's per-assert cost stays out of them) */

static void setup_n(uint32_t n, uint32_t per_conn)
{
	free(mem);
	mem = aligned_alloc(64, (synack_reass_mem(n) + 63) & ~(size_t)63);
	synack_reass_init(&r, mem, n, per_conn);
	for (unsigned i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 31 + (i >> 7));
}

/* Puts [off, off + len) of bytes at base + off. */
static struct synack_reass_put put(uint32_t *head, uint32_t base, uint32_t off, uint32_t len, int fin)
{
	return synack_reass_insert(&r, head, base + off, bytes + off, len, fin);
}

/* Delivers everything ready from rcv_nxt on, checking each byte; returns the new rcv_nxt. */
static uint32_t drain(uint32_t *head, uint32_t base, uint32_t rcv_nxt, int *fin)
{
	struct synack_reass_slot *h;
	while ((h = synack_reass_ready(&r, *head, rcv_nxt)) != NULL) {
		uint32_t skip = rcv_nxt - h->seq;
		if (skip < h->len) {
			bad += memcmp(h->data + skip, bytes + (rcv_nxt - base), h->len - skip) != 0;
			rcv_nxt = h->seq + h->len;
		}
		if (h->fin)
			*fin = 1;
		synack_reass_pop(&r, head);
	}
	synack_reass_release(&r);
	return rcv_nxt;
}

static void check_sorted_disjoint(uint32_t head)
{
	const struct synack_reass_slot *prev = NULL;
	for (uint32_t l = head; l; l = r.slot[l - 1].next) {
		const struct synack_reass_slot *s = &r.slot[l - 1];
		bad += s->len == 0;
		if (prev)
			bad += (int32_t)(s->seq - (prev->seq + prev->len)) < 0; /* overlap, or out of order */
		prev = s;
	}
}

static void bases(void (*fn)(uint32_t))
{
	fn(1000);
	fn(0xffffff00u); /* the queue spans 2^32 */
}

static void gaps_body(uint32_t base)
{
	setup_n(64, 64);
	bad = 0;
	uint32_t head = 0;
	/* Held: [3000, 4000) and [6000, 7000); then [2500, 7500) fills the gaps only. */
	cr_assert_eq(put(&head, base, 3000, 1000, 0).kept, 1000);
	cr_assert_eq(put(&head, base, 6000, 1000, 0).kept, 1000);
	struct synack_reass_put q = put(&head, base, 2500, 5000, 0);
	cr_assert_eq(q.kept, 3000);
	cr_assert_eq(q.dup, 2000);
	cr_assert_eq(q.dropped, 0);
	check_sorted_disjoint(head);
	/* A copy of held bytes adds nothing. */
	q = put(&head, base, 3500, 2000, 0);
	cr_assert_eq(q.kept, 0);
	cr_assert_eq(q.dup, 2000);
	cr_assert_null(synack_reass_ready(&r, head, base + 2000), "a hole before 2500");
	int fin = 0;
	uint32_t nxt = drain(&head, base, base + 2500, &fin);
	cr_assert_eq(nxt, base + 7500);
	cr_assert_eq(head, 0);
	cr_assert_eq(r.nfree, 64);
	cr_assert_eq(bad, 0);
	(void)fin;
}
Test(reass, gaps_are_filled_around_what_is_held) { bases(gaps_body); }

static void overlap_delivered_body(uint32_t base)
{
	setup_n(64, 64);
	uint32_t head = 0;
	put(&head, base, 1000, 1000, 0);
	/* RCV.NXT moved to 1500 by an in-order segment that covered half the slot: the rest only. */
	int fin = 0;
	uint32_t nxt = drain(&head, base, base + 1500, &fin);
	cr_assert_eq(nxt, base + 2000);
	cr_assert_eq(r.nfree, 64);
}
Test(reass, a_slot_partly_delivered_gives_its_rest) { bases(overlap_delivered_body); }

static void large_body(uint32_t base)
{
	setup_n(64, 64);
	uint32_t head = 0;
	/* A 9000-byte (jumbo) segment takes five slots. */
	cr_assert_eq(put(&head, base, 100, 9000, 1).kept, 9000);
	cr_assert_eq(synack_reass_count(&r, head), 5);
	uint32_t bl[4][2];
	cr_assert_eq(synack_reass_blocks(&r, head, bl, 4), 1, "contiguous slots are one block");
	cr_assert_eq(bl[0][0], base + 100);
	cr_assert_eq(bl[0][1], base + 9100);
	int fin = 0;
	cr_assert_eq(drain(&head, base, base + 100, &fin), base + 9100);
	cr_assert(fin, "the FIN after the last byte was kept");
}
Test(reass, a_large_segment_spans_slots_and_keeps_its_fin) { bases(large_body); }

static void bounds_body(uint32_t base)
{
	setup_n(64, 3);
	uint32_t head = 0, head2 = 0;
	cr_assert_eq(put(&head, base, 1000, 1000, 0).kept, 1000);
	cr_assert_eq(put(&head, base, 3000, 1000, 0).kept, 1000);
	cr_assert_eq(put(&head, base, 5000, 1000, 0).kept, 1000);
	struct synack_reass_put q = put(&head, base, 7000, 1000, 1);
	cr_assert_eq(q.kept, 0);
	cr_assert_eq(q.dropped, 1000, "the connection's bound");
	/* Per core: a store of 4 slots, 3 taken: the other connection gets one. */
	setup_n(4, 3);
	head = 0;
	put(&head, base, 1000, 1000, 0);
	put(&head, base, 3000, 1000, 0);
	put(&head, base, 5000, 1000, 0);
	q = put(&head2, base, 1000, 3000, 0);
	cr_assert_eq(q.kept, 2032, "one slot left in the store");
	cr_assert_eq(q.dropped, 3000 - 2032);
	cr_assert_eq(synack_reass_drop(&r, &head), 3);
	cr_assert_eq(synack_reass_drop(&r, &head2), 1);
	cr_assert_eq(r.nfree, 4);
}
Test(reass, bounds_per_connection_and_per_core) { bases(bounds_body); }

static void blocks_body(uint32_t base)
{
	setup_n(64, 64);
	uint32_t head = 0;
	put(&head, base, 1000, 500, 0);
	put(&head, base, 3000, 500, 0);
	put(&head, base, 5000, 500, 0);
	put(&head, base, 7000, 500, 0);
	put(&head, base, 9000, 500, 0);
	/* The newest arrival extends the 3000 block: it goes first, then the newest others. */
	put(&head, base, 3500, 500, 0);
	uint32_t bl[4][2];
	unsigned n = synack_reass_blocks(&r, head, bl, 4);
	cr_assert_eq(n, 4);
	cr_assert_eq(bl[0][0], base + 3000);
	cr_assert_eq(bl[0][1], base + 4000);
	cr_assert_eq(bl[1][0], base + 9000);
	cr_assert_eq(bl[2][0], base + 7000);
	cr_assert_eq(bl[3][0], base + 5000);
	/* A copy of old bytes makes them the most recent (the segment that triggered the ACK). */
	put(&head, base, 1000, 500, 0);
	n = synack_reass_blocks(&r, head, bl, 3);
	cr_assert_eq(n, 3);
	cr_assert_eq(bl[0][0], base + 1000);
	synack_reass_drop(&r, &head);
	cr_assert_eq(r.nfree, 64);
}
Test(reass, sack_blocks_most_recent_first) { bases(blocks_body); }

static void long_queue_body(uint32_t base)
{
	/* A window of a megabyte past a hole: up to SYNACK_REASS_CONN_MAX slots, one run each; the
	 * blocks are still the newest runs, whatever the queue's length. */
	setup_n(SYNACK_REASS_CONN_MAX + 8, SYNACK_REASS_CONN_MAX);
	static uint8_t seg[100];
	uint32_t head = 0;
	for (uint32_t i = 0; i < SYNACK_REASS_CONN_MAX; i++)
		bad += synack_reass_insert(&r, &head, base + 1000 + i * 200, seg, 100, 0).kept != 100;
	cr_assert_eq(bad, 0);
	cr_assert_eq(synack_reass_count(&r, head), SYNACK_REASS_CONN_MAX);
	cr_assert_eq(synack_reass_insert(&r, &head, base + 1000 + SYNACK_REASS_CONN_MAX * 200, seg, 100, 0).dropped,
		     100, "the connection's bound");
	uint32_t bl[4][2];
	cr_assert_eq(synack_reass_blocks(&r, head, bl, 4), 4);
	for (uint32_t k = 0; k < 4; k++)
		cr_assert_eq(bl[k][0], base + 1000 + (SYNACK_REASS_CONN_MAX - 1 - k) * 200, "block %u", k);
	/* An old run seen again leads; the rest keep their order. */
	synack_reass_insert(&r, &head, base + 1000 + 10 * 200, seg, 100, 0);
	cr_assert_eq(synack_reass_blocks(&r, head, bl, 3), 3);
	cr_assert_eq(bl[0][0], base + 1000 + 10 * 200);
	cr_assert_eq(bl[0][1], base + 1100 + 10 * 200);
	cr_assert_eq(bl[1][0], base + 1000 + (SYNACK_REASS_CONN_MAX - 1) * 200);
	cr_assert_eq(bl[2][0], base + 1000 + (SYNACK_REASS_CONN_MAX - 2) * 200);
	cr_assert_eq(synack_reass_drop(&r, &head), SYNACK_REASS_CONN_MAX);
	cr_assert_eq(r.nfree, SYNACK_REASS_CONN_MAX + 8);
}
Test(reass, a_long_queue_gives_its_newest_blocks) { bases(long_queue_body); }

static void random_body(uint32_t base)
{
	/* Random segments of a 20000-byte stream, delivered as RCV.NXT reaches them: every byte
	 * once, in order, whatever the arrival order and overlaps. */
	setup_n(256, 64);
	bad = 0;
	srand(7);
	for (int round = 0; round < 200; round++) {
		uint32_t head = 0, nxt = base;
		int fin = 0;
		while (nxt != (uint32_t)(base + sizeof(bytes))) {
			/* From a little before RCV.NXT to a window's worth past it. */
			uint32_t lo = nxt - base > 3000 ? nxt - base - 3000 : 0;
			uint32_t off = lo + (uint32_t)rand() % 24000, len = 1 + (uint32_t)rand() % 3000;
			if (off >= sizeof(bytes))
				continue;
			if (off + len > sizeof(bytes))
				len = (uint32_t)sizeof(bytes) - off;
			if ((int32_t)(base + off - nxt) <= 0) {
				/* In order (or overlapping RCV.NXT): taken at once, as the core does. */
				if ((int32_t)(base + off + len - nxt) > 0)
					nxt = base + off + len;
				nxt = drain(&head, base, nxt, &fin);
			} else {
				put(&head, base, off, len, 0);
				check_sorted_disjoint(head);
			}
		}
		synack_reass_drop(&r, &head);
		bad += r.nfree != 256;
	}
	cr_assert_eq(bad, 0);
}
Test(reass, random_arrivals_deliver_every_byte_once) { bases(random_body); }
