/* testutil.h: small helpers the unit tests share: a reproducible xorshift32 generator (a failure
 * replays), and a reference Internet checksum (RFC 1071) written independently of lib/net, to
 * check the library's against. */
#ifndef SYNACK_TEST_UTIL_H
#define SYNACK_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t tu_xorshift32(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Big-endian 16-bit word sum, one word at a time. */
static inline uint32_t tu_ref_sum(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t tu_ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif
