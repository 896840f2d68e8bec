/* syncookie.c: SYN cookies (RFC 4987 §3.6). Under a SYN flood the listener keeps no state for a
 * SYN: it picks its ISS so that the ISS itself authenticates and encodes the little it must
 * remember, and rebuilds the connection from the ACK that echoes ISS + 1.
 *
 * The cookie (our ISS), 32 bits:
 *
 *    31      27 26  24 23                                               0
 *   +----------+------+--------------------------------------------------+
 *   | t mod 32 | mssi |  low 24 bits of SipHash-2-4(secret, input below)  |
 *   +----------+------+--------------------------------------------------+
 *
 *   t     = now_ns / SYNACK_COOKIE_TICK_NS, a counter ticking every 64 s. Only its low 5 bits are
 *           sent; the check rebuilds the full value from its own clock, accepting the current tick
 *           and the one before (so a cookie lives 64 to 128 s: RFC 4987 §3.6 asks for a slowly
 *           increasing counter so that old cookies expire).
 *   mssi  = index into synack_cookie_mss_tab (below): the largest entry <= the peer's MSS option,
 *           or 536 (RFC 9293 §3.7.1's default for IPv4) when the SYN had none.
 *   MAC   = SipHash-2-4 keyed with the core's RFC 6528 secret over 24 bytes, little-endian:
 *             bytes 0..3  peer address    bytes 4..7   local address
 *             bytes 8..9  peer port       bytes 10..11 local port
 *             bytes 12..15 irs, the SYN's sequence number
 *             bytes 16..19 t in full (UINT64_MAX / SYNACK_COOKIE_TICK_NS < 2^29, so 32 bits hold it)
 *             byte  20    mssi
 *             bytes 21..23 "CK1", the domain tag: the ISN input (isn.c) is 16 bytes with another
 *                          tag, so a cookie MAC is never an ISN offset and the reverse.
 *           mssi is inside the MAC as well as in the clear so that no bit of the cookie can be
 *           changed without detection (else an ACK could pick another table entry for itself).
 *           irs is inside so a cookie is bound to the one SYN it answers (as Linux does).
 *
 * What a cookie connection loses. Always, timestamps or not:
 *   - the exact MSS: it is rounded down to the table (a peer offering 1400 gets 1380, 9000 gets
 *     8960). A peer offering less than 536 still gets 536: the table has nothing smaller; a caller
 *     that must honour such a peer can compare mss_out with the option and drop instead.
 *   - data in the SYN and TCP Fast Open (RFC 7413): nothing is stored, so SYN payload is not
 *     accepted (the SYN-ACK acknowledges irs + 1 only and the peer sends it again) and a TFO
 *     cookie or cookie request gets no answer.
 *   - anything else the SYN said that is neither below nor in the timestamp (bit 5 of the
 *     timestamp, which Linux uses for ECN, is left at 0 here).
 * Without timestamps (RFC 7323 §3), additionally, since there is nowhere else to keep them:
 *   - window scaling (RFC 7323 §2): both ends run unscaled, so the window is at most 65,535 bytes
 *     and throughput at most 64 KiB per RTT. For the two ends to agree, a cookie SYN-ACK
 *     answering a SYN without timestamps must carry neither Window Scale nor SACK-permitted.
 *   - SACK (RFC 2018): loss recovery falls back to NewReno (RFC 6582).
 * With timestamps the peer's window scale (4 bits, 0xf = none) and SACK-permitted (1 bit) ride in
 * the low 6 bits of our SYN-ACK's TSval and come back in the ACK's TSecr (RFC 7323 §3.2 makes the
 * peer echo it); our own window scale is not stored and must be recomputed the same way it was
 * chosen for the SYN-ACK.
 *
 * Forgery: a blind attacker who guesses the current t and a table index still has to hit the
 * 24-bit MAC, so each forged ACK succeeds with probability 2^-24 (about 1 in 16.8 million), and a
 * success only opens a connection whose SYN-ACK it never saw. Cookies stay valid at most 128 s;
 * the secret is 128 bits from getrandom(2) (isn.c) and SipHash is a PRF, so seeing cookies tells
 * nothing about others. The ACK must be the first one (seq = irs + 1): if it is lost and the peer's
 * next segment carries a later seq, the check fails, as with every SYN cookie scheme. */
#include "syncookie.h"

#include <stddef.h>

#include "siphash.h"

/* MSS values worth encoding: 536 (IPv4 default, RFC 9293 §3.7.1), 1220 (IPv6 minimum MTU 1280
 * less 60), common tunnel/PPPoE sizes up to 1460 (Ethernet, 1500 - 40), and a 9000-byte jumbo
 * frame. Three bits, so eight entries, ascending. */
static const uint16_t synack_cookie_mss_tab[8] = {536, 1220, 1300, 1380, 1420, 1440, 1460, 8960};

#define SYNACK_COOKIE_MAC_MASK 0x00ffffffu
#define SYNACK_COOKIE_T_SHIFT  27
#define SYNACK_COOKIE_M_SHIFT  24
/* "CK1" in bytes 21..23 of the MAC input. */
#define SYNACK_COOKIE_DOMAIN   ((uint32_t)'C' << 8 | (uint32_t)'K' << 16 | (uint32_t)'1' << 24)

/* TSval low bits (RFC 7323 §3.2 echo): 4 bits of window scale, 1 of SACK-permitted, 1 unused. */
#define SYNACK_COOKIE_TS_MASK    0x3fu
#define SYNACK_COOKIE_TS_WS_MASK 0x0fu  /* 0xf: the SYN had no Window Scale option */
#define SYNACK_COOKIE_TS_SACK    0x10u

