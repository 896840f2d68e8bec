/* test_parse.c: the frame parser on a SYN captured from Linux, one constructed frame per rejection
 * reason (every reason has at least one, checked by a coverage test), option edge cases, and
 * robustness loops: every truncation of valid frames into exactly-sized heap buffers (so that
 * ASan sees any overread) and a few thousand random mutations. */
#include <criterion/criterion.h>

#include "testutil.h"
#include <stdlib.h>
#include <string.h>

#include "net/parse.h"
#include "net/wire.h"

/* A SYN from Linux 6.18 (198.18.0.2:39100 -> 198.18.0.1:80), captured on eth0 with AF_PACKET:
 * options MSS 1360, SACK_OK, TS (val 1724219709, ecr 0), NOP, WS 10. The kernel used checksum
 * offload, so the captured TCP checksum field held the pseudo-header sum 0x8c56; it is replaced
 * here by the full checksum. The addresses are rewritten into 198.18.0.0/15, this project's test
 * range, with both checksums recomputed (IP 0x22cd, TCP 0xc281); every other byte is as captured. */
static const uint8_t LINUX_SYN[74] = {
	0x02, 0xfc, 0x00, 0x00, 0x00, 0x05, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, /* eth */
	0x45, 0x00, 0x00, 0x3c, 0x8b, 0xc7, 0x40, 0x00, 0x40, 0x06, 0x22, 0xcd,             /* ip */
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,
	0x98, 0xbc, 0x00, 0x50, 0x1f, 0xd4, 0x59, 0xd3, 0x00, 0x00, 0x00, 0x00,             /* tcp */
	0xa0, 0x02, 0xff, 0x00, 0xc2, 0x81, 0x00, 0x00,
	0x02, 0x04, 0x05, 0x50, 0x04, 0x02, 0x08, 0x0a, 0x66, 0xc5,                         /* opts */
	0x81, 0x3d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};

/* Who-has 198.18.0.1 tell 198.18.0.2. */
static const uint8_t ARP_REQ[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x01,
};

#define ETH 14
#define IP  (ETH + 20)

static uint32_t rng_state = 0x2545f491u;

static uint32_t rnd(void) { return tu_xorshift32(&rng_state); }

#define ref_sum tu_ref_sum
#define ref_fold tu_ref_fold

/* Recomputes the IPv4 header checksum and the TCP or ICMP checksum of an Ethernet frame, after
 * a test has edited it, so that the parser reaches the check the test is aimed at. */
static void fix_csums(uint8_t *f)
{
	uint8_t *ip = f + ETH;
	unsigned ihl = (ip[0] & 0xf) * 4u, tot = synack_rd16(ip + 2);
	uint8_t *l4 = ip + ihl;
	unsigned l4len = tot - ihl;
	uint32_t s;

	synack_wr16(ip + 10, 0);
	synack_wr16(ip + 10, ref_fold(ref_sum(0, ip, ihl)));
	if (ip[9] == SYNACK_IPPROTO_TCP && l4len >= 20) {
		synack_wr16(l4 + 16, 0);
		s = ref_sum(0, ip + 12, 8) + SYNACK_IPPROTO_TCP + l4len;
		synack_wr16(l4 + 16, ref_fold(ref_sum(s, l4, l4len)));
	} else if (ip[9] == SYNACK_IPPROTO_ICMP && l4len >= 4) {
		synack_wr16(l4 + 2, 0);
		synack_wr16(l4 + 2, ref_fold(ref_sum(0, l4, l4len)));
	}
}

/* Parses len bytes of f from a heap copy of exactly len bytes, so that reading f[len] is an ASan
 * error rather than a silent pass. out's pointers are dangling afterwards. */
static enum synack_parse_err parse_exact(const uint8_t *f, size_t len, unsigned flags,
					 struct synack_pkt *out)
{
	uint8_t *p = malloc(len ? len : 1);
	enum synack_parse_err e;

	cr_assert_not_null(p);
	if (len)
		memcpy(p, f, len);
	e = synack_parse_frame(p, len, flags, out);
	free(p);
	return e;
}

/* The SYN with its options replaced by opts (n bytes, a multiple of 4), checksums fixed. */
static size_t syn_with_opts(uint8_t *f, const uint8_t *opts, size_t n)
{
	memcpy(f, LINUX_SYN, IP + 20);
	memcpy(f + IP + 20, opts, n);
	f[IP + 12] = (uint8_t)(((20 + n) / 4) << 4);
	synack_wr16(f + ETH + 2, (uint16_t)(40 + n));
	fix_csums(f);
	return IP + 20 + n;
}

/* Ethernet + IPv4 + ICMP echo of type type with datalen bytes of data. */
static size_t icmp_frame(uint8_t *f, uint8_t type, size_t datalen)
{
	size_t i;

	memcpy(f, LINUX_SYN, IP);
	f[ETH + 9] = SYNACK_IPPROTO_ICMP;
	synack_wr16(f + ETH + 2, (uint16_t)(20 + 8 + datalen));
	f[IP] = type;
	f[IP + 1] = 0;
	synack_wr16(f + IP + 4, 0x1234);
	synack_wr16(f + IP + 6, 7);
	for (i = 0; i < datalen; i++)
		f[IP + 8 + i] = (uint8_t)('a' + i % 26);
	fix_csums(f);
	return IP + 8 + datalen;
}

