/* test_build.c: the frame builders against a SYN captured from Linux (byte for byte), against the
 * parser (build -> parse round trips with checksums verified), and the option writer's layout,
 * padding and 40-byte budget. */
#include <criterion/criterion.h>

#include "testutil.h"
#include <stdlib.h>
#include <string.h>

#include "net/build.h"
#include "net/cksum.h"
#include "net/parse.h"
#include "net/wire.h"

/* The same Linux 6.18 SYN as in test_parse.c: 198.18.0.2:39100 -> 198.18.0.1:80, MSS 1360,
 * SACK_OK, TS 1724219709/0, WS 10. The TCP checksum field holds the full checksum 0xc281; as
 * captured (offload) it held the pseudo-header sum 0x8c56. */
static const uint8_t LINUX_SYN[74] = {
	0x02, 0xfc, 0x00, 0x00, 0x00, 0x05, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x3c, 0x8b, 0xc7, 0x40, 0x00, 0x40, 0x06, 0x22, 0xcd,
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,
	0x98, 0xbc, 0x00, 0x50, 0x1f, 0xd4, 0x59, 0xd3, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xff, 0x00, 0xc2, 0x81, 0x00, 0x00,
	0x02, 0x04, 0x05, 0x50, 0x04, 0x02, 0x08, 0x0a, 0x66, 0xc5,
	0x81, 0x3d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static uint32_t rng_state = 0x6b8b4567u;

static uint32_t rnd(void) { return tu_xorshift32(&rng_state); }

#define ref_sum tu_ref_sum
#define ref_fold tu_ref_fold

/* Parses an IPv4/TCP packet from an exactly-sized heap copy; returns the copy (caller frees) so
 * that seg->payload stays valid. */
static uint8_t *parse_ip_exact(const uint8_t *p, size_t n, enum synack_parse_err *e,
			       struct synack_seg *seg)
{
	uint8_t *c = malloc(n ? n : 1);

	cr_assert_not_null(c);
	memcpy(c, p, n);
	*e = synack_parse_ipv4_tcp(c, n, 0, seg);
	return c;
}

static void seg_init(struct synack_seg *s)
{
	memset(s, 0, sizeof(*s));
	s->saddr = 0xc6120101;
	s->daddr = 0xc6120102;
	s->sport = 40000;
	s->dport = 443;
	s->seq = 0xfffffff0u;
	s->ack = 0x12345678u;
	s->wnd = 29200;
}

static struct synack_seg linux_syn_seg(void)
{
	struct synack_seg s;

	memset(&s, 0, sizeof(s));
	s.saddr = 0xc6120002;
	s.daddr = 0xc6120001;
	s.sport = 39100;
	s.dport = 80;
	s.seq = 534010323u;
	s.flags = SYNACK_TH_SYN;
	s.wnd = 65280;
	s.opts.present = SYNACK_OPT_MSS | SYNACK_OPT_SACK_OK | SYNACK_OPT_TS | SYNACK_OPT_WSCALE;
	s.opts.mss = 1360;
	s.opts.tsval = 1724219709u;
	s.opts.wscale = 10;
	return s;
}

Test(build, linux_syn_byte_for_byte)
{
	struct synack_seg s = linux_syn_seg();
	uint8_t buf[128];
	size_t n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, NULL, 0);

	cr_assert_eq(n, 60);
	/* TCP header and options exactly as Linux wrote them. */
	cr_expect_arr_eq(buf + 20, LINUX_SYN + 34, 40);
	/* IP header too, except the ID (ours is 0, RFC 6864) and so the checksum. */
	cr_expect_arr_eq(buf, LINUX_SYN + 14, 4);
	cr_expect_eq(synack_rd16(buf + 4), 0);
	cr_expect_arr_eq(buf + 6, LINUX_SYN + 20, 4);
	cr_expect_arr_eq(buf + 12, LINUX_SYN + 26, 8);
	cr_expect_eq(ref_fold(ref_sum(0, buf, 20)), 0);
}

