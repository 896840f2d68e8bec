/* steer.h: flow steering for active opens. On a port with RSS the NIC picks a packet's RX queue from
 * the Toeplitz hash of its IPv4/TCP 4-tuple (under the port's key) looked up in the redirection
 * table (RETA). A worker opening a connection picks its local port so that the peer's replies
 * (peer ip:port -> our ip:lport) hash to the worker's own queue: no handoff between cores, and
 * every worker can tell from a tuple alone which worker owns it. The hash is DPDK's rte_softrss;
 * this header stays free of DPDK types so that plain-C callers and tests can include it. */
#ifndef SYNACK_DPDK_STEER_H
#define SYNACK_DPDK_STEER_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#define SYNACK_STEER_KEY_MAX 52         /* i40e and ice; 40 for most other PMDs */
#define SYNACK_STEER_KEY_MIN 16         /* an IPv4/TCP tuple (12 bytes) reads the key's first 16 */
#define SYNACK_STEER_RETA_MAX 512       /* RTE_ETH_RSS_RETA_SIZE_512: ice caps its 2K table to it */

struct synack_steer {
	/* rte_softrss reads keys as 32-bit words: keep them aligned for it (and for UBSan). */
	alignas(uint32_t) uint8_t key[SYNACK_STEER_KEY_MAX];
	uint8_t key_len;
	alignas(uint32_t) uint8_t rss_key_be[SYNACK_STEER_KEY_MAX]; /* rte_convert_rss_key form */
	uint16_t reta[SYNACK_STEER_RETA_MAX];
	uint16_t reta_size;             /* a power of two: the NIC indexes the RETA with the hash's low bits */
	uint16_t nb_queues;
	bool enabled;                   /* the port hashes TCP ports and has more than one queue */
	/* Where synack_steer_from_port found the key and the RETA: false means the configured key or
	 * the default RETA was assumed (worth a line in the log). */
	bool key_from_pmd, reta_from_pmd;
	/* Toeplitz is linear in its input (an XOR of one key window per set bit), so the hash of a
	 * tuple is the XOR of the hashes of its 12 bytes, each alone in its place. byte_hash[i][b]
	 * is the low 16 bits (a RETA index needs at most 9) of rte_softrss over byte i = b, the
	 * rest zero: a queue costs 12 look-ups (a few ns) instead of rte_softrss's bit loop (about
	 * 50 ns), cheap enough for every received packet; a pick_lport candidate costs 2. */
	uint16_t byte_hash[12][256];
};

/* Sets s up for a key (16..52 bytes, a multiple of 4) and a RETA (power-of-two size up to 512,
 * entries below nb_queues). Returns 0, or -EINVAL (s is then disabled). enabled = nb_queues > 1. */
int synack_steer_init(struct synack_steer *s, const uint8_t *key, unsigned key_len, const uint16_t *reta,
		      unsigned reta_size, unsigned nb_queues);

/* Default RETA like most PMDs program it: reta[i] = i % nb_queues. */
void synack_steer_default_reta(uint16_t *reta, unsigned reta_size, unsigned nb_queues);

/* The full 32-bit Toeplitz hash (rte_softrss) of an IPv4/TCP packet from (saddr, sport) to
 * (daddr, dport), host byte order: what the NIC reports in mbuf hash.rss (when it sets
 * RTE_MBUF_F_RX_RSS_HASH) if the model is right. For checks; the queue does not need it. */
uint32_t synack_steer_hash(const struct synack_steer *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
			   uint16_t dport);

/* RSS queue for a packet from (saddr,sport) to (daddr,dport), host byte order, IPv4/TCP 4-tuple
 * hash: reta[hash & (reta_size - 1)]. */
unsigned synack_steer_queue(const struct synack_steer *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
			    uint16_t dport);

/* A local port in [lo, hi] whose reply (raddr:rport -> laddr:lport) lands on queue q. The search
 * starts at offset *cursor into the range and walks up (wrapping); *cursor is left just past the
 * port returned, so that successive calls go round the range before reusing a port. Ports for
 * which busy(arg, lport) is true (listening, in use, in TIME-WAIT) are skipped. Returns 0 when
 * none turned up within max_tries candidates (each port in the range counts once at most).
 * Port 0 is never returned. The queue test runs whether or not s->enabled: callers decide. */
uint16_t synack_steer_pick_lport(const struct synack_steer *s, uint32_t laddr, uint32_t raddr, uint16_t rport,
				 unsigned q, uint16_t lo, uint16_t hi, uint32_t *cursor,
				 bool (*busy)(void *, uint16_t), void *arg, unsigned max_tries);

/* Reads the key, the hash types and the RETA of a started port (rte_eth_dev_rss_hash_conf_get,
 * rte_eth_dev_rss_reta_query with the reta_size of rte_eth_dev_info). Where the PMD cannot report
 * them, falls back to the key it was configured with (rte_eth_dev_conf_get) and the default RETA.
 * Returns 0 with s->enabled true when replies can be steered; -ENOTSUP (s->enabled false) when
 * they cannot: one queue, RSS off, TCP ports not hashed, no key known, or no RETA of a size the
 * model takes; another negative errno when the port cannot be read at all. */
int synack_steer_from_port(struct synack_steer *s, uint16_t port_id, unsigned nb_queues);

#endif
