/* siphash.h: SipHash-2-4 (Aumasson & Bernstein, 2012), the keyed hash F of RFC 6528 ISNs and of SYN
 * cookies. A 64-bit PRF keyed with 128 bits, fast on short inputs such as a 4-tuple. */
#ifndef SYNACK_TCP_SIPHASH_H
#define SYNACK_TCP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of len bytes at in, key of 16 bytes: the reference algorithm, byte for byte. */
uint64_t synack_siphash24(const uint8_t key[16], const void *in, size_t len);

/* The same function over exactly 16 bytes given as two little-endian 64-bit words (a 4-tuple plus
 * 32 bits of context): the inlined shape the per-SYN path uses. Equals synack_siphash24() of those
 * 16 bytes. */
uint64_t synack_siphash24_2w(const uint8_t key[16], uint64_t w0, uint64_t w1);

#endif
