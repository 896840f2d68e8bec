/* tcp.h: the sans-I/O TCP protocol core (RFC 9293). Input is a parsed segment, a user call or a
 * timeout, plus the current time; output is a list of actions: segments to send, timers to arm or
 * cancel, events for the application. The core never allocates, owns no clock and does no I/O,
 * so it is tested, fuzzed and replayed on plain memory. One synack_tcp_ctx per worker core: it holds
 * that core's configuration, ISN secret, counters and challenge-ACK budget, and is written by that
 * core only.
 *
 * Contract with the caller (the per-core engine, or a test harness):
 *  - a connection's TCB is allocated by the caller: on a miss for a SYN to a listening port
 *    (synack_tcp_listen_input() says so), or before synack_tcp_connect();
 *  - after synack_tcp_input() and after the application has reacted to the events (queued data with
 *    synack_tcp_send(), closed...), the caller calls synack_tcp_output(): it sends queued data and
 *    the ACK the input owes, so that an answer and its ACK leave in one segment;
 *  - SYNACK_EV_CLOSED means the TCB is finished: cancel its timers and free it.
 */
#ifndef SYNACK_TCP_TCP_H
#define SYNACK_TCP_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "synack_app.h"

#include "../net/tcp_seg.h"
#include "isn.h"
#include "reass.h"
#include "tcb.h"

#define SYNACK_NS_PER_US 1000ull
#define SYNACK_NS_PER_MS 1000000ull
#define SYNACK_NS_PER_S  1000000000ull

struct synack_tcp_cfg {
	uint32_t msl_ms;            /* Maximum Segment Lifetime; TIME-WAIT lasts 2×MSL (RFC 9293 §3.4.2) */
	uint32_t fin_wait2_ms;      /* give up on a peer that never sends its FIN (Linux tcp_fin_timeout) */
	uint32_t rto_init_ms;       /* RFC 6298 §2.1: 1 s */
	uint32_t rto_min_ms;        /* RFC 6298 §2.4: 1 s (Linux uses 200 ms) */
	uint32_t rto_max_ms;        /* RFC 6298 §2.5: at least 60 s */
	uint8_t syn_retries;        /* SYN retransmissions before giving up (7: 247 s, RFC 9293 §3.8.3) */
	uint8_t synack_retries;     /* SYN-ACK retransmissions (Linux: 5) */
	uint8_t data_retries;       /* data/FIN retransmissions before the connection times out */
	uint8_t timestamps, sack, wscale; /* offer these options (1) or not (0) */
	uint8_t tlp;                /* tail loss probes (RFC 8985 §7), with SACK: 1 on, 0 off */
	uint16_t mss;               /* our MSS option: the largest segment we accept */
	uint32_t rcv_buf;           /* receive buffer per connection, bytes */
	uint32_t challenge_ack_limit; /* challenge ACKs per second per core, on average (RFC 5961 §7):
				       * each second's budget is drawn from [limit / 2, 3 limit / 2) */
	uint32_t challenge_ack_conn_ms; /* and at most one per connection in this many ms (0: no limit) */
	uint32_t invalid_ack_limit;   /* ACKs per second per core answering unacceptable or PAWS-failed
				       * segments (RFC 9293 §3.10.7.4 first step; 0: no limit) */
	uint32_t invalid_ack_conn_ms; /* ... and, for those without data, one per connection in this many
				       * ms (Linux tcp_invalid_ratelimit: an ACK loop's packets carry none) */
	uint32_t rst_limit;           /* RSTs per second per core answering segments for no connection
				       * (RFC 9293 §3.10.7.1; 0: no limit) */
};

/* Fills cfg with the defaults named above. */
void synack_tcp_cfg_default(struct synack_tcp_cfg *cfg);

/* Counters of the core's decisions, single writer (the owning core). One list, so that the struct
 * and the names the console prints cannot drift apart. */