static void synack_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The 24-bit MAC of the layout above. peer/local are seen from the listener: the SYN's and the
 * ACK's source is the peer in both cases. */
static uint32_t synack_cookie_mac(const uint8_t secret[16], uint32_t paddr, uint16_t pport,
				  uint32_t laddr, uint16_t lport, uint32_t irs, uint32_t t,
				  unsigned mssi)
{
	uint8_t in[24];

	synack_put_le32(in, paddr);
	synack_put_le32(in + 4, laddr);
	synack_put_le32(in + 8, (uint32_t)pport | (uint32_t)lport << 16);
	synack_put_le32(in + 12, irs);
	synack_put_le32(in + 16, t);
	synack_put_le32(in + 20, SYNACK_COOKIE_DOMAIN | (uint32_t)mssi);
	return (uint32_t)synack_siphash24(secret, in, sizeof in) & SYNACK_COOKIE_MAC_MASK;
}

static uint32_t synack_cookie_counter(uint64_t now_ns)
{
	/* Fits: UINT64_MAX / (64 × 10^9) is about 2.9 × 10^8. */
	return (uint32_t)(now_ns / SYNACK_COOKIE_TICK_NS);
}

static unsigned synack_cookie_mss_index(const struct synack_tcp_opts *o)
{
	unsigned i;

	if (!(o->present & SYNACK_OPT_MSS))
		return 0;
	for (i = 7; i > 0; i--)
		if (synack_cookie_mss_tab[i] <= o->mss)
			break;
	return i;
}

uint32_t synack_cookie_make(const uint8_t secret[16], const struct synack_seg *syn, uint64_t now_ns,
			    uint16_t *mss_out)
{
	uint32_t t = synack_cookie_counter(now_ns);
	unsigned mssi = synack_cookie_mss_index(&syn->opts);
	uint32_t mac = synack_cookie_mac(secret, syn->saddr, syn->sport, syn->daddr, syn->dport,
					 syn->seq, t, mssi);

	if (mss_out)
		*mss_out = synack_cookie_mss_tab[mssi];
	return (t & 0x1fu) << SYNACK_COOKIE_T_SHIFT | (uint32_t)mssi << SYNACK_COOKIE_M_SHIFT | mac;
}

uint32_t synack_cookie_tsval(uint32_t ts_now, const struct synack_tcp_opts *syn_opts)
{
	uint32_t bits, ts;

	if (syn_opts->present & SYNACK_OPT_WSCALE)
		/* RFC 7323 §2.3: a shift above 14 is used as 14; keeping it below 0xf also keeps it
		 * distinct from "none". */
		bits = syn_opts->wscale > 14 ? 14 : syn_opts->wscale;
	else
		bits = SYNACK_COOKIE_TS_WS_MASK;
	if (syn_opts->present & SYNACK_OPT_SACK_OK)
		bits |= SYNACK_COOKIE_TS_SACK;

	ts = (ts_now & ~SYNACK_COOKIE_TS_MASK) | bits;
	/* Never ahead of our clock: RFC 7323 §5 wants TSvals that do not go backwards, and the next
	 * segment of this connection will carry ts_now or later. Stepping back one 64-unit block
	 * keeps the low bits and leaves ts at most 63 behind ts_now (modulo 2^32). */
	if (ts > ts_now)
		ts -= SYNACK_COOKIE_TS_MASK + 1;
	return ts;
}

bool synack_cookie_check(const uint8_t secret[16], const struct synack_seg *ack, uint64_t now_ns,
			 struct synack_cookie_info *ci)
{
	uint32_t cookie = ack->ack - 1;
	uint32_t irs = ack->seq - 1;
	uint32_t cur = synack_cookie_counter(now_ns);
	uint32_t tlow = cookie >> SYNACK_COOKIE_T_SHIFT;
	unsigned mssi = (cookie >> SYNACK_COOKIE_M_SHIFT) & 7u;
	uint32_t t;

	/* Only the third segment of a handshake can complete one (RFC 9293 §3.5). */
	if (!(ack->flags & SYNACK_TH_ACK) || (ack->flags & (SYNACK_TH_SYN | SYNACK_TH_RST)))
		return false;

	/* Rebuild the full counter from its low 5 bits: the current tick or the one before. */
	if (tlow == (cur & 0x1fu))
		t = cur;
	else if (cur > 0 && tlow == ((cur - 1) & 0x1fu))
		t = cur - 1;
	else
		return false;

	if (synack_cookie_mac(secret, ack->saddr, ack->sport, ack->daddr, ack->dport, irs, t, mssi) !=
	    (cookie & SYNACK_COOKIE_MAC_MASK))
		return false;

	ci->mss = synack_cookie_mss_tab[mssi];
	if (ack->opts.present & SYNACK_OPT_TS) {
		/* RFC 7323 §3.2: the ACK's TSecr echoes our SYN-ACK's TSval (synack_cookie_tsval). */
		uint32_t ws = ack->opts.tsecr & SYNACK_COOKIE_TS_WS_MASK;

		ci->has_ts = 1;
		ci->has_wscale = ws != SYNACK_COOKIE_TS_WS_MASK;
		ci->wscale = ci->has_wscale ? (uint8_t)ws : 0;
		ci->sack_ok = !!(ack->opts.tsecr & SYNACK_COOKIE_TS_SACK);
	} else {
		ci->has_ts = 0;
		ci->has_wscale = 0;
		ci->wscale = 0;
		ci->sack_ok = 0;
	}
	return true;
}
