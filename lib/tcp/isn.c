/* isn.c: RFC 6528 initial sequence numbers, ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), with F a PRF keyed from the core's 128-bit secret and M a 4 µs clock.
 *
 * Why a 4 µs clock is safe (RFC 6528 §3, RFC 9293 §3.4.1):
 *
 * 1. Wrap-around versus segment lifetime. M = now / 4 µs taken modulo 2^32 returns to the same
 *    value after 2^32 × 4 µs = 17,179,869,184 µs ≈ 17,180 s ≈ 4.77 h (RFC 9293 §3.4.1, keeping
 *    RFC 793's wording, rounds this to "approximately 4.55 hours"). RFC 9293 §3.4.1 argues ISNs
 *    are unique because no segment outlives the MSL and the MSL is far below that cycle. Here the
 *    comparison is with 2×MSL, the longest any old segment can still matter (the TIME-WAIT wait):
 *    120 s with this core's default MSL of 60 s, 240 s with the 2-minute MSL of RFC 9293 §3.4.2.
 *    4.77 h is about 143 times the first and 71 times the second, so a given tuple never sees M
 *    come round to a value whose old segments can still be alive.
 *
 * 2. Rate versus a new incarnation of the same tuple. F depends only on the tuple and the secret,
 *    so for one tuple two ISNs chosen at t0 and t1 differ by exactly the clock:
 *        ISN(t1) - ISN(t0) = 250,000 × (t1 - t0)   (mod 2^32; 1 s / 4 µs = 250,000 ticks/s).
 *    An incarnation opened at t0 that sent at an average of r bytes/s up to its close has used the
 *    sequence numbers from ISN(t0) to at most ISN(t0) + r × (t1 - t0) by any later time t1
 *    (plus 2 for SYN and FIN). So if r < 250,000 bytes/s (about 2 Mbit/s) the next incarnation's
 *    ISN(t1) lies above every sequence number the old one used, and old duplicates still in
 *    flight fall below its window. The modular comparison of RFC 9293 §3.4 reads this correctly
 *    while 250,000 × (t1 - t0) < 2^31, i.e. for t1 - t0 below about 2.39 h, again far above 2×MSL.
 *    Connections faster than that are not covered by the clock alone; for them RFC 9293 relies on
 *    TIME-WAIT and RFC 7323 §5 (PAWS) on timestamps, as every TCP does.
 *
 * 3. F is a keyed PRF over the 4-tuple (RFC 6528 §3), so a party that cannot see our traffic
 *    learns nothing about one tuple's ISN from another's: only M is shared, and M alone is useless
 *    without F. RFC 6528 §3 rests on the secret being unknown to the attacker: hence 128 bits from
 *    getrandom(2) (the kernel CSPRNG, RFC 4086), never a seeded PRNG. The secret is never printed
 *    or logged, and nothing here writes it anywhere.
 *
 * 4. Which PRF. Every connection computes F once per side, so its cost counts: SipHash-2-4 (the
 *    choice of Linux and FreeBSD for ISNs) takes 8.4 ns and about 160 instructions here when
 *    other work hides its latency (13.2 ns when each hash waits for the last), AES-128 with AES-NI
 *    1.9 ns and about 25 instructions (13.5 ns waiting: ten rounds in a chain, which is why the
 *    engine computes a burst's F ahead, synack_tcp_isn_ahead()). bench/micro_siphash measures
 *    both. AES under a secret key is a pseudorandom permutation; its 128-bit output cut
 *    to 64 bits is a PRF for any number of inputs a TCP will ever see, which is all RFC 6528 §3
 *    asks ("MD5 would be a good choice" is a suggestion, not a rule). The AES key is not the secret
 *    itself but SipHash-2-4 of it under two fixed inputs, so the same 128 bits never key two
 *    different ciphers (SYN cookies, syncookie.c, key SipHash with the secret directly). Without
 *    AES-NI, F is SipHash-2-4 keyed with the secret, as before. */
#include "isn.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "aes128.h"
#include "siphash.h"

/* Domain separation: the four context bytes of the ISN input. SYN cookies hash another layout
 * under another tag (syncookie.c), so no ISN value doubles as a cookie MAC or back. "ISN1",
 * little-endian. */
#define SYNACK_ISN_DOMAIN 0x314e5349u

/* The AES key's derivation inputs: "ISNK" and the half's number, a 16-byte SipHash input whose
 * last four bytes are zero, so it is never an ISN input (those end in SYNACK_ISN_DOMAIN). */
#define SYNACK_ISN_KEY_DOMAIN 0x4b4e5349u

void synack_isn_key_init(struct synack_isn_key *k, const uint8_t secret[16], bool portable)
{
	memset(k, 0, sizeof(*k));
	k->aes = !portable && synack_aes128_available();
	if (!k->aes) {
		memcpy(k->sip, secret, 16);
		return;
	}
	uint8_t key[16];
	for (unsigned half = 0; half < 2; half++) {
		uint64_t v = synack_siphash24_2w(secret, SYNACK_ISN_KEY_DOMAIN, half);
		for (unsigned i = 0; i < 8; i++)
			key[8 * half + i] = (uint8_t)(v >> (8 * i));
	}
	synack_aes128_expand(k->aes_rk, key);
	memset(key, 0, sizeof(key));
}

uint64_t synack_isn_hash(const struct synack_isn_key *k, const struct synack_tuple *t)
{
	/* The fixed 16-byte input, little-endian:
	 *   bytes 0..3   laddr     bytes 4..7   raddr
	 *   bytes 8..9   lport     bytes 10..11 rport    bytes 12..15 SYNACK_ISN_DOMAIN
	 * i.e. exactly synack_aes128_encrypt() or synack_siphash24() of those bytes (the first eight
	 * bytes of the cipher, little-endian), through the two-word shortcuts. */
	uint64_t w0 = (uint64_t)t->laddr | (uint64_t)t->raddr << 32;
	uint64_t w1 = (uint64_t)t->lport | (uint64_t)t->rport << 16 | (uint64_t)SYNACK_ISN_DOMAIN << 32;

	return k->aes ? synack_aes128_2w(k->aes_rk, w0, w1) : synack_siphash24_2w(k->sip, w0, w1);
}

uint32_t synack_isn(const struct synack_isn_key *k, const struct synack_tuple *t, uint64_t now_ns)
{
	/* RFC 6528 §3: M + F, both modulo 2^32. The low half of F is the ISN offset; isn.h reserves
	 * the high half for the timestamp offset, so the two are independent. */
	return synack_isn_clock(now_ns) + (uint32_t)synack_isn_hash(k, t);
}

int synack_isn_secret_init(uint8_t secret[16])
{
	size_t got = 0;

	/* getrandom(2) with no flags blocks until the kernel's pool is initialised, then never fails
	 * for lack of entropy. Requests up to 256 bytes are not split in practice, but a signal can
	 * still interrupt it (EINTR) and the API allows short reads, so loop. */
	while (got < 16) {
		ssize_t n = getrandom(secret + got, 16 - got, 0);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			memset(secret, 0, 16);
			return -err;
		}
		if (n == 0) {
			/* Not expected for a non-empty request; avoid spinning forever. */
			memset(secret, 0, 16);
			return -EIO;
		}
		got += (size_t)n;
	}
	return 0;
}
