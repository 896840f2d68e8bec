/* arp_cache.h: a small per-core IPv4 → MAC cache (RFC 826), learnt from ARP requests and replies
 * and from SYNs' source addresses. Direct-mapped with a short probe, no allocation, single writer. */
#ifndef SYNACK_CORE_ARP_CACHE_H
#define SYNACK_CORE_ARP_CACHE_H

#include <stdint.h>
#include <string.h>

#define SYNACK_ARP_SLOTS 256
#define SYNACK_ARP_PROBE 4

struct synack_arp_entry {
	uint32_t ip;            /* 0: empty */
	uint8_t mac[6];
	uint16_t pad_;
	uint64_t seen_ns;
};

struct synack_arp_cache {
	struct synack_arp_entry e[SYNACK_ARP_SLOTS];
};

static inline unsigned synack_arp_slot(uint32_t ip) { return (ip * 2654435761u) >> 24; }

static inline const uint8_t *synack_arp_lookup(const struct synack_arp_cache *c, uint32_t ip)
{
	unsigned s = synack_arp_slot(ip);
	for (unsigned i = 0; i < SYNACK_ARP_PROBE; i++) {
		const struct synack_arp_entry *x = &c->e[(s + i) % SYNACK_ARP_SLOTS];
		if (x->ip == ip)
			return x->mac;
	}
	return NULL;
}

static inline void synack_arp_learn(struct synack_arp_cache *c, uint32_t ip, const uint8_t mac[6], uint64_t now)
{
	unsigned s = synack_arp_slot(ip), victim = s % SYNACK_ARP_SLOTS;
	uint64_t oldest = UINT64_MAX;
	for (unsigned i = 0; i < SYNACK_ARP_PROBE; i++) {
		struct synack_arp_entry *x = &c->e[(s + i) % SYNACK_ARP_SLOTS];
		if (x->ip == ip || x->ip == 0) {
			victim = (s + i) % SYNACK_ARP_SLOTS;
			break;
		}
		if (x->seen_ns < oldest) {
			oldest = x->seen_ns;
			victim = (s + i) % SYNACK_ARP_SLOTS;
		}
	}
	c->e[victim].ip = ip;
	memcpy(c->e[victim].mac, mac, 6);
	c->e[victim].seen_ns = now;
}

#endif