Test(build, linux_syn_offload_matches_capture)
{
	/* With offload Linux left 0x8c56 in the field, and so must we. */
	struct synack_seg s = linux_syn_seg();
	uint8_t buf[128];

	cr_assert_eq(synack_build_ipv4_tcp(buf, sizeof(buf), &s, NULL, 1), 60);
	cr_expect_eq(buf[20 + 16], 0x8c);
	cr_expect_eq(buf[20 + 17], 0x56);
	cr_expect_eq(synack_rd16(buf + 10), 0, "IP checksum left to the NIC");
}

Test(build, no_csum_then_nic_fills)
{
	/* Emulate the NIC: sum the TCP segment over the seed in the checksum field, complement,
	 * store; IP header the same way. The result must parse with full checking. */
	struct synack_seg s;
	uint8_t buf[256], payload[77];
	size_t n, i;
	uint32_t pseudo;
	enum synack_parse_err e;
	struct synack_seg out;
	uint8_t *c;

	seg_init(&s);
	s.flags = SYNACK_TH_ACK | SYNACK_TH_PSH;
	s.len = sizeof(payload);
	s.opts.present = SYNACK_OPT_TS;
	s.opts.tsval = 1;
	s.opts.tsecr = 2;
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)rnd();
	n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, payload, 1);
	cr_assert_eq(n, 20 + 32 + sizeof(payload));
	pseudo = synack_cksum_pseudo_ipv4(s.saddr, s.daddr, 6, (uint16_t)(n - 20));
	cr_expect_eq(synack_rd_cksum(buf + 36), (uint16_t)pseudo);
	cr_expect_eq(synack_rd16(buf + 10), 0);
	synack_wr16(buf + 36, ref_fold(ref_sum(0, buf + 20, n - 20)));
	synack_wr16(buf + 10, ref_fold(ref_sum(0, buf, 20)));
	c = parse_ip_exact(buf, n, &e, &out);
	cr_expect_eq(e, SYNACK_PARSE_OK, "%s", synack_parse_err_name(e));
	free(c);
}

Test(build, syn_all_options_round_trip)
{
	struct synack_seg s, out;
	uint8_t buf[128], *c;
	size_t n;
	enum synack_parse_err e;
	static const uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	seg_init(&s);
	s.flags = SYNACK_TH_SYN | SYNACK_TH_ACK;
	s.ttl = 5;
	s.opts.present = SYNACK_OPT_MSS | SYNACK_OPT_WSCALE | SYNACK_OPT_SACK_OK | SYNACK_OPT_TS |
			 SYNACK_OPT_TFO;
	s.opts.mss = 1460;
	s.opts.wscale = 7;
	s.opts.tsval = 0xdeadbeef;
	s.opts.tsecr = 0x01020304;
	s.opts.tfo_len = sizeof(cookie);
	memcpy(s.opts.tfo_cookie, cookie, sizeof(cookie));
	cr_assert_eq(synack_tcp_opts_len(&s.opts), 4 + 12 + 4 + 12);
	cr_assert_eq(synack_ipv4_tcp_hlen(&s), 72);
	n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, NULL, 0);
	cr_assert_eq(n, 72);
	cr_expect_eq(buf[0], 0x45);
	cr_expect_eq(buf[1], 0);
	cr_expect_eq(synack_rd16(buf + 2), 72);
	cr_expect_eq(synack_rd16(buf + 4), 0);
	cr_expect_eq(synack_rd16(buf + 6), SYNACK_IP4_DF);
	cr_expect_eq(buf[9], 6);
	cr_expect_eq(buf[32] >> 4, 13);
	c = parse_ip_exact(buf, n, &e, &out);
	cr_assert_eq(e, SYNACK_PARSE_OK, "%s", synack_parse_err_name(e));
	cr_expect_eq(out.saddr, s.saddr);
	cr_expect_eq(out.daddr, s.daddr);
	cr_expect_eq(out.sport, s.sport);
	cr_expect_eq(out.dport, s.dport);
	cr_expect_eq(out.seq, s.seq);
	cr_expect_eq(out.ack, s.ack);
	cr_expect_eq(out.wnd, s.wnd);
	cr_expect_eq(out.flags, s.flags);
	cr_expect_eq(out.ttl, 5);
	cr_expect_eq(out.len, 0);
	cr_expect_eq(out.opts.present, s.opts.present);
	cr_expect_eq(out.opts.mss, 1460);
	cr_expect_eq(out.opts.wscale, 7);
	cr_expect_eq(out.opts.tsval, 0xdeadbeef);
	cr_expect_eq(out.opts.tsecr, 0x01020304);
	cr_expect_eq(out.opts.tfo_len, 8);
	cr_expect_arr_eq(out.opts.tfo_cookie, cookie, 8);
	free(c);
}

