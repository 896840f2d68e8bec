/* parse.c: turns a received Ethernet frame into an ARP packet, an ICMP echo or a TCP segment, or
 * into the reason it is none of them. Runs once per packet on the receive path, so it checks
 * cheap structural things first and never reads at or past len: every access below is preceded
 * by a length check that covers it. The common frame (IPv4 without options, TCP) is read in one
 * straight run; any other frame, or one failing a check there, is read again layer by layer, which
 * names the reason (a bad TCP checksum the straight run found is passed on, not summed again). */
#include "parse.h"

#include <assert.h>
#include <stdbool.h>

#include "build.h"      /* header length constants */
#include "cksum.h"
#include "wire.h"

static const char *const err_names[] = {
	[SYNACK_PARSE_OK] = "ok",
	[SYNACK_PARSE_ETH_TRUNC] = "eth_trunc",
	[SYNACK_PARSE_ETHERTYPE] = "ethertype",
	[SYNACK_PARSE_ARP_TRUNC] = "arp_trunc",
	[SYNACK_PARSE_ARP_FORMAT] = "arp_format",
	[SYNACK_PARSE_IP_TRUNC] = "ip_trunc",
	[SYNACK_PARSE_IP_VERSION] = "ip_version",
	[SYNACK_PARSE_IP_IHL] = "ip_ihl",
	[SYNACK_PARSE_IP_TOTLEN] = "ip_totlen",
	[SYNACK_PARSE_IP_FRAGMENT] = "ip_fragment",
	[SYNACK_PARSE_IP_CSUM] = "ip_csum",
	[SYNACK_PARSE_IP_ADDR] = "ip_addr",
	[SYNACK_PARSE_IP_PROTO] = "ip_proto",
	[SYNACK_PARSE_ICMP_TRUNC] = "icmp_trunc",
	[SYNACK_PARSE_ICMP_CSUM] = "icmp_csum",
	[SYNACK_PARSE_ICMP_TYPE] = "icmp_type",
	[SYNACK_PARSE_ICMP_INNER] = "icmp_inner",
	[SYNACK_PARSE_TCP_TRUNC] = "tcp_trunc",
	[SYNACK_PARSE_TCP_DOFF] = "tcp_doff",
	[SYNACK_PARSE_TCP_CSUM] = "tcp_csum",
	[SYNACK_PARSE_TCP_PORT] = "tcp_port",
	[SYNACK_PARSE_TCP_FLAGS] = "tcp_flags",
	[SYNACK_PARSE_TCP_OPT_LEN0] = "tcp_opt_len0",
	[SYNACK_PARSE_TCP_OPT_LEN1] = "tcp_opt_len1",
	[SYNACK_PARSE_TCP_OPT_OVERRUN] = "tcp_opt_overrun",
	[SYNACK_PARSE_TCP_OPT_BADLEN] = "tcp_opt_badlen",
};

/* A reason added to the enum without a name here would make the table one short (or leave a hole,
 * which the unit test catches). */
static_assert(sizeof(err_names) / sizeof(err_names[0]) == SYNACK_PARSE_ERR_COUNT,
	      "err_names must name every enum synack_parse_err value");

const char *synack_parse_err_name(enum synack_parse_err e)
{
	if ((unsigned)e >= SYNACK_PARSE_ERR_COUNT || !err_names[e])
		return "unknown";
	return err_names[e];
}

/* What the IPv4 layer hands up. */
struct ip4_info {
	uint32_t saddr, daddr;
	uint16_t hlen;          /* IHL * 4 */
	uint16_t totlen;        /* total length field: trailing bytes past it are link padding */
	uint8_t proto;
	uint8_t ttl;
};

/* Source addresses no datagram may carry (RFC 1122 §3.2.1.3: a host must silently discard a
 * datagram whose source is not a unicast address; 0.0.0.0 is only for a host learning its own
 * address, which never talks TCP). Answering any of these would be a reflection. */
static inline int ip4_bad_source(uint32_t a)
{
	return a == 0 || a == 0xffffffffu || (a & 0xf0000000u) == 0xe0000000u;
}

