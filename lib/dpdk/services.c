/* services.c: the built-in applications, written against synack_app.h like any other: echo,
 * discard, an HTTP/1.1 responder (200 with a body of a configured size, Connection: close or
 * keep-alive), and the client side of `connect` (an HTTP GET that checks the response, or a bare
 * connect-and-close). The HTTP bodies and the request are generated on the fly from the listener's
 * header and a byte pattern, so a response of any size costs no buffer. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* ---- echo: every byte back; the window follows what the peer has acknowledged ---- */

static void echo_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	/* The receive window is the ring's size and received bytes hold it until their echo is
	 * acknowledged (window_follows_send): what arrives always fits. */
	synack_conn_send(c, d, n);
}

static void close_on_fin(struct synack_conn *c)
{
	/* The built-in services keep no half-open streams: the peer's FIN is answered with ours. */
	synack_conn_close(c);
}

static const struct synack_app synack_app_echo = {
	.name = "echo",
	.data = echo_data,
	.peer_closed = close_on_fin,
	.needs_send_ring = true,
	.window_follows_send = true,
};

/* ---- discard ---- */

static const struct synack_app synack_app_discard = {
	.name = "discard",
	.peer_closed = close_on_fin,
};

/* ---- the HTTP responder: a complete request head (ended by CRLF CRLF) queues one response ---- */

static void http_accepted(struct synack_conn *c)
{
	c->stream = SYNACK_STREAM_HTTP;
	c->app_state = 0;
}

static void http_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	static const char end[4] = { '\r', '\n', '\r', '\n' };
	struct synack_worker *w = synack_cur_worker();
	const struct synack_listener *l = &w->lst[c->listener];
	for (uint32_t i = 0; i < n; i++) {
		if (d[i] == (uint8_t)end[c->app_state])
			c->app_state++;
		else
			c->app_state = d[i] == '\r' ? 1 : 0;
		if (c->app_state == 4) {
			c->app_state = 0;
			c->app_count++;
			synack_conn_send_generated(c, l->resp_len);
			if (!l->keepalive) {
				synack_conn_close(c);
				return;
			}
		}
	}
}

static const struct synack_app synack_app_http = {
	.name = "http",
	.accepted = http_accepted,
	.data = http_data,
	.peer_closed = close_on_fin,
};

/* ---- the client side of `connect` ---- */

static void client_connected(struct synack_conn *c)
{
	c->stream = SYNACK_STREAM_REQUEST;
	synack_conn_send_generated(c, synack_cur_worker()->e->request_len);
}

/* Reads "Content-Length:" from the response head and closes once the body is in. */
static void client_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	struct synack_worker *w = synack_cur_worker();
	if (c->app_count == 0 && n > 12) {
		/* A response head within the first segment is the common case; parse it there. */
		const char *hdr_end = memmem(d, n, "\r\n\r\n", 4);
		const char *cl = memmem(d, n, "Content-Length:", 15);
		if (hdr_end && cl && cl < hdr_end) {
			unsigned long v = strtoul(cl + 15, NULL, 10);
			c->resp_len = (uint32_t)((hdr_end + 4 - (const char *)d) + v);
		}
		if (!memcmp(d, "HTTP/1.", 7) && !memcmp(d + 9, "200", 3))
			c->app_state = 200;
	}
	if (c->idx == w->rec_idx && c->app_count < sizeof(w->rec)) {
		/* The first connection of a connect command records what it got (show response). */
		uint32_t k = (uint32_t)sizeof(w->rec) - c->app_count;
		if (k > n)
			k = n;
		__atomic_store_n(&w->rec_ver, w->rec_ver + 1, __ATOMIC_RELEASE);
		memcpy(w->rec + c->app_count, d, k);
		w->rec_len = c->app_count + k;
		__atomic_store_n(&w->rec_ver, w->rec_ver + 1, __ATOMIC_RELEASE);
	}
	c->app_count += n;
	if (c->resp_len && c->app_count >= c->resp_len) {
		/* A complete response: 200 and every byte Content-Length announced. */
		if (c->app_state == 200) {
			w->stats.http_ok++;
			c->ok = 1;
		} else {
			w->stats.http_bad++;
		}
		c->app_state = 1; /* counted */
		synack_conn_close(c);
	}
}

static void client_peer_closed(struct synack_conn *c)
{
	/* A response without Content-Length ends with the server's FIN. */
	if (c->app_state != 1 && c->app_count) {
		struct synack_worker *w = synack_cur_worker();
		if (c->app_state == 200 && !c->resp_len) {
			w->stats.http_ok++;
			c->ok = 1;
		} else {
			w->stats.http_bad++;
		}
		c->app_state = 1;
	}
	synack_conn_close(c);
}