#define SYNACK_TCP_STATS(X)                                                                      \
	X(seg_in) X(seg_out) X(syn_in) X(synack_out) X(rst_out) X(rst_in)                         \
	X(handshakes)             /* connections that reached ESTABLISHED */                     \
	X(active_opens) X(passive_opens)                                                          \
	X(rst_in_ignored)         /* out of window, or TIME-WAIT (RFC 1337) */                   \
	X(challenge_acks)         /* RFC 5961 challenge ACKs sent */                             \
	X(challenge_acks_limited) /* ... withheld by the per-core rate limit */                 \
	X(challenge_acks_conn_limited) /* ... withheld: one per connection per interval */      \
	X(invalid_acks_limited)   /* ACKs to unacceptable segments withheld: the core's rate */  \
	X(invalid_acks_conn_limited) /* ... one per connection per interval (no data) */        \
	X(rst_limited)            /* RSTs for no connection withheld: the core's rate */         \
	X(syn_in_synchronized)    /* SYNs in a synchronized state (RFC 5961 §4) */              \
	X(ack_out_of_range)       /* ACKs outside [SND.UNA - MAX.SND.WND, SND.NXT] (§5) */      \
	X(seg_unacceptable)       /* failed the acceptability test (RFC 9293 §3.10.7.4) */      \
	X(paws_drops)             /* RFC 7323 §5 */                                             \
	X(ooo_segs)               /* in-window segments past RCV.NXT, held (reass.h) */         \
	X(ooo_dup)                /* ... whose bytes were all held already */                   \
	X(ooo_drops)              /* ... dropped, or cut: no queue, or no room (connection, core) */ \
	X(ooo_delivered)          /* held slots delivered once the hole filled */               \
	X(ooo_purged)             /* held slots freed unread: the connection ended */           \
	X(sack_out)               /* segments sent with SACK blocks (RFC 2018) */               \
	X(dsack_out)              /* ... a first block reporting bytes received twice (RFC 2883) */ \
	X(rtx_syn) X(rtx_synack) X(rtx_data) X(rtx_fin)                                           \
	X(fast_retransmits)       /* losses repaired on three duplicate ACKs (RFC 5681 §3.2) */ \
	X(early_retransmits)      /* ... of them on fewer duplicates: a small flight (RFC 5827) */ \
	X(partial_acks)           /* ... and on partial ACKs in fast recovery (RFC 6582) */     \
	X(sack_rtx)               /* ... and holes the peer's SACK blocks showed (RFC 6675) */  \
	X(lost_rtx)               /* ... retransmissions found lost: data sent after them SACKed */ \
	X(recoveries)             /* fast recoveries ended by a full ACK */                     \
	X(recoveries_undone)      /* ... found needless: every resend reported twice (RFC 3708) */ \
	X(tlp_probes)             /* tail loss probes sent: new data or the last segment (RFC 8985 §7) */ \
	X(tlp_recoveries)         /* ... whose ACK showed the tail lost: recovery without the RTO */ \
	X(rto_data)               /* data retransmission timeouts (go-back-N from SND.UNA) */   \
	X(timeouts)               /* connections given up after their retries */                 \
	X(tw_reopen)              /* new SYN accepted in TIME-WAIT (RFC 6191) */                \
	X(fin_wait2_timeouts)                                                                     \
	X(keepalive_probes)       /* keep-alive probes sent (RFC 1122 §4.2.3.6) */              \
	X(keepalive_timeouts)     /* ... connections dropped, their probes unanswered */        \
	X(cookies_sent) X(cookies_accepted) X(cookies_rejected)                                   \
	X(data_bytes_in) X(data_bytes_out)                                                        \
	X(pmtu_lowered)           /* ICMP fragmentation needed took a connection's MSS down */  \
	X(icmp_ignored)           /* ... one not for a segment in flight, or no smaller (RFC 5927) */

struct synack_tcp_stats {
#define SYNACK_X_FIELD(n) uint64_t n;
	SYNACK_TCP_STATS(SYNACK_X_FIELD)
#undef SYNACK_X_FIELD
};

