/* seq.h: sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Comparisons are valid while the
 * two numbers are less than 2^31 apart, which the window rules guarantee. */
#ifndef SYNACK_TCP_SEQ_H
#define SYNACK_TCP_SEQ_H

#include <stdint.h>

static inline int synack_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int synack_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int synack_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int synack_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
/* lo <= x < hi, modulo 2^32 */
static inline int synack_seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(x - lo) < (uint32_t)(hi - lo);
}
static inline uint32_t synack_seq_max(uint32_t a, uint32_t b) { return synack_seq_gt(a, b) ? a : b; }

#endif
