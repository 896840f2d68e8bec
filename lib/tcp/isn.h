/* isn.h: initial sequence numbers per RFC 6528: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), M a clock ticking every 4 µs, F a PRF keyed from the core's 128-bit
 * secret: AES-128 where the CPU has AES-NI, SipHash-2-4 elsewhere (isn.c says why both). Also the
 * per-connection timestamp offset (RFC 7323 §7.1), drawn from the same F so that TSvals reveal
 * nothing across connections. */
#ifndef SYNACK_TCP_ISN_H
#define SYNACK_TCP_ISN_H

#include <stdbool.h>
#include <stdint.h>

#include "aes128.h"
#include "tcb.h"

/* F's key, derived once from the core's secret (synack_isn_key_init). */
struct synack_isn_key {
	_Alignas(16) uint8_t aes_rk[SYNACK_AES128_RK_BYTES]; /* AES-128 round keys, when aes */
	uint8_t sip[16];                                      /* SipHash-2-4 key, when !aes */
	bool aes;
};

/* Keys F from secret: AES-128 when the CPU has it, SipHash-2-4 otherwise. portable forces
 * SipHash (tests compare both). */
void synack_isn_key_init(struct synack_isn_key *k, const uint8_t secret[16], bool portable);

/* M: the clock of RFC 6528 §3, one tick every 4 µs. */
static inline uint32_t synack_isn_clock(uint64_t now_ns) { return (uint32_t)(now_ns / 4000u); }

/* F(tuple, secret) as 64 bits: the low half offsets the ISN, the high half the timestamp clock. */
uint64_t synack_isn_hash(const struct synack_isn_key *k, const struct synack_tuple *t);

/* RFC 6528 ISN for t at time now. */
uint32_t synack_isn(const struct synack_isn_key *k, const struct synack_tuple *t, uint64_t now_ns);

/* Fills secret with 16 bytes from getrandom(2). Returns 0 or -errno. Never rand(), never rte_rand(). */
int synack_isn_secret_init(uint8_t secret[16]);

#endif
