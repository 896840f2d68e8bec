/* timer_wheel.h: the per-core timer wheel that holds every TCP timer of one lcore (retransmission,
 * FIN-WAIT-2, TIME-WAIT). Plain C on plain memory, no DPDK, single-threaded: each core owns one.
 *
 * The design is that of Linux's kernel/time/timer.c since 4.8: a hierarchical hashed wheel of
 * SYNACK_WHEEL_LEVELS levels of 64 buckets, level l having a granularity of 8^l ticks, and NO
 * cascading. A timer is filed once, at the finest level whose 64 buckets reach its deadline, in
 * the bucket of its deadline rounded UP to that level's granularity; it stays there until it
 * fires or is cancelled. Most TCP timers are cancelled long before they expire (an ACK arrives),
 * so never moving them between levels is the point: arm and cancel are O(1), a few stores each.
 * A bitmap per level marks the non-empty buckets, so the next expiry is found with one rotate and
 * one count-trailing-zeros per level, never by walking empty buckets.
 *
 * Fire-late bound. With d = expires - (the wheel's clock) at arm time, level l (granularity
 * g = 8^l ticks) is used for 63*g/8 < d <= 63*g (level 0: d <= 63, exact). The timer fires at the
 * first tick that is a multiple of g and >= expires: never early, late by at most g - 1 ticks,
 * which is less than 8/63 (12.7 %) of d. At 1 ms ticks:
 *
 *   level  granularity  delays filed there      late by at most
 *     0       1 ms        0 - 63 ms               0
 *     1       8 ms       64 - 504 ms              7 ms
 *     2      64 ms      505 ms - 4.03 s          63 ms
 *     3     512 ms     4.03 s - 32.3 s          511 ms
 *     4     4.1 s      32.3 s - 258 s           4.1 s   (RTO max 120 s, 2×MSL 60 - 240 s)
 *     5    32.8 s       258 s - 34.4 min        32.8 s
 *     6     4.4 min  34.4 min - 4.6 h            4.4 min
 *     7      35 min     4.6 h - 36.7 h            35 min
 *
 * Beyond the horizon (63 * 8^7 ticks, 36.7 h at 1 ms) a timer is filed at the horizon and, when
 * that bucket comes due, silently re-filed against its real deadline instead of firing (Linux
 * fires such timers early; we never do). Converting a deadline from ns to ticks rounds up (one
 * more tick of lateness at most), so a timer never fires before its deadline in ns either.
 *
 * The delay above is counted from the wheel's clock, which is the now_tick of the last advance()
 * plus one, except while advance() catches up over several due ticks at once (or has left expired
 * timers for the next call, see the budget): then it lags at the tick being processed, and a timer
 * armed meanwhile, by a callback say, gets the slack of its delay plus that lag. Called every poll
 * loop, the lag is nil.
 *
 * Ordering: timers due in the same advance fire in no particular order. */
#ifndef SYNACK_CORE_TIMER_WHEEL_H
#define SYNACK_CORE_TIMER_WHEEL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNACK_WHEEL_LVL_BITS      6u  /* 64 buckets a level: one uint64_t bitmap */
#define SYNACK_WHEEL_LVL_SIZE      (1u << SYNACK_WHEEL_LVL_BITS)
#define SYNACK_WHEEL_LVL_CLK_SHIFT 3u  /* each level 8 times coarser than the one below */
#define SYNACK_WHEEL_LEVELS        8u
#define SYNACK_WHEEL_BUCKETS       (SYNACK_WHEEL_LEVELS * SYNACK_WHEEL_LVL_SIZE)

/* The longest delay filed without clamping: 63 buckets of the last level, 132,120,576 ticks. */
#define SYNACK_WHEEL_HORIZON \
	((uint64_t)(SYNACK_WHEEL_LVL_SIZE - 1) << ((SYNACK_WHEEL_LEVELS - 1) * SYNACK_WHEEL_LVL_CLK_SHIFT))

/* A timer, embedded in the user's structure (a TCB, a compact TIME-WAIT entry) and found back with
 * SYNACK_TIMER_ENTRY(). 24 bytes, three words: a TCB carries two of them and the compact states are
 * held by the million in 64-byte entries, so every word counts. There is no bucket index field (a
 * 32-bit idx after a 64-bit expires pads the struct to 32 bytes): the bucket only matters when
 * unlinking empties it, and then the node was its first, so pprev points into the wheel's bucket
 * array and the offset is the index. A node is armed exactly when pprev != NULL, so a zeroed node
 * is a valid idle one. The links are the wheel's; expires may be read. */
struct synack_timer_node {
	struct synack_timer_node *next;
	struct synack_timer_node **pprev;   /* the link that points at us: O(1) unlink, no list head */
	uint64_t expires;                   /* the deadline, in ticks, it was last armed with */
};
static_assert(sizeof(struct synack_timer_node) <= 24, "timer node over three words");

