/* test_steer.c: flow steering for active opens (lib/dpdk/steer.c). rte_softrss against the
 * published Toeplitz verification vectors (Microsoft's "Verifying the RSS Hash Calculation", the
 * same suite as the Intel 82599 datasheet's), synack_steer_hash against a bit-by-bit Toeplitz
 * written from the specification's pseudocode over the packet's bytes, the queue lookup, and
 * pick_lport's promise (the reply lands on the asked queue, found in few tries, never a busy port)
 * for 1..8 queues under the Microsoft key and synack's built-in 0x4d16 key. The last test reads a
 * started port: EAL on net_null, the one PMD that reports its key and RETA without hardware.
 * Everything but that test runs without EAL: rte_softrss is inline arithmetic. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_thash.h>

#include "dpdk/steer.h"

/* The well-known 40-byte key of the verification suite. */
static const uint8_t ms_key[40] __attribute__((aligned(4))) = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* The IPv4 rows of the suite: the packet's source and destination, the hash over the addresses
 * alone ("IPv4") and over addresses and TCP ports ("IPv4 with TCP"). */
struct vector {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t h_ip, h_tcp;
};

static const struct vector vectors[] = {
	{ IP4(66, 9, 149, 187), IP4(161, 142, 100, 80), 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ IP4(199, 92, 111, 2), IP4(65, 69, 140, 83), 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ IP4(24, 19, 198, 95), IP4(12, 22, 207, 184), 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ IP4(38, 27, 205, 30), IP4(209, 142, 163, 6), 48228, 2217, 0x82989176, 0xafc7327f },
	{ IP4(153, 39, 163, 191), IP4(202, 188, 127, 2), 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

/* synack's built-in key ("rss_key = default", lib/dpdk/config.c): 0x4d16 repeated. */
static void builtin_key(uint8_t *key, unsigned len)
{
	for (unsigned i = 0; i < len; i += 2) {
		key[i] = 0x4d;
		key[i + 1] = 0x16;
	}
}

/* xorshift64*: a fixed seed, so that a failure replays. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Toeplitz as the specification states it, independent of DPDK: for each input bit from the
 * left, if set, XOR in the key's leftmost 32 bits; then shift the key left by one. The input is
 * the packet's bytes in wire order: source address, destination address, source port,
 * destination port. */
static uint32_t ref_toeplitz(const uint8_t *key, unsigned key_len, uint32_t saddr, uint32_t daddr, uint16_t sport,
			     uint16_t dport)
{
	uint8_t in[12] = {
		(uint8_t)(saddr >> 24), (uint8_t)(saddr >> 16), (uint8_t)(saddr >> 8), (uint8_t)saddr,
		(uint8_t)(daddr >> 24), (uint8_t)(daddr >> 16), (uint8_t)(daddr >> 8), (uint8_t)daddr,
		(uint8_t)(sport >> 8),  (uint8_t)sport,         (uint8_t)(dport >> 8), (uint8_t)dport,
	};
	uint32_t h = 0;
	for (unsigned bit = 0; bit < 96; bit++) {
		if (!(in[bit / 8] & (0x80u >> (bit % 8))))
			continue;
		uint32_t window = 0; /* key bits [bit, bit + 32) */
		for (unsigned k = 0; k < 32; k++) {
			unsigned kb = bit + k;
			unsigned v = kb / 8 < key_len ? (key[kb / 8] >> (7 - kb % 8)) & 1u : 0u;
			window = window << 1 | v;
		}
		h ^= window;
	}
	return h;
}

/* ---- the hash ---- */

Test(steer_hash, published_vectors_with_rte_softrss)
{
	uint8_t key_be[40] __attribute__((aligned(4)));
	rte_convert_rss_key((const uint32_t *)ms_key, (uint32_t *)key_be, (int)sizeof(ms_key));
	struct synack_steer s;
	uint16_t reta[128];
	synack_steer_default_reta(reta, 128, 4);
	cr_assert_eq(synack_steer_init(&s, ms_key, sizeof(ms_key), reta, 128, 4), 0);
	for (unsigned i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		/* The tuple as rte_thash.h documents it: every field in CPU byte order. */
		union rte_thash_tuple t;
		memset(&t, 0, sizeof(t));
		t.v4.src_addr = v->src;
		t.v4.dst_addr = v->dst;
		t.v4.sport = v->sport;
		t.v4.dport = v->dport;
		uint32_t ip = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L3_LEN, ms_key);
		uint32_t tcp = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, ms_key);
		cr_expect_eq(ip, v->h_ip, "row %u IPv4: rte_softrss %#010x, published %#010x", i, ip, v->h_ip);
		cr_expect_eq(tcp, v->h_tcp, "row %u IPv4+TCP: rte_softrss %#010x, published %#010x", i, tcp, v->h_tcp);
		/* The converted key and the fast variant give the same numbers. */
		cr_expect_eq(rte_softrss_be((uint32_t *)&t, RTE_THASH_V4_L3_LEN, key_be), v->h_ip, "row %u", i);
		cr_expect_eq(rte_softrss_be((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key_be), v->h_tcp, "row %u", i);
		/* So do synack's entry point and the bit-by-bit reference. */
		cr_expect_eq(synack_steer_hash(&s, v->src, v->dst, v->sport, v->dport), v->h_tcp, "row %u", i);
		cr_expect_eq(ref_toeplitz(ms_key, sizeof(ms_key), v->src, v->dst, v->sport, v->dport), v->h_tcp,
			     "row %u: the reference itself", i);
	}
}

Test(steer_hash, matches_reference_on_random_tuples_and_keys)
{
	rng_seed(0x5eed0001);
	uint8_t key[52];
	uint16_t reta[64];
	synack_steer_default_reta(reta, 64, 2);
	for (unsigned round = 0; round < 64; round++) {
		/* Random keys of both lengths PMDs take, then the two keys the tests below use. */
		unsigned len = round % 2 ? 52 : 40;
		if (round == 62)
			memcpy(key, ms_key, len = 40);
		else if (round == 63)
			builtin_key(key, len = 52);
		else
			for (unsigned i = 0; i < len; i++)
				key[i] = (uint8_t)rng();
		struct synack_steer s;
		cr_assert_eq(synack_steer_init(&s, key, len, reta, 64, 2), 0);
		/* The identity RETA of 512 entries, one queue each: the queue is the hash's low 9 bits,
		 * which synack_steer_queue takes from its per-byte tables rather than rte_softrss. */
		static uint16_t ident[512];
		for (unsigned i = 0; i < 512; i++)
			ident[i] = (uint16_t)i;
		static struct synack_steer s9;
		cr_assert_eq(synack_steer_init(&s9, key, len, ident, 512, 512), 0);
		for (unsigned n = 0; n < 500; n++) {
			uint32_t sa = rng(), da = rng();
			uint16_t sp = (uint16_t)rng(), dp = (uint16_t)rng();
			uint32_t want = ref_toeplitz(key, len, sa, da, sp, dp);
			uint32_t got = synack_steer_hash(&s, sa, da, sp, dp);
			cr_assert_eq(got, want, "round %u: %#x:%u -> %#x:%u: %#010x, reference %#010x", round, sa, sp, da,
				     dp, got, want);
			cr_assert_eq(synack_steer_queue(&s9, sa, da, sp, dp), want & 511u, "round %u", round);
		}
	}
}

Test(steer_hash, builtin_key_is_symmetric)
{
	/* Why synack ships it: a connection's two directions share a hash, hence a queue. */
	uint8_t key[40];
	builtin_key(key, sizeof(key));
	uint16_t reta[128];
	synack_steer_default_reta(reta, 128, 4);
	struct synack_steer s;
	cr_assert_eq(synack_steer_init(&s, key, sizeof(key), reta, 128, 4), 0);
	rng_seed(0x5eed0002);
	for (unsigned n = 0; n < 10000; n++) {
		uint32_t a = rng(), b = rng();
		uint16_t x = (uint16_t)rng(), y = (uint16_t)rng();
		cr_assert_eq(synack_steer_hash(&s, a, b, x, y), synack_steer_hash(&s, b, a, y, x));
	}
}

/* ---- the queue ---- */

Test(steer_queue, is_the_reta_entry_at_the_low_bits)
{
	rng_seed(0x5eed0003);
	static const unsigned sizes[] = { 1, 2, 64, 128, 256, 512 };
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned rs = sizes[k];
		for (unsigned nq = 1; nq <= 16 && nq <= rs; nq++) {
			/* A shuffled table that still names every queue, unlike the round-robin default. */
			uint16_t reta[SYNACK_STEER_RETA_MAX];
			synack_steer_default_reta(reta, rs, nq);
			for (unsigned i = rs - 1; i > 0; i--) {
				unsigned j = rng() % (i + 1);
				uint16_t t = reta[i];
				reta[i] = reta[j];
				reta[j] = t;
			}
			struct synack_steer s;
			cr_assert_eq(synack_steer_init(&s, ms_key, sizeof(ms_key), reta, rs, nq), 0);
			cr_assert_eq(s.enabled, nq > 1);
			for (unsigned n = 0; n < 2000; n++) {
				uint32_t sa = rng(), da = rng();
				uint16_t sp = (uint16_t)rng(), dp = (uint16_t)rng();
				uint32_t h = ref_toeplitz(ms_key, sizeof(ms_key), sa, da, sp, dp);
				unsigned q = synack_steer_queue(&s, sa, da, sp, dp);
				cr_assert_eq(q, reta[h & (rs - 1)], "reta %u, %u queues", rs, nq);
				cr_assert_lt(q, nq);
			}
		}
	}
}