static enum synack_parse_err ip4_parse(const uint8_t *ip, size_t len, unsigned flags,
				       struct ip4_info *ii)
{
	unsigned hlen, totlen, frag;

	if (len < SYNACK_IP4_HLEN)
		return SYNACK_PARSE_IP_TRUNC;
	if ((ip[SYNACK_IP4_OFF_VIHL] >> 4) != 4)
		return SYNACK_PARSE_IP_VERSION;
	hlen = (ip[SYNACK_IP4_OFF_VIHL] & 0x0f) * 4u;
	if (hlen < SYNACK_IP4_HLEN)
		return SYNACK_PARSE_IP_IHL;
	if (len < hlen)
		return SYNACK_PARSE_IP_TRUNC;
	totlen = synack_rd16(ip + SYNACK_IP4_OFF_TOTLEN);
	if (totlen < hlen)
		return SYNACK_PARSE_IP_TOTLEN;
	/* Less than totlen is a truncated datagram; more is Ethernet padding up to the 60-byte
	 * minimum frame (IEEE 802.3), which is not part of the datagram (RFC 894). */
	if (totlen > len)
		return SYNACK_PARSE_IP_TRUNC;
	/* Checked before the fields below so that a corrupted header is counted as corrupted rather
	 * than as whatever its garbage happens to look like. The sum includes the options. */
	if (!(flags & SYNACK_PARSE_F_IP_CSUM_OK) && synack_cksum_fold(synack_cksum_ipv4_hdr(ip, hlen)) != 0)
		return SYNACK_PARSE_IP_CSUM;
	/* No reassembly (RFC 791 §3.2): a TCP endpoint with DF set on its own output and MSS
	 * clamping never needs it, and reassembly buffers are a memory-exhaustion target. */
	frag = synack_rd16(ip + SYNACK_IP4_OFF_FRAG);
	if (frag & (SYNACK_IP4_MF | SYNACK_IP4_FRAG_MASK))
		return SYNACK_PARSE_IP_FRAGMENT;
	ii->saddr = synack_rd32(ip + SYNACK_IP4_OFF_SADDR);
	if (ip4_bad_source(ii->saddr))
		return SYNACK_PARSE_IP_ADDR;
	ii->daddr = synack_rd32(ip + SYNACK_IP4_OFF_DADDR);
	ii->proto = ip[SYNACK_IP4_OFF_PROTO];
	if (ii->proto != SYNACK_IPPROTO_TCP && ii->proto != SYNACK_IPPROTO_ICMP)
		return SYNACK_PARSE_IP_PROTO;
	ii->ttl = ip[SYNACK_IP4_OFF_TTL];
	ii->hlen = (uint16_t)hlen;
	ii->totlen = (uint16_t)totlen;
	return SYNACK_PARSE_OK;
}

enum synack_parse_err synack_tcp_opts_parse(const uint8_t *p, size_t len, struct synack_tcp_opts *o)
{
	size_t i = 0;

