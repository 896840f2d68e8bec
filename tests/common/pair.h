/* pair.h: two per-core endpoints (lib/core/endpoint.h) wired back to back in memory, with a fake
 * clock: what one endpoint sends becomes a frame (built and parsed by lib/net, so the wire format
 * is exercised too) delivered to the other after a one-way delay. Timers and TIME-WAIT ends run
 * when the clock reaches them, on each endpoint's own wheel and table, as on a worker core. The
 * pair has no dispatch of its own: the endpoint decides everything; the pair's application
 * (echo, close on the peer's FIN, hold what arrives) and its records of each connection (states
 * entered, bytes received, how it closed, the TCB after each step) are the test's view. A hook can
 * drop segments to model losses. Used by the unit tests and by synack-demo, which prints the trace. */
#ifndef SYNACK_TEST_PAIR_H
#define SYNACK_TEST_PAIR_H

#include <stdbool.h>
#include <stdio.h>

#include "core/endpoint.h"
#include "tcp/compact.h"
#include "tcp/sndbuf.h"
#include "tcp/tcp.h"

#define PAIR_MAX_CONNS 8
#define PAIR_BUF 65536
#define PAIR_MAX_FRAMES 512
#define PAIR_MAX_LOG 64
#define PAIR_MAX_HELD 256
#define PAIR_OOO_SLOTS 256         /* the out-of-order store of each side */

enum { PAIR_CLIENT = 0, PAIR_SERVER = 1 };

/* One connection as the test sees it, from its first state to its end. */
struct pair_conn {
	bool used;                    /* open, or in TIME-WAIT */
	bool tw_compact;              /* in TIME-WAIT as an entry of the endpoint's table (tw) */
	struct synack_tuple tuple;
	struct synack_tcb tcb;        /* the endpoint's TCB after the last step (TIME-WAIT: unpacked from tw) */
	struct synack_tw tw;
	struct synack_sndbuf sb;      /* its send ring after the last step */
	uint8_t pend[PAIR_BUF];       /* pair_send's bytes the send ring had no room for yet */
	uint32_t pend_off, pend_len;
	uint8_t rcv[PAIR_BUF];
	uint32_t rcv_len;
	bool peer_fin, connected;
	int closed_reason;            /* -1 while open */
	uint8_t states[PAIR_MAX_LOG]; /* every state entered, in order */
	unsigned nstates;
	uint64_t state_time[PAIR_MAX_LOG];
};

struct pair_seglog {
	int from;
	uint64_t t;
	struct synack_seg seg;
	bool dropped;
};

struct pair;

struct pair_ep {
	const char *name;
	struct synack_ep e;           /* the endpoint: e.ctx is its protocol context and counters */
	struct pair *p;
	int side;
	uint32_t addr;
	uint16_t listen_port;         /* 0: not listening (applied before each delivery) */
	uint16_t listening;
	const struct synack_app *listen_app;  /* the listener's application (NULL: the pair's own) */
	void *listen_arg;
	bool cookies;                 /* answer every SYN with a SYN cookie (e.cookie_mode 2) */
	uint32_t delack_ms;           /* the endpoint's delayed ACKs (pair_delack); 0: off */
	uint32_t sbuf_size;           /* send ring per connection (pair_buffers); 0: the endpoint's default */
	uint32_t ka[3];               /* keep-alive idle, interval (s) and probes (pair_keepalive); 0: off */
	bool echo;                    /* application: echo what arrives */
	bool close_on_fin;            /* application: close when the peer closes */
	bool hold;                    /* application: take nothing: what arrives stays unread, the window closes */
	bool reopen_pending;          /* a SYN ended a TIME-WAIT (RFC 6191); cleared as the new incarnation opens */
	uint32_t reopen_floor;        /* ... and the floor its ISS must clear */
	struct pair_conn conns[PAIR_MAX_CONNS];
	unsigned closed_count[SYNACK_CLOSE_REASON_COUNT];
	struct {
		struct synack_held h;
		bool used;
		uint8_t bytes[1600];
	} held[PAIR_MAX_HELD];
};

struct pair_frame {
	int to;
	uint64_t at;
	bool icmp;                    /* the router's fragmentation needed for icmp_tuple's icmp_seq */
	uint32_t icmp_seq;
	struct synack_tuple icmp_tuple;
	size_t len;
	uint8_t bytes[1600];
};