Test(steer_queue, default_reta_is_round_robin)
{
	uint16_t reta[512];
	for (unsigned nq = 1; nq <= 8; nq++) {
		synack_steer_default_reta(reta, 512, nq);
		for (unsigned i = 0; i < 512; i++)
			cr_assert_eq(reta[i], i % nq);
	}
	synack_steer_default_reta(reta, 4, 0); /* no queues reads as one */
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(reta[i], 0);
}

Test(steer_queue, init_refuses_what_it_cannot_model)
{
	struct synack_steer s;
	uint16_t reta[512];
	synack_steer_default_reta(reta, 512, 4);
	uint8_t key[64];
	builtin_key(key, sizeof(key));
	cr_expect_eq(synack_steer_init(&s, key, 12, reta, 128, 4), -EINVAL, "shorter than the 16 bytes read");
	cr_expect_eq(synack_steer_init(&s, key, 42, reta, 128, 4), -EINVAL, "not whole words");
	cr_expect_eq(synack_steer_init(&s, key, 56, reta, 128, 4), -EINVAL, "longer than 52");
	cr_expect_eq(synack_steer_init(&s, NULL, 40, reta, 128, 4), -EINVAL);
	cr_expect_eq(synack_steer_init(&s, key, 40, NULL, 128, 4), -EINVAL);
	cr_expect_eq(synack_steer_init(&s, key, 40, reta, 0, 4), -EINVAL);
	cr_expect_eq(synack_steer_init(&s, key, 40, reta, 96, 4), -EINVAL, "not a power of two");
	cr_expect_eq(synack_steer_init(&s, key, 40, reta, 1024, 4), -EINVAL, "past 512");
	cr_expect_eq(synack_steer_init(&s, key, 40, reta, 128, 0), -EINVAL);
	cr_expect_eq(synack_steer_init(&s, key, 40, reta, 2, 4), -EINVAL, "more queues than entries");
	cr_expect_eq(synack_steer_init(&s, key, 40, reta, 128, 3), -EINVAL, "an entry past the queues");
	cr_expect_not(s.enabled, "a refused init leaves the model off");
	uint16_t gap[8] = { 0, 1, 3, 0, 1, 3, 0, 1 };
	cr_expect_eq(synack_steer_init(&s, key, 40, gap, 8, 4), -EINVAL, "queue 2 would get no replies");
	cr_expect_eq(synack_steer_init(&s, key, 16, reta, 128, 4), 0);
	cr_expect_eq(synack_steer_init(&s, key, 52, reta, 512, 4), 0);
	cr_expect(s.enabled);
	uint16_t zeros[128] = { 0 };
	cr_expect_eq(synack_steer_init(&s, key, 40, zeros, 128, 1), 0);
	cr_expect_not(s.enabled, "one queue: nothing to steer");
}

