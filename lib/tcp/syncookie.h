/* syncookie.h: SYN cookies (RFC 4987 §3.6): a listener under SYN flood answers with a SYN-ACK whose
 * ISS encodes what it would have stored, and keeps nothing. The cookie is keyed with the core's
 * RFC 6528 secret. See syncookie.c for the layout and for what is lost when the peer sends no
 * timestamps. */
#ifndef SYNACK_TCP_SYNCOOKIE_H
#define SYNACK_TCP_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "../net/tcp_seg.h"

/* What a valid cookie gives back. */
struct synack_cookie_info {
	uint16_t mss;           /* from the MSS table: rounded down from the peer's MSS */
	uint8_t wscale;         /* peer's window scale, valid when has_wscale */
	uint8_t has_wscale;
	uint8_t sack_ok;
	uint8_t has_ts;
};

/* A cookie counter ticks every 64 s; a cookie is accepted for the tick it was made in and the next
 * one (64 to 128 s of validity, enough for the SYN-ACK to cross and the ACK to come back). */
#define SYNACK_COOKIE_TICK_NS (64ull * 1000000000ull)

/* The ISS for a SYN-ACK answering syn (whose tuple is given from the SYN's sender's view: saddr,
 * sport are the peer). mss_out gets the MSS the cookie encodes. */
uint32_t synack_cookie_make(const uint8_t secret[16], const struct synack_seg *syn, uint64_t now_ns,
			    uint16_t *mss_out);

/* TSval for the cookie SYN-ACK when the SYN carried timestamps: our clock with its low 6 bits
 * replaced by the peer's window scale (4 bits, 0xf for none) and SACK-permitted (1 bit), never
 * running ahead of ts_now. */
uint32_t synack_cookie_tsval(uint32_t ts_now, const struct synack_tcp_opts *syn_opts);

/* Checks the ACK completing a cookie handshake (ack = cookie + 1, seq = peer ISN + 1). On success
 * fills ci (options decoded from the echoed TSecr when the ACK carries a timestamp) and returns true. */
bool synack_cookie_check(const uint8_t secret[16], const struct synack_seg *ack, uint64_t now_ns,
			 struct synack_cookie_info *ci);

#endif
