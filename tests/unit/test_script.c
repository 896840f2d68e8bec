/* test_script.c: the load generator's scripts (lib/load/script.c) and their interpreter
 * (lib/load/script_app.c). The parser: every step, the request text it builds, every error
 * message naming its step and word; the built-ins and client_time_wait. The interpreter, step by
 * step on the fake engine (fake_app_api.c): the exact calls it makes, in order, as the fake's log
 * line; the bytes of its send stream through fill() at any offset and in any pieces, the same when
 * filled again; responses fed in pieces; repeat, pause, the response timeout, short and bad
 * responses. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_app_api.h"
#include "load/script.h"

static struct synack_script sc;
static struct synack_conn cn;

static void parse_ok(const char *text, const char *host)
{
	char err[256];
	int rc = synack_script_parse(&sc, text, host, err, sizeof(err));
	cr_assert_eq(rc, 0, "'%s': %s", text, err);
	cr_assert(sc.compiled);
}

static void parse_err(const char *text, const char *host, const char *want)
{
	char err[256];
	int rc = synack_script_parse(&sc, text, host, err, sizeof(err));
	cr_assert_eq(rc, -EINVAL, "'%s' parsed", text);
	cr_assert_str_eq(err, want, "'%s': %s", text, err);
}

/* The request text of step i. */
static const char *req_text(unsigned i)
{
	static char buf[SYNACK_SCRIPT_TEXT_MAX + 1];
	cr_assert_eq(sc.step[i].kind, SYNACK_STEP_HTTP);
	memcpy(buf, sc.text + sc.step[i].text, sc.step[i].n);
	buf[sc.step[i].n] = '\0';
	return buf;
}

/* The parser */

Test(script_parse, every_step)
{
	parse_ok("send 10; http GET /a host=h header=\"X-A: 1 2\"; expect 7\n"
		 "expect http; expect http 404\n\n  pause 5 ;; repeat 3; timeout 2500; wait-fin", NULL);
	cr_assert_eq(sc.nsteps, 8);
	static const uint8_t kinds[] = {
		SYNACK_STEP_SEND, SYNACK_STEP_HTTP, SYNACK_STEP_EXPECT, SYNACK_STEP_EXPECT_HTTP,
		SYNACK_STEP_EXPECT_HTTP, SYNACK_STEP_PAUSE, SYNACK_STEP_REPEAT, SYNACK_STEP_WAIT_FIN,
	};
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(sc.step[i].kind, kinds[i], "step %u", i);
	cr_assert_eq(sc.step[0].n, 10u);
	cr_assert_eq(sc.step[2].n, 7u);
	cr_assert_eq(sc.step[3].status, 0);
	cr_assert_eq(sc.step[4].status, 404);
	cr_assert_eq(sc.step[5].n, 5u);
	cr_assert_eq(sc.step[6].n, 3u);
	cr_assert_eq(sc.loops, 3u);
	cr_assert_eq(sc.body_end, 6);
	cr_assert_eq(sc.timeout_ms, 2500u);
	cr_assert_str_eq(req_text(1), "GET /a HTTP/1.1\r\nHost: h\r\nX-A: 1 2\r\nConnection: keep-alive\r\n\r\n");
	/* The layout: the send, then the request, a run of the body. */
	cr_assert_eq(sc.step[0].off, 0u);
	cr_assert_eq(sc.step[1].off, 10u);
	cr_assert_eq(sc.body_bytes, 10 + sc.step[1].n);
	cr_assert_eq(sc.loop_bytes, 3ull * sc.body_bytes);
	cr_assert_eq(sc.tail_bytes, 0u);
	parse_ok("send 1; close", NULL);
	cr_assert_eq(sc.step[1].kind, SYNACK_STEP_CLOSE);
	parse_ok("rst", NULL);
	cr_assert_eq(sc.nsteps, 1);
	cr_assert_eq(sc.step[0].kind, SYNACK_STEP_RST);
	cr_assert_eq(sc.timeout_ms, SYNACK_SCRIPT_TIMEOUT_MS);
	parse_ok("send 1; expect 1; timeout 0", NULL);
	cr_assert_eq(sc.timeout_ms, 0u);
	for (unsigned k = 0; k < SYNACK_STEP_KIND_COUNT; k++)
		cr_assert_str_neq(synack_step_kind_name(k), "?");
}

