/* engine.c: the control side of the engine: EAL start (hugepages optional, no stray NIC probing,
 * several processes side by side), ports and queues from drivers-config, the workers' memory and
 * lcores, the control messages, and the lock-free snapshots the console reads. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "load/script.h"
#include "net/parse.h"

const char *synack_service_name(unsigned s)
{
	static const char *const n[SYNACK_SVC_COUNT] = { "echo", "discard", "http", "rr" };
	return s < SYNACK_SVC_COUNT ? n[s] : "?";
}

/* ---- EAL ---- */

struct argv_buf {
	char *v[64];
	char store[4096];
	size_t used;
	int n;
};

static void arg(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(a->store + a->used, sizeof(a->store) - a->used, fmt, ap);
	va_end(ap);
	if (k < 0 || a->used + (size_t)k + 1 > sizeof(a->store) || a->n >= 63)
		return;
	a->v[a->n++] = a->store + a->used;
	a->used += (size_t)k + 1;
}

static int eal_start(struct synack_engine *e, const struct synack_start_opts *o, char *err, size_t errlen)
{
	struct argv_buf a = { .used = 0, .n = 0 };
	arg(&a, "synack");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (o->lcores) {
		/* A plain list ("0-2") or a mapping of lcores onto CPUs ("0@0,1@1"). */
		if (strchr(o->lcores, '@'))
			arg(&a, "--lcores=%s", o->lcores);
		else
			arg(&a, "-l%s", o->lcores);
	} else if (ncpu > 0 && e->nworkers + 1 <= (unsigned)ncpu) {
		arg(&a, "-l0-%u", e->nworkers);
	} else {
		/* More lcores than CPUs (two workers on a 2-core machine): the control lcore, which mostly
		 * sleeps, shares CPU 0; worker i runs on CPU i mod ncpu. */
		char map[256];
		size_t k = (size_t)snprintf(map, sizeof(map), "0@0");
		for (unsigned i = 0; i < e->nworkers && k < sizeof(map); i++)
			k += (size_t)snprintf(map + k, sizeof(map) - k, ",%u@%ld", i + 1, ncpu > 0 ? (long)i % ncpu : 0);
		arg(&a, "--lcores=%s", map);
	}
	if (!o->huge) {
		arg(&a, "--no-huge");
		arg(&a, "-m%u", o->mem_mb ? o->mem_mb : 1024);
	}
	/* Several synack processes side by side: each needs its own runtime files. --in-memory does that
	 * with hugepages; DPDK 22.11 refuses it with --no-huge (legacy memory), so there a per-process
	 * prefix and no shared config do the same. */
	if (o->file_prefix)
		arg(&a, "--file-prefix=%s", o->file_prefix);
	else if (o->huge)
		arg(&a, "--in-memory");
	else {
		arg(&a, "--file-prefix=synack-%d", (int)getpid());
		arg(&a, "--no-shconf");
		e->own_prefix = true;
	}
	/* Probe exactly the devices a config names: vdevs by name, PCI NICs by an allow-list; with no
	 * PCI port at all, --no-pci keeps EAL off the machine's own NIC. */
	bool any_pci = false;
	for (unsigned p = 0; p < e->cfg.nports; p++) {
		const struct synack_port_cfg *pc = &e->cfg.ports[p];
		if (pc->pci[0]) {
			arg(&a, "-a%s", pc->pci);
			any_pci = true;
		} else if (synack_config_is_ring_pair(pc)) {
			continue; /* built after EAL starts: rte_eth_from_rings */
		} else {
			char vdev[320];
			if (synack_config_vdev_arg(pc, p, vdev, sizeof(vdev)) < 0) {
				snprintf(err, errlen, "%s: [%s]: cannot form the vdev argument", e->cfg.path, pc->section);
				return -1;
			}
			arg(&a, "--vdev=%s", vdev);
		}
	}
	if (!any_pci)
		arg(&a, "--no-pci");
	arg(&a, "--log-level=%s", o->verbose ? "info" : "warning");
	a.v[a.n] = NULL;
	if (rte_eal_init(a.n, a.v) < 0) {
		snprintf(err, errlen, "EAL did not start: %s", rte_strerror(rte_errno));
		return -1;
	}
	e->eal_up = true;
	e->huge = o->huge;
	return 0;
}

/* ---- ports ---- */

