/* test_syncookie.c: RFC 4987 §3.6 SYN cookies: make/check round trips (MSS table, options carried
 * in the timestamp), expiry after two ticks, forgeries rejected, TSval never ahead of the clock. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "tcp/syncookie.h"

#define TICK SYNACK_COOKIE_TICK_NS

static const uint8_t cookie_secret[16] = {
	0xa5, 0x10, 0x7c, 0x33, 0xee, 0x02, 0x9b, 0x48, 0x61, 0xd7, 0x2a, 0xf0, 0x0c, 0x85, 0x4e, 0xb9,
};

static const uint16_t mss_tab[8] = {536, 1220, 1300, 1380, 1420, 1440, 1460, 8960};

/* A plausible "now": far from 0, mid-tick. */
static const uint64_t t0 = 1000ull * TICK + 12345678901ull;

static struct synack_seg make_syn(uint32_t irs)
{
	struct synack_seg s;

	memset(&s, 0, sizeof s);
	s.saddr = 0xc0a80a02u;  /* the peer */
	s.sport = 51234;
	s.daddr = 0x0a000001u;  /* us */
	s.dport = 443;
	s.seq = irs;
	s.flags = SYNACK_TH_SYN;
	s.wnd = 64240;
	return s;
}

/* The third segment of the handshake, as the peer sends it. */
static struct synack_seg make_ack(const struct synack_seg *syn, uint32_t cookie)
{
	struct synack_seg a;

	memset(&a, 0, sizeof a);
	a.saddr = syn->saddr;
	a.sport = syn->sport;
	a.daddr = syn->daddr;
	a.dport = syn->dport;
	a.seq = syn->seq + 1;
	a.ack = cookie + 1;
	a.flags = SYNACK_TH_ACK;
	a.wnd = 502;
	return a;
}

static uint64_t test_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

Test(syncookie, round_trip_each_mss_entry)
{
	for (unsigned i = 0; i < 8; i++) {
		/* The exact entry, and one above it, both give the entry. */
		for (unsigned plus = 0; plus < 2; plus++) {
			struct synack_seg syn = make_syn(0x11223344u + i);
			struct synack_cookie_info ci;
			uint16_t mss = 0;

			syn.opts.present = SYNACK_OPT_MSS;
			syn.opts.mss = (uint16_t)(mss_tab[i] + plus);
			uint32_t c = synack_cookie_make(cookie_secret, &syn, t0, &mss);
			cr_assert_eq(mss, mss_tab[i], "peer mss %u", syn.opts.mss);
			cr_assert_eq((c >> 24) & 7u, i, "mss index bits");

			struct synack_seg ack = make_ack(&syn, c);
			memset(&ci, 0xaa, sizeof ci);
			cr_assert(synack_cookie_check(cookie_secret, &ack, t0, &ci), "entry %u", i);
			cr_assert_eq(ci.mss, mss_tab[i]);
			cr_assert_eq(ci.has_ts, 0);
			cr_assert_eq(ci.has_wscale, 0);
			cr_assert_eq(ci.sack_ok, 0);
		}
		/* One below an entry rounds down to the previous one. */
		if (i > 0) {
			struct synack_seg syn = make_syn(7);
			uint16_t mss = 0;

			syn.opts.present = SYNACK_OPT_MSS;
			syn.opts.mss = (uint16_t)(mss_tab[i] - 1);
			(void)synack_cookie_make(cookie_secret, &syn, t0, &mss);
			cr_assert_eq(mss, mss_tab[i - 1], "peer mss %u", syn.opts.mss);
		}
	}
}

Test(syncookie, mss_defaults_and_extremes)
{
	struct synack_seg syn = make_syn(99);
	uint16_t mss = 0;

	/* No MSS option: RFC 9293 §3.7.1's 536. */
	(void)synack_cookie_make(cookie_secret, &syn, t0, &mss);
	cr_assert_eq(mss, 536);
	syn.opts.present = SYNACK_OPT_MSS;
	syn.opts.mss = 65535;
	(void)synack_cookie_make(cookie_secret, &syn, t0, &mss);
	cr_assert_eq(mss, 8960);
	syn.opts.mss = 1400;
	(void)synack_cookie_make(cookie_secret, &syn, t0, &mss);
	cr_assert_eq(mss, 1380);
	/* Below the table: the smallest entry (documented in syncookie.c). */
	syn.opts.mss = 100;
	(void)synack_cookie_make(cookie_secret, &syn, t0, &mss);
	cr_assert_eq(mss, 536);
	/* mss_out may be NULL. */
	(void)synack_cookie_make(cookie_secret, &syn, t0, NULL);
}