static const struct synack_app synack_app_http_client = {
	.name = "http-client",
	.connected = client_connected,
	.data = client_data,
	.peer_closed = client_peer_closed,
};

static void connect_close(struct synack_conn *c)
{
	c->ok = 1;
	synack_conn_close(c);
}

static const struct synack_app synack_app_connect_close = {
	.name = "connect",
	.connected = connect_close,
	.peer_closed = close_on_fin,
};

/* ---- the load workloads (synack-bench) ---- */

/* handshake: SYN, SYN-ACK, ACK, then RST: the cost of connection set-up alone. */
static void handshake_connected(struct synack_conn *c)
{
	c->ok = 1;
	synack_conn_abort(c);
}

static const struct synack_app app_handshake = {
	.name = "handshake",
	.connected = handshake_connected,
	.peer_closed = close_on_fin,
};

/* close: the client's FIN first, so the client holds TIME-WAIT. Done when the FIN exchange is. */
static void close_connected(struct synack_conn *c)
{
	c->ok = 1;
	synack_conn_close(c);
}

static const struct synack_app app_close = {
	.name = "close",
	.connected = close_connected,
	.peer_closed = close_on_fin,
};

/* request: size bytes out, size bytes back, and the server closes first, as an HTTP/1.0 server
 * (or 1.1 with Connection: close) does: its FIN rides on the response and ours, answered at once,
 * carries the ACK of it. Six segments per connection (SYN, SYN-ACK, ACK+request, response+FIN,
 * FIN+ACK, ACK), and the server holds TIME-WAIT. Done when the whole response is in; the
 * connection is complete once it has closed. */
static void request_connected(struct synack_conn *c)
{
	c->stream = SYNACK_STREAM_PATTERN;
	c->app_count = 0;
	synack_conn_send_generated(c, synack_cur_worker()->load.size);
}

static void request_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	(void)d;
	c->app_count += n;
	if (!c->ok && c->app_count >= synack_cur_worker()->load.size) {
		c->ok = 1;
		/* The server's FIN came with the response (the core took it before this callback: CLOSE-WAIT)
		 * and peer_closed answers it. A server that sent the response alone (one that keeps the
		 * connection, or a kernel that sent its FIN apart) is not waited for: we close now. */
		if (c->tcb.state != SYNACK_CLOSE_WAIT)
			synack_conn_close(c);
	}
}

static const struct synack_app app_request = {
	.name = "request",
	.connected = request_connected,
	.data = request_data,
	.peer_closed = close_on_fin,   /* a FIN before the whole response leaves ok at 0: a failure */
};

/* rr, the server of the request workload: body bytes received are answered with body bytes. Without
 * keepalive, the first answer ends the connection (its FIN goes with it); with keepalive, every
 * body bytes are answered and the peer closes. */
static void rr_accepted(struct synack_conn *c)
{
	c->stream = SYNACK_STREAM_PATTERN;
	c->app_count = 0;
}

static void rr_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	(void)d;
	const struct synack_listener *l = &synack_cur_worker()->lst[c->listener];
	uint32_t unit = l->body ? l->body : 64;
	c->app_count += n;
	while (c->app_count >= unit) {
		c->app_count -= unit;
		synack_conn_send_generated(c, unit);
		if (!l->keepalive) {
			synack_conn_close(c);
			return;
		}
	}
}

static const struct synack_app app_rr = {
	.name = "rr",
	.accepted = rr_accepted,
	.data = rr_data,
	.peer_closed = close_on_fin,
};

const struct synack_app *synack_service_app(enum synack_service svc)
{
	switch (svc) {
	case SYNACK_SVC_ECHO:
		return &synack_app_echo;
	case SYNACK_SVC_DISCARD:
		return &synack_app_discard;
	case SYNACK_SVC_HTTP:
		return &synack_app_http;
	case SYNACK_SVC_RR:
		return &app_rr;
	default:
		return NULL;
	}
}

const struct synack_app *synack_workload_app(enum synack_workload wl)
{
	static const struct synack_app *const apps[SYNACK_WL_COUNT] = {
		[SYNACK_WL_HANDSHAKE] = &app_handshake, [SYNACK_WL_CLOSE] = &app_close,
		[SYNACK_WL_REQUEST] = &app_request,     [SYNACK_WL_CONNECT] = &synack_app_connect_close,
		[SYNACK_WL_HTTP] = &synack_app_http_client,
	};
	return wl < SYNACK_WL_COUNT ? apps[wl] : &synack_app_connect_close;
}

const char *synack_workload_name(unsigned wl)
{
	static const char *const n[SYNACK_WL_COUNT] = { "handshake", "close", "request", "connect", "http" };
	return wl < SYNACK_WL_COUNT ? n[wl] : "?";
}
