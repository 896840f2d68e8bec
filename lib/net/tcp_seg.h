/* tcp_seg.h: a TCP segment as the protocol core sees it, parsed off the wire or about to be put on
 * it. Plain memory only (no DPDK): the same struct carries an input segment from the parser into the
 * state machine and an output segment from the state machine to whoever builds the frame.
 * All numeric fields are in host byte order. */
#ifndef SYNACK_NET_TCP_SEG_H
#define SYNACK_NET_TCP_SEG_H

#include <stdint.h>

/* TCP control bits (RFC 9293 §3.1). */
#define SYNACK_TH_FIN 0x01
#define SYNACK_TH_SYN 0x02
#define SYNACK_TH_RST 0x04
#define SYNACK_TH_PSH 0x08
#define SYNACK_TH_ACK 0x10
#define SYNACK_TH_URG 0x20
#define SYNACK_TH_ECE 0x40
#define SYNACK_TH_CWR 0x80

/* Option kinds (IANA TCP parameters). */
#define SYNACK_TCPOPT_EOL       0
#define SYNACK_TCPOPT_NOP       1
#define SYNACK_TCPOPT_MSS       2  /* RFC 9293 §3.2, len 4 */
#define SYNACK_TCPOPT_WSCALE    3  /* RFC 7323 §2, len 3 */
#define SYNACK_TCPOPT_SACK_OK   4  /* RFC 2018, len 2 */
#define SYNACK_TCPOPT_SACK      5  /* RFC 2018, len 2 + 8n */
#define SYNACK_TCPOPT_TS        8  /* RFC 7323 §3, len 10 */
#define SYNACK_TCPOPT_TFO      34  /* RFC 7413, len 2 (request) or 6..18 */

/* Which options a segment carries (synack_tcp_opts.present). */
#define SYNACK_OPT_MSS     0x01
#define SYNACK_OPT_WSCALE  0x02
#define SYNACK_OPT_SACK_OK 0x04
#define SYNACK_OPT_SACK    0x08
#define SYNACK_OPT_TS      0x10
#define SYNACK_OPT_TFO     0x20

#define SYNACK_SACK_MAX_BLOCKS 4
#define SYNACK_TFO_COOKIE_MAX 16
#define SYNACK_TCP_OPT_SPACE  40  /* data offset is 4 bits of words: 60 - 20 */

struct synack_tcp_opts {
	uint8_t present;        /* SYNACK_OPT_* */
	uint8_t wscale;         /* as received: the core clamps it to 14 (RFC 7323 §2.3) */
	uint8_t sack_blocks;    /* number of valid entries in sack[] */
	uint8_t tfo_len;        /* cookie length: 0 for a cookie request */
	uint16_t mss;
	uint16_t pad_;
	uint32_t tsval;
	uint32_t tsecr;
	uint32_t sack[SYNACK_SACK_MAX_BLOCKS][2]; /* left, right edges */
	uint8_t tfo_cookie[SYNACK_TFO_COOKIE_MAX];
};

/* A segment. On input, payload points into the received frame. On output payload is NULL: the
 * len bytes are the send stream's bytes starting at sequence number seq (see sndbuf.h); a SYN or
 * FIN occupies a sequence number but no byte of the stream. */
struct synack_seg {
	uint32_t saddr, daddr;  /* IPv4 source and destination */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint32_t len;           /* payload bytes (SEG.LEN minus SYN and FIN) */
	uint16_t wnd;           /* the raw window field, not scaled */
	uint8_t flags;          /* SYNACK_TH_* */
	uint8_t ttl;            /* input: the IP TTL seen; output: 0 lets the builder choose */
	const uint8_t *payload;
	struct synack_tcp_opts opts;
};

/* SEG.LEN of RFC 9293 §3.4: payload plus one for SYN and one for FIN. */
static inline uint32_t synack_seg_seqlen(const struct synack_seg *s)
{
	return s->len + !!(s->flags & SYNACK_TH_SYN) + !!(s->flags & SYNACK_TH_FIN);
}

#endif
