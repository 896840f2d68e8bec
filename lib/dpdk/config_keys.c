/* config_keys.c: the drivers-config keys, one table row each naming the key, its parser, its field
 * and its range, and the parsers of values, so that every value is checked, and every message
 * worded, in one place; the words and drivers they know; the built-in RSS key. The reading of the
 * file and the rules tying keys together are config.c's. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_ethdev.h>

#include "dpdk/config_internal.h"
#include "tcp/reass.h"

/* The built-in RSS key ("rss_key = default"): the 16-bit pattern 0x4d16 repeated. A Toeplitz key
 * whose bits repeat every 16 hashes (src ip, dst ip, src port, dst port) and its reverse alike,
 * because swapping the addresses moves every input bit by 32 and swapping the ports by 16, both
 * multiples of the period: both directions of a connection land on the same queue, which the
 * per-core connection tables rely on. With that period the hash is a linear function of the
 * 16-bit XOR of the input's 16-bit words; the pattern has odd weight, so that function keeps all
 * 16 bits, and was picked so that the low 1..7 bits of the hash (the bits a round-robin
 * redirection table turns into a queue) are a bijection of the low 1..7 bits of a source port:
 * any aligned run of 2^k consecutive client ports spreads over 2^k queues, one each, for k up to
 * 6 (64 queues). The common 0x6d5a pattern is as symmetric but fails that at 8 and 16 queues.
 * tests/unit/test_config.c checks both properties with a software Toeplitz. Periodic, so any
 * prefix is the same key: 40 bytes for most PMDs, 52 for i40e and ice. */
#define CFG_RSS_PATTERN_HI 0x4d
#define CFG_RSS_PATTERN_LO 0x16

void synack_cfg_builtin_rss_key(uint8_t key[52])
{
	for (unsigned i = 0; i < 52; i += 2) {
		key[i] = CFG_RSS_PATTERN_HI;
		key[i + 1] = CFG_RSS_PATTERN_LO;
	}
}

/* ---- words and drivers ---- */


/* Each word asks for every RTE_ETH_RSS_* bit that means it on some PMD (i40e knows only the
 * FRAG/NONFRAG split, ixgbe only the plain IPV4 bit): the engine keeps the bits the port offers. */
static const struct cfg_word rss_words[] = {
	{ "ipv4", RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER },
	{ "ipv4-tcp", RTE_ETH_RSS_NONFRAG_IPV4_TCP },
	{ "ipv4-udp", RTE_ETH_RSS_NONFRAG_IPV4_UDP },
	{ "ipv6", RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_OTHER },
	{ "ipv6-tcp", RTE_ETH_RSS_NONFRAG_IPV6_TCP },
	{ "none", 0 },
	{ NULL, 0 },
};

static const struct cfg_word offload_words[] = {
	{ "ipv4-cksum", SYNACK_OFF_IPV4_CKSUM },
	{ "tcp-cksum", SYNACK_OFF_TCP_CKSUM },
	{ "none", 0 },
	{ NULL, 0 },
};

static const struct cfg_word cookie_words[] = {
	{ "off", SYNACK_SYNCOOKIES_OFF },
	{ "on-overflow", SYNACK_SYNCOOKIES_ON_OVERFLOW },
	{ "always", SYNACK_SYNCOOKIES_ALWAYS },
	{ NULL, 0 },
};

static const struct cfg_word bool_words[] = {
	{ "yes", 1 },
	{ "no", 0 },
	{ NULL, 0 },
};


/* What each PMD of DPDK 22.11 allows, from its source: the engine sets `mac` with
 * rte_eth_dev_default_mac_addr_set, which memif, af_xdp and ring do not implement. */
static const struct cfg_driver drivers[] = {
	{ .name = "net_tap" },
	{ .name = "net_af_packet", .need_arg = "iface" },
	{ .name = "net_af_xdp", .need_arg = "iface",
	  .mac_hint = "net_af_xdp uses the interface's own MAC (set it with ip link)" },
	{ .name = "net_memif", .mac_hint = "net_memif takes its MAC in devargs, as mac=..." },
	{ .name = "net_ring", .mac_hint = "net_ring's MAC is fixed", .devargs_check = synack_cfg_ring_devargs_check },
	{ .name = "net_null" },
	{ .name = "mlx5", .pci = true, .rss_key_len = 40 },
	{ .name = "i40e", .pci = true, .rss_key_len = 52 },
	{ .name = "ice", .pci = true, .rss_key_len = 52 },
	{ .name = "ixgbe", .pci = true, .rss_key_len = 40 },
	{ .name = "virtio", .pci = true, .rss_key_len = 40 },
};
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

