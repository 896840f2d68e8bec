/* test_timer_wheel.c: the per-core timer wheel (lib/core/timer_wheel.c). A million timers fire
 * exactly once, never early and within their level's slack; cancelled ones never fire; callbacks
 * re-arm, cancel and arm; the budget bounds each call without losing work; next_expiry is checked
 * against a brute-force model of when each timer is due. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer_wheel.h"

/* A million timers in both big runs, in every build: under AddressSanitizer at -O0 they take
 * about 0.3 s, so there is nothing to scale down. */
#define TW_MILLION 1000000u

#define TW_TICK_NS    1000000u   /* 1 ms ticks */
#define TW_MAX_DELAY  200000u    /* 200 s */

/* splitmix64: a reproducible stream. */
static uint64_t tw_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The model, written from the spec rather than from the code: a delay d goes to the finest level
 * of granularity g = 8^l with d <= 63 * g, and fires at the first multiple of g >= the deadline. */
static uint64_t ref_gran(uint64_t clk, uint64_t expires)
{
	uint64_t due = expires < clk ? clk : expires, g = 1;

	while (due - clk > 63 * g)
		g *= 8;
	return g;
}

static uint64_t ref_fire(uint64_t clk, uint64_t expires)
{
	uint64_t due = expires < clk ? clk : expires, g = ref_gran(clk, expires);

	return (due + g - 1) / g * g;
}

struct tw_timer {
	struct synack_timer_node node;
	uint64_t expires;
	uint64_t late_max;     /* slack allowed: the level's granularity - 1 */
	uint64_t delay;        /* expires - clock at arm time */
	uint64_t cancel_at;    /* tick before which it is cancelled, UINT64_MAX if never */
	uint32_t fired;
};

struct tw_run {
	uint64_t now;
	uint64_t fired;
	uint64_t bad_early, bad_late, bad_twice, bad_cancelled;
};

static void tw_fire(struct synack_wheel *w, struct synack_timer_node *node, void *arg)
{
	struct tw_run *run = arg;
	struct tw_timer *t = SYNACK_TIMER_ENTRY(node, struct tw_timer, node);

	(void)w;
	run->fired++;
	if (t->fired++)
		run->bad_twice++;
	if (t->cancel_at != UINT64_MAX)
		run->bad_cancelled++;
	if (run->now < t->expires)
		run->bad_early++;
	/* The level's bound, and the headline one: late by less than 8/63 of the delay. */
	if (run->now - t->expires > t->late_max || (run->now - t->expires) * 63 > t->delay * 8)
		run->bad_late++;
}

/* Indices of timers sorted by cancel tick (counting sort), so that each tick cancels its share. */
static uint32_t *tw_by_cancel(const struct tw_timer *t, uint32_t n, uint64_t ticks, uint32_t **start_out)
{
	uint32_t *start = calloc(ticks + 2, sizeof *start), *order = malloc(n * sizeof *order);

	cr_assert(start && order);
	for (uint32_t i = 0; i < n; i++)
		if (t[i].cancel_at != UINT64_MAX)
			start[t[i].cancel_at + 1]++;
	for (uint64_t k = 1; k <= ticks + 1; k++)
		start[k] += start[k - 1];
	uint32_t *fill = malloc((ticks + 1) * sizeof *fill);
	cr_assert(fill);
	memcpy(fill, start, (ticks + 1) * sizeof *fill);
	for (uint32_t i = 0; i < n; i++)
		if (t[i].cancel_at != UINT64_MAX)
			order[fill[t[i].cancel_at]++] = i;
	free(fill);
	*start_out = start;
	return order;
}

/* Arms n timers at random deadlines up to 200 s from tick 0 and picks a random half to cancel at a
 * random tick before their deadline. */
static struct tw_timer *tw_populate(struct synack_wheel *w, uint32_t n, uint64_t seed, uint64_t *cancels)
{
	struct tw_timer *t = calloc(n, sizeof *t);

	cr_assert(t);
	*cancels = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t r = tw_rand(&seed);
		t[i].expires = r % (TW_MAX_DELAY + 1);
		t[i].late_max = ref_gran(w->clk, t[i].expires) - 1;
		t[i].delay = t[i].expires - w->clk;
		t[i].cancel_at = UINT64_MAX;
		if ((r >> 40) & 1 && t[i].expires > 0) {
			t[i].cancel_at = (r >> 41) % t[i].expires;
			(*cancels)++;
		}
		synack_wheel_arm(w, &t[i].node, t[i].expires);
	}
	cr_assert_eq(synack_wheel_count(w), n);
	return t;
}