Test(build, data_segment_round_trip)
{
	struct synack_seg s, out;
	uint8_t *buf = malloc(2000), payload[1000], *c;
	size_t n, i;
	enum synack_parse_err e;

	cr_assert_not_null(buf);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)rnd();
	seg_init(&s);
	s.flags = SYNACK_TH_ACK | SYNACK_TH_PSH;
	s.len = sizeof(payload);
	s.opts.present = SYNACK_OPT_TS;
	s.opts.tsval = 77;
	s.opts.tsecr = 66;
	n = synack_build_ipv4_tcp(buf, 2000, &s, payload, 0);
	cr_assert_eq(n, 20 + 32 + 1000);
	/* Non-SYN timestamp: NOP NOP TS. */
	cr_expect_arr_eq(buf + 40, ((const uint8_t[]){ 1, 1, 8, 10 }), 4);
	cr_expect_eq(buf[20 + 12], 8 << 4);
	c = parse_ip_exact(buf, n, &e, &out);
	cr_assert_eq(e, SYNACK_PARSE_OK, "%s", synack_parse_err_name(e));
	cr_expect_eq(out.len, 1000);
	cr_expect_arr_eq(out.payload, payload, 1000);
	cr_expect_eq(out.opts.present, SYNACK_OPT_TS);
	cr_expect_eq(out.opts.tsval, 77);
	cr_expect_eq(out.ttl, SYNACK_DEFAULT_TTL);
	cr_expect_eq(synack_seg_seqlen(&out), 1000);
	free(c);
	free(buf);
}

Test(build, odd_payload_round_trip)
{
	struct synack_seg s, out;
	uint8_t buf[128], *c;
	size_t n, len;
	enum synack_parse_err e;

	for (len = 1; len <= 9; len++) {
		seg_init(&s);
		s.flags = SYNACK_TH_ACK | SYNACK_TH_FIN;
		s.len = (uint32_t)len;
		n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, (const uint8_t *)"abcdefghi", 0);
		cr_assert_eq(n, 40 + len);
		c = parse_ip_exact(buf, n, &e, &out);
		cr_assert_eq(e, SYNACK_PARSE_OK, "len %zu: %s", len, synack_parse_err_name(e));
		cr_expect_eq(synack_seg_seqlen(&out), len + 1);
		free(c);
	}
}

Test(build, rst_round_trip)
{
	struct synack_seg s, out;
	uint8_t buf[64], *c;
	size_t n;
	enum synack_parse_err e;

	seg_init(&s);
	s.flags = SYNACK_TH_RST | SYNACK_TH_ACK;
	s.wnd = 0;
	cr_assert_eq(synack_tcp_opts_len(&s.opts), 0);
	n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, NULL, 0);
	cr_assert_eq(n, 40);
	cr_expect_eq(buf[32], 5 << 4);
	cr_expect_eq(buf[33], SYNACK_TH_RST | SYNACK_TH_ACK);
	cr_expect_eq(synack_rd16(buf + 38), 0, "urgent pointer");
	c = parse_ip_exact(buf, n, &e, &out);
	cr_assert_eq(e, SYNACK_PARSE_OK, "%s", synack_parse_err_name(e));
	cr_expect_eq(out.flags, SYNACK_TH_RST | SYNACK_TH_ACK);
	cr_expect_eq(out.opts.present, 0);
	cr_expect_eq(out.seq, s.seq);
	free(c);
}