static int port_start(struct synack_engine *e, unsigned p, char *err, size_t errlen)
{
	struct synack_port_rt *pr = &e->ports[p];
	const struct synack_port_cfg *pc = &e->cfg.ports[p];
	pr->cfg = *pc;
	pr->wfirst = pc->worker_count ? pc->worker_first : 0;
	pr->wcount = pc->worker_count ? pc->worker_count : (uint16_t)e->nworkers;
	/* vdevs are probed in the order given, ring pairs were built after them (see ring_pairs()). */
	uint16_t pid = pr->port_id;
	if (!rte_eth_dev_is_valid_port(pid)) {
		snprintf(err, errlen, "%s: [%s] driver %s: no such ethdev after EAL probing (is the driver built in "
			 "and the device present?)", e->cfg.path, pc->section, pc->driver);
		return -1;
	}
	pr->port_id = pid;
	struct rte_eth_dev_info info;
	if (rte_eth_dev_info_get(pid, &info) != 0) {
		snprintf(err, errlen, "%s: [%s]: cannot read device info", e->cfg.path, pc->section);
		return -1;
	}
	pr->nb_rxq = pc->worker_count ? pc->worker_count : pc->queues;
	pr->nb_txq = (uint16_t)e->nworkers;
	if (pr->nb_rxq > info.max_rx_queues || pr->nb_txq > info.max_tx_queues) {
		snprintf(err, errlen, "%s: [%s] queues = %u: %s offers %u rx / %u tx queues, %u workers need %u tx",
			 e->cfg.path, pc->section, pc->queues, pc->driver, info.max_rx_queues, info.max_tx_queues,
			 e->nworkers, e->nworkers);
		return -1;
	}
	if (pr->nb_rxq > e->nworkers) {
		snprintf(err, errlen, "%s: [%s] queues = %u: more rx queues than the %u workers polling them",
			 e->cfg.path, pc->section, pc->queues, e->nworkers);
		return -1;
	}
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	if (pr->nb_rxq > 1 && pc->rss_hf) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = pc->rss_hf & info.flow_type_rss_offloads;
		if (pc->rss_key_len) {
			conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)pc->rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = pc->rss_key_len;
		}
	}
	/* Checksum offloads are used only where the port offers them; software otherwise. */
	uint64_t want_tx = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if ((pc->offloads & SYNACK_OFF_TCP_CKSUM) && (pc->offloads & SYNACK_OFF_IPV4_CKSUM) &&
	    (info.tx_offload_capa & want_tx) == want_tx) {
		conf.txmode.offloads |= want_tx;
		pr->tx_csum = true;
	}
	uint64_t want_rx = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	if ((pc->offloads & SYNACK_OFF_TCP_CKSUM) && (info.rx_offload_capa & want_rx) == want_rx) {
		conf.rxmode.offloads |= want_rx;
		pr->rx_csum = true;
	}
	int rc = rte_eth_dev_configure(pid, pr->nb_rxq, pr->nb_txq, &conf);
	if (rc < 0 && pr->nb_rxq != pr->nb_txq) {
		/* Some PMDs (net_tap) want as many rx queues as tx queues: give every worker an rx queue;
		 * where the kernel's spreading puts a flow on another worker's queue, the handoff ring
		 * carries it to its owner. */
		pr->nb_rxq = pr->nb_txq;
		rc = rte_eth_dev_configure(pid, pr->nb_rxq, pr->nb_txq, &conf);
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: [%s]: rte_eth_dev_configure: %s", e->cfg.path, pc->section, strerror(-rc));
		return -1;
	}
	if (pc->mtu && pc->mtu != 1500)
		rte_eth_dev_set_mtu(pid, pc->mtu);
	uint16_t nrx = pc->rx_desc, ntx = pc->tx_desc;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	int socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < pr->nb_rxq; q++)
		if ((rc = rte_eth_rx_queue_setup(pid, q, nrx, (unsigned)socket, NULL, e->pool)) < 0) {
			snprintf(err, errlen, "%s: [%s]: rx queue %u: %s", e->cfg.path, pc->section, q, strerror(-rc));
			return -1;
		}
	for (uint16_t q = 0; q < pr->nb_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;
		txc.offloads = conf.txmode.offloads;
		if ((rc = rte_eth_tx_queue_setup(pid, q, ntx, (unsigned)socket, &txc)) < 0) {
			snprintf(err, errlen, "%s: [%s]: tx queue %u: %s", e->cfg.path, pc->section, q, strerror(-rc));
			return -1;
		}
	}
	if (pc->has_mac)
		rte_eth_dev_default_mac_addr_set(pid, (struct rte_ether_addr *)(uintptr_t)pc->mac);
	rte_eth_macaddr_get(pid, &pr->mac);
	if ((rc = rte_eth_dev_start(pid)) < 0) {
		snprintf(err, errlen, "%s: [%s]: rte_eth_dev_start: %s", e->cfg.path, pc->section, strerror(-rc));
		return -1;
	}
	rte_eth_promiscuous_enable(pid);
	/* RSS steering for active opens, where the port has one queue per worker and says how it
	 * hashes (lib/dpdk/steer.c); otherwise the handoff ring carries misdelivered packets. */
	memset(&pr->steer, 0, sizeof(pr->steer));
	if (pr->nb_rxq > 1 && pr->nb_rxq == pr->wcount)
		(void)synack_steer_from_port(&pr->steer, pid, pr->nb_rxq);
	pr->ip = pc->ip;
	pr->prefix = pc->prefix_len;
	pr->mask = pc->prefix_len ? ~0u << (32 - pc->prefix_len) : 0;
	pr->gateway = pc->gateway;
	return 0;
}