/* ---- the local port ---- */

#define LO 10000u
#define HI 65535u

struct usage {
	uint8_t busy[65536];
	unsigned calls;
};

static bool is_busy(void *arg, uint16_t lport)
{
	struct usage *u = arg;
	u->calls++;
	return u->busy[lport] != 0;
}

/* How far the cursor moved: the number of candidates pick_lport looked at. */
static unsigned moved(uint32_t before, uint32_t after)
{
	uint32_t span = HI - LO + 1;
	return (after + span - before % span) % span;
}

Test(steer_pick, reply_lands_on_the_queue_in_few_tries)
{
	uint8_t builtin[40];
	builtin_key(builtin, sizeof(builtin));
	const struct {
		const char *name;
		const uint8_t *key;
	} keys[] = { { "Microsoft 6d5a56da..", ms_key }, { "synack 0x4d16", builtin } };
	static const unsigned reta_sizes[] = { 128, 512 };
	fprintf(stderr, "steer_pick: 1,000 random peers x every queue; candidates looked at per pick\n");
	fprintf(stderr, "  %-21s %5s %6s %8s %5s\n", "key", "reta", "queues", "average", "worst");
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned r = 0; r < 2; r++) {
			unsigned rs = reta_sizes[r];
			for (unsigned nq = 1; nq <= 8; nq++) {
				uint16_t reta[SYNACK_STEER_RETA_MAX];
				synack_steer_default_reta(reta, rs, nq);
				struct synack_steer s;
				cr_assert_eq(synack_steer_init(&s, keys[k].key, 40, reta, rs, nq), 0);
				rng_seed(0x5eed0100 + nq);
				unsigned long total = 0, picks = 0;
				unsigned worst = 0;
				uint32_t laddr = IP4(198, 18, 0, 1);
				for (unsigned peer = 0; peer < 1000; peer++) {
					uint32_t raddr = rng();
					uint16_t rport = (uint16_t)(rng() | 1u);
					for (unsigned q = 0; q < nq; q++) {
						/* A cursor anywhere: workers start where they left off. */
						uint32_t cursor = rng(), before = cursor;
						uint16_t lport = synack_steer_pick_lport(&s, laddr, raddr, rport, q, LO, HI,
											 &cursor, NULL, NULL, 4096);
						cr_assert_neq(lport, 0, "%s, %u queues: no port for queue %u", keys[k].name,
							      nq, q);
						cr_assert(lport >= LO);
						/* The reply: from the peer to us. Checked with the full hash and
						 * with the reference, not with pick_lport's tables. */
						cr_assert_eq(synack_steer_queue(&s, raddr, laddr, rport, lport), q);
						uint32_t h = ref_toeplitz(keys[k].key, 40, raddr, laddr, rport, lport);
						cr_assert_eq(reta[h & (rs - 1)], q);
						unsigned tries = moved(before, cursor);
						cr_assert_eq(LO + (before % (HI - LO + 1) + tries - 1) % (HI - LO + 1), lport,
							     "the cursor stops just past the port returned");
						total += tries;
						picks++;
						if (tries > worst)
							worst = tries;
					}
				}
				double avg = (double)total / (double)picks;
				fprintf(stderr, "  %-21s %5u %6u %8.2f %5u\n", keys[k].name, rs, nq, avg, worst);
				/* A uniform RETA hands each queue 1/nq of the ports: about nq tries, more
				 * where a key lets runs of consecutive ports share a queue (the Microsoft
				 * key: the hash's low bits do not follow the port's low bits). */
				cr_expect_leq(avg, 3.0 * nq, "%s, reta %u, %u queues: %.2f tries", keys[k].name, rs, nq,
					      avg);
				cr_expect_leq(worst, 64u, "%s, reta %u, %u queues", keys[k].name, rs, nq);
				/* The built-in key was chosen so that any aligned run of 2^k consecutive
				 * ports covers 2^k queues: from any start, 2 * nq - 1 ports hold one run. */
				if (k == 1 && (nq & (nq - 1)) == 0)
					cr_expect_leq(worst, 2 * nq - 1, "built-in key, %u queues", nq);
			}
		}
	}
}

