/* sndbuf.h: a send stream over a caller-supplied power-of-two byte ring, indexed by sequence number.
 * The core emits segments as (seq, len) ranges of the stream; whoever builds the frame copies those
 * bytes from here, and SYNACK_EV_ACKED frees them. Plain memory: used by the tests and the demo, and
 * as the model for the engine's mbuf-backed streams. */
#ifndef SYNACK_TCP_SNDBUF_H
#define SYNACK_TCP_SNDBUF_H

#include <stdint.h>

struct synack_sndbuf {
	uint8_t *buf;
	uint32_t mask;          /* size - 1 */
	uint32_t head_seq;      /* sequence number of the first byte still held */
	uint32_t len;           /* bytes held: from head_seq up */
};

/* buf of size bytes (a power of two); the stream's first byte will have sequence number first_seq
 * (ISS + 1). */
void synack_sndbuf_init(struct synack_sndbuf *b, uint8_t *buf, uint32_t size, uint32_t first_seq);
/* Appends up to n bytes; returns how many fitted. */
uint32_t synack_sndbuf_append(struct synack_sndbuf *b, const void *data, uint32_t n);
/* Frees n acknowledged bytes from the front. */
void synack_sndbuf_ack(struct synack_sndbuf *b, uint32_t n);
/* Copies n bytes starting at sequence number seq (which must be held) into dst. */
void synack_sndbuf_copy(const struct synack_sndbuf *b, uint32_t seq, void *dst, uint32_t n);
static inline uint32_t synack_sndbuf_free(const struct synack_sndbuf *b) { return b->mask + 1 - b->len; }

#endif
