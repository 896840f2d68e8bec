/* test_script.c: the load generator's scripts (lib/load/script.c): every step, the request text
 * it builds, every error message naming its step and word; the built-ins and client_time_wait. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "load/script.h"

static struct synack_script sc;

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
	parse_ok("http GET /a; expect http; http POST /b; expect http", "10.0.0.1");
	cr_assert_str_eq(req_text(0), "GET /a HTTP/1.1\r\nHost: 10.0.0.1\r\nConnection: keep-alive\r\n\r\n");
	cr_assert_str_eq(req_text(2), "POST /b HTTP/1.1\r\nHost: 10.0.0.1\r\nConnection: close\r\n\r\n");
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