Test(script_parse, example_from_the_header)
{
	parse_ok("http GET /index.html host=example; expect http 200; repeat 10; close", "198.18.0.1");
	cr_assert_str_eq(req_text(0), "GET /index.html HTTP/1.1\r\nHost: example\r\nConnection: keep-alive\r\n\r\n");
	cr_assert_eq(sc.step[1].status, 200);
	cr_assert_eq(sc.loops, 10u);
	cr_assert_eq(sc.nsteps, 4);
}

Test(script_parse, connection_header)
{
	/* Without a repeat the last request says close, the others keep-alive. */
	parse_ok("http GET /a; expect http; http POST /b; expect http", "198.18.0.1");
	cr_assert_str_eq(req_text(0), "GET /a HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: keep-alive\r\n\r\n");
	cr_assert_str_eq(req_text(2), "POST /b HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: close\r\n\r\n");
	cr_assert_eq(sc.step[4].kind, SYNACK_STEP_CLOSE);       /* added */
	cr_assert(sc.step[2].flags & SYNACK_STEP_F_CLOSE);
	cr_assert(sc.step[3].flags & SYNACK_STEP_F_CLOSE);      /* the answer to it */
	cr_assert_not(sc.step[1].flags & SYNACK_STEP_F_CLOSE);
	/* A repeated request keeps the connection; a request after the repeat is the last. */
	parse_ok("http GET /a; expect http; repeat 2; http GET /z; expect http; close", "h");
	cr_assert_str_eq(req_text(0), "GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n");
	cr_assert_str_eq(req_text(3), "GET /z HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	cr_assert_eq(sc.step[3].off, 0u);
	cr_assert_eq(sc.tail_bytes, sc.step[3].n);
	/* repeat 1 is no repeat. */
	parse_ok("http GET /; expect http; repeat 1", "h");
	cr_assert_str_eq(req_text(0), "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	/* The caller's Connection and Host headers replace ours. */
	parse_ok("http GET / header=\"connection: Upgrade\" header=\"HOST: x.example\"; expect http", "h");
	cr_assert_str_eq(req_text(0), "GET / HTTP/1.1\r\nconnection: Upgrade\r\nHOST: x.example\r\n\r\n");
	cr_assert_not(sc.step[0].flags & SYNACK_STEP_F_CLOSE);
	parse_ok("http GET / header=\"Connection:  close \"; expect http; repeat 5", "h");
	cr_assert(sc.step[0].flags & SYNACK_STEP_F_CLOSE);
}

Test(script_parse, head_and_quoting)
{
	parse_ok("http HEAD /x host=h; expect http", NULL);
	cr_assert(sc.step[0].flags & SYNACK_STEP_F_HEAD);
	cr_assert(sc.step[1].flags & SYNACK_STEP_F_HEAD);
	parse_ok("http GET / host=h \"header=X-Q: \\\"a; b\\\" \\\\\" # a comment; not a step\nclose", NULL);
	cr_assert_eq(sc.nsteps, 2);
	cr_assert_str_eq(req_text(0), "GET / HTTP/1.1\r\nHost: h\r\nX-Q: \"a; b\" \\\r\nConnection: close\r\n\r\n");
	parse_ok("# only a comment line\r\nsend 3\r\n# another\r\nexpect 3\r\n", NULL);
	cr_assert_eq(sc.nsteps, 3);
}

Test(script_parse, errors)
{
	static const struct {
		const char *text, *host, *err;
	} cases[] = {
		{ "send 1; http GET / host=h; expct 3", NULL,
		  "step 3: 'expct': unknown step (send, http, expect, pause, repeat, close, wait-fin, rst, timeout)" },
		{ "send", NULL, "step 1: 'send': wants a byte count (send N)" },
		{ "send ten", NULL, "step 1: 'ten': not a byte count (send N, N from 1 to 4294967295)" },
		{ "send 4294967296", NULL, "step 1: '4294967296': not a byte count (send N, N from 1 to 4294967295)" },
		{ "send 0", NULL, "step 1: '0': wants a byte count from 1 (send N)" },
		{ "send 1 2", NULL, "step 1: '2': one argument only" },
		{ "send -1", NULL, "step 1: '-1': not a byte count (send N, N from 1 to 4294967295)" },
		{ "expect", NULL, "step 1: 'expect': wants a byte count or http (expect N, expect http [STATUS])" },
		{ "expect 0", NULL,
		  "step 1: '0': not a byte count or http (expect N, N from 1 to 4294967295; expect http [STATUS])" },
		{ "expect htp", NULL,
		  "step 1: 'htp': not a byte count or http (expect N, N from 1 to 4294967295; expect http [STATUS])" },
		{ "expect 5 6", NULL, "step 1: '6': one argument only" },
		{ "expect http 99", NULL, "step 1: '99': not a status (100 to 599)" },
		{ "expect http 600", NULL, "step 1: '600': not a status (100 to 599)" },
		{ "expect http ok", NULL, "step 1: 'ok': not a status (100 to 599)" },
		{ "expect http 200 300", NULL, "step 1: '300': one status only (expect http [STATUS])" },
		{ "pause", NULL, "step 1: 'pause': wants milliseconds (pause MS)" },
		{ "pause 0", NULL, "step 1: '0': wants milliseconds from 1 (pause MS)" },
		{ "pause 1s", NULL, "step 1: '1s': not milliseconds (pause MS, MS from 1 to 4294967295)" },
		{ "repeat 3", NULL, "step 1: 'repeat': nothing before it to repeat" },
		{ "send 1; repeat", NULL, "step 2: 'repeat': wants a count (repeat K)" },
		{ "send 1; repeat 0", NULL,
		  "step 2: '0': wants a count from 1 (repeat K: the steps before it run K times in all)" },
		{ "send 1; repeat x", NULL, "step 2: 'x': not a count (repeat K, K from 1 to 4294967295)" },
		{ "send 1; repeat 2; send 1; repeat 2", NULL, "step 4: 'repeat': only one repeat in a script" },
		{ "send 1; repeat 1025; close", NULL,
		  "step 3: 'close': steps that never wait (no expect or pause) repeated more than 1024 times" },
		{ "close now", NULL, "step 1: 'now': takes no argument" },
		{ "wait-fin 5", NULL, "step 1: '5': takes no argument" },
		{ "rst; send 1", NULL, "step 2: 'send': nothing may follow rst" },
		{ "close; close", NULL, "step 2: 'close': nothing may follow close" },
		{ "send 1; wait-fin; expect 1", NULL, "step 3: 'expect': nothing may follow wait-fin" },
		{ "timeout", NULL, "step 1: 'timeout': wants milliseconds (timeout MS; 0: none)" },
		{ "timeout 1; send 1; timeout 2", NULL,
		  "step 3: 'timeout': given twice (it covers every expect of the script)" },
		{ "timeout 5x", NULL, "step 1: '5x': not milliseconds (timeout MS, MS from 0 to 4294967295)" },
		{ "timeout 5 6", NULL, "step 1: '6': one argument only" },
		{ "http", "h", "step 1: 'http': wants a method and a path (http GET /)" },
		{ "http GET", "h", "step 1: 'http': wants a method and a path (http GET /)" },
		{ "http G(T /", "h", "step 1: 'G(T': not a method (a token: GET, HEAD, POST...)" },
		{ "http GET \"/a b\"", "h", "step 1: '/a b': not a request target (no spaces or control bytes)" },
		{ "http GET / host=", NULL, "step 1: 'host=': not a host (host=H: no spaces or control bytes)" },
		{ "http GET / header=NoColon", "h", "step 1: 'header=NoColon': not a header (header=\"Name: value\")" },
		{ "http GET / \"header=Bad Name: v\"", "h",
		  "step 1: 'header=Bad Name: v': not a header (header=\"Name: value\")" },
		{ "http GET / header=:v", "h", "step 1: 'header=:v': not a header (header=\"Name: value\")" },
		{ "http GET / port=80", "h", "step 1: 'port=80': unknown option (host=H, header=\"Name: value\")" },
		{ "send 1; http GET /", NULL,
		  "step 2: 'http': no Host: give host=H or a Host header (the caller gave no default)" },
		{ "send 1; http GET / header=\"X: a", "h", "step 2: 'header=\"X:': unterminated quote" },
		{ "", NULL, "step 1: '': an empty script" },
		{ " ; \n # nothing\n", NULL, "step 1: '': an empty script" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_err(cases[i].text, cases[i].host, cases[i].err);
	char err[128];
	cr_assert_eq(synack_script_parse(&sc, "close", "a b", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "'a b': not a default host (no spaces or control bytes)");
}

Test(script_parse, limits)
{
	/* 32 steps, the last a close: fits. 32 without an end: no room for the close. */
	char text[512] = "";
	for (unsigned i = 0; i < 31; i++)
		strcat(text, "send 1; ");
	strcat(text, "close");
	parse_ok(text, NULL);
	cr_assert_eq(sc.nsteps, 32);
	text[0] = '\0';
	for (unsigned i = 0; i < 32; i++)
		strcat(text, "send 1; ");
	parse_err(text, NULL, "step 32: 'send': more than 32 steps with the close added at the end");
	strcat(text, "send 1");
	parse_err(text, NULL, "step 33: 'send': more than 32 steps");
	/* Request text: 4096 bytes in all. */
	static char big[8192];
	strcpy(big, "http GET /");
	memset(big + 10, 'p', 2000);
	strcpy(big + 2010, "; http GET /");
	memset(big + 2022, 'q', 2000);
	strcpy(big + 4022, "; expect http");
	parse_err(big, "h", "step 2: 'http': requests longer than 4096 bytes in all");
	/* One run's bytes fit 32 bits. */
	parse_err("send 4294967295; send 1", NULL,
		  "step 2: 'send': one run of the steps sends more than 4294967295 bytes");
	parse_ok("send 4294967295; expect 1; repeat 4294967295; send 4294967295", NULL);
	cr_assert_eq(sc.loop_bytes, 4294967295ull * 4294967295ull);
}

Test(script_build, from_code)
{
	synack_script_init(&sc);
	const char *hdr[] = { "Accept: */*" };
	cr_assert_eq(synack_script_http(&sc, "GET", "/x", "example.org", hdr, 1), 0);
	cr_assert_eq(synack_script_expect_http(&sc, 200), 0);
	cr_assert_eq(synack_script_pause(&sc, 20), 0);
	cr_assert_eq(synack_script_repeat(&sc, 3), 0);
	cr_assert_eq(synack_script_repeat(&sc, 3), -EINVAL);
	cr_assert_str_eq(sc.why, "only one repeat in a script");
	cr_assert_eq(synack_script_expect_http(&sc, 42), -EINVAL);
	cr_assert_eq(synack_script_http(&sc, "GET", "/", NULL, NULL, 0), -EINVAL);
	synack_script_set_timeout(&sc, 700);
	cr_assert_eq(synack_script_compile(&sc), 0);
	cr_assert_eq(sc.nsteps, 5);
	cr_assert_eq(sc.step[4].kind, SYNACK_STEP_CLOSE);
	cr_assert_str_eq(req_text(0), "GET /x HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
	cr_assert_eq(sc.timeout_ms, 700u);
	cr_assert_eq(synack_script_send(&sc, 1), -EINVAL);
	cr_assert_eq(synack_script_compile(&sc), -EINVAL);
	synack_script_init(&sc);
	for (unsigned i = 0; i < SYNACK_SCRIPT_MAX_STEPS; i++)
		cr_assert_eq(synack_script_send(&sc, 1), 0);
	cr_assert_eq(synack_script_send(&sc, 1), -ENOSPC);
	cr_assert_eq(synack_script_compile(&sc), -ENOSPC);
}

Test(script_builtin, by_name)
{
	cr_assert_eq(synack_script_builtin(&sc, "handshake", 0, NULL), 0);
	cr_assert_eq(sc.nsteps, 1);
	cr_assert_eq(sc.step[0].kind, SYNACK_STEP_RST);
	cr_assert_not(synack_script_client_time_wait(&sc));
	cr_assert_eq(synack_script_builtin(&sc, "close", 0, NULL), 0);
	cr_assert_eq(sc.nsteps, 1);
	cr_assert_eq(sc.step[0].kind, SYNACK_STEP_CLOSE);
	cr_assert(synack_script_client_time_wait(&sc));
	cr_assert_eq(synack_script_builtin(&sc, "connect", 0, NULL), 0);
	cr_assert_eq(sc.step[0].kind, SYNACK_STEP_CLOSE);
	cr_assert(synack_script_client_time_wait(&sc));
	cr_assert_eq(synack_script_builtin(&sc, "request", 0, NULL), 0);
	cr_assert_eq(sc.nsteps, 3);
	cr_assert_eq(sc.step[0].kind, SYNACK_STEP_SEND);
	cr_assert_eq(sc.step[0].n, 64u);
	cr_assert_eq(sc.step[1].kind, SYNACK_STEP_EXPECT);
	cr_assert_eq(sc.step[1].n, 64u);
	cr_assert_eq(sc.step[2].kind, SYNACK_STEP_CLOSE);
	cr_assert(synack_script_client_time_wait(&sc));
	cr_assert_eq(synack_script_builtin(&sc, "request", 1000, NULL), 0);
	cr_assert_eq(sc.step[0].n, 1000u);
	cr_assert_eq(sc.step[1].n, 1000u);
	cr_assert_eq(synack_script_builtin(&sc, "http", 0, "198.18.0.1"), 0);
	cr_assert_eq(sc.nsteps, 3);
	cr_assert_str_eq(req_text(0), "GET / HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: close\r\n\r\n");
	cr_assert_eq(sc.step[1].kind, SYNACK_STEP_EXPECT_HTTP);
	cr_assert_eq(sc.step[1].status, 0);
	cr_assert_not(synack_script_client_time_wait(&sc));
	cr_assert_eq(synack_script_builtin(&sc, "http", 0, NULL), -EINVAL);
	cr_assert_eq(synack_script_builtin(&sc, "ping", 0, NULL), -ENOENT);
}

Test(script_builtin, client_time_wait)
{
	static const struct {
		const char *text;
		bool tw;
	} cases[] = {
		{ "rst", false },
		{ "close", true },
		{ "send 5; close", true },
		{ "send 5; expect 5", true },
		{ "send 5; wait-fin", false },
		{ "http GET /; expect http; close", false },
		{ "http GET /; expect http; pause 10; close", false },
		{ "http GET /; expect http; repeat 3; close", true },
		{ "http GET /; close", true },
		{ "http GET / header=\"Connection: close\"; expect http; repeat 3", false },
		{ "http GET / header=\"Connection: keep-alive\"; expect http", true },
		{ "http GET /; expect http; send 3; expect 3", true },
		{ "send 1; expect 1; rst", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].text, "h");
		cr_assert_eq(synack_script_client_time_wait(&sc), cases[i].tw, "'%s'", cases[i].text);
	}
}

/* The interpreter */

static const struct synack_app *app;

static void start(const char *text)
{
	parse_ok(text, "198.18.0.1");
	app = synack_script_app();
	cr_assert_leq(app->ctx_size, SYNACK_APP_CTX_MAX);
	fake_now = 1000000000ull;
	fake_conn_init(&cn, app, &sc);
	fake_connected(&cn);
}

static void log_is(const char *want)
{
	cr_assert_str_eq(cn.log, want);
	fake_log_clear(&cn);
}

/* The send stream's bytes [from, from + len), filled in pieces of `piece` bytes. */
static void stream(uint64_t from, uint32_t len, uint32_t piece, uint8_t *out)
{
	for (uint32_t at = 0; at < len; at += piece)
		fake_fill(&cn, (uint32_t)(from + at), out + at, len - at < piece ? len - at : piece);
}

static void stream_is(uint64_t from, const char *want)
{
	static uint8_t got[1 << 16];
	uint32_t len = (uint32_t)strlen(want);
	static const uint32_t pieces[] = { 1, 3, 7, 64, 1460, 65536 };
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		memset(got, '?', len);
		stream(from, len, pieces[p], got);
		cr_assert(!memcmp(got, want, len), "at %llu in pieces of %u: '%.*s'", (unsigned long long)from,
			  pieces[p], (int)len, (const char *)got);
	}
}

static void feed_pieces(const char *d, uint32_t piece)
{
	uint32_t len = (uint32_t)strlen(d);
	for (uint32_t at = 0; at < len; at += piece) {
		uint32_t n = len - at < piece ? len - at : piece;
		cr_assert_eq(fake_data(&cn, d + at, n), n);
	}
}

static const char req_root[] = "GET / HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: close\r\n\r\n";

Test(script_app, http_builtin)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello, world";
	for (uint32_t piece = 1; piece <= sizeof(resp); piece++) {
		cr_assert_eq(synack_script_builtin(&sc, "http", 0, "198.18.0.1"), 0);
		fake_conn_init(&cn, synack_script_app(), &sc);
		fake_connected(&cn);
		char want[128];
		snprintf(want, sizeof(want), "gen %zu; req; timer 10000", sizeof(req_root) - 1);
		log_is(want);
		stream_is(0, req_root);
		stream_is(5, req_root + 5);
		feed_pieces(resp, piece);
		cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
		cr_assert_eq(cn.marks[SYNACK_MARK_FIRST_BYTE], 1u);
		cr_assert_eq(cn.marks[SYNACK_MARK_DONE], 1u);
		cr_assert_eq(cn.requests, 1u);
		cr_assert_eq(cn.closes, 1u);
		cr_assert_eq(cn.aborts, 0u);
		cr_assert_not(cn.timer_armed);
		if (piece == 4)
			cr_assert_str_eq(cn.log, "mark first; timer off; ok; mark done; close");
		/* The server's FIN: our close is made already. */
		fake_log_clear(&cn);
		fake_peer_closed(&cn);
		log_is("");
		/* A retransmission long after: the same bytes. */
		stream_is(0, req_root);
	}
}

Test(script_app, request_builtin)
{
	cr_assert_eq(synack_script_builtin(&sc, "request", 0, NULL), 0);
	fake_conn_init(&cn, synack_script_app(), &sc);
	fake_connected(&cn);
	log_is("gen 64; req; timer 10000");
	stream_is(0, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl");
	stream_is(30, "efghijklmnopqrstuvwxyzabcdefghijkl");
	static char answer[65];
	memset(answer, 'x', 64);
	feed_pieces(answer, 40);
	log_is("mark first; timer off; ok; mark done; close");
	fake_peer_closed(&cn);
	log_is("");
}

Test(script_app, handshake_goes_straight_to_abort)
{
	cr_assert_eq(synack_script_builtin(&sc, "handshake", 0, NULL), 0);
	fake_conn_init(&cn, synack_script_app(), &sc);
	memset(cn.ctx, 0xa5, sizeof(cn.ctx));
	cn.app->connected(&cn);         /* not fake_connected: the context must stay as it was */
	log_is("ok; abort");
	for (unsigned i = 0; i < sizeof(cn.ctx); i++)
		cr_assert_eq(cn.ctx[i], 0xa5);
}

Test(script_app, close_builtin)
{
	cr_assert_eq(synack_script_builtin(&sc, "close", 0, NULL), 0);
	fake_conn_init(&cn, synack_script_app(), &sc);
	fake_connected(&cn);
	log_is("ok; mark done; close");
	fake_peer_closed(&cn);
	log_is("");
}

/* repeat 10: ten requests on one connection, each after the answer to the one before. */
Test(script_app, repeat_keep_alive)
{
	start("http GET /k; expect http 200; repeat 10; close");
	static const char req[] = "GET /k HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: keep-alive\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	const uint32_t rl = sizeof(req) - 1;
	for (unsigned i = 0; i < 10; i++) {
		cr_assert_eq(cn.requests, i + 1);
		cr_assert_eq(cn.queued, (uint64_t)(i + 1) * rl);
		cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
		stream_is((uint64_t)i * rl, req);
		feed_pieces(resp, 7);
	}
	cr_assert_eq(cn.requests, 10u);
	cr_assert_eq(cn.gens, 10u);
	cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
	cr_assert_eq(cn.marks[SYNACK_MARK_DONE], 1u);
	cr_assert_eq(cn.closes, 1u);
	/* every request, filled again at its old offset */
	for (unsigned i = 0; i < 10; i++)
		stream_is((uint64_t)i * rl, req);
	/* across the boundary between two requests */
	char two[256];
	snprintf(two, sizeof(two), "%s%s", req + 20, req);
	stream_is(20, two);
}

/* The body's requests, then the tail's, filled by offset from anywhere in the stream. */
Test(script_app, tail_after_repeat)
{
	start("http GET /a; expect http; repeat 2; http GET /last; expect http; close");
	static const char ra[] = "GET /a HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: keep-alive\r\n\r\n";
	static const char rz[] = "GET /last HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: close\r\n\r\n";
	static const char resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
	feed_pieces(resp, 100);
	feed_pieces(resp, 100);
	cr_assert_eq(cn.requests, 3u);
	char all[512];
	snprintf(all, sizeof(all), "%s%s%s", ra, ra, rz);
	stream_is(0, all);
	stream_is(sizeof(ra) - 1 + 9, all + sizeof(ra) - 1 + 9);
	feed_pieces("HTTP/1.1 200 OK\r\n\r\nuntil the FIN", 5);
	cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
	fake_log_clear(&cn);
	fake_peer_closed(&cn);
	log_is("timer off; ok; mark done; close");
}

/* Two requests queued at once, both answers in one segment. */
Test(script_app, pipelined)
{
	start("http GET /1; http GET /2; expect http; expect http");
	log_is("gen 61; req; gen 56; req; timer 10000");
	static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
				  "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nyz";
	cr_assert_eq(fake_data_str(&cn, two), sizeof(two) - 1);
	log_is("mark first; timer 10000; timer off; ok; mark done; close");
}

Test(script_app, pause_arms_the_timer)
{
	start("send 5; expect 5; pause 250; send 6; expect 6; close");
	log_is("gen 5; req; timer 10000");
	stream_is(0, "abcde");
	fake_data_str(&cn, "12345");
	log_is("mark first; timer 250");
	cr_assert(cn.timer_armed);
	cr_assert_eq(cn.timer_ms, 250u);
	uint64_t t0 = fake_now;
	cr_assert(fake_timer_fire(&cn));
	cr_assert_eq(fake_now - t0, 250000000ull);
	log_is("gen 6; req; timer 10000");
	stream_is(5, "abcdef");          /* each send's pattern from its own first byte */
	fake_data_str(&cn, "123456");
	log_is("timer off; ok; mark done; close");
}

Test(script_app, response_timeout)
{
	start("send 5; expect 5; timeout 50");
	log_is("gen 5; req; timer 50");
	fake_data_str(&cn, "123");
	cr_assert(fake_timer_fire(&cn));
	log_is("mark first; response-timeout; abort");
	cr_assert_eq(cn.outcome, SYNACK_OUT_RESPONSE_TIMEOUT);
	/* each expect is timed from its own start */
	start("send 1; expect 1; send 1; expect 1; timeout 50");
	fake_data_str(&cn, "1");
	log_is("gen 1; req; timer 50; mark first; gen 1; req; timer 50");
	/* timeout 0: none */
	start("send 1; expect 1; timeout 0");
	log_is("gen 1; req");
	cr_assert_not(cn.timer_armed);
	/* wait-fin is timed too */
	start("send 1; wait-fin; timeout 30");
	log_is("gen 1; req; timer 30");
	cr_assert(fake_timer_fire(&cn));
	log_is("response-timeout; abort");
}

Test(script_app, short_response)
{
	start("send 5; expect 10");
	fake_data_str(&cn, "12345");
	fake_peer_closed(&cn);
	log_is("gen 5; req; timer 10000; mark first; timer off; short-response; close");
	/* an HTTP body cut short */
	start("http GET /; expect http");
	fake_data_str(&cn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
	fake_peer_closed(&cn);
	cr_assert_eq(cn.outcome, SYNACK_OUT_SHORT_RESPONSE);
	cr_assert_eq(cn.closes, 1u);
	/* no answer at all */
	start("http GET /; expect http");
	fake_peer_closed(&cn);
	cr_assert_eq(cn.outcome, SYNACK_OUT_SHORT_RESPONSE);
	cr_assert_eq(cn.marks[SYNACK_MARK_FIRST_BYTE], 0u);
	/* the FIN during a pause: the expect after it is short */
	start("send 1; expect 1; pause 10; send 1; expect 1");
	fake_data_str(&cn, "x");
	fake_peer_closed(&cn);
	cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
	fake_log_clear(&cn);
	cr_assert(fake_timer_fire(&cn));
	log_is("gen 1; req; short-response; close");
}

Test(script_app, bad_responses)
{
	/* the wrong status */
	start("http GET /; expect http 200");
	fake_data_str(&cn, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_BAD_RESPONSE);
	cr_assert_eq(cn.aborts, 1u);
	/* no status given: any 2xx, nothing else */
	start("http GET /; expect http");
	fake_data_str(&cn, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_BAD_RESPONSE);
	start("http GET /; expect http");
	fake_data_str(&cn, "HTTP/1.1 299 Odd\r\nContent-Length: 0\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
	/* a status wanted that is not 2xx */
	start("http GET /; expect http 404");
	fake_data_str(&cn, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
	/* not HTTP */
	start("http GET /; expect http");
	fake_data_str(&cn, "SSH-2.0-OpenSSH\r\n");
	log_is("gen 55; req; timer 10000; mark first; timer off; bad-response; abort");
	/* more bytes than expected: not OK first */
	start("send 5; expect 5");
	fake_data_str(&cn, "123456");
	log_is("gen 5; req; timer 10000; mark first; timer off; bad-response; abort");
	start("http GET /; expect http");
	fake_data_str(&cn, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy");
	cr_assert_eq(cn.outcome, SYNACK_OUT_BAD_RESPONSE);
	/* bytes during a pause, or while waiting for the FIN */
	start("send 1; expect 1; pause 10; close");
	fake_data_str(&cn, "1");
	fake_data_str(&cn, "2");
	cr_assert_eq(cn.outcome, SYNACK_OUT_BAD_RESPONSE);
	start("send 1; wait-fin");
	fake_data_str(&cn, "1");
	cr_assert_eq(cn.outcome, SYNACK_OUT_BAD_RESPONSE);
	/* bytes after the script is done: OK is reported already, then the abort */
	start("send 1; expect 1; close");
	fake_data_str(&cn, "1");
	fake_log_clear(&cn);
	fake_data_str(&cn, "late");
	log_is("bad-response; abort");
}

Test(script_app, http_framings)
{
	/* HEAD: the Content-Length names a body that does not come */
	start("http HEAD /; expect http; close");
	fake_data_str(&cn, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
	/* 100 Continue, then the response */
	start("http GET /; expect http");
	fake_data_str(&cn, "HTTP/1.1 100 Continue\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
	fake_data_str(&cn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n");
	cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
	/* until the FIN, with a wrong status: bad at the FIN */
	start("http GET /; expect http");
	fake_data_str(&cn, "HTTP/1.1 503 Busy\r\n\r\nlater");
	cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
	fake_peer_closed(&cn);
	cr_assert_eq(cn.outcome, SYNACK_OUT_BAD_RESPONSE);
	/* wait-fin after the answer */
	start("http GET /; expect http; wait-fin");
	fake_data_str(&cn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	fake_log_clear(&cn);
	cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
	fake_peer_closed(&cn);
	log_is("timer off; ok; mark done; close");
	/* the FIN with the answer, before wait-fin is reached */
	start("send 1; expect 1; wait-fin");
	fake_data_str(&cn, "x");
	cr_assert_eq(cn.outcome, SYNACK_OUT_NONE);
	fake_peer_closed(&cn);
	cr_assert_eq(cn.outcome, SYNACK_OUT_OK);
	cr_assert_eq(cn.closes, 1u);
}

Test(script_app, engine_refuses_bytes)
{
	parse_ok("send 5; expect 5", NULL);
	fake_conn_init(&cn, synack_script_app(), &sc);
	cn.send_gen_rc = -ENOMEM;
	fake_connected(&cn);
	log_is("gen 5 refused; other; abort");
}

/* More than 2^32 bytes on one connection: fill's 32-bit offsets still name the right bytes. */
Test(script_app, stream_past_4gib)
{
	start("send 1000000; expect 1; repeat 5000; close");
	const uint64_t run = 1000000;
	for (unsigned i = 0; i < 4400; i++)
		fake_data(&cn, "x", 1);
	cr_assert_eq(cn.queued, 4401 * run);
	cr_assert_gt(cn.queued, 1ull << 32);
	uint8_t got[100], want[100];
	/* within the window behind the end (2^31): the last run's end, its start, across two runs, the wrap */
	static const uint64_t at[] = { 4400 * run + 999900, 4400 * run + 17, 4399 * run + 999990, (1ull << 32) + 3 };
	for (size_t a = 0; a < sizeof(at) / sizeof(at[0]); a++) {
		cr_assert(cn.queued - at[a] < (1ull << 31) && at[a] + 100 <= cn.queued);
		for (unsigned i = 0; i < 100; i++)
			want[i] = (uint8_t)('a' + ((at[a] + i) % run) % 26);
		stream(at[a], 100, 33, got);
		cr_assert(!memcmp(got, want, 100), "at %llu", (unsigned long long)at[a]);
	}
}

Test(script_app, context_fits)
{
	cr_assert_leq(synack_script_app()->ctx_size, SYNACK_APP_CTX_MAX);
	cr_assert_str_eq(synack_script_app()->name, "script");
}