Test(syncookie, with_timestamps_wscale_and_sack_decoded)
{
	for (unsigned ws = 0; ws <= 16; ws++) {
		for (unsigned sack = 0; sack < 2; sack++) {
			struct synack_seg syn = make_syn(0xfffffff0u + ws); /* seq wraps for some */
			struct synack_cookie_info ci;
			const uint32_t ts_now = 0x12345678u + ws * 977u;

			syn.opts.present = SYNACK_OPT_MSS | SYNACK_OPT_TS | SYNACK_OPT_WSCALE;
			if (sack)
				syn.opts.present |= SYNACK_OPT_SACK_OK;
			syn.opts.mss = 1460;
			syn.opts.wscale = (uint8_t)ws;
			syn.opts.tsval = 0xdeadbeefu;

			uint32_t c = synack_cookie_make(cookie_secret, &syn, t0, NULL);
			uint32_t tsval = synack_cookie_tsval(ts_now, &syn.opts);
			struct synack_seg ack = make_ack(&syn, c);
			ack.opts.present = SYNACK_OPT_TS;
			ack.opts.tsval = 0xdeadbef0u;
			ack.opts.tsecr = tsval;

			cr_assert(synack_cookie_check(cookie_secret, &ack, t0 + 1000000, &ci));
			cr_assert_eq(ci.mss, 1460);
			cr_assert_eq(ci.has_ts, 1);
			cr_assert_eq(ci.has_wscale, 1, "ws %u", ws);
			/* RFC 7323 §2.3: above 14 is taken as 14. */
			cr_assert_eq(ci.wscale, ws > 14 ? 14 : ws, "ws %u", ws);
			cr_assert_eq(ci.sack_ok, sack);
		}
	}
}

Test(syncookie, with_timestamps_no_wscale)
{
	for (unsigned sack = 0; sack < 2; sack++) {
		struct synack_seg syn = make_syn(12345);
		struct synack_cookie_info ci;

		syn.opts.present = SYNACK_OPT_TS | (sack ? SYNACK_OPT_SACK_OK : 0);
		uint32_t c = synack_cookie_make(cookie_secret, &syn, t0, NULL);
		uint32_t tsval = synack_cookie_tsval(777777u, &syn.opts);
		cr_assert_eq(tsval & 0xfu, 0xfu, "0xf encodes no window scaling");

		struct synack_seg ack = make_ack(&syn, c);
		ack.opts.present = SYNACK_OPT_TS;
		ack.opts.tsecr = tsval;
		cr_assert(synack_cookie_check(cookie_secret, &ack, t0, &ci));
		cr_assert_eq(ci.has_ts, 1);
		cr_assert_eq(ci.has_wscale, 0);
		cr_assert_eq(ci.sack_ok, sack);
		cr_assert_eq(ci.mss, 536);
	}
}

/* Without timestamps the SYN's window scale and SACK-permitted cannot be recovered. */
Test(syncookie, without_timestamps_options_lost)
{
	struct synack_seg syn = make_syn(424242);
	struct synack_cookie_info ci;

	syn.opts.present = SYNACK_OPT_MSS | SYNACK_OPT_WSCALE | SYNACK_OPT_SACK_OK;
	syn.opts.mss = 1440;
	syn.opts.wscale = 7;
	uint32_t c = synack_cookie_make(cookie_secret, &syn, t0, NULL);
	struct synack_seg ack = make_ack(&syn, c);
	cr_assert(synack_cookie_check(cookie_secret, &ack, t0, &ci));
	cr_assert_eq(ci.mss, 1440);
	cr_assert_eq(ci.has_ts, 0);
	cr_assert_eq(ci.has_wscale, 0);
	cr_assert_eq(ci.sack_ok, 0);
}