Test(parse, linux_syn_fields)
{
	uint8_t *f = malloc(sizeof(LINUX_SYN));
	struct synack_pkt pkt;
	const struct synack_seg *s = &pkt.seg;
	static const uint8_t dst[6] = { 0x02, 0xfc, 0, 0, 0, 0x05 };
	static const uint8_t src[6] = { 0x02, 0xfc, 0, 0, 0, 0x01 };

	cr_assert_not_null(f);
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	memset(&pkt, 0xa5, sizeof(pkt));        /* nothing may be left over from before */
	cr_assert_eq(synack_parse_frame(f, sizeof(LINUX_SYN), 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.kind, SYNACK_PKT_TCP);
	cr_expect_arr_eq(pkt.dst_mac, dst, 6);
	cr_expect_arr_eq(pkt.src_mac, src, 6);
	cr_expect_eq(pkt.l3_off, 14);
	cr_expect_eq(pkt.l4_off, 34);
	cr_expect_eq(s->saddr, 0xc6120002u);    /* 198.18.0.2 */
	cr_expect_eq(s->daddr, 0xc6120001u);
	cr_expect_eq(s->sport, 39100);
	cr_expect_eq(s->dport, 80);
	cr_expect_eq(s->seq, 534010323u);
	cr_expect_eq(s->ack, 0);
	cr_expect_eq(s->flags, SYNACK_TH_SYN);
	cr_expect_eq(s->wnd, 65280);
	cr_expect_eq(s->ttl, 64);
	cr_expect_eq(s->len, 0);
	cr_expect_eq(s->payload, f + 74);
	cr_expect_eq(synack_seg_seqlen(s), 1);
	cr_expect_eq(s->opts.present,
		     SYNACK_OPT_MSS | SYNACK_OPT_SACK_OK | SYNACK_OPT_TS | SYNACK_OPT_WSCALE);
	cr_expect_eq(s->opts.mss, 1360);
	cr_expect_eq(s->opts.wscale, 10);
	cr_expect_eq(s->opts.tsval, 1724219709u);
	cr_expect_eq(s->opts.tsecr, 0);
	cr_expect_eq(s->opts.sack_blocks, 0);
	cr_expect_eq(s->opts.tfo_len, 0);
	free(f);
}

Test(parse, linux_syn_as_ipv4)
{
	struct synack_seg seg;

	cr_assert_eq(synack_parse_ipv4_tcp(LINUX_SYN + ETH, sizeof(LINUX_SYN) - ETH, 0, &seg),
		     SYNACK_PARSE_OK);
	cr_expect_eq(seg.sport, 39100);
	cr_expect_eq(seg.opts.mss, 1360);
	cr_expect_eq(seg.payload, LINUX_SYN + 74);
}

Test(parse, ipv4_tcp_rejects_icmp)
{
	uint8_t f[128];
	size_t n = icmp_frame(f, SYNACK_ICMP_ECHO_REQUEST, 8);
	struct synack_seg seg;

	cr_expect_eq(synack_parse_ipv4_tcp(f + ETH, n - ETH, 0, &seg), SYNACK_PARSE_IP_PROTO);
}

Test(parse, data_segment_and_padding)
{
	/* An ACK+PSH with 5 bytes of data, then 1 byte of Ethernet padding to 60 bytes: the
	 * padding is not payload (IP total length rules). */
	uint8_t f[128];
	struct synack_pkt pkt;

	memcpy(f, LINUX_SYN, IP + 20);
	f[IP + 12] = 0x50;
	f[IP + 13] = SYNACK_TH_ACK | SYNACK_TH_PSH;
	synack_wr32(f + IP + 8, 0x01020304);
	memcpy(f + IP + 20, "hello", 5);
	synack_wr16(f + ETH + 2, 45);
	fix_csums(f);
	f[59] = 0xee;
	cr_assert_eq(synack_parse_frame(f, 60, 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.seg.len, 5);
	cr_expect_eq(pkt.seg.payload, f + 54);
	cr_expect_arr_eq(pkt.seg.payload, "hello", 5);
	cr_expect_eq(pkt.seg.ack, 0x01020304u);
	cr_expect_eq(pkt.seg.flags, SYNACK_TH_ACK | SYNACK_TH_PSH);
	cr_expect_eq(pkt.seg.opts.present, 0);
	cr_expect_eq(synack_seg_seqlen(&pkt.seg), 5);
}

Test(parse, ip_options_skipped)
{
	/* IHL 6: four bytes of IP options (NOP NOP NOP EOL) shift the TCP header. */
	uint8_t f[128];
	struct synack_pkt pkt;

	memcpy(f, LINUX_SYN, IP);
	f[ETH] = 0x46;
	memcpy(f + IP, "\x01\x01\x01\x00", 4);
	memcpy(f + IP + 4, LINUX_SYN + IP, 40);
	synack_wr16(f + ETH + 2, 64);
	fix_csums(f);
	cr_assert_eq(parse_exact(f, 78, 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.l4_off, 38);
	cr_expect_eq(pkt.seg.sport, 39100);
	cr_expect_eq(pkt.seg.opts.mss, 1360);
}

Test(parse, csum_ok_flags_skip_checks)
{
	uint8_t f[74];
	struct synack_pkt pkt;

	memcpy(f, LINUX_SYN, sizeof(f));
	f[ETH + 10] ^= 0xff;
	cr_expect_eq(synack_parse_frame(f, sizeof(f), 0, &pkt), SYNACK_PARSE_IP_CSUM);
	cr_expect_eq(synack_parse_frame(f, sizeof(f), SYNACK_PARSE_F_IP_CSUM_OK, &pkt), SYNACK_PARSE_OK);
	memcpy(f, LINUX_SYN, sizeof(f));
	f[IP + 16] = 0x84;      /* what the capture really held: the pseudo-header sum */
	f[IP + 17] = 0x32;
	cr_expect_eq(synack_parse_frame(f, sizeof(f), 0, &pkt), SYNACK_PARSE_TCP_CSUM);
	cr_expect_eq(synack_parse_frame(f, sizeof(f), SYNACK_PARSE_F_L4_CSUM_OK, &pkt), SYNACK_PARSE_OK);
}

Test(parse, arp_request)
{
	struct synack_pkt pkt;
	static const uint8_t sha[6] = { 0x02, 0xfc, 0, 0, 0, 0x01 }, zero[6] = { 0 };

	cr_assert_eq(parse_exact(ARP_REQ, sizeof(ARP_REQ), 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.kind, SYNACK_PKT_ARP);
	cr_expect_eq(pkt.l3_off, 14);
	cr_expect_eq(pkt.arp.op, 1);
	cr_expect_arr_eq(pkt.arp.sha, sha, 6);
	cr_expect_arr_eq(pkt.arp.tha, zero, 6);
	cr_expect_eq(pkt.arp.spa, 0xc6120002u);
	cr_expect_eq(pkt.arp.tpa, 0xc6120001u);
}

Test(parse, arp_padded_to_60)
{
	uint8_t f[60] = { 0 };
	struct synack_pkt pkt;

	memcpy(f, ARP_REQ, sizeof(ARP_REQ));
	cr_expect_eq(parse_exact(f, sizeof(f), 0, &pkt), SYNACK_PARSE_OK);
}

Test(parse, icmp_echo)
{
	uint8_t f[128];
	size_t n = icmp_frame(f, SYNACK_ICMP_ECHO_REQUEST, 11);
	struct synack_pkt pkt;

	/* Followed by padding that must not count as echo data. */
	memset(f + n, 0x77, 7);
	cr_assert_eq(synack_parse_frame(f, n + 7, 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.kind, SYNACK_PKT_ICMP_ECHO);
	cr_expect_eq(pkt.l4_off, 34);
	cr_expect_eq(pkt.icmp.type, 8);
	cr_expect_eq(pkt.icmp.id, 0x1234);
	cr_expect_eq(pkt.icmp.seqno, 7);
	cr_expect_eq(pkt.icmp.saddr, 0xc6120002u);
	cr_expect_eq(pkt.icmp.daddr, 0xc6120001u);
	cr_expect_eq(pkt.icmp.data, f + 42);
	cr_expect_eq(pkt.icmp.data_len, 11);
	n = icmp_frame(f, SYNACK_ICMP_ECHO_REPLY, 0);
	cr_assert_eq(parse_exact(f, n, 0, &pkt), SYNACK_PARSE_OK);
	cr_expect_eq(pkt.icmp.type, 0);
	cr_expect_eq(pkt.icmp.data_len, 0);
}

/* ---- one frame per rejection reason ---- */

static size_t mk_eth_trunc(uint8_t *f)
{
	memcpy(f, LINUX_SYN, 13);
	return 13;
}

static size_t mk_ethertype_ipv6(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + 12, 0x86dd);
	return sizeof(LINUX_SYN);
}

static size_t mk_ethertype_vlan(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + 12, 0x8100);
	return sizeof(LINUX_SYN);
}

static size_t mk_arp_trunc(uint8_t *f)
{
	memcpy(f, ARP_REQ, sizeof(ARP_REQ));
	return sizeof(ARP_REQ) - 1;
}

static size_t mk_arp_format_op(uint8_t *f)
{
	memcpy(f, ARP_REQ, sizeof(ARP_REQ));
	f[ETH + 7] = 3;         /* RARP request */
	return sizeof(ARP_REQ);
}

static size_t mk_arp_format_ptype(uint8_t *f)
{
	memcpy(f, ARP_REQ, sizeof(ARP_REQ));
	synack_wr16(f + ETH + 2, 0x86dd);
	return sizeof(ARP_REQ);
}

static size_t mk_arp_format_hlen(uint8_t *f)
{
	memcpy(f, ARP_REQ, sizeof(ARP_REQ));
	f[ETH + 4] = 8;
	return sizeof(ARP_REQ);
}

static size_t mk_ip_trunc_hdr(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	return ETH + 19;
}

static size_t mk_ip_trunc_ihl(uint8_t *f)
{
	/* IHL 15 (60 bytes) but only 40 bytes of IP. */
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[ETH] = 0x4f;
	return ETH + 40;
}

static size_t mk_ip_trunc_totlen(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + ETH + 2, 61);
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_version(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[ETH] = 0x65;
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_ihl(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[ETH] = 0x44;
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_totlen(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + ETH + 2, 19);
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_fragment_mf(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + ETH + 6, SYNACK_IP4_MF);
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_fragment_off(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + ETH + 6, 0x00b9);       /* last fragment, offset 1480 */
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_csum(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[ETH + 11] ^= 0x01;
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_csum_options(uint8_t *f)
{
	/* The header checksum covers IP options too. */
	memcpy(f, LINUX_SYN, IP);
	f[ETH] = 0x46;
	memcpy(f + IP, "\x01\x01\x01\x00", 4);
	memcpy(f + IP + 4, LINUX_SYN + IP, 40);
	synack_wr16(f + ETH + 2, 64);
	fix_csums(f);
	f[IP + 1] = 0x00;
	return IP + 44;
}

static size_t ip_with_saddr(uint8_t *f, uint32_t a)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr32(f + ETH + 12, a);
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_ip_addr_zero(uint8_t *f)
{
	return ip_with_saddr(f, 0);
}

static size_t mk_ip_addr_bcast(uint8_t *f)
{
	return ip_with_saddr(f, 0xffffffffu);
}

static size_t mk_ip_addr_mcast(uint8_t *f)
{
	return ip_with_saddr(f, 0xe0000001u);   /* 224.0.0.1 */
}

static size_t mk_ip_addr_mcast_top(uint8_t *f)
{
	return ip_with_saddr(f, 0xefffffffu);   /* 239.255.255.255 */
}

static size_t mk_ip_proto(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[ETH + 9] = 17;
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_icmp_trunc(uint8_t *f)
{
	icmp_frame(f, SYNACK_ICMP_ECHO_REQUEST, 0);
	synack_wr16(f + ETH + 2, 27);
	fix_csums(f);
	return IP + 7;
}

static size_t mk_icmp_csum(uint8_t *f)
{
	size_t n = icmp_frame(f, SYNACK_ICMP_ECHO_REQUEST, 9);

	f[n - 1] ^= 0x40;       /* the odd last data byte */
	return n;
}

static size_t mk_icmp_type(uint8_t *f)
{
	return icmp_frame(f, 3, 8);     /* destination unreachable, code 0 */
}

/* Fragmentation needed (type 3 code 4, next-hop MTU 1280) quoting n bytes of LINUX_SYN's IPv4
 * header and TCP header. */
static size_t frag_frame(uint8_t *f, size_t n)
{
	size_t len = icmp_frame(f, SYNACK_ICMP_UNREACH, n);
	f[IP + 1] = SYNACK_ICMP_FRAG_NEEDED;
	synack_wr16(f + IP + 4, 0);
	synack_wr16(f + IP + 6, 1280);
	memcpy(f + IP + 8, LINUX_SYN + ETH, n);
	fix_csums(f);
	return len;
}

static size_t mk_icmp_inner(uint8_t *f)
{
	return frag_frame(f, 20 + 7);   /* one byte short of the quoted TCP header's first 8 */
}

Test(parse, icmp_frag_needed)
{
	uint8_t f[256];
	size_t n = frag_frame(f, 20 + 8);
	struct synack_pkt pkt;
	cr_assert_eq(parse_exact(f, n, 0, &pkt), SYNACK_PARSE_OK);
	cr_assert_eq(pkt.kind, SYNACK_PKT_ICMP_FRAG);
	cr_expect_eq(pkt.frag.mtu, 1280);
	/* The quoted segment, seen from its sender: LINUX_SYN's source is "ours". */
	cr_expect_eq(pkt.frag.laddr, synack_rd32(LINUX_SYN + ETH + 12));
	cr_expect_eq(pkt.frag.raddr, synack_rd32(LINUX_SYN + ETH + 16));
	cr_expect_eq(pkt.frag.lport, synack_rd16(LINUX_SYN + IP));
	cr_expect_eq(pkt.frag.rport, synack_rd16(LINUX_SYN + IP + 2));
	cr_expect_eq(pkt.frag.seq, synack_rd32(LINUX_SYN + IP + 4));
	/* A wrong checksum is refused like an echo's. */
	f[n - 1] ^= 1;
	cr_assert_eq(parse_exact(f, n, 0, &pkt), SYNACK_PARSE_ICMP_CSUM);
}

static size_t mk_tcp_trunc(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + ETH + 2, 39);
	fix_csums(f);
	return IP + 19;
}

static size_t mk_tcp_doff_small(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[IP + 12] = 0x40;
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_tcp_doff_large(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[IP + 12] = 0xb0;      /* 44 bytes of header in a 40-byte segment */
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_tcp_csum(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[IP + 17] ^= 0x01;
	return sizeof(LINUX_SYN);
}

static size_t mk_tcp_csum_pseudo(uint8_t *f)
{
	/* Same segment, different destination address: only the pseudo-header catches it. */
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[ETH + 19] = 0x03;
	f[ETH + 10] = 0;
	f[ETH + 11] = 0;
	synack_wr16(f + ETH + 10, ref_fold(ref_sum(0, f + ETH, 20)));
	return sizeof(LINUX_SYN);
}

static size_t mk_tcp_port_src(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + IP, 0);
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_tcp_port_dst(uint8_t *f)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	synack_wr16(f + IP + 2, 0);
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t syn_with_flags(uint8_t *f, uint8_t flags)
{
	memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
	f[IP + 13] = flags;
	fix_csums(f);
	return sizeof(LINUX_SYN);
}

static size_t mk_tcp_flags_synfin(uint8_t *f)
{
	return syn_with_flags(f, SYNACK_TH_SYN | SYNACK_TH_FIN);
}

static size_t mk_tcp_flags_synrst(uint8_t *f)
{
	return syn_with_flags(f, SYNACK_TH_SYN | SYNACK_TH_RST | SYNACK_TH_ACK);
}

static size_t mk_tcp_flags_null(uint8_t *f)
{
	return syn_with_flags(f, 0);
}

static size_t mk_tcp_flags_xmas_no_ctl(uint8_t *f)
{
	return syn_with_flags(f, SYNACK_TH_PSH | SYNACK_TH_URG | SYNACK_TH_ECE | SYNACK_TH_CWR);
}

#define OPTS(...) \
	syn_with_opts(f, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static size_t mk_opt_len0(uint8_t *f)
{
	return OPTS(0x02, 0x04, 0x05, 0xb4, 0x1e, 0x00, 0x01, 0x01);
}

static size_t mk_opt_len1(uint8_t *f)
{
	return OPTS(0x01, 0x01, 0x08, 0x01);
}

static size_t mk_opt_overrun_len(uint8_t *f)
{
	/* A timestamp whose 10 bytes would end 2 bytes past the header. */
	return OPTS(0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 0, 0, 0);
}

static size_t mk_opt_overrun_nolen(uint8_t *f)
{
	/* The last byte is an MSS kind with no room for its length byte. */
	return OPTS(0x01, 0x01, 0x01, 0x02);
}

static size_t mk_opt_overrun_unknown(uint8_t *f)
{
	return OPTS(0x01, 0x01, 0xfe, 0x05);
}

static size_t mk_opt_badlen_mss(uint8_t *f)
{
	return OPTS(0x02, 0x03, 0x05, 0x01);
}

static size_t mk_opt_badlen_wscale(uint8_t *f)
{
	return OPTS(0x03, 0x04, 0x07, 0x00);
}

static size_t mk_opt_badlen_sackok(uint8_t *f)
{
	return OPTS(0x01, 0x04, 0x03, 0x00);
}

static size_t mk_opt_badlen_ts(uint8_t *f)
{
	return OPTS(0x08, 0x08, 0, 0, 0, 1, 0, 0);
}

static size_t mk_opt_badlen_sack_empty(uint8_t *f)
{
	return OPTS(0x01, 0x01, 0x05, 0x02);
}

static size_t mk_opt_badlen_sack_partial(uint8_t *f)
{
	return OPTS(0x01, 0x05, 0x0b, 0, 0, 0, 1, 0, 0, 0, 2, 0);
}

static size_t mk_opt_badlen_tfo_short(uint8_t *f)
{
	return OPTS(0x22, 0x04, 0xaa, 0xbb);
}

static size_t mk_opt_badlen_tfo_odd(uint8_t *f)
{
	return OPTS(0x22, 0x07, 1, 2, 3, 4, 5, 0x01);
}

static size_t mk_opt_badlen_tfo_long(uint8_t *f)
{
	return OPTS(0x22, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
}

/* name, expected reason. Each gets its own test and goes into the coverage table below. */
#define REJECT_CASES(X)                                              \
	X(eth_trunc, SYNACK_PARSE_ETH_TRUNC)                         \
	X(ethertype_ipv6, SYNACK_PARSE_ETHERTYPE)                    \
	X(ethertype_vlan, SYNACK_PARSE_ETHERTYPE)                    \
	X(arp_trunc, SYNACK_PARSE_ARP_TRUNC)                         \
	X(arp_format_op, SYNACK_PARSE_ARP_FORMAT)                    \
	X(arp_format_ptype, SYNACK_PARSE_ARP_FORMAT)                 \
	X(arp_format_hlen, SYNACK_PARSE_ARP_FORMAT)                  \
	X(ip_trunc_hdr, SYNACK_PARSE_IP_TRUNC)                       \
	X(ip_trunc_ihl, SYNACK_PARSE_IP_TRUNC)                       \
	X(ip_trunc_totlen, SYNACK_PARSE_IP_TRUNC)                    \
	X(ip_version, SYNACK_PARSE_IP_VERSION)                       \
	X(ip_ihl, SYNACK_PARSE_IP_IHL)                               \
	X(ip_totlen, SYNACK_PARSE_IP_TOTLEN)                         \
	X(ip_fragment_mf, SYNACK_PARSE_IP_FRAGMENT)                  \
	X(ip_fragment_off, SYNACK_PARSE_IP_FRAGMENT)                 \
	X(ip_csum, SYNACK_PARSE_IP_CSUM)                             \
	X(ip_csum_options, SYNACK_PARSE_IP_CSUM)                     \
	X(ip_addr_zero, SYNACK_PARSE_IP_ADDR)                        \
	X(ip_addr_bcast, SYNACK_PARSE_IP_ADDR)                       \
	X(ip_addr_mcast, SYNACK_PARSE_IP_ADDR)                       \
	X(ip_addr_mcast_top, SYNACK_PARSE_IP_ADDR)                   \
	X(ip_proto, SYNACK_PARSE_IP_PROTO)                           \
	X(icmp_trunc, SYNACK_PARSE_ICMP_TRUNC)                       \
	X(icmp_csum, SYNACK_PARSE_ICMP_CSUM)                         \
	X(icmp_type, SYNACK_PARSE_ICMP_TYPE)                         \
	X(icmp_inner, SYNACK_PARSE_ICMP_INNER)                       \
	X(tcp_trunc, SYNACK_PARSE_TCP_TRUNC)                         \
	X(tcp_doff_small, SYNACK_PARSE_TCP_DOFF)                     \
	X(tcp_doff_large, SYNACK_PARSE_TCP_DOFF)                     \
	X(tcp_csum, SYNACK_PARSE_TCP_CSUM)                           \
	X(tcp_csum_pseudo, SYNACK_PARSE_TCP_CSUM)                    \
	X(tcp_port_src, SYNACK_PARSE_TCP_PORT)                       \
	X(tcp_port_dst, SYNACK_PARSE_TCP_PORT)                       \
	X(tcp_flags_synfin, SYNACK_PARSE_TCP_FLAGS)                  \
	X(tcp_flags_synrst, SYNACK_PARSE_TCP_FLAGS)                  \
	X(tcp_flags_null, SYNACK_PARSE_TCP_FLAGS)                    \
	X(tcp_flags_xmas_no_ctl, SYNACK_PARSE_TCP_FLAGS)             \
	X(opt_len0, SYNACK_PARSE_TCP_OPT_LEN0)                       \
	X(opt_len1, SYNACK_PARSE_TCP_OPT_LEN1)                       \
	X(opt_overrun_len, SYNACK_PARSE_TCP_OPT_OVERRUN)             \
	X(opt_overrun_nolen, SYNACK_PARSE_TCP_OPT_OVERRUN)           \
	X(opt_overrun_unknown, SYNACK_PARSE_TCP_OPT_OVERRUN)         \
	X(opt_badlen_mss, SYNACK_PARSE_TCP_OPT_BADLEN)               \
	X(opt_badlen_wscale, SYNACK_PARSE_TCP_OPT_BADLEN)            \
	X(opt_badlen_sackok, SYNACK_PARSE_TCP_OPT_BADLEN)            \
	X(opt_badlen_ts, SYNACK_PARSE_TCP_OPT_BADLEN)                \
	X(opt_badlen_sack_empty, SYNACK_PARSE_TCP_OPT_BADLEN)        \
	X(opt_badlen_sack_partial, SYNACK_PARSE_TCP_OPT_BADLEN)      \
	X(opt_badlen_tfo_short, SYNACK_PARSE_TCP_OPT_BADLEN)         \
	X(opt_badlen_tfo_odd, SYNACK_PARSE_TCP_OPT_BADLEN)           \
	X(opt_badlen_tfo_long, SYNACK_PARSE_TCP_OPT_BADLEN)

static void expect_reject(size_t (*mk)(uint8_t *), enum synack_parse_err want)
{
	uint8_t f[256] = { 0 };
	size_t n = mk(f);
	struct synack_pkt pkt;
	enum synack_parse_err got = parse_exact(f, n, 0, &pkt);

	cr_expect_eq(got, want, "got %s, want %s", synack_parse_err_name(got),
		     synack_parse_err_name(want));
	cr_expect_eq(pkt.kind, SYNACK_PKT_NONE);
}

#define X(name, code)                                                \
	Test(parse_reject, name)                                     \
	{                                                            \
		expect_reject(mk_##name, code);                      \
	}
REJECT_CASES(X)
#undef X

Test(parse_reject, every_reason_has_a_case)
{
	static const struct {
		size_t (*mk)(uint8_t *);
		enum synack_parse_err code;
	} cases[] = {
#define X(name, c) { mk_##name, c },
		REJECT_CASES(X)
#undef X
	};
	int seen[SYNACK_PARSE_ERR_COUNT] = { 0 };
	size_t i;
	int e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[256] = { 0 };
		size_t n = cases[i].mk(f);
		struct synack_pkt pkt;

		if (parse_exact(f, n, 0, &pkt) == cases[i].code)
			seen[cases[i].code] = 1;
	}
	for (e = SYNACK_PARSE_OK + 1; e < SYNACK_PARSE_ERR_COUNT; e++)
		cr_expect(seen[e], "no passing test produces %s",
			  synack_parse_err_name((enum synack_parse_err)e));
}

Test(parse, err_names)
{
	int e, k;

	cr_expect_str_eq(synack_parse_err_name(SYNACK_PARSE_OK), "ok");
	cr_expect_str_eq(synack_parse_err_name(SYNACK_PARSE_ETH_TRUNC), "eth_trunc");
	cr_expect_str_eq(synack_parse_err_name(SYNACK_PARSE_IP_FRAGMENT), "ip_fragment");
	cr_expect_str_eq(synack_parse_err_name(SYNACK_PARSE_TCP_OPT_LEN0), "tcp_opt_len0");
	cr_expect_str_eq(synack_parse_err_name(SYNACK_PARSE_TCP_OPT_BADLEN), "tcp_opt_badlen");
	cr_expect_str_eq(synack_parse_err_name(SYNACK_PARSE_ERR_COUNT), "unknown");
	cr_expect_str_eq(synack_parse_err_name((enum synack_parse_err)-1), "unknown");
	for (e = 0; e < SYNACK_PARSE_ERR_COUNT; e++) {
		const char *n = synack_parse_err_name((enum synack_parse_err)e);

		cr_assert_str_neq(n, "unknown", "reason %d has no name", e);
		for (k = 0; k < e; k++)
			cr_expect_str_neq(n, synack_parse_err_name((enum synack_parse_err)k));
	}
}

/* ---- options accepted ---- */

static enum synack_parse_err opts_exact(const uint8_t *p, size_t n, struct synack_tcp_opts *o)
{
	uint8_t *c = malloc(n ? n : 1);
	enum synack_parse_err e;

	cr_assert_not_null(c);
	if (n)
		memcpy(c, p, n);
	e = synack_tcp_opts_parse(c, n, o);
	free(c);
	return e;
}

Test(parse_opts, empty_resets_state)
{
	struct synack_tcp_opts o;

	memset(&o, 0xff, sizeof(o));
	cr_assert_eq(opts_exact(NULL, 0, &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.present, 0);
	cr_expect_eq(o.sack_blocks, 0);
	cr_expect_eq(o.tfo_len, 0);
}

Test(parse_opts, eol_stops_parsing)
{
	static const uint8_t p[] = { 0x02, 0x04, 0x02, 0x18, 0x00, 0x00, 0x01, 0x00 };
	struct synack_tcp_opts o;

	cr_assert_eq(opts_exact(p, sizeof(p), &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.present, SYNACK_OPT_MSS);
	cr_expect_eq(o.mss, 536);
}

Test(parse_opts, unknown_kinds_skipped)
{
	/* MPTCP-ish kind 30 and experimental 254, then a WS. */
	static const uint8_t p[] = { 0x1e, 0x04, 0x00, 0x00, 0xfe, 0x06, 0xf9, 0x89, 0xaa, 0xbb,
				     0x03, 0x03, 0x0e, 0x00 };
	struct synack_tcp_opts o;

	cr_assert_eq(opts_exact(p, sizeof(p), &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.present, SYNACK_OPT_WSCALE);
	cr_expect_eq(o.wscale, 14);
}

Test(parse_opts, sack_blocks)
{
	uint8_t p[40];
	struct synack_tcp_opts o;
	unsigned n, k;

	p[0] = 0x05;
	for (k = 0; k < SYNACK_SACK_MAX_BLOCKS; k++) {
		synack_wr32(p + 2 + 8 * k, 1000 * k + 1);
		synack_wr32(p + 6 + 8 * k, 1000 * k + 500);
	}
	for (n = 1; n <= SYNACK_SACK_MAX_BLOCKS; n++) {
		p[1] = (uint8_t)(2 + 8 * n);
		cr_assert_eq(opts_exact(p, 2 + 8 * n, &o), SYNACK_PARSE_OK);
		cr_expect_eq(o.present, SYNACK_OPT_SACK);
		cr_expect_eq(o.sack_blocks, n);
		for (k = 0; k < n; k++) {
			cr_expect_eq(o.sack[k][0], 1000 * k + 1);
			cr_expect_eq(o.sack[k][1], 1000 * k + 500);
		}
	}
}

Test(parse_opts, sack_more_than_four_blocks_keeps_four)
{
	/* Only possible when a caller hands in more than 40 bytes. */
	uint8_t p[42];
	struct synack_tcp_opts o;
	unsigned k;

	p[0] = 0x05;
	p[1] = 42;
	for (k = 0; k < 5; k++) {
		synack_wr32(p + 2 + 8 * k, k);
		synack_wr32(p + 6 + 8 * k, k + 100);
	}
	cr_assert_eq(opts_exact(p, sizeof(p), &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.sack_blocks, 4);
	cr_expect_eq(o.sack[3][1], 103);
}

Test(parse_opts, tfo)
{
	uint8_t p[18];
	struct synack_tcp_opts o;
	unsigned len;

	p[0] = 0x22;
	p[1] = 2;
	cr_assert_eq(opts_exact(p, 2, &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.present, SYNACK_OPT_TFO);
	cr_expect_eq(o.tfo_len, 0);
	for (len = 6; len <= 18; len += 2) {
		unsigned i;

		p[1] = (uint8_t)len;
		for (i = 2; i < len; i++)
			p[i] = (uint8_t)(i * 7);
		cr_assert_eq(opts_exact(p, len, &o), SYNACK_PARSE_OK);
		cr_expect_eq(o.tfo_len, len - 2);
		cr_expect_arr_eq(o.tfo_cookie, p + 2, len - 2);
	}
	for (len = 3; len <= 19; len++) {
		if (len % 2 == 0 && len >= 6)
			continue;
		p[1] = (uint8_t)len;
		cr_expect_eq(opts_exact(p, len < sizeof(p) ? len : sizeof(p), &o),
			     len <= 18 ? SYNACK_PARSE_TCP_OPT_BADLEN : SYNACK_PARSE_TCP_OPT_OVERRUN,
			     "len %u", len);
	}
}

Test(parse_opts, repeated_option_last_wins)
{
	static const uint8_t p[] = { 0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18 };
	struct synack_tcp_opts o;

	cr_assert_eq(opts_exact(p, sizeof(p), &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.mss, 536);
}

/* The two layouts read directly (NOP,NOP,TS and the SYN's MSS,SACK-OK,TS,NOP,WS) give exactly
 * what the general loop gives for the same options padded to another length with EOL. */
Test(parse_opts, direct_layouts_match_the_loop)
{
	for (unsigned r = 0; r < 2000; r++) {
		uint8_t syn[24] = { 2, 4, 0, 0, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 0, 0, 0, 0, 0 };
		uint8_t ts[16] = { 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		uint32_t a = rnd(), b = rnd(), c = rnd();
		memcpy(syn + 2, &c, 2);
		memcpy(syn + 8, &a, 4);
		memcpy(syn + 12, &b, 4);
		syn[19] = (uint8_t)(c >> 16);
		memcpy(ts + 4, &a, 4);
		memcpy(ts + 8, &b, 4);
		struct { const uint8_t *p; size_t len; } cases[2] = { { syn, 20 }, { ts, 12 } };
		for (unsigned k = 0; k < 2; k++) {
			struct synack_tcp_opts fast, loop;
			memset(&fast, 0xa5, sizeof(fast));
			memset(&loop, 0xa5, sizeof(loop));
			/* The same list with 4 bytes of EOL after it goes through the loop. */
			cr_assert_eq(synack_tcp_opts_parse(cases[k].p, cases[k].len, &fast), SYNACK_PARSE_OK);
			cr_assert_eq(synack_tcp_opts_parse(cases[k].p, cases[k].len + 4, &loop), SYNACK_PARSE_OK);
			cr_assert_eq(fast.present, loop.present);
			cr_assert_eq(fast.tsval, loop.tsval);
			cr_assert_eq(fast.tsecr, loop.tsecr);
			cr_assert_eq(fast.sack_blocks, loop.sack_blocks);
			cr_assert_eq(fast.tfo_len, loop.tfo_len);
			if (k == 0) {
				cr_assert_eq(fast.present, SYNACK_OPT_MSS | SYNACK_OPT_SACK_OK | SYNACK_OPT_TS | SYNACK_OPT_WSCALE);
				cr_assert_eq(fast.mss, loop.mss);
				cr_assert_eq(fast.wscale, loop.wscale);
			}
		}
	}
}

Test(parse_opts, nop_only_and_trailing_nop)
{
	static const uint8_t p[] = { 0x01, 0x01, 0x01, 0x01 };
	struct synack_tcp_opts o;

	cr_expect_eq(opts_exact(p, sizeof(p), &o), SYNACK_PARSE_OK);
	cr_expect_eq(o.present, 0);
	/* A lone kind byte at the end, even of an unknown option, lacks its length. */
	cr_expect_eq(opts_exact((const uint8_t[]){ 0x01, 0x01, 0x01, 0x99 }, 4, &o),
		     SYNACK_PARSE_TCP_OPT_OVERRUN);
}

/* ---- robustness ---- */

static void truncation_loop(const uint8_t *f, size_t full)
{
	size_t len;

	for (len = 0; len <= full; len++) {
		struct synack_pkt pkt;
		enum synack_parse_err e = parse_exact(f, len, 0, &pkt);

		if (len < full)
			cr_assert_neq(e, SYNACK_PARSE_OK, "accepted %zu of %zu bytes", len, full);
		else
			cr_assert_eq(e, SYNACK_PARSE_OK, "%s", synack_parse_err_name(e));
	}
}

Test(parse_robust, truncation_linux_syn)
{
	const unsigned both = SYNACK_PARSE_F_IP_CSUM_OK | SYNACK_PARSE_F_L4_CSUM_OK;
	size_t len;

	truncation_loop(LINUX_SYN, sizeof(LINUX_SYN));
	/* Also without the Ethernet header, and with checksums taken as verified (so that the
	 * length checks alone must stop each short read). */
	for (len = 0; len <= sizeof(LINUX_SYN) - ETH; len++) {
		uint8_t *p = malloc(len ? len : 1);
		struct synack_seg seg;
		struct synack_pkt pkt;

		cr_assert_not_null(p);
		memcpy(p, LINUX_SYN + ETH, len);
		cr_assert_eq(synack_parse_ipv4_tcp(p, len, both, &seg) == SYNACK_PARSE_OK,
			     len == sizeof(LINUX_SYN) - ETH);
		free(p);
		cr_assert_eq(parse_exact(LINUX_SYN, ETH + len, both, &pkt) == SYNACK_PARSE_OK,
			     len == sizeof(LINUX_SYN) - ETH);
	}
}

Test(parse_robust, truncation_icmp_and_arp)
{
	uint8_t f[128];
	size_t n = icmp_frame(f, SYNACK_ICMP_ECHO_REQUEST, 13);

	truncation_loop(f, n);
	truncation_loop(ARP_REQ, sizeof(ARP_REQ));
}

Test(parse_robust, truncation_options)
{
	/* Every prefix of the SYN's option bytes either parses or is rejected, without overreads. */
	size_t len;

	for (len = 0; len <= 20; len++) {
		struct synack_tcp_opts o;

		opts_exact(LINUX_SYN + IP + 20, len, &o);
	}
}

static void check_invariants(const uint8_t *buf, size_t len, const struct synack_pkt *pkt)
{
	switch (pkt->kind) {
	case SYNACK_PKT_TCP:
		cr_assert(pkt->seg.payload >= buf + pkt->l4_off + 20);
		cr_assert(pkt->seg.payload + pkt->seg.len <= buf + len);
		cr_assert_leq(pkt->seg.opts.sack_blocks, SYNACK_SACK_MAX_BLOCKS);
		cr_assert_leq(pkt->seg.opts.tfo_len, SYNACK_TFO_COOKIE_MAX);
		cr_assert(pkt->seg.sport && pkt->seg.dport);
		break;
	case SYNACK_PKT_ICMP_ECHO:
		cr_assert(pkt->icmp.data + pkt->icmp.data_len <= buf + len);
		break;
	case SYNACK_PKT_ARP:
		cr_assert_geq(len, 42);
		break;
	default:
		cr_assert_fail("OK without a kind");
	}
}

Test(parse_robust, random_mutations)
{
	uint8_t base[3][128];
	size_t base_len[3];
	int iter, accepted = 0;

	memcpy(base[0], LINUX_SYN, sizeof(LINUX_SYN));
	base_len[0] = sizeof(LINUX_SYN);
	base_len[1] = icmp_frame(base[1], SYNACK_ICMP_ECHO_REQUEST, 20);
	memcpy(base[2], ARP_REQ, sizeof(ARP_REQ));
	base_len[2] = sizeof(ARP_REQ);
	for (iter = 0; iter < 5000; iter++) {
		int which = (int)(rnd() % 3), k, nmut = 1 + (int)(rnd() % 4);
		size_t len = base_len[which];
		unsigned flags = rnd() & 3;
		uint8_t *p;
		struct synack_pkt pkt;

		if (rnd() % 4 == 0)
			len = rnd() % (len + 1);
		if (rnd() % 8 == 0)
			len += rnd() % 20;      /* trailing bytes past the datagram */
		p = malloc(len ? len : 1);
		cr_assert_not_null(p);
		for (k = 0; k < (int)len; k++)
			p[k] = k < (int)base_len[which] ? base[which][k] : (uint8_t)rnd();
		for (k = 0; k < nmut && len; k++) {
			/* Mostly in the headers, where the decisions are made. */
			size_t at = rnd() % (len < 80 ? len : 80);

			p[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(p[at] ^ (1u << (rnd() % 8)));
		}
		if (synack_parse_frame(p, len, flags, &pkt) == SYNACK_PARSE_OK) {
			check_invariants(p, len, &pkt);
			accepted++;
		}
		free(p);
	}
	/* The loop is only meaningful if some mutants get deep enough to be accepted. */
	cr_expect_gt(accepted, 50);
}

Test(parse_robust, random_options)
{
	/* Random option bytes behind a valid header: every outcome is a defined code. */
	int iter;

	for (iter = 0; iter < 5000; iter++) {
		uint8_t opts[40];
		size_t n = (rnd() % 11) * 4, i;
		struct synack_tcp_opts o;
		enum synack_parse_err e;

		for (i = 0; i < n; i++) {
			static const uint8_t kinds[] = { 0, 1, 2, 3, 4, 5, 8, 34, 0x99 };

			opts[i] = (rnd() % 3) ? kinds[rnd() % sizeof(kinds)] : (uint8_t)(rnd() % 20);
		}
		e = opts_exact(opts, n, &o);
		cr_assert(e == SYNACK_PARSE_OK ||
			  (e >= SYNACK_PARSE_TCP_OPT_LEN0 && e <= SYNACK_PARSE_TCP_OPT_BADLEN));
		if (e == SYNACK_PARSE_OK) {
			cr_assert_leq(o.sack_blocks, SYNACK_SACK_MAX_BLOCKS);
			cr_assert_leq(o.tfo_len, SYNACK_TFO_COOKIE_MAX);
		}
	}
}

/* The frame parser reads the common frame (IPv4 without options, TCP) in one straight run; the
 * layered path behind synack_parse_ipv4_tcp() is the reference. On mutants of real frames, with
 * and without checksum offload, both give the same verdict and, when they accept, the same
 * segment. */
Test(parse_robust, straight_run_matches_layers)
{
	int iter, agreed_ok = 0, agreed_csum = 0;

	for (iter = 0; iter < 40000; iter++) {
		uint8_t f[128];
		size_t len = sizeof(LINUX_SYN);
		unsigned flags = (rnd() & 1) ? SYNACK_PARSE_F_IP_CSUM_OK | SYNACK_PARSE_F_L4_CSUM_OK : 0;
		struct synack_pkt pkt;
		struct synack_seg ref;
		int k, nmut = (int)(rnd() % 3);

		memcpy(f, LINUX_SYN, sizeof(LINUX_SYN));
		if (rnd() & 1) {
			/* Make it a bare ACK with NOP, NOP, timestamps (66 bytes). */
			f[ETH + 20 + 12] = 0x80;
			f[ETH + 20 + 13] = SYNACK_TH_ACK;
			memcpy(f + ETH + 40, "\x01\x01\x08\x0a\x00\x00\x00\x07\x00\x00\x00\x09", 12);
			synack_wr16(f + ETH + 2, 52);
			len = ETH + 52;
		}
		fix_csums(f);
		for (k = 0; k < nmut; k++) {
			size_t at = rnd() % len;

			f[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(f[at] ^ (1u << (rnd() % 8)));
		}
		/* Now and then right checksums again, so that mutants get past them (only where the
		 * mutated lengths keep fix_csums inside the frame). */
		if (rnd() % 8 == 0 && f[ETH] == 0x45 && synack_rd16(f + ETH + 2) >= 40 &&
		    synack_rd16(f + ETH + 2) <= len - ETH)
			fix_csums(f);
		if (rnd() % 8 == 0)
			len -= rnd() % len;
		if (len < ETH || synack_rd16(f + 12) != SYNACK_ETHERTYPE_IPV4)
			continue;
		/* An exact-size heap copy: reading past len is an ASan error, not a silent pass. */
		uint8_t *p = malloc(len);
		cr_assert_not_null(p);
		memcpy(p, f, len);
		enum synack_parse_err e1 = synack_parse_frame(p, len, flags, &pkt);
		enum synack_parse_err e2 = synack_parse_ipv4_tcp(p + ETH, len - ETH, flags, &ref);
		const uint8_t *payload = pkt.seg.payload, *ref_payload = ref.payload;
		free(p);
		if (len >= ETH + 20 && f[ETH + 9] == SYNACK_IPPROTO_ICMP && e2 == SYNACK_PARSE_IP_PROTO)
			continue; /* the frame parser goes on into ICMP; the TCP entry point stops */
		cr_assert_eq(e1, e2, "iteration %d: frame parser %s, layers %s", iter, synack_parse_err_name(e1),
			     synack_parse_err_name(e2));
		if (e1 == SYNACK_PARSE_TCP_CSUM) {
			/* The straight run gives this verdict itself (one sum, not two): the rest of out
			 * must be what the layers leave for it. */
			agreed_csum++;
			cr_assert_eq(pkt.kind, SYNACK_PKT_NONE);
			cr_assert_eq(pkt.l3_off, ETH);
			if (f[ETH] == 0x45)
				cr_assert_eq(pkt.l4_off, ETH + 20);
		}
		if (e1 != SYNACK_PARSE_OK)
			continue;
		agreed_ok++;
		cr_assert_eq(pkt.kind, SYNACK_PKT_TCP);
		cr_assert_eq(pkt.l3_off, ETH);
		cr_assert_eq(pkt.l4_off, ETH + 20);
		cr_assert_arr_eq(pkt.dst_mac, f, 6);
		cr_assert_arr_eq(pkt.src_mac, f + 6, 6);
		const struct synack_seg *s = &pkt.seg;
		cr_assert(s->saddr == ref.saddr && s->daddr == ref.daddr && s->sport == ref.sport &&
			  s->dport == ref.dport && s->seq == ref.seq && s->ack == ref.ack && s->len == ref.len &&
			  s->wnd == ref.wnd && s->flags == ref.flags && s->ttl == ref.ttl);
		cr_assert(payload == ref_payload);
		cr_assert_eq(s->opts.present, ref.opts.present);
		if (s->opts.present & SYNACK_OPT_MSS)
			cr_assert_eq(s->opts.mss, ref.opts.mss);
		if (s->opts.present & SYNACK_OPT_TS)
			cr_assert(s->opts.tsval == ref.opts.tsval && s->opts.tsecr == ref.opts.tsecr);
		if (s->opts.present & SYNACK_OPT_WSCALE)
			cr_assert_eq(s->opts.wscale, ref.opts.wscale);
		cr_assert_eq(s->opts.sack_blocks, ref.opts.sack_blocks);
		cr_assert_eq(s->opts.tfo_len, ref.opts.tfo_len);
	}
	cr_expect_gt(agreed_ok, 1000);
	cr_expect_gt(agreed_csum, 1000);
}
