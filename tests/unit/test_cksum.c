/* test_cksum.c: the Internet checksum against RFC 1071's worked example, a well-known IPv4 header,
 * a pseudo-header taken from a real Linux SYN, and a plain byte-pair reference implementation over
 * every alignment and length; RFC 1624 incremental updates against full recomputation. */
#include <criterion/criterion.h>

#include "testutil.h"
#include <stdlib.h>
#include <string.h>

#include "net/cksum.h"
#include "net/wire.h"

/* Deterministic xorshift32 so that a failure reproduces. */
static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rnd(void) { return tu_xorshift32(&rng_state); }

/* The textbook algorithm, one big-endian 16-bit word at a time: the checksum as a host-order
 * number, i.e. the value of the two bytes on the wire read big-endian. */
static uint16_t ref_cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* synack_cksum_fold()'s result as the host-order number of its wire bytes. */
static uint16_t wire_value(uint16_t c)
{
	uint8_t b[2];

	synack_wr_cksum(b, c);
	return synack_rd16(b);
}

Test(cksum, rfc1071_example)
{
	/* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d. */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t out[2];

	synack_wr_cksum(out, (uint16_t)synack_cksum_add(0, d, sizeof(d)));
	cr_expect_eq(out[0], 0xdd);
	cr_expect_eq(out[1], 0xf2);
	synack_wr_cksum(out, synack_cksum_fold(synack_cksum_add(0, d, sizeof(d))));
	cr_expect_eq(out[0], 0x22);
	cr_expect_eq(out[1], 0x0d);
}

Test(cksum, odd_length_pads_with_zero)
{
	/* 0001 + f203 + f4f5 + f600 = 0x2dcf9 -> dcfb, checksum 2304. */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6 };

	cr_expect_eq(wire_value(synack_cksum_fold(synack_cksum_add(0, d, sizeof(d)))), 0x2304);
	cr_expect_eq(wire_value(synack_cksum_fold(synack_cksum_add(0, d, 1))), (uint16_t)~0x0000);
	cr_expect_eq(wire_value(synack_cksum_fold(synack_cksum_add(0, d + 2, 1))), (uint16_t)~0xf200);
}

Test(cksum, ipv4_header)
{
	/* The usual textbook header (C0A8.0001 -> C0A8.00C7, UDP), checksum b861: bytes only. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	synack_wr_cksum(h + 10, synack_cksum_fold(synack_cksum_add(0, h, sizeof(h))));
	cr_expect_eq(h[10], 0xb8);
	cr_expect_eq(h[11], 0x61);
	/* Receiver's view: summing over a correct checksum gives 0. */
	cr_expect_eq(synack_cksum_fold(synack_cksum_add(0, h, sizeof(h))), 0);
	h[3] ^= 1;
	cr_expect_neq(synack_cksum_fold(synack_cksum_add(0, h, sizeof(h))), 0);
}

/* The inlined 20-byte sum gives exactly what the general one does: the textbook header, headers
 * of all 0xff bytes (every carry taken) and pseudo-random ones. */
Test(cksum, ipv4_hdr_matches_the_loop)
{
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	cr_expect_eq(synack_cksum_ipv4_hdr(h, 20), synack_cksum_add(0, h, 20));
	memset(h, 0xff, sizeof(h));
	cr_expect_eq(synack_cksum_ipv4_hdr(h, 20), synack_cksum_add(0, h, 20));
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (unsigned n = 0; n < 100000; n++) {
		for (unsigned i = 0; i < 20; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly high bytes, so that the carries are exercised. */
			h[i] = (uint8_t)(x & 1 ? 0xff : x >> 8);
		}
		cr_assert_eq(synack_cksum_ipv4_hdr(h, 20), synack_cksum_add(0, h, 20), "header %u", n);
	}
}

/* The short inline sum gives what the general one does for every length up to past its 64-byte
 * limit, every alignment and starting sum, over random and all-0xff bytes; each buffer malloc'd to
 * its exact size, so that ASan catches a load past the end. */
