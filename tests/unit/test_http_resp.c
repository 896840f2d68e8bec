/* test_http_resp.c: the incremental response parser (lib/load/http_resp.c). Every response is
 * parsed whole, cut in two at every byte position and fed a byte at a time, and each way must give
 * the same result at the same stream offset: the parser keeps no bytes, so a cut can fall
 * anywhere. Then the framings one by one (Content-Length, chunked with extensions and trailers,
 * until FIN, no body for HEAD, 1xx, 204 and 304), pipelined responses and each error. */
#include <criterion/criterion.h>
#include <string.h>

#include "load/http_resp.h"

struct outcome {
	enum synack_http_rc rc;
	uint64_t at;                    /* stream offset just past the byte that decided it */
	struct synack_http_result r;
};

/* Feeds d[0, len) in pieces ending at cuts[0] < cuts[1] < ... < len, up to the first result that
 * is not MORE (then fin() if fin and every piece was MORE). */
static struct outcome feed_cuts(const char *d, size_t len, bool head, const size_t *cuts, size_t ncuts,
				bool fin)
{
	struct synack_http_resp p;
	struct outcome o;
	memset(&o, 0, sizeof(o));
	synack_http_resp_init(&p, head);
	size_t from = 0;
	for (size_t k = 0; k <= ncuts; k++) {
		size_t to = k < ncuts ? cuts[k] : len;
		o.rc = synack_http_resp_feed(&p, (const uint8_t *)d + from, (uint32_t)(to - from), &o.r);
		if (o.rc != SYNACK_HTTP_MORE) {
			cr_assert_leq(o.r.used, to - from);
			o.at = from + o.r.used;
			return o;
		}
		cr_assert_eq(o.r.used, to - from);
		from = to;
	}
	o.at = len;
	if (fin)
		o.rc = synack_http_resp_fin(&p, &o.r);
	return o;
}

static void same(const struct outcome *a, const struct outcome *b, const char *how, size_t where)
{
	cr_assert_eq(a->rc, b->rc, "%s at %zu: rc %d, whole %d", how, where, b->rc, a->rc);
	cr_assert_eq(a->at, b->at, "%s at %zu: decided at %llu, whole %llu", how, where,
		     (unsigned long long)b->at, (unsigned long long)a->at);
	cr_assert_eq(a->r.status, b->r.status, "%s at %zu", how, where);
	cr_assert_eq(a->r.body, b->r.body, "%s at %zu", how, where);
	cr_assert_eq(a->r.err, b->r.err, "%s at %zu", how, where);
	if (a->rc == SYNACK_HTTP_DONE)
		cr_assert_eq(a->r.close, b->r.close, "%s at %zu", how, where);
}

/* Parses d whole, at every cut and byte by byte; all must agree. Returns the whole parse. */
static struct outcome parse_all_ways(const char *d, size_t len, bool head, bool fin)
{
	struct outcome whole = feed_cuts(d, len, head, NULL, 0, fin);
	for (size_t k = 0; k <= len; k++) {
		struct outcome o = feed_cuts(d, len, head, &k, 1, fin);
		same(&whole, &o, "cut", k);
	}
	size_t cuts[1024];
	cr_assert_lt(len, 1024u);
	for (size_t k = 0; k + 1 < len; k++)
		cuts[k] = k + 1;
	struct outcome o = feed_cuts(d, len, head, cuts, len ? len - 1 : 0, fin);
	same(&whole, &o, "bytewise", 0);
	return whole;
}

#define S(lit) lit, sizeof(lit) - 1

static void expect_done(const char *d, size_t len, bool head, bool fin, uint16_t status, uint64_t body,
			uint64_t at, bool close)
{
	struct outcome o = parse_all_ways(d, len, head, fin);
	cr_assert_eq(o.rc, SYNACK_HTTP_DONE, "rc %d err %s", o.rc, synack_http_err_name(o.r.err));
	cr_assert_eq(o.r.status, status);
	cr_assert_eq(o.r.body, body, "body %llu", (unsigned long long)o.r.body);
	cr_assert_eq(o.at, at, "ended at %llu, not %llu", (unsigned long long)o.at, (unsigned long long)at);
	cr_assert_eq(o.r.close, close);
}

static void expect_error(const char *d, size_t len, bool fin, enum synack_http_err err)
{
	struct outcome o = parse_all_ways(d, len, false, fin);
	cr_assert_eq(o.rc, SYNACK_HTTP_ERROR, "rc %d", o.rc);
	cr_assert_eq(o.r.err, err, "err %s, not %s", synack_http_err_name(o.r.err), synack_http_err_name(err));
}