	o->present = 0;
	o->sack_blocks = 0;
	o->tfo_len = 0;
	/* The layout nearly every segment after the SYN carries (RFC 7323 Appendix A): NOP, NOP,
	 * timestamps. Read it directly, as the loop below would. */
	if (len == 12 && synack_rd32(p) == 0x0101080au) {
		o->tsval = synack_rd32(p + 4);
		o->tsecr = synack_rd32(p + 8);
		o->present = SYNACK_OPT_TS;
		return SYNACK_PARSE_OK;
	}
	/* And the SYN's and SYN-ACK's, Linux's order and ours: MSS, SACK-permitted, timestamps, NOP,
	 * window scale. */
	if (len == 20 && synack_rd16(p) == 0x0204u && synack_rd32(p + 4) == 0x0402080au &&
	    synack_rd32(p + 16) >> 8 == 0x010303u) {
		o->mss = synack_rd16(p + 2);
		o->tsval = synack_rd32(p + 8);
		o->tsecr = synack_rd32(p + 12);
		o->wscale = p[19];
		o->present = SYNACK_OPT_MSS | SYNACK_OPT_SACK_OK | SYNACK_OPT_TS | SYNACK_OPT_WSCALE;
		return SYNACK_PARSE_OK;
	}
	/* RFC 9293 §3.1 and §3.2: EOL ends the list, NOP is a single byte, every other option is
	 * kind, length (counting both), data. An unknown kind is skipped by its length (RFC 9293
	 * §3.2 MUST-6); a repeated option overwrites the earlier one. */
	while (i < len) {
		uint8_t kind = p[i], olen;
		const uint8_t *d;

		if (kind == SYNACK_TCPOPT_EOL)
			break;
		if (kind == SYNACK_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return SYNACK_PARSE_TCP_OPT_OVERRUN;
		olen = p[i + 1];
		/* A length below 2 cannot even cover kind and length; 0 in particular would loop
		 * forever in a naive parser (RFC 9293 §3.2 MUST-7 asks for robustness here). */
		if (olen == 0)
			return SYNACK_PARSE_TCP_OPT_LEN0;
		if (olen == 1)
			return SYNACK_PARSE_TCP_OPT_LEN1;
		if (olen > len - i)
			return SYNACK_PARSE_TCP_OPT_OVERRUN;
		d = p + i + 2;
		switch (kind) {
		case SYNACK_TCPOPT_MSS:         /* RFC 9293 §3.2 */
			if (olen != 4)
				return SYNACK_PARSE_TCP_OPT_BADLEN;
			o->mss = synack_rd16(d);
			o->present |= SYNACK_OPT_MSS;
			break;
		case SYNACK_TCPOPT_WSCALE:      /* RFC 7323 §2.2 */
			if (olen != 3)
				return SYNACK_PARSE_TCP_OPT_BADLEN;
			o->wscale = d[0];
			o->present |= SYNACK_OPT_WSCALE;
			break;
		case SYNACK_TCPOPT_SACK_OK:     /* RFC 2018 §2 */
			if (olen != 2)
				return SYNACK_PARSE_TCP_OPT_BADLEN;
			o->present |= SYNACK_OPT_SACK_OK;
			break;
		case SYNACK_TCPOPT_SACK: {      /* RFC 2018 §3: 2 + 8n, n >= 1 */
			unsigned n, k;

			if (olen < 10 || (olen - 2) % 8 != 0)
				return SYNACK_PARSE_TCP_OPT_BADLEN;
			/* 40 bytes of option space hold at most 4 blocks; a longer list can only
			 * come from a caller passing more than 40 bytes, so keep the first 4. */
			n = (olen - 2u) / 8;
			if (n > SYNACK_SACK_MAX_BLOCKS)
				n = SYNACK_SACK_MAX_BLOCKS;
			for (k = 0; k < n; k++) {
				o->sack[k][0] = synack_rd32(d + 8 * k);
				o->sack[k][1] = synack_rd32(d + 8 * k + 4);
			}
			o->sack_blocks = (uint8_t)n;
			o->present |= SYNACK_OPT_SACK;
			break;
		}
		case SYNACK_TCPOPT_TS:          /* RFC 7323 §3.2 */
			if (olen != 10)
				return SYNACK_PARSE_TCP_OPT_BADLEN;
			o->tsval = synack_rd32(d);
			o->tsecr = synack_rd32(d + 4);
			o->present |= SYNACK_OPT_TS;
			break;
		case SYNACK_TCPOPT_TFO:         /* RFC 7413 §4.1.1: 2 (request) or 6..18, even */
			if (olen != 2 && (olen < 6 || olen > 2 + SYNACK_TFO_COOKIE_MAX || (olen & 1)))
				return SYNACK_PARSE_TCP_OPT_BADLEN;
			o->tfo_len = (uint8_t)(olen - 2);
			memcpy(o->tfo_cookie, d, o->tfo_len);
			o->present |= SYNACK_OPT_TFO;
			break;
		default:
			break;
		}
		i += olen;
	}
	return SYNACK_PARSE_OK;
}

/* Combinations no conforming stack sends and scanners use for fingerprinting: SYN+FIN, SYN+RST,
 * and a segment with none of SYN/ACK/RST/FIN (only the SYN is ever sent without ACK, RFC 9293
 * §3.10.7; a bare RST is handled as RST). Dropped by the parser so that the state machine never
 * has to define a reaction to them. */
static inline bool tcp_flags_bad(uint8_t fl)
{
	return ((fl & SYNACK_TH_SYN) && (fl & (SYNACK_TH_FIN | SYNACK_TH_RST))) ||
	       !(fl & (SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_RST | SYNACK_TH_FIN));
}

/* The options between the fixed header and the data offset, or none. */
static inline enum synack_parse_err seg_opts(const uint8_t *th, unsigned doff, struct synack_tcp_opts *o)
{
	if (doff > SYNACK_TCP_HLEN)
		return synack_tcp_opts_parse(th + SYNACK_TCP_HLEN, doff - SYNACK_TCP_HLEN, o);
	o->present = 0;
	o->sack_blocks = 0;
	o->tfo_len = 0;
	return SYNACK_PARSE_OK;
}

/* The TCP checksum covers the pseudo-header too (RFC 9293 §3.1), so a datagram delivered to the
 * wrong address or with the wrong length fails. Skipped when a NIC has verified it. */
static inline bool tcp_csum_bad(const uint8_t *th, size_t seglen, uint32_t saddr, uint32_t daddr, unsigned flags)
{
	return !(flags & SYNACK_PARSE_F_L4_CSUM_OK) &&
	       synack_cksum_fold(synack_cksum_add_short(synack_cksum_pseudo_ipv4(saddr, daddr, SYNACK_IPPROTO_TCP,
										(uint16_t)seglen),
						       th, seglen)) != 0;
}

/* th points at seglen bytes: the TCP header, its options and the payload (IP padding excluded). */
static enum synack_parse_err tcp_parse(const uint8_t *th, size_t seglen, unsigned flags,
				       const struct ip4_info *ii, struct synack_seg *seg)
{
	unsigned doff;
	uint8_t fl;

	if (seglen < SYNACK_TCP_HLEN)
		return SYNACK_PARSE_TCP_TRUNC;
	doff = (th[SYNACK_TCP_OFF_DOFF] >> 4) * 4u;
	if (doff < SYNACK_TCP_HLEN || doff > seglen)
		return SYNACK_PARSE_TCP_DOFF;
	if (tcp_csum_bad(th, seglen, ii->saddr, ii->daddr, flags))
		return SYNACK_PARSE_TCP_CSUM;
	seg->sport = synack_rd16(th + SYNACK_TCP_OFF_SPORT);
	seg->dport = synack_rd16(th + SYNACK_TCP_OFF_DPORT);
	/* Port 0 is reserved and cannot name a connection. */
	if (seg->sport == 0 || seg->dport == 0)
		return SYNACK_PARSE_TCP_PORT;
	fl = th[SYNACK_TCP_OFF_FLAGS];
	if (tcp_flags_bad(fl))
		return SYNACK_PARSE_TCP_FLAGS;
	enum synack_parse_err e = seg_opts(th, doff, &seg->opts);
	if (e != SYNACK_PARSE_OK)
		return e;
	seg->flags = fl;
	seg->saddr = ii->saddr;
	seg->daddr = ii->daddr;
	seg->seq = synack_rd32(th + SYNACK_TCP_OFF_SEQ);
	seg->ack = synack_rd32(th + SYNACK_TCP_OFF_ACK);
	seg->wnd = synack_rd16(th + SYNACK_TCP_OFF_WND);
	seg->ttl = ii->ttl;
	seg->payload = th + doff;
	seg->len = (uint32_t)(seglen - doff);
	return SYNACK_PARSE_OK;
}

/* Fragmentation needed (type 3 code 4): its 8-byte header (the next-hop MTU in bytes 6-7, RFC
 * 1191 §4), then the IPv4 header of the datagram that did not fit and at least 8 bytes of what
 * followed it (RFC 792): for TCP the ports and the sequence number. Checksummed already. */
static enum synack_parse_err frag_parse(const uint8_t *ic, size_t len, const struct ip4_info *ii,
					struct synack_icmp_frag *f)
{
	const uint8_t *in = ic + SYNACK_ICMP_ECHO_HLEN;
	size_t inlen = len - SYNACK_ICMP_ECHO_HLEN;
	if (inlen < SYNACK_IP4_HLEN || (in[SYNACK_IP4_OFF_VIHL] >> 4) != 4)
		return SYNACK_PARSE_ICMP_INNER;
	size_t ihl = (size_t)(in[SYNACK_IP4_OFF_VIHL] & 0xf) * 4;
	if (ihl < SYNACK_IP4_HLEN || in[SYNACK_IP4_OFF_PROTO] != SYNACK_IPPROTO_TCP || inlen < ihl + 8)
		return SYNACK_PARSE_ICMP_INNER;
	const uint8_t *th = in + ihl;
	f->saddr = ii->saddr;
	f->mtu = synack_rd16(ic + 6);
	f->laddr = synack_rd32(in + SYNACK_IP4_OFF_SADDR);
	f->raddr = synack_rd32(in + SYNACK_IP4_OFF_DADDR);
	f->lport = synack_rd16(th + SYNACK_TCP_OFF_SPORT);
	f->rport = synack_rd16(th + SYNACK_TCP_OFF_DPORT);
	f->seq = synack_rd32(th + SYNACK_TCP_OFF_SEQ);
	return SYNACK_PARSE_OK;
}

/* ic points at the ICMP message (len bytes, IP padding excluded): an echo, or fragmentation
 * needed (*kind says which). */
static enum synack_parse_err icmp_parse(const uint8_t *ic, size_t len, const struct ip4_info *ii,
					struct synack_pkt *out, enum synack_pkt_kind *kind)
{
	uint8_t type;
	struct synack_icmp_echo *e = &out->icmp;

