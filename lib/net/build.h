/* build.h: writes frames onto plain memory: TCP segments (with options) in IPv4, ARP replies and
 * requests, ICMP echo replies. The caller owns the buffer; nothing here allocates. */
#ifndef SYNACK_NET_BUILD_H
#define SYNACK_NET_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "tcp_seg.h"

#define SYNACK_ETH_HLEN  14
#define SYNACK_IP4_HLEN  20
#define SYNACK_TCP_HLEN  20
#define SYNACK_DEFAULT_TTL 64

/* Length of the options synack_tcp_opts_write() emits for o (a multiple of 4, at most 40). */
size_t synack_tcp_opts_len(const struct synack_tcp_opts *o);

/* Writes o as option bytes (NOP padded to a 4-byte boundary); returns bytes written. */
size_t synack_tcp_opts_write(uint8_t *p, const struct synack_tcp_opts *o);

/* Writes an IPv4 header and a TCP header with seg's options at buf, followed by seg->len payload
 * bytes copied from payload (which may be NULL when seg->len is 0). Both checksums are computed
 * unless no_csum is set (the NIC fills them: the TCP checksum field then holds the pseudo-header
 * sum, as DPDK's offload expects). Returns the IPv4 packet's length, or 0 if cap is too small.
 * If payload is NULL while seg->len > 0, the payload is taken to be already in place after the
 * headers (at buf + synack_ipv4_tcp_hlen(seg)): the caller copied it there, e.g. from a ring. */
size_t synack_build_ipv4_tcp(uint8_t *buf, size_t cap, const struct synack_seg *seg,
			     const uint8_t *payload, int no_csum);

/* Writes an Ethernet header; returns SYNACK_ETH_HLEN. */
size_t synack_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype);

/* Bytes of IPv4 and TCP header (options included) synack_build_ipv4_tcp() writes for seg. */
static inline size_t synack_ipv4_tcp_hlen(const struct synack_seg *seg)
{
	return SYNACK_IP4_HLEN + SYNACK_TCP_HLEN + synack_tcp_opts_len(&seg->opts);
}

/* Writes an Ethernet frame carrying an Ethernet/IPv4 ARP packet (RFC 826) of operation op (1
 * request, 2 reply). eth_dst NULL means broadcast, tha NULL means all zeros (as in a request).
 * Addresses in host byte order. Returns 42 (the NIC pads to the 60-byte minimum), or 0 if cap is
 * too small. */
size_t synack_build_arp(uint8_t *buf, size_t cap, uint16_t op, const uint8_t eth_dst[6],
			const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa);

/* The ARP reply to a parsed request for my_ip (the caller checked req->tpa == my_ip), sent to the
 * requester's hardware address (RFC 826 "Packet Reception"). */
size_t synack_build_arp_reply(uint8_t *buf, size_t cap, const struct synack_arp *req,
			      const uint8_t my_mac[6], uint32_t my_ip);

/* A broadcast ARP request asking who has target_ip. */
size_t synack_build_arp_request(uint8_t *buf, size_t cap, const uint8_t my_mac[6], uint32_t my_ip,
				uint32_t target_ip);

/* The Ethernet frame answering a parsed ICMP echo request (req->kind == SYNACK_PKT_ICMP_ECHO):
 * addresses swapped, same identifier, sequence number and data (RFC 792, RFC 1122 §3.2.2.6), from
 * my_mac to the request's source MAC. buf may be the request's own frame (reply in place). Returns
 * the frame's length, or 0 if cap is too small. */
size_t synack_build_icmp_echo_reply(uint8_t *buf, size_t cap, const struct synack_pkt *req,
				    const uint8_t my_mac[6]);

#endif
