/* http.c: an HTTP/1.1 responder: each request head (ended by CRLF CRLF) is answered with a 200 and
 * a body of the listener's size, generated on the fly (the header, then 'a'..'z' by offset with a
 * newline every 64 bytes), so a response of any size costs no buffer. Connection: close ends the
 * connection after the first response, the server closing first; keep-alive answers every
 * request and the client closes. */
#include <stdio.h>

#include "apps/apps.h"

struct http_conn {
	uint32_t match;         /* bytes of CRLF CRLF matched so far */
};

void synack_http_srv_init(struct synack_http_srv *s, uint32_t body, bool keepalive)
{
	s->body = body;
	s->keepalive = keepalive;
	int n = snprintf(s->hdr, sizeof(s->hdr),
			 "HTTP/1.1 200 OK\r\nServer: synack\r\nContent-Type: text/plain\r\nContent-Length: %u\r\n"
			 "Connection: %s\r\n\r\n",
			 body, keepalive ? "keep-alive" : "close");
	s->hdr_len = (uint32_t)n;
	s->resp_len = s->hdr_len + body;
}

static uint32_t http_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	static const char end[4] = { '\r', '\n', '\r', '\n' };
	const struct synack_http_srv *s = synack_conn_listener_arg(c);
	struct http_conn *h = synack_conn_ctx(c);
	for (uint32_t i = 0; i < n; i++) {
		if (d[i] == (uint8_t)end[h->match])
			h->match++;
		else
			h->match = d[i] == '\r' ? 1 : 0;
		if (h->match == 4) {
			h->match = 0;
			synack_conn_send_gen(c, s->resp_len);
			if (!s->keepalive) {
				synack_conn_close(c);
				break;
			}
		}
	}
	return n;
}

static void http_fill(struct synack_conn *c, uint32_t off, uint8_t *dst, uint32_t len)
{
	const struct synack_http_srv *s = synack_conn_listener_arg(c);
	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = (off + i) % s->resp_len;
		dst[i] = o < s->hdr_len ? (uint8_t)s->hdr[o]
					: ((o - s->hdr_len) % 64 == 63 ? '\n' : (uint8_t)('a' + (o - s->hdr_len) % 26));
	}
}

static void http_peer_closed(struct synack_conn *c) { synack_conn_close(c); }

const struct synack_app synack_app_http = {
	.name = "http",
	.data = http_data,
	.fill = http_fill,
	.peer_closed = http_peer_closed,
	.ctx_size = sizeof(struct http_conn),
};
