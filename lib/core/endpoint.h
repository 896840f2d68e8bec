/* endpoint.h: one core's TCP endpoint, plain C: everything a worker decides for a segment, a timer
 * or an open, with no frame, port or clock of its own. It owns the connection pool and the tuple
 * table, the TIME-WAIT table, the timer wheel, the send rings, the SYN-RECEIVED bound and the SYN
 * cookie fallback, the listeners and the applications' callbacks, the load's per-connection
 * counters and latencies. Its whole surface (quicly's shape):
 *
 *   synack_ep_input(ep, port, seg, src_mac, hash)   a segment for one of our addresses arrived
 *   synack_ep_advance(ep)                           time is now ep->now_ns: timers, TIME-WAIT ends
 *   synack_ep_connect(ep, port, tuple, ...)         open this (a load's start)
 *   synack_ep_listen / _unlisten / _set_msl         control
 *
 * and what it sends goes out through the io callbacks the caller gives it: lib/dpdk/tx.c builds
 * mbufs, the in-memory pair (tests/common/pair.c) puts frames on a simulated wire. The caller
 * sets now_ns before each call (one clock read per poll loop), and is the only thread that calls
 * in; the console reads the pool and the counters lock-free (conn->version, lc_ver, rec_ver). */
#ifndef SYNACK_CORE_ENDPOINT_H
#define SYNACK_CORE_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/ctab.h"
#include "core/histogram.h"
#include "core/timer_wheel.h"
#include "core/tw_table.h"
#include "synack.h"
#include "synack_app.h"
#include "tcp/tcp.h"

#define SYNACK_MAX_LISTENERS 64
#define SYNACK_SBUF_SIZE 16384u      /* a send ring; also each connection's receive buffer */
#define SYNACK_TICK_NS 1000000ull    /* the timer wheel's tick: 1 ms */

struct synack_listener {
	const struct synack_app *app;
	void *arg;                      /* synack_conn_listener_arg() */
	uint16_t port;
	uint8_t svc, keepalive;         /* a built-in service (SYNACK_SVC_COUNT: the user's own app) */
	uint32_t body;
};

/* Received bytes an application has not taken yet: kept in the frame they came in, which the io
 * layer keeps (its hold callback places this record where it likes, the frame's headroom say). */
struct synack_held {
	struct synack_held *next;
	const uint8_t *p;
	uint32_t len;
	void *frame;                    /* the io layer's handle, for release */
};

/* How an endpoint's decisions leave it. Called only from inside synack_ep_* calls. */
struct synack_ep_io {
	void *arg;
	/* Sends s on port to mac; c: the connection whose send stream holds s's payload (NULL: a
	 * reply without one). rx_ok: the frame being handled may carry it (its data is read). */
	void (*send)(void *arg, unsigned port, struct synack_conn *c, const struct synack_seg *s, const uint8_t mac[6],
		     bool rx_ok);
	/* Keeps the len bytes at p of the frame being handled: a record for them, its p and len set
	 * (to the frame, or a copy), or NULL (they are then dropped and counted). */
	struct synack_held *(*hold)(void *arg, const uint8_t *p, uint32_t len);
	/* A held record's bytes are all taken. */
	void (*release)(void *arg, struct synack_held *h);
	/* Optional (NULL: none): every event the core reports for connection t (state changes,
	 * data, closes, TIME-WAIT entries' reopen included), before the endpoint acts on it. For
	 * observers: the in-memory pair's trace and records. */
	void (*trace)(void *arg, const struct synack_tuple *t, const struct synack_action *a);
};

/* Memory for the tables: zeroed, 64-byte aligned (bigmem under DPDK, calloc in tests). */
struct synack_ep_mem {
	void *arg;
	void *(*alloc)(void *arg, size_t size);
	void (*free)(void *arg, void *p, size_t size);
};