Test(timer_wheel, million_tick_by_tick)
{
	static struct synack_wheel w;
	struct tw_run run = {0};
	uint64_t cancels;
	uint32_t n = TW_MILLION, *start;

	synack_wheel_init(&w, TW_TICK_NS, 0);
	struct tw_timer *t = tw_populate(&w, n, 1, &cancels);
	uint32_t *order = tw_by_cancel(t, n, TW_MAX_DELAY, &start);
	/* The last deadline is at most one top-level granularity (4096 ticks here) past 200 s. */
	uint64_t end = TW_MAX_DELAY + 4096;
	for (run.now = 0; run.now <= end; run.now++) {
		if (run.now <= TW_MAX_DELAY)
			for (uint32_t k = start[run.now]; k < start[run.now + 1]; k++)
				cr_assert(synack_wheel_cancel(&w, &t[order[k]].node));
		synack_wheel_advance(&w, run.now, UINT_MAX, tw_fire, &run);
	}
	cr_expect_eq(run.bad_early, 0, "%lu fired early", (unsigned long)run.bad_early);
	cr_expect_eq(run.bad_late, 0, "%lu fired late", (unsigned long)run.bad_late);
	cr_expect_eq(run.bad_twice, 0);
	cr_expect_eq(run.bad_cancelled, 0);
	cr_expect_eq(run.fired, n - cancels);
	uint64_t missing = 0;
	for (uint32_t i = 0; i < n; i++)
		missing += t[i].cancel_at == UINT64_MAX && t[i].fired != 1;
	cr_expect_eq(missing, 0);
	cr_expect_eq(synack_wheel_count(&w), 0);
	cr_expect_eq(synack_wheel_next_expiry(&w), UINT64_MAX);
	free(order);
	free(start);
	free(t);
}

static int tw_cmp_fire(const void *a, const void *b)
{
	uint64_t x = ((const uint64_t *)a)[0], y = ((const uint64_t *)b)[0];

	return (x > y) - (x < y);
}

/* Random steps and random small budgets: every call runs at most its budget; whenever a call
 * stops short of it, every timer due by then (by the model) has fired. */
Test(timer_wheel, random_steps_with_budget)
{
	static struct synack_wheel w;
	struct tw_run run = {0};
	uint64_t cancels, seed = 7;
	uint32_t n = TW_MILLION, *start;

	synack_wheel_init(&w, TW_TICK_NS, 0);
	struct tw_timer *t = tw_populate(&w, n, 2, &cancels);
	uint32_t *order = tw_by_cancel(t, n, TW_MAX_DELAY, &start);
	/* (fire tick, index) pairs of the timers that must fire, in fire order. */
	uint64_t (*due)[2] = malloc(n * sizeof *due);
	uint32_t ndue = 0, checked = 0;
	cr_assert(due);
	for (uint32_t i = 0; i < n; i++)
		if (t[i].cancel_at == UINT64_MAX) {
			due[ndue][0] = ref_fire(0, t[i].expires);
			due[ndue++][1] = i;
		}
	qsort(due, ndue, sizeof *due, tw_cmp_fire);

	uint64_t next_cancel = 0, calls = 0;
	run.now = 0;
	while (run.fired < n - cancels) {
		cr_assert(++calls < 100000000u, "no progress");
		if (tw_rand(&seed) & 1)
			run.now += tw_rand(&seed) % 2000;
		/* Cancel what is scheduled up to now; none of it can have fired (deadline > now). */
		for (; next_cancel <= run.now && next_cancel <= TW_MAX_DELAY; next_cancel++)
			for (uint32_t k = start[next_cancel]; k < start[next_cancel + 1]; k++)
				cr_assert(synack_wheel_cancel(&w, &t[order[k]].node));
		unsigned budget = 1 + (unsigned)(tw_rand(&seed) % 64);
		uint64_t before = run.fired;
		unsigned ran = synack_wheel_advance(&w, run.now, budget, tw_fire, &run);
		cr_assert_eq(ran, run.fired - before);
		cr_assert_leq(ran, budget);
		if (ran < budget) {
			cr_assert_gt(synack_wheel_next_expiry(&w), run.now);
			for (; checked < ndue && due[checked][0] <= run.now; checked++)
				cr_assert_eq(t[due[checked][1]].fired, 1, "timer due at %lu not fired by %lu",
					     (unsigned long)due[checked][0], (unsigned long)run.now);
		}
	}
	/* Lateness here is the budget's doing, not the wheel's: only early and double fires count. */
	cr_expect_eq(run.bad_early, 0);
	cr_expect_eq(run.bad_twice, 0);
	cr_expect_eq(run.bad_cancelled, 0);
	cr_expect_eq(synack_wheel_count(&w), 0);
	free(due);
	free(order);
	free(start);
	free(t);
}

