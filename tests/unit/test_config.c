/* test_config.c: drivers-config files (lib/dpdk/config.c). Every shipped file loads and keeps to
 * 198.18.0.0/15; each kind of mistake stops loading with the one message that names the file, the
 * section, the key and what was expected; --set overrides validate alike and leave the config
 * untouched when refused; the vdev strings; and the built-in RSS key is symmetric and spreads
 * consecutive ports, checked with a software Toeplitz hash. No EAL: rte_cfgfile needs none. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "dpdk/config.h"

#ifndef SYNACK_SOURCE_DIR
#error "SYNACK_SOURCE_DIR must name the source tree (meson: -DSYNACK_SOURCE_DIR=\"...\")"
#endif

#define CFG_DIR SYNACK_SOURCE_DIR "/drivers-config"

/* 198.18.0.0/15, host byte order: the only addresses this project may use. */
#define NET_BASE 0xc6120000u
#define NET_MASK 0xfffe0000u

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* ---- helpers ---- */

struct tmpcfg {
	char path[64];
};

static void tmp_write(struct tmpcfg *t, const char *text)
{
	snprintf(t->path, sizeof(t->path), "/tmp/synack-cfg-XXXXXX.ini");
	int fd = mkstemps(t->path, 4);
	cr_assert(fd >= 0, "mkstemps");
	size_t n = strlen(text);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* Loads text from a temporary file; returns load's result, the message in err and the file's
 * name in path (for building the expected message). */
static int load_text(const char *text, struct synack_config *cfg, char *path, char *err, size_t errlen)
{
	struct tmpcfg t;
	tmp_write(&t, text);
	err[0] = '\0';
	int rc = synack_config_load(t.path, cfg, err, errlen);
	snprintf(path, 64, "%s", t.path);
	unlink(t.path);
	return rc;
}

/* The file must be refused with exactly "<file>: " followed by want. */
static void expect_error(const char *text, const char *want)
{
	struct synack_config cfg;
	char path[64], err[1024], full[1200];
	int rc = load_text(text, &cfg, path, err, sizeof(err));
	snprintf(full, sizeof(full), "%s: %s", path, want);
	cr_assert_eq(rc, -1, "accepted:\n%s", text);
	cr_assert_str_eq(err, full);
}

/* The file must be refused with "<file>: " followed by something that contains want. */
static void expect_error_has(const char *text, const char *want)
{
	struct synack_config cfg;
	char path[64], err[1024];
	int rc = load_text(text, &cfg, path, err, sizeof(err));
	cr_assert_eq(rc, -1, "accepted:\n%s", text);
	cr_assert(strncmp(err, path, strlen(path)) == 0, "no file name in: %s", err);
	cr_assert(strstr(err, want) != NULL, "'%s' not in: %s", want, err);
}

static void expect_ok(const char *text, struct synack_config *cfg)
{
	char path[64], err[1024];
	int rc = load_text(text, cfg, path, err, sizeof(err));
	cr_assert_eq(rc, 0, "refused: %s", err);
}

/* A valid tap port; tests append or swap lines. */
#define TAP_PORT "[port0]\ndriver = net_tap\ndevargs = iface=sk0\nip = 198.18.0.2/24\n"

static void load_shipped(const char *name, struct synack_config *cfg)
{
	char path[512], err[1024];
	snprintf(path, sizeof(path), "%s/%s", CFG_DIR, name);
	cr_assert_eq(synack_config_load(path, cfg, err, sizeof(err)), 0, "%s", err);
}

/* ---- the shipped files ---- */

Test(config_files, every_shipped_file_loads_and_stays_in_198_18_0_0_15)
{
	static const char *const expected[] = {
		"af_packet.ini", "af_xdp.ini", "i40e.ini", "ice.ini", "ixgbe.ini", "memif-client.ini",
		"memif-server.ini", "mlx5.ini", "null.ini", "ring.ini", "tap.ini", "virtio.ini",
	};
	glob_t g;
	cr_assert_eq(glob(CFG_DIR "/*.ini", 0, NULL, &g), 0, "no file in %s", CFG_DIR);
	for (size_t e = 0; e < sizeof(expected) / sizeof(expected[0]); e++) {
		bool found = false;
		for (size_t i = 0; i < g.gl_pathc && !found; i++)
			found = strcmp(strrchr(g.gl_pathv[i], '/') + 1, expected[e]) == 0;
		cr_assert(found, "%s/%s is missing", CFG_DIR, expected[e]);
	}
	/* Every file there, including any added since, loads. */
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		struct synack_config cfg;
		char err[1024];
		cr_assert_eq(synack_config_load(g.gl_pathv[i], &cfg, err, sizeof(err)), 0, "%s", err);
		cr_assert_geq(cfg.nports, 1u, "%s", base);
		for (unsigned p = 0; p < cfg.nports; p++) {
			const struct synack_port_cfg *pc = &cfg.ports[p];
			cr_assert_eq(pc->ip & NET_MASK, NET_BASE, "%s [%s] ip outside 198.18.0.0/15", base, pc->section);
			if (pc->gateway)
				cr_assert_eq(pc->gateway & NET_MASK, NET_BASE, "%s [%s] gateway", base, pc->section);
			/* Hardware files say they were not verified on hardware. */
			if (synack_config_driver_is_pci(pc->driver))
				cr_assert(!pc->verified, "%s claims verified", base);
		}
	}
	globfree(&g);
}