Test(build, payload_already_in_place)
{
	struct synack_seg s, out;
	uint8_t buf[128], *c;
	size_t n;
	enum synack_parse_err e;

	seg_init(&s);
	s.flags = SYNACK_TH_ACK;
	s.len = 6;
	s.opts.present = SYNACK_OPT_TS;
	memcpy(buf + synack_ipv4_tcp_hlen(&s), "inplce", 6);
	n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, NULL, 0);
	cr_assert_eq(n, 58);
	c = parse_ip_exact(buf, n, &e, &out);
	cr_assert_eq(e, SYNACK_PARSE_OK, "%s", synack_parse_err_name(e));
	cr_expect_arr_eq(out.payload, "inplce", 6);
	free(c);
}

Test(build, capacity)
{
	struct synack_seg s;
	uint8_t buf[128];
	uint8_t *big;

	seg_init(&s);
	s.flags = SYNACK_TH_ACK;
	s.len = 10;
	s.opts.present = SYNACK_OPT_TS;
	cr_expect_eq(synack_build_ipv4_tcp(buf, 61, &s, (const uint8_t *)"0123456789", 0), 0);
	cr_expect_eq(synack_build_ipv4_tcp(buf, 62, &s, (const uint8_t *)"0123456789", 0), 62);
	/* A datagram the 16-bit total length cannot describe. */
	big = calloc(1, 70000);
	cr_assert_not_null(big);
	s.len = 65535 - 52 + 1;
	cr_expect_eq(synack_build_ipv4_tcp(big, 70000, &s, NULL, 0), 0);
	s.len = 65535 - 52;
	cr_expect_eq(synack_build_ipv4_tcp(big, 70000, &s, NULL, 0), 65535);
	free(big);
}

