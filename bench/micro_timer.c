/* micro_timer.c: cycles and nanoseconds per timer operation with a million timers armed, for the
 * per-core timer wheel (lib/core/timer_wheel.c) against DPDK's rte_timer (a skiplist per lcore):
 * arm, cancel, move an armed timer (what a retransmission timer does on every ACK), and expire.
 * Timed with rte_rdtsc(); the best of BENCH_ROUNDS rounds is printed.
 *
 * EAL starts with --no-huge --no-pci -m 512 --no-shconf unless other EAL arguments are given, so
 * it never probes a NIC, needs no hugepages and writes no shared-config file.
 *
 * Both sides run on timers spread over tens of megabytes, so expiring one costs about a DRAM
 * latency: the lists are chased node by node. A real callback touches the same line (the node
 * lives in the TCB), so that miss is paid once, not twice.
 *
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Ilib bench/micro_timer.c lib/core/timer_wheel.c \
 *       $(pkg-config --cflags --libs libdpdk) -o micro_timer && ./micro_timer */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "core/timer_wheel.h"

#define BENCH_N        1000000u
#define BENCH_ROUNDS   3
#define BENCH_HORIZON  200000u   /* deadlines up to 200 s, in 1 ms wheel ticks */

struct bench_wheel_timer {
	struct synack_timer_node node;
	uint64_t hits;
};

struct bench_result {
	const char *what;
	uint64_t cycles;    /* best round, total over BENCH_N operations */
};

enum {
	R_WHEEL_ARM, R_WHEEL_CANCEL, R_WHEEL_MOVE, R_WHEEL_EXPIRE_ONE, R_WHEEL_EXPIRE_TICKS,
	R_RTE_ARM, R_RTE_CANCEL, R_RTE_MOVE, R_RTE_EXPIRE,
	R_COUNT
};

static struct bench_result results[R_COUNT] = {
	[R_WHEEL_ARM] = {"wheel    arm (1M armed at the end)", UINT64_MAX},
	[R_WHEEL_CANCEL] = {"wheel    cancel", UINT64_MAX},
	[R_WHEEL_MOVE] = {"wheel    re-arm an armed timer", UINT64_MAX},
	[R_WHEEL_EXPIRE_ONE] = {"wheel    expire, one advance over 204 s", UINT64_MAX},
	[R_WHEEL_EXPIRE_TICKS] = {"wheel    expire, advancing 1 ms at a time", UINT64_MAX},
	[R_RTE_ARM] = {"rte_timer reset (1M armed at the end)", UINT64_MAX},
	[R_RTE_CANCEL] = {"rte_timer stop", UINT64_MAX},
	[R_RTE_MOVE] = {"rte_timer reset an armed timer", UINT64_MAX},
	[R_RTE_EXPIRE] = {"rte_timer expire, one rte_timer_manage()", UINT64_MAX},
};

/* splitmix64: the same deadlines for both implementations. */
static uint64_t bench_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void bench_keep(int r, uint64_t cycles)
{
	if (cycles < results[r].cycles)
		results[r].cycles = cycles;
}

static void bench_wheel_fire(struct synack_wheel *w, struct synack_timer_node *node, void *arg)
{
	struct bench_wheel_timer *t = SYNACK_TIMER_ENTRY(node, struct bench_wheel_timer, node);

	(void)w;
	t->hits++;
	(*(uint64_t *)arg)++;
}

static void bench_rte_fire(struct rte_timer *tim, void *arg)
{
	(void)tim;
	(*(uint64_t *)arg)++;
}

/* Deadlines for a round, in 1 ms ticks from 0. */
static void bench_deadlines(uint64_t *d, uint64_t seed)
{
	for (uint32_t i = 0; i < BENCH_N; i++)
		d[i] = 1 + bench_rand(&seed) % BENCH_HORIZON;
}