Test(config_files, tap_ini_values)
{
	struct synack_config cfg;
	load_shipped("tap.ini", &cfg);
	cr_assert_eq(cfg.nports, 1u);
	const struct synack_port_cfg *p = &cfg.ports[0];
	cr_assert_str_eq(p->section, "port0");
	cr_assert_str_eq(p->driver, "net_tap");
	cr_assert_str_eq(p->devargs, "iface=synack0");
	cr_assert_str_eq(p->pci, "");
	cr_assert_eq(p->ip, IP4(198, 18, 0, 2));
	cr_assert_eq(p->prefix_len, 24);
	cr_assert_eq(p->gateway, 0u);
	cr_assert_eq(p->queues, 1);
	cr_assert_eq(p->rx_desc, 1024);
	cr_assert_eq(p->tx_desc, 1024);
	cr_assert_eq(p->mtu, 1500);
	cr_assert_eq(p->rss_hf, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER |
		     RTE_ETH_RSS_NONFRAG_IPV4_TCP);
	cr_assert_eq(p->rss_key_len, 40);
	cr_assert_eq(p->offloads, SYNACK_OFF_IPV4_CKSUM | SYNACK_OFF_TCP_CKSUM);
	cr_assert(!p->has_mac);
	cr_assert(p->verified);
	cr_assert_eq(cfg.engine.workers, 1);
	cr_assert_eq(cfg.engine.syncookies, SYNACK_SYNCOOKIES_ON_OVERFLOW);
	cr_assert_eq(cfg.engine.msl_s, 60u);
	char v[300];
	cr_assert_eq(synack_config_vdev_arg(p, 0, v, sizeof(v)), (int)strlen("net_tap0,iface=synack0"));
	cr_assert_str_eq(v, "net_tap0,iface=synack0");
}

Test(config_files, ring_ini_is_a_crossed_pair)
{
	struct synack_config cfg;
	load_shipped("ring.ini", &cfg);
	cr_assert_eq(cfg.nports, 2u);
	/* pair=NAME ports are built by the engine (rte_eth_from_rings), not given to EAL as vdevs. */
	char v0[300];
	cr_assert(synack_config_is_ring_pair(&cfg.ports[0]));
	cr_assert(synack_config_is_ring_pair(&cfg.ports[1]));
	cr_assert_lt(synack_config_vdev_arg(&cfg.ports[0], 0, v0, sizeof(v0)), 0);
	cr_assert_str_eq(cfg.ports[0].devargs, cfg.ports[1].devargs);
	cr_assert_eq(cfg.engine.workers, 2);
	cr_assert_eq(cfg.ports[0].worker_first, 0);
	cr_assert_eq(cfg.ports[0].worker_count, 1);
	cr_assert_eq(cfg.ports[1].worker_first, 1);
	cr_assert_eq(cfg.ports[1].worker_count, 1);
	cr_assert_eq(cfg.ports[0].rss_hf, 0u);
	cr_assert_eq(cfg.ports[0].offloads, 0u);
}