	if (len < SYNACK_ICMP_ECHO_HLEN)
		return SYNACK_PARSE_ICMP_TRUNC;
	/* The type first: most other ICMP is not worth summing. */
	type = ic[SYNACK_ICMP_OFF_TYPE];
	if (type == SYNACK_ICMP_UNREACH && ic[SYNACK_ICMP_OFF_CODE] == SYNACK_ICMP_FRAG_NEEDED) {
		if (synack_cksum_fold(synack_cksum_add(0, ic, len)) != 0)
			return SYNACK_PARSE_ICMP_CSUM;
		*kind = SYNACK_PKT_ICMP_FRAG;
		return frag_parse(ic, len, ii, &out->frag);
	}
	if (type != SYNACK_ICMP_ECHO_REQUEST && type != SYNACK_ICMP_ECHO_REPLY)
		return SYNACK_PARSE_ICMP_TYPE;
	*kind = SYNACK_PKT_ICMP_ECHO;
	/* RFC 792: the checksum covers the whole ICMP message. Always computed: NICs validate TCP
	 * and UDP checksums, not ICMP. */
	if (synack_cksum_fold(synack_cksum_add(0, ic, len)) != 0)
		return SYNACK_PARSE_ICMP_CSUM;
	e->type = type;
	e->id = synack_rd16(ic + SYNACK_ICMP_OFF_ID);
	e->seqno = synack_rd16(ic + SYNACK_ICMP_OFF_SEQ);
	e->saddr = ii->saddr;
	e->daddr = ii->daddr;
	e->data = ic + SYNACK_ICMP_ECHO_HLEN;
	e->data_len = (uint32_t)(len - SYNACK_ICMP_ECHO_HLEN);
	return SYNACK_PARSE_OK;
}

static enum synack_parse_err arp_parse(const uint8_t *a, size_t len, struct synack_arp *arp)
{
	uint16_t op;

