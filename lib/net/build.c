/* build.c: writes TCP/IPv4 segments, ARP packets and ICMP echo replies onto caller memory, in the
 * formats parse.c accepts. TCP options follow the layout Linux uses (tcp_options_write()), both
 * because every middlebox has seen it and so that each option's multi-byte fields are aligned. */
#include "build.h"

#include "cksum.h"
#include "wire.h"

/* Option space used for each option, padding included. */
#define OPT_MSS_LEN     4   /* 02 04 mss */
#define OPT_TS_LEN      12  /* 01 01 08 0a tsval tsecr, or 04 02 08 0a ... with SACK_OK */
#define OPT_SACKOK_LEN  4   /* 01 01 04 02 */
#define OPT_WS_LEN      4   /* 01 03 03 ws */
#define OPT_SACK_LEN(n) (4 + 8 * (n)) /* 01 01 05 len blocks */

static inline unsigned tfo_cookie_len(const struct synack_tcp_opts *o)
{
	return o->tfo_len > SYNACK_TFO_COOKIE_MAX ? SYNACK_TFO_COOKIE_MAX : o->tfo_len;
}

/* 22 len cookie, NOP padded to 4. */
static inline unsigned tfo_opt_len(const struct synack_tcp_opts *o)
{
	return (2 + tfo_cookie_len(o) + 3) & ~3u;
}

/* Decides what goes out: returns the options' length and the number of SACK blocks that fit.
 * Without SACK blocks the worst case is MSS + TS + WS + a 16-byte TFO cookie = 4 + 12 + 4 + 20
 * = 40, so everything else always fits and only SACK blocks need trimming (as Linux does:
 * with timestamps, 3 blocks at most, RFC 2018 §3). */
static unsigned opts_plan(const struct synack_tcp_opts *o, unsigned *sack_n)
{
	unsigned len = 0, n = 0;
	uint8_t pr = o->present;

	if (pr & SYNACK_OPT_MSS)
		len += OPT_MSS_LEN;
	if (pr & SYNACK_OPT_TS)
		len += OPT_TS_LEN;      /* SACK_OK, if any, takes the place of the two NOPs */
	else if (pr & SYNACK_OPT_SACK_OK)
		len += OPT_SACKOK_LEN;
	if (pr & SYNACK_OPT_WSCALE)
		len += OPT_WS_LEN;
	if (pr & SYNACK_OPT_TFO)
		len += tfo_opt_len(o);
	if (pr & SYNACK_OPT_SACK) {
		n = o->sack_blocks < SYNACK_SACK_MAX_BLOCKS ? o->sack_blocks : SYNACK_SACK_MAX_BLOCKS;
		while (n && len + OPT_SACK_LEN(n) > SYNACK_TCP_OPT_SPACE)
			n--;
		if (n)
			len += OPT_SACK_LEN(n);
	}
	*sack_n = n;
	return len;
}

size_t synack_tcp_opts_len(const struct synack_tcp_opts *o)
{
	unsigned n;

	return opts_plan(o, &n);
}

/* The 16-bit words of a 32-bit value, as a checksum adds them (host order: see csum_host()). */
static inline uint64_t words32(uint32_t v)
{
	return (v >> 16) + (v & 0xffff);
}

/* A word of two option bytes: every option block starts on a 4-byte boundary of the header. */
static inline uint64_t word(uint8_t hi, uint8_t lo)
{
	return (uint64_t)hi << 8 | lo;
}

/* Writes the options opts_plan() planned, n being the SACK blocks it kept, and, when sum is not
 * NULL, adds their 16-bit words in host order to *sum from the values rather than by reading the
 * bytes back (see synack_build_ipv4_tcp()). Always inlined, so that where sum is a constant NULL
 * (a port that offloads or skips checksums) the additions are not made at all. */
