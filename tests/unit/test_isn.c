/* test_isn.c: RFC 6528 ISNs: unrelated across tuples, advancing with the 4 µs clock for one tuple,
 * dependent on the secret, with either F (AES-128 where the CPU has it, SipHash-2-4); AES-128
 * against FIPS-197's example; and the getrandom(2) secret. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/aes128.h"
#include "tcp/isn.h"
#include "tcp/siphash.h"
#include "tcp/tcp.h"

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

/* F keyed from secret: AES (when the CPU has it) for kind 0, SipHash for kind 1. */
static struct synack_isn_key key_of(const uint8_t secret[16], int kind)
{
	struct synack_isn_key k;
	synack_isn_key_init(&k, secret, kind == 1);
	return k;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The documented 16-byte input: laddr, raddr, lport, rport, "ISN1", all little-endian. */
static void layout(const struct synack_tuple *t, uint8_t in[16])
{
	const uint32_t w[4] = {t->laddr, t->raddr, (uint32_t)t->lport | (uint32_t)t->rport << 16,
			       0x314e5349u};

	for (unsigned i = 0; i < 16; i++)
		in[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
}

Test(isn, portable_hash_is_siphash_of_documented_layout)
{
	struct synack_tuple t = test_tuple();
	struct synack_isn_key k = key_of(test_secret, 1);
	uint8_t in[16];

	layout(&t, in);
	cr_assert(!k.aes);
	cr_assert_eq(synack_isn_hash(&k, &t), synack_siphash24(test_secret, in, 16));
}

/* With AES-NI: F is AES-128 of the same layout under a key that is SipHash-2-4 of the secret over
 * "ISNK" and the half's number (isn.c), its first eight bytes little-endian. */
Test(isn, aes_hash_is_aes_of_documented_layout)
{
	if (!synack_aes128_available())
		cr_skip_test("this CPU has no AES instructions: F is SipHash-2-4 (tested above)");
	struct synack_tuple t = test_tuple();
	struct synack_isn_key k = key_of(test_secret, 0);
	cr_assert(k.aes);
	uint8_t key[16], in[16], out[16], din[16] = {'I', 'S', 'N', 'K'};
	for (unsigned half = 0; half < 2; half++) {
		din[8] = (uint8_t)half;
		uint64_t v = synack_siphash24(test_secret, din, 16);
		for (unsigned i = 0; i < 8; i++)
			key[8 * half + i] = (uint8_t)(v >> (8 * i));
	}
	_Alignas(16) uint8_t rk[SYNACK_AES128_RK_BYTES];
	synack_aes128_expand(rk, key);
	layout(&t, in);
	synack_aes128_encrypt(rk, in, out);
	uint64_t want = 0;
	for (unsigned i = 0; i < 8; i++)
		want |= (uint64_t)out[i] << (8 * i);
	cr_assert_eq(synack_isn_hash(&k, &t), want);
	/* And the key is not the secret itself. */
	struct synack_isn_key raw;
	memset(&raw, 0, sizeof(raw));
	raw.aes = true;
	synack_aes128_expand(raw.aes_rk, test_secret);
	cr_assert_neq(synack_isn_hash(&raw, &t), want);
}

/* FIPS-197 Appendix C.1: AES-128 of 00112233...ff under 00010203...0f, and the round key
 * schedule's last word (Appendix A.1's example key gives w[43] = b6630ca6). */
Test(isn, aes128_matches_fips197)
{
	if (!synack_aes128_available())
		cr_skip_test("this CPU has no AES instructions");
	uint8_t key[16], in[16], out[16];
	static const uint8_t want[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
					  0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
	for (unsigned i = 0; i < 16; i++) {
		key[i] = (uint8_t)i;
		in[i] = (uint8_t)(0x11 * i);
	}
	_Alignas(16) uint8_t rk[SYNACK_AES128_RK_BYTES];
	synack_aes128_expand(rk, key);
	synack_aes128_encrypt(rk, in, out);
	cr_assert_arr_eq(out, want, 16);

	static const uint8_t a1_key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
					    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
	static const uint8_t w43[4] = { 0xb6, 0x63, 0x0c, 0xa6 };
	synack_aes128_expand(rk, a1_key);
	cr_assert_arr_eq(rk + 172, w43, 4);

	/* The two-word shortcut is the same cipher. */
	uint64_t w0 = 0, w1 = 0;
	for (unsigned i = 0; i < 8; i++) {
		w0 |= (uint64_t)in[i] << (8 * i);
		w1 |= (uint64_t)in[8 + i] << (8 * i);
	}
	synack_aes128_expand(rk, key);
	uint64_t lo = 0;
	for (unsigned i = 0; i < 8; i++)
		lo |= (uint64_t)want[i] << (8 * i);
	cr_assert_eq(synack_aes128_2w(rk, w0, w1), lo);
}

static void unrelated(int kind)
{
	enum { N = 10000 };
	static uint32_t isn[N];
	struct synack_isn_key k = key_of(test_secret, kind);
	struct synack_tuple t = test_tuple();
	const uint64_t now = 123456789012345ull;
	unsigned odd = 0;

	for (unsigned i = 0; i < N; i++) {
		t.rport = (uint16_t)(1024 + i);
		isn[i] = synack_isn(&k, &t, now);
		odd += isn[i] & 1u;
	}
	/* Binomial(10000, 1/2): mean 5000, sd 50; ±300 is six standard deviations. */
	cr_assert(odd > 4700 && odd < 5300, "F %d: low bit set %u times in %u", kind, odd, (unsigned)N);

	/* Consecutive ports must not give consecutive (or otherwise close) ISNs. */
	unsigned close = 0;
	for (unsigned i = 1; i < N; i++)
		close += (uint32_t)(isn[i] - isn[i - 1] + 65536u) < 131072u;
	cr_assert(close < 5, "F %d: %u neighbouring ports with ISNs within 64 KiB", kind, close);

	qsort(isn, N, sizeof isn[0], cmp_u32);
	for (unsigned i = 1; i < N; i++)
		cr_assert_neq(isn[i], isn[i - 1], "F %d: duplicate ISN %08x", kind, isn[i]);
}

Test(isn, tuples_differing_in_one_port_are_unrelated)
{
	unrelated(0);
	unrelated(1);
}

Test(isn, every_field_matters)
{
	for (int kind = 0; kind < 2; kind++) {
		struct synack_isn_key k = key_of(test_secret, kind);
		struct synack_tuple t = test_tuple(), u;
		uint64_t h = synack_isn_hash(&k, &t);

		u = t; u.laddr ^= 1;
		cr_assert_neq(synack_isn_hash(&k, &u), h);
		u = t; u.raddr ^= 0x80000000u;
		cr_assert_neq(synack_isn_hash(&k, &u), h);
		u = t; u.lport ^= 1;
		cr_assert_neq(synack_isn_hash(&k, &u), h);
		u = t; u.rport ^= 0x8000;
		cr_assert_neq(synack_isn_hash(&k, &u), h);
		/* The two directions of one connection are different tuples. */
		u.laddr = t.raddr; u.raddr = t.laddr; u.lport = t.rport; u.rport = t.lport;
		cr_assert_neq(synack_isn_hash(&k, &u), h);
	}
}

/* RFC 6528 §3: for one tuple the ISN moves with M only, one per 4 µs. */
Test(isn, same_tuple_advances_with_the_clock)
{
	for (int kind = 0; kind < 2; kind++) {
		struct synack_isn_key k = key_of(test_secret, kind);
		struct synack_tuple t = test_tuple();
		const uint64_t now = 987654320000ull;  /* a multiple of 4000 ns */
		uint32_t a = synack_isn(&k, &t, now);

		cr_assert_eq((uint32_t)(synack_isn(&k, &t, now + 1000000000ull) - a), 250000u);
		cr_assert_eq((uint32_t)(synack_isn(&k, &t, now + 60ull * 1000000000ull) - a),
			     60u * 250000u);
		cr_assert_eq((uint32_t)(synack_isn(&k, &t, now + 4000) - a), 1u);
		cr_assert_eq(synack_isn(&k, &t, now), a, "deterministic");

		/* One tick boundary: now is a multiple of 4000 ns, so +3999 ns stays in the same tick. */
		cr_assert_eq(now % 4000, 0);
		cr_assert_eq(synack_isn(&k, &t, now + 3999), a);

		/* M wraps after 2^32 ticks (about 4.77 h): the ISN comes back to the same value. */
		cr_assert_eq(synack_isn(&k, &t, now + 4000ull * (1ull << 32)), a);
	}
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
	for (int kind = 0; kind < 2; kind++) {
		struct synack_isn_key k = key_of(test_secret, kind), ko = key_of(other, kind);
		cr_assert_neq(synack_isn(&k, &t, 5000000), synack_isn(&ko, &t, 5000000));
		cr_assert_neq(synack_isn_hash(&k, &t), synack_isn_hash(&ko, &t));
	}
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
	for (int kind = 0; kind < 2; kind++) {
		struct synack_isn_key ka = key_of(a, kind), kb = key_of(b, kind);
		cr_assert_neq(synack_isn_hash(&ka, &t), synack_isn_hash(&kb, &t));
	}
}

/* F handed ahead (synack_tcp_isn_ahead) serves the next opening on its own tuple only, once. A
 * marked value shows which F an opening used. */
Test(isn, ahead_serves_its_own_tuple_once)
{
	struct synack_tcp_ctx ctx;
	cr_assert_eq(synack_tcp_ctx_init(&ctx, NULL, 0), 0);
	struct synack_tuple t = test_tuple(), u = t;
	u.rport++;
	const uint64_t now = 4000000ull, mark = 0x1234567800abcdefull;
	struct synack_tcb tcb;
	struct synack_actions out;

	synack_tcp_isn_ahead(&ctx, &t, mark);
	synack_actions_reset(&out);
	memset(&tcb, 0, sizeof(tcb));
	synack_tcp_connect(&ctx, &tcb, &t, now, &out);
	cr_assert_eq(tcb.iss, synack_isn_clock(now) + (uint32_t)mark, "the value handed ahead is used");
	cr_assert_eq(tcb.ts_offset, (uint32_t)(mark >> 32));

	/* Used once: the next opening on t computes F itself. */
	synack_actions_reset(&out);
	synack_tcp_connect(&ctx, &tcb, &t, now, &out);
	cr_assert_eq(tcb.iss, synack_isn(&ctx.isn_key, &t, now));

	/* Another tuple ignores it (and drops it). */
	synack_tcp_isn_ahead(&ctx, &t, mark);
	synack_actions_reset(&out);
	synack_tcp_connect(&ctx, &tcb, &u, now, &out);
	cr_assert_eq(tcb.iss, synack_isn(&ctx.isn_key, &u, now));
	cr_assert(!ctx.isn_ahead.set);
}