/* ---- small brute-force model: arm, move, cancel, advance, callbacks that do all three ---- */

#define TM_N 1500u

struct tm_timer {
	struct synack_timer_node node;
	bool armed;
	uint64_t expires, fire;     /* the model's deadline and due tick */
};

struct tm_ctx {
	struct tm_timer t[TM_N];
	uint64_t seed, now;
	unsigned ran;
	uint64_t errors;
};

static void tm_arm(struct synack_wheel *w, struct tm_ctx *c, uint32_t i, uint64_t expires)
{
	c->t[i].armed = true;
	c->t[i].expires = expires;
	c->t[i].fire = ref_fire(w->clk, expires);
	synack_wheel_arm(w, &c->t[i].node, expires);
}

/* A delay spread over all levels but within the horizon. */
static uint64_t tm_delay(struct tm_ctx *c)
{
	uint64_t r = tw_rand(&c->seed);

	return (r >> 8) % (UINT64_C(1) << (r % 24));
}

static void tm_fire(struct synack_wheel *w, struct synack_timer_node *node, void *arg)
{
	struct tm_ctx *c = arg;
	struct tm_timer *t = SYNACK_TIMER_ENTRY(node, struct tm_timer, node);
	uint32_t i = (uint32_t)(t - c->t);

	if (!t->armed || t->fire > c->now || t->expires > c->now || synack_timer_armed(node))
		c->errors++;
	t->armed = false;
	c->ran++;
	uint64_t r = tw_rand(&c->seed);
	switch (r % 8) {
	case 0: /* re-arm itself, sometimes in the past */
		tm_arm(w, c, i, c->now + tm_delay(c) - (r & 8 ? 2 : 0));
		break;
	case 1: { /* cancel another, possibly one due in this very call */
		uint32_t j = (uint32_t)((r >> 8) % TM_N);
		if (synack_wheel_cancel(w, &c->t[j].node) != c->t[j].armed)
			c->errors++;
		c->t[j].armed = false;
		break;
	}
	case 2: { /* arm or move another */
		uint32_t j = (uint32_t)((r >> 8) % TM_N);
		tm_arm(w, c, j, c->now + tm_delay(c));
		break;
	}
	default:
		break;
	}
}

Test(timer_wheel, model_next_expiry_and_callbacks)
{
	static struct synack_wheel w;
	static struct tm_ctx c;
	uint64_t steps = 40000;

	memset(&c, 0, sizeof c);
	c.seed = 3;
	c.now = 1000;
	synack_wheel_init(&w, TW_TICK_NS, c.now);
	for (uint64_t s = 0; s < steps; s++) {
		uint64_t r = tw_rand(&c.seed);
		uint32_t i = (uint32_t)((r >> 16) % TM_N);
		switch (r % 4) {
		case 0: /* arm or move, sometimes into the past */
			tm_arm(&w, &c, i, c.now + tm_delay(&c) - (r & 32 ? 3 : 0));
			break;
		case 1:
			cr_assert_eq(synack_wheel_cancel(&w, &c.t[i].node), c.t[i].armed);
			c.t[i].armed = false;
			break;
		default: {
			c.now += tm_delay(&c) >> (r & 64 ? 10 : 4);
			unsigned budget = r & 128 ? UINT_MAX : 1 + (unsigned)((r >> 8) % 16);
			c.ran = 0;
			unsigned ran = synack_wheel_advance(&w, c.now, budget, tm_fire, &c);
			cr_assert_eq(ran, c.ran);
			cr_assert_leq(ran, budget);
			cr_assert_eq(c.errors, 0, "bad fire at step %lu", (unsigned long)s);
			uint64_t first = UINT64_MAX, armed = 0;
			for (uint32_t k = 0; k < TM_N; k++)
				if (c.t[k].armed) {
					armed++;
					if (c.t[k].fire < first)
						first = c.t[k].fire;
				}
			cr_assert_eq(synack_wheel_count(&w), armed);
			uint64_t next = synack_wheel_next_expiry(&w);
			/* Never later than the earliest fire; exact when nothing is left over. */
			cr_assert_leq(next, first, "next %lu > first due %lu", (unsigned long)next,
				      (unsigned long)first);
			if (ran < budget) {
				cr_assert_gt(first, c.now, "step %lu: due at %lu, not fired by %lu",
					     (unsigned long)s, (unsigned long)first, (unsigned long)c.now);
				cr_assert_eq(next, first);
			}
			break;
		}
		}
	}
}