static inline __attribute__((always_inline)) size_t opts_write_planned(uint8_t *p, const struct synack_tcp_opts *o,
								 unsigned n, uint64_t *sum)
{
	uint8_t *start = p;
	uint8_t pr = o->present;
	uint64_t s = 0;
	unsigned k;

	if (pr & SYNACK_OPT_MSS) {
		p[0] = SYNACK_TCPOPT_MSS;
		p[1] = 4;
		synack_wr16(p + 2, o->mss);
		s += word(SYNACK_TCPOPT_MSS, 4) + o->mss;
		p += OPT_MSS_LEN;
	}
	if (pr & SYNACK_OPT_TS) {
		if (pr & SYNACK_OPT_SACK_OK) {
			p[0] = SYNACK_TCPOPT_SACK_OK;
			p[1] = 2;
		} else {
			p[0] = SYNACK_TCPOPT_NOP;
			p[1] = SYNACK_TCPOPT_NOP;
		}
		p[2] = SYNACK_TCPOPT_TS;
		p[3] = 10;
		synack_wr32(p + 4, o->tsval);
		synack_wr32(p + 8, o->tsecr);
		s += ((pr & SYNACK_OPT_SACK_OK) ? word(SYNACK_TCPOPT_SACK_OK, 2) : word(SYNACK_TCPOPT_NOP, SYNACK_TCPOPT_NOP)) +
		     word(SYNACK_TCPOPT_TS, 10) + words32(o->tsval) + words32(o->tsecr);
		p += OPT_TS_LEN;
	} else if (pr & SYNACK_OPT_SACK_OK) {
		p[0] = SYNACK_TCPOPT_NOP;
		p[1] = SYNACK_TCPOPT_NOP;
		p[2] = SYNACK_TCPOPT_SACK_OK;
		p[3] = 2;
		s += word(SYNACK_TCPOPT_NOP, SYNACK_TCPOPT_NOP) + word(SYNACK_TCPOPT_SACK_OK, 2);
		p += OPT_SACKOK_LEN;
	}
	if (pr & SYNACK_OPT_WSCALE) {
		p[0] = SYNACK_TCPOPT_NOP;
		p[1] = SYNACK_TCPOPT_WSCALE;
		p[2] = 3;
		p[3] = o->wscale;
		s += word(SYNACK_TCPOPT_NOP, SYNACK_TCPOPT_WSCALE) + word(3, o->wscale);
		p += OPT_WS_LEN;
	}
	if (n) {
		p[0] = SYNACK_TCPOPT_NOP;
		p[1] = SYNACK_TCPOPT_NOP;
		p[2] = SYNACK_TCPOPT_SACK;
		p[3] = (uint8_t)(2 + 8 * n);
		s += word(SYNACK_TCPOPT_NOP, SYNACK_TCPOPT_NOP) + word(SYNACK_TCPOPT_SACK, (uint8_t)(2 + 8 * n));
		for (k = 0; k < n; k++) {
			synack_wr32(p + 4 + 8 * k, o->sack[k][0]);
			synack_wr32(p + 8 + 8 * k, o->sack[k][1]);
			s += words32(o->sack[k][0]) + words32(o->sack[k][1]);
		}
		p += OPT_SACK_LEN(n);
	}
	if (pr & SYNACK_OPT_TFO) {
		unsigned clen = tfo_cookie_len(o), olen = tfo_opt_len(o), i;

		p[0] = SYNACK_TCPOPT_TFO;
		p[1] = (uint8_t)(2 + clen);
		memcpy(p + 2, o->tfo_cookie, clen);
		for (i = 2 + clen; i < olen; i++)
			p[i] = SYNACK_TCPOPT_NOP;
		/* A rare option of any length, summed a byte at a time from what was just written:
		 * a byte load is served from the store buffer, unlike a wider one over narrow stores. */
		for (i = 0; i < olen; i += 2)
			s += word(p[i], p[i + 1]);
		p += olen;
	}
	if (sum)
		*sum += s;
	return (size_t)(p - start);
}

size_t synack_tcp_opts_write(uint8_t *p, const struct synack_tcp_opts *o)
{
	unsigned n;

	opts_plan(o, &n);
	return opts_write_planned(p, o, n, NULL);
}

/* The checksum field's value for a sum of 16-bit words taken in host order (RFC 1071 §2(B): the
 * ones' complement sum does not care which order the words were read in, as long as the result is
 * stored in the same one), to be stored with synack_wr16().
 *
 * The builders sum the headers from the values they write, never by loading the bytes back: a
 * header goes out as byte, 16- and 32-bit stores, and an 8-byte load over them cannot be served
 * from the store buffer, so each such load waited for the stores to reach the cache (perf on a
 * build + parse loop: over a third of the builder's samples on the first load of each sum). */
static inline uint16_t csum_host(uint64_t sum)
{
	return (uint16_t)~synack_cksum_fold16(sum);
}


/* IPv4 header without options. ID 0 with DF: RFC 6864 §4.1 lets an atomic datagram (DF set, not
 * a fragment) carry any ID, and a constant one leaks nothing about our traffic. */
