/* isn.c: RFC 6528 initial sequence numbers, ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), with F = SipHash-2-4 keyed by the core's 128-bit secret and M a 4 µs clock.
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
 *    or logged, and nothing here writes it anywhere. */
#include "isn.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "siphash.h"

/* Domain separation: the four context bytes of the ISN input. SYN cookies hash another layout
 * under another tag (syncookie.c), so no ISN value doubles as a cookie MAC or back. "ISN1",
 * little-endian. */
#define SYNACK_ISN_DOMAIN 0x314e5349u

uint64_t synack_isn_hash(const uint8_t secret[16], const struct synack_tuple *t)
{
	/* The fixed 16-byte input, little-endian:
	 *   bytes 0..3   laddr     bytes 4..7   raddr
	 *   bytes 8..9   lport     bytes 10..11 rport    bytes 12..15 SYNACK_ISN_DOMAIN
	 * i.e. exactly synack_siphash24() of those bytes, through the two-word shortcut. */
	uint64_t w0 = (uint64_t)t->laddr | (uint64_t)t->raddr << 32;
	uint64_t w1 = (uint64_t)t->lport | (uint64_t)t->rport << 16 | (uint64_t)SYNACK_ISN_DOMAIN << 32;

	return synack_siphash24_2w(secret, w0, w1);
}

uint32_t synack_isn(const uint8_t secret[16], const struct synack_tuple *t, uint64_t now_ns)
{
	/* RFC 6528 §3: M + F, both modulo 2^32. The low half of F is the ISN offset; isn.h reserves
	 * the high half for the timestamp offset, so the two are independent. */
	return synack_isn_clock(now_ns) + (uint32_t)synack_isn_hash(secret, t);
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