/* ---- targeted cases ---- */

struct tw_log {
	uint64_t now;
	uint32_t n;
	struct synack_timer_node *who[64];
	uint64_t when[64];
};

static void tw_record(struct synack_wheel *w, struct synack_timer_node *node, void *arg)
{
	struct tw_log *log = arg;

	(void)w;
	if (log->n < 64) {
		log->who[log->n] = node;
		log->when[log->n] = log->now;
	}
	log->n++;
}

static void tw_step_to(struct synack_wheel *w, struct tw_log *log, uint64_t to, synack_timer_fn fn)
{
	while (log->now < to) {
		log->now++;
		synack_wheel_advance(w, log->now, UINT_MAX, fn, log);
	}
}

Test(timer_wheel, node_and_arm_cancel_basics)
{
	static struct synack_wheel w;
	struct synack_timer_node a, b, zero;
	struct tw_log log = {0};

	cr_assert_leq(sizeof(struct synack_timer_node), 24);
	memset(&zero, 0, sizeof zero);
	cr_assert_not(synack_timer_armed(&zero));
	synack_wheel_init(&w, TW_TICK_NS, 0);
	cr_assert_not(synack_wheel_cancel(&w, &zero));
	cr_assert_eq(synack_wheel_next_expiry(&w), UINT64_MAX);

	synack_timer_init(&a);
	synack_timer_init(&b);
	synack_wheel_arm(&w, &a, 100);
	synack_wheel_arm(&w, &b, 100);
	cr_assert_eq(synack_wheel_count(&w), 2);
	cr_assert(synack_timer_armed(&a));
	/* Re-arming moves: earlier, then later, then back; still one timer each. */
	synack_wheel_arm(&w, &a, 30);
	synack_wheel_arm(&w, &a, 5000);
	synack_wheel_arm(&w, &a, 40);
	cr_assert_eq(synack_wheel_count(&w), 2);
	cr_assert_eq(synack_timer_expires(&a), 40);
	cr_assert_eq(synack_wheel_next_expiry(&w), 40);
	cr_assert(synack_wheel_cancel(&w, &b));
	cr_assert_not(synack_wheel_cancel(&w, &b));
	cr_assert_eq(synack_wheel_count(&w), 1);
	tw_step_to(&w, &log, 10000, tw_record);
	cr_assert_eq(log.n, 1);
	cr_assert_eq(log.who[0], &a);
	cr_assert_eq(log.when[0], 40);
	cr_assert_not(synack_timer_armed(&a));
	cr_assert_eq(synack_wheel_count(&w), 0);

	/* A deadline already past fires on the next advance. */
	synack_wheel_arm(&w, &a, 3);
	cr_assert_eq(synack_wheel_next_expiry(&w), 10001);
	tw_step_to(&w, &log, 10001, tw_record);
	cr_assert_eq(log.n, 2);
	cr_assert_eq(log.when[1], 10001);
}