#define SYNACK_TCP_STATS_COUNT (sizeof(struct synack_tcp_stats) / sizeof(uint64_t))
/* Name of the i-th counter of struct synack_tcp_stats, in declaration order. */
const char *synack_tcp_stat_name(unsigned i);

#define SYNACK_CHACK_SLOTS 4096

struct synack_tcp_ctx {
	struct synack_tcp_cfg cfg;
	uint8_t secret[16];             /* RFC 6528 secret key: never printed or logged */
	struct synack_isn_key isn_key;  /* F's key, derived from secret */
	struct {                        /* synack_tcp_isn_ahead() */
		struct synack_tuple t;
		uint64_t f;
		bool set;
	} isn_ahead;
	uint64_t chack_window_ns;       /* start of the current challenge-ACK second */
	uint32_t chack_sent;            /* challenge ACKs in that second */
	uint32_t chack_budget;          /* that second's budget, drawn at random */
	uint64_t chack_windows;         /* seconds drawn so far: the draw's counter */
	/* The per-connection limit, kept beside the TCBs (which have no byte to spare): the last
	 * challenge ACK's time, in 8 ms units (0: none), in a slot chosen by a keyed hash of the
	 * tuple; connections that share a slot share the limit. */
	uint16_t chack_slot[SYNACK_CHACK_SLOTS];
	/* The same for ACKs to unacceptable segments (invalid_ack_conn_ms), and the one-second
	 * windows of the invalid-ACK and RST budgets. */
	uint16_t oow_slot[SYNACK_CHACK_SLOTS];
	uint64_t oow_window_ns, rst_window_ns;
	uint32_t oow_sent, rst_sent;
	uint32_t core_id;
	/* The out-of-order queue's store (NULL: segments past a hole are dropped, as before RFC 9293
	 * allowed keeping them). Set by the caller after synack_tcp_ctx_init(). */
	struct synack_reass *reass;
	/* RFC 2883 (D-SACK): bytes of dsack_tcb's peer received twice, which the ACK this input sends
	 * reports in its first SACK block. Set by the input that found them, cleared at the next. */
	const struct synack_tcb *dsack_tcb;
	uint32_t dsack[2];
	/* Tests pin ISNs with this; NULL in production (RFC 6528 ISNs). */
	uint32_t (*isn_hook)(void *arg, const struct synack_tuple *t);
	void *isn_arg;
	struct synack_tcp_stats stats;
};

/* Sets up a core's context: defaults if cfg is NULL, a fresh 128-bit secret from getrandom(2).
 * Returns 0, or -errno if the kernel could not give randomness. */
int synack_tcp_ctx_init(struct synack_tcp_ctx *ctx, const struct synack_tcp_cfg *cfg, uint32_t core_id);

/* ---- actions ---- */

enum synack_timer {
	SYNACK_TIMER_RTX = 0,   /* SYN, SYN-ACK, data and FIN retransmission */
	SYNACK_TIMER_LINGER,    /* FIN-WAIT-2 limit, TIME-WAIT 2×MSL */
	SYNACK_TIMER_COUNT
};

enum synack_event {
	SYNACK_EV_STATE = 0,    /* a = old state, b = new state */
	SYNACK_EV_CONNECTED,    /* active open reached ESTABLISHED */
	SYNACK_EV_ACCEPTED,     /* passive open reached ESTABLISHED */
	SYNACK_EV_DATA,         /* n bytes at data, in order */
	SYNACK_EV_ACKED,        /* n bytes of the send stream acknowledged: free them */
	SYNACK_EV_PEER_FIN,     /* the peer will send no more */
	SYNACK_EV_TIME_WAIT,    /* entered TIME-WAIT: the caller may keep it as a compact entry */
	SYNACK_EV_REOPEN,       /* TIME-WAIT took a new SYN (RFC 6191): end it, open anew with ISS >= n */
	SYNACK_EV_CLOSED,       /* a = enum synack_close_reason; the TCB may be freed */
};

/* enum synack_close_reason is public: synack_app.h. */
const char *synack_event_name(unsigned e);