Test(steer_pick, skips_busy_ports_and_goes_round_the_range)
{
	uint8_t key[40];
	builtin_key(key, sizeof(key));
	uint16_t reta[128];
	synack_steer_default_reta(reta, 128, 4);
	struct synack_steer s;
	cr_assert_eq(synack_steer_init(&s, key, sizeof(key), reta, 128, 4), 0);
	static struct usage u;
	memset(&u, 0, sizeof(u));
	uint32_t laddr = IP4(198, 18, 0, 1), raddr = IP4(198, 19, 0, 1);
	/* Every fourth port is taken by someone (a listener, a live connection, TIME-WAIT). */
	for (unsigned p = LO; p <= HI; p += 4)
		u.busy[p] = 1;
	uint32_t cursor = 0;
	unsigned got = 0;
	for (;;) {
		uint16_t lport = synack_steer_pick_lport(&s, laddr, raddr, 80, 2, LO, HI, &cursor, is_busy, &u, 65536);
		if (!lport)
			break;
		cr_assert_eq(u.busy[lport], 0, "port %u was busy", lport);
		cr_assert_eq(synack_steer_queue(&s, raddr, laddr, 80, lport), 2);
		u.busy[lport] = 2; /* now in use: the next pick must move on */
		got++;
	}
	/* Every free port of queue 2 was handed out once, then none: the range is exhausted. */
	unsigned want = 0;
	for (unsigned p = LO; p <= HI; p++)
		want += (p - LO) % 4 != 0 && synack_steer_queue(&s, raddr, laddr, 80, (uint16_t)p) == 2;
	cr_assert_eq(got, want);
	cr_assert_gt(got, 10000u);
	/* busy() is asked only about ports that already map to the queue. */
	cr_assert_leq(u.calls, 2 * (HI - LO + 1) / 4 + 2 * got + 8);
}