Test(http_resp, content_length)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello";
	expect_done(S(r), false, false, 200, 5, sizeof(r) - 1, false);
	static const char zero[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	expect_done(S(zero), false, false, 200, 0, sizeof(zero) - 1, false);
	/* Names in any case, whitespace around the value, a repeat with the same value. */
	static const char c[] = "HTTP/1.0 201 Created\r\ncOnTeNt-LeNgTh:\t 3 \r\nCONTENT-LENGTH: 3\r\n\r\nabc";
	expect_done(S(c), false, false, 201, 3, sizeof(c) - 1, false);
}

Test(http_resp, bare_lf_and_empty_reason)
{
	static const char r[] = "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi";
	expect_done(S(r), false, false, 200, 2, sizeof(r) - 1, false);
	static const char e[] = "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n";
	expect_done(S(e), false, false, 404, 0, sizeof(e) - 1, false);
	static const char n[] = "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n";
	expect_done(S(n), false, false, 503, 0, sizeof(n) - 1, false);
}

Test(http_resp, chunked_with_extensions_and_trailers)
{
	static const char r[] =
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5\r\nhello\r\n"
		"1A;name=value;q=\"a;b\"\r\nabcdefghijklmnopqrstuvwxyz\r\n"
		"003 ; ext\r\nxyz\r\n"
		"0;last\r\n"
		"Expires: never\r\nX-Trailer: 1\r\n"
		"\r\n";
	expect_done(S(r), false, false, 200, 5 + 26 + 3, sizeof(r) - 1, false);
	static const char none[] = "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n0\r\n\r\n";
	expect_done(S(none), false, false, 200, 0, sizeof(none) - 1, false);
	/* Transfer-Encoding overrides Content-Length. */
	static const char both[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "2\r\nab\r\n0\r\n\r\n";
	expect_done(S(both), false, false, 200, 2, sizeof(both) - 1, false);
}

Test(http_resp, until_fin)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of this until the FIN";
	expect_done(S(r), false, true, 200, 25, sizeof(r) - 1, true);
	/* Connection: close without a length; a coding list that does not end in chunked. */
	static const char c[] = "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n\r\nbody";
	expect_done(S(c), false, true, 200, 4, sizeof(c) - 1, true);
	static const char g[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 2\r\n\r\n"
				"0\r\n\r\n";
	expect_done(S(g), false, true, 200, 5, sizeof(g) - 1, true);
	/* Without the FIN it is not over. */
	struct outcome o = parse_all_ways(S(r), false, false);
	cr_assert_eq(o.rc, SYNACK_HTTP_MORE);
}

Test(http_resp, connection_close_with_length)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx";
	expect_done(S(r), false, false, 200, 1, sizeof(r) - 1, true);
	/* "close" only as a whole token. */
	static const char k[] = "HTTP/1.1 200 OK\r\nConnection: closed, x-close\r\nContent-Length: 1\r\n\r\nx";
	expect_done(S(k), false, false, 200, 1, sizeof(k) - 1, false);
}

Test(http_resp, no_body)
{
	static const char h[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	expect_done(S(h), true, false, 200, 0, sizeof(h) - 1, false);
	static const char hc[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	expect_done(S(hc), true, false, 200, 0, sizeof(hc) - 1, false);
	static const char n[] = "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n";
	expect_done(S(n), false, false, 204, 0, sizeof(n) - 1, false);
	static const char m[] = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
	expect_done(S(m), false, false, 304, 0, sizeof(m) - 1, false);
	static const char c[] = "HTTP/1.1 100 Continue\r\n\r\n";
	expect_done(S(c), false, false, 100, 0, sizeof(c) - 1, false);
}

Test(http_resp, obs_fold)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nX-Long: one\r\n two\r\n\tthree\r\nContent-Length: 1\r\n\r\nx";
	expect_done(S(r), false, false, 200, 1, sizeof(r) - 1, false);
	static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\nx";
	expect_error(S(cl), false, SYNACK_HTTP_ERR_HEADER);
	static const char first[] = "HTTP/1.1 200 OK\r\n folded\r\n\r\n";
	expect_error(S(first), false, SYNACK_HTTP_ERR_HEADER);
}

/* Two and three responses in one input: each ends where it should and the next parses from
 * there, however the stream is cut. */
Test(http_resp, pipelined)
{
	static const char r[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
		"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n"
		"HTTP/1.1 204 No Content\r\n\r\n";
	const size_t len = sizeof(r) - 1;
	const uint16_t status[3] = { 200, 404, 204 };
	const uint64_t body[3] = { 3, 4, 0 };
	for (size_t cut = 0; cut <= len; cut++) {
		struct synack_http_resp p;
		synack_http_resp_init(&p, false);
		struct synack_http_result res;
		unsigned got = 0;
		size_t pieces[2][2] = { { 0, cut }, { cut, len } };
		for (unsigned k = 0; k < 2; k++) {
			size_t at = pieces[k][0], end = pieces[k][1];
			while (at < end) {
				enum synack_http_rc rc = synack_http_resp_feed(&p, (const uint8_t *)r + at,
									       (uint32_t)(end - at), &res);
				cr_assert_neq(rc, SYNACK_HTTP_ERROR, "cut %zu", cut);
				at += res.used;
				if (rc == SYNACK_HTTP_DONE) {
					cr_assert_lt(got, 3u);
					cr_assert_eq(res.status, status[got], "cut %zu", cut);
					cr_assert_eq(res.body, body[got], "cut %zu", cut);
					got++;
				}
			}
		}
		cr_assert_eq(got, 3u, "cut %zu: %u responses", cut, got);
		cr_assert(synack_http_resp_idle(&p));
	}
}

Test(http_resp, bad_status_line)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n", "HTTP/1.x 200 OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP/1.1 200 OK\rX\n\r\n",
		"\r\nHTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], strlen(bad[i]), false, SYNACK_HTTP_ERR_STATUS_LINE);
}

Test(http_resp, bad_header)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
		"HTTP/1.1 200 OK\r\nSpace : before colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad\x01trailer\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], strlen(bad[i]), false, SYNACK_HTTP_ERR_HEADER);
}