Test(build, full_frame_parses)
{
	struct synack_seg s;
	struct synack_pkt pkt;
	uint8_t buf[128];
	size_t n;

	seg_init(&s);
	s.flags = SYNACK_TH_SYN;
	s.opts.present = SYNACK_OPT_MSS;
	s.opts.mss = 8960;
	n = synack_build_eth(buf, MAC_B, MAC_A, SYNACK_ETHERTYPE_IPV4);
	cr_assert_eq(n, 14);
	cr_expect_arr_eq(buf, MAC_B, 6);
	cr_expect_arr_eq(buf + 6, MAC_A, 6);
	cr_expect_eq(buf[12], 0x08);
	cr_expect_eq(buf[13], 0x00);
	n += synack_build_ipv4_tcp(buf + n, sizeof(buf) - n, &s, NULL, 0);
	cr_assert_eq(n, 14 + 44);
	cr_assert_eq(synack_parse_frame(buf, n, 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.kind, SYNACK_PKT_TCP);
	cr_expect_arr_eq(pkt.src_mac, MAC_A, 6);
	cr_expect_eq(pkt.seg.opts.mss, 8960);
}

/* ---- option layout ---- */

static void expect_opts(const struct synack_tcp_opts *o, const uint8_t *want, size_t n)
{
	uint8_t buf[64];
	size_t i;

	memset(buf, 0xcc, sizeof(buf));
	cr_assert_eq(synack_tcp_opts_len(o), n);
	cr_assert_eq(synack_tcp_opts_write(buf, o), n);
	cr_expect_arr_eq(buf, want, n);
	for (i = n; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0xcc, "wrote past the end at %zu", i);
}

#define EXPECT_OPTS(o, ...) \
	expect_opts(o, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

Test(build_opts, layouts)
{
	struct synack_tcp_opts o;

	memset(&o, 0, sizeof(o));
	expect_opts(&o, (const uint8_t *)"", 0);
	o.present = SYNACK_OPT_SACK_OK;
	EXPECT_OPTS(&o, 1, 1, 4, 2);
	o.present = SYNACK_OPT_SACK_OK | SYNACK_OPT_TS;
	o.tsval = 0x01020304;
	o.tsecr = 0x05060708;
	EXPECT_OPTS(&o, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8);
	o.present = SYNACK_OPT_WSCALE;
	o.wscale = 14;
	EXPECT_OPTS(&o, 1, 3, 3, 14);
	o.present = SYNACK_OPT_MSS | SYNACK_OPT_WSCALE | SYNACK_OPT_SACK_OK;
	o.mss = 1460;
	EXPECT_OPTS(&o, 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 14);
	o.present = SYNACK_OPT_TFO;
	o.tfo_len = 0;
	EXPECT_OPTS(&o, 34, 2, 1, 1);
	o.tfo_len = 4;
	memcpy(o.tfo_cookie, "\xaa\xbb\xcc\xdd", 4);
	EXPECT_OPTS(&o, 34, 6, 0xaa, 0xbb, 0xcc, 0xdd, 1, 1);
	o.present = SYNACK_OPT_SACK;
	o.sack_blocks = 1;
	o.sack[0][0] = 0x11111111;
	o.sack[0][1] = 0x22222222;
	EXPECT_OPTS(&o, 1, 1, 5, 10, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22);
	o.sack_blocks = 0;
	expect_opts(&o, (const uint8_t *)"", 0);
}

Test(build_opts, sack_trimmed_to_fit)
{
	struct synack_tcp_opts o, back;
	uint8_t buf[40];
	unsigned k;

	memset(&o, 0, sizeof(o));
	for (k = 0; k < SYNACK_SACK_MAX_BLOCKS; k++) {
		o.sack[k][0] = 100 * k;
		o.sack[k][1] = 100 * k + 50;
	}
	o.present = SYNACK_OPT_SACK;
	o.sack_blocks = 4;
	cr_expect_eq(synack_tcp_opts_len(&o), 36);
	/* RFC 2018 §3: with timestamps only 3 blocks fit. */
	o.present |= SYNACK_OPT_TS;
	cr_expect_eq(synack_tcp_opts_len(&o), 40);
	cr_assert_eq(synack_tcp_opts_write(buf, &o), 40);
	cr_assert_eq(synack_tcp_opts_parse(buf, 40, &back), SYNACK_PARSE_OK);
	cr_expect_eq(back.sack_blocks, 3);
	cr_expect_eq(back.sack[2][1], 250);
	/* A count beyond the array is clamped, not read out of bounds. */
	o.present = SYNACK_OPT_SACK;
	o.sack_blocks = 200;
	cr_expect_eq(synack_tcp_opts_len(&o), 36);
	/* Everything at once: SACK blocks go first, the rest exactly fills 40 bytes. */
	o.present = 0x3f;
	o.sack_blocks = 4;
	o.tfo_len = 16;
	cr_expect_eq(synack_tcp_opts_len(&o), 40);
	cr_assert_eq(synack_tcp_opts_write(buf, &o), 40);
	cr_assert_eq(synack_tcp_opts_parse(buf, 40, &back), SYNACK_PARSE_OK);
	cr_expect_eq(back.present, 0x3f & ~SYNACK_OPT_SACK);
	cr_expect_eq(back.tfo_len, 16);
	/* Beside MSS, SACK_OK, WS and a TFO request (16 bytes) two blocks fit: 16 + 20 = 36. */
	o.tfo_len = 0;
	o.present = SYNACK_OPT_MSS | SYNACK_OPT_SACK_OK | SYNACK_OPT_WSCALE | SYNACK_OPT_TFO |
		    SYNACK_OPT_SACK;
	cr_expect_eq(synack_tcp_opts_len(&o), 16 + 20);
}

Test(build_opts, random_round_trip)
{
	int iter;

	for (iter = 0; iter < 3000; iter++) {
		struct synack_tcp_opts o, back;
		uint8_t buf[64];
		size_t len, i;
		unsigned k;

		memset(&o, 0, sizeof(o));
		o.present = (uint8_t)(rnd() & 0x3f);
		o.mss = (uint16_t)rnd();
		o.wscale = (uint8_t)rnd();
		o.tsval = rnd();
		o.tsecr = rnd();
		o.sack_blocks = (uint8_t)(rnd() % 6);
		for (k = 0; k < SYNACK_SACK_MAX_BLOCKS; k++) {
			o.sack[k][0] = rnd();
			o.sack[k][1] = rnd();
		}
		o.tfo_len = (rnd() & 1) ? 0 : (uint8_t)(4 + 2 * (rnd() % 7));
		for (i = 0; i < SYNACK_TFO_COOKIE_MAX; i++)
			o.tfo_cookie[i] = (uint8_t)rnd();
		memset(buf, 0xcc, sizeof(buf));
		len = synack_tcp_opts_len(&o);
		cr_assert_leq(len, SYNACK_TCP_OPT_SPACE);
		cr_assert_eq(len % 4, 0);
		cr_assert_eq(synack_tcp_opts_write(buf, &o), len);
		for (i = len; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], 0xcc);
		cr_assert_eq(synack_tcp_opts_parse(buf, len, &back), SYNACK_PARSE_OK);
		/* Everything asked for comes back, except SACK blocks that did not fit. */
		cr_assert_eq(back.present & ~SYNACK_OPT_SACK, o.present & ~SYNACK_OPT_SACK);
		if (back.present & SYNACK_OPT_SACK) {
			cr_assert(o.present & SYNACK_OPT_SACK);
			cr_assert_leq(back.sack_blocks, o.sack_blocks);
			for (k = 0; k < back.sack_blocks; k++) {
				cr_assert_eq(back.sack[k][0], o.sack[k][0]);
				cr_assert_eq(back.sack[k][1], o.sack[k][1]);
			}
		}
		if (o.present & SYNACK_OPT_MSS)
			cr_assert_eq(back.mss, o.mss);
		if (o.present & SYNACK_OPT_WSCALE)
			cr_assert_eq(back.wscale, o.wscale);
		if (o.present & SYNACK_OPT_TS) {
			cr_assert_eq(back.tsval, o.tsval);
			cr_assert_eq(back.tsecr, o.tsecr);
		}
		if (o.present & SYNACK_OPT_TFO) {
			cr_assert_eq(back.tfo_len, o.tfo_len);
			cr_assert_arr_eq(back.tfo_cookie, o.tfo_cookie, o.tfo_len);
		}
	}
}

/* The builder sums its headers from the values it writes, not from the bytes: a plain word-by-word
 * sum over the bytes it wrote must find both checksums right, for every option set (odd TFO cookie
 * lengths included), SACK blocks, TTL, flags and payload length (odd ones too), the payload handed
 * in or already in place. */
Test(build, checksums_match_the_bytes)
{
	uint8_t payload[100];

	for (int iter = 0; iter < 20000; iter++) {
		struct synack_seg s;
		uint8_t buf[256];
		unsigned k;

		seg_init(&s);
		s.saddr = rnd();
		s.daddr = rnd();
		s.sport = (uint16_t)rnd();
		s.dport = (uint16_t)rnd();
		s.seq = rnd();
		s.ack = rnd();
		s.wnd = (uint16_t)rnd();
		s.flags = (uint8_t)rnd();
		s.ttl = (uint8_t)rnd();
		s.opts.present = (uint8_t)(rnd() & 0x3f);
		s.opts.mss = (uint16_t)rnd();
		s.opts.wscale = (uint8_t)rnd();
		s.opts.tsval = rnd();
		s.opts.tsecr = rnd();
		s.opts.sack_blocks = (uint8_t)(rnd() % 6);
		for (k = 0; k < SYNACK_SACK_MAX_BLOCKS; k++) {
			s.opts.sack[k][0] = rnd();
			s.opts.sack[k][1] = rnd();
		}
		s.opts.tfo_len = (uint8_t)(rnd() % (SYNACK_TFO_COOKIE_MAX + 1));
		for (k = 0; k < SYNACK_TFO_COOKIE_MAX; k++)
			s.opts.tfo_cookie[k] = (uint8_t)rnd();
		s.len = rnd() % 4 ? rnd() % (sizeof(payload) + 1) : 0;
		for (k = 0; k < sizeof(payload); k++)
			payload[k] = (uint8_t)(rnd() & 1 ? 0xff : rnd());
		bool in_place = rnd() & 1;
		size_t hlen = synack_ipv4_tcp_hlen(&s);
		if (in_place && s.len)
			memcpy(buf + hlen, payload, s.len);
		size_t n = synack_build_ipv4_tcp(buf, sizeof(buf), &s, in_place ? NULL : payload, 0);
		cr_assert_eq(n, hlen + s.len);
		cr_assert_eq(ref_fold(ref_sum(0, buf, SYNACK_IP4_HLEN)), 0, "IPv4 checksum, iteration %d", iter);
		uint8_t pseudo[12];
		synack_wr32(pseudo, s.saddr);
		synack_wr32(pseudo + 4, s.daddr);
		pseudo[8] = 0;
		pseudo[9] = SYNACK_IPPROTO_TCP;
		synack_wr16(pseudo + 10, (uint16_t)(n - SYNACK_IP4_HLEN));
		cr_assert_eq(ref_fold(ref_sum(ref_sum(0, pseudo, 12), buf + SYNACK_IP4_HLEN, n - SYNACK_IP4_HLEN)), 0,
			     "TCP checksum, iteration %d (options %#x, payload %u)", iter, s.opts.present, s.len);
		cr_assert_arr_eq(buf + hlen, payload, s.len);
	}
}

/* ---- ARP and ICMP ---- */

Test(build_arp, request_and_reply_round_trip)
{
	uint8_t buf[64];
	struct synack_pkt req, rep;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6] = { 0 };

	cr_expect_eq(synack_build_arp_request(buf, 41, MAC_A, 0xc6120101, 0xc6120102), 0);
	cr_assert_eq(synack_build_arp_request(buf, sizeof(buf), MAC_A, 0xc6120101, 0xc6120102), 42);
	cr_assert_eq(synack_parse_frame(buf, 42, 0, &req), SYNACK_PARSE_OK);
	cr_expect_eq(req.kind, SYNACK_PKT_ARP);
	cr_expect_arr_eq(req.dst_mac, bcast, 6);
	cr_expect_arr_eq(req.src_mac, MAC_A, 6);
	cr_expect_eq(req.arp.op, SYNACK_ARP_OP_REQUEST);
	cr_expect_arr_eq(req.arp.sha, MAC_A, 6);
	cr_expect_arr_eq(req.arp.tha, zero, 6);
	cr_expect_eq(req.arp.spa, 0xc6120101u);
	cr_expect_eq(req.arp.tpa, 0xc6120102u);

	/* Answer it in the same buffer, as the engine would. */
	cr_assert_eq(synack_build_arp_reply(buf, sizeof(buf), &req.arp, MAC_B, 0xc6120102), 42);
	cr_assert_eq(synack_parse_frame(buf, 42, 0, &rep), SYNACK_PARSE_OK);
	cr_expect_eq(rep.kind, SYNACK_PKT_ARP);
	cr_expect_arr_eq(rep.dst_mac, MAC_A, 6);
	cr_expect_arr_eq(rep.src_mac, MAC_B, 6);
	cr_expect_eq(rep.arp.op, SYNACK_ARP_OP_REPLY);
	cr_expect_arr_eq(rep.arp.sha, MAC_B, 6);
	cr_expect_eq(rep.arp.spa, 0xc6120102u);
	cr_expect_arr_eq(rep.arp.tha, MAC_A, 6);
	cr_expect_eq(rep.arp.tpa, 0xc6120101u);
}