/* Ethdev ids: vdevs and PCI NICs in config order as EAL probed them, then the ring pairs, which
 * synack builds itself: two ports of one pair name are crossed (what one sends, the other
 * receives), the one-process wire between a client core and a server core. net_ring's vdev form
 * cannot cross two ports (each vdev port loops back to itself). */
static int ring_pairs(struct synack_engine *e, char *err, size_t errlen)
{
	uint16_t next = 0;
	for (unsigned p = 0; p < e->nports; p++)
		if (!synack_config_is_ring_pair(&e->cfg.ports[p]))
			e->ports[p].port_id = next++;
	for (unsigned p = 0; p < e->nports; p++) {
		const struct synack_port_cfg *a = &e->cfg.ports[p];
		if (!synack_config_is_ring_pair(a))
			continue;
		unsigned q = p + 1;
		while (q < e->nports && !(synack_config_is_ring_pair(&e->cfg.ports[q]) &&
					 strcmp(e->cfg.ports[q].devargs, a->devargs) == 0))
			q++;
		bool seen = false;
		for (unsigned k = 0; k < p; k++)
			seen |= synack_config_is_ring_pair(&e->cfg.ports[k]) && !strcmp(e->cfg.ports[k].devargs, a->devargs);
		if (seen)
			continue;
		if (q == e->nports) {
			snprintf(err, errlen, "%s: [%s] devargs = %s: no other port has this pair name", e->cfg.path,
				 a->section, a->devargs);
			return -1;
		}
		const struct synack_port_cfg *b = &e->cfg.ports[q];
		unsigned rxa = a->worker_count ? a->worker_count : a->queues;
		unsigned rxb = b->worker_count ? b->worker_count : b->queues;
		struct rte_ring *to_a[SYNACK_MAX_WORKERS], *to_b[SYNACK_MAX_WORKERS];
		struct rte_ring *tx_a[SYNACK_MAX_WORKERS], *tx_b[SYNACK_MAX_WORKERS];
		for (unsigned i = 0; i < rxa || i < rxb; i++) {
			char n[32];
			if (i < rxa) {
				snprintf(n, sizeof(n), "sk_%s_%u_%u", a->devargs + 5, q, i);
				/* Multi-producer: every worker's tx queue may feed one rx queue. */
				to_a[i] = rte_ring_create(n, 4096, (int)rte_socket_id(), RING_F_SC_DEQ);
			}
			if (i < rxb) {
				snprintf(n, sizeof(n), "sk_%s_%u_%u", a->devargs + 5, p, i);
				to_b[i] = rte_ring_create(n, 4096, (int)rte_socket_id(), RING_F_SC_DEQ);
			}
			if ((i < rxa && !to_a[i]) || (i < rxb && !to_b[i])) {
				snprintf(err, errlen, "cannot create the rings of pair %s: %s", a->devargs + 5,
					 rte_strerror(rte_errno));
				return -1;
			}
		}
		for (unsigned j = 0; j < e->nworkers; j++) {
			tx_a[j] = to_b[j % rxb];
			tx_b[j] = to_a[j % rxa];
		}
		char na[40], nb[40];
		snprintf(na, sizeof(na), "ring_%s_a", a->devargs + 5);
		snprintf(nb, sizeof(nb), "ring_%s_b", a->devargs + 5);
		int ida = rte_eth_from_rings(na, to_a, rxa, tx_a, e->nworkers, rte_socket_id());
		int idb = rte_eth_from_rings(nb, to_b, rxb, tx_b, e->nworkers, rte_socket_id());
		if (ida < 0 || idb < 0) {
			snprintf(err, errlen, "%s: [%s]/[%s]: rte_eth_from_rings failed: %s", e->cfg.path, a->section,
				 b->section, rte_strerror(rte_errno));
			return -1;
		}
		e->ports[p].port_id = (uint16_t)ida;
		e->ports[q].port_id = (uint16_t)idb;
		/* Like Linux's loopback, a wire inside one process needs no checksums: nothing on it can
		 * corrupt a frame, and nobody else reads it. */
		e->ports[p].in_process = e->ports[q].in_process = true;
	}
	return 0;
}

/* ---- start / stop ---- */

/* Removes a flat directory of files (EAL's runtime directory). */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	char path[PATH_MAX + 256];
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* One (TSC, CLOCK_MONOTONIC) pair, from the tightest of a few reads: the clock read between two
 * TSC reads, the pair taken at their middle. */
static void tsc_mono_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 16; i++) {
		struct timespec ts;
		uint64_t a = rte_rdtsc();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t b = rte_rdtsc();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		}
	}
}