static void ip4_hdr_write(uint8_t *ip, uint16_t totlen, uint8_t ttl, uint8_t proto, uint32_t saddr,
			  uint32_t daddr, int csum)
{
	ip[SYNACK_IP4_OFF_VIHL] = 0x45;
	ip[SYNACK_IP4_OFF_TOS] = 0;
	synack_wr16(ip + SYNACK_IP4_OFF_TOTLEN, totlen);
	synack_wr16(ip + SYNACK_IP4_OFF_ID, 0);
	synack_wr16(ip + SYNACK_IP4_OFF_FRAG, SYNACK_IP4_DF);
	ip[SYNACK_IP4_OFF_TTL] = ttl;
	ip[SYNACK_IP4_OFF_PROTO] = proto;
	synack_wr16(ip + SYNACK_IP4_OFF_CSUM, 0);
	synack_wr32(ip + SYNACK_IP4_OFF_SADDR, saddr);
	synack_wr32(ip + SYNACK_IP4_OFF_DADDR, daddr);
	if (csum)
		synack_wr16(ip + SYNACK_IP4_OFF_CSUM, csum_host(0x4500u + totlen + SYNACK_IP4_DF + word(ttl, proto) +
								words32(saddr) + words32(daddr)));
}

size_t synack_build_ipv4_tcp(uint8_t *buf, size_t cap, const struct synack_seg *seg,
			     const uint8_t *payload, int no_csum)
{
	unsigned sack_n;
	size_t optlen = opts_plan(&seg->opts, &sack_n); /* planned once, for the length and the writing */
	size_t thlen = SYNACK_TCP_HLEN + optlen;
	size_t total = SYNACK_IP4_HLEN + thlen + (size_t)seg->len;
	uint8_t *th = buf + SYNACK_IP4_HLEN;
	uint64_t sum;

	if (total > cap || total > 0xffff)
		return 0;
	ip4_hdr_write(buf, (uint16_t)total, seg->ttl ? seg->ttl : SYNACK_DEFAULT_TTL,
		      SYNACK_IPPROTO_TCP, seg->saddr, seg->daddr, !no_csum);
	synack_wr16(th + SYNACK_TCP_OFF_SPORT, seg->sport);
	synack_wr16(th + SYNACK_TCP_OFF_DPORT, seg->dport);
	synack_wr32(th + SYNACK_TCP_OFF_SEQ, seg->seq);
	synack_wr32(th + SYNACK_TCP_OFF_ACK, seg->ack);
	th[SYNACK_TCP_OFF_DOFF] = (uint8_t)((thlen / 4) << 4);
	th[SYNACK_TCP_OFF_FLAGS] = seg->flags;
	synack_wr16(th + SYNACK_TCP_OFF_WND, seg->wnd);
	synack_wr16(th + SYNACK_TCP_OFF_CSUM, 0);
	synack_wr16(th + SYNACK_TCP_OFF_URP, 0);
	if (no_csum) {
		opts_write_planned(th + SYNACK_TCP_HLEN, &seg->opts, sack_n, NULL);
		/* The NIC sums header and payload onto this seed and complements the result. */
		synack_wr_cksum(th + SYNACK_TCP_OFF_CSUM, (uint16_t)synack_cksum_pseudo_ipv4(seg->saddr, seg->daddr,
							SYNACK_IPPROTO_TCP, (uint16_t)(thlen + seg->len)));
		if (payload && seg->len)
			memmove(th + thlen, payload, seg->len);
		return total;
	}
	sum = 0;
	opts_write_planned(th + SYNACK_TCP_HLEN, &seg->opts, sack_n, &sum);
	/* The pseudo-header (RFC 9293 §3.1) and the fixed header, in host order (see csum_host()). */
	sum += words32(seg->saddr) + words32(seg->daddr) + SYNACK_IPPROTO_TCP + thlen + seg->len + seg->sport +
	       seg->dport + words32(seg->seq) + words32(seg->ack) + word((uint8_t)((thlen / 4) << 4), seg->flags) +
	       seg->wnd;
	/* The payload starts on an even offset, so its memory-order words are the segment's. Summed
	 * at its source, before the move (which a caller may make between overlapping bytes). */
	if (seg->len)
		sum += synack_cksum_swap_order(
			(uint16_t)synack_cksum_add_short(0, payload ? payload : th + thlen, seg->len));
	/* memmove: a caller may hand in payload bytes that already sit near their destination. */
	if (payload && seg->len)
		memmove(th + thlen, payload, seg->len);
	synack_wr16(th + SYNACK_TCP_OFF_CSUM, csum_host(sum));
	return total;
}

