/* aes128.c: AES-128 with AES-NI (see aes128.h). The build's baseline (-march=corei7, DPDK's) has no
 * AES, so these functions alone are compiled for it and are called only after the CPUID check. */
#include "aes128.h"

#include <stdlib.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <wmmintrin.h>

bool synack_aes128_available(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(1, &a, &b, &c, &d) && ((c >> 25) & 1);
}

/* One step of the key schedule: prev's words folded left, then RotWord/SubWord/Rcon of its last
 * word, which aeskeygenassist leaves in the top lane. */
#define SYNACK_AES_EXPAND_STEP(prev, rcon)                                                                \
	__extension__({                                                                                    \
		__m128i t_ = _mm_shuffle_epi32(_mm_aeskeygenassist_si128((prev), (rcon)), 0xff);          \
		__m128i k_ = _mm_xor_si128((prev), _mm_slli_si128((prev), 4));                             \
		k_ = _mm_xor_si128(k_, _mm_slli_si128(k_, 4));                                             \
		k_ = _mm_xor_si128(k_, _mm_slli_si128(k_, 4));                                             \
		_mm_xor_si128(k_, t_);                                                                     \
	})

__attribute__((target("aes"))) void synack_aes128_expand(uint8_t rk[SYNACK_AES128_RK_BYTES], const uint8_t key[16])
{
	__m128i *r = (__m128i *)(void *)rk;
	/* aeskeygenassist takes its round constant as an immediate: the ten steps are spelled out. */
	r[0] = _mm_loadu_si128((const __m128i *)(const void *)key);
	r[1] = SYNACK_AES_EXPAND_STEP(r[0], 0x01);
	r[2] = SYNACK_AES_EXPAND_STEP(r[1], 0x02);
	r[3] = SYNACK_AES_EXPAND_STEP(r[2], 0x04);
	r[4] = SYNACK_AES_EXPAND_STEP(r[3], 0x08);
	r[5] = SYNACK_AES_EXPAND_STEP(r[4], 0x10);
	r[6] = SYNACK_AES_EXPAND_STEP(r[5], 0x20);
	r[7] = SYNACK_AES_EXPAND_STEP(r[6], 0x40);
	r[8] = SYNACK_AES_EXPAND_STEP(r[7], 0x80);
	r[9] = SYNACK_AES_EXPAND_STEP(r[8], 0x1b);
	r[10] = SYNACK_AES_EXPAND_STEP(r[9], 0x36);
}

__attribute__((target("aes"))) static inline __m128i cipher(const uint8_t *rk, __m128i b)
{
	const __m128i *r = (const __m128i *)(const void *)rk;
	b = _mm_xor_si128(b, r[0]);
	for (unsigned i = 1; i < 10; i++)
		b = _mm_aesenc_si128(b, r[i]);
	return _mm_aesenclast_si128(b, r[10]);
}

__attribute__((target("aes"))) void synack_aes128_encrypt(const uint8_t rk[SYNACK_AES128_RK_BYTES], const uint8_t in[16],
							 uint8_t out[16])
{
	_mm_storeu_si128((__m128i *)(void *)out, cipher(rk, _mm_loadu_si128((const __m128i *)(const void *)in)));
}

__attribute__((target("aes"))) uint64_t synack_aes128_2w(const uint8_t rk[SYNACK_AES128_RK_BYTES], uint64_t w0, uint64_t w1)
{
	return (uint64_t)_mm_cvtsi128_si64(cipher(rk, _mm_set_epi64x((long long)w1, (long long)w0)));
}

#else

/* No AES instructions here: synack_aes128_available() says so and nothing calls the rest. */
bool synack_aes128_available(void) { return false; }

void synack_aes128_expand(uint8_t rk[SYNACK_AES128_RK_BYTES], const uint8_t key[16])
{
	(void)rk;
	(void)key;
	abort();
}

void synack_aes128_encrypt(const uint8_t rk[SYNACK_AES128_RK_BYTES], const uint8_t in[16], uint8_t out[16])
{
	(void)rk;
	(void)in;
	(void)out;
	abort();
}

uint64_t synack_aes128_2w(const uint8_t rk[SYNACK_AES128_RK_BYTES], uint64_t w0, uint64_t w1)
{
	(void)rk;
	(void)w0;
	(void)w1;
	abort();
}

#endif