Test(config_set, workers_key)
{
	struct synack_config cfg;
	char err[512];
	load_shipped("ring.ini", &cfg);
	cr_assert_eq(synack_config_set(&cfg, "port0.workers=0-1", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.ports[0].worker_count, 2);
	cr_assert_lt(synack_config_set(&cfg, "port0.workers=3-1", err, sizeof(err)), 0);
	cr_assert(strstr(err, "a worker or a range of workers"), "%s", err);
	cr_assert_eq(synack_config_set(&cfg, "port0.workers=5", err, sizeof(err)), 0, "%s", err);
	cr_assert_lt(synack_config_check(&cfg, err, sizeof(err)), 0);
	cr_assert(strstr(err, "[port0] workers = 5-5: expected workers within 0-1"), "%s", err);
}

Test(config_files, pci_files_size_the_key_and_have_no_vdev)
{
	static const struct { const char *file; uint8_t keylen; } f[] = {
		{ "mlx5.ini", 40 }, { "i40e.ini", 52 }, { "ice.ini", 52 }, { "ixgbe.ini", 40 }, { "virtio.ini", 40 },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		struct synack_config cfg;
		load_shipped(f[i].file, &cfg);
		const struct synack_port_cfg *p = &cfg.ports[0];
		cr_assert(synack_config_driver_is_pci(p->driver));
		cr_assert_eq(p->rss_key_len, f[i].keylen, "%s", f[i].file);
		cr_assert_eq(strlen(p->pci), 12u);
		cr_assert_str_eq(p->devargs, "");
		char v[300];
		cr_assert_eq(synack_config_vdev_arg(p, 0, v, sizeof(v)), -1, "%s", f[i].file);
	}
}

Test(config_files, memif_pair_meets)
{
	struct synack_config s, c;
	load_shipped("memif-server.ini", &s);
	load_shipped("memif-client.ini", &c);
	cr_assert(strstr(s.ports[0].devargs, "role=server") != NULL);
	cr_assert(strstr(c.ports[0].devargs, "role=client") != NULL);
	/* The same socket and id, different MACs and addresses in one subnet. */
	const char *ss = strstr(s.ports[0].devargs, "socket="), *cs = strstr(c.ports[0].devargs, "socket=");
	cr_assert(ss && cs);
	cr_assert_eq(strcspn(ss, ","), strcspn(cs, ","));
	cr_assert(strncmp(ss, cs, strcspn(ss, ",")) == 0);
	cr_assert(strstr(s.ports[0].devargs, "id=0") && strstr(c.ports[0].devargs, "id=0"));
	cr_assert(strcmp(strstr(s.ports[0].devargs, "mac="), strstr(c.ports[0].devargs, "mac=")) != 0);
	cr_assert_neq(s.ports[0].ip, c.ports[0].ip);
	cr_assert_eq(s.ports[0].ip >> 8, c.ports[0].ip >> 8);
}

/* ---- values that load ---- */

Test(config_values, defaults_fill_what_the_file_leaves_out)
{
	struct synack_config cfg;
	expect_ok(TAP_PORT, &cfg);
	const struct synack_port_cfg *p = &cfg.ports[0];
	cr_assert_eq(p->queues, 1);
	cr_assert_eq(p->rx_desc, 1024);
	cr_assert_eq(p->mtu, 1500);
	cr_assert_eq(p->rss_key_len, 40);
	cr_assert(!p->verified);
	cr_assert_eq(cfg.engine.workers, 1);
	cr_assert_eq(cfg.engine.tcb_per_core, 65536u);
	cr_assert_eq(cfg.engine.timewait_per_core, 1048576u);
	cr_assert_eq(cfg.engine.synrcv_per_core, 16384u);
	cr_assert_eq(cfg.engine.syncookies, SYNACK_SYNCOOKIES_ON_OVERFLOW);
	cr_assert_eq(cfg.engine.msl_s, 60u);
	cr_assert_eq(cfg.engine.mss, 0);
	cr_assert_eq(cfg.engine.rcv_buf, 0u);
	cr_assert_eq(cfg.engine.ooo_per_conn, 0u, "follows the receive buffer");
}

Test(config_values, out_of_order_bound_follows_the_window)
{
	/* A window's worth of segments past a hole may wait: the default buffer keeps the old 64, a
	 * megabyte window gets 1024, a set value stands. */
	struct synack_config cfg;
	synack_config_defaults(&cfg);
	cr_assert_eq(synack_config_ooo_per_conn(&cfg.engine, 16384), 64u);
	cr_assert_eq(synack_config_ooo_per_conn(&cfg.engine, 262144), 256u);
	cr_assert_eq(synack_config_ooo_per_conn(&cfg.engine, 1048576), 1024u);
	cr_assert_eq(synack_config_ooo_per_conn(&cfg.engine, 67108864), SYNACK_REASS_CONN_MAX);
	cfg.engine.ooo_per_conn = 8;
	cr_assert_eq(synack_config_ooo_per_conn(&cfg.engine, 1048576), 8u);
}

Test(config_values, every_key_parsed)
{
	struct synack_config cfg;
	expect_ok("[engine]\n"
		  "workers = 4\ntcb_per_core = 1024\ntimewait_per_core = 4096\nsynrcv_per_core = 512\n"
		  "timewait_per_worker = 268435456,0,64\n"
		  "syncookies = always\nmsl = 30\nmss = 8960\nrcv_buf = 65536\nsyn_retries = 2\nsynack_retries = 3\n"
		  "[port1]\ndriver = net_null\nip = 198.19.255.254/16\nmtu = 9000\n"
		  "[port0]\n"
		  "  driver=i40e   \r\n"
		  "pci = 0000:AF:1F.7   # upper case, kept in lower case\n"
		  "queues = 64\nrx_desc = 64\ntx_desc = 16384\nmtu = 9000\n"
		  "rss_hf = ipv4-tcp , ipv6-tcp,ipv4-udp, ipv6\n"
		  "rss_key = 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		  "202122232425262728292A2B2C2D2E2F30313233\n"
		  "offloads = tcp-cksum\n"
		  "ip = 198.18.7.9/24\ngateway = 198.18.7.1\n"
		  "mac = 02:AA:bb:00:00:0f\n"
		  "verified = yes",          /* no newline at the end */
		  &cfg);
	cr_assert_eq(cfg.nports, 2u);
	const struct synack_port_cfg *p = &cfg.ports[0];
	cr_assert_str_eq(p->section, "port0");
	cr_assert_str_eq(p->driver, "i40e");
	cr_assert_str_eq(p->pci, "0000:af:1f.7");
	cr_assert_eq(p->queues, 64);
	cr_assert_eq(p->rx_desc, 64);
	cr_assert_eq(p->tx_desc, 16384);
	cr_assert_eq(p->mtu, 9000);
	cr_assert_eq(p->rss_hf, RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV6_TCP |
		     RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 |
		     RTE_ETH_RSS_NONFRAG_IPV6_OTHER);
	cr_assert_eq(p->rss_key_len, 52);
	for (unsigned i = 0; i < 52; i++)
		cr_assert_eq(p->rss_key[i], i);
	cr_assert_eq(p->offloads, SYNACK_OFF_TCP_CKSUM);
	cr_assert_eq(p->ip, IP4(198, 18, 7, 9));
	cr_assert_eq(p->prefix_len, 24);
	cr_assert_eq(p->gateway, IP4(198, 18, 7, 1));
	cr_assert(p->has_mac);
	static const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0x00, 0x00, 0x0f };
	cr_assert_arr_eq(p->mac, mac, 6);
	cr_assert(p->verified);
	cr_assert_str_eq(cfg.ports[1].section, "port1");
	cr_assert_eq(cfg.ports[1].ip, IP4(198, 19, 255, 254));
	cr_assert_eq(cfg.ports[1].prefix_len, 16);
	cr_assert_eq(cfg.engine.workers, 4);
	cr_assert_eq(cfg.engine.tcb_per_core, 1024u);
	cr_assert_eq(cfg.engine.timewait_per_core, 4096u);
	/* A worker's own TIME-WAIT size; 0 and workers past the list take timewait_per_core. */
	cr_assert_eq(synack_config_timewait(&cfg.engine, 0), 268435456u);
	cr_assert_eq(synack_config_timewait(&cfg.engine, 1), 4096u);
	cr_assert_eq(synack_config_timewait(&cfg.engine, 2), 64u);
	cr_assert_eq(synack_config_timewait(&cfg.engine, 3), 4096u);
	cr_assert_eq(cfg.engine.synrcv_per_core, 512u);
	cr_assert_eq(cfg.engine.syncookies, SYNACK_SYNCOOKIES_ALWAYS);
	cr_assert_eq(cfg.engine.msl_s, 30u);
	cr_assert_eq(cfg.engine.mss, 8960);
	cr_assert_eq(cfg.engine.rcv_buf, 65536u);
	cr_assert_eq(cfg.engine.syn_retries, 2);
	cr_assert_eq(cfg.engine.synack_retries, 3);
}

