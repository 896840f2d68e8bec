/* config.c: drivers-config/<name>.ini into struct synack_config. rte_cfgfile reads the INI; a pass over
 * the raw lines before it catches what rte_cfgfile refuses without saying why (it only logs, and
 * has no line numbers in its result) or skips without a word; then each key goes through its row
 * of the key table (config_keys.c). The rules tying two keys together are in synack_config_check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_ethdev.h>

#include "dpdk/config_internal.h"
#include "tcp/reass.h"

/* rte_cfgfile reads a line into CFG_NAME_LEN + CFG_VALUE_LEN + 4 bytes with fgets and fails a line
 * that does not fit with its newline: 322 characters is the longest it takes. */
#define CFG_LINE_MAX (CFG_NAME_LEN + CFG_VALUE_LEN + 2)
#define CFG_COMMENT '#'

/* ---- defaults ---- */

static void port_defaults(struct synack_port_cfg *p)
{
	memset(p, 0, sizeof(*p));
	p->queues = 1;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->mtu = 1500;
	p->rss_hf = synack_cfg_rss_default();                  /* ipv4,ipv4-tcp */
	synack_cfg_builtin_rss_key(p->rss_key);
	p->rss_key_len = 40;
	p->offloads = SYNACK_OFF_IPV4_CKSUM | SYNACK_OFF_TCP_CKSUM;
}

void synack_config_defaults(struct synack_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (unsigned i = 0; i < SYNACK_CONFIG_MAX_PORTS; i++)
		port_defaults(&cfg->ports[i]);
	cfg->engine.workers = 1;
	cfg->engine.tcb_per_core = 65536;
	cfg->engine.timewait_per_core = 1048576;
	cfg->engine.synrcv_per_core = 16384;
	cfg->engine.syncookies = SYNACK_SYNCOOKIES_ON_OVERFLOW;
	cfg->engine.msl_s = 60;
	cfg->engine.ooo_per_core = 4096;
	cfg->engine.ooo_per_conn = 0; /* from rcv_buf */
	cfg->engine.rst_limit = 20000;
	cfg->engine.delack_ms = 40;
	cfg->engine.tlp = 1;
	cfg->engine.keepalive_intvl_s = 75;  /* Linux tcp_keepalive_intvl */
	cfg->engine.keepalive_probes = 9;    /* Linux tcp_keepalive_probes */
	cfg->engine.invalid_ack_limit = 20000;
}

/* ---- the line pass ---- */

/* What rte_cfgfile would refuse (too long, no ']', a key before any section) or quietly get wrong
 * (a line with neither '[' nor '=' is skipped; text after ']' is dropped; names and values are
 * cut at 63 and 255 characters; "\#" keeps a '#' the first comment test sees, not later ones):
 * refused here with its line number. */
static int check_lines(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned lineno = 0;
	bool in_section = false;
	const char *why = NULL;
	char whybuf[96];
	while (!why && (got = getline(&line, &cap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)got;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > CFG_LINE_MAX) {
			snprintf(whybuf, sizeof(whybuf), "line longer than rte_cfgfile's limit of %d characters",
				 CFG_LINE_MAX);
			why = whybuf;
		} else if (strlen(line) != len)
			why = "a NUL byte";
		else if (strchr(line, '\\'))
			why = "a backslash: no escapes are supported";
		if (why)
			break;
		char *hash = strchr(line, CFG_COMMENT);
		if (hash)
			*hash = '\0';
		char *s = synack_cfg_trim(line);
		len = strlen(s);
		if (len == 0)
			continue;
		if (s[0] == '[') {
			char *close = strchr(s, ']');
			if (!close || close[1] != '\0')
				why = "expected a section header like [port0], with nothing after the ']'";
			else if (close - s - 1 >= CFG_NAME_LEN)
				why = "section name longer than 63 characters";
			else {
				*close = '\0';
				if (*synack_cfg_trim(s + 1) == '\0' || strchr(s + 1, '['))
					why = "expected a section header like [port0]";
			}
			in_section = true;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			why = "expected [section], key = value, or a # comment";
			break;
		}
		*eq = '\0';
		const char *k = synack_cfg_trim(s), *v = synack_cfg_trim(eq + 1);
		if (!*k)
			why = "expected a key before '='";
		else if (strlen(k) >= CFG_NAME_LEN)
			why = "key longer than 63 characters";
		else if (strlen(v) >= CFG_VALUE_LEN)
			why = "value longer than 255 characters";
		else if (!in_section)
			why = "key = value before the first [section]";
	}
	if (why)
		snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
	else if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		why = "";
	}
	free(line);
	fclose(f);
	return why ? -1 : 0;
}

