/* clients.c: the fixed client applications of synack-bench's workloads and the console's connect:
 * each does one thing on its connection and reports how it went (synack_conn_outcome).
 *   handshake  SYN, SYN-ACK, ACK, then our RST: the cost of connection set-up alone;
 *   close      our FIN first, so the client holds TIME-WAIT;
 *   request    unit bytes out, unit bytes back; the server closes first, as an HTTP/1.0 server
 *              (or 1.1 with Connection: close) does, and our FIN answers its FIN;
 *   request-text  the argument's bytes out (an HTTP request), the response read to its
 *              Content-Length (or the server's FIN) and checked for a 200.
 * The argument of request is a struct synack_rr_srv (its unit), of request-text a
 * struct synack_cli_text. */
#include <string.h>

#include "apps/apps.h"

static void handshake_connected(struct synack_conn *c)
{
	synack_conn_outcome(c, SYNACK_OUT_OK);
	synack_conn_abort(c);
}

static void close_on_fin(struct synack_conn *c) { synack_conn_close(c); }

const struct synack_app synack_app_cli_handshake = {
	.name = "handshake",
	.connected = handshake_connected,
	.peer_closed = close_on_fin,
};

static void close_connected(struct synack_conn *c)
{
	synack_conn_outcome(c, SYNACK_OUT_OK);
	synack_conn_close(c);
}

const struct synack_app synack_app_cli_close = {
	.name = "close",
	.connected = close_connected,
	.peer_closed = close_on_fin,
};

struct req_conn {
	uint32_t got;
	uint8_t done;
};

static void request_connected(struct synack_conn *c)
{
	const struct synack_rr_srv *r = synack_conn_arg(c);
	synack_conn_send_gen(c, r->unit);
	synack_conn_count_request(c);
}

static uint32_t request_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	(void)d;
	const struct synack_rr_srv *r = synack_conn_arg(c);
	struct req_conn *q = synack_conn_ctx(c);
	if (!q->got)
		synack_conn_mark(c, SYNACK_MARK_FIRST_BYTE);
	q->got += n;
	if (!q->done && q->got >= r->unit) {
		q->done = 1;
		synack_conn_outcome(c, q->got == r->unit ? SYNACK_OUT_OK : SYNACK_OUT_BAD_RESPONSE);
		synack_conn_mark(c, SYNACK_MARK_DONE);
		/* The server's FIN, if it came with the response, is answered by peer_closed; a server that
		 * keeps the connection is not waited for. */
		synack_conn_close(c);
	}
	return n;
}

static void request_fill(struct synack_conn *c, uint32_t off, uint8_t *dst, uint32_t len)
{
	(void)c;
	synack_pattern_fill(off, dst, len);
}

static void request_peer_closed(struct synack_conn *c)
{
	struct req_conn *q = synack_conn_ctx(c);
	if (!q->done)
		synack_conn_outcome(c, SYNACK_OUT_SHORT_RESPONSE);
	synack_conn_close(c);
}

const struct synack_app synack_app_cli_request = {
	.name = "request",
	.connected = request_connected,
	.data = request_data,
	.fill = request_fill,
	.peer_closed = request_peer_closed,
	.ctx_size = sizeof(struct req_conn),
};

struct text_conn {
	uint32_t got, want;     /* response bytes received; its length once the head is in (0: until FIN) */
	uint8_t status_ok, done;
};

static void text_connected(struct synack_conn *c)
{
	const struct synack_cli_text *t = synack_conn_arg(c);
	synack_conn_send_gen(c, t->len);
	synack_conn_count_request(c);
}

static void text_fill(struct synack_conn *c, uint32_t off, uint8_t *dst, uint32_t len)
{
	const struct synack_cli_text *t = synack_conn_arg(c);
	memcpy(dst, t->text + off, len);
}

static void text_end(struct synack_conn *c, struct text_conn *q, enum synack_outcome o)
{
	q->done = 1;
	synack_conn_outcome(c, o);
	synack_conn_mark(c, SYNACK_MARK_DONE);
	synack_conn_close(c);
}

static uint32_t text_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	struct text_conn *q = synack_conn_ctx(c);
	if (q->got == 0 && n) {
		/* The response head within its first segment is the case this client reads. */
		synack_conn_mark(c, SYNACK_MARK_FIRST_BYTE);
		const char *hdr_end = memmem(d, n, "\r\n\r\n", 4);
		const char *cl = memmem(d, n, "Content-Length:", 15);
		if (hdr_end && cl && cl < hdr_end) {
			uint32_t v = 0;
			for (const char *p = cl + 15; p < hdr_end && (*p == ' ' || (*p >= '0' && *p <= '9')); p++)
				if (*p != ' ')
					v = v * 10 + (uint32_t)(*p - '0');
			q->want = (uint32_t)(hdr_end + 4 - (const char *)d) + v;
		}
		q->status_ok = n >= 12 && !memcmp(d, "HTTP/1.", 7) && d[9] == '2';
	}
	q->got += n;
	if (!q->done && q->want && q->got >= q->want)
		text_end(c, q, q->status_ok && q->got == q->want ? SYNACK_OUT_OK : SYNACK_OUT_BAD_RESPONSE);
	return n;
}

static void text_peer_closed(struct synack_conn *c)
{
	struct text_conn *q = synack_conn_ctx(c);
	if (!q->done) {
		/* A response without Content-Length ends with the server's FIN. */
		enum synack_outcome o = !q->got ? SYNACK_OUT_SHORT_RESPONSE
				      : q->want ? SYNACK_OUT_SHORT_RESPONSE
				      : q->status_ok ? SYNACK_OUT_OK : SYNACK_OUT_BAD_RESPONSE;
		text_end(c, q, o);
		return;
	}
	synack_conn_close(c);
}

const struct synack_app synack_app_cli_text = {
	.name = "request-text",
	.connected = text_connected,
	.data = text_data,
	.fill = text_fill,
	.peer_closed = text_peer_closed,
	.ctx_size = sizeof(struct text_conn),
};