static int bench_wheel(const uint64_t *d, const uint64_t *d2, struct bench_wheel_timer *t)
{
	static struct synack_wheel w;
	uint64_t fired = 0, c0;

	/* (a) arm a million, move each, cancel each. */
	synack_wheel_init(&w, 1000000, 0);
	for (uint32_t i = 0; i < BENCH_N; i++)
		synack_timer_init(&t[i].node);
	c0 = rte_rdtsc();
	for (uint32_t i = 0; i < BENCH_N; i++)
		synack_wheel_arm(&w, &t[i].node, d[i]);
	bench_keep(R_WHEEL_ARM, rte_rdtsc() - c0);
	c0 = rte_rdtsc();
	for (uint32_t i = 0; i < BENCH_N; i++)
		synack_wheel_arm(&w, &t[i].node, d2[i]);
	bench_keep(R_WHEEL_MOVE, rte_rdtsc() - c0);
	c0 = rte_rdtsc();
	for (uint32_t i = 0; i < BENCH_N; i++)
		synack_wheel_cancel(&w, &t[i].node);
	bench_keep(R_WHEEL_CANCEL, rte_rdtsc() - c0);
	if (synack_wheel_count(&w) != 0)
		return -1;

	/* (b) arm a million, expire them all in one advance. */
	for (uint32_t i = 0; i < BENCH_N; i++)
		synack_wheel_arm(&w, &t[i].node, d[i]);
	c0 = rte_rdtsc();
	synack_wheel_advance(&w, BENCH_HORIZON + 4096, UINT_MAX, bench_wheel_fire, &fired);
	bench_keep(R_WHEEL_EXPIRE_ONE, rte_rdtsc() - c0);
	if (fired != BENCH_N)
		return -1;

	/* The same with an advance per 1 ms tick, as the poll loop does: empty ticks included. */
	synack_wheel_init(&w, 1000000, 0);
	for (uint32_t i = 0; i < BENCH_N; i++)
		synack_wheel_arm(&w, &t[i].node, d[i]);
	fired = 0;
	c0 = rte_rdtsc();
	for (uint64_t now = 0; now <= BENCH_HORIZON + 4096; now++)
		synack_wheel_advance(&w, now, UINT_MAX, bench_wheel_fire, &fired);
	bench_keep(R_WHEEL_EXPIRE_TICKS, rte_rdtsc() - c0);
	return fired == BENCH_N ? 0 : -1;
}

static int bench_rte(const uint64_t *d, const uint64_t *d2, struct rte_timer *t)
{
	unsigned lcore = rte_lcore_id();
	uint64_t hz = rte_get_timer_hz(), fired = 0, c0;
	/* A wheel tick is 1 ms: the same deadlines, in timer cycles. */
	uint64_t per_tick = hz / 1000;

	/* (a) */
	for (uint32_t i = 0; i < BENCH_N; i++)
		rte_timer_init(&t[i]);
	c0 = rte_rdtsc();
	for (uint32_t i = 0; i < BENCH_N; i++)
		rte_timer_reset(&t[i], d[i] * per_tick, SINGLE, lcore, bench_rte_fire, &fired);
	bench_keep(R_RTE_ARM, rte_rdtsc() - c0);
	c0 = rte_rdtsc();
	for (uint32_t i = 0; i < BENCH_N; i++)
		rte_timer_reset(&t[i], d2[i] * per_tick, SINGLE, lcore, bench_rte_fire, &fired);
	bench_keep(R_RTE_MOVE, rte_rdtsc() - c0);
	c0 = rte_rdtsc();
	for (uint32_t i = 0; i < BENCH_N; i++)
		rte_timer_stop(&t[i]);
	bench_keep(R_RTE_CANCEL, rte_rdtsc() - c0);

	/* (b) The same spread of deadlines compressed 1000 times (200 ms), so as not to wait 200 s,
	 * then one rte_timer_manage() once they have all passed. The skiplist's cost depends on the
	 * number of timers, not on their spread. */
	uint64_t last = 0;
	for (uint32_t i = 0; i < BENCH_N; i++) {
		uint64_t ticks = d[i] * per_tick / 1000;
		rte_timer_reset(&t[i], ticks, SINGLE, lcore, bench_rte_fire, &fired);
		if (t[i].expire > last)
			last = t[i].expire;
	}
	while (rte_get_timer_cycles() <= last)
		rte_pause();
	c0 = rte_rdtsc();
	rte_timer_manage();
	bench_keep(R_RTE_EXPIRE, rte_rdtsc() - c0);
	return fired == BENCH_N ? 0 : -1;
}

