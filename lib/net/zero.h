/* zero.h: clears small fixed-size blocks (a connection's tail, a TCB) with 16-byte stores. Kept in
 * the bottom layer (lib/net) so that lib/tcp, lib/core and lib/dpdk all include it downwards.
 *
 * Why not memset: with DPDK's -march=corei7, GCC expands a memset of 100-odd bytes into rep stos,
 * whose start-up costs tens of cycles, and this happens twice per connection per side. Its
 * -mmemset-strategy option would fix that, but link-time optimisation drops it; explicit vector
 * stores survive both. */
#ifndef SYNACK_NET_ZERO_H
#define SYNACK_NET_ZERO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t synack_zv16 __attribute__((vector_size(16), aligned(1), may_alias));

/* n: a compile-time constant multiple of 8 (the loop then unrolls into plain stores). */
static inline __attribute__((always_inline)) void synack_zero_small(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i = 0;
#pragma GCC unroll 16
	for (; i + 16 <= n; i += 16)
		*(synack_zv16 *)(b + i) = (synack_zv16){ 0 };
	if (i < n) {
		uint64_t z = 0;
		memcpy(b + i, &z, 8);
	}
}

#endif