enum synack_action_kind {
	SYNACK_ACT_SEND = 0,
	SYNACK_ACT_TIMER_ARM,
	SYNACK_ACT_TIMER_CANCEL,
	SYNACK_ACT_EVENT,
};

struct synack_action {
	uint8_t kind;           /* enum synack_action_kind */
	uint8_t id;             /* timer or event */
	uint8_t a, b;           /* event arguments */
	uint32_t n;
	union {
		struct synack_seg seg;    /* SEND */
		uint64_t deadline_ns;     /* TIMER_ARM */
		const uint8_t *data;      /* EV_DATA */
	};
};

#define SYNACK_ACTIONS_MAX 48
/* Left free by a burst of segments: the retransmission timer's arm (RFC 6298 §5.1), an ACK and
 * the events that follow it always fit. The rest of the data goes with the next ACK. */
#define SYNACK_ACTIONS_RESERVE 4

struct synack_actions {
	uint32_t n;
	uint32_t overflow;      /* actions that did not fit: a bug in the caller's sizing, counted */
	uint32_t events;        /* bit 1 << e for each event e in a[]: a caller asks without a scan */
	struct synack_action a[SYNACK_ACTIONS_MAX];
};

static inline void synack_actions_reset(struct synack_actions *out)
{
	out->n = 0;
	out->overflow = 0;
	out->events = 0;
}

/* ---- entry points ---- */

/* A segment for a local port that has a listener but no connection for this tuple (RFC 9293
 * §3.10.7.2). Returns true for a SYN that opens a connection: the caller provides a TCB and calls
 * synack_tcp_accept(). Otherwise any reply (an RST for a stray ACK) is already in out. */
bool synack_tcp_listen_input(struct synack_tcp_ctx *ctx, const struct synack_seg *seg, uint64_t now,
			     struct synack_actions *out);

/* Opens a passive connection for a SYN: SYN-RECEIVED, SYN-ACK sent, retransmission armed.
 * iss_floor (used when the SYN reopened a TIME-WAIT tuple, else 0 with has_floor false) keeps the
 * new ISS above the old connection's sequence space. */
void synack_tcp_accept(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
		       uint64_t now, bool has_floor, uint32_t iss_floor, struct synack_actions *out);

/* SYN cookies (RFC 4987 §3.6; see syncookie.h). Answers a SYN to a listening port with a SYN-ACK
 * whose ISS is a cookie, keeping no state. The SYN itself is counted by synack_tcp_listen_input(),
 * which the caller passed it through first. */
void synack_tcp_cookie_synack(struct synack_tcp_ctx *ctx, const struct synack_seg *syn, uint64_t now,
			      struct synack_actions *out);
/* An ACK to a listening port with no connection, offered here before synack_tcp_listen_input():
 * if it returns a valid cookie, sets tcb up as the connection (ESTABLISHED, the segment's data and
 * FIN processed), counts the segment in, and returns true. Otherwise counts the rejection and
 * returns false: the caller then passes the ACK to synack_tcp_listen_input() (an RST). */
bool synack_tcp_cookie_accept(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
			      uint64_t now, struct synack_actions *out);

/* No connection and no listener (RFC 9293 §3.10.7.1): the RST to answer with, if any, within the
 * core's RST budget (cfg.rst_limit). */
void synack_tcp_no_conn(struct synack_tcp_ctx *ctx, const struct synack_seg *seg, uint64_t now,
			struct synack_actions *out);

/* F(t) (synack_isn_hash(&ctx->isn_key, t)) computed by the caller ahead of the opening on t, so
 * that a burst's F overlap instead of each opening waiting for its own (AES's rounds are a
 * 40-cycle chain). The next synack_tcp_connect() or synack_tcp_accept() uses it if its tuple is t
 * and forgets it either way. F depends on the tuple and the key only, so a value left over stays
 * right. */