Test(steer_pick, bounded_and_refusing)
{
	uint16_t reta[128];
	synack_steer_default_reta(reta, 128, 8);
	struct synack_steer s;
	cr_assert_eq(synack_steer_init(&s, ms_key, sizeof(ms_key), reta, 128, 8), 0);
	uint32_t cursor = 0;
	static struct usage u;
	memset(&u, 0, sizeof(u));
	memset(u.busy, 1, sizeof(u.busy));
	/* Everything busy: 0 after exactly max_tries candidates (the cursor says so). */
	cr_assert_eq(synack_steer_pick_lport(&s, 1, 2, 3, 0, LO, HI, &cursor, is_busy, &u, 1000), 0);
	cr_assert_eq(cursor, 1000u);
	/* A range shorter than max_tries is looked at once, not more. */
	cursor = 5;
	u.calls = 0;
	cr_assert_eq(synack_steer_pick_lport(&s, 1, 2, 3, 0, 100, 163, &cursor, is_busy, &u, 100000), 0);
	cr_assert_eq(cursor, 5u);
	cr_assert_leq(u.calls, 64u);
	/* No such queue, an empty range, no cursor. */
	cr_assert_eq(synack_steer_pick_lport(&s, 1, 2, 3, 8, LO, HI, &cursor, NULL, NULL, 1000), 0);
	cr_assert_eq(synack_steer_pick_lport(&s, 1, 2, 3, 0, 200, 100, &cursor, NULL, NULL, 1000), 0);
	cr_assert_eq(synack_steer_pick_lport(&s, 1, 2, 3, 0, LO, HI, NULL, NULL, NULL, 1000), 0);
	/* Port 0 is never an answer, even when the range starts there. */
	for (unsigned q = 0; q < 8; q++) {
		cursor = 0;
		uint16_t p = synack_steer_pick_lport(&s, 1, 2, 3, q, 0, 255, &cursor, NULL, NULL, 1000);
		cr_assert_neq(p, 0u, "queue %u among ports 1..255", q);
		cr_assert_eq(synack_steer_queue(&s, 2, 1, 3, p), q);
	}
}

/* ---- a started port ---- */

/* EAL makes a runtime directory even with --no-shconf and leaves it: removed after the test,
 * passed or failed (a failed assertion still runs .fini). */
static char eal_rundir[PATH_MAX];

static void eal_stop(void)
{
	if (!eal_rundir[0])
		return;
	uint16_t pid;
	RTE_ETH_FOREACH_DEV(pid) {
		rte_eth_dev_stop(pid);
		rte_eth_dev_close(pid);
	}
	rte_eal_cleanup();
	if (rmdir(eal_rundir) != 0)
		fprintf(stderr, "steer_port: cannot remove %s: %s\n", eal_rundir, strerror(errno));
}

/* EAL without hugepages, PCI or shared config files, on net_null (which keeps a RETA and a
 * key and reports both). Criterion runs each test in its own process, so EAL starts here alone. */
