/* bench_xcore.c: the machine's cross-core cache-line round trip, printed beside the results.
 *
 * On a VM the two vCPUs may sit on one physical core's hyperthreads, on two cores of one cache
 * complex, or further apart, and the host moves them: on this kind of machine the round trip
 * has been seen at 50-70 ns in one hour and 300+ ns in the next, and every cross-core figure
 * (the ring and memif modes hand each packet from one core to the other) moves with it, by up
 * to 2x. So each mode's figures carry the round trip measured just before and just after it.
 * Two threads pinned to CPUs 0 and 1 bounce one cache line; nothing else runs meanwhile. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdlib.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "bench.h"

#define ROUNDS 200000u

static volatile uint64_t ball __attribute__((aligned(64)));

static void pin(unsigned cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

static void *partner(void *arg)
{
	(void)arg;
	pin(1);
	for (uint64_t i = 0; i < ROUNDS; i++) {
		while (ball != 2 * i + 1)
			;
		ball = 2 * i + 2;
	}
	return NULL;
}

double bench_xcore_rtt_ns(void)
{
	/* A profiler that runs threads one at a time (valgrind) would spin here forever: the
	 * variable skips the measurement (reported as 0). */
	if (getenv("SYNACK_BENCH_NO_XCORE"))
		return 0;
	pthread_t t;
	cpu_set_t old;
	pthread_getaffinity_np(pthread_self(), sizeof(old), &old);
	ball = 0;
	if (pthread_create(&t, NULL, partner, NULL) != 0)
		return 0;
	pin(0);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (uint64_t i = 0; i < ROUNDS; i++) {
		ball = 2 * i + 1;
		while (ball != 2 * i + 2)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	pthread_setaffinity_np(pthread_self(), sizeof(old), &old);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / ROUNDS;
}
