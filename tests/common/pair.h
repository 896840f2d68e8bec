/* pair.h: two protocol cores wired back to back in memory, with a fake clock: the client's actions
 * become frames (built and parsed by lib/net, so the wire format is exercised too) delivered to the
 * server after a one-way delay, and back. Timers fire when the clock reaches them. A hook can drop
 * segments to model losses. Used by the unit tests and by synack-demo, which prints the trace. */
#ifndef SYNACK_TEST_PAIR_H
#define SYNACK_TEST_PAIR_H

#include <stdbool.h>
#include <stdio.h>

#include "tcp/compact.h"
#include "tcp/sndbuf.h"
#include "tcp/tcp.h"

#define PAIR_MAX_CONNS 8
#define PAIR_BUF 65536
#define PAIR_MAX_FRAMES 512
#define PAIR_MAX_LOG 64

enum { PAIR_CLIENT = 0, PAIR_SERVER = 1 };

struct pair_conn {
	bool used;
	bool tw_compact;              /* in TIME-WAIT, held as a struct synack_tw */
	struct synack_tcb tcb;
	struct synack_tw tw;
	uint64_t deadline[SYNACK_TIMER_COUNT]; /* 0: not armed */
	struct synack_sndbuf sb;
	uint8_t sbmem[PAIR_BUF];
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

struct pair_ep {
	const char *name;
	struct synack_tcp_ctx ctx;
	uint32_t addr;
	uint16_t listen_port;         /* 0: not listening */
	bool cookies;                 /* answer every SYN with a SYN cookie */
	bool echo;                    /* server application: echo what arrives */
	bool close_on_fin;            /* server application: close when the peer closes */
	bool hold;                    /* the application keeps what arrives unread: the window closes */
	bool compact_tw;              /* keep TIME-WAIT as compact entries */
	bool reopen_pending;
	uint32_t reopen_floor;
	struct pair_conn conns[PAIR_MAX_CONNS];
	unsigned closed_count[SYNACK_CLOSE_REASON_COUNT];
};

struct pair_frame {
	int to;
	uint64_t at;
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
	struct pair_seglog log[PAIR_MAX_FRAMES];
	unsigned nlog;
	uint32_t isn[2];              /* ISNs the hook pins, when pin_isn */
	bool pin_isn;
	unsigned parse_errors;
	unsigned action_overflows;
};

/* Client 198.18.0.1, server 198.18.0.2 listening on port 80, echo and close-on-FIN on, MSL 60 s. */
void pair_init(struct pair *p, FILE *trace);
/* Pin the ISNs the two sides choose (to test the 2^32 wrap). */
void pair_pin_isn(struct pair *p, uint32_t client_isn, uint32_t server_isn);

/* Active open from the client to the server's port; returns the connection's index on the client. */
int pair_connect(struct pair *p, uint16_t sport);
int pair_send(struct pair *p, int side, int c, const void *data, uint32_t len);
int pair_close(struct pair *p, int side, int c);
void pair_abort(struct pair *p, int side, int c);
/* Deliver a hand-made segment to a side, as if it came off the wire. */
void pair_inject(struct pair *p, int to, const struct synack_seg *s);

/* Run frames and timers until nothing is pending or the clock passes now + max_ns. */
void pair_run(struct pair *p, uint64_t max_ns);
/* Run until the clock reaches t (absolute), processing whatever falls due. */
void pair_run_until(struct pair *p, uint64_t t);

/* The connection at side whose remote port is rport (or the only one used if rport is 0). */
struct pair_conn *pair_find(struct pair *p, int side, uint16_t rport);
int pair_state(struct pair *p, int side, int c);
unsigned pair_used(const struct pair *p, int side);

#endif
