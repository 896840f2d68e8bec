/* siphash.c: SipHash-2-4 (J.-P. Aumasson, D. J. Bernstein, "SipHash: a fast short-input PRF",
 * INDOCRYPT 2012), written from the paper's description: four 64-bit words of state initialised
 * from the key and the constants "somepseudorandomlygeneratedbytes", two SipRounds per 8-byte
 * message word ("2"), a last word carrying the length modulo 256 in its top byte, then 0xff
 * xored into v2 and four SipRounds of finalisation ("4"). Everything is little-endian, so the
 * output is the same on any host. */
#include "siphash.h"

static inline uint64_t synack_rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* Little-endian load of 8 bytes, whatever the host order or alignment. Compilers turn this into
 * a single load on little-endian machines. */
static inline uint64_t synack_load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

struct synack_sip_state {
	uint64_t v0, v1, v2, v3;
};

/* SipRound (paper §2, fig. 2): two ARX half-rounds in parallel on (v0, v1) and (v2, v3), then
 * crossed. */
static inline void synack_sipround(struct synack_sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = synack_rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = synack_rotl64(s->v0, 32);

	s->v2 += s->v3;
	s->v3 = synack_rotl64(s->v3, 16);
	s->v3 ^= s->v2;

	s->v0 += s->v3;
	s->v3 = synack_rotl64(s->v3, 21);
	s->v3 ^= s->v0;

	s->v2 += s->v1;
	s->v1 = synack_rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = synack_rotl64(s->v2, 32);
}

/* Initialisation: k0, k1 the two little-endian halves of the key, xored with the ASCII of
 * "somepseudorandomlygeneratedbytes" read as four big-endian words. */
static inline void synack_sip_init(struct synack_sip_state *s, const uint8_t key[16])
{
	uint64_t k0 = synack_load_le64(key);
	uint64_t k1 = synack_load_le64(key + 8);

	s->v0 = k0 ^ 0x736f6d6570736575ull;
	s->v1 = k1 ^ 0x646f72616e646f6dull;
	s->v2 = k0 ^ 0x6c7967656e657261ull;
	s->v3 = k1 ^ 0x7465646279746573ull;
}

/* Compression of one message word: c = 2 SipRounds. */
static inline void synack_sip_compress(struct synack_sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	synack_sipround(s);
	synack_sipround(s);
	s->v0 ^= m;
}

/* Finalisation: d = 4 SipRounds, output v0 ^ v1 ^ v2 ^ v3. */
static inline uint64_t synack_sip_final(struct synack_sip_state *s)
{
	s->v2 ^= 0xff;
	synack_sipround(s);
	synack_sipround(s);
	synack_sipround(s);
	synack_sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t synack_siphash24(const uint8_t key[16], const void *in, size_t len)
{
	const uint8_t *p = in;
	const uint8_t *end = p + (len & ~(size_t)7);
	struct synack_sip_state s;
	uint64_t b;

	synack_sip_init(&s, key);
	for (; p != end; p += 8)
		synack_sip_compress(&s, synack_load_le64(p));

	/* The last word: the 0..7 remaining bytes in its low end, len mod 256 in its top byte
	 * (the paper pads so that even an empty or 8-aligned message gets this word). */
	b = (uint64_t)(len & 0xff) << 56;
	for (size_t i = 0; i < (len & 7); i++)
		b |= (uint64_t)p[i] << (8 * i);
	synack_sip_compress(&s, b);
	return synack_sip_final(&s);
}

uint64_t synack_siphash24_2w(const uint8_t key[16], uint64_t w0, uint64_t w1)
{
	struct synack_sip_state s;

	synack_sip_init(&s, key);
	synack_sip_compress(&s, w0);
	synack_sip_compress(&s, w1);
	/* 16 bytes: no tail bytes, length 16 in the top byte. */
	synack_sip_compress(&s, (uint64_t)16 << 56);
	return synack_sip_final(&s);
}