	/* Padding after the 28 bytes is allowed, as after an IP datagram. */
	if (len < SYNACK_ARP_LEN)
		return SYNACK_PARSE_ARP_TRUNC;
	op = synack_rd16(a + SYNACK_ARP_OFF_OP);
	if (synack_rd16(a + SYNACK_ARP_OFF_HTYPE) != SYNACK_ARP_HTYPE_ETHER ||
	    synack_rd16(a + SYNACK_ARP_OFF_PTYPE) != SYNACK_ETHERTYPE_IPV4 ||
	    a[SYNACK_ARP_OFF_HLEN] != SYNACK_ETH_ALEN || a[SYNACK_ARP_OFF_PLEN] != 4 ||
	    (op != SYNACK_ARP_OP_REQUEST && op != SYNACK_ARP_OP_REPLY))
		return SYNACK_PARSE_ARP_FORMAT;
	arp->op = op;
	memcpy(arp->sha, a + SYNACK_ARP_OFF_SHA, SYNACK_ETH_ALEN);
	memcpy(arp->tha, a + SYNACK_ARP_OFF_THA, SYNACK_ETH_ALEN);
	arp->spa = synack_rd32(a + SYNACK_ARP_OFF_SPA);
	arp->tpa = synack_rd32(a + SYNACK_ARP_OFF_TPA);
	return SYNACK_PARSE_OK;
}

enum synack_parse_err synack_parse_ipv4_tcp(const uint8_t *buf, size_t len, unsigned flags,
					    struct synack_seg *seg)
{
	struct ip4_info ii;
	enum synack_parse_err e = ip4_parse(buf, len, flags, &ii);