/* ---- loading ---- */

/* "engine" -> -1, "port0".."port7" -> 0..7, anything else -> -2. */
static int section_kind(const char *name)
{
	if (strcmp(name, "engine") == 0)
		return -1;
	if (strncmp(name, "port", 4) == 0 && name[4] >= '0' && name[4] < '0' + SYNACK_CONFIG_MAX_PORTS &&
	    name[5] == '\0')
		return name[4] - '0';
	return -2;
}

static int load_section(struct synack_config *cfg, struct rte_cfgfile *cf, int idx, const char *sec,
			const struct cfg_table *t, void *obj, char *err, size_t errlen)
{
	char name[CFG_NAME_LEN];
	int n = rte_cfgfile_section_num_entries_by_index(cf, name, idx);
	if (n < 0) {
		snprintf(err, errlen, "%s: [%s]: rte_cfgfile lost the section", cfg->path, sec);
		return -1;
	}
	struct rte_cfgfile_entry *e = calloc((size_t)n + 1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "%s: out of memory", cfg->path);
		return -1;
	}
	n = rte_cfgfile_section_entries_by_index(cf, idx, name, e, n);
	uint64_t seen = 0;
	char exp[512], list[512];
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const struct cfg_key *k = synack_cfg_find_key(t, e[i].name);
		if (!k) {
			synack_cfg_key_list(t, list, sizeof(list));
			snprintf(err, errlen, "%s: [%s] %s = %s: unknown key: expected one of %s", cfg->path, sec,
				 e[i].name, e[i].value, list);
			rc = -1;
		} else if (seen & (1ull << (k - t->keys))) {
			/* rte_cfgfile keeps both and its lookups return the first: say so instead. */
			snprintf(err, errlen, "%s: [%s] %s = %s: key given twice: expected each key once", cfg->path,
				 sec, e[i].name, e[i].value);
			rc = -1;
		} else if (k->parse(k, e[i].value, obj, exp, sizeof(exp)) < 0) {
			snprintf(err, errlen, "%s: [%s] %s = %s: expected %s", cfg->path, sec, e[i].name, e[i].value,
				 exp);
			rc = -1;
		}
		if (k)
			seen |= 1ull << (k - t->keys);
	}
	for (size_t i = 0; i < t->nkeys && rc == 0; i++)
		if (t->keys[i].required && !(seen & (1ull << i))) {
			t->keys[i].parse(&t->keys[i], NULL, obj, exp, sizeof(exp));
			snprintf(err, errlen, "%s: [%s] %s: missing: expected %s", cfg->path, sec, t->keys[i].name, exp);
			rc = -1;
		}
	free(e);
	return rc;
}