Test(cksum, add_short_matches_the_loop)
{
	static const uint32_t seeds[] = { 0, 1, 0x1234, 0xfffe, 0xffff };
	for (size_t n = 0; n <= 80; n++)
		for (size_t off = 0; off < 4; off++)
			for (int fill = 0; fill < 2; fill++) {
				uint8_t *b = malloc(off + n ? off + n : 1);
				cr_assert_not_null(b);
				for (size_t i = 0; i < off + n; i++)
					b[i] = fill ? 0xff : (uint8_t)rnd();
				for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
					cr_assert_eq(synack_cksum_add_short(seeds[s], b + off, n),
						     synack_cksum_add(seeds[s], b + off, n), "len %zu off %zu seed %#x", n,
						     off, seeds[s]);
				free(b);
			}
}

Test(cksum, empty_and_zero)
{
	uint8_t z[64] = { 0 };

	cr_expect_eq(synack_cksum_add(0, z, 0), 0);
	cr_expect_eq(synack_cksum_add(0x1234, z, 0), 0x1234);
	cr_expect_eq(synack_cksum_add(0, z, sizeof(z)), 0);
	cr_expect_eq(synack_cksum_fold(0), 0xffff);
	cr_expect_eq(synack_cksum_fold(0xffff), 0);
	/* Folding keeps the end-around carry: 0x1fffe == 0xffff in ones' complement. */
	cr_expect_eq(synack_cksum_fold(0x1fffe), 0);
}

Test(cksum, every_alignment_and_length)
{
	uint8_t big[600];
	size_t off, n, i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)rnd();
	/* Heavy 0xff data drives every carry path. */
	memset(big + 300, 0xff, 200);
	for (off = 0; off < 8; off++)
		for (n = 0; n <= 520; n++)
			cr_assert_eq(wire_value(synack_cksum_fold(synack_cksum_add(0, big + off, n))),
				     ref_cksum(big + off, n), "off %zu len %zu", off, n);
}

Test(cksum, exact_size_buffers)
{
	/* malloc'd exactly, so that ASan catches a word load past the end. */
	size_t n, i;

	for (n = 1; n <= 70; n++) {
		uint8_t *p = malloc(n);

		cr_assert_not_null(p);
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)rnd();
		cr_assert_eq(wire_value(synack_cksum_fold(synack_cksum_add(0, p, n))), ref_cksum(p, n));
		free(p);
	}
}

Test(cksum, chaining_even_blocks)
{
	uint8_t d[256];
	size_t i, cut;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)rnd();
	for (cut = 0; cut <= sizeof(d); cut += 2) {
		uint32_t s = synack_cksum_add(synack_cksum_add(0, d, cut), d + cut, sizeof(d) - cut);

		cr_assert_eq(synack_cksum_fold(s), synack_cksum_fold(synack_cksum_add(0, d, sizeof(d))));
		cr_assert_leq(s, 0xffff);
	}
	/* Partial sums are folded, so they may be added with +. */
	cr_expect_eq(synack_cksum_fold(synack_cksum_add(0, d, 100) + synack_cksum_add(0, d + 100, 156)),
		     synack_cksum_fold(synack_cksum_add(0, d, sizeof(d))));
}

Test(cksum, pseudo_header_from_linux_syn)
{
	/* A Linux SYN 198.18.0.2 -> 198.18.0.1 with 40 bytes of TCP, sent with checksum offload, left
	 * the pseudo-header sum 0x8c56 in its checksum field. */
	uint32_t p = synack_cksum_pseudo_ipv4(0xc6120002, 0xc6120001, 6, 40);
	uint8_t b[2];

	cr_expect_leq(p, 0xffff);
	synack_wr_cksum(b, (uint16_t)p);
	cr_expect_eq(b[0], 0x8c);
	cr_expect_eq(b[1], 0x56);
}