	if (e != SYNACK_PARSE_OK)
		return e;
	if (ii.proto != SYNACK_IPPROTO_TCP)
		return SYNACK_PARSE_IP_PROTO;
	return tcp_parse(buf + ii.hlen, (size_t)ii.totlen - ii.hlen, flags, &ii, seg);
}

/* The frame nearly every packet is: Ethernet, IPv4 without options, not a fragment, TCP. The same
 * checks as the layers below make, in one straight run without their hand-offs; a frame of any
 * other shape, or failing any check, goes the general way, which names the reason (for a bad TCP
 * checksum, *csum_bad tells it the verdict, so the segment is not summed twice). Writes out only
 * once every check has passed (the options aside, which the general way parses again). */
static bool parse_fast_tcp(const uint8_t *buf, size_t len, unsigned flags, struct synack_pkt *out, bool *csum_bad)
{
	const uint8_t *ip = buf + SYNACK_ETH_HLEN, *th = ip + SYNACK_IP4_HLEN;

	if (len < SYNACK_ETH_HLEN + SYNACK_IP4_HLEN + SYNACK_TCP_HLEN ||
	    synack_rd16(buf + SYNACK_ETH_OFF_TYPE) != SYNACK_ETHERTYPE_IPV4 || ip[SYNACK_IP4_OFF_VIHL] != 0x45 ||
	    ip[SYNACK_IP4_OFF_PROTO] != SYNACK_IPPROTO_TCP)
		return false;
	unsigned totlen = synack_rd16(ip + SYNACK_IP4_OFF_TOTLEN);
	if (totlen < SYNACK_IP4_HLEN + SYNACK_TCP_HLEN || totlen > len - SYNACK_ETH_HLEN)
		return false;
	if (!(flags & SYNACK_PARSE_F_IP_CSUM_OK) &&
	    synack_cksum_fold(synack_cksum_ipv4_hdr(ip, SYNACK_IP4_HLEN)) != 0)
		return false;
	if (synack_rd16(ip + SYNACK_IP4_OFF_FRAG) & (SYNACK_IP4_MF | SYNACK_IP4_FRAG_MASK))
		return false;
	uint32_t saddr = synack_rd32(ip + SYNACK_IP4_OFF_SADDR), daddr = synack_rd32(ip + SYNACK_IP4_OFF_DADDR);
	if (ip4_bad_source(saddr))
		return false;
	size_t seglen = totlen - SYNACK_IP4_HLEN;
	unsigned doff = (th[SYNACK_TCP_OFF_DOFF] >> 4) * 4u;
	if (doff < SYNACK_TCP_HLEN || doff > seglen)
		return false;
	if (tcp_csum_bad(th, seglen, saddr, daddr, flags)) {
		*csum_bad = true;
		return false;
	}
	uint16_t sport = synack_rd16(th + SYNACK_TCP_OFF_SPORT), dport = synack_rd16(th + SYNACK_TCP_OFF_DPORT);
	uint8_t fl = th[SYNACK_TCP_OFF_FLAGS];
	if (sport == 0 || dport == 0 || tcp_flags_bad(fl))
		return false;
	struct synack_seg *seg = &out->seg;
	if (seg_opts(th, doff, &seg->opts) != SYNACK_PARSE_OK)
		return false;
	out->kind = SYNACK_PKT_TCP;
	memcpy(out->dst_mac, buf + SYNACK_ETH_OFF_DST, SYNACK_ETH_ALEN);
	memcpy(out->src_mac, buf + SYNACK_ETH_OFF_SRC, SYNACK_ETH_ALEN);
	out->l3_off = SYNACK_ETH_HLEN;
	out->l4_off = SYNACK_ETH_HLEN + SYNACK_IP4_HLEN;
	seg->sport = sport;
	seg->dport = dport;
	seg->flags = fl;
	seg->saddr = saddr;
	seg->daddr = daddr;
	seg->seq = synack_rd32(th + SYNACK_TCP_OFF_SEQ);
	seg->ack = synack_rd32(th + SYNACK_TCP_OFF_ACK);
	seg->wnd = synack_rd16(th + SYNACK_TCP_OFF_WND);
	seg->ttl = ip[SYNACK_IP4_OFF_TTL];
	seg->payload = th + doff;
	seg->len = (uint32_t)(seglen - doff);
	return true;
}

enum synack_parse_err synack_parse_frame(const uint8_t *buf, size_t len, unsigned flags,
					 struct synack_pkt *out)
{
	bool csum_bad = false;
	if (parse_fast_tcp(buf, len, flags, out, &csum_bad))
		return SYNACK_PARSE_OK;

