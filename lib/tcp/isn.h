/* isn.h: initial sequence numbers per RFC 6528: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), M a clock ticking every 4 µs, F SipHash-2-4 keyed with the core's
 * 128-bit secret. Also the per-connection timestamp offset (RFC 7323 §7.1), drawn from the same
 * hash so that TSvals reveal nothing across connections. */
#ifndef SYNACK_TCP_ISN_H
#define SYNACK_TCP_ISN_H

#include <stdint.h>

#include "tcb.h"

/* M: the clock of RFC 6528 §3, one tick every 4 µs. */
static inline uint32_t synack_isn_clock(uint64_t now_ns) { return (uint32_t)(now_ns / 4000u); }

/* F(tuple, secret) as 64 bits: the low half offsets the ISN, the high half the timestamp clock. */
uint64_t synack_isn_hash(const uint8_t secret[16], const struct synack_tuple *t);

/* RFC 6528 ISN for t at time now. */
uint32_t synack_isn(const uint8_t secret[16], const struct synack_tuple *t, uint64_t now_ns);

/* Fills secret with 16 bytes from getrandom(2). Returns 0 or -errno. Never rand(), never rte_rand(). */
int synack_isn_secret_init(uint8_t secret[16]);

#endif