/* The TSC's frequency against CLOCK_MONOTONIC over 50 ms. EAL's rte_get_tsc_hz() rounds its own
 * estimate to 10 MHz where the CPU does not report it (this VM): 0.2 % off at 2.5 GHz, which an
 * open-loop rate and every per-second figure would carry. */
static uint64_t tsc_calibrate(void)
{
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;
	tsc_mono_pair(&t0, &n0);
	usleep(50000);
	tsc_mono_pair(&t1, &n1);
	if (n1 <= n0 || t1 <= t0)
		return rte_get_tsc_hz();
	return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000ull / (n1 - n0));
}


struct synack_engine *synack_engine_start(const struct synack_start_opts *o, char *err, size_t errlen)
{
	struct synack_engine *e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (synack_config_load(o->config_path, &e->cfg, err, errlen) < 0)
		goto fail;
	for (const char *const *s = o->sets; s && *s; s++)
		if (synack_config_set(&e->cfg, *s, err, errlen) < 0)
			goto fail;
	if (o->sets && synack_config_check(&e->cfg, err, errlen) < 0)
		goto fail;
	if (e->cfg.nports == 0) {
		snprintf(err, errlen, "%s: no [portN] section: nothing to serve on", o->config_path);
		goto fail;
	}
	e->nports = e->cfg.nports;
	e->nworkers = e->cfg.engine.workers;
	if (e->nworkers > SYNACK_MAX_WORKERS) {
		snprintf(err, errlen, "%s: [engine] workers = %u: at most %u", o->config_path, e->nworkers, SYNACK_MAX_WORKERS);
		goto fail;
	}
	if (eal_start(e, o, err, errlen) < 0)
		goto fail;
	if (rte_lcore_count() < e->nworkers + 1) {
		snprintf(err, errlen, "%u workers need %u lcores (one for the console), EAL has %u", e->nworkers,
			 e->nworkers + 1, rte_lcore_count());
		goto fail;
	}
	e->tsc_hz = tsc_calibrate();
	unsigned nmbuf = 8192 * e->nworkers + 4096 * e->nports;
	/* A LIFO pool: the mbuf freed last, still in some core's cache, is the next one taken. With the
	 * default FIFO ring every mbuf waits behind all the others and comes back cold (and, without
	 * hugepages, on a page whose TLB entry is long gone): in the ring benchmark that took the
	 * client core from ~1,500 to ~2,300 cycles per connection. "lf_stack", not "stack": the latter
	 * takes a spinlock the workers share (once per 256-mbuf cache refill or flush, but a lock on the
	 * data path all the same); the lock-free one pushes and pops with a 128-bit compare-and-swap. */
	const char *ops = "lf_stack";
	bool vdev_only = true;
	for (unsigned p = 0; p < e->nports; p++)
		if (strcmp(e->cfg.ports[p].driver, "net_af_xdp") == 0) {
			ops = "ring_mp_mc"; /* net_af_xdp's umem over a stack pool carried no packet (t6) */
			vdev_only = false;  /* and its umem wants EAL memory */
		}
	int pool_socket = (int)rte_socket_id();
	/* Without hugepages, the pool on THP memory (bigmem.h); EAL's own is the fallback. The objects
	 * plus the pool's header, per-lcore caches and stack, with room to spare. */
	if (!e->huge && vdev_only &&
	    synack_bigmem_heap_create(&e->pool_heap, "synack_pool", (size_t)nmbuf * 2560 + (16u << 20)) == 0)
		pool_socket = e->pool_heap.socket;
	e->pool = rte_pktmbuf_pool_create_by_ops("synack_mbufs", nmbuf, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						 pool_socket, ops);
	if (!e->pool)
		e->pool = rte_pktmbuf_pool_create("synack_mbufs", nmbuf, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						  (int)rte_socket_id());
	if (!e->pool) {
		snprintf(err, errlen, "cannot create %u mbufs: %s (raise --mem)", nmbuf, rte_strerror(rte_errno));
		goto fail;
	}
	for (unsigned i = 0; i < e->nworkers; i++) {
		e->w[i] = rte_zmalloc("synack_worker", sizeof(struct synack_worker), 64);
		if (!e->w[i]) {
			snprintf(err, errlen, "cannot allocate worker %u", i);
			goto fail;
		}
		if (synack_worker_init(e, e->w[i], i, err, errlen) < 0)
			goto fail;
	}
	/* One single-producer/single-consumer ring per ordered pair of workers: the handoff path. */
	for (unsigned d = 0; d < e->nworkers; d++)
		for (unsigned s = 0; s < e->nworkers; s++) {
			if (s == d)
				continue;
			char name[32];
			snprintf(name, sizeof(name), "synack_ho_%u_%u", s, d);
			e->w[d]->handoff_in[s] = rte_ring_create(name, 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!e->w[d]->handoff_in[s]) {
				snprintf(err, errlen, "cannot create handoff ring %s", name);
				goto fail;
			}
		}
	if (ring_pairs(e, err, errlen) < 0)
		goto fail;
	for (unsigned p = 0; p < e->nports; p++)
		if (port_start(e, p, err, errlen) < 0)
			goto fail;
	unsigned i = 0, lcore;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == e->nworkers)
			break;
		e->w[i]->lcore = lcore;
		if (rte_eal_remote_launch(synack_worker_main, e->w[i], lcore) != 0) {
			snprintf(err, errlen, "cannot launch worker %u on lcore %u", i, lcore);
			goto fail;
		}
		i++;
	}
	return e;