static inline void synack_tcp_isn_ahead(struct synack_tcp_ctx *ctx, const struct synack_tuple *t, uint64_t f)
{
	ctx->isn_ahead.t = *t;
	ctx->isn_ahead.f = f;
	ctx->isn_ahead.set = true;
}

/* Active OPEN (RFC 9293 §3.10.1): SYN-SENT, SYN sent, retransmission armed. */
void synack_tcp_connect(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_tuple *t,
			uint64_t now, struct synack_actions *out);

/* SEGMENT ARRIVES for an existing connection (RFC 9293 §3.10.7.3 and §3.10.7.4). */
void synack_tcp_input(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, const struct synack_seg *seg,
		      uint64_t now, struct synack_actions *out);

/* Held out-of-order bytes that the last input made contiguous but could not list (more than
 * SYNACK_REASS_DELIVER_MAX slots): true when there are some; then the caller handles out and
 * calls synack_tcp_reass_deliver() with a fresh list, until this says false. */
static inline bool synack_tcp_reass_more(const struct synack_tcp_ctx *ctx, const struct synack_tcb *tcb)
{
	return tcb->ooo && ctx->reass && synack_reass_ready(ctx->reass, tcb->ooo, tcb->rcv_nxt);
}
void synack_tcp_reass_deliver(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
			      struct synack_actions *out);

/* Sends what can be sent now: queued data within the windows, a queued FIN, an owed ACK. */
void synack_tcp_output(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
		       struct synack_actions *out);

/* User SEND (RFC 9293 §3.10.2) of len more bytes, already placed in the send stream by the caller.
 * Returns 0, or -ENOTCONN / -EPIPE when the state forbids sending. Call synack_tcp_output() after. */
int synack_tcp_send(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t len);

/* The application consumed n delivered bytes: the receive window opens again. */
void synack_tcp_consumed(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t n);
/* ICMP fragmentation needed for the segment at seq (RFC 1191 §6.1): a path MTU of mtu. Taken only
 * for a segment in flight, SND.UNA <= seq < SND.MAX (RFC 5927 §4.1: a blind attacker must guess
 * the window), and only to lower the MSS, never under 552 bytes of MTU; the segments in flight
 * go again at once at the new size (they were dropped, not congested). True when taken: the caller
 * runs synack_tcp_output. */
bool synack_tcp_frag_needed(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint32_t seq, uint32_t mtu);

/* Keep-alives (RFC 1122 §4.2.3.6), timed by the caller: a probe, <SEQ=SND.UNA-1><ACK=RCV.NXT>
 * with no data, which a live peer must answer with an ACK (the sequence number is outside its
 * window); and the end of a connection whose probes went unanswered (an RST, CLOSED with
 * SYNACK_CLOSE_TIMEOUT). */
void synack_tcp_keepalive_probe(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
				struct synack_actions *out);
void synack_tcp_keepalive_timeout(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, struct synack_actions *out);

/* The connection received nothing for more than 24 days, timed by the caller: TS.Recent is no
 * longer valid (RFC 7323 §5.5: the peer's clock may have moved past half its range), so seg's
 * TSval takes its place before synack_tcp_input(), which PAWS then does not refuse. */
static inline void synack_tcp_ts_stale(struct synack_tcb *tcb, const struct synack_seg *seg)
{
	if ((tcb->flags & SYNACK_TF_TS) && (seg->opts.present & SYNACK_OPT_TS))
		tcb->ts_recent = seg->opts.tsval;
}

/* User CLOSE (RFC 9293 §3.10.4). Returns 0 or -ENOTCONN / -ESHUTDOWN (already closing). */
int synack_tcp_close(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
		     struct synack_actions *out);

/* User ABORT (RFC 9293 §3.10.5): RST where the state calls for one, then CLOSED. */
void synack_tcp_abort(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, uint64_t now,
		      struct synack_actions *out);

/* A timer the core armed has expired (RFC 9293 §3.10.8). */
void synack_tcp_timeout(struct synack_tcp_ctx *ctx, struct synack_tcb *tcb, enum synack_timer t,
			uint64_t now, struct synack_actions *out);

#endif