int synack_config_load(const char *path, struct synack_config *cfg, char *err, size_t errlen)
{
	synack_config_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if (check_lines(path, err, errlen) < 0)
		return -1;
	/* '#' rather than the default ';': the usual comment of hand-written config files. */
	const struct rte_cfgfile_parameters params = { .comment_character = CFG_COMMENT };
	/* Empty values are let through so that the key's own parser says what it wants. */
	struct rte_cfgfile *cf = rte_cfgfile_load_with_params(path, CFG_FLAG_EMPTY_VALUES, &params);
	if (!cf) {
		snprintf(err, errlen, "%s: rte_cfgfile could not read it", path);
		return -1;
	}
	int nsec = rte_cfgfile_num_sections(cf, NULL, 0), rc = 0;
	unsigned ports_seen = 0;
	bool engine_seen = false;
	for (int i = 0; i < nsec && rc == 0; i++) {
		char name[CFG_NAME_LEN];
		rte_cfgfile_section_num_entries_by_index(cf, name, i);
		int kind = section_kind(name);
		if (kind == -2) {
			snprintf(err, errlen, "%s: [%s]: unknown section: expected [port0] .. [port%u] or [engine]", path,
				 name, SYNACK_CONFIG_MAX_PORTS - 1);
			rc = -1;
		} else if ((kind == -1 && engine_seen) || (kind >= 0 && (ports_seen & (1u << kind)))) {
			/* rte_cfgfile keeps both; its lookups by name would see the first only. */
			snprintf(err, errlen, "%s: [%s]: section given twice: expected each section once", path, name);
			rc = -1;
		} else if (kind == -1) {
			engine_seen = true;
			rc = load_section(cfg, cf, i, name, &synack_cfg_engine_table, &cfg->engine, err, errlen);
		} else {
			ports_seen |= 1u << kind;
			struct synack_port_cfg *p = &cfg->ports[kind];
			snprintf(p->section, sizeof(p->section), "port%d", kind);
			rc = load_section(cfg, cf, i, name, &synack_cfg_port_table, p, err, errlen);
		}
	}
	rte_cfgfile_close(cf);
	if (rc < 0)
		return -1;
	/* The engine makes port p ethdev p and vdev net_xxx<p>: ports are counted from port0. */
	while (ports_seen & (1u << cfg->nports))
		cfg->nports++;
	if (ports_seen >> cfg->nports) {
		unsigned gap = cfg->nports;
		unsigned next = gap + 1;
		while (!(ports_seen & (1u << next)))
			next++;
		snprintf(err, errlen, "%s: [port%u]: ports are numbered from port0 without a gap: expected [port%u]",
			 path, next, gap);
		return -1;
	}
	return synack_config_check(cfg, err, errlen);
}

/* ---- overrides ---- */

int synack_config_set(struct synack_config *cfg, const char *assignment, char *err, size_t errlen)
{
	char buf[CFG_NAME_LEN + CFG_VALUE_LEN + 16];
	if (strlen(assignment) >= sizeof(buf)) {
		snprintf(err, errlen, "--set %.40s...: longer than %zu characters", assignment, sizeof(buf) - 1);
		return -1;
	}
	memcpy(buf, assignment, strlen(assignment) + 1);
	/* The first '=' ends the name: values such as devargs hold '=' of their own. */
	char *eq = strchr(buf, '=');
	char *dot = eq ? memchr(buf, '.', (size_t)(eq - buf)) : NULL;
	if (!dot) {
		snprintf(err, errlen, "--set %s: expected section.key=value, e.g. port0.ip=198.18.1.2/24",
			 assignment);
		return -1;
	}
	*dot = '\0';
	*eq = '\0';
	const char *sec = synack_cfg_trim(buf), *key = synack_cfg_trim(dot + 1), *val = synack_cfg_trim(eq + 1);
	int kind = section_kind(sec);
	if (kind == -2 || kind >= (int)cfg->nports) {
		if (cfg->nports)
			snprintf(err, errlen, "--set %s: no [%s] in %s: expected engine or port0 .. port%u", assignment,
				 sec, cfg->path, cfg->nports - 1);
		else
			snprintf(err, errlen, "--set %s: no [%s] in %s: expected engine", assignment, sec, cfg->path);
		return -1;
	}
	const struct cfg_table *t = kind == -1 ? &synack_cfg_engine_table : &synack_cfg_port_table;
	const struct cfg_key *k = synack_cfg_find_key(t, key);
	char exp[512];
	if (!k) {
		char list[512];
		synack_cfg_key_list(t, list, sizeof(list));
		snprintf(err, errlen, "--set %s: unknown key %s in [%s]: expected one of %s", assignment, key, sec,
			 list);
		return -1;
	}
	/* Parse into a copy, so that a refused value leaves cfg as it was. */
	union {
		struct synack_port_cfg port;
		struct synack_engine_cfg_file engine;
	} tmp;
	void *target = kind == -1 ? (void *)&cfg->engine : (void *)&cfg->ports[kind];
	size_t size = kind == -1 ? sizeof(tmp.engine) : sizeof(tmp.port);
	memcpy(&tmp, target, size);
	if (strlen(val) >= CFG_VALUE_LEN || k->parse(k, val, &tmp, exp, sizeof(exp)) < 0) {
		if (strlen(val) >= CFG_VALUE_LEN)
			snprintf(exp, sizeof(exp), "a value of at most %d characters", CFG_VALUE_LEN - 1);
		snprintf(err, errlen, "--set %s: expected %s", assignment, exp);
		return -1;
	}
	memcpy(target, &tmp, size);
	return 0;
}

