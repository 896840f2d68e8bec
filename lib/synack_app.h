/* synack_app.h: the application API. An application is a set of callbacks that run on the worker
 * core owning the connection, in that core's poll loop: no locks, no queues between the stack and
 * the application. From a callback, and only there, the application may send, close or abort
 * that connection. The built-in services (echo, discard, HTTP, the HTTP client) are applications
 * written against this header (lib/dpdk/services.c). */
#ifndef SYNACK_APP_H
#define SYNACK_APP_H

#include <stdbool.h>
#include <stdint.h>

struct synack_conn;     /* a connection, owned by one worker core */
struct synack_engine;

struct synack_app {
	const char *name;
	/* A passive open reached ESTABLISHED (the third segment of the handshake arrived). */
	void (*accepted)(struct synack_conn *c);
	/* An active open reached ESTABLISHED (the SYN-ACK arrived). */
	void (*connected)(struct synack_conn *c);
	/* n bytes arrived in order. They are the application's to copy now; the receive window
	 * reopens when the callback returns (or, with window_follows_send, when they are sent back
	 * and acknowledged). */
	void (*data)(struct synack_conn *c, const uint8_t *d, uint32_t n);
	/* n bytes the application sent were acknowledged by the peer. */
	void (*sent)(struct synack_conn *c, uint32_t n);
	/* The peer sent FIN: it will send nothing more. */
	void (*peer_closed)(struct synack_conn *c);
	/* The connection is gone (after TIME-WAIT began, or on reset, timeout, abort): reason is an
	 * enum synack_close_reason (lib/tcp/tcp.h). The handle is invalid after this returns. */
	void (*closed)(struct synack_conn *c, unsigned reason);
	/* Each connection gets a send ring for synack_conn_send(). */
	bool needs_send_ring;
	/* Received bytes hold the receive window until the same number of sent bytes is
	 * acknowledged: an echo never receives more than its ring can send back. */
	bool window_follows_send;
};

/* Queues n bytes on c (copied into its send ring): returns the bytes taken (fewer when the ring
 * is short of room: see synack_conn_send_space), or -errno (-EPIPE after close, -ENOBUFS without
 * a send ring). They leave when the windows allow, after the callback returns. */
int synack_conn_send(struct synack_conn *c, const void *d, uint32_t n);
uint32_t synack_conn_send_space(const struct synack_conn *c);
/* Orderly close: FIN after the queued bytes (RFC 9293 §3.10.4). */
int synack_conn_close(struct synack_conn *c);
/* Reset (RFC 9293 §3.10.5). */
void synack_conn_abort(struct synack_conn *c);
/* 64 bits the application may use freely (set in accepted/connected). */
uint64_t *synack_conn_user(struct synack_conn *c);
unsigned synack_conn_worker(const struct synack_conn *c);
void synack_conn_tuple(const struct synack_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
		       uint16_t *rport);

/* Listens on port with an application of one's own (the app must outlive the listener). */
int synack_listen_app(struct synack_engine *e, uint16_t port, const struct synack_app *app);

#endif
