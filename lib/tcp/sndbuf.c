/* sndbuf.c: the sequence-indexed send ring. */
#include <string.h>

#include "sndbuf.h"

void synack_sndbuf_init(struct synack_sndbuf *b, uint8_t *buf, uint32_t size, uint32_t first_seq)
{
	b->buf = buf;
	b->mask = size - 1;
	b->head_seq = first_seq;
	b->len = 0;
}

static void ring_copy(const struct synack_sndbuf *b, uint32_t off, void *dst, const void *src, uint32_t n,
		      int to_ring)
{
	uint32_t size = b->mask + 1, at = off & b->mask;
	uint32_t first = n < size - at ? n : size - at;
	if (to_ring) {
		memcpy(b->buf + at, src, first);
		memcpy(b->buf, (const uint8_t *)src + first, n - first);
	} else {
		memcpy(dst, b->buf + at, first);
		memcpy((uint8_t *)dst + first, b->buf, n - first);
	}
}

uint32_t synack_sndbuf_append(struct synack_sndbuf *b, const void *data, uint32_t n)
{
	uint32_t room = synack_sndbuf_free(b);
	if (n > room)
		n = room;
	ring_copy(b, b->head_seq + b->len, NULL, data, n, 1);
	b->len += n;
	return n;
}

void synack_sndbuf_ack(struct synack_sndbuf *b, uint32_t n)
{
	if (n > b->len)
		n = b->len;
	b->head_seq += n;
	b->len -= n;
}

void synack_sndbuf_copy(const struct synack_sndbuf *b, uint32_t seq, void *dst, uint32_t n)
{
	ring_copy(b, seq, dst, NULL, n, 0);
}
