/* wire.h: on-the-wire layout of the headers the parser reads and the builders write (Ethernet II,
 * ARP, IPv4, ICMP echo, TCP) as byte offsets and constants, plus big-endian load/store helpers.
 * Offsets rather than packed structs: a frame may start at any alignment and packed structs are
 * not C11, while byte loads compile to a plain load and bswap on every compiler we care about. */
#ifndef SYNACK_NET_WIRE_H
#define SYNACK_NET_WIRE_H

#include <stdint.h>
#include <string.h>

/* Ethernet II (IEEE 802.3 clause 3.2.6 type field): dst[6] src[6] type[2]. */
#define SYNACK_ETH_ALEN          6
#define SYNACK_ETH_OFF_DST       0
#define SYNACK_ETH_OFF_SRC       6
#define SYNACK_ETH_OFF_TYPE      12
#define SYNACK_ETHERTYPE_IPV4    0x0800
#define SYNACK_ETHERTYPE_ARP     0x0806

/* ARP for Ethernet/IPv4 (RFC 826): fixed 28 bytes after the Ethernet header. */
#define SYNACK_ARP_LEN           28
#define SYNACK_ARP_OFF_HTYPE     0
#define SYNACK_ARP_OFF_PTYPE     2
#define SYNACK_ARP_OFF_HLEN      4
#define SYNACK_ARP_OFF_PLEN      5
#define SYNACK_ARP_OFF_OP        6
#define SYNACK_ARP_OFF_SHA       8
#define SYNACK_ARP_OFF_SPA       14
#define SYNACK_ARP_OFF_THA       18
#define SYNACK_ARP_OFF_TPA       24
#define SYNACK_ARP_HTYPE_ETHER   1
#define SYNACK_ARP_OP_REQUEST    1
#define SYNACK_ARP_OP_REPLY      2
#define SYNACK_ARP_FRAME_LEN     (14 + SYNACK_ARP_LEN) /* without the padding to 60 the NIC adds */

/* IPv4 (RFC 791 §3.1). */
#define SYNACK_IP4_OFF_VIHL      0
#define SYNACK_IP4_OFF_TOS       1
#define SYNACK_IP4_OFF_TOTLEN    2
#define SYNACK_IP4_OFF_ID        4
#define SYNACK_IP4_OFF_FRAG      6
#define SYNACK_IP4_OFF_TTL       8
#define SYNACK_IP4_OFF_PROTO     9
#define SYNACK_IP4_OFF_CSUM      10
#define SYNACK_IP4_OFF_SADDR     12
#define SYNACK_IP4_OFF_DADDR     16
#define SYNACK_IP4_DF            0x4000
#define SYNACK_IP4_MF            0x2000
#define SYNACK_IP4_FRAG_MASK     0x1fff /* fragment offset, in 8-byte units */
#define SYNACK_IPPROTO_ICMP      1
#define SYNACK_IPPROTO_TCP       6

/* ICMP echo request/reply (RFC 792): type code csum id seq, then data. */
#define SYNACK_ICMP_ECHO_HLEN    8
#define SYNACK_ICMP_OFF_TYPE     0
#define SYNACK_ICMP_OFF_CODE     1
#define SYNACK_ICMP_OFF_CSUM     2
#define SYNACK_ICMP_OFF_ID       4
#define SYNACK_ICMP_OFF_SEQ      6
#define SYNACK_ICMP_ECHO_REPLY   0
#define SYNACK_ICMP_ECHO_REQUEST 8
#define SYNACK_ICMP_UNREACH      3      /* destination unreachable ... */
#define SYNACK_ICMP_FRAG_NEEDED  4      /* ... code: fragmentation needed and DF set (RFC 1191) */

/* TCP (RFC 9293 §3.1). */
#define SYNACK_TCP_OFF_SPORT     0
#define SYNACK_TCP_OFF_DPORT     2
#define SYNACK_TCP_OFF_SEQ       4
#define SYNACK_TCP_OFF_ACK       8
#define SYNACK_TCP_OFF_DOFF      12 /* high nibble: header length in 32-bit words */
#define SYNACK_TCP_OFF_FLAGS     13
#define SYNACK_TCP_OFF_WND       14
#define SYNACK_TCP_OFF_CSUM      16
#define SYNACK_TCP_OFF_URP       18

static inline uint16_t synack_rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t synack_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void synack_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void synack_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Stores a checksum as returned by synack_cksum_fold() (already in memory order: no swap). */
static inline void synack_wr_cksum(uint8_t *p, uint16_t c)
{
	memcpy(p, &c, sizeof(c));
}

/* Loads a checksum field in the same memory order, e.g. for synack_cksum_update16(). */
static inline uint16_t synack_rd_cksum(const uint8_t *p)
{
	uint16_t c;

	memcpy(&c, p, sizeof(c));
	return c;
}

#endif