Test(timer_wheel, level_boundaries)
{
	/* Delays at the edges of each level fire at the model's tick, and the bound holds. */
	for (unsigned lvl = 0; lvl < SYNACK_WHEEL_LEVELS; lvl++) {
		uint64_t g = UINT64_C(1) << (3 * lvl), edge = 63 * g;
		uint64_t delays[] = {edge > 0 ? edge - 1 : 0, edge, edge + 1};
		for (unsigned k = 0; k < 3; k++) {
			static struct synack_wheel w;
			struct synack_timer_node a;
			struct tw_log log = {0};
			uint64_t start = 12345 + lvl, e = start + delays[k];

			synack_wheel_init(&w, TW_TICK_NS, start);
			log.now = start;
			synack_timer_init(&a);
			synack_wheel_arm(&w, &a, e);
			uint64_t want = ref_fire(start, e);
			cr_assert_eq(synack_wheel_next_expiry(&w), want, "level %u delay %lu", lvl,
				     (unsigned long)delays[k]);
			cr_assert_geq(want, e);
			cr_assert_lt(want - e, ref_gran(start, e));
			cr_assert_leq((want - e) * 63, delays[k] * 8);
			synack_wheel_advance(&w, want - 1, UINT_MAX, tw_record, &log);
			cr_assert_eq(log.n, 0);
			log.now = want;
			synack_wheel_advance(&w, want, UINT_MAX, tw_record, &log);
			cr_assert_eq(log.n, 1);
		}
	}
}

struct tw_periodic {
	struct synack_timer_node node;
	uint64_t period, left, last;
	struct synack_timer_node *victim;   /* cancelled by the first firing */
	struct synack_timer_node spawn;     /* armed by the first firing */
	uint32_t fires, victim_fired, spawn_fired;
	uint64_t now;
	bool bad;
};

static void tw_periodic_fire(struct synack_wheel *w, struct synack_timer_node *node, void *arg)
{
	struct tw_periodic *p = arg;

	if (node == p->victim) {
		p->victim_fired++;
		return;
	}
	if (node == &p->spawn) {
		p->spawn_fired++;
		/* Re-arming at a deadline already past fires on the next tick, not in a loop. */
		if (p->spawn_fired < 5)
			synack_wheel_arm(w, node, p->now - 1);
		return;
	}
	if (p->fires && p->now != p->last + p->period)
		p->bad = true;
	p->last = p->now;
	if (p->fires++ == 0) {
		synack_wheel_cancel(w, p->victim);
		synack_wheel_arm(w, &p->spawn, p->now);
	}
	if (--p->left)
		synack_wheel_arm(w, node, node->expires + p->period);
}

Test(timer_wheel, rearm_cancel_and_arm_inside_callback)
{
	static struct synack_wheel w;
	struct tw_periodic p = {.period = 7, .left = 1000};
	struct synack_timer_node victim;

	synack_wheel_init(&w, TW_TICK_NS, 0);
	synack_timer_init(&p.node);
	synack_timer_init(&p.spawn);
	synack_timer_init(&victim);
	p.victim = &victim;
	/* Same deadline, same bucket: the victim is collected with the periodic one and cancelled
	 * before its turn whichever order the bucket runs in, unless it ran first. */
	synack_wheel_arm(&w, &victim, 7);
	synack_wheel_arm(&w, &p.node, 7);
	for (p.now = 1; p.now <= 7 * 1000 + 100; p.now++)
		synack_wheel_advance(&w, p.now, UINT_MAX, tw_periodic_fire, &p);
	cr_assert_eq(p.fires, 1000);
	cr_assert_not(p.bad, "period drifted");
	cr_assert_eq(p.last, 7000);
	cr_assert_leq(p.victim_fired, 1);
	if (p.victim_fired == 0)
		cr_assert_not(synack_timer_armed(&victim));
	cr_assert_eq(p.spawn_fired, 5);
	cr_assert_eq(synack_wheel_count(&w), 0);

	/* The victim certainly after, in a later bucket due in the same catch-up advance. The
	 * clock lags at 8001 while the victim's bucket (8064) is still to collect, so the spawn,
	 * armed for 9000, is filed against it: level 2, due at 9024. */
	struct tw_periodic q = {.period = 1, .left = 1};
	synack_timer_init(&q.node);
	synack_timer_init(&q.spawn);
	q.victim = &victim;
	synack_wheel_arm(&w, &q.node, 8000);
	synack_wheel_arm(&w, &victim, 8005);
	q.now = 9000;
	synack_wheel_advance(&w, q.now, UINT_MAX, tw_periodic_fire, &q);
	cr_assert_eq(q.fires, 1);
	cr_assert_eq(q.victim_fired, 0);
	cr_assert_not(synack_timer_armed(&victim));
	cr_assert_eq(q.spawn_fired, 0);
	cr_assert_eq(synack_wheel_next_expiry(&w), ref_fire(8001, 9000));
	for (q.now = 9001; q.now <= 9100; q.now++)
		synack_wheel_advance(&w, q.now, UINT_MAX, tw_periodic_fire, &q);
	cr_assert_eq(q.spawn_fired, 5);
	cr_assert_eq(synack_wheel_count(&w), 0);

	/* Only one due tick in the jump: the clock is at now + 1 when the callback runs, so a timer
	 * it arms for now + 1 is exact. */
	struct tw_periodic r = {.period = 1, .left = 2};
	synack_timer_init(&r.node);
	synack_timer_init(&r.spawn);
	r.victim = &victim;
	synack_wheel_arm(&w, &r.node, 10000);
	r.now = 10500;
	synack_wheel_advance(&w, r.now, UINT_MAX, tw_periodic_fire, &r);
	cr_assert_eq(r.fires, 1);
	/* Re-armed at expires + 1 = 10001, already past: due at the next tick, 10501. */
	cr_assert_eq(synack_wheel_next_expiry(&w), 10501);
	for (r.now = 10501; r.now <= 10510; r.now++)
		synack_wheel_advance(&w, r.now, UINT_MAX, tw_periodic_fire, &r);
	cr_assert_eq(r.fires, 2);
	cr_assert_not(r.bad);
	cr_assert_eq(r.spawn_fired, 5);
	cr_assert_eq(synack_wheel_count(&w), 0);
}

