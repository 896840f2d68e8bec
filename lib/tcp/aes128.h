/* aes128.h: AES-128 encryption of one block with the CPU's AES instructions (AES-NI), the fast
 * form of F for RFC 6528 ISNs (isn.c). Only what that needs: the key schedule and one block. A
 * block cipher under a secret key is a pseudorandom permutation, and a PRP truncated to 64 of its
 * 128 bits is a PRF for inputs far below 2^64 blocks: what RFC 6528 §3 asks of F.
 *
 * Callers check synack_aes128_available() first; without AES-NI (or off x86-64) they use SipHash
 * (siphash.h), which computes the same kind of function in about three times the cycles. */
#ifndef SYNACK_TCP_AES128_H
#define SYNACK_TCP_AES128_H

#include <stdbool.h>
#include <stdint.h>

#define SYNACK_AES128_RK_BYTES 176 /* 11 round keys of 16 bytes */

/* True when this CPU has the AES instructions (CPUID.1:ECX bit 25) and this build can use them. */
bool synack_aes128_available(void);

/* FIPS-197 §5.2 key expansion of key into rk (16-byte aligned). Needs synack_aes128_available(). */
void synack_aes128_expand(uint8_t rk[SYNACK_AES128_RK_BYTES], const uint8_t key[16]);

/* FIPS-197 §5.1 cipher of one block. Needs synack_aes128_available(). */
void synack_aes128_encrypt(const uint8_t rk[SYNACK_AES128_RK_BYTES], const uint8_t in[16], uint8_t out[16]);

/* The low 64 bits (little-endian) of the cipher of the block whose bytes are w0 then w1, each
 * little-endian: synack_aes128_encrypt() in the shape the per-SYN path uses. */
uint64_t synack_aes128_2w(const uint8_t rk[SYNACK_AES128_RK_BYTES], uint64_t w0, uint64_t w1);

#endif