int main(int argc, char **argv)
{
	/* Not --in-memory: DPDK 22.11 refuses it with --no-huge (which implies --legacy-mem);
	 * --no-shconf keeps it from writing the shared config instead. */
	char *defaults[] = {argv[0], "--no-huge", "--no-pci", "-m", "512", "--no-shconf", NULL};
	int eal_argc = argc > 1 ? argc : (int)(sizeof defaults / sizeof defaults[0]) - 1;
	char **eal_argv = argc > 1 ? argv : defaults;

	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "micro_timer: EAL init failed\n");
		return 1;
	}
	if (rte_timer_subsystem_init() < 0) {
		fprintf(stderr, "micro_timer: rte_timer_subsystem_init failed\n");
		return 1;
	}
	uint64_t *d = malloc(BENCH_N * sizeof *d), *d2 = malloc(BENCH_N * sizeof *d2);
	struct bench_wheel_timer *wt = calloc(BENCH_N, sizeof *wt);
	struct rte_timer *rt = calloc(BENCH_N, sizeof *rt);
	if (!d || !d2 || !wt || !rt) {
		fprintf(stderr, "micro_timer: out of memory\n");
		return 1;
	}
	for (int round = 0; round < BENCH_ROUNDS; round++) {
		bench_deadlines(d, 1 + 2 * (uint64_t)round);
		bench_deadlines(d2, 2 + 2 * (uint64_t)round);
		if (bench_wheel(d, d2, wt) < 0 || bench_rte(d, d2, rt) < 0) {
			fprintf(stderr, "micro_timer: a timer was lost\n");
			return 1;
		}
	}

	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();
	printf("%u timers, deadlines uniform in 1..%u ms, TSC %.3f GHz, best of %d rounds\n"
	       "node: wheel %zu bytes, rte_timer %zu bytes\n\n", BENCH_N, BENCH_HORIZON,
	       (double)rte_get_tsc_hz() / 1e9, BENCH_ROUNDS, sizeof(struct synack_timer_node),
	       sizeof(struct rte_timer));
	printf("%-45s %10s %10s\n", "per timer", "cycles", "ns");
	for (int r = 0; r < R_COUNT; r++) {
		double cyc = (double)results[r].cycles / BENCH_N;
		printf("%-45s %10.1f %10.1f\n", results[r].what, cyc, cyc * ns_per_cycle);
	}
	printf("%-45s %10.1f %10.1f\n", "wheel    arm + cancel",
	       (double)(results[R_WHEEL_ARM].cycles + results[R_WHEEL_CANCEL].cycles) / BENCH_N,
	       (double)(results[R_WHEEL_ARM].cycles + results[R_WHEEL_CANCEL].cycles) / BENCH_N * ns_per_cycle);
	printf("%-45s %10.1f %10.1f\n", "rte_timer reset + stop",
	       (double)(results[R_RTE_ARM].cycles + results[R_RTE_CANCEL].cycles) / BENCH_N,
	       (double)(results[R_RTE_ARM].cycles + results[R_RTE_CANCEL].cycles) / BENCH_N * ns_per_cycle);
	free(rt);
	free(wt);
	free(d2);
	free(d);
	rte_eal_cleanup();
	return 0;
}
