/* micro_siphash.c: nanoseconds per keyed hash on the per-SYN input sizes: SipHash-2-4's 16-byte
 * two-word shortcut and AES-128's (the two forms of the ISN's F, isn.c), the generic SipHash on 16
 * and 24 bytes (24 is the SYN-cookie input, syncookie.c), and libsodium's crypto_shorthash (also
 * SipHash-2-4, 16 bytes) for comparison. "dependent": each hash feeds the next input, a latency;
 * "independent": inputs known ahead, the cost when other work hides the latency, as in a burst.
 *
 *   ninja -C build bench/micro-siphash && ./build/bench/micro-siphash
 *   cc -std=c11 -D_GNU_SOURCE -O2 -DHAVE_SODIUM -Ilib bench/micro_siphash.c lib/tcp/siphash.c \
 *      lib/tcp/aes128.c -lsodium -o micro_siphash */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_SODIUM
#include <sodium.h>
#endif

#include "tcp/aes128.h"
#include "tcp/siphash.h"

#define BENCH_ITERS  20000000u
#define BENCH_ROUNDS 5

static const uint8_t bench_key[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

/* Defeats constant folding of the loop's results. */
static volatile uint64_t bench_sink;

static uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t bench_2w(void)
{
	uint64_t h = 0x0a0000010a000002ull, w1 = 0x0000000050c35000ull;

	for (uint32_t i = 0; i < BENCH_ITERS; i++)
		h = synack_siphash24_2w(bench_key, h, w1 + i);
	return h;
}

static _Alignas(16) uint8_t bench_rk[SYNACK_AES128_RK_BYTES];

static uint64_t bench_aes_2w(void)
{
	uint64_t h = 0x0a0000010a000002ull, w1 = 0x0000000050c35000ull;

	for (uint32_t i = 0; i < BENCH_ITERS; i++)
		h = synack_aes128_2w(bench_rk, h, w1 + i);
	return h;
}

static uint64_t bench_2w_indep(void)
{
	uint64_t h = 0, w0 = 0x0a0000010a000002ull, w1 = 0x0000000050c35000ull;

	for (uint32_t i = 0; i < BENCH_ITERS; i++)
		h += synack_siphash24_2w(bench_key, w0, w1 + i);
	return h;
}

static uint64_t bench_aes_2w_indep(void)
{
	uint64_t h = 0, w0 = 0x0a0000010a000002ull, w1 = 0x0000000050c35000ull;

	for (uint32_t i = 0; i < BENCH_ITERS; i++)
		h += synack_aes128_2w(bench_rk, w0, w1 + i);
	return h;
}

static uint64_t bench_generic(size_t len)
{
	uint8_t in[24] = {0};
	uint64_t h = 1;

	for (uint32_t i = 0; i < BENCH_ITERS; i++) {
		memcpy(in, &h, sizeof h);
		memcpy(in + 8, &i, sizeof i);
		h = synack_siphash24(bench_key, in, len);
	}
	return h;
}

#ifdef HAVE_SODIUM
static uint64_t bench_sodium(void)
{
	uint8_t in[16] = {0}, out[8];
	uint64_t h = 1;

	for (uint32_t i = 0; i < BENCH_ITERS; i++) {
		memcpy(in, &h, sizeof h);
		memcpy(in + 8, &i, sizeof i);
		crypto_shorthash(out, in, sizeof in, bench_key);
		memcpy(&h, out, sizeof h);
	}
	return h;
}
#endif

enum bench_case { BENCH_2W, BENCH_2W_INDEP, BENCH_AES, BENCH_AES_INDEP, BENCH_GEN16, BENCH_GEN24, BENCH_SODIUM };

static double bench_run(enum bench_case c)
{
	double best = 1e30;

	for (int r = 0; r < BENCH_ROUNDS; r++) {
		uint64_t t0 = bench_now_ns(), h = 0;

		switch (c) {
		case BENCH_2W: h = bench_2w(); break;
		case BENCH_2W_INDEP: h = bench_2w_indep(); break;
		case BENCH_AES: h = bench_aes_2w(); break;
		case BENCH_AES_INDEP: h = bench_aes_2w_indep(); break;
		case BENCH_GEN16: h = bench_generic(16); break;
		case BENCH_GEN24: h = bench_generic(24); break;
		case BENCH_SODIUM:
#ifdef HAVE_SODIUM
			h = bench_sodium();
#endif
			break;
		}
		bench_sink = h;
		double ns = (double)(bench_now_ns() - t0) / BENCH_ITERS;
		if (ns < best)
			best = ns;
	}
	return best;
}

int main(void)
{
	printf("best of %d x %u hashes\n", BENCH_ROUNDS, BENCH_ITERS);
	printf("  synack_siphash24_2w (16 B)       %6.2f ns/hash dependent, %6.2f independent\n",
	       bench_run(BENCH_2W), bench_run(BENCH_2W_INDEP));
	if (synack_aes128_available()) {
		synack_aes128_expand(bench_rk, bench_key);
		printf("  synack_aes128_2w (16 B)          %6.2f ns/hash dependent, %6.2f independent\n",
		       bench_run(BENCH_AES), bench_run(BENCH_AES_INDEP));
	} else {
		printf("  synack_aes128_2w: this CPU has no AES instructions\n");
	}
	printf("SipHash-2-4, dependent\n");
	printf("  synack_siphash24 (16 B)          %6.2f ns/hash\n", bench_run(BENCH_GEN16));
	printf("  synack_siphash24 (24 B, cookie)  %6.2f ns/hash\n", bench_run(BENCH_GEN24));
#ifdef HAVE_SODIUM
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 1;
	}
	printf("  libsodium crypto_shorthash (16 B) %5.2f ns/hash  (%s)\n", bench_run(BENCH_SODIUM),
	       crypto_shorthash_PRIMITIVE);
#else
	printf("  libsodium: not built (-DHAVE_SODIUM -lsodium)\n");
#endif
	return 0;
}