Test(timer_wheel, budget_is_honoured_and_nothing_lost)
{
	static struct synack_wheel w;
	static struct synack_timer_node n[1000];
	struct tw_log log = {.now = 50};

	synack_wheel_init(&w, TW_TICK_NS, 0);
	for (unsigned i = 0; i < 1000; i++) {
		synack_timer_init(&n[i]);
		synack_wheel_arm(&w, &n[i], 20 + i % 3);
	}
	cr_assert_eq(synack_wheel_advance(&w, 50, 0, tw_record, &log), 0);
	cr_assert_eq(synack_wheel_count(&w), 1000);
	unsigned total = 0, calls = 0;
	while (synack_wheel_count(&w)) {
		cr_assert_leq(synack_wheel_next_expiry(&w), 50);
		unsigned ran = synack_wheel_advance(&w, 50, 7, tw_record, &log);
		cr_assert(ran == 7 || synack_wheel_count(&w) == 0);
		total += ran;
		calls++;
	}
	cr_assert_eq(total, 1000);
	cr_assert_eq(calls, (1000 + 6) / 7);
	cr_assert_eq(synack_wheel_next_expiry(&w), UINT64_MAX);

	/* Left-over work can also be cancelled or moved before it runs. */
	for (unsigned i = 0; i < 10; i++)
		synack_wheel_arm(&w, &n[i], 60);
	log.now = 60;
	cr_assert_eq(synack_wheel_advance(&w, 60, 3, tw_record, &log), 3);
	unsigned gone = 0;
	for (unsigned i = 0; i < 10; i++)
		if (synack_timer_armed(&n[i]) && gone < 2)
			gone += synack_wheel_cancel(&w, &n[i]);
	cr_assert_eq(gone, 2);
	uint64_t want = ref_fire(w.clk, 1000);
	synack_wheel_arm(&w, &n[9], 1000);
	unsigned left = 0;
	for (unsigned i = 0; i < 9; i++)
		left += synack_timer_armed(&n[i]);
	cr_assert_eq(synack_wheel_count(&w), left + 1);
	cr_assert_eq(synack_wheel_advance(&w, 60, UINT_MAX, tw_record, &log), left);
	cr_assert_eq(synack_wheel_next_expiry(&w), want);
}

