/* bench_tap.c: synack-bench's `tap` modes, interop under load across a TAP in a network namespace
 * the run makes and removes (198.18.0.1 Linux, 198.18.0.2 synack): tap-srv, Linux's client
 * (linux-bench) against a synack server process; tap-cli, synack's client against Linux's server.
 * Here the kernel (the TAP and its TCP) is expected to be the limit, not synack. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "synack.h"

/* Each side's TIME-WAIT table: across the TAP the kernel is the limit (tens of thousands of
 * connections/s), so 8 M entries (400 MB) hold 2 x MSL of it at the default MSL. */
#define TAP_TW 8388608u

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static int wait_iface(const char *ns, const char *ifname)
{
	for (int i = 0; i < 200; i++) {
		if (sh("ip netns exec %s ip link show %s >/dev/null 2>&1", ns, ifname) == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

static int linux_side_up(const char *ns, const char *ifname)
{
	if (wait_iface(ns, ifname) < 0)
		return -1;
	return sh("ip netns exec %s ip addr add 198.18.0.1/24 dev %s", ns, ifname) ||
	       sh("ip netns exec %s ip link set %s up", ns, ifname);
}

/* Linux's client against a synack server process. */
static int tap_srv(const struct bench_opts *o, const char *ns, struct bench_result res[WL_COUNT])
{
	struct bench_server s = { 0 };
	char ifname[16], set1[64];
	snprintf(ifname, sizeof(ifname), "sks%d", (int)getpid() % 100000);
	snprintf(set1, sizeof(set1), "port0.devargs=iface=%s", ifname);
	if (bench_server_dir(&s) < 0 || bench_server_start(o, &s, "tap.ini", set1, "port0.ip=198.18.0.2/24", ns, TAP_TW) < 0 ||
	    linux_side_up(ns, ifname) < 0) {
		fprintf(stderr, "synack-bench: tap-srv: the synack server or its TAP did not come up\n");
		bench_server_stop(&s);
		return -1;
	}
	int rc = 0;
	for (unsigned w = 0; w < WL_COUNT && !rc; w++) {
		if (!o->wls[w])
			continue;
		struct bench_result *r = &res[w];
		bench_result_begin(r, MODE_TAP_SRV, (enum bench_wl)w);
		/* In close Linux's client closes first and holds TIME-WAIT: synack's count is not of it. */
		if (w == WL_CLOSE)
			r->has &= ~(unsigned)BENCH_HAS_TIMEWAIT;
		char dst[32];
		snprintf(dst, sizeof(dst), "198.18.0.2:%u", w == WL_REQUEST ? 81 : 80);
		for (unsigned k = 0; k < o->reps && !rc; k++) {
			struct bench_srv_stats s0, s1;
			uint64_t before = r->completed;
			bench_server_stats(NULL, &s, &s0);
			rc = bench_linux_client(o, w, dst, 1, ns, r, k);
			bench_server_stats(NULL, &s, &s1);
			if (r->completed > before && s0.known && s1.known) {
				r->cycles_server += (double)(s1.busy_cycles - s0.busy_cycles) / (double)(r->completed - before) / o->reps;
				r->has |= BENCH_HAS_CYCLES_SERVER;
			}
			if (s1.tw_in_use > r->tw_peak)
				r->tw_peak = s1.tw_in_use;
			r->tw_evicted += s1.tw_evicted - s0.tw_evicted;
		}
		bench_result_end(r, rc);
	}
	bench_server_stop(&s);
	return rc;
}

static void no_server_stats(struct synack_engine *e, void *arg, struct bench_srv_stats *out)
{
	(void)e;
	(void)arg;
	out->busy_cycles = out->tw_in_use = out->tw_evicted = 0;
	out->known = false;
}

/* synack's client against Linux's server: run in a child that has entered the namespace, so that
 * the TAP synack creates is born there. */
static int tap_cli(const struct bench_opts *o, const char *ns, struct bench_result res[WL_COUNT])
{
	char path[128];
	snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
	int fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "synack-bench: tap-cli: cannot enter namespace %s\n", ns);
		return -1;
	}
	close(fd);
	char ifname[16], dev[64], cfg[1100], msl[64], tw[64], err[512];
	snprintf(tw, sizeof(tw), "engine.timewait_per_core=%u", TAP_TW);
	snprintf(ifname, sizeof(ifname), "skc%d", (int)getpid() % 100000);
	snprintf(dev, sizeof(dev), "port0.devargs=iface=%s", ifname);
	snprintf(cfg, sizeof(cfg), "%s/drivers-config/tap.ini", o->root);
	snprintf(msl, sizeof(msl), "engine.msl=%u", o->msl_s);
	const char *sets[] = { dev, "port0.ip=198.18.0.2/24", msl, tw,
			       "engine.tcb_per_core=65536", NULL };
	struct synack_start_opts so = { .config_path = cfg, .sets = sets, .mem_mb = 2048, .lcores = "0@0,1@0",
					.huge = o->huge };
	struct synack_engine *e = synack_engine_start(&so, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "synack-bench: tap-cli: %s\n", err);
		return -1;
	}
	int rc = sh("ip addr add 198.18.0.1/24 dev %s && ip link set %s up", ifname, ifname) ? -1 : 0;
	/* Source addresses stay inside the namespace's /24, where Linux resolves them by ARP. */
	struct bench_opts oc = *o;
	oc.src_ips = o->src_ips < 200 ? o->src_ips : 200;
	for (unsigned w = 0; w < WL_COUNT && !rc; w++) {
		if (!o->wls[w])
			continue;
		struct bench_result *r = &res[w];
		bench_result_begin(r, MODE_TAP_CLI, (enum bench_wl)w);
		/* In request Linux's server closes first and holds TIME-WAIT: synack's count is not of it. */
		if (w == WL_REQUEST)
			r->has &= ~(unsigned)BENCH_HAS_TIMEWAIT;
		for (unsigned k = 0; k < o->reps && !rc; k++) {
			int sfd;
			pid_t sp = bench_linux_server(o, w, "198.18.0.1", w == WL_REQUEST ? 81 : 80, NULL, &sfd);
			if (sp < 0) {
				rc = -1;
				break;
			}
			usleep(300000);
			uint64_t before = r->completed;
			rc = bench_run_one(e, &oc, (enum bench_wl)w, k, r, 0xc6120001u, no_server_stats, NULL);
			bench_linux_add_server(o, r, bench_linux_server_end(sp, sfd), r->completed - before);
		}
		bench_result_end(r, rc);
	}
	synack_engine_stop(e);
	return rc;
}

int bench_run_tap(const struct bench_opts *o, struct bench_result srv[WL_COUNT], struct bench_result cli[WL_COUNT])
{
	char ns[64];
	snprintf(ns, sizeof(ns), "synack-bench-%d", (int)getpid());
	if (sh("ip netns add %s%s", ns, "")) {
		fprintf(stderr, "synack-bench: tap: cannot create network namespace %s (root needed)\n", ns);
		return -1;
	}
	if (sh("ip netns exec %s ip link set lo up%s", ns, "")) {
		fprintf(stderr, "synack-bench: tap: cannot bring up loopback in namespace %s\n", ns);
		sh("ip netns del %s%s", ns, "");
		return -1;
	}
	bench_on_stop_netns(ns);
	int rc = tap_srv(o, ns, srv);
	if (!rc) {
		pid_t parent = getpid(), pid = fork();
		if (pid == 0) {
			bench_die_with_parent(parent);
			_exit(tap_cli(o, ns, cli) < 0 ? 1 : 0);
		}
		int st = 0;
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			rc = -1;
	}
	bench_on_stop_netns(NULL);
	sh("ip netns del %s%s", ns, "");
	return rc;
}
