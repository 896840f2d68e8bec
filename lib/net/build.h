/* build.h: writes frames onto plain memory: TCP segments (with options) in IPv4, ARP replies and
 * requests, ICMP echo replies. The caller owns the buffer; nothing here allocates. */
#ifndef SYNACK_NET_BUILD_H
#define SYNACK_NET_BUILD_H

#include <stddef.h>
#include <stdint.h>

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
 * sum, as DPDK's offload expects). Returns the IPv4 packet's length, or 0 if cap is too small. */
size_t synack_build_ipv4_tcp(uint8_t *buf, size_t cap, const struct synack_seg *seg,
			     const uint8_t *payload, int no_csum);

/* Writes an Ethernet header; returns SYNACK_ETH_HLEN. */
size_t synack_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype);

#endif