Test(config_values, none_and_off)
{
	struct synack_config cfg;
	expect_ok(TAP_PORT "rss_hf = none\noffloads = none\nverified = no\n[engine]\nsyncookies = off\n", &cfg);
	cr_assert_eq(cfg.ports[0].rss_hf, 0u);
	cr_assert_eq(cfg.ports[0].offloads, 0u);
	cr_assert_eq(cfg.engine.syncookies, SYNACK_SYNCOOKIES_OFF);
	/* An empty devargs is fine for a vdev that needs none. */
	expect_ok("[port0]\ndriver = net_null\ndevargs =\nip = 198.18.0.2/24\n", &cfg);
	cr_assert_str_eq(cfg.ports[0].devargs, "");
}

Test(config_values, an_empty_file_has_no_port)
{
	struct synack_config cfg;
	expect_ok("# nothing\n\n", &cfg);
	cr_assert_eq(cfg.nports, 0u);
}

/* ---- one message per mistake ---- */

Test(config_errors, missing_file)
{
	struct synack_config cfg;
	char err[256];
	cr_assert_eq(synack_config_load("/nonexistent-synack/x.ini", &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "cannot open /nonexistent-synack/x.ini: No such file or directory");
}

Test(config_errors, unknown_section)
{
	expect_error(TAP_PORT "[prot1]\nip = 198.18.0.3/24\n",
		     "[prot1]: unknown section: expected [port0] .. [port7] or [engine]");
	expect_error(TAP_PORT "[port8]\n", "[port8]: unknown section: expected [port0] .. [port7] or [engine]");
	expect_error(TAP_PORT "[port01]\n", "[port01]: unknown section: expected [port0] .. [port7] or [engine]");
}

Test(config_errors, unknown_key)
{
	expect_error(TAP_PORT "rxdesc = 1000\n",
		     "[port0] rxdesc = 1000: unknown key: expected one of driver, devargs, pci, queues, rx_desc, "
		     "tx_desc, mtu, rss_hf, rss_key, offloads, ip, gateway, mac, verified, workers");
	expect_error(TAP_PORT "[engine]\nthreads = 2\n",
		     "[engine] threads = 2: unknown key: expected one of workers, tcb_per_core, timewait_per_core, "
		     "timewait_per_worker, synrcv_per_core, syncookies, msl, mss, rcv_buf, snd_buf, rto_min_ms, ooo_per_core, ooo_per_conn, rst_limit, delack_ms, tlp, keepalive_s, keepalive_intvl_s, keepalive_probes, invalid_ack_limit, syn_retries, synack_retries");
}

Test(config_errors, timewait_per_worker)
{
	const char *want = ": expected a comma list of up to 64 sizes in 64..268435456 (0: timewait_per_core), worker 0 first";
	const char *bad[] = { "1000,63", "1000,,64", "1000;64", "268435457", "-1", "64,", NULL };
	for (unsigned i = 0; bad[i]; i++) {
		char text[128], msg[256];
		snprintf(text, sizeof(text), TAP_PORT "[engine]\ntimewait_per_worker = %s\n", bad[i]);
		snprintf(msg, sizeof(msg), "[engine] timewait_per_worker = %s%s", bad[i], want);
		expect_error(text, msg);
	}
}

Test(config_errors, missing_driver)
{
	expect_error("[port0]\nip = 198.18.0.2/24\n",
		     "[port0] driver: missing: expected one of net_tap, net_af_packet, net_af_xdp, net_memif, "
		     "net_ring, net_null, mlx5, i40e, ice, ixgbe or virtio");
}

Test(config_errors, bad_driver)
{
	expect_error("[port0]\ndriver = e1000\nip = 198.18.0.2/24\n",
		     "[port0] driver = e1000: expected one of net_tap, net_af_packet, net_af_xdp, net_memif, "
		     "net_ring, net_null, mlx5, i40e, ice, ixgbe or virtio");
}

Test(config_errors, missing_ip)
{
	expect_error("[port0]\ndriver = net_tap\n",
		     "[port0] ip: missing: expected an IPv4 address and prefix length 1..32, e.g. 198.18.0.2/24");
}

Test(config_errors, bad_ip)
{
	static const char *const bad[] = {
		"198.18.0.256/24", "198.18.0/24", "198.18.0.2.1/24", "198.18.00.2/24", "198.18.0.2",
		"198.18.0.2 /24", "-198.18.0.2/24", "198.18.0.x/24", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256], want[256];
		snprintf(text, sizeof(text), "[port0]\ndriver = net_tap\nip = %s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "[port0] ip = %s: expected an IPv4 address and prefix length 1..32, e.g. 198.18.0.2/24", bad[i]);
		expect_error(text, want);
	}
}

Test(config_errors, bad_prefix)
{
	static const char *const bad[] = { "/33", "/0", "/", "/24x", "/+24", "/024000000000000000000" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256], want[256];
		snprintf(text, sizeof(text), "[port0]\ndriver = net_tap\nip = 198.18.0.2%s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "[port0] ip = 198.18.0.2%s: expected an IPv4 address and prefix length 1..32, e.g. 198.18.0.2/24",
			 bad[i]);
		expect_error(text, want);
	}
}

Test(config_errors, rx_desc_not_a_power_of_two)
{
	expect_error(TAP_PORT "rx_desc = 1000\n", "[port0] rx_desc = 1000: expected a power of two in 64..16384");
	expect_error(TAP_PORT "tx_desc = 32\n", "[port0] tx_desc = 32: expected a power of two in 64..16384");
	expect_error(TAP_PORT "tx_desc = 32768\n", "[port0] tx_desc = 32768: expected a power of two in 64..16384");
	expect_error(TAP_PORT "rx_desc = 0x400\n", "[port0] rx_desc = 0x400: expected a power of two in 64..16384");
}

Test(config_errors, queues_out_of_range)
{
	static const char *const bad[] = { "0", "65", "-1", "+2", "2x", "", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256], want[256];
		snprintf(text, sizeof(text), TAP_PORT "queues = %s\n", bad[i]);
		snprintf(want, sizeof(want), "[port0] queues = %s: expected an integer in 1..64", bad[i]);
		expect_error(text, want);
	}
	expect_error(TAP_PORT "mtu = 67\n", "[port0] mtu = 67: expected an integer in 68..9600");
	expect_error(TAP_PORT "mtu = 9601\n", "[port0] mtu = 9601: expected an integer in 68..9600");
}

