/* parse.h: bounds-checked parsing of a received Ethernet frame into ARP, ICMP echo or a TCP segment.
 * Every read is checked against the real buffer length; each way a frame can be wrong has its own
 * reason code so that the caller can count it (and the console can show it by name). */
#ifndef SYNACK_NET_PARSE_H
#define SYNACK_NET_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "tcp_seg.h"

enum synack_parse_err {
	SYNACK_PARSE_OK = 0,
	SYNACK_PARSE_ETH_TRUNC,        /* shorter than an Ethernet header */
	SYNACK_PARSE_ETHERTYPE,        /* not IPv4 or ARP */
	SYNACK_PARSE_ARP_TRUNC,        /* shorter than an Ethernet/IPv4 ARP packet */
	SYNACK_PARSE_ARP_FORMAT,       /* htype/ptype/hlen/plen/op not Ethernet + IPv4 request/reply */
	SYNACK_PARSE_IP_TRUNC,         /* shorter than 20 bytes, or than IHL, or than total length */
	SYNACK_PARSE_IP_VERSION,       /* version field is not 4 */
	SYNACK_PARSE_IP_IHL,           /* IHL below 5 */
	SYNACK_PARSE_IP_TOTLEN,        /* total length below IHL*4 */
	SYNACK_PARSE_IP_FRAGMENT,      /* MF set or fragment offset non-zero: no reassembly */
	SYNACK_PARSE_IP_CSUM,          /* header checksum wrong */
	SYNACK_PARSE_IP_ADDR,          /* source is multicast, broadcast, or 0.0.0.0 */
	SYNACK_PARSE_IP_PROTO,         /* neither TCP nor ICMP */
	SYNACK_PARSE_ICMP_TRUNC,       /* shorter than an ICMP echo header */
	SYNACK_PARSE_ICMP_CSUM,        /* ICMP checksum wrong */
	SYNACK_PARSE_ICMP_TYPE,        /* an ICMP type other than echo and fragmentation needed */
	SYNACK_PARSE_ICMP_INNER,       /* fragmentation needed quoting no IPv4 header and 8 bytes of TCP */
	SYNACK_PARSE_TCP_TRUNC,        /* shorter than 20 bytes of TCP header */
	SYNACK_PARSE_TCP_DOFF,         /* data offset below 5 or past the segment's end */
	SYNACK_PARSE_TCP_CSUM,         /* checksum over pseudo-header, header and data wrong */
	SYNACK_PARSE_TCP_PORT,         /* source or destination port 0 */
	SYNACK_PARSE_TCP_FLAGS,        /* SYN with FIN or RST, or no control bit at all */
	SYNACK_PARSE_TCP_OPT_LEN0,     /* an option whose length byte is 0 */
	SYNACK_PARSE_TCP_OPT_LEN1,     /* an option whose length byte is 1 */
	SYNACK_PARSE_TCP_OPT_OVERRUN,  /* an option that runs past the header, or a missing length byte */
	SYNACK_PARSE_TCP_OPT_BADLEN,   /* a known option with the wrong length for its kind */
	SYNACK_PARSE_ERR_COUNT
};

/* Short name of a reason ("ip_fragment"), for counters and logs. */
const char *synack_parse_err_name(enum synack_parse_err e);

/* What a frame turned out to be. */
enum synack_pkt_kind {
	SYNACK_PKT_NONE = 0,
	SYNACK_PKT_ARP,
	SYNACK_PKT_ICMP_ECHO,
	SYNACK_PKT_ICMP_FRAG,
	SYNACK_PKT_TCP,
};

struct synack_arp {
	uint16_t op;            /* 1 request, 2 reply */
	uint8_t sha[6];
	uint8_t tha[6];
	uint32_t spa, tpa;      /* host byte order */
};

struct synack_icmp_echo {
	uint8_t type;           /* 8 request, 0 reply */
	uint16_t id, seqno;
	uint32_t saddr, daddr;
	const uint8_t *data;    /* bytes after the 8-byte echo header */
	uint32_t data_len;
};

/* ICMP destination unreachable, fragmentation needed and DF set (RFC 792, RFC 1191 §4): a router
 * on the path could not forward one of our segments. The tuple is the quoted segment's, seen from
 * our side (its source is our address); seq is its sequence number. */
struct synack_icmp_frag {
	uint32_t saddr;         /* the router that says so */
	uint16_t mtu;           /* next-hop MTU (0 from routers older than RFC 1191) */
	uint32_t laddr, raddr;  /* the quoted segment's source (ours) and destination, host order */
	uint16_t lport, rport;
	uint32_t seq;
};

struct synack_pkt {
	enum synack_pkt_kind kind;
	uint8_t src_mac[6], dst_mac[6];
	uint16_t l3_off;        /* offset of the IP/ARP header in the frame */
	uint16_t l4_off;        /* offset of the TCP/ICMP header in the frame */
	union {
		struct synack_arp arp;
		struct synack_icmp_echo icmp;
		struct synack_icmp_frag frag;
		struct synack_seg seg;
	};
};

/* Flags for synack_parse_frame: checksums a NIC has already verified need not be recomputed. */
#define SYNACK_PARSE_F_IP_CSUM_OK  0x1
#define SYNACK_PARSE_F_L4_CSUM_OK  0x2

/* Parse one Ethernet frame of len bytes. On SYNACK_PARSE_OK, out->kind says which member is valid;
 * pointers in out point into buf. Never reads buf[len] or beyond. */
enum synack_parse_err synack_parse_frame(const uint8_t *buf, size_t len, unsigned flags,
					 struct synack_pkt *out);

/* Parse an IPv4 packet (no Ethernet header) carrying TCP into seg. */
enum synack_parse_err synack_parse_ipv4_tcp(const uint8_t *buf, size_t len, unsigned flags,
					    struct synack_seg *seg);

/* Parse TCP options (the bytes between the fixed header and the data offset). */
enum synack_parse_err synack_tcp_opts_parse(const uint8_t *p, size_t len, struct synack_tcp_opts *o);

#endif