/* An echo request frame from MAC_A/198.18.1.1 to MAC_B/198.18.1.2, with ip_opt bytes of IP options. */
static size_t icmp_request(uint8_t *f, size_t datalen, size_t ip_opt)
{
	uint8_t *ip = f + 14, *ic;
	size_t ihl = 20 + ip_opt, i;

	synack_build_eth(f, MAC_B, MAC_A, SYNACK_ETHERTYPE_IPV4);
	memset(ip, 0, ihl);
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	synack_wr16(ip + 2, (uint16_t)(ihl + 8 + datalen));
	synack_wr16(ip + 4, 0x4242);
	ip[8] = 55;
	ip[9] = SYNACK_IPPROTO_ICMP;
	synack_wr32(ip + 12, 0xc6120101);
	synack_wr32(ip + 16, 0xc6120102);
	memset(ip + 20, SYNACK_TCPOPT_NOP, ip_opt);    /* IPOPT_NOP is 1 as well */
	synack_wr16(ip + 10, ref_fold(ref_sum(0, ip, ihl)));
	ic = ip + ihl;
	ic[0] = SYNACK_ICMP_ECHO_REQUEST;
	ic[1] = 0;
	ic[2] = ic[3] = 0;
	synack_wr16(ic + 4, 0xbeef);
	synack_wr16(ic + 6, 42);
	for (i = 0; i < datalen; i++)
		ic[8 + i] = (uint8_t)(i * 13 + 1);
	synack_wr16(ic + 2, ref_fold(ref_sum(0, ic, 8 + datalen)));
	return 14 + ihl + 8 + datalen;
}