Test(timer_wheel, beyond_the_horizon)
{
	static struct synack_wheel w;
	struct synack_timer_node far, never;
	struct tw_log log = {0};
	uint64_t e = 3 * SYNACK_WHEEL_HORIZON + 12345;
	uint64_t top = UINT64_C(1) << (3 * (SYNACK_WHEEL_LEVELS - 1));

	/* 2×MSL and the RTO ceiling fit without clamping at 1 ms ticks. */
	cr_assert_geq(SYNACK_WHEEL_HORIZON, 2 * 120000u);
	synack_wheel_init(&w, TW_TICK_NS, 0);
	synack_timer_init(&far);
	synack_timer_init(&never);
	synack_wheel_arm(&w, &far, e);
	synack_wheel_arm(&w, &never, UINT64_MAX);
	cr_assert_leq(synack_wheel_next_expiry(&w), SYNACK_WHEEL_HORIZON + top);
	/* Big jumps: re-filed on the way, never fired early. */
	for (log.now = 0; log.now < e; log.now += SYNACK_WHEEL_HORIZON / 5) {
		synack_wheel_advance(&w, log.now, UINT_MAX, tw_record, &log);
		cr_assert_eq(log.n, 0);
		cr_assert_eq(synack_wheel_count(&w), 2);
	}
	log.now = e - 1;
	synack_wheel_advance(&w, log.now, UINT_MAX, tw_record, &log);
	cr_assert_eq(log.n, 0);
	log.now = e + top;
	synack_wheel_advance(&w, log.now, UINT_MAX, tw_record, &log);
	cr_assert_eq(log.n, 1);
	cr_assert_eq(log.who[0], &far);
	cr_assert(synack_timer_armed(&never));
	cr_assert_eq(synack_wheel_count(&w), 1);
}

Test(timer_wheel, ns_helpers_round_safely)
{
	static struct synack_wheel w;

	synack_wheel_init(&w, TW_TICK_NS, 0);
	cr_assert_eq(synack_wheel_ns_to_tick(&w, 0), 0);
	cr_assert_eq(synack_wheel_ns_to_tick(&w, 1), 1);
	cr_assert_eq(synack_wheel_ns_to_tick(&w, 1000000), 1);
	cr_assert_eq(synack_wheel_ns_to_tick(&w, 1000001), 2);
	cr_assert_eq(synack_wheel_ns_to_tick(&w, UINT64_MAX), UINT64_MAX / 1000000 + 1);
	cr_assert_eq(synack_wheel_now_tick(&w, 1999999), 1);
	cr_assert_eq(synack_wheel_now_tick(&w, 2000000), 2);
	/* The tick a deadline maps to starts at or after it. */
	for (uint64_t ns = 0; ns < 5000000; ns += 333333)
		cr_assert_geq(synack_wheel_ns_to_tick(&w, ns) * TW_TICK_NS, ns);
}

/* synack_wheel_arm_exact: timers armed at random delays up to 200 s, ticked through one by one
 * with a budget, each fires on its own tick, never early, never late, exactly once; cancelled ones
 * never; and the count is right throughout (a re-filed timer is not counted twice). A plain arm of
 * the same deadlines is late for the coarse levels: the exact one is the difference. */
Test(timer_wheel, exact_timers_fire_on_their_tick)
{
	static struct synack_wheel w;
	const uint32_t n = 200000;
	synack_wheel_init(&w, TW_TICK_NS, 0);
	struct tw_timer *t = calloc(n, sizeof *t);
	cr_assert(t);
	uint64_t seed = 7, cancels = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t r = tw_rand(&seed);
		t[i].expires = r % (TW_MAX_DELAY + 1);
		t[i].late_max = 0;
		t[i].delay = t[i].expires;
		t[i].cancel_at = UINT64_MAX;
		if ((r >> 40) % 4 == 0 && t[i].expires > 0) {
			t[i].cancel_at = (r >> 42) % t[i].expires;
			cancels++;
		}
		synack_wheel_arm_exact(&w, &t[i].node, t[i].expires);
	}
	cr_assert_eq(synack_wheel_count(&w), n);
	uint32_t *start, *order = tw_by_cancel(t, n, TW_MAX_DELAY, &start);
	struct tw_run run = { 0 };
	for (uint64_t now = 0; now <= TW_MAX_DELAY; now++) {
		for (uint32_t k = start[now]; k < start[now + 1]; k++)
			cr_assert(synack_wheel_cancel(&w, &t[order[k]].node));
		run.now = now;
		/* a budget well above the due timers per tick, which the re-filings also spend */
		while (synack_wheel_advance(&w, now, 4096, tw_fire, &run) == 4096)
			;
	}
	cr_assert_eq(run.fired, n - cancels);
	cr_assert_eq(run.bad_early, 0);
	cr_assert_eq(run.bad_late, 0, "%llu fired late", (unsigned long long)run.bad_late);
	cr_assert_eq(run.bad_twice, 0);
	cr_assert_eq(run.bad_cancelled, 0);
	cr_assert_eq(synack_wheel_count(&w), 0);
	free(order);
	free(start);
	free(t);
}