/* Valid in the tick it was made and the next; not two ticks later, whatever the offset. */
Test(syncookie, expiry)
{
	struct synack_seg syn = make_syn(0x01020304u);
	struct synack_cookie_info ci;
	const uint64_t start = 2000ull * TICK; /* the first instant of a tick */

	uint32_t c = synack_cookie_make(cookie_secret, &syn, start, NULL);
	struct synack_seg ack = make_ack(&syn, c);

	cr_assert(synack_cookie_check(cookie_secret, &ack, start, &ci));
	cr_assert(synack_cookie_check(cookie_secret, &ack, start + TICK - 1, &ci));
	cr_assert(synack_cookie_check(cookie_secret, &ack, start + TICK, &ci));
	cr_assert(synack_cookie_check(cookie_secret, &ack, start + 2 * TICK - 1, &ci));
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, start + 2 * TICK, &ci));
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, start + 3 * TICK, &ci));
	/* 32 and 33 ticks later the low 5 bits match again: the MAC over the full t rejects it. */
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, start + 32 * TICK, &ci));
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, start + 33 * TICK, &ci));
	/* A cookie from the future (clock went back a tick) is not accepted either. */
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, start - 1, &ci));

	/* Made in the last nanosecond of a tick: still good one full tick later. */
	uint64_t late = start + TICK - 1;
	c = synack_cookie_make(cookie_secret, &syn, late, NULL);
	ack = make_ack(&syn, c);
	cr_assert(synack_cookie_check(cookie_secret, &ack, late + TICK, &ci));
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, late + TICK + 1, &ci));

	/* At the very beginning of the clock there is no previous tick. */
	c = synack_cookie_make(cookie_secret, &syn, 5, NULL);
	ack = make_ack(&syn, c);
	cr_assert(synack_cookie_check(cookie_secret, &ack, TICK + 5, &ci));
	cr_assert_not(synack_cookie_check(cookie_secret, &ack, 2 * TICK + 5, &ci));
}

Test(syncookie, flipped_ack_bits_rejected)
{
	for (unsigned m = 0; m < 3; m++) {
		struct synack_seg syn = make_syn(0xcafef00du + m);
		struct synack_cookie_info ci;

		syn.opts.present = SYNACK_OPT_MSS;
		syn.opts.mss = mss_tab[m * 3];
		uint32_t c = synack_cookie_make(cookie_secret, &syn, t0, NULL);
		struct synack_seg ack = make_ack(&syn, c);
		cr_assert(synack_cookie_check(cookie_secret, &ack, t0, &ci));
		/* Check both in the cookie's own tick and the next: a flipped t bit can then name
		 * either acceptable counter. */
		for (unsigned later = 0; later < 2; later++)
			for (unsigned bit = 0; bit < 32; bit++) {
				struct synack_seg bad = ack;

				bad.ack ^= 1u << bit;
				cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0 + later * TICK,
								  &ci), "bit %u later %u", bit, later);
			}
	}
}

Test(syncookie, wrong_tuple_seq_or_secret_rejected)
{
	struct synack_seg syn = make_syn(0x55aa55aau);
	struct synack_cookie_info ci;
	uint32_t c = synack_cookie_make(cookie_secret, &syn, t0, NULL);
	struct synack_seg ack = make_ack(&syn, c), bad;

	cr_assert(synack_cookie_check(cookie_secret, &ack, t0, &ci));

	bad = ack; bad.saddr ^= 1;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "peer address");
	bad = ack; bad.daddr ^= 0x100;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "local address");
	bad = ack; bad.sport++;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "peer port");
	bad = ack; bad.dport++;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "local port");
	/* Addresses or ports swapped: a cookie is bound to the direction. */
	bad = ack; bad.saddr = ack.daddr; bad.daddr = ack.saddr;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "addresses swapped");
	bad = ack; bad.sport = ack.dport; bad.dport = ack.sport;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "ports swapped");
	for (int d = -3; d <= 3; d++) {
		if (d == 0)
			continue;
		bad = ack; bad.seq += (uint32_t)d;
		cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "seq %+d", d);
	}

	uint8_t other[16];
	memcpy(other, cookie_secret, 16);
	other[0] ^= 0x80;
	cr_assert_not(synack_cookie_check(other, &ack, t0, &ci), "other secret");

	/* Only a plain ACK completes the handshake. */
	bad = ack; bad.flags = 0;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "no ACK bit");
	bad = ack; bad.flags |= SYNACK_TH_RST;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "RST");
	bad = ack; bad.flags |= SYNACK_TH_SYN;
	cr_assert_not(synack_cookie_check(cookie_secret, &bad, t0, &ci), "SYN");
	/* ACK with PSH and data is fine (the handshake's ACK may carry data). */
	bad = ack; bad.flags |= SYNACK_TH_PSH; bad.len = 100;
	cr_assert(synack_cookie_check(cookie_secret, &bad, t0, &ci), "ACK+PSH with data");
}