static void check_echo_reply(const uint8_t *buf, size_t n, size_t datalen)
{
	struct synack_pkt rep;
	size_t i;

	cr_assert_eq(n, 14 + 20 + 8 + datalen);
	cr_assert_eq(synack_parse_frame(buf, n, 0, &rep), SYNACK_PARSE_OK);
	cr_expect_eq(rep.kind, SYNACK_PKT_ICMP_ECHO);
	cr_expect_arr_eq(rep.dst_mac, MAC_A, 6);
	cr_expect_arr_eq(rep.src_mac, MAC_B, 6);
	cr_expect_eq(rep.icmp.type, SYNACK_ICMP_ECHO_REPLY);
	cr_expect_eq(rep.icmp.id, 0xbeef);
	cr_expect_eq(rep.icmp.seqno, 42);
	cr_expect_eq(rep.icmp.saddr, 0xc6120102u);
	cr_expect_eq(rep.icmp.daddr, 0xc6120101u);
	cr_assert_eq(rep.icmp.data_len, datalen);
	for (i = 0; i < datalen; i++)
		cr_assert_eq(rep.icmp.data[i], (uint8_t)(i * 13 + 1));
	cr_expect_eq(synack_rd16(buf + 14 + 6), SYNACK_IP4_DF);
	cr_expect_eq(buf[14 + 8], SYNACK_DEFAULT_TTL);
}

