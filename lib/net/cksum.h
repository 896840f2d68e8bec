/* cksum.h: the Internet checksum (RFC 1071) used by IPv4, ICMP and TCP, and its incremental update
 * (RFC 1624) for when one header field changes.
 *
 * Byte order. The sums here are taken over 16-bit words exactly as they lie in memory, so they
 * come out in *memory order* (RFC 1071 §2(B): the ones-complement sum is byte-order independent).
 * A value from synack_cksum_fold() is therefore already in network byte order as a byte pair:
 * store it with memcpy (synack_wr_cksum() in wire.h), never through htons(). On a little-endian
 * host the number 0x3412 means the bytes 12 34 on the wire. The partial sums passed between these
 * functions are in the same memory order, including the one synack_cksum_pseudo_ipv4() returns. */
#ifndef SYNACK_NET_CKSUM_H
#define SYNACK_NET_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p (any alignment) to the partial sum and returns the new partial sum, folded to
 * 16 bits (so at most 0xffff: a few partial sums may also be added with +). Only the last block of
 * a chained computation may have an odd length: an odd length pads with one zero byte, as RFC 1071
 * §4.1 does at the end of the data. */
uint32_t synack_cksum_add(uint32_t sum, const void *p, size_t len);

/* 64-bit ones-complement addition: a carry out of bit 63 wraps around to bit 0. Summing 64-bit
 * words this way and folding afterwards gives the same result as summing 16-bit words, because
 * 2^16 == 1 modulo 2^16 - 1 (RFC 1071 §2(C), "parallel summation"). */
static inline uint64_t synack_cksum_add_carry64(uint64_t a, uint64_t b)
{
	a += b;
	return a + (a < b);
}

/* Folds a sum of any width to 16 bits, keeping it congruent modulo 0xffff. A non-zero sum never
 * folds to 0, so the result is 0 only if every word summed was 0. */
static inline uint32_t synack_cksum_fold16(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint32_t)s;
}

/* synack_cksum_add(0, ip, hlen) for an IPv4 header: every frame sums one on its way in and one on
 * its way out, and the usual 20 bytes (no options) are three adds inline, cheaper than the loop's
 * length tests; a header with options takes the loop. */
static inline uint32_t synack_cksum_ipv4_hdr(const void *ip, size_t hlen)
{
	if (hlen != 20)
		return synack_cksum_add(0, ip, hlen);
	uint64_t a, b;
	uint32_t c;
	__builtin_memcpy(&a, ip, 8);
	__builtin_memcpy(&b, (const uint8_t *)ip + 8, 8);
	__builtin_memcpy(&c, (const uint8_t *)ip + 16, 4);
	return synack_cksum_fold16(synack_cksum_add_carry64(synack_cksum_add_carry64(a, b), c));
}

/* A folded 16-bit sum moved between host order and memory order (either way: the same swap). An
 * ones' complement sum of byte-swapped words is the byte-swapped sum (RFC 1071 §2(B)); storing the
 * host-order value big-endian and reading it back natively is that swap on a little-endian host
 * and a no-op on a big-endian one. */
static inline uint16_t synack_cksum_swap_order(uint16_t s)
{
	uint8_t be[2] = { (uint8_t)(s >> 8), (uint8_t)s };
	uint16_t r;

	__builtin_memcpy(&r, be, 2);
	return r;
}

/* Partial sum of the TCP/UDP pseudo-header of RFC 9293 §3.1 (source, destination, zero, protocol,
 * L4 length). Addresses and l4len in host byte order; the result is in memory order, folded to 16
 * bits and not complemented (what DPDK's L4 checksum offload wants in the checksum field). Inline:
 * every segment on a port without checksum offload takes one on its way in or out. */
static inline uint32_t synack_cksum_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4len)
{
	/* Summed in host order, then moved into memory order. */
	return synack_cksum_swap_order((uint16_t)synack_cksum_fold16((uint64_t)(saddr >> 16) + (saddr & 0xffff) +
								      (daddr >> 16) + (daddr & 0xffff) + proto + l4len));
}

/* synack_cksum_add() for the short runs a TCP header with its options and a small payload make
 * (up to 64 bytes: every frame of a handshake or a close), inline and without the long loop's
 * length tests: two chains of 8-byte words, then the tail. Longer runs take synack_cksum_add(). */
static inline uint32_t synack_cksum_add_short(uint32_t sum, const void *p, size_t len)
{
	if (len > 64)
		return synack_cksum_add(sum, p, len);
	const uint8_t *b = p;
	uint64_t a0 = sum, a1 = 0, w0, w1;
	uint32_t w32;
	uint16_t w16;

	while (len >= 16) {
		__builtin_memcpy(&w0, b, 8);
		__builtin_memcpy(&w1, b + 8, 8);
		a0 = synack_cksum_add_carry64(a0, w0);
		a1 = synack_cksum_add_carry64(a1, w1);
		b += 16;
		len -= 16;
	}
	if (len & 8) {
		__builtin_memcpy(&w0, b, 8);
		a0 = synack_cksum_add_carry64(a0, w0);
		b += 8;
	}
	if (len & 4) {
		__builtin_memcpy(&w32, b, 4);
		a1 = synack_cksum_add_carry64(a1, w32);
		b += 4;
	}
	if (len & 2) {
		__builtin_memcpy(&w16, b, 2);
		a0 = synack_cksum_add_carry64(a0, w16);
		b += 2;
	}
	if (len & 1) {
		/* As in synack_cksum_add(): the odd byte is the first of a word whose second is zero. */
		uint8_t last[2] = { b[0], 0 };
		__builtin_memcpy(&w16, last, 2);
		a1 = synack_cksum_add_carry64(a1, w16);
	}
	return synack_cksum_fold16(synack_cksum_add_carry64(a0, a1));
}

/* Folds a partial sum to 16 bits and complements it: the value to put in the checksum field, in
 * memory order (see above). When the data summed already includes a correct checksum field the
 * result is 0, which is how a receiver verifies. */
static inline uint16_t synack_cksum_fold(uint32_t sum)
{
	return (uint16_t)~synack_cksum_fold16(sum);
}


/* RFC 1624 eqn. 3: the checksum after one 16-bit word of the covered data changes from old_word to
 * new_word, HC' = ~(~HC + ~m + m'). All three values must be in the same byte order: either all as
 * they lie in memory (checksum read with synack_rd_cksum(), words with memcpy), or all in host
 * order. Eqn. 3 rather than eqn. 2 (HC' = HC - ~m - m') so that the result is never the negative
 * zero 0xffff unless a full recomputation would give it too (RFC 1624 §3). */
uint16_t synack_cksum_update16(uint16_t old_cksum, uint16_t old_word, uint16_t new_word);

/* The same for a 32-bit field (an IPv4 address, a sequence number) that starts on a 16-bit boundary
 * of the covered data: it is two 16-bit words. Byte order rule as for synack_cksum_update16(). */
uint16_t synack_cksum_update32(uint16_t old_cksum, uint32_t old_val, uint32_t new_val);

#endif
