/* steer.c: the RSS model of a port (Toeplitz key + redirection table) and the local-port search
 * that makes an active open's replies come back to the queue of the worker that opened it. The
 * hash is rte_softrss_be over the converted key, once per input byte value at init; queues and
 * searches XOR those (Toeplitz being linear). The port's key and RETA are read from the PMD where
 * it can report them. */
#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_thash.h>

#include "dpdk/steer.h"

/* The input is built as the three CPU-order words rte_softrss documents for struct rte_ipv4_tuple
 * (src addr, dst addr, then sport in the high half and dport in the low half: wire order, first
 * bit first), as plain words so that it does not depend on how the struct's union lays out. */
_Static_assert(RTE_THASH_V4_L4_LEN == 3, "an IPv4/TCP Toeplitz input is three 32-bit words");
_Static_assert(SYNACK_STEER_KEY_MAX % 4 == 0, "rte_convert_rss_key converts whole words");
_Static_assert(SYNACK_STEER_RETA_MAX <= 1u << 16, "byte_hash keeps 16 bits of the hash");

static inline uint32_t hash_words(const struct synack_steer *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
				  uint16_t dport)
{
	uint32_t in[RTE_THASH_V4_L4_LEN] = { saddr, daddr, (uint32_t)sport << 16 | dport };
	return rte_softrss_be(in, RTE_THASH_V4_L4_LEN, s->rss_key_be);
}

/* The same hash's low 16 bits from the per-byte tables, bytes in wire order. */
static inline uint32_t hash_low(const struct synack_steer *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
				uint16_t dport)
{
	const uint16_t(*t)[256] = s->byte_hash;
	return (uint32_t)(t[0][saddr >> 24] ^ t[1][(saddr >> 16) & 0xff] ^ t[2][(saddr >> 8) & 0xff] ^
			  t[3][saddr & 0xff] ^ t[4][daddr >> 24] ^ t[5][(daddr >> 16) & 0xff] ^
			  t[6][(daddr >> 8) & 0xff] ^ t[7][daddr & 0xff] ^ t[8][sport >> 8] ^ t[9][sport & 0xff] ^
			  t[10][dport >> 8] ^ t[11][dport & 0xff]);
}

void synack_steer_default_reta(uint16_t *reta, unsigned reta_size, unsigned nb_queues)
{
	if (nb_queues == 0)
		nb_queues = 1;
	for (unsigned i = 0; i < reta_size; i++)
		reta[i] = (uint16_t)(i % nb_queues);
}

int synack_steer_init(struct synack_steer *s, const uint8_t *key, unsigned key_len, const uint16_t *reta,
		      unsigned reta_size, unsigned nb_queues)
{
	memset(s, 0, sizeof(*s));
	if (!key || !reta || key_len < SYNACK_STEER_KEY_MIN || key_len > SYNACK_STEER_KEY_MAX || key_len % 4 ||
	    reta_size == 0 || reta_size > SYNACK_STEER_RETA_MAX || (reta_size & (reta_size - 1)) ||
	    nb_queues == 0 || nb_queues > reta_size)
		return -EINVAL;
	/* A queue no entry names would get no replies at all: its worker could never open a
	 * connection there, so such a table is refused rather than modelled. */
	bool named[SYNACK_STEER_RETA_MAX] = { false };
	unsigned nnamed = 0;
	for (unsigned i = 0; i < reta_size; i++) {
		if (reta[i] >= nb_queues)
			return -EINVAL;
		if (!named[reta[i]]) {
			named[reta[i]] = true;
			nnamed++;
		}
	}
	if (nnamed != nb_queues)
		return -EINVAL;
	memcpy(s->key, key, key_len);
	s->key_len = (uint8_t)key_len;
	rte_convert_rss_key((const uint32_t *)s->key, (uint32_t *)s->rss_key_be, (int)key_len);
	memcpy(s->reta, reta, reta_size * sizeof(reta[0]));
	s->reta_size = (uint16_t)reta_size;
	s->nb_queues = (uint16_t)nb_queues;
	for (unsigned i = 0; i < 12; i++)
		for (unsigned b = 0; b < 256; b++) {
			/* Byte i of the input set to b: in word i / 4, at bits 24 - 8 * (i % 4). */
			uint32_t w[3] = { 0, 0, 0 };
			w[i / 4] = (uint32_t)b << (24 - 8 * (i % 4));
			uint32_t h = hash_words(s, w[0], w[1], (uint16_t)(w[2] >> 16), (uint16_t)w[2]);
			s->byte_hash[i][b] = (uint16_t)h;
		}
	s->enabled = nb_queues > 1;
	return 0;
}

uint32_t synack_steer_hash(const struct synack_steer *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
			   uint16_t dport)
{
	return hash_words(s, saddr, daddr, sport, dport);
}

unsigned synack_steer_queue(const struct synack_steer *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
			    uint16_t dport)
{
	if (s->reta_size == 0)
		return 0;
	return s->reta[hash_low(s, saddr, daddr, sport, dport) & (s->reta_size - 1u)];
}