#define SYNACK_TIMER_ENTRY(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

struct synack_wheel;

/* Called by synack_wheel_advance() for each expired timer, which is already disarmed: the callback
 * may re-arm it, cancel or arm any other timer, but must not call synack_wheel_advance(). */
typedef void (*synack_timer_fn)(struct synack_wheel *w, struct synack_timer_node *node, void *arg);

struct synack_wheel {
	uint64_t clk;                /* first tick not yet processed: every bucket due before it is done */
	uint64_t tick_ns;            /* length of a tick, for the ns helpers */
	uint64_t count;              /* armed timers, expired-but-not-yet-run ones included */
	uint64_t expired_tick;       /* the tick the expired lists were due at */
	uint32_t expired_map;        /* bit l: expired[l] is not empty */
	uint64_t map[SYNACK_WHEEL_LEVELS];  /* bit s of map[l]: bucket s of level l is not empty */
	/* Buckets collected by advance() whose callbacks the budget has not reached yet, one list per
	 * level so that a bucket moves here in O(1). */
	struct synack_timer_node *expired[SYNACK_WHEEL_LEVELS];
	struct synack_timer_node *bucket[SYNACK_WHEEL_BUCKETS];
};

/* An empty wheel whose clock reads now_tick, with ticks of tick_ns nanoseconds (> 0). Clock ticks
 * stay below 2^62 (a deadline may be anything, UINT64_MAX being "never"). */
void synack_wheel_init(struct synack_wheel *w, uint64_t tick_ns, uint64_t now_tick);

/* Arms node to fire at the first advance() whose now_tick >= expires (rounded up to the level's
 * granularity, see above). An armed node is moved. A deadline already past fires on the next
 * advance(). O(1). */
void synack_wheel_arm(struct synack_wheel *w, struct synack_timer_node *node, uint64_t expires);

/* As synack_wheel_arm, but fired on its tick exactly (never early, never late): filed one
 * granularity early and filed again, finer, when that bucket comes due, at most once a level.
 * For timers whose lateness shows (an application's think time): the coarse levels' rounding up
 * would fire every timer of a 512 ms bucket in the same tick, late by up to 511 ms, in a burst
 * that a port's queue cannot take. O(1) a level. */
void synack_wheel_arm_exact(struct synack_wheel *w, struct synack_timer_node *node, uint64_t expires);

/* Disarms node. Returns whether it was armed. O(1). */
bool synack_wheel_cancel(struct synack_wheel *w, struct synack_timer_node *node);

/* Moves the clock to now_tick and runs the callbacks of the timers due by then, at most budget of
 * them; the work per call is bounded by budget (a timer beyond the horizon being re-filed counts
 * as one unit too). What the budget did not reach stays due and runs first on the next call, never
 * lost; synack_wheel_next_expiry() <= now_tick says some is left. Besides that, O(levels) per
 * due tick met, at most budget + 1 of them. Returns the callbacks run. */
unsigned synack_wheel_advance(struct synack_wheel *w, uint64_t now_tick, unsigned budget,
			      synack_timer_fn fn, void *arg);

/* The earliest tick at which advance() will fire a timer: the exact due tick of the first non-empty
 * bucket (a deadline rounded up to its level's granularity), or a tick already passed when the
 * budget left expired timers. Advancing to any tick before it fires nothing, so a loop may sleep
 * until it. It may be after the smallest raw deadline armed, by at most that timer's slack, as the
 * timer cannot fire earlier anyway. UINT64_MAX when no timer is armed. O(levels). */
uint64_t synack_wheel_next_expiry(const struct synack_wheel *w);

static inline uint64_t synack_wheel_count(const struct synack_wheel *w) { return w->count; }

static inline void synack_timer_init(struct synack_timer_node *node)
{
	node->next = NULL;
	node->pprev = NULL;
	node->expires = 0;
}

static inline bool synack_timer_armed(const struct synack_timer_node *node) { return node->pprev != NULL; }

static inline uint64_t synack_timer_expires(const struct synack_timer_node *node) { return node->expires; }

/* The tick containing now_ns: rounds down, the tick is not over yet. */
static inline uint64_t synack_wheel_now_tick(const struct synack_wheel *w, uint64_t now_ns)
{
	return now_ns / w->tick_ns;
}

/* The first tick at or after deadline_ns: rounds up, so a timer armed for it never fires before
 * deadline_ns once now_tick comes from synack_wheel_now_tick(). */
static inline uint64_t synack_wheel_ns_to_tick(const struct synack_wheel *w, uint64_t deadline_ns)
{
	return deadline_ns / w->tick_ns + (deadline_ns % w->tick_ns != 0);
}

#endif