Test(cksum, pseudo_header_matches_byte_sum)
{
	int i;

	for (i = 0; i < 1000; i++) {
		uint32_t sa = rnd(), da = rnd();
		uint8_t proto = (uint8_t)rnd();
		uint16_t len = (uint16_t)rnd();
		uint8_t ph[12];

		synack_wr32(ph, sa);
		synack_wr32(ph + 4, da);
		ph[8] = 0;
		ph[9] = proto;
		synack_wr16(ph + 10, len);
		cr_assert_eq(synack_cksum_fold(synack_cksum_pseudo_ipv4(sa, da, proto, len)),
			     synack_cksum_fold(synack_cksum_add(0, ph, sizeof(ph))));
	}
}

Test(cksum, update16_equals_recompute)
{
	uint8_t d[40];
	int iter;

	for (iter = 0; iter < 5000; iter++) {
		size_t i, w = (rnd() % 20) * 2;
		uint16_t c, c_upd, old_word, new_word;

		for (i = 0; i < sizeof(d); i++)
			d[i] = (uint8_t)rnd();
		if (iter % 7 == 0)
			memset(d, 0, sizeof(d));        /* sums near zero */
		if (iter % 11 == 0)
			memset(d, 0xff, sizeof(d));
		c = synack_cksum_fold(synack_cksum_add(0, d, sizeof(d)));
		memcpy(&old_word, d + w, 2);
		new_word = (uint16_t)rnd();
		if (iter % 5 == 0)
			new_word = (uint16_t)(iter & 1 ? 0 : 0xffff);
		memcpy(d + w, &new_word, 2);
		c_upd = synack_cksum_update16(c, old_word, new_word);
		if (iter % 7 == 0 && new_word == 0)
			continue;       /* all-zero data: ones' complement zero has two forms */
		cr_assert_eq(c_upd, synack_cksum_fold(synack_cksum_add(0, d, sizeof(d))), "iter %d", iter);
	}
}

Test(cksum, update16_host_order)
{
	/* The same update done entirely in host order (the IP TTL/protocol word, as a router would). */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t old_word = synack_rd16(h + 8), new_word = (uint16_t)(old_word - 0x0100);
	uint16_t c = synack_cksum_update16(synack_rd16(h + 10), old_word, new_word);

	synack_wr16(h + 8, new_word);
	synack_wr16(h + 10, c);
	cr_expect_eq(synack_cksum_fold(synack_cksum_add(0, h, sizeof(h))), 0);
	cr_expect_eq(c, ref_cksum((const uint8_t[]){ 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
						     0x3f, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
						     0xc0, 0xa8, 0x00, 0xc7 }, 20));
}

Test(cksum, update32_equals_recompute)
{
	uint8_t d[60];
	int iter;

	for (iter = 0; iter < 5000; iter++) {
		size_t i, w = (rnd() % 14) * 4 + (iter & 1) * 2;  /* 16-bit aligned, not 32 */
		uint16_t c, c_mem, c_host;
		uint32_t old_mem, new_mem, old_host, new_host;

		for (i = 0; i < sizeof(d); i++)
			d[i] = (uint8_t)rnd();
		c = synack_cksum_fold(synack_cksum_add(0, d, sizeof(d)));
		memcpy(&old_mem, d + w, 4);
		old_host = synack_rd32(d + w);
		new_host = rnd();

		synack_wr32(d + w, new_host);
		memcpy(&new_mem, d + w, 4);
		/* Memory order throughout ... */
		c_mem = synack_cksum_update32(c, old_mem, new_mem);
		cr_assert_eq(c_mem, synack_cksum_fold(synack_cksum_add(0, d, sizeof(d))), "iter %d", iter);
		/* ... or host order throughout. */
		c_host = synack_cksum_update32(wire_value(c), old_host, new_host);
		cr_assert_eq(c_host, wire_value(c_mem), "iter %d", iter);
	}
}