/* ---- rules across keys ---- */

/* DPDK 22.11's net_ring names the ethdev after the ring of nodeaction=name:node:ACTION, so a second
 * port that ATTACHes to a ring this process CREATEd clashes with the first port's name and EAL's
 * probe fails. Nothing else in one process could have created the ring: refuse ATTACH here. */
int synack_cfg_ring_devargs_check(const char *devargs, char *exp, size_t n)
{
	if (strncmp(devargs, "pair=", 5) == 0) {
		if (!devargs[5] || strlen(devargs + 5) > 20 || strpbrk(devargs + 5, ",= "))
			return synack_cfg_expect(exp, n, "pair=<name> (1..20 characters, no ',', '=' or space)");
		return 0;
	}
	if (strstr(devargs, ":ATTACH"))
		return synack_cfg_expect(exp, n, "nodeaction=<ring>:<numa node>:CREATE: ATTACH fails in one process "
			      "(net_ring names the ethdev after the ring, so the attaching port clashes "
			      "with the creating one)");
	return 0;
}

static bool is_builtin_key(const uint8_t key[52])
{
	uint8_t b[52];
	synack_cfg_builtin_rss_key(b);
	return memcmp(key, b, sizeof(b)) == 0;
}

int synack_config_check(struct synack_config *cfg, char *err, size_t errlen)
{
	const char *path = cfg->path;
	char exp[512], a[16], b[16];
	for (unsigned i = 0; i < cfg->nports; i++) {
		struct synack_port_cfg *p = &cfg->ports[i];
		const char *sec = p->section;
		const struct cfg_driver *d = synack_cfg_find_driver(p->driver);
		if (!d) {
			snprintf(err, errlen, "%s: [%s] driver: missing: expected a driver", path, sec);
			return -1;
		}
		if (d->pci && !p->pci[0]) {
			snprintf(err, errlen, "%s: [%s] pci: missing: expected the NIC's PCI address for driver %s, "
				 "e.g. 0000:03:00.0 (EAL probes only the NICs a config names)", path, sec, d->name);
			return -1;
		}
		if (d->pci && p->devargs[0]) {
			snprintf(err, errlen, "%s: [%s] devargs = %s: expected no devargs for PCI driver %s "
				 "(its NIC is named by pci)", path, sec, p->devargs, d->name);
			return -1;
		}
		if (!d->pci && p->pci[0]) {
			snprintf(err, errlen, "%s: [%s] pci = %s: expected no pci for vdev driver %s (it takes devargs)",
				 path, sec, p->pci, d->name);
			return -1;
		}
		if (p->worker_count && (unsigned)p->worker_first + p->worker_count > cfg->engine.workers) {
			snprintf(err, errlen, "%s: [%s] workers = %u-%u: expected workers within 0-%u ([engine] workers = %u)",
				 path, sec, p->worker_first, p->worker_first + p->worker_count - 1,
				 cfg->engine.workers - 1, cfg->engine.workers);
			return -1;
		}
		if (d->need_arg && !synack_cfg_has_arg(p->devargs, d->need_arg)) {
			if (p->devargs[0])
				snprintf(err, errlen, "%s: [%s] devargs = %s: expected %s=<...> among them for %s", path, sec,
					 p->devargs, d->need_arg, d->name);
			else
				snprintf(err, errlen, "%s: [%s] devargs: missing: expected %s=<...> for %s", path, sec,
					 d->need_arg, d->name);
			return -1;
		}
		if (d->mac_hint && p->has_mac) {
			snprintf(err, errlen, "%s: [%s] mac = %02x:%02x:%02x:%02x:%02x:%02x: expected no mac for %s: %s",
				 path, sec, p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4], p->mac[5], d->name,
				 d->mac_hint);
			return -1;
		}
		if (d->devargs_check && d->devargs_check(p->devargs, exp, sizeof(exp)) < 0) {
			snprintf(err, errlen, "%s: [%s] devargs = %s: expected %s", path, sec, p->devargs, exp);
			return -1;
		}
		if (is_builtin_key(p->rss_key))
			p->rss_key_len = d->rss_key_len ? d->rss_key_len : 40;
		else if (d->rss_key_len && p->rss_key_len != d->rss_key_len) {
			snprintf(err, errlen, "%s: [%s] rss_key (%u bytes): expected %u bytes for driver %s, or default",
				 path, sec, p->rss_key_len, d->rss_key_len, d->name);
			return -1;
		}
		uint32_t mask = synack_cfg_prefix_mask(p->prefix_len);
		if (p->gateway && ((p->gateway & mask) != (p->ip & mask) || p->gateway == p->ip)) {
			synack_cfg_ipv4_str(p->gateway, a, sizeof(a));
			synack_cfg_ipv4_str(p->ip & mask, b, sizeof(b));
			snprintf(err, errlen, "%s: [%s] gateway = %s: expected an address inside %s/%u, the port's "
				 "subnet, other than the port's own", path, sec, a, b, p->prefix_len);
			return -1;
		}
		for (unsigned j = 0; j < i; j++)
			if (cfg->ports[j].ip == p->ip) {
				synack_cfg_ipv4_str(p->ip, a, sizeof(a));
				snprintf(err, errlen, "%s: [%s] ip = %s/%u: expected an address other than [%s]'s", path,
					 sec, a, p->prefix_len, cfg->ports[j].section);
				return -1;
			}
		if (cfg->engine.mss && cfg->engine.mss + 40u > p->mtu) {
			snprintf(err, errlen, "%s: [engine] mss = %u: expected at most %u, [%s] mtu %u less 40 bytes of "
				 "IPv4 and TCP headers", path, cfg->engine.mss, p->mtu - 40u, sec, p->mtu);
			return -1;
		}
	}
	if (cfg->engine.timewait_workers > cfg->engine.workers) {
		snprintf(err, errlen, "%s: [engine] timewait_per_worker: %u sizes, expected at most workers = %u "
			 "(one per worker, worker 0 first)", path, cfg->engine.timewait_workers, cfg->engine.workers);
		return -1;
	}
	if (cfg->engine.synrcv_per_core > cfg->engine.tcb_per_core) {
		snprintf(err, errlen, "%s: [engine] synrcv_per_core = %u: expected at most tcb_per_core = %u "
			 "(each SYN-RECEIVED connection holds a TCB)", path, cfg->engine.synrcv_per_core,
			 cfg->engine.tcb_per_core);
		return -1;
	}
	return 0;
}

/* ---- EAL ---- */

bool synack_config_is_ring_pair(const struct synack_port_cfg *p)
{
	return strcmp(p->driver, "net_ring") == 0 && strncmp(p->devargs, "pair=", 5) == 0;
}

int synack_config_vdev_arg(const struct synack_port_cfg *p, unsigned index, char *buf, size_t len)
{
	if (!p || !buf || synack_config_driver_is_pci(p->driver) || !synack_cfg_find_driver(p->driver) ||
	    synack_config_is_ring_pair(p))
		return -1;
	int n = snprintf(buf, len, "%s%u%s%s", p->driver, index, p->devargs[0] ? "," : "", p->devargs);
	return n < 0 || (size_t)n >= len ? -1 : n;
}