Test(config_errors, bad_rss_hf)
{
	const char *list = "expected a comma list of ipv4, ipv4-tcp, ipv4-udp, ipv6, ipv6-tcp or none";
	char want[256];
	snprintf(want, sizeof(want), "[port0] rss_hf = ipv4,ipv5: %s ('ipv5' is not one)", list);
	expect_error(TAP_PORT "rss_hf = ipv4,ipv5\n", want);
	snprintf(want, sizeof(want), "[port0] rss_hf = none,ipv4: %s (none alone)", list);
	expect_error(TAP_PORT "rss_hf = none,ipv4\n", want);
	snprintf(want, sizeof(want), "[port0] rss_hf = ipv4,,ipv6: %s (an empty item)", list);
	expect_error(TAP_PORT "rss_hf = ipv4,,ipv6\n", want);
	snprintf(want, sizeof(want), "[port0] rss_hf = IPV4: %s ('IPV4' is not one)", list);
	expect_error(TAP_PORT "rss_hf = IPV4\n", want);
}

Test(config_errors, bad_offload)
{
	expect_error(TAP_PORT "offloads = ipv4-cksum,udp-cksum\n",
		     "[port0] offloads = ipv4-cksum,udp-cksum: expected a comma list of ipv4-cksum, tcp-cksum or none "
		     "('udp-cksum' is not one)");
}

Test(config_errors, bad_rss_key)
{
	const char *want = "expected default, or a 40- or 52-byte Toeplitz key as 80 or 104 hex digits";
	char w[256];
	snprintf(w, sizeof(w), "[port0] rss_key = 0011: %s", want);
	expect_error(TAP_PORT "rss_key = 0011\n", w);
	snprintf(w, sizeof(w), "[port0] rss_key = symmetric: %s", want);
	expect_error(TAP_PORT "rss_key = symmetric\n", w);
	/* 40 hex bytes with one bad digit */
	char text[512];
	snprintf(text, sizeof(text), TAP_PORT "rss_key = %.79sg\n",
		 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677");
	expect_error_has(text, want);
}

Test(config_errors, bad_pci_address)
{
	static const char *const bad[] = {
		"0000:03:00", "03:00.0", "0000:03:20.0", "0000:03:00.8", "000g:03:00.0", "0000-03-00.0",
		"0000:03:00.0.1", "00000:03:00.0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256], want[256];
		snprintf(text, sizeof(text), "[port0]\ndriver = ixgbe\npci = %s\nip = 198.18.0.2/24\n", bad[i]);
		snprintf(want, sizeof(want),
			 "[port0] pci = %s: expected a PCI address domain:bus:device.function, e.g. 0000:03:00.0 "
			 "(device 00..1f, function 0..7)", bad[i]);
		expect_error(text, want);
	}
}

Test(config_errors, bad_bool)
{
	expect_error(TAP_PORT "verified = maybe\n", "[port0] verified = maybe: expected yes or no");
	expect_error(TAP_PORT "verified = true\n", "[port0] verified = true: expected yes or no");
}

Test(config_errors, bad_mac_and_gateway)
{
	const char *m = "expected a unicast MAC address, e.g. 02:00:00:00:00:01";
	char w[256];
	static const char *const bad[] = { "01:00:5e:00:00:01", "00:00:00:00:00:00", "02:00:00:00:00", "02-00-00-00-00-01",
					   "02:00:00:00:00:0g" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), TAP_PORT "mac = %s\n", bad[i]);
		snprintf(w, sizeof(w), "[port0] mac = %s: %s", bad[i], m);
		expect_error(text, w);
	}
	expect_error(TAP_PORT "gateway = 198.18.0.1/24\n",
		     "[port0] gateway = 198.18.0.1/24: expected an IPv4 address, e.g. 198.18.0.1");
}

Test(config_errors, bad_engine_values)
{
	expect_error(TAP_PORT "[engine]\nsyncookies = sometimes\n",
		     "[engine] syncookies = sometimes: expected off, on-overflow or always");
	expect_error(TAP_PORT "[engine]\nmsl = 0\n", "[engine] msl = 0: expected an integer in 1..600");
	expect_error(TAP_PORT "[engine]\nworkers = 65\n", "[engine] workers = 65: expected an integer in 1..64");
	expect_error(TAP_PORT "[engine]\nmss = 100\n", "[engine] mss = 100: expected an integer in 536..9560");
	expect_error(TAP_PORT "[engine]\nsyn_retries = 0\n", "[engine] syn_retries = 0: expected an integer in 1..15");
	expect_error(TAP_PORT "[engine]\nsynack_retries = 99\n",
		     "[engine] synack_retries = 99: expected an integer in 1..15");
}

Test(config_errors, twice)
{
	expect_error(TAP_PORT "queues = 2\nqueues = 4\n", "[port0] queues = 4: key given twice: expected each key once");
	expect_error(TAP_PORT "[engine]\n[port0]\ndriver = net_tap\n",
		     "[port0]: section given twice: expected each section once");
	expect_error(TAP_PORT "[engine]\nworkers = 1\n[engine]\n", "[engine]: section given twice: expected each section once");
}

Test(config_errors, ports_without_a_gap)
{
	expect_error(TAP_PORT "[port2]\ndriver = net_null\nip = 198.18.2.2/24\n",
		     "[port2]: ports are numbered from port0 without a gap: expected [port1]");
	expect_error("[port1]\ndriver = net_null\nip = 198.18.2.2/24\n",
		     "[port1]: ports are numbered from port0 without a gap: expected [port0]");
}