/* Blind guesses: each random ack succeeds with probability about 16 / 2^32 (8 MSS indexes and 2
 * ticks, 2^-24 for a guess that gets t and the index right). 200,000 guesses: expected 0.0007. */
Test(syncookie, random_guesses_rejected)
{
	struct synack_seg syn = make_syn(31337);
	struct synack_cookie_info ci;
	struct synack_seg ack = make_ack(&syn, 0);
	uint64_t s = 42;

	for (unsigned n = 0; n < 200000; n++) {
		ack.ack = (uint32_t)test_rand(&s);
		cr_assert_not(synack_cookie_check(cookie_secret, &ack, t0, &ci), "guess %u", n);
	}
}

/* Distinct SYNs (different irs) get unrelated MACs: the cookie is bound to the SYN. */
Test(syncookie, irs_changes_cookie)
{
	struct synack_seg a = make_syn(1000), b = make_syn(1001);

	cr_assert_neq(synack_cookie_make(cookie_secret, &a, t0, NULL) & 0xffffffu,
		      synack_cookie_make(cookie_secret, &b, t0, NULL) & 0xffffffu);
}

static void check_tsval(uint32_t ts_now, const struct synack_tcp_opts *o, uint32_t want_low)
{
	uint32_t ts = synack_cookie_tsval(ts_now, o);

	cr_assert((int32_t)(ts - ts_now) <= 0, "tsval %08x ahead of %08x", ts, ts_now);
	cr_assert((uint32_t)(ts_now - ts) < 64, "tsval %08x too far behind %08x", ts, ts_now);
	cr_assert_eq(ts & 0x3fu, want_low, "low bits of %08x", ts);
}

Test(syncookie, tsval_never_ahead)
{
	uint64_t s = 7;

	for (unsigned ws = 0; ws <= 15; ws++) {
		for (unsigned flags = 0; flags < 4; flags++) {
			struct synack_tcp_opts o;
			uint32_t want;

			memset(&o, 0, sizeof o);
			o.present = SYNACK_OPT_TS;
			if (flags & 1) {
				o.present |= SYNACK_OPT_WSCALE;
				o.wscale = (uint8_t)ws;
			}
			if (flags & 2)
				o.present |= SYNACK_OPT_SACK_OK;
			want = (flags & 1) ? (ws > 14 ? 14 : ws) : 0xfu;
			want |= (flags & 2) ? 0x10u : 0;

			/* Every low-bit value of ts_now, at zero, mid-range and near the wrap. */
			for (uint32_t lo = 0; lo < 192; lo++) {
				check_tsval(lo, &o, want);
				check_tsval(0x40000000u + lo, &o, want);
				check_tsval(0xffffff40u + lo, &o, want);
			}
			for (unsigned n = 0; n < 1000; n++)
				check_tsval((uint32_t)test_rand(&s), &o, want);
		}
	}
	/* When the low bits of the clock are already at or above the options, ts_now is kept as is
	 * above bit 6. */
	struct synack_tcp_opts o;
	memset(&o, 0, sizeof o);
	o.present = SYNACK_OPT_WSCALE;
	o.wscale = 2;
	cr_assert_eq(synack_cookie_tsval(0x1000003fu, &o), 0x10000002u);
	cr_assert_eq(synack_cookie_tsval(0x10000001u, &o), 0x0fffffc2u);
}