struct pair {
	uint64_t now;
	uint64_t delay_ns;            /* one-way */
	struct pair_ep ep[2];
	struct pair_frame q[PAIR_MAX_FRAMES];
	unsigned qn;
	FILE *trace;                  /* NULL: quiet */
	/* Return true to lose this segment on the wire. */
	bool (*drop)(struct pair *p, int from, const struct synack_seg *s, void *arg);
	void *drop_arg;
	/* Optional, with drop_arg: extra delay for this segment (it overtakes none sent before it
	 * otherwise: reordering), and whether the wire delivers it twice (the copy one delay later). */
	uint64_t (*jitter)(struct pair *p, int from, const struct synack_seg *s, void *arg);
	bool (*duplicate)(struct pair *p, int from, const struct synack_seg *s, void *arg);
	unsigned duplicated;
	/* Optional: takes the bytes each side's connections receive instead of their records' rcv
	 * (a transfer larger than PAIR_BUF). */
	void (*sink)(struct pair *p, int side, const uint8_t *data, uint32_t n, void *arg);
	void *sink_arg;
	struct pair_seglog log[PAIR_MAX_FRAMES];
	unsigned nlog;
	uint32_t isn[2];              /* ISNs the hook pins, when pin_isn */
	bool pin_isn;
	unsigned parse_errors;
	/* A router between the two with this MTU (0: none): a larger frame is dropped there and its
	 * sender gets ICMP fragmentation needed (RFC 1191), one delay later. */
	uint32_t path_mtu;
	unsigned frag_needed_sent;
};

/* Client 198.18.0.1, server 198.18.0.2 listening on port 80, echo and close-on-FIN on, MSL 60 s. */
void pair_init(struct pair *p, FILE *trace);
/* Gives back both endpoints' memory (pair_init does it for a pair used before). */
void pair_free(struct pair *p);
/* Gives side an endpoint whose TIME-WAIT table has no room, so that TIME-WAIT stays in the full
 * TCB (the engine's policy when its table is full). Call before any connection. */
void pair_tw_in_tcb(struct pair *p, int side);
/* Gives side an endpoint of PAIR_MAX_CONNS connections with a TIME-WAIT table of ntw entries and
 * at most synrcv_max half-open connections (the engine's policies at their limits). Call before
 * any connection. */
void pair_tables(struct pair *p, int side, uint32_t ntw, uint32_t synrcv_max);
/* Gives side an out-of-order store of slots slots, per_conn at most per connection (0: none, segments
 * past a hole are dropped). Call before any connection. */
void pair_ooo(struct pair *p, int side, uint32_t slots, uint32_t per_conn);
/* Gives side delayed ACKs of at most ms (ep_delack.c; 0: off). Call before any connection. */
void pair_delack(struct pair *p, int side, uint32_t ms);
/* Gives side send rings of snd_buf bytes (a power of two) and receive buffers of rcv_buf bytes (its
 * window; RFC 7323 scaling is offered). Call before any connection. */
void pair_buffers(struct pair *p, int side, uint32_t snd_buf, uint32_t rcv_buf);
/* Gives side keep-alives after idle_s, a probe every intvl_s, dropped after probes unanswered. Call
 * before any connection. */
void pair_keepalive(struct pair *p, int side, uint32_t idle_s, uint32_t intvl_s, uint32_t probes);
/* Pin the ISNs the two sides choose (to test the 2^32 wrap). */
void pair_pin_isn(struct pair *p, uint32_t client_isn, uint32_t server_isn);

/* Active open from the client to the server's port; returns the connection's index on the client. */
int pair_connect(struct pair *p, uint16_t sport);
/* Queues len bytes (up to PAIR_BUF at a time): what the send ring cannot take yet follows as it
 * frees, as an application would send from its sent() callback. */
int pair_send(struct pair *p, int side, int c, const void *data, uint32_t len);
int pair_close(struct pair *p, int side, int c);
void pair_abort(struct pair *p, int side, int c);
/* The client's connections run app with arg (a load's script, synack_load_script) instead of the
 * pair's own application; call before pair_connect. The pair still records what they do. */
void pair_client_app(struct pair *p, const struct synack_app *app, void *arg);
/* ICMP fragmentation needed to side, for its segment on tuple t (its own view) at seq. */
void pair_frag_needed(struct pair *p, int side, const struct synack_tuple *t, uint32_t seq, uint32_t mtu);
/* Deliver a hand-made segment to a side, as if it came off the wire. */
void pair_inject(struct pair *p, int to, const struct synack_seg *s);

/* Run frames and timers until nothing is pending or the clock passes now + max_ns. */
void pair_run(struct pair *p, uint64_t max_ns);
/* Run until the clock reaches t (absolute), processing whatever falls due. */
void pair_run_until(struct pair *p, uint64_t t);

/* The engine's timers are never early and late by less than the wheel's bound (timer_wheel.h:
 * 8/63 of the delay, plus the tick a deadline rounds up to); TIME-WAIT entries by less than two of
 * their table's 2^20 ns ticks. */
static inline bool pair_late_ok(uint64_t took, uint64_t want)
{
	return took >= want && took <= want + want * 8 / 63 + 2 * SYNACK_TICK_NS;
}
static inline bool pair_tw_ok(uint64_t took, uint64_t want)
{
	return took >= want && took <= want + (2ull << SYNACK_TW_TICK_SHIFT);
}

/* The connection at side whose remote port is rport (or the only one used if rport is 0). */
struct pair_conn *pair_find(struct pair *p, int side, uint16_t rport);
int pair_state(struct pair *p, int side, int c);
unsigned pair_used(const struct pair *p, int side);
/* Connections in the side's pool (TIME-WAIT entries of its table not counted). */
unsigned pair_pool_used(const struct pair *p, int side);

#endif