struct synack_ep_cfg {
	struct synack_tcp_cfg tcp;
	uint32_t id;                    /* the core's worker index (ISN context, synack_conn_worker) */
	uint32_t nconns;                /* connection pool */
	uint32_t ntw;                   /* TIME-WAIT table */
	uint32_t nsbuf;                 /* send rings of sbuf_size bytes */
	uint32_t sbuf_size;             /* ... a power of two, 0: SYNACK_SBUF_SIZE */
	uint32_t synrcv_max;            /* half-open connections at once */
	uint8_t cookie_mode;            /* 0 off, 1 when the half-open bound or the pool is full, 2 always */
	uint32_t ooo_slots;             /* the out-of-order queue's store: 2 KiB slots (0: no queue) */
	uint32_t ooo_per_conn;          /* ... at most this many per connection (SYNACK_REASS_CONN_MAX) */
	uint32_t delack_ms;             /* delayed ACKs (RFC 1122 §4.2.3.2), at most this late; 0: off */
	/* Keep-alives (RFC 1122 §4.2.3.6): after keepalive_s idle (0: off, the default RFC 1122 asks),
	 * a probe every keepalive_intvl_s, the connection dropped after keepalive_probes unanswered. */
	uint32_t keepalive_s, keepalive_intvl_s, keepalive_probes;
};

struct synack_ep {
	/* ---- written by its core on every packet ---- */
	struct synack_core_stats stats __attribute__((aligned(64)));
	struct synack_tcp_ctx ctx;
	uint64_t now_ns;                /* set by the caller before each call */
	struct synack_ctab conn_tab;    /* tuple -> index in conns */
	struct synack_conn *conns;
	uint32_t nconns, nfree;
	uint32_t *free_idx;
	struct synack_tw_table tw;
	struct synack_wheel *wheel;
	uint8_t *sbuf_mem;              /* sbuf_size per send-ring slot */
	uint32_t sbuf_size;
	uint32_t *sbuf_free, nsbuf, nsbuf_free;
	struct synack_conn *synrcv_head, *synrcv_tail;
	uint32_t synrcv_count, synrcv_max;
	uint8_t cookie_mode;
	uint32_t client_open;           /* client connections not yet freed (TIME-WAIT excluded) */
	/* The load's scripts: a client connection's app indexes them. */
	uint8_t nscripts;
	struct synack_load_script script[SYNACK_LOAD_MAX_SCRIPTS];
	uint32_t connect_timeout_ms;    /* the load's (synack_load): 0, the SYN retries decide */
	/* The load's counters, per script: written under lc_ver (a sequence lock) so that a reader's
	 * copy is consistent (started = completed + failed + in flight). */
	uint32_t lc_ver;
	struct synack_load_counters lc[SYNACK_LOAD_MAX_SCRIPTS];
	/* Latency: per script, per kind, uncorrected [0] and from the intended start [1]. */
	struct synack_hist (*lh)[SYNACK_LAT_COUNT][2];
	uint64_t *t_intended;           /* per pool index: a client connection's intended start, ns */
	uint8_t *app_ctx;               /* per pool index: SYNACK_APP_CTX_MAX bytes (synack_conn_ctx) */
	struct synack_held **held;      /* per pool index: received bytes the application has not taken */
	uint64_t *user;                 /* per pool index: the application's word (synack_conn_user) */
	struct synack_reass reass;      /* the out-of-order queue's slots (ctx.reass points here) */
	/* Delayed ACKs (ep_delack.c): a FIFO of (connection, deadline), the deadlines in order as the
	 * delay is one for all. */
	struct synack_delack { uint32_t idx; uint32_t at_ms; } *delack_q;
	uint32_t delack_cap, delack_head, delack_n, delack_ms;
	uint32_t ka_s, ka_intvl_s, ka_probes;   /* keep-alives (ep_keepalive.c): idle, interval, probes */
	bool ka_all;                    /* every connection gets them as it opens (keepalive_s set) */
	bool ka_any;                    /* ... or one got them (synack_conn_keepalive): segments note the time */
	uint64_t next_day_ns;           /* when `today` moves on */
	uint8_t today;                  /* days of the clock, mod 256: a connection's rx_day's reference */
	void *reass_mem;
	/* The first client connection after a connect command records its response (show response). */
	uint32_t rec_idx;               /* the recording connection, UINT32_MAX: none */
	bool rec_arm;                   /* the next active open records */
	uint32_t rec_len, rec_ver;      /* rec_ver: seqlock for the console's read */
	char rec[1024];
	/* listeners: lidx[port] = 1 + index into lst[], 0 when nobody listens */
	uint8_t lidx[65536];
	struct synack_listener lst[SYNACK_MAX_LISTENERS];
	uint32_t lst_conns[SYNACK_MAX_LISTENERS];      /* connections that name each listener slot */
	unsigned nlst;
	/* ---- set up at start, read-only after ---- */
	uint32_t id;
	struct synack_ep_io io;
	struct synack_ep_mem mem;
};

