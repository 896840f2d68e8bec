/* timer_wheel.c: the per-core hierarchical timer wheel without cascading (see timer_wheel.h for the
 * design and the fire-late bound).
 *
 * Invariant that makes it work: a bucket of level l only ever holds timers due at one tick, and
 * every level-l timer is due within the 64 multiples of 8^l ticks starting at the first one
 * >= clk. Filing keeps it (a delay of at most 63 * 8^l, rounded up, lands at most 63 slots ahead
 * of the first slot that is still to come), and advancing keeps it because the clock only jumps to
 * the earliest due bucket, never past it. So the bucket whose slot matches a due tick holds exactly
 * the timers due at that tick, and nothing has to be sorted or re-examined. */
#include "core/timer_wheel.h"

#include <string.h>

#define LVL_MASK ((uint64_t)SYNACK_WHEEL_LVL_SIZE - 1)

static inline unsigned lvl_shift(unsigned lvl) { return lvl * SYNACK_WHEEL_LVL_CLK_SHIFT; }

/* The finest level whose reach, 63 * 8^l ticks, covers delta (delta <= SYNACK_WHEEL_HORIZON).
 * From the bit length instead of a chain of compares: with b bits, level ceil((b - 6) / 3) has
 * 64 * 8^l > delta, and the one below it cannot hold delta; only 63 vs 64 buckets is left to check. */
static inline unsigned delta_level(uint64_t delta)
{
	if (delta < SYNACK_WHEEL_LVL_SIZE)
		return 0;
	unsigned bits = 64u - (unsigned)__builtin_clzll(delta);
	unsigned lvl = (bits - SYNACK_WHEEL_LVL_BITS + SYNACK_WHEEL_LVL_CLK_SHIFT - 1) / SYNACK_WHEEL_LVL_CLK_SHIFT;
	if (delta > (LVL_MASK << lvl_shift(lvl)))
		lvl++;
	return lvl;
}

static inline void list_push(struct synack_timer_node **head, struct synack_timer_node *n)
{
	struct synack_timer_node *first = *head;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	*head = n;
	n->pprev = head;
}

/* Takes n off whatever list it is on, keeping the bitmaps true. Leaves n's own links stale. */
static inline void unlink_node(struct synack_wheel *w, struct synack_timer_node *n)
{
	struct synack_timer_node *next = n->next;

	*n->pprev = next;
	if (next) {
		next->pprev = n->pprev;
		return;
	}
	/* The list may be empty now: it is if n was also its first node, that is if pprev points at
	 * a list head inside the wheel (otherwise it points into another node). The offset says
	 * which head. Pointers compared as integers: they need not point into the same array. */
	uintptr_t at = (uintptr_t)n->pprev;
	uintptr_t off = at - (uintptr_t)w->bucket;
	if (off < sizeof w->bucket) {
		size_t idx = off / sizeof w->bucket[0];
		w->map[idx / SYNACK_WHEEL_LVL_SIZE] &= ~(UINT64_C(1) << (idx % SYNACK_WHEEL_LVL_SIZE));
		return;
	}
	off = at - (uintptr_t)w->expired;
	if (off < sizeof w->expired)
		w->expired_map &= ~(UINT32_C(1) << (off / sizeof w->expired[0]));
}

/* Files n (not on any list) for expires, against the current clock. */
static inline void file_node(struct synack_wheel *w, struct synack_timer_node *n, uint64_t expires)
{
	uint64_t clk = w->clk;
	/* Already due: the next tick to process; beyond the horizon: at the horizon, from where
	 * advance() re-files it (it sees expires >= clk) instead of firing it. */
	uint64_t due = expires < clk ? clk : expires;
	uint64_t delta = due - clk;
	if (delta > SYNACK_WHEEL_HORIZON) {
		delta = SYNACK_WHEEL_HORIZON;
		due = clk + delta;
	}
	unsigned lvl = delta_level(delta), shift = lvl_shift(lvl);
	/* Round up: the bucket's tick is the first multiple of the granularity >= due. */
	uint64_t slot = ((due + (UINT64_C(1) << shift) - 1) >> shift) & LVL_MASK;
	unsigned idx = lvl * SYNACK_WHEEL_LVL_SIZE + (unsigned)slot;

	list_push(&w->bucket[idx], n);
	w->map[lvl] |= UINT64_C(1) << slot;
	n->expires = expires;
}

/* As file_node, but in the bucket of the deadline rounded DOWN to the level's granularity: the
 * bucket comes due at most one granularity early, when advance() sees expires >= clk and files
 * the node again, now at a finer level, until level 0 fires it on its tick. For delta > 63 g / 8
 * the rounded tick is still after clk (level l >= 1 has delta > g). */
static inline void file_node_down(struct synack_wheel *w, struct synack_timer_node *n, uint64_t expires)
{
	uint64_t clk = w->clk;
	uint64_t due = expires < clk ? clk : expires;
	uint64_t delta = due - clk;
	if (delta > SYNACK_WHEEL_HORIZON) {
		file_node(w, n, expires);
		return;
	}
	unsigned lvl = delta_level(delta), shift = lvl_shift(lvl);
	uint64_t slot = (due >> shift) & LVL_MASK;
	unsigned idx = lvl * SYNACK_WHEEL_LVL_SIZE + (unsigned)slot;
	list_push(&w->bucket[idx], n);
	w->map[lvl] |= UINT64_C(1) << slot;
	n->expires = expires;
}