size_t synack_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
	memcpy(buf + SYNACK_ETH_OFF_DST, dst, SYNACK_ETH_ALEN);
	memcpy(buf + SYNACK_ETH_OFF_SRC, src, SYNACK_ETH_ALEN);
	synack_wr16(buf + SYNACK_ETH_OFF_TYPE, ethertype);
	return SYNACK_ETH_HLEN;
}

size_t synack_build_arp(uint8_t *buf, size_t cap, uint16_t op, const uint8_t eth_dst[6],
			const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	static const uint8_t bcast[SYNACK_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[SYNACK_ETH_ALEN];
	uint8_t *a = buf + SYNACK_ETH_HLEN;

	if (cap < SYNACK_ARP_FRAME_LEN)
		return 0;
	synack_build_eth(buf, eth_dst ? eth_dst : bcast, sha, SYNACK_ETHERTYPE_ARP);
	synack_wr16(a + SYNACK_ARP_OFF_HTYPE, SYNACK_ARP_HTYPE_ETHER);
	synack_wr16(a + SYNACK_ARP_OFF_PTYPE, SYNACK_ETHERTYPE_IPV4);
	a[SYNACK_ARP_OFF_HLEN] = SYNACK_ETH_ALEN;
	a[SYNACK_ARP_OFF_PLEN] = 4;
	synack_wr16(a + SYNACK_ARP_OFF_OP, op);
	memcpy(a + SYNACK_ARP_OFF_SHA, sha, SYNACK_ETH_ALEN);
	synack_wr32(a + SYNACK_ARP_OFF_SPA, spa);
	memcpy(a + SYNACK_ARP_OFF_THA, tha ? tha : zero, SYNACK_ETH_ALEN);
	synack_wr32(a + SYNACK_ARP_OFF_TPA, tpa);
	return SYNACK_ARP_FRAME_LEN;
}

size_t synack_build_arp_reply(uint8_t *buf, size_t cap, const struct synack_arp *req,
			      const uint8_t my_mac[6], uint32_t my_ip)
{
	return synack_build_arp(buf, cap, SYNACK_ARP_OP_REPLY, req->sha, my_mac, my_ip, req->sha,
				req->spa);
}

size_t synack_build_arp_request(uint8_t *buf, size_t cap, const uint8_t my_mac[6], uint32_t my_ip,
				uint32_t target_ip)
{
	return synack_build_arp(buf, cap, SYNACK_ARP_OP_REQUEST, NULL, my_mac, my_ip, NULL, target_ip);
}

size_t synack_build_icmp_echo_reply(uint8_t *buf, size_t cap, const struct synack_pkt *req,
				    const uint8_t my_mac[6])
{
	const struct synack_icmp_echo *e = &req->icmp;
	size_t icmp_len = SYNACK_ICMP_ECHO_HLEN + (size_t)e->data_len;
	size_t iplen = SYNACK_IP4_HLEN + icmp_len;
	uint8_t *ic = buf + SYNACK_ETH_HLEN + SYNACK_IP4_HLEN;

	if (SYNACK_ETH_HLEN + iplen > cap || iplen > 0xffff)
		return 0;
	/* The data first: when replying in place it lies at or after its new position (the request
	 * may have had IP options), and the headers written below end before it. */
	if (e->data_len)
		memmove(ic + SYNACK_ICMP_ECHO_HLEN, e->data, e->data_len);
	synack_build_eth(buf, req->src_mac, my_mac, SYNACK_ETHERTYPE_IPV4);
	ip4_hdr_write(buf + SYNACK_ETH_HLEN, (uint16_t)iplen, SYNACK_DEFAULT_TTL, SYNACK_IPPROTO_ICMP,
		      e->daddr, e->saddr, 1);
	ic[SYNACK_ICMP_OFF_TYPE] = SYNACK_ICMP_ECHO_REPLY;
	ic[SYNACK_ICMP_OFF_CODE] = 0;
	synack_wr16(ic + SYNACK_ICMP_OFF_CSUM, 0);
	synack_wr16(ic + SYNACK_ICMP_OFF_ID, e->id);
	synack_wr16(ic + SYNACK_ICMP_OFF_SEQ, e->seqno);
	synack_wr_cksum(ic + SYNACK_ICMP_OFF_CSUM, synack_cksum_fold(synack_cksum_add(0, ic, icmp_len)));
	return SYNACK_ETH_HLEN + iplen;
}
