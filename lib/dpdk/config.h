/* config.h: the port and engine description read from drivers-config/<name>.ini, plus the command-line
 * overrides (--set section.key=value) applied on top of it. The structs are plain data (no DPDK
 * type) so that the console and the tests can read them; config.c holds every rule and every
 * message, drivers-config/README.md documents each key. */
#ifndef SYNACK_DPDK_CONFIG_H
#define SYNACK_DPDK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/reass.h"

#define SYNACK_CONFIG_MAX_PORTS 8       /* [port0] .. [port7] */

/* offloads: requested in the file, used by the engine only when the port reports the capability
 * at start (software checksums otherwise). */
#define SYNACK_OFF_IPV4_CKSUM 0x1u
#define SYNACK_OFF_TCP_CKSUM  0x2u

/* [engine] syncookies: when a SYN is answered with a cookie instead of a SYN-RECEIVED entry. */
#define SYNACK_SYNCOOKIES_OFF         0 /* never: SYNs beyond synrcv_per_core are dropped */
#define SYNACK_SYNCOOKIES_ON_OVERFLOW 1 /* when the SYN-RECEIVED table or the TCB pool is full */
#define SYNACK_SYNCOOKIES_ALWAYS      2 /* for every SYN */

struct synack_port_cfg {
	char section[32];               /* "port0" */
	char driver[32];                /* net_tap ... or a PCI family: mlx5, i40e, ice, ixgbe, virtio */
	char devargs[256];              /* vdev arguments, "" for PCI ports */
	char pci[32];                   /* "0000:03:00.0" for PCI ports, "" for vdevs */
	uint16_t queues, rx_desc, tx_desc, mtu;
	uint64_t rss_hf;                /* RTE_ETH_RSS_* bits */
	uint8_t rss_key[52];
	uint8_t rss_key_len;            /* 40 or 52 */
	uint32_t offloads;              /* SYNACK_OFF_* */
	uint32_t ip, gateway;           /* host byte order; gateway 0: none */
	uint8_t prefix_len;
	uint8_t mac[6];
	bool has_mac, verified;
	uint8_t worker_first, worker_count; /* the workers that poll and own this port; count 0: all */
};

struct synack_engine_cfg_file {
	uint16_t workers;
	uint32_t tcb_per_core, timewait_per_core, synrcv_per_core;
	uint32_t timewait_worker[64];   /* timewait_per_worker: a worker's own size; 0: timewait_per_core */
	uint8_t timewait_workers;       /* how many sizes timewait_per_worker gave */
	uint8_t syncookies;             /* SYNACK_SYNCOOKIES_* */
	uint32_t msl_s;
	uint16_t mss;                   /* 0: the TCP layer's default */
	uint32_t rcv_buf;               /* 0: the engine's default */
	uint32_t snd_buf;               /* send ring per connection, a power of two (0: 16384) */
	uint32_t rto_min_ms;            /* 0: RFC 6298's 1 s */
	uint32_t ooo_per_core;          /* out-of-order store, 2 KiB slots per core (0: none) */
	uint32_t ooo_per_conn;          /* ... slots one connection may hold, 0: from rcv_buf */
	uint32_t rst_limit;             /* RSTs for no connection per second per core (0: no limit) */
	uint32_t delack_ms;             /* delayed ACKs at most this late (0: off) */
	uint32_t tlp;                   /* tail loss probes, RFC 8985 §7 (1: on, the default; 0: off) */
	uint32_t keepalive_s, keepalive_intvl_s, keepalive_probes; /* keep-alives (keepalive_s 0: off) */
	uint32_t invalid_ack_limit;     /* ACKs to unacceptable segments per second per core (0: no limit) */
	uint8_t syn_retries;            /* 0: the TCP layer's default (7: 247 s, RFC 9293 §3.8.3) */
	uint8_t synack_retries;         /* 0: the TCP layer's default (5) */
};

struct synack_config {
	char path[256];                 /* the file, for messages */
	unsigned nports;                /* ports[0 .. nports-1] are [port0] .. */
	struct synack_port_cfg ports[SYNACK_CONFIG_MAX_PORTS];
	struct synack_engine_cfg_file engine;
};

/* Worker w's TIME-WAIT entries: its timewait_per_worker value, else timewait_per_core. */
static inline uint32_t synack_config_timewait(const struct synack_engine_cfg_file *e, unsigned w)
{
	return w < 64 && e->timewait_worker[w] ? e->timewait_worker[w] : e->timewait_per_core;
}

/* The out-of-order slots one connection may hold: ooo_per_conn, or by default one per KiB of the
 * receive buffer (a window's worth of segments past a hole, with room for smaller ones), at least
 * 64 and at most SYNACK_REASS_CONN_MAX; rcv_buf_eff is the receive buffer in force. A bound
 * well above the window would only let a hostile peer's tiny segments pin more of the store. */
static inline uint32_t synack_config_ooo_per_conn(const struct synack_engine_cfg_file *e, uint32_t rcv_buf_eff)
{
	if (e->ooo_per_conn)
		return e->ooo_per_conn;
	uint32_t n = rcv_buf_eff / 1024u;
	return n < 64u ? 64u : n > SYNACK_REASS_CONN_MAX ? SYNACK_REASS_CONN_MAX : n;
}

/* Every default: no port, the [engine] defaults. */
void synack_config_defaults(struct synack_config *cfg);

/* Reads path into cfg. 0, or -1 with one line in err naming the file, the section, the key and
 * what was expected, e.g. "drivers-config/tap.ini: [port0] rx_desc = 1000: expected a power of
 * two in 64..16384". Runs synack_config_check at the end. */
int synack_config_load(const char *path, struct synack_config *cfg, char *err, size_t errlen);

/* One override "port0.ip=198.18.1.2/24" or "engine.workers=2", validated like the same key in a
 * file; only ports the file has. 0, or -1 with err set and cfg unchanged. Rules that tie two keys
 * together wait for synack_config_check, so that the order of several --set does not matter. */
int synack_config_set(struct synack_config *cfg, const char *assignment, char *err, size_t errlen);

/* The rules across keys (a PCI driver needs pci, the gateway lies in the port's subnet, mss fits
 * the MTU, ...); also sizes the built-in RSS key for the driver. Call it once after the last
 * synack_config_set. 0, or -1 with err set. */
int synack_config_check(struct synack_config *cfg, char *err, size_t errlen);

/* The argument of EAL's --vdev for a vdev port, "<driver><index>[,<devargs>]" (e.g.
 * "net_tap0,iface=synack0"): the index keeps the names of several ports apart. Returns its length,
 * or -1 for a PCI port (EAL takes p->pci as an allow-list entry instead) or when len is too small. */
/* A net_ring port with devargs "pair=NAME": not an EAL vdev; the engine builds it with
 * rte_eth_from_rings, crossed with the other port of the same pair name. */
bool synack_config_is_ring_pair(const struct synack_port_cfg *p);

int synack_config_vdev_arg(const struct synack_port_cfg *p, unsigned index, char *buf, size_t len);

/* True when the driver is a PCI NIC family rather than a vdev. */
bool synack_config_driver_is_pci(const char *driver);

#endif