/* What rte_cfgfile alone would refuse without a reason, or accept wrongly: refused with a line. */
Test(config_errors, lines)
{
	struct synack_config cfg;
	char path[64], err[1024], want[1200];
	static const struct { const char *text; const char *msg; } c[] = {
		{ TAP_PORT "queues 2\n", ":5: expected [section], key = value, or a # comment" },
		{ TAP_PORT "; a semicolon comment\n", ":5: expected [section], key = value, or a # comment" },
		{ "[port0] extra\n", ":1: expected a section header like [port0], with nothing after the ']'" },
		{ "[port0\n", ":1: expected a section header like [port0], with nothing after the ']'" },
		{ "[  ]\n", ":1: expected a section header like [port0]" },
		{ "driver = net_tap\n[port0]\n", ":1: key = value before the first [section]" },
		{ TAP_PORT "= 4\n", ":5: expected a key before '='" },
		{ TAP_PORT "devargs = a\\#b\n", ":5: a backslash: no escapes are supported" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(load_text(c[i].text, &cfg, path, err, sizeof(err)), -1, "accepted: %s", c[i].text);
		snprintf(want, sizeof(want), "%s%s", path, c[i].msg);
		cr_assert_str_eq(err, want);
	}
}

Test(config_errors, length_limits)
{
	struct synack_config cfg;
	char path[64], err[1024], want[1200];
	static char text[2048];
	/* A value of 256 characters: rte_cfgfile would cut it to 255 without a word. */
	char v[300];
	memset(v, 'a', 256);
	v[256] = '\0';
	snprintf(text, sizeof(text), "[port0]\ndevargs = %s\n", v);
	cr_assert_eq(load_text(text, &cfg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: value longer than 255 characters", path);
	cr_assert_str_eq(err, want);
	/* 323 characters on a line: past rte_cfgfile's buffer. */
	char line[400];
	memset(line, ' ', 323);
	line[323] = '\0';
	memcpy(line, "devargs = x", 11);
	snprintf(text, sizeof(text), "[port0]\n%s\n", line);
	cr_assert_eq(load_text(text, &cfg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line longer than rte_cfgfile's limit of 322 characters", path);
	cr_assert_str_eq(err, want);
	/* 322 is fine, and 255 characters of devargs too. */
	line[322] = '\0';
	snprintf(text, sizeof(text), TAP_PORT "#%s\n", line + 1);
	expect_ok(text, &cfg);
	memset(v, 'a', 255);
	v[255] = '\0';
	memcpy(v, "k=", 2);
	snprintf(text, sizeof(text), "[port0]\ndriver = net_null\nip = 198.18.0.2/24\ndevargs = %s\n", v);
	expect_ok(text, &cfg);
	cr_assert_eq(strlen(cfg.ports[0].devargs), 255u);
}

Test(config_errors, devargs_with_spaces)
{
	expect_error(TAP_PORT "[port1]\ndriver = net_tap\ndevargs = iface=a b\nip = 198.18.1.2/24\n",
		     "[port1] devargs = iface=a b: expected the driver's arguments as key=value[,key=value...] "
		     "without spaces, at most 255 characters");
}

/* ---- rules across keys ---- */

Test(config_rules, pci_and_vdev)
{
	expect_error("[port0]\ndriver = i40e\nip = 198.18.0.2/24\n",
		     "[port0] pci: missing: expected the NIC's PCI address for driver i40e, e.g. 0000:03:00.0 "
		     "(EAL probes only the NICs a config names)");
	expect_error("[port0]\ndriver = i40e\npci = 0000:03:00.0\ndevargs = x=1\nip = 198.18.0.2/24\n",
		     "[port0] devargs = x=1: expected no devargs for PCI driver i40e (its NIC is named by pci)");
	expect_error(TAP_PORT "pci = 0000:03:00.0\n",
		     "[port0] pci = 0000:03:00.0: expected no pci for vdev driver net_tap (it takes devargs)");
}

Test(config_rules, driver_needs)
{
	expect_error("[port0]\ndriver = net_af_packet\nip = 198.18.0.2/24\n",
		     "[port0] devargs: missing: expected iface=<...> for net_af_packet");
	expect_error("[port0]\ndriver = net_af_xdp\ndevargs = start_queue=0,xiface=v\nip = 198.18.0.2/24\n",
		     "[port0] devargs = start_queue=0,xiface=v: expected iface=<...> among them for net_af_xdp");
	expect_error_has("[port0]\ndriver = net_ring\ndevargs = nodeaction=r0:0:CREATE\nip = 198.18.0.2/24\n"
			 "[port1]\ndriver = net_ring\ndevargs = nodeaction=r0:0:ATTACH\nip = 198.18.1.2/24\n",
			 ": [port1] devargs = nodeaction=r0:0:ATTACH: expected nodeaction=<ring>:<numa node>:CREATE: "
			 "ATTACH fails in one process");
	expect_error("[port0]\ndriver = net_memif\ndevargs = role=server\nip = 198.18.0.2/24\nmac = 02:00:00:00:00:01\n",
		     "[port0] mac = 02:00:00:00:00:01: expected no mac for net_memif: net_memif takes its MAC in "
		     "devargs, as mac=...");
}

Test(config_rules, rss_key_length_for_the_driver)
{
	char text[512];
	snprintf(text, sizeof(text), "[port0]\ndriver = i40e\npci = 0000:03:00.0\nip = 198.18.0.2/24\nrss_key = %s\n",
		 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677");
	expect_error(text, "[port0] rss_key (40 bytes): expected 52 bytes for driver i40e, or default");
}

Test(config_rules, gateway_ip_mss_synrcv)
{
	expect_error(TAP_PORT "gateway = 198.18.1.1\n",
		     "[port0] gateway = 198.18.1.1: expected an address inside 198.18.0.0/24, the port's subnet, other "
		     "than the port's own");
	expect_error(TAP_PORT "gateway = 198.18.0.2\n",
		     "[port0] gateway = 198.18.0.2: expected an address inside 198.18.0.0/24, the port's subnet, other "
		     "than the port's own");
	expect_error(TAP_PORT "[port1]\ndriver = net_null\nip = 198.18.0.2/16\n",
		     "[port1] ip = 198.18.0.2/16: expected an address other than [port0]'s");
	expect_error(TAP_PORT "mtu = 1400\n[engine]\nmss = 1400\n",
		     "[engine] mss = 1400: expected at most 1360, [port0] mtu 1400 less 40 bytes of IPv4 and TCP headers");
	expect_error(TAP_PORT "[engine]\nworkers = 2\ntimewait_per_worker = 1000,64,64\n",
		     "[engine] timewait_per_worker: 3 sizes, expected at most workers = 2 (one per worker, worker 0 first)");
	expect_error(TAP_PORT "[engine]\ntcb_per_core = 1000\nsynrcv_per_core = 1001\n",
		     "[engine] synrcv_per_core = 1001: expected at most tcb_per_core = 1000 (each SYN-RECEIVED "
		     "connection holds a TCB)");
}

/* ---- --set ---- */

Test(config_set, overrides)
{
	struct synack_config cfg;
	char err[512];
	load_shipped("tap.ini", &cfg);
	cr_assert_eq(synack_config_set(&cfg, "port0.ip=198.18.1.2/24", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.ports[0].ip, IP4(198, 18, 1, 2));
	cr_assert_eq(synack_config_set(&cfg, "engine.workers=2", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.engine.workers, 2);
	/* The first '=' ends the key: devargs keep theirs. */
	cr_assert_eq(synack_config_set(&cfg, "port0.devargs=iface=sk1,persist=1", err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.ports[0].devargs, "iface=sk1,persist=1");
	cr_assert_eq(synack_config_set(&cfg, " port0 . queues = 2 ", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.ports[0].queues, 2);
	cr_assert_eq(synack_config_set(&cfg, "engine.syncookies=always", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.engine.syncookies, SYNACK_SYNCOOKIES_ALWAYS);
	cr_assert_eq(synack_config_set(&cfg, "port0.mac=02:00:00:00:00:09", err, sizeof(err)), 0, "%s", err);
	cr_assert(cfg.ports[0].has_mac);
	cr_assert_eq(synack_config_check(&cfg, err, sizeof(err)), 0, "%s", err);
	char v[300];
	synack_config_vdev_arg(&cfg.ports[0], 0, v, sizeof(v));
	cr_assert_str_eq(v, "net_tap0,iface=sk1,persist=1");
}

Test(config_set, errors_leave_the_config_unchanged)
{
	struct synack_config cfg, before;
	char err[512];
	load_shipped("tap.ini", &cfg);
	before = cfg;
	static const struct { const char *set; const char *msg; } c[] = {
		{ "port0.queues=0", "--set port0.queues=0: expected an integer in 1..64" },
		{ "port0.rx_desc=1000", "--set port0.rx_desc=1000: expected a power of two in 64..16384" },
		{ "port0.ip=198.18.1.2", "--set port0.ip=198.18.1.2: expected an IPv4 address and prefix length 1..32, "
					 "e.g. 198.18.0.2/24" },
		{ "engine.syncookies=sometimes", "--set engine.syncookies=sometimes: expected off, on-overflow or always" },
		{ "port0.rss_hf=ipv4,ipv5", "--set port0.rss_hf=ipv4,ipv5: expected a comma list of ipv4, ipv4-tcp, "
					    "ipv4-udp, ipv6, ipv6-tcp or none ('ipv5' is not one)" },
		{ "port0.foo=1", "--set port0.foo=1: unknown key foo in [port0]: expected one of driver, devargs, pci, "
				 "queues, rx_desc, tx_desc, mtu, rss_hf, rss_key, offloads, ip, gateway, mac, verified, workers" },
		{ "port1.ip=198.18.1.2/24", NULL },
		{ "eng.workers=2", NULL },
		{ "port0.ip", "--set port0.ip: expected section.key=value, e.g. port0.ip=198.18.1.2/24" },
		{ "workers=2", "--set workers=2: expected section.key=value, e.g. port0.ip=198.18.1.2/24" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(synack_config_set(&cfg, c[i].set, err, sizeof(err)), -1, "accepted %s", c[i].set);
		if (c[i].msg)
			cr_assert_str_eq(err, c[i].msg);
		cr_assert(memcmp(&cfg, &before, sizeof(cfg)) == 0, "%s changed the config", c[i].set);
	}
	char want[512];
	snprintf(want, sizeof(want), "--set port1.ip=198.18.1.2/24: no [port1] in %s: expected engine or port0 .. port0",
		 cfg.path);
	cr_assert_eq(synack_config_set(&cfg, "port1.ip=198.18.1.2/24", err, sizeof(err)), -1);
	cr_assert_str_eq(err, want);
}

/* The rules across keys wait for synack_config_check, so --set order does not matter. */
Test(config_set, cross_key_rules_after_all_sets)
{
	struct synack_config cfg;
	char path[64], err[512];
	cr_assert_eq(load_text(TAP_PORT "gateway = 198.18.0.1\n", &cfg, path, err, sizeof(err)), 0, "%s", err);
	snprintf(cfg.path, sizeof(cfg.path), "x.ini");
	cr_assert_eq(synack_config_set(&cfg, "port0.ip=198.19.0.2/24", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_check(&cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "x.ini: [port0] gateway = 198.18.0.1: expected an address inside 198.19.0.0/24, "
			      "the port's subnet, other than the port's own");
	cr_assert_eq(synack_config_set(&cfg, "port0.gateway=198.19.0.1", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_check(&cfg, err, sizeof(err)), 0, "%s", err);
	/* A new driver: PCI wants pci and no devargs; the built-in key follows it. */
	cr_assert_eq(synack_config_set(&cfg, "port0.driver=ice", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_check(&cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, "[port0] pci: missing") != NULL, "%s", err);
	cr_assert_eq(synack_config_set(&cfg, "port0.pci=0000:5e:00.1", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_set(&cfg, "port0.devargs=", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_check(&cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.ports[0].rss_key_len, 52);
}

/* ---- vdev strings ---- */

Test(config_vdev, distinct_per_index)
{
	struct synack_port_cfg p;
	memset(&p, 0, sizeof(p));
	snprintf(p.driver, sizeof(p.driver), "net_tap");
	snprintf(p.devargs, sizeof(p.devargs), "iface=synack0");
	char b[64];
	cr_assert_eq(synack_config_vdev_arg(&p, 0, b, sizeof(b)), 22);
	cr_assert_str_eq(b, "net_tap0,iface=synack0");
	cr_assert_eq(synack_config_vdev_arg(&p, 3, b, sizeof(b)), 22);
	cr_assert_str_eq(b, "net_tap3,iface=synack0");
	/* Too small: refused, not cut. */
	cr_assert_eq(synack_config_vdev_arg(&p, 0, b, 22), -1);
	cr_assert_eq(synack_config_vdev_arg(&p, 0, b, 23), 22);
	p.devargs[0] = '\0';
	snprintf(p.driver, sizeof(p.driver), "net_null");
	cr_assert_eq(synack_config_vdev_arg(&p, 1, b, sizeof(b)), 9);
	cr_assert_str_eq(b, "net_null1");
	snprintf(p.driver, sizeof(p.driver), "mlx5");
	cr_assert_eq(synack_config_vdev_arg(&p, 0, b, sizeof(b)), -1);
	snprintf(p.driver, sizeof(p.driver), "bogus");
	cr_assert_eq(synack_config_vdev_arg(&p, 0, b, sizeof(b)), -1);
}

/* ---- the built-in RSS key ---- */

/* Toeplitz as the NICs compute it: for every set bit i of the input (most significant first), XOR
 * in the 32 key bits starting at bit i. */
static uint32_t toeplitz(const uint8_t *key, size_t keylen, const uint8_t *in, size_t n)
{
	uint32_t h = 0;
	for (size_t i = 0; i < n * 8; i++) {
		if (!(in[i / 8] & (0x80u >> (i % 8))))
			continue;
		uint32_t w = 0;
		for (size_t j = 0; j < 32; j++) {
			size_t b = i + j;
			cr_assert_lt(b / 8, keylen);
			w = w << 1 | ((key[b / 8] >> (7 - b % 8)) & 1u);
		}
		h ^= w;
	}
	return h;
}

static uint32_t hash_tuple(const uint8_t *key, size_t keylen, uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp)
{
	uint8_t in[12] = {
		(uint8_t)(sip >> 24), (uint8_t)(sip >> 16), (uint8_t)(sip >> 8), (uint8_t)sip,
		(uint8_t)(dip >> 24), (uint8_t)(dip >> 16), (uint8_t)(dip >> 8), (uint8_t)dip,
		(uint8_t)(sp >> 8), (uint8_t)sp, (uint8_t)(dp >> 8), (uint8_t)dp,
	};
	return toeplitz(key, keylen, in, sizeof(in));
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(config_rss, builtin_key_is_symmetric)
{
	struct synack_config cfg;
	expect_ok(TAP_PORT, &cfg);
	const struct synack_port_cfg *p = &cfg.ports[0];
	uint64_t s = 0x1234567u;
	for (int i = 0; i < 10000; i++) {
		uint32_t a = NET_BASE | (uint32_t)(xs(&s) & ~NET_MASK), b = NET_BASE | (uint32_t)(xs(&s) & ~NET_MASK);
		uint16_t pa = (uint16_t)xs(&s), pb = (uint16_t)xs(&s);
		cr_assert_eq(hash_tuple(p->rss_key, p->rss_key_len, a, b, pa, pb),
			     hash_tuple(p->rss_key, p->rss_key_len, b, a, pb, pa));
	}
	/* The 52-byte form (i40e, ice) is the same key. */
	char err[256];
	cr_assert_eq(synack_config_set(&cfg, "port0.driver=ice", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_set(&cfg, "port0.devargs=", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(synack_config_set(&cfg, "port0.pci=0000:03:00.0", err, sizeof(err)), 0, "%s", err);
	uint8_t key40[40];
	memcpy(key40, p->rss_key, 40);
	cr_assert_eq(synack_config_check(&cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p->rss_key_len, 52);
	for (int i = 0; i < 1000; i++) {
		uint32_t a = (uint32_t)xs(&s), b = (uint32_t)xs(&s);
		uint16_t pa = (uint16_t)xs(&s), pb = (uint16_t)xs(&s);
		cr_assert_eq(hash_tuple(p->rss_key, 52, a, b, pa, pb), hash_tuple(key40, 40, a, b, pa, pb));
	}
}

/* Any aligned run of 2^k consecutive client ports reaches 2^k different queues (hash mod 2^k, what
 * a round-robin redirection table gives), for 2 to 64 queues. */
Test(config_rss, builtin_key_spreads_consecutive_ports)
{
	struct synack_config cfg;
	expect_ok(TAP_PORT, &cfg);
	const struct synack_port_cfg *p = &cfg.ports[0];
	uint64_t s = 42;
	for (unsigned k = 1; k <= 6; k++) {
		unsigned nq = 1u << k;
		for (int trial = 0; trial < 50; trial++) {
			uint32_t client = NET_BASE | (uint32_t)(xs(&s) & ~NET_MASK);
			uint16_t base = (uint16_t)(xs(&s) & ~(uint64_t)(nq - 1));
			uint64_t seen = 0;
			for (unsigned i = 0; i < nq; i++) {
				uint32_t h = hash_tuple(p->rss_key, p->rss_key_len, client, IP4(198, 18, 0, 2),
							(uint16_t)(base + i), 80);
				seen |= 1ull << (h & (nq - 1));
			}
			cr_assert_eq(seen, nq == 64 ? ~0ull : (1ull << nq) - 1, "%u queues: ports %u.. collide", nq, base);
		}
	}
}
