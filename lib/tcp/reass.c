/* reass.c: the out-of-order queue's store (reass.h). A connection's slots are disjoint and in
 * sequence order; an insert fills only the gaps between them, so a byte is held once. */
#include <string.h>

#include "reass.h"
#include "seq.h"

size_t synack_reass_mem(uint32_t n)
{
	size_t idx = ((size_t)n * sizeof(uint32_t) + 63) & ~(size_t)63;
	return (size_t)n * sizeof(struct synack_reass_slot) + idx;
}

void synack_reass_init(struct synack_reass *r, void *mem, uint32_t n, uint32_t per_conn)
{
	memset(r, 0, sizeof(*r));
	r->slot = mem;
	r->free_idx = (uint32_t *)((uint8_t *)mem + (size_t)n * sizeof(struct synack_reass_slot));
	r->nslots = n;
	r->per_conn = per_conn > SYNACK_REASS_CONN_MAX ? SYNACK_REASS_CONN_MAX : per_conn;
	/* Handed out from the low end first: a store that is mostly idle touches few pages. */
	for (uint32_t i = 0; i < n; i++)
		r->free_idx[i] = n - 1 - i;
	r->nfree = n;
}

static inline struct synack_reass_slot *at(const struct synack_reass *r, uint32_t link)
{
	return link ? &r->slot[link - 1] : NULL;
}

static inline uint32_t end_of(const struct synack_reass_slot *s) { return s->seq + s->len; }

uint32_t synack_reass_count(const struct synack_reass *r, uint32_t head)
{
	uint32_t n = 0;
	for (const struct synack_reass_slot *s = at(r, head); s; s = at(r, s->next))
		n++;
	return n;
}

struct synack_reass_put synack_reass_insert(struct synack_reass *r, uint32_t *head, uint32_t seq, const uint8_t *p,
					    uint32_t len, int fin)
{
	struct synack_reass_put put = { 0, 0, 0 };
	uint32_t end = seq + len;
	if (r->nfree == 0)
		synack_reass_release(r);        /* read already: see reass.h */
	uint32_t have = synack_reass_count(r, *head);
	uint32_t *link = head;          /* the link the next new slot goes into */
	struct synack_reass_slot *cur = at(r, *head);
	struct synack_reass_slot *last = NULL; /* the slot that holds the segment's last byte */
	uint32_t s = seq;
	r->stamp++;
	while (synack_seq_lt(s, end)) {
		/* Past the slots that end at or before s. */
		while (cur && synack_seq_le(end_of(cur), s)) {
			link = &cur->next;
			cur = at(r, cur->next);
		}
		if (cur && synack_seq_le(cur->seq, s)) {
			/* Held already, up to the end of cur. */
			uint32_t e = synack_seq_lt(end_of(cur), end) ? end_of(cur) : end;
			put.dup += e - s;
			s = e;
			if (s == end)
				last = cur;
			/* Seen again: it counts as recent for the SACK blocks' order. */
			cur->stamp = r->stamp;
			continue;
		}
		/* A gap from s up to the next slot (or the segment's end). */
		uint32_t gap_end = cur && synack_seq_lt(cur->seq, end) ? cur->seq : end;
		while (synack_seq_lt(s, gap_end)) {
			if (have >= r->per_conn || r->nfree == 0) {
				put.dropped += end - s;
				return put;     /* what follows would leave a hole in the queue anyway */
			}
			uint32_t k = gap_end - s;
			if (k > SYNACK_REASS_DATA)
				k = SYNACK_REASS_DATA;
			uint32_t i = r->free_idx[--r->nfree];
			struct synack_reass_slot *n = &r->slot[i];
			n->seq = s;
			n->len = (uint16_t)k;
			n->fin = 0;
			n->stamp = r->stamp;
			memcpy(n->data, p + (s - seq), k);
			n->next = *link;
			*link = i + 1;
			link = &n->next;
			have++;
			put.kept += k;
			s += k;
			if (s == end)
				last = n;
		}
	}
	if (fin && last && end_of(last) == end)
		last->fin = 1;
	return put;
}

struct synack_reass_slot *synack_reass_ready(struct synack_reass *r, uint32_t head, uint32_t rcv_nxt)
{
	struct synack_reass_slot *s = at(r, head);
	return s && synack_seq_le(s->seq, rcv_nxt) ? s : NULL;
}

void synack_reass_pop(struct synack_reass *r, uint32_t *head)
{
	struct synack_reass_slot *s = at(r, *head);
	if (!s)
		return;
	uint32_t link = *head;
	*head = s->next;
	s->next = r->pending;
	r->pending = link;
}

void synack_reass_release(struct synack_reass *r)
{
	while (r->pending) {
		struct synack_reass_slot *s = at(r, r->pending);
		r->free_idx[r->nfree++] = r->pending - 1;
		r->pending = s->next;
	}
}

uint32_t synack_reass_drop(struct synack_reass *r, uint32_t *head)
{
	uint32_t n = 0;
	while (*head) {
		struct synack_reass_slot *s = at(r, *head);
		r->free_idx[r->nfree++] = *head - 1;
		*head = s->next;
		n++;
	}
	return n;
}

/* The most blocks one call returns: an ACK carries at most four (RFC 2018 §3, three with
 * timestamps). */
#define BLOCKS_MAX 8u

/* Keeps run [l, rr) with the given stamp among the n most recent ones in top (newest first; of
 * two as recent, the lower in sequence first), at most max of them. */
static unsigned keep_recent(uint32_t top[][3], unsigned n, unsigned max, uint32_t l, uint32_t rr, uint32_t stamp)
{
	unsigned i = n;
	while (i > 0 && (int32_t)(stamp - top[i - 1][2]) > 0)
		i--;
	if (i >= max)
		return n;
	unsigned last = n < max ? n : max - 1;
	for (unsigned j = last; j > i; j--) {
		top[j][0] = top[j - 1][0];
		top[j][1] = top[j - 1][1];
		top[j][2] = top[j - 1][2];
	}
	top[i][0] = l;
	top[i][1] = rr;
	top[i][2] = stamp;
	return n < max ? n + 1 : n;
}

unsigned synack_reass_blocks(const struct synack_reass *r, uint32_t head, uint32_t blocks[][2], unsigned max)
{
	/* Contiguous slots make one block; each block is as recent as its newest slot. One walk,
	 * keeping the max most recent runs, so that a long queue costs no stack. */
	uint32_t top[BLOCKS_MAX][3];
	unsigned n = 0;
	if (max > BLOCKS_MAX)
		max = BLOCKS_MAX;
	if (max == 0)
		return 0;
	const struct synack_reass_slot *s = at(r, head);
	while (s) {
		uint32_t l = s->seq, rr = end_of(s), stamp = s->stamp;
		for (s = at(r, s->next); s && s->seq == rr; s = at(r, s->next)) {
			rr = end_of(s);
			if ((int32_t)(s->stamp - stamp) > 0)
				stamp = s->stamp;
		}
		n = keep_recent(top, n, max, l, rr, stamp);
	}
	for (unsigned i = 0; i < n; i++) {
		blocks[i][0] = top[i][0];
		blocks[i][1] = top[i][1];
	}
	return n;
}
