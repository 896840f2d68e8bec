/* http_resp.h: an incremental HTTP/1.1 response parser (RFC 9112) for the load generator's
 * scripts. It is fed the byte stream in whatever pieces it arrives in and keeps no bytes: the
 * status line and the header fields are scanned one byte at a time by a small state machine, the
 * three fields that frame the body (Content-Length, Transfer-Encoding, Connection) recognised by
 * name case-insensitively, the rest skipped. Its whole state is struct synack_http_resp (24
 * bytes), which lives in a connection's application context.
 *
 * The body's length (RFC 9112 §6.3), in order:
 *   - a response to HEAD (the flag given to init), 1xx, 204 and 304: none;
 *   - Transfer-Encoding whose last coding is chunked: chunks, with their extensions and trailer
 *     fields skipped; any other Transfer-Encoding: until the peer's FIN;
 *   - Content-Length (repeated only with the same value): that many bytes;
 *   - otherwise: until the peer's FIN (synack_http_resp_fin).
 * Connection: close does not change the framing; the result reports it.
 *
 * Lines end with CRLF or a bare LF (§2.2); a CR not followed by LF is an error. An obs-fold
 * (a field line that begins with a space) continues a field other than the three above and is an
 * error after one of them. A 1xx is returned as a response of its own (an interim one); the caller
 * decides whether to read on. */
#ifndef SYNACK_LOAD_HTTP_RESP_H
#define SYNACK_LOAD_HTTP_RESP_H

#include <stdbool.h>
#include <stdint.h>

/* Longest Content-Length, chunk size or chunked body accepted. */
#define SYNACK_HTTP_LEN_MAX (UINT64_C(1) << 62)

enum synack_http_rc {
	SYNACK_HTTP_MORE = 0,           /* every byte used, the response goes on */
	SYNACK_HTTP_DONE,               /* one response complete */
	SYNACK_HTTP_ERROR,              /* not a response this parser reads: see err */
};

enum synack_http_err {
	SYNACK_HTTP_ERR_NONE = 0,
	SYNACK_HTTP_ERR_STATUS_LINE,    /* not "HTTP/1.x NNN reason" (NNN from 100) */
	SYNACK_HTTP_ERR_HEADER,         /* a field line without a name and a colon, a control byte, a
	                                 * bad or conflicting Content-Length */
	SYNACK_HTTP_ERR_CHUNK_SIZE,     /* a chunk-size line that is not hex [; ext], or chunk data
	                                 * not followed by its line end */
	SYNACK_HTTP_ERR_LENGTH_OVERFLOW,/* a length over SYNACK_HTTP_LEN_MAX */
	SYNACK_HTTP_ERR_SHORT,          /* the peer closed before the response's end */
	SYNACK_HTTP_ERR_COUNT
};
const char *synack_http_err_name(unsigned e);

struct synack_http_resp {
	uint64_t left;                  /* Content-Length or chunk bytes still to come */
	uint64_t body;                  /* body bytes so far (in the head: a Content-Length being read) */
	uint16_t status;
	uint8_t state;
	uint8_t sub;                    /* the state's position: bytes of a word matched, digits seen */
	uint8_t hdr;                    /* the field being read */
	uint8_t flags;
};

struct synack_http_result {
	uint64_t body;                  /* DONE: body bytes (chunked: the chunks' data) */
	uint32_t used;                  /* bytes of this input used: MORE: all of them; DONE: up to the
	                                 * response's last byte (a pipelined next one starts there);
	                                 * ERROR: up to the offending byte, included */
	uint16_t status;                /* DONE: the status code */
	uint8_t err;                    /* ERROR: enum synack_http_err */
	bool close;                     /* DONE: Connection: close, or a body that ended with the FIN */
};

/* Ready for a response; head: it answers a HEAD request. A zeroed struct is init(p, false). */
void synack_http_resp_init(struct synack_http_resp *p, bool head);

/* Parses n bytes. After DONE the parser is ready for the next response (same head flag), so
 * the rest of the input may be fed again from r->used. After ERROR it stays in error. */
enum synack_http_rc synack_http_resp_feed(struct synack_http_resp *p, const uint8_t *d, uint32_t n,
					  struct synack_http_result *r);

/* The peer closed: DONE for a body read until the FIN (then ready again), else ERROR
 * (SYNACK_HTTP_ERR_SHORT, or the error already met). */
enum synack_http_rc synack_http_resp_fin(struct synack_http_resp *p, struct synack_http_result *r);

/* No byte of a response yet: the peer's FIN here is no response at all rather than a short one. */
bool synack_http_resp_idle(const struct synack_http_resp *p);

#endif