fail:
	synack_engine_stop(e);
	return NULL;
}

static int send_msg(struct synack_engine *e, unsigned wi, struct synack_msg *m)
{
	m->done = 0;
	m->rc = 0;
	struct synack_worker *w = e->w[wi];
	if (rte_ring_mp_enqueue(w->ctl, m) != 0)
		return -EBUSY;
	/* Workers poll continuously: a reply takes microseconds. Wait up to 5 s. */
	for (unsigned t = 0; t < 50000 && !__atomic_load_n(&m->done, __ATOMIC_ACQUIRE); t++)
		usleep(100);
	return __atomic_load_n(&m->done, __ATOMIC_ACQUIRE) ? m->rc : -ETIMEDOUT;
}

static int broadcast(struct synack_engine *e, struct synack_msg *m)
{
	int rc = 0;
	for (unsigned i = 0; i < e->nworkers; i++) {
		int r = send_msg(e, i, m);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

void synack_engine_stop(struct synack_engine *e)
{
	if (!e)
		return;
	if (e->eal_up) {
		for (unsigned i = 0; i < e->nworkers; i++)
			if (e->w[i] && e->w[i]->lcore)
				e->w[i]->stop = 1;
		rte_eal_mp_wait_lcore();
		uint16_t pid;
		RTE_ETH_FOREACH_DEV(pid) {
			rte_eth_dev_stop(pid);
			rte_eth_dev_close(pid);
		}
		for (unsigned i = 0; i < e->nworkers; i++) {
			synack_worker_free(e->w[i]);
			rte_free(e->w[i]);
		}
		rte_mempool_free(e->pool);
		synack_bigmem_heap_destroy(&e->pool_heap);
		/* EAL leaves its runtime directory behind; the per-process one we named goes with us. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		if (e->own_prefix)
			remove_dir(dir);
	}
	for (unsigned i = 0; i < e->nsvc_args; i++)
		free(e->svc_args[i]);
	free(e);
}

unsigned synack_workers(const struct synack_engine *e) { return e->nworkers; }
unsigned synack_ports(const struct synack_engine *e) { return e->nports; }

/* Keeps a built-in service's listener argument until the engine stops (connections may name it
 * after their listener has gone). */
static void *svc_arg_new(struct synack_engine *e, size_t size)
{
	if (e->nsvc_args >= sizeof(e->svc_args) / sizeof(e->svc_args[0]))
		return NULL;
	void *p = calloc(1, size);
	if (p)
		e->svc_args[e->nsvc_args++] = p;
	return p;
}

static int listen_msg(struct synack_engine *e, uint16_t port, const struct synack_app *app, void *arg, uint8_t svc,
		      uint32_t body, bool keepalive)
{
	if (port == 0 || !app || app->ctx_size > SYNACK_APP_CTX_MAX)
		return -EINVAL;
	struct synack_msg m = { .type = SYNACK_MSG_LISTEN };
	m.l.port = port;
	m.l.app = app;
	m.l.arg = arg;
	m.l.svc = svc;
	m.l.keepalive = keepalive;
	m.l.body = body;
	return broadcast(e, &m);
}

int synack_listen(struct synack_engine *e, uint16_t port, enum synack_service svc, uint32_t body_size, bool keepalive)
{
	if (port == 0 || svc >= SYNACK_SVC_COUNT)
		return -EINVAL;
	const struct synack_app *app = NULL;
	void *arg = NULL;
	switch (svc) {
	case SYNACK_SVC_ECHO:
		app = &synack_app_echo;
		break;
	case SYNACK_SVC_DISCARD:
		app = &synack_app_discard;
		break;
	case SYNACK_SVC_HTTP: {
		struct synack_http_srv *h = svc_arg_new(e, sizeof(*h));
		if (!h)
			return -ENOMEM;
		synack_http_srv_init(h, body_size, keepalive);
		app = &synack_app_http;
		arg = h;
		break;
	}
	case SYNACK_SVC_RR: {
		struct synack_rr_srv *r = svc_arg_new(e, sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->unit = body_size ? body_size : 64;
		r->keepalive = keepalive;
		app = &synack_app_rr;
		arg = r;
		break;
	}
	default:
		return -EINVAL;
	}
	return listen_msg(e, port, app, arg, (uint8_t)svc, body_size, keepalive);
}

int synack_listen_app(struct synack_engine *e, uint16_t port, const struct synack_app *app, void *arg)
{
	return listen_msg(e, port, app, arg, SYNACK_SVC_COUNT, 0, false);
}

int synack_unlisten(struct synack_engine *e, uint16_t port)
{
	struct synack_msg m = { .type = SYNACK_MSG_UNLISTEN, .port = port };
	return broadcast(e, &m);
}

int synack_connect(struct synack_engine *e, uint32_t ip, uint16_t port, uint32_t count, const char *http_path)
{
	if (port == 0 || count == 0)
		return -EINVAL;
	/* A built-in script, kept until the engine stops: connections read it as they run. */
	struct synack_script *sc = svc_arg_new(e, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	char host[16], err[160];
	snprintf(host, sizeof(host), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	int rc;
	if (http_path) {
		char text[600];
		if (snprintf(text, sizeof(text), "http GET %s; expect http; close", http_path) >= (int)sizeof(text))
			return -E2BIG;
		rc = synack_script_parse(sc, text, host, err, sizeof(err));
	} else {
		rc = synack_script_builtin(sc, "connect", 0, host);
	}
	if (rc)
		return -EINVAL;
	struct synack_load l = { .ndst = 1, .nscripts = 1, .count = count,
				 .concurrency = (uint64_t)SYNACK_CONNECT_INFLIGHT * e->nworkers };
	l.dst[0].ip = ip;
	l.dst[0].port = port;
	l.script[0].app = synack_script_app();
	l.script[0].arg = sc;
	return synack_load_start(e, &l);
}

int synack_load_start(struct synack_engine *e, const struct synack_load *l)
{
	if (!l || l->ndst == 0 || l->ndst > SYNACK_LOAD_MAX_DST || l->nscripts == 0 ||
	    l->nscripts > SYNACK_LOAD_MAX_SCRIPTS || !(l->rate >= 0) || l->rate > 1e9 || !(l->ramp_s >= 0) ||
	    l->ramp_s > 86400 || l->src_ips > (1u << 24) || (l->sport_hi && l->sport_lo > l->sport_hi))
		return -EINVAL;
	for (unsigned d = 0; d < l->ndst; d++)
		if (!l->dst[d].port)
			return -EINVAL;
	for (unsigned i = 0; i < l->nscripts; i++)
		if (!l->script[i].app || l->script[i].app->ctx_size > SYNACK_APP_CTX_MAX)
			return -EINVAL;
	struct synack_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->type = SYNACK_MSG_LOAD;
	m->load = *l;
	/* A worker still running the previous load's connections under other scripts says -EBUSY:
	 * they end within their timeouts; wait for them, up to 30 s. */
	int rc = -EBUSY;
	for (unsigned t = 0; t < 30000 && rc == -EBUSY; t++) {
		rc = 0;
		for (unsigned i = 0; i < e->nworkers && !rc; i++)
			rc = send_msg(e, i, m);
		if (rc == -EBUSY)
			usleep(1000);
	}
	free(m);
	return rc;
}

int synack_load_stop(struct synack_engine *e)
{
	struct synack_msg m = { .type = SYNACK_MSG_LOAD_STOP };
	return broadcast(e, &m);
}

/* One worker's counters of one script: a consistent copy, under the worker's lc_ver. */
static void load_counters_one(const struct synack_worker *w, unsigned script, struct synack_load_counters *out)
{
	for (;;) {
		uint32_t v = __atomic_load_n(&w->ep.lc_ver, __ATOMIC_ACQUIRE);
		if (v & 1) {
			rte_pause();
			continue;
		}
		const uint64_t *src = (const uint64_t *)&w->ep.lc[script];
		uint64_t *dst = (uint64_t *)out;
		for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&w->ep.lc_ver, __ATOMIC_RELAXED) == v)
			return;
	}
}

void synack_load_counters(const struct synack_engine *e, unsigned worker, unsigned script,
			  struct synack_load_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned wi = 0; wi < e->nworkers; wi++) {
		if (worker != SYNACK_LOAD_ALL && wi != worker)
			continue;
		const struct synack_worker *w = e->w[wi];
		for (unsigned s = 0; s < SYNACK_LOAD_MAX_SCRIPTS; s++) {
			if (script != SYNACK_LOAD_ALL && s != script)
				continue;
			struct synack_load_counters c;
			load_counters_one(w, s, &c);
			uint64_t *o = (uint64_t *)out;
			const uint64_t *a = (const uint64_t *)&c;
			for (size_t i = 0; i < sizeof(c) / sizeof(uint64_t); i++)
				o[i] += a[i];
		}
		/* What is still to start is the worker's, not a script's. */
		bool open = __atomic_load_n(&w->load.open_loop, __ATOMIC_RELAXED);
		uint64_t todo = __atomic_load_n(&w->load.todo, __ATOMIC_RELAXED);
		if (open) {
			uint64_t cnt = w->load.pacer.count, taken = synack_pacer_taken(&w->load.pacer);
			todo = cnt ? (cnt > taken ? cnt - taken : 0) : UINT64_MAX;
		}
		if (todo == UINT64_MAX || out->to_start == UINT64_MAX)
			out->to_start = UINT64_MAX;
		else if (script == SYNACK_LOAD_ALL || script == 0)
			out->to_start += todo;
		if ((script == SYNACK_LOAD_ALL || script == 0) && todo && !__atomic_load_n(&w->load.resolved, __ATOMIC_ACQUIRE))
			out->resolving++;
	}
}

void synack_load_hist(const struct synack_engine *e, unsigned script, enum synack_lat k, bool corrected,
		      struct synack_hist *out)
{
	if (k >= SYNACK_LAT_COUNT)
		return;
	/* Buckets only grow; a read racing the worker is off by the connections of that instant. */
	for (unsigned i = 0; i < e->nworkers; i++)
		for (unsigned s = 0; s < SYNACK_LOAD_MAX_SCRIPTS; s++)
			if (script == SYNACK_LOAD_ALL || s == script)
				synack_hist_merge(out, &e->w[i]->ep.lh[s][k][corrected ? 1 : 0]);
}

void synack_load_latency(const struct synack_engine *e, struct synack_hist *out)
{
	synack_load_hist(e, SYNACK_LOAD_ALL, SYNACK_LAT_CONNECT, false, out);
}

uint64_t synack_tsc_hz(const struct synack_engine *e) { return e->tsc_hz; }

int synack_set_msl(struct synack_engine *e, uint32_t msl_s)
{
	if (msl_s == 0 || msl_s > 3600)
		return -EINVAL;
	struct synack_msg m = { .type = SYNACK_MSG_MSL, .msl_s = msl_s };
	return broadcast(e, &m);
}

/* ---- snapshots ---- */

/* Counters are single-writer 64-bit words: aligned relaxed loads read each whole. */
static void load_u64s(uint64_t *dst, const void *src, size_t n)
{
	const uint64_t *s = src;
	for (size_t i = 0; i < n; i++)
		dst[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

static void add_u64s(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

void synack_stats(const struct synack_engine *e, unsigned wi, struct synack_core_stats *out)
{
	load_u64s((uint64_t *)out, &e->w[wi]->ep.stats, sizeof(*out) / sizeof(uint64_t));
}

void synack_stats_total(const struct synack_engine *e, struct synack_core_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < e->nworkers; i++) {
		struct synack_core_stats s;
		synack_stats(e, i, &s);
		add_u64s((uint64_t *)out, (const uint64_t *)&s, sizeof(s) / sizeof(uint64_t));
	}
}

void synack_tcp_counters(const struct synack_engine *e, unsigned wi, struct synack_tcp_stats *out)
{
	load_u64s((uint64_t *)out, &e->w[wi]->ep.ctx.stats, sizeof(*out) / sizeof(uint64_t));
}

void synack_tcp_counters_total(const struct synack_engine *e, struct synack_tcp_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < e->nworkers; i++) {
		struct synack_tcp_stats s;
		synack_tcp_counters(e, i, &s);
		add_u64s((uint64_t *)out, (const uint64_t *)&s, sizeof(s) / sizeof(uint64_t));
	}
}

unsigned synack_conn_foreach(const struct synack_engine *e, int (*fn)(const struct synack_conn_info *, void *), void *arg)
{
	unsigned n = 0;
	uint64_t now_tsc = rte_rdtsc();
	for (unsigned wi = 0; wi < e->nworkers; wi++) {
		const struct synack_worker *w = e->w[wi];
		uint64_t now_ns = (uint64_t)(((unsigned __int128)(now_tsc - w->tsc0) * w->tsc_mult) >> 32);
		for (uint32_t i = 0; i < w->ep.nconns; i++) {
			const struct synack_conn *c = &w->ep.conns[i];
			struct synack_conn_info ci;
			int ok = 0;
			for (int tries = 0; tries < 8 && !ok; tries++) {
				uint32_t v1 = __atomic_load_n(&c->version, __ATOMIC_ACQUIRE);
				if (v1 & 1)
					continue;
				uint8_t st = c->tcb.state;
				if (st == SYNACK_CLOSED)
					break;
				ci.laddr = c->tcb.tuple.laddr;
				ci.raddr = c->tcb.tuple.raddr;
				ci.lport = c->tcb.tuple.lport;
				ci.rport = c->tcb.tuple.rport;
				ci.state = st;
				ci.worker = (uint8_t)wi;
				ci.snd_una = c->tcb.snd_una;
				ci.snd_nxt = c->tcb.snd_nxt;
				ci.rcv_nxt = c->tcb.rcv_nxt;
				ci.snd_wnd = c->tcb.snd_wnd;
				ci.rcv_wnd = c->tcb.rcv_adv - c->tcb.rcv_nxt;
				ci.send_q = c->tcb.snd_max - c->tcb.snd_una;
				ci.recv_q = c->tcb.rcv_unread;
				ci.rto_ms = c->tcb.rto_us / 1000;
				uint64_t t0 = c->timer[0].pprev ? c->timer[0].expires : 0;
				uint64_t t1 = c->timer[1].pprev ? c->timer[1].expires : 0;
				uint64_t t = t0 && (!t1 || t0 < t1) ? t0 : t1;
				ci.timer_ms = t && t * SYNACK_TICK_NS > now_ns ? (t * SYNACK_TICK_NS - now_ns) / SYNACK_NS_PER_MS : 0;
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				ok = __atomic_load_n(&c->version, __ATOMIC_RELAXED) == v1;
			}
			if (!ok)
				continue;
			n++;
			if (fn(&ci, arg))
				return n;
		}
		/* The ring's live span, read without a lock: a slot freed meanwhile reads meta 0, and a
		 * copy whose meta changed under it is skipped. */
		uint32_t head = __atomic_load_n(&w->ep.tw.head, __ATOMIC_RELAXED);
		uint32_t span = __atomic_load_n(&w->ep.tw.span, __ATOMIC_RELAXED);
		for (uint32_t k = 0; k < span && k < w->ep.tw.cap; k++) {
			const struct synack_tw *t = &w->ep.tw.ent[synack_tw_table_slot(&w->ep.tw, head, k)];
			uint32_t meta = __atomic_load_n(&t->meta, __ATOMIC_ACQUIRE);
			if (!meta)
				continue;
			struct synack_conn_info ci;
			memset(&ci, 0, sizeof(ci));
			ci.laddr = t->tuple.laddr;
			ci.raddr = t->tuple.raddr;
			ci.lport = t->tuple.lport;
			ci.rport = t->tuple.rport;
			ci.state = SYNACK_TIME_WAIT;
			ci.worker = (uint8_t)wi;
			ci.snd_nxt = ci.snd_una = t->snd_nxt;
			ci.rcv_nxt = t->rcv_nxt;
			uint64_t exp = synack_tw_deadline_ns(meta, now_ns);
			ci.timer_ms = exp > now_ns ? (exp - now_ns) / SYNACK_NS_PER_MS : 0;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&t->meta, __ATOMIC_RELAXED) != meta)
				continue;
			n++;
			if (fn(&ci, arg))
				return n;
		}
	}
	return n;
}

int synack_port_stats(const struct synack_engine *e, unsigned p, struct synack_port_stats *out)
{
	if (p >= e->nports)
		return -EINVAL;
	const struct synack_port_rt *pr = &e->ports[p];
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", pr->cfg.section);
	snprintf(out->driver, sizeof(out->driver), "%s", pr->cfg.driver);
	out->ip = pr->ip;
	out->prefix = pr->prefix;
	memcpy(out->mac, pr->mac.addr_bytes, 6);
	struct rte_eth_stats st;
	if (rte_eth_stats_get(pr->port_id, &st) == 0) {
		out->ipackets = st.ipackets;
		out->opackets = st.opackets;
		out->ibytes = st.ibytes;
		out->obytes = st.obytes;
		out->imissed = st.imissed;
		out->ierrors = st.ierrors;
		out->oerrors = st.oerrors;
		out->rx_nombuf = st.rx_nombuf;
	}
	return 0;
}

unsigned synack_listeners(const struct synack_engine *e, struct synack_listener_info *out, unsigned max)
{
	const struct synack_worker *w = e->w[0];
	unsigned n = 0;
	for (unsigned i = 0; i < w->ep.nlst && n < max; i++) {
		const struct synack_listener *l = &w->ep.lst[i];
		if (!l->port)
			continue;
		out[n].port = l->port;
		out[n].service = l->svc;
		out[n].keepalive = l->keepalive;
		out[n].body_size = l->body;
		n++;
	}
	return n;
}

size_t synack_last_response(const struct synack_engine *e, char *buf, size_t len)
{
	for (unsigned i = 0; i < e->nworkers; i++) {
		const struct synack_worker *w = e->w[i];
		for (int tries = 0; tries < 16; tries++) {
			uint32_t v = __atomic_load_n(&w->ep.rec_ver, __ATOMIC_ACQUIRE);
			if (v & 1)
				continue;
			size_t n = w->ep.rec_len < len ? w->ep.rec_len : len;
			memcpy(buf, w->ep.rec, n);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&w->ep.rec_ver, __ATOMIC_RELAXED) == v) {
				if (n)
					return n;
				break;
			}
		}
	}
	return 0;
}