const struct cfg_driver *synack_cfg_find_driver(const char *name)
{
	for (size_t i = 0; i < NDRIVERS; i++)
		if (strcmp(drivers[i].name, name) == 0)
			return &drivers[i];
	return NULL;
}

bool synack_config_driver_is_pci(const char *driver)
{
	const struct cfg_driver *d = synack_cfg_find_driver(driver);
	return d && d->pci;
}

/* ---- small helpers ---- */

int synack_cfg_expect(char *exp, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(exp, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends to buf at *used, never past n (the message is cut, not overrun). */
static void append(char *buf, size_t n, size_t *used, const char *s)
{
	if (*used >= n)
		return;
	int k = snprintf(buf + *used, n - *used, "%s", s);
	if (k > 0)
		*used += (size_t)k;
}

/* "a, b or c" from a NULL-terminated word table. */
static void join_words(const struct cfg_word *w, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; w[i].name; i++) {
		if (i)
			append(buf, n, &used, w[i + 1].name ? ", " : " or ");
		append(buf, n, &used, w[i].name);
	}
}

char *synack_cfg_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* Decimal digits only: no sign, no spaces, no 0x (strtoul would take all three). */
static int parse_u64(const char *s, const char **end, uint64_t *out)
{
	uint64_t x = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (p - s >= 19)
			return -1;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	*end = p;
	*out = x;
	return 0;
}

static int parse_u64_all(const char *s, uint64_t *out)
{
	const char *end;
	return parse_u64(s, &end, out) == 0 && *end == '\0' ? 0 : -1;
}

/* Dotted quad, four decimal parts 0..255; a part with a leading zero is refused because some
 * tools read it as octal. Host byte order. */
static int parse_ipv4(const char *s, const char **end, uint32_t *out)
{
	uint32_t a = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t part;
		const char *e;
		if (i && *s++ != '.')
			return -1;
		if (parse_u64(s, &e, &part) < 0 || part > 255 || e - s > 3 || (e - s > 1 && *s == '0'))
			return -1;
		a = a << 8 | (uint32_t)part;
		s = e;
	}
	*end = s;
	*out = a;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void synack_cfg_ipv4_str(uint32_t a, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

uint32_t synack_cfg_prefix_mask(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* Does a kvargs string have key "k" (as "k=..." at the start or after a comma)? */
bool synack_cfg_has_arg(const char *devargs, const char *k)
{
	size_t kl = strlen(k);
	for (const char *p = devargs; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, k, kl) == 0 && p[kl] == '=')
			return true;
	}
	return false;
}

/* ---- the key table ---- */


static void *field(void *obj, size_t off)
{
	return (char *)obj + off;
}

static void store_uint(void *f, size_t size, uint64_t v)
{
	switch (size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(f, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(f, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(f, &x, 4); break; }
	default: memcpy(f, &v, 8); break;
	}
}

static int p_uint(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint64_t x;
	if (!v || parse_u64_all(v, &x) < 0 || x < k->min || x > k->max)
		return synack_cfg_expect(exp, n, "an integer in %" PRIu64 "..%" PRIu64, k->min, k->max);
	store_uint(field(obj, k->off), k->size, x);
	return 0;
}

/* Descriptor rings: PMDs round other sizes or refuse them. */
static int p_pow2(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint64_t x;
	if (!v || parse_u64_all(v, &x) < 0 || x < k->min || x > k->max || (x & (x - 1)))
		return synack_cfg_expect(exp, n, "a power of two in %" PRIu64 "..%" PRIu64, k->min, k->max);
	store_uint(field(obj, k->off), k->size, x);
	return 0;
}

static int p_driver(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	if (v && synack_cfg_find_driver(v)) {
		snprintf(field(obj, k->off), k->size, "%s", v);
		return 0;
	}
	char list[256];
	size_t used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < NDRIVERS; i++) {
		if (i)
			append(list, sizeof(list), &used, i + 1 < NDRIVERS ? ", " : " or ");
		append(list, sizeof(list), &used, drivers[i].name);
	}
	return synack_cfg_expect(exp, n, "one of %s", list);
}

/* The string goes to EAL as one argv word: no spaces. Its keys are the PMD's to check. */
static int p_devargs(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	bool ok = v && strlen(v) < k->size;
	for (const char *p = v; ok && *p; p++)
		ok = isgraph((unsigned char)*p);
	if (ok && v[0] && (v[0] == ',' || v[0] == '='))
		ok = false;
	if (!ok)
		return synack_cfg_expect(exp, n, "the driver's arguments as key=value[,key=value...] without spaces, "
			      "at most %zu characters", k->size - 1);
	memcpy(field(obj, k->off), v, strlen(v) + 1);
	return 0;
}

/* Domain:bus:device.function, all hex, as lspci -D prints it. */
static int p_pci(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	static const char shape[] = "hhhh:hh:hh.h";
	bool ok = v && strlen(v) == sizeof(shape) - 1;
	for (size_t i = 0; ok && shape[i]; i++)
		ok = shape[i] == 'h' ? hexval((unsigned char)v[i]) >= 0 : v[i] == shape[i];
	if (ok)
		ok = hexval((unsigned char)v[8]) * 16 + hexval((unsigned char)v[9]) <= 0x1f && v[11] <= '7';
	if (!ok)
		return synack_cfg_expect(exp, n, "a PCI address domain:bus:device.function, e.g. 0000:03:00.0 "
			      "(device 00..1f, function 0..7)");
	char *f = field(obj, k->off);
	for (size_t i = 0; i <= sizeof(shape) - 1 && i < k->size; i++)
		f[i] = (char)tolower((unsigned char)v[i]);
	return 0;
}

/* One word of k->words. */
static int p_enum(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	for (unsigned i = 0; v && k->words[i].name; i++)
		if (strcmp(v, k->words[i].name) == 0) {
			store_uint(field(obj, k->off), k->size, k->words[i].value);
			return 0;
		}
	char list[256];
	join_words(k->words, list, sizeof(list));
	return synack_cfg_expect(exp, n, "%s", list);
}

/* A comma list of k->words, their values ORed; a word worth 0 ("none") must stand alone. */
static int p_words(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	char buf[CFG_VALUE_LEN], detail[CFG_VALUE_LEN + 32] = "";
	uint64_t acc = 0;
	unsigned nwords = 0;
	bool zero = false, ok = v && strlen(v) < sizeof(buf);
	if (ok) {
		memcpy(buf, v, strlen(v) + 1);
		/* Split by hand: strtok_r would skip an empty item ("ipv4,,ipv6") instead of refusing it. */
		for (char *item = buf, *next; ok && item; item = next) {
			next = strchr(item, ',');
			if (next)
				*next++ = '\0';
			char *w = synack_cfg_trim(item);
			unsigned i = 0;
			while (k->words[i].name && strcmp(w, k->words[i].name) != 0)
				i++;
			if (!k->words[i].name) {
				if (*w)
					snprintf(detail, sizeof(detail), " ('%s' is not one)", w);
				else
					snprintf(detail, sizeof(detail), " (an empty item)");
				ok = false;
			} else {
				acc |= k->words[i].value;
				zero |= k->words[i].value == 0;
				nwords++;
			}
		}
		if (ok && zero && nwords > 1) {
			snprintf(detail, sizeof(detail), " (none alone)");
			ok = false;
		}
	}
	if (!ok) {
		char list[256];
		join_words(k->words, list, sizeof(list));
		return synack_cfg_expect(exp, n, "a comma list of %s%s", list, detail);
	}
	store_uint(field(obj, k->off), k->size, acc);
	return 0;
}

static int p_rss_key(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint8_t *key = field(obj, k->off), *len = field(obj, k->off2);
	if (v && strcmp(v, "default") == 0) {
		synack_cfg_builtin_rss_key(key);
		*len = 40;      /* synack_config_check sizes it for the driver */
		return 0;
	}
	size_t hl = v ? strlen(v) : 0;
	bool ok = hl == 80 || hl == 104;
	for (size_t i = 0; ok && i < hl; i++)
		ok = hexval((unsigned char)v[i]) >= 0;
	if (!ok)
		return synack_cfg_expect(exp, n, "default, or a 40- or 52-byte Toeplitz key as 80 or 104 hex digits");
	memset(key, 0, k->size);
	for (size_t i = 0; i < hl / 2; i++)
		key[i] = (uint8_t)(hexval((unsigned char)v[2 * i]) << 4 | hexval((unsigned char)v[2 * i + 1]));
	*len = (uint8_t)(hl / 2);
	return 0;
}

static int p_ip_prefix(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint32_t a;
	uint64_t len;
	const char *e;
	if (!v || parse_ipv4(v, &e, &a) < 0 || *e != '/' || parse_u64_all(e + 1, &len) < 0 ||
	    len < k->min || len > k->max)
		return synack_cfg_expect(exp, n, "an IPv4 address and prefix length %" PRIu64 "..%" PRIu64 ", e.g. 198.18.0.2/24",
			      k->min, k->max);
	memcpy(field(obj, k->off), &a, sizeof(a));
	*(uint8_t *)field(obj, k->off2) = (uint8_t)len;
	return 0;
}

static int p_ipv4(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint32_t a;
	const char *e;
	if (!v || parse_ipv4(v, &e, &a) < 0 || *e)
		return synack_cfg_expect(exp, n, "an IPv4 address, e.g. 198.18.0.1");
	memcpy(field(obj, k->off), &a, sizeof(a));
	return 0;
}

/* Six colon-separated hex pairs; a port's own address must be unicast and not all zero. */
static int p_mac(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint8_t m[6];
	bool ok = v && strlen(v) == 17, zero = true;
	for (int i = 0; ok && i < 6; i++) {
		int hi = hexval((unsigned char)v[3 * i]), lo = hexval((unsigned char)v[3 * i + 1]);
		ok = hi >= 0 && lo >= 0 && (i == 5 || v[3 * i + 2] == ':');
		m[i] = ok ? (uint8_t)(hi << 4 | lo) : 0;
		zero &= m[i] == 0;
	}
	if (!ok || zero || (m[0] & 1))
		return synack_cfg_expect(exp, n, "a unicast MAC address, e.g. 02:00:00:00:00:01");
	memcpy(field(obj, k->off), m, 6);
	*(bool *)field(obj, k->off2) = true;
	return 0;
}

/* "N" or "A-B": the workers that poll a port's queues and own its flows. */
static int p_workers(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint64_t a, b;
	const char *e;
	if (!v || parse_u64(v, &e, &a) < 0)
		return synack_cfg_expect(exp, n, "a worker or a range of workers, e.g. 1 or 0-3");
	b = a;
	if (*e == '-' && (parse_u64(e + 1, &e, &b) < 0))
		return synack_cfg_expect(exp, n, "a worker or a range of workers, e.g. 1 or 0-3");
	if (*e || b < a || b > 63)
		return synack_cfg_expect(exp, n, "a worker or a range of workers in 0..63, e.g. 1 or 0-3");
	struct synack_port_cfg *pc = obj;
	(void)k;
	pc->worker_first = (uint8_t)a;
	pc->worker_count = (uint8_t)(b - a + 1);
	return 0;
}

/* A comma list of per-worker sizes, worker 0 first; each in min..max, or 0 for the per-core key. */
static int p_uint_list(const struct cfg_key *k, const char *v, void *obj, char *exp, size_t n)
{
	uint32_t *out = field(obj, k->off);
	size_t max = k->size / sizeof(uint32_t), i = 0;
	const char *p = v, *e;
	uint64_t x;
	memset(out, 0, k->size);
	while (p && *p) {
		if (i == max || parse_u64(p, &e, &x) < 0 || (x && (x < k->min || x > k->max)) || (*e && (*e != ',' || !e[1])))
			return synack_cfg_expect(exp, n, "a comma list of up to %zu sizes in %" PRIu64 "..%" PRIu64 " (0: timewait_per_core), worker 0 first",
				      max, k->min, k->max);
		out[i++] = (uint32_t)x;
		p = *e ? e + 1 : e;
	}
	if (i == 0)
		return synack_cfg_expect(exp, n, "a comma list of sizes, worker 0 first, e.g. 67108864,64");
	*(uint8_t *)field(obj, k->off2) = (uint8_t)i;
	return 0;
}

#define PF(m) .off = offsetof(struct synack_port_cfg, m), .size = sizeof(((struct synack_port_cfg *)0)->m)
#define PF2(m) .off2 = offsetof(struct synack_port_cfg, m)
#define EF2(m) .off2 = offsetof(struct synack_engine_cfg_file, m)
#define EF(m) .off = offsetof(struct synack_engine_cfg_file, m), \
	.size = sizeof(((struct synack_engine_cfg_file *)0)->m)

static const struct cfg_key port_keys[] = {
	{ .name = "driver", .parse = p_driver, PF(driver), .required = true },
	{ .name = "devargs", .parse = p_devargs, PF(devargs) },
	{ .name = "pci", .parse = p_pci, PF(pci) },
	{ .name = "queues", .parse = p_uint, PF(queues), .min = 1, .max = 64 },
	{ .name = "rx_desc", .parse = p_pow2, PF(rx_desc), .min = 64, .max = 16384 },
	{ .name = "tx_desc", .parse = p_pow2, PF(tx_desc), .min = 64, .max = 16384 },
	{ .name = "mtu", .parse = p_uint, PF(mtu), .min = 68, .max = 9600 },
	{ .name = "rss_hf", .parse = p_words, PF(rss_hf), .words = rss_words },
	{ .name = "rss_key", .parse = p_rss_key, PF(rss_key), PF2(rss_key_len) },
	{ .name = "offloads", .parse = p_words, PF(offloads), .words = offload_words },
	{ .name = "ip", .parse = p_ip_prefix, PF(ip), PF2(prefix_len), .min = 1, .max = 32, .required = true },
	{ .name = "gateway", .parse = p_ipv4, PF(gateway) },
	{ .name = "mac", .parse = p_mac, PF(mac), PF2(has_mac) },
	{ .name = "verified", .parse = p_enum, PF(verified), .words = bool_words },
	{ .name = "workers", .parse = p_workers, PF(worker_first) },
};

static const struct cfg_key engine_keys[] = {
	{ .name = "workers", .parse = p_uint, EF(workers), .min = 1, .max = 64 },
	{ .name = "tcb_per_core", .parse = p_uint, EF(tcb_per_core), .min = 64, .max = 16777216 },
	{ .name = "timewait_per_core", .parse = p_uint, EF(timewait_per_core), .min = 64, .max = 268435456 },
	{ .name = "timewait_per_worker", .parse = p_uint_list, EF(timewait_worker), EF2(timewait_workers), .min = 64,
	  .max = 268435456 },
	{ .name = "synrcv_per_core", .parse = p_uint, EF(synrcv_per_core), .min = 1, .max = 16777216 },
	{ .name = "syncookies", .parse = p_enum, EF(syncookies), .words = cookie_words },
	{ .name = "msl", .parse = p_uint, EF(msl_s), .min = 1, .max = 600 },
	{ .name = "mss", .parse = p_uint, EF(mss), .min = 536, .max = 9560 },
	{ .name = "rcv_buf", .parse = p_uint, EF(rcv_buf), .min = 1024, .max = 67108864 },
	{ .name = "snd_buf", .parse = p_pow2, EF(snd_buf), .min = 4096, .max = 16777216 },
	{ .name = "rto_min_ms", .parse = p_uint, EF(rto_min_ms), .min = 10, .max = 60000 },
	{ .name = "ooo_per_core", .parse = p_uint, EF(ooo_per_core), .min = 0, .max = 1048576 },
	{ .name = "ooo_per_conn", .parse = p_uint, EF(ooo_per_conn), .min = 0, .max = SYNACK_REASS_CONN_MAX },
	{ .name = "rst_limit", .parse = p_uint, EF(rst_limit), .min = 0, .max = 100000000 },
	{ .name = "delack_ms", .parse = p_uint, EF(delack_ms), .min = 0, .max = 500 },
	{ .name = "tlp", .parse = p_uint, EF(tlp), .min = 0, .max = 1 },
	{ .name = "keepalive_s", .parse = p_uint, EF(keepalive_s), .min = 0, .max = 36000 },
	{ .name = "keepalive_intvl_s", .parse = p_uint, EF(keepalive_intvl_s), .min = 1, .max = 3600 },
	{ .name = "keepalive_probes", .parse = p_uint, EF(keepalive_probes), .min = 1, .max = 50 },
	{ .name = "invalid_ack_limit", .parse = p_uint, EF(invalid_ack_limit), .min = 0, .max = 100000000 },
	{ .name = "syn_retries", .parse = p_uint, EF(syn_retries), .min = 1, .max = 15 },
	{ .name = "synack_retries", .parse = p_uint, EF(synack_retries), .min = 1, .max = 15 },
};

#define NPORT_KEYS (sizeof(port_keys) / sizeof(port_keys[0]))
#define NENGINE_KEYS (sizeof(engine_keys) / sizeof(engine_keys[0]))


const struct cfg_table synack_cfg_port_table = { port_keys, NPORT_KEYS };
const struct cfg_table synack_cfg_engine_table = { engine_keys, NENGINE_KEYS };

const struct cfg_key *synack_cfg_find_key(const struct cfg_table *t, const char *name)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (strcmp(t->keys[i].name, name) == 0)
			return &t->keys[i];
	return NULL;
}

void synack_cfg_key_list(const struct cfg_table *t, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < t->nkeys; i++) {
		if (i)
			append(buf, n, &used, ", ");
		append(buf, n, &used, t->keys[i].name);
	}
}

uint64_t synack_cfg_rss_default(void) { return rss_words[0].value | rss_words[1].value; }
