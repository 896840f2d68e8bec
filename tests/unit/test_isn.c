/* test_isn.c: RFC 6528 ISNs: unrelated across tuples, advancing with the 4 µs clock for one tuple,
 * dependent on the secret; and the getrandom(2) secret. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/isn.h"
#include "tcp/siphash.h"

static const uint8_t test_secret[16] = {
	0x3b, 0x91, 0x0e, 0x6c, 0xd2, 0x47, 0xa8, 0x15, 0x7f, 0xe0, 0x29, 0xb4, 0x53, 0xc6, 0x8d, 0x1a,
};

static struct synack_tuple test_tuple(void)
{
	struct synack_tuple t = {
		.laddr = 0x0a000001u, .raddr = 0xc0a80102u, .lport = 80, .rport = 40000,
	};
	return t;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The documented 16-byte input: laddr, raddr, lport, rport, "ISN1", all little-endian. */
Test(isn, hash_is_siphash_of_documented_layout)
{
	struct synack_tuple t = test_tuple();
	uint8_t in[16];
	const uint32_t w[4] = {t.laddr, t.raddr, (uint32_t)t.lport | (uint32_t)t.rport << 16,
			       0x314e5349u};

	for (unsigned i = 0; i < 16; i++)
		in[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
	cr_assert_eq(synack_isn_hash(test_secret, &t), synack_siphash24(test_secret, in, 16));
}

Test(isn, tuples_differing_in_one_port_are_unrelated)
{
	enum { N = 10000 };
	static uint32_t isn[N];
	struct synack_tuple t = test_tuple();
	const uint64_t now = 123456789012345ull;
	unsigned odd = 0;

	for (unsigned i = 0; i < N; i++) {
		t.rport = (uint16_t)(1024 + i);
		isn[i] = synack_isn(test_secret, &t, now);
		odd += isn[i] & 1u;
	}
	/* Binomial(10000, 1/2): mean 5000, sd 50; ±300 is six standard deviations. */
	cr_assert(odd > 4700 && odd < 5300, "low bit set %u times in %u", odd, (unsigned)N);

	/* Consecutive ports must not give consecutive (or otherwise close) ISNs. */
	unsigned close = 0;
	for (unsigned i = 1; i < N; i++)
		close += (uint32_t)(isn[i] - isn[i - 1] + 65536u) < 131072u;
	cr_assert(close < 5, "%u neighbouring ports with ISNs within 64 KiB", close);

	qsort(isn, N, sizeof isn[0], cmp_u32);
	for (unsigned i = 1; i < N; i++)
		cr_assert_neq(isn[i], isn[i - 1], "duplicate ISN %08x", isn[i]);
}

Test(isn, every_field_matters)
{
	struct synack_tuple t = test_tuple(), u;
	uint64_t h = synack_isn_hash(test_secret, &t);

	u = t; u.laddr ^= 1;
	cr_assert_neq(synack_isn_hash(test_secret, &u), h);
	u = t; u.raddr ^= 0x80000000u;
	cr_assert_neq(synack_isn_hash(test_secret, &u), h);
	u = t; u.lport ^= 1;
	cr_assert_neq(synack_isn_hash(test_secret, &u), h);
	u = t; u.rport ^= 0x8000;
	cr_assert_neq(synack_isn_hash(test_secret, &u), h);
	/* The two directions of one connection are different tuples. */
	u.laddr = t.raddr; u.raddr = t.laddr; u.lport = t.rport; u.rport = t.lport;
	cr_assert_neq(synack_isn_hash(test_secret, &u), h);
}

/* RFC 6528 §3: for one tuple the ISN moves with M only, one per 4 µs. */
Test(isn, same_tuple_advances_with_the_clock)
{
	struct synack_tuple t = test_tuple();
	const uint64_t now = 987654320000ull;  /* a multiple of 4000 ns */
	uint32_t a = synack_isn(test_secret, &t, now);

	cr_assert_eq((uint32_t)(synack_isn(test_secret, &t, now + 1000000000ull) - a), 250000u);
	cr_assert_eq((uint32_t)(synack_isn(test_secret, &t, now + 60ull * 1000000000ull) - a),
		     60u * 250000u);
	cr_assert_eq((uint32_t)(synack_isn(test_secret, &t, now + 4000) - a), 1u);
	cr_assert_eq(synack_isn(test_secret, &t, now), a, "deterministic");

	/* One tick boundary: now is a multiple of 4000 ns, so +3999 ns stays in the same tick. */
	cr_assert_eq(now % 4000, 0);
	cr_assert_eq(synack_isn(test_secret, &t, now + 3999), a);

	/* M wraps after 2^32 ticks (about 4.77 h): the ISN comes back to the same value. */
	cr_assert_eq(synack_isn(test_secret, &t, now + 4000ull * (1ull << 32)), a);
}

Test(isn, clock_is_four_microseconds)
{
	cr_assert_eq(synack_isn_clock(0), 0u);
	cr_assert_eq(synack_isn_clock(3999), 0u);
	cr_assert_eq(synack_isn_clock(4000), 1u);
	cr_assert_eq(synack_isn_clock(1000000000ull), 250000u);
}

Test(isn, different_secrets_give_different_isns)
{
	struct synack_tuple t = test_tuple();
	uint8_t other[16];

	memcpy(other, test_secret, 16);
	other[15] ^= 1;
	cr_assert_neq(synack_isn(test_secret, &t, 5000000), synack_isn(other, &t, 5000000));
	cr_assert_neq(synack_isn_hash(test_secret, &t), synack_isn_hash(other, &t));
}

Test(isn, secret_init_nonzero_and_distinct)
{
	static const uint8_t zero[16];
	uint8_t a[16], b[16];

	cr_assert_eq(synack_isn_secret_init(a), 0);
	cr_assert_eq(synack_isn_secret_init(b), 0);
	cr_assert_neq(memcmp(a, zero, 16), 0);
	cr_assert_neq(memcmp(b, zero, 16), 0);
	cr_assert_neq(memcmp(a, b, 16), 0);

	/* And they key the ISN: two cores with fresh secrets disagree on one tuple. */
	struct synack_tuple t = test_tuple();
	cr_assert_neq(synack_isn_hash(a, &t), synack_isn_hash(b, &t));
}