uint16_t synack_steer_pick_lport(const struct synack_steer *s, uint32_t laddr, uint32_t raddr, uint16_t rport,
				 unsigned q, uint16_t lo, uint16_t hi, uint32_t *cursor,
				 bool (*busy)(void *, uint16_t), void *arg, unsigned max_tries)
{
	if (lo == 0)
		lo = 1; /* 0 is the "none" answer, and no TCP port */
	if (s->reta_size == 0 || q >= s->nb_queues || lo > hi || !cursor)
		return 0;
	uint32_t span = (uint32_t)hi - lo + 1u;
	uint32_t mask = s->reta_size - 1u;
	/* The reply comes from the peer: it is the source, we are the destination. Everything but the
	 * local port's two bytes is fixed for the search. */
	uint32_t base = hash_low(s, raddr, laddr, rport, 0);
	/* Up the range one port at a time: the built-in key (config.c) makes any aligned run of 2^k
	 * consecutive ports reach 2^k different RETA entries, so with a round-robin RETA and a
	 * power-of-two queue count every queue turns up within 2 * nq - 1 candidates. */
	uint32_t i = *cursor % span;
	unsigned n = max_tries < span ? max_tries : span;
	for (unsigned t = 0; t < n; t++) {
		uint16_t lport = (uint16_t)(lo + i);
		if (++i == span)
			i = 0;
		uint32_t h = base ^ s->byte_hash[10][lport >> 8] ^ s->byte_hash[11][lport & 0xffu];
		if (s->reta[h & mask] != q)
			continue;
		if (busy && busy(arg, lport))
			continue;
		*cursor = i;
		return lport;
	}
	*cursor = i;
	return 0;
}

/* ---- reading a started port ---- */

/* Hash-type bits that change what is hashed (one address or port only): the model hashes the full
 * 4-tuple, so with any of them set it would be wrong. */
#define STEER_HF_PARTIAL (RTE_ETH_RSS_L3_SRC_ONLY | RTE_ETH_RSS_L3_DST_ONLY | RTE_ETH_RSS_L4_SRC_ONLY | \
			  RTE_ETH_RSS_L4_DST_ONLY)

static bool all_zero(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int synack_steer_from_port(struct synack_steer *s, uint16_t port_id, unsigned nb_queues)
{
	memset(s, 0, sizeof(*s));
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;
	if (nb_queues < 2)
		return -ENOTSUP;
	struct rte_eth_conf conf;
	bool have_conf = rte_eth_dev_conf_get(port_id, &conf) == 0;
	if (have_conf && !(conf.rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG))
		return -ENOTSUP;

	/* The key and hash types in use: the PMD's word first (it may have refused or replaced what
	 * it was given), the configuration where the PMD cannot say. The buffer takes any key size
	 * a PMD may report; only the first 16 bytes matter for IPv4/TCP, so a longer key is cut. */
	alignas(uint32_t) uint8_t key[256];
	memset(key, 0, sizeof(key));
	unsigned key_len = 0;
	uint64_t hf = 0;
	bool key_from_pmd = false;
	struct rte_eth_rss_conf rss = {
		.rss_key = key,
		.rss_key_len = info.hash_key_size ? info.hash_key_size : SYNACK_STEER_KEY_MAX,
	};
	if (rte_eth_dev_rss_hash_conf_get(port_id, &rss) == 0) {
		hf = rss.rss_hf;
		/* Some PMDs answer without filling the key: an all-zero key is no key. */
		if (rss.rss_key_len >= SYNACK_STEER_KEY_MIN && !all_zero(key, rss.rss_key_len)) {
			key_len = rss.rss_key_len;
			key_from_pmd = true;
		}
	}
	if (!key_len && have_conf && conf.rx_adv_conf.rss_conf.rss_key) {
		/* ethdev's rule: a key given without a length is 40 bytes. */
		key_len = conf.rx_adv_conf.rss_conf.rss_key_len ? conf.rx_adv_conf.rss_conf.rss_key_len : 40u;
		memcpy(key, conf.rx_adv_conf.rss_conf.rss_key, key_len);
	}
	if (!hf && have_conf)
		hf = conf.rx_adv_conf.rss_conf.rss_hf;
	if (!(hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP) || (hf & STEER_HF_PARTIAL))
		return -ENOTSUP; /* TCP ports not hashed (or not both): no local port can steer */
	key_len &= ~3u;
	if (key_len > SYNACK_STEER_KEY_MAX)
		key_len = SYNACK_STEER_KEY_MAX;
	if (key_len < SYNACK_STEER_KEY_MIN)
		return -ENOTSUP; /* the PMD's own default key, unknown to us */

	/* The RETA: queried in groups of 64 entries; the default round-robin one where the PMD cannot
	 * report it, or reports entries for queues we do not have. */
	unsigned rs = info.reta_size;
	if (rs == 0 || rs > SYNACK_STEER_RETA_MAX || (rs & (rs - 1)))
		return -ENOTSUP;
	uint16_t reta[SYNACK_STEER_RETA_MAX];
	struct rte_eth_rss_reta_entry64 grp[SYNACK_STEER_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	memset(grp, 0, sizeof(grp));
	for (unsigned i = 0; i < rs; i++)
		grp[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
	bool reta_from_pmd = rte_eth_dev_rss_reta_query(port_id, grp, (uint16_t)rs) == 0;
	for (unsigned i = 0; reta_from_pmd && i < rs; i++) {
		reta[i] = grp[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
		reta_from_pmd = reta[i] < nb_queues;
	}
	if (!reta_from_pmd)
		synack_steer_default_reta(reta, rs, nb_queues);
	if (synack_steer_init(s, key, key_len, reta, rs, nb_queues) < 0)
		return -ENOTSUP; /* e.g. a reported RETA that leaves a queue out */
	s->key_from_pmd = key_from_pmd;
	s->reta_from_pmd = reta_from_pmd;
	return 0;
}