/* Sets up ep's tables (cfg's sizes) with now_ns as its clock. 0, or -1 with err filled. */
int synack_ep_init(struct synack_ep *ep, const struct synack_ep_cfg *cfg, const struct synack_ep_io *io,
		   const struct synack_ep_mem *mem, uint64_t now_ns, char *err, size_t errlen);
void synack_ep_free(struct synack_ep *ep);

/* A segment addressed to us, on port, from src_mac. hash: its connection-table hash if the caller
 * computed it ahead (synack_ctab_hash on ep->conn_tab), or NULL. */
void synack_ep_input(struct synack_ep *ep, unsigned port, const struct synack_seg *s, const uint8_t src_mac[6],
		     const uint64_t *hash);

/* ICMP fragmentation needed for our segment on tuple t at seq, next-hop MTU mtu (RFC 1191): the
 * connection's MSS lowered and what is in flight sent again, if the segment is one in flight
 * (synack_tcp_frag_needed); otherwise counted (icmp_ignored) and nothing done. */
void synack_ep_frag_needed(struct synack_ep *ep, const struct synack_tuple *t, uint32_t seq, uint32_t mtu);

/* Time is ep->now_ns: timers due, TIME-WAIT entries over, each bounded to budget. The work done. */
unsigned synack_ep_advance(struct synack_ep *ep, unsigned budget);

/* Opens a client connection on port for tuple t to mac, running script sc; intended_ns: the open
 * loop's intended start (0: closed loop); isn_f: the ISN's F computed ahead (synack_isn_hash), or
 * 0. h: t's connection-table hash. The connection, or NULL (pool or table full: counted). */
struct synack_conn *synack_ep_connect(struct synack_ep *ep, unsigned port, const struct synack_tuple *t, uint64_t h,
				      unsigned sc, const uint8_t mac[6], uint64_t intended_ns, uint64_t isn_f);

/* Whether an active open must not take tuple t (h its hash): a listener's port, open, or (when
 * check_tw) in TIME-WAIT. */
bool synack_ep_tuple_busy(struct synack_ep *ep, const struct synack_tuple *t, uint64_t h, bool check_tw);

/* Listens with l (a live port keeps its application: -EEXIST for another one); -ENOSPC. */
int synack_ep_listen(struct synack_ep *ep, const struct synack_listener *l);
int synack_ep_unlisten(struct synack_ep *ep, uint16_t port);
/* A new load's scripts: -EBUSY while client connections of other scripts are open. */
int synack_ep_set_scripts(struct synack_ep *ep, const struct synack_load_script *s, unsigned n);

/* Runs fn(c, arg) as an application callback would run (it may send, close, abort), then carries
 * out what it asked: for calls from outside the callbacks (a test, an operator's kill). Returns
 * fn's result. */
int synack_ep_user(struct synack_ep *ep, struct synack_conn *c, int (*fn)(struct synack_conn *c, void *arg),
		   void *arg);

/* Copies len bytes of c's send stream from sequence number seq into dst (for the io's send). */
void synack_ep_stream_copy(struct synack_ep *ep, struct synack_conn *c, uint32_t seq, uint8_t *dst, uint32_t len);

static inline struct synack_conn *synack_ep_lookup(const struct synack_ep *ep, const struct synack_tuple *t)
{
	uint32_t ci = ep->conn_tab.count ? synack_ctab_lookup(&ep->conn_tab, t) : SYNACK_CTAB_NIL;
	return ci == SYNACK_CTAB_NIL ? NULL : &ep->conns[ci];
}

#endif