Test(http_resp, bad_chunk_size)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a\x01\r\nhello\r\n0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], strlen(bad[i]), false, SYNACK_HTTP_ERR_CHUNK_SIZE);
}

Test(http_resp, length_overflow)
{
	/* 2^62 is the largest accepted; one more is not. */
	static const char max[] = "HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387904\r\n\r\n";
	struct outcome o = parse_all_ways(S(max), false, false);
	cr_assert_eq(o.rc, SYNACK_HTTP_MORE);
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387905\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000000000000001\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], strlen(bad[i]), false, SYNACK_HTTP_ERR_LENGTH_OVERFLOW);
	/* Leading zeros are not digits that count. */
	static const char z[] = "HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000000000000001\r\n\r\nx";
	expect_done(S(z), false, false, 200, 1, sizeof(z) - 1, false);
}

Test(http_resp, short_response)
{
	static const char *const cut[] = {
		"", "HTTP/1.1 2", "HTTP/1.1 200 OK\r\nContent-Len",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly5",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTrailer: x\r\n",
	};
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		expect_error(cut[i], strlen(cut[i]), true, SYNACK_HTTP_ERR_SHORT);
}

Test(http_resp, idle_and_sticky_error)
{
	struct synack_http_resp p;
	struct synack_http_result r;
	memset(&p, 0, sizeof(p));      /* a zeroed context is a parser ready for a response */
	cr_assert(synack_http_resp_idle(&p));
	cr_assert_eq(synack_http_resp_feed(&p, (const uint8_t *)"H", 1, &r), SYNACK_HTTP_MORE);
	cr_assert_not(synack_http_resp_idle(&p));
	cr_assert_eq(synack_http_resp_feed(&p, (const uint8_t *)"X", 1, &r), SYNACK_HTTP_ERROR);
	cr_assert_eq(r.err, SYNACK_HTTP_ERR_STATUS_LINE);
	cr_assert_eq(r.used, 1u);
	cr_assert_eq(synack_http_resp_feed(&p, (const uint8_t *)"TTP/1.1 200 OK\r\n\r\n", 18, &r), SYNACK_HTTP_ERROR);
	cr_assert_eq(r.err, SYNACK_HTTP_ERR_STATUS_LINE);
	cr_assert_eq(synack_http_resp_fin(&p, &r), SYNACK_HTTP_ERROR);
	cr_assert_eq(r.err, SYNACK_HTTP_ERR_STATUS_LINE);
	cr_assert_str_eq(synack_http_err_name(SYNACK_HTTP_ERR_CHUNK_SIZE), "bad chunk size");
	cr_assert_leq(sizeof(struct synack_http_resp), 24u);
}

/* A body far larger than any input is skipped in runs, its length exact. */
Test(http_resp, large_body)
{
	static uint8_t buf[65536];
	struct synack_http_resp p;
	struct synack_http_result r;
	synack_http_resp_init(&p, false);
	static const char h[] = "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n";
	cr_assert_eq(synack_http_resp_feed(&p, (const uint8_t *)h, sizeof(h) - 1, &r), SYNACK_HTTP_MORE);
	uint64_t left = 10000000000ull;
	while (left > sizeof(buf)) {
		cr_assert_eq(synack_http_resp_feed(&p, buf, sizeof(buf), &r), SYNACK_HTTP_MORE);
		left -= sizeof(buf);
	}
	cr_assert_eq(synack_http_resp_feed(&p, buf, (uint32_t)left + 10, &r), SYNACK_HTTP_DONE);
	cr_assert_eq(r.used, left);
	cr_assert_eq(r.body, 10000000000ull);
}