	const uint8_t *l3;
	size_t l3len;
	struct ip4_info ii;
	enum synack_parse_err e;

	out->kind = SYNACK_PKT_NONE;
	if (len < SYNACK_ETH_HLEN)
		return SYNACK_PARSE_ETH_TRUNC;
	l3 = buf + SYNACK_ETH_HLEN;
	l3len = len - SYNACK_ETH_HLEN;
	memcpy(out->dst_mac, buf + SYNACK_ETH_OFF_DST, SYNACK_ETH_ALEN);
	memcpy(out->src_mac, buf + SYNACK_ETH_OFF_SRC, SYNACK_ETH_ALEN);
	out->l3_off = SYNACK_ETH_HLEN;
	if (csum_bad) {
		/* The straight run found the TCP checksum wrong after every other check before it had
		 * passed; the layers make the same checks in the same order, so their verdict would be
		 * the same. Not summing the segment again keeps a flood of bad checksums from costing
		 * twice what good frames do on a port without checksum offload. */
		out->l4_off = SYNACK_ETH_HLEN + SYNACK_IP4_HLEN;
		return SYNACK_PARSE_TCP_CSUM;
	}
	switch (synack_rd16(buf + SYNACK_ETH_OFF_TYPE)) {
	case SYNACK_ETHERTYPE_IPV4:
		break;
	case SYNACK_ETHERTYPE_ARP:
		e = arp_parse(l3, l3len, &out->arp);
		if (e != SYNACK_PARSE_OK)
			return e;
		out->l4_off = 0;        /* ARP has no L4 header */
		out->kind = SYNACK_PKT_ARP;
		return SYNACK_PARSE_OK;
	default:
		/* 802.1Q tags and IPv6 included: the port is configured untagged, IPv4 only. */
		return SYNACK_PARSE_ETHERTYPE;
	}
	e = ip4_parse(l3, l3len, flags, &ii);
	if (e != SYNACK_PARSE_OK)
		return e;
	out->l4_off = (uint16_t)(SYNACK_ETH_HLEN + ii.hlen);
	if (ii.proto == SYNACK_IPPROTO_TCP) {
		e = tcp_parse(l3 + ii.hlen, (size_t)ii.totlen - ii.hlen, flags, &ii, &out->seg);
		if (e == SYNACK_PARSE_OK)
			out->kind = SYNACK_PKT_TCP;
	} else {
		enum synack_pkt_kind kind = SYNACK_PKT_NONE;
		e = icmp_parse(l3 + ii.hlen, (size_t)ii.totlen - ii.hlen, &ii, out, &kind);
		if (e == SYNACK_PARSE_OK)
			out->kind = kind;
	}
	return e;
}
