/* synack_app.h: the application API. An application is a set of callbacks that run on the worker
 * core owning the connection, in that core's poll loop: no locks, no queues between the stack and
 * the application. From a callback, and only there, the application may send, close or abort
 * that connection, arm its timer and report how it went. The built-in servers (lib/apps/) and the
 * load generator's scripts (lib/load/) are applications written against this header alone.
 *
 * Server side: synack_listen_app() names the application of a listening port and a context
 * shared by its connections (synack_conn_listener_arg). Client side: a load (synack.h,
 * struct synack_load) names one application per script and its argument (synack_conn_arg).
 * Every connection also gets SYNACK_APP_CTX_MAX bytes of its own (synack_conn_ctx), zeroed
 * before accepted/connected, and a 64-bit user word. */
#ifndef SYNACK_APP_H
#define SYNACK_APP_H

#include <stdbool.h>
#include <stdint.h>

struct synack_conn;     /* a connection, owned by one worker core */
struct synack_engine;

/* Why a connection ended: the reason closed() receives. */
enum synack_close_reason {
	SYNACK_CLOSE_NORMAL = 0,   /* orderly close finished (LAST-ACK, TIME-WAIT entered or ended) */
	SYNACK_CLOSE_RESET,        /* the peer reset an established connection */
	SYNACK_CLOSE_REFUSED,      /* RST in SYN-SENT: nobody listens there */
	SYNACK_CLOSE_TIMEOUT,      /* retries exhausted (SYN, SYN-ACK, data or FIN) */
	SYNACK_CLOSE_ABORTED,      /* this side's ABORT (synack_conn_abort) */
	SYNACK_CLOSE_FIN_WAIT2,    /* FIN-WAIT-2 limit reached */
	SYNACK_CLOSE_REOPENED,     /* TIME-WAIT ended by a new SYN (RFC 6191) */
	SYNACK_CLOSE_REASON_COUNT
};
const char *synack_close_reason_name(unsigned r);

/* How a client connection of a load went: every started connection ends with exactly one. The
 * engine sets the kinds it sees itself (refused, connect timeout, reset) when the application has
 * reported none; an application reports the rest with synack_conn_outcome(). */
enum synack_outcome {
	SYNACK_OUT_NONE = 0,            /* not decided yet */
	SYNACK_OUT_OK,                  /* did what its script asked */
	SYNACK_OUT_CONNECT_TIMEOUT,     /* no SYN-ACK after every retry */
	SYNACK_OUT_REFUSED,             /* RST answered the SYN */
	SYNACK_OUT_RESET,               /* reset after it was established */
	SYNACK_OUT_RESPONSE_TIMEOUT,    /* the answer did not come in time */
	SYNACK_OUT_BAD_RESPONSE,        /* an answer that is not what the script expects */
	SYNACK_OUT_SHORT_RESPONSE,      /* the peer closed before the whole answer */
	SYNACK_OUT_OTHER,               /* ended otherwise (a timeout in a later state, no local resources) */
	SYNACK_OUT_COUNT
};
const char *synack_outcome_name(unsigned o);

/* Bytes of per-connection context an application may use (synack_conn_ctx). */
#define SYNACK_APP_CTX_MAX 64u

struct synack_app {
	const char *name;
	/* A passive open reached ESTABLISHED (the third segment of the handshake arrived). */
	void (*accepted)(struct synack_conn *c);
	/* An active open reached ESTABLISHED (the SYN-ACK arrived). */
	void (*connected)(struct synack_conn *c);
	/* n bytes arrived in order. Returns how many the application took (read or copied now). The
	 * rest stay with the stack, unread, closing the receive window by as much (receive
	 * backpressure): they are offered again, first, after the application's next sent() or
	 * timer() callback, and peer_closed() waits until they are all taken. */
	uint32_t (*data)(struct synack_conn *c, const uint8_t *d, uint32_t n);
	/* n bytes the application sent were acknowledged by the peer. */
	void (*sent)(struct synack_conn *c, uint32_t n);
	/* The peer sent FIN: it will send nothing more. */
	void (*peer_closed)(struct synack_conn *c);
	/* The timer armed with synack_conn_timer() expired. */
	void (*timer)(struct synack_conn *c);
	/* The connection is gone for the application (it entered TIME-WAIT, which goes on without it,
	 * or it was reset, timed out, aborted): the handle is invalid after this returns. */
	void (*closed)(struct synack_conn *c, enum synack_close_reason reason);
	/* Generated payload: writes the len bytes at offset off of the connection's send stream
	 * (offset 0 is its first byte, modulo 2^32: the bytes asked for are always queued and not yet
	 * acknowledged, so within 2^31 of the end of what was queued) into dst. Called when a segment
	 * is built, retransmissions included, never from inside synack_conn_send_gen(), so the bytes
	 * must depend on the offset only. Bytes queued with synack_conn_send_gen() are produced this
	 * way; no send ring is needed. */
	void (*fill)(struct synack_conn *c, uint32_t off, uint8_t *dst, uint32_t len);
	/* Each connection gets a send ring for synack_conn_send() (copied bytes). */
	bool needs_send_ring;
	/* Bytes of synack_conn_ctx() the application uses (at most SYNACK_APP_CTX_MAX). */
	uint32_t ctx_size;
};