Test(build_icmp, echo_reply_round_trip)
{
	uint8_t req_buf[256], out[256];
	struct synack_pkt req;
	size_t datalen, n;

	for (datalen = 0; datalen <= 57; datalen += 19) {
		n = icmp_request(req_buf, datalen, 0);
		cr_assert_eq(synack_parse_frame(req_buf, n, 0, &req), SYNACK_PARSE_OK);
		cr_assert_eq(req.kind, SYNACK_PKT_ICMP_ECHO);
		cr_expect_eq(synack_build_icmp_echo_reply(out, n - 1, &req, MAC_B), 0);
		check_echo_reply(out, synack_build_icmp_echo_reply(out, sizeof(out), &req, MAC_B), datalen);
	}
}

Test(build_icmp, echo_reply_in_place)
{
	/* Reply written over the request itself, which carried 8 bytes of IP options: the data
	 * has to move down 8 bytes. */
	uint8_t buf[256];
	struct synack_pkt req;
	size_t n = icmp_request(buf, 33, 8);

	cr_assert_eq(synack_parse_frame(buf, n, 0, &req), SYNACK_PARSE_OK);
	cr_assert_eq(req.l4_off, 14 + 28);
	check_echo_reply(buf, synack_build_icmp_echo_reply(buf, sizeof(buf), &req, MAC_B), 33);
	n = icmp_request(buf, 33, 0);
	cr_assert_eq(synack_parse_frame(buf, n, 0, &req), SYNACK_PARSE_OK);
	check_echo_reply(buf, synack_build_icmp_echo_reply(buf, sizeof(buf), &req, MAC_B), 33);
}
