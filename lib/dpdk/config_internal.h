/* config_internal.h: what the drivers-config reader's two files share: the key table and the
 * parsers of values (config_keys.c), and the reading, overrides and rules across keys that use
 * them (config.c). Not part of the engine's API. */
#ifndef SYNACK_DPDK_CONFIG_INTERNAL_H
#define SYNACK_DPDK_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpdk/config.h"

struct cfg_word {
	const char *name;
	uint64_t value;
};

struct cfg_driver {
	const char *name;
	bool pci;
	uint8_t rss_key_len;            /* the only length the PMD takes; 0: 40 or 52 */
	const char *need_arg;           /* a devargs key the PMD cannot start without */
	const char *mac_hint;           /* set when the PMD cannot change its MAC: where it comes from */
	int (*devargs_check)(const char *devargs, char *exp, size_t n);
};

struct cfg_key;
/* Parses val into the field(s) of obj that k names. With val NULL it only describes what it
 * takes (for a required key that is missing). Returns 0, or -1 with the expectation in exp. */
typedef int (*cfg_parse_fn)(const struct cfg_key *k, const char *val, void *obj, char *exp, size_t n);

struct cfg_key {
	const char *name;
	cfg_parse_fn parse;
	size_t off, size;               /* the field */
	uint64_t min, max;              /* a number's range; for ip, the prefix length's */
	size_t off2;                    /* a companion field: prefix_len, rss_key_len, has_mac */
	const struct cfg_word *words;   /* for word parsers */
	bool required;
};

struct cfg_table {
	const struct cfg_key *keys;
	size_t nkeys;
};

extern const struct cfg_table synack_cfg_port_table, synack_cfg_engine_table;
const struct cfg_key *synack_cfg_find_key(const struct cfg_table *t, const char *name);
/* The table's key names, comma-separated, into buf. */
void synack_cfg_key_list(const struct cfg_table *t, char *buf, size_t n);
const struct cfg_driver *synack_cfg_find_driver(const char *name);
/* net_ring's devargs rule (config.c), which the driver table names. */
int synack_cfg_ring_devargs_check(const char *devargs, char *exp, size_t n);

/* Writes the expectation into exp; returns -1 (a parser's failure). */
int synack_cfg_expect(char *exp, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *synack_cfg_trim(char *s);
void synack_cfg_ipv4_str(uint32_t a, char *buf, size_t n);
uint32_t synack_cfg_prefix_mask(unsigned len);
bool synack_cfg_has_arg(const char *devargs, const char *k);
/* The built-in RSS key (rss_key = default), 52 bytes. */
void synack_cfg_builtin_rss_key(uint8_t key[52]);
/* rss_hf's default: ipv4 and ipv4-tcp. */
uint64_t synack_cfg_rss_default(void);

#endif