void synack_wheel_init(struct synack_wheel *w, uint64_t tick_ns, uint64_t now_tick)
{
	memset(w, 0, sizeof *w);
	w->tick_ns = tick_ns ? tick_ns : 1;
	w->clk = now_tick;
}

static inline void arm(struct synack_wheel *w, struct synack_timer_node *node, uint64_t expires, bool exact)
{
	if (node->pprev)
		unlink_node(w, node);
	else
		w->count++;
	if (exact)
		file_node_down(w, node, expires);
	else
		file_node(w, node, expires);
}

void synack_wheel_arm(struct synack_wheel *w, struct synack_timer_node *node, uint64_t expires)
{
	arm(w, node, expires, false);
}

void synack_wheel_arm_exact(struct synack_wheel *w, struct synack_timer_node *node, uint64_t expires)
{
	arm(w, node, expires, true);
}

bool synack_wheel_cancel(struct synack_wheel *w, struct synack_timer_node *node)
{
	if (!node->pprev)
		return false;
	unlink_node(w, node);
	node->pprev = NULL;
	node->next = NULL;
	w->count--;
	return true;
}

/* The due tick of the first non-empty bucket at or after clk, UINT64_MAX if none. Per level, the
 * bitmap rotated so that the first slot still to come is bit 0, then its lowest set bit. */
static uint64_t first_due(const struct synack_wheel *w)
{
	uint64_t best = UINT64_MAX;

	for (unsigned lvl = 0; lvl < SYNACK_WHEEL_LEVELS; lvl++) {
		unsigned shift = lvl_shift(lvl);
		/* The first tick of this level's clock that is >= clk, in units of its granularity. */
		uint64_t first = (w->clk + (UINT64_C(1) << shift) - 1) >> shift;
		/* Coarser levels start no earlier: nothing there can beat what we have. */
		if ((first << shift) >= best)
			break;
		uint64_t m = w->map[lvl];
		if (!m)
			continue;
		unsigned pos = (unsigned)(first & LVL_MASK);
		uint64_t rot = pos ? (m >> pos) | (m << (SYNACK_WHEEL_LVL_SIZE - pos)) : m;
		uint64_t due = (first + (unsigned)__builtin_ctzll(rot)) << shift;
		if (due < best)
			best = due;
	}
	return best;
}

uint64_t synack_wheel_next_expiry(const struct synack_wheel *w)
{
	/* Collected and waiting for budget. */
	if (w->expired_map)
		return w->expired_tick;
	return first_due(w);
}

/* Moves the buckets due at tick t (t = first_due()) to the expired lists. Level l is due only
 * when t is a multiple of its granularity, hence also of every finer level's. */
static void collect(struct synack_wheel *w, uint64_t t)
{
	for (unsigned lvl = 0; lvl < SYNACK_WHEEL_LEVELS; lvl++) {
		unsigned shift = lvl_shift(lvl);
		if (t & ((UINT64_C(1) << shift) - 1))
			break;
		unsigned slot = (unsigned)((t >> shift) & LVL_MASK);
		if (!(w->map[lvl] & (UINT64_C(1) << slot)))
			continue;
		unsigned idx = lvl * SYNACK_WHEEL_LVL_SIZE + slot;
		struct synack_timer_node *first = w->bucket[idx];
		/* The whole list moves with its head: only the first node points back at it. */
		w->bucket[idx] = NULL;
		w->map[lvl] &= ~(UINT64_C(1) << slot);
		w->expired[lvl] = first;
		first->pprev = &w->expired[lvl];
		w->expired_map |= UINT32_C(1) << lvl;
	}
}

unsigned synack_wheel_advance(struct synack_wheel *w, uint64_t now_tick, unsigned budget,
			      synack_timer_fn fn, void *arg)
{
	unsigned work = 0, ran = 0;

	for (;;) {
		if (w->expired_map) {
			if (work == budget)
				break;
			work++;
			unsigned lvl = (unsigned)__builtin_ctz(w->expired_map);
			struct synack_timer_node *n = w->expired[lvl];
			unlink_node(w, n);
			uint64_t expires = n->expires;
			if (expires >= w->clk) {
				/* Filed at the horizon, or early on purpose (arm_exact): not due yet, file
				 * it again from here, rounded down so that it keeps its exact tick (a
				 * finer level each time, level 0 last). The check also makes "never
				 * early" hold whatever the filing did. */
				file_node_down(w, n, expires);
				continue;
			}
			n->pprev = NULL;
			n->next = NULL;
			w->count--;
			/* Last use of n: the callback owns it from here. */
			fn(w, n, arg);
			ran++;
			continue;
		}
		if (w->clk > now_tick)
			break;
		uint64_t t = first_due(w);
		if (t > now_tick) {
			w->clk = now_tick + 1;
			break;
		}
		collect(w, t);
		w->expired_tick = t;
		/* Timers the callbacks arm are filed against clk: if nothing else is due by now_tick,
		 * the clock may jump to it straight away, so that they are filed against the real time
		 * (their slack then is that of their delay). Otherwise the clock must stop after t, not
		 * skip the buckets still due, and lags until they have been collected. A deadline
		 * already passed goes to clk, the next tick to process. */
		w->clk = t + 1;
		if (first_due(w) > now_tick)
			w->clk = now_tick + 1;
	}
	return ran;
}