/* Queues n bytes on c (copied into its send ring): returns the bytes taken (fewer when the ring
 * is short of room: see synack_conn_send_space; the rest may be offered again from sent()), or
 * -errno (-EPIPE after close, -ENOBUFS without a send ring). They leave when the windows allow,
 * after the callback returns. */
int synack_conn_send(struct synack_conn *c, const void *d, uint32_t n);
uint32_t synack_conn_send_space(const struct synack_conn *c);
/* Queues n generated bytes (the application's fill()): returns n or -errno. */
int synack_conn_send_gen(struct synack_conn *c, uint32_t n);
/* Orderly close: FIN after the queued bytes (RFC 9293 §3.10.4). A second call returns -errno and
 * does nothing. The handle stays valid until the callback returns, after close and abort alike;
 * for one segment data() comes before peer_closed(). */
int synack_conn_close(struct synack_conn *c);
/* Reset (RFC 9293 §3.10.5). */
void synack_conn_abort(struct synack_conn *c);
/* Arms (or re-arms) the connection's one application timer, ms from now (0: cancel). */
int synack_conn_timer(struct synack_conn *c, uint32_t ms);
/* TCP keep-alives for this connection on (1) or off (0): RFC 1122 §4.2.3.6 lets an application
 * turn them on or off for each connection; they start off unless the engine's keepalive_s turns
 * them on for all. On: after the core's idle time (keepalive_s, or two hours when it is 0, RFC
 * 1122's floor), a probe every keepalive_intvl_s, and the connection dropped (closed as timed out)
 * after keepalive_probes unanswered. -ENOTCONN unless the connection is ESTABLISHED or
 * CLOSE-WAIT. */
int synack_conn_keepalive(struct synack_conn *c, int on);

/* The connection's own bytes (SYNACK_APP_CTX_MAX, zeroed at open), its user word, the argument
 * its load named for its script (client) and its listener's argument (server). */
void *synack_conn_ctx(struct synack_conn *c);
uint64_t *synack_conn_user(struct synack_conn *c);
void *synack_conn_arg(const struct synack_conn *c);
void *synack_conn_listener_arg(const struct synack_conn *c);
unsigned synack_conn_worker(const struct synack_conn *c);
void synack_conn_tuple(const struct synack_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
		       uint16_t *rport);
/* The current poll loop's clock, ns (monotonic; the same for every callback of one loop). */
uint64_t synack_now_ns(void);

/* Client connections of a load. How it went: the first report counts, except that a failure
 * reported after SYNACK_OUT_OK replaces it. Without a report, the end decides (synack_outcome). */
void synack_conn_outcome(struct synack_conn *c, enum synack_outcome o);
/* Latency marks, recorded by the engine into the load's histograms from the SYN's time and, in
 * open loop, from the start's intended time too: the first byte of the answer, and the script's
 * end. Each counts once per connection. */
enum synack_mark { SYNACK_MARK_FIRST_BYTE = 0, SYNACK_MARK_DONE, SYNACK_MARK_COUNT };
void synack_conn_mark(struct synack_conn *c, enum synack_mark m);
/* Requests a script made on its connection (keep-alive), counted per script. */
void synack_conn_count_request(struct synack_conn *c);

/* Listens on port with an application of one's own and its argument (both must outlive the
 * listener). -EEXIST when port is already listened on with another application. */
int synack_listen_app(struct synack_engine *e, uint16_t port, const struct synack_app *app, void *arg);

#endif