Test(steer_port, reads_key_and_reta_of_a_started_port, .fini = eal_stop)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=synack-steer-%d", (int)getpid());
	char *argv[] = { "synack-steer-test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", prefix,
			 "-m", "64", "-l", "0", "--log-level", "lib.*:error", "--vdev", "net_null0", "--vdev",
			 "net_null1", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	if (rte_eal_init(argc, argv) < 0)
		cr_skip_test("EAL does not start here: %s", rte_strerror(rte_errno));
	snprintf(eal_rundir, sizeof(eal_rundir), "%s", rte_eal_get_runtime_dir());
	cr_assert_geq(rte_eth_dev_count_avail(), 2u);
	struct rte_mempool *mp = rte_pktmbuf_pool_create("steer", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	cr_assert_not_null(mp);

	uint8_t key[40] __attribute__((aligned(4)));
	builtin_key(key, sizeof(key));
	for (uint16_t pid = 0; pid < 2; pid++) {
		struct rte_eth_dev_info info;
		cr_assert_eq(rte_eth_dev_info_get(pid, &info), 0);
		struct rte_eth_conf conf;
		memset(&conf, 0, sizeof(conf));
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(key);
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP & info.flow_type_rss_offloads;
		cr_assert_eq(rte_eth_dev_configure(pid, 4, 1, &conf), 0);
		for (uint16_t q = 0; q < 4; q++)
			cr_assert_eq(rte_eth_rx_queue_setup(pid, q, 64, 0, NULL, mp), 0);
		cr_assert_eq(rte_eth_tx_queue_setup(pid, 0, 64, 0, NULL), 0);
		cr_assert_eq(rte_eth_dev_start(pid), 0);
	}

	/* Port 0: net_null keeps its own key whatever it was configured with, and its RETA starts
	 * all zeros (no queue but 0 named: refused). Give it synack's key and a reversed RETA, as a
	 * NIC might hold them, and read them back. */
	struct rte_eth_dev_info info;
	cr_assert_eq(rte_eth_dev_info_get(0, &info), 0);
	unsigned rs = info.reta_size;
	cr_assert(rs >= 64 && rs <= SYNACK_STEER_RETA_MAX && (rs & (rs - 1)) == 0, "net_null reta_size %u", rs);
	struct synack_steer s;
	cr_assert_eq(synack_steer_from_port(&s, 0, 4), -ENOTSUP, "an all-zero RETA leaves queues 1..3 out");
	cr_assert_not(s.enabled);

	struct rte_eth_rss_reta_entry64 grp[SYNACK_STEER_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	memset(grp, 0, sizeof(grp));
	for (unsigned i = 0; i < rs; i++) {
		grp[i / 64].mask |= 1ull << (i % 64);
		grp[i / 64].reta[i % 64] = (uint16_t)(3 - i % 4);
	}
	cr_assert_eq(rte_eth_dev_rss_reta_update(0, grp, (uint16_t)rs), 0);
	cr_assert_eq(rte_eth_dev_rss_reta_update(1, grp, (uint16_t)rs), 0);
	struct rte_eth_rss_conf rss = { .rss_key = key, .rss_key_len = sizeof(key),
					.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP };
	cr_assert_eq(rte_eth_dev_rss_hash_update(0, &rss), 0);
	cr_assert_eq(synack_steer_from_port(&s, 0, 4), 0);
	cr_assert(s.enabled);
	cr_assert(s.key_from_pmd);
	cr_assert(s.reta_from_pmd);
	cr_assert_eq(s.reta_size, rs);
	cr_assert_eq(s.nb_queues, 4);
	cr_assert_eq(memcmp(s.key, key, 16), 0, "the key's first 16 bytes, all an IPv4/TCP hash reads");
	for (unsigned i = 0; i < rs; i++)
		cr_assert_eq(s.reta[i], 3 - i % 4, "entry %u", i);
	/* And the model steers with what it read. */
	uint32_t cursor = 0;
	uint16_t lp = synack_steer_pick_lport(&s, IP4(198, 18, 0, 1), IP4(198, 19, 0, 9), 443, 1, LO, HI, &cursor,
					      NULL, NULL, 4096);
	cr_assert_neq(lp, 0);
	uint32_t h = ref_toeplitz(key, sizeof(key), IP4(198, 19, 0, 9), IP4(198, 18, 0, 1), 443, lp);
	cr_assert_eq(3 - (h & (rs - 1)) % 4, 1u);

	/* Port 1, the same RETA, hashes only addresses: no local port can steer, whatever the key. */
	rss.rss_hf = RTE_ETH_RSS_IPV4;
	cr_assert_eq(rte_eth_dev_rss_hash_update(1, &rss), 0);
	cr_assert_eq(synack_steer_from_port(&s, 1, 4), -ENOTSUP);
	cr_assert_not(s.enabled);
	/* One queue, or no such port. */
	cr_assert_eq(synack_steer_from_port(&s, 0, 1), -ENOTSUP);
	cr_assert_lt(synack_steer_from_port(&s, 77, 4), 0);
	cr_assert_not(s.enabled);
}
