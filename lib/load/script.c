/* script.c: the script model of script.h: its builders, its compilation (the close at the end,
 * each request's Connection header, the send stream's layout), its text parser and the built-in
 * scripts. All of it runs once, before a load starts; nothing here is on a packet's path. */
#include "load/script.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char synack_script_builtin_names[] = "handshake, close, connect, request, http";

static const char *const kind_names[SYNACK_STEP_KIND_COUNT] = {
	"send", "http", "expect", "expect http", "pause", "repeat", "close", "wait-fin", "rst",
};

const char *synack_step_kind_name(unsigned k) { return k < SYNACK_STEP_KIND_COUNT ? kind_names[k] : "?"; }

/* What the Connection header and the head's end add to a request at compile time. */
static const char conn_keep[] = "Connection: keep-alive\r\n\r\n";
static const char conn_close[] = "Connection: close\r\n\r\n";
#define CONN_RESERVE (sizeof(conn_keep) - 1)

void synack_script_init(struct synack_script *s)
{
	memset(s, 0, sizeof(*s));
	s->timeout_ms = SYNACK_SCRIPT_TIMEOUT_MS;
	s->loops = 1;
}

void synack_script_set_timeout(struct synack_script *s, uint32_t ms) { s->timeout_ms = ms; }

static int fail(struct synack_script *s, int rc, const char *why)
{
	s->why = why;
	return rc;
}

static bool is_terminal(uint8_t kind)
{
	return kind == SYNACK_STEP_CLOSE || kind == SYNACK_STEP_WAIT_FIN || kind == SYNACK_STEP_RST;
}

/* Room for one more step, after nothing that ends the script. Returns 0 or -errno. */
static int room(struct synack_script *s)
{
	if (s->compiled)
		return fail(s, -EINVAL, "the script is compiled already");
	if (s->nsteps && is_terminal(s->step[s->nsteps - 1].kind)) {
		static const char *const after[] = { "nothing may follow close", "nothing may follow wait-fin",
						     "nothing may follow rst" };
		return fail(s, -EINVAL, after[s->step[s->nsteps - 1].kind - SYNACK_STEP_CLOSE]);
	}
	if (s->nsteps == SYNACK_SCRIPT_MAX_STEPS)
		return fail(s, -ENOSPC, "more than 32 steps");
	return 0;
}

static int add(struct synack_script *s, uint8_t kind, uint32_t n)
{
	int rc = room(s);
	if (rc)
		return rc;
	struct synack_script_step *st = &s->step[s->nsteps++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->n = n;
	return 0;
}

int synack_script_send(struct synack_script *s, uint32_t n)
{
	if (!n)
		return fail(s, -EINVAL, "wants a byte count from 1 (send N)");
	return add(s, SYNACK_STEP_SEND, n);
}

int synack_script_expect(struct synack_script *s, uint32_t n)
{
	if (!n)
		return fail(s, -EINVAL, "wants a byte count from 1 (expect N)");
	return add(s, SYNACK_STEP_EXPECT, n);
}

int synack_script_expect_http(struct synack_script *s, uint16_t status)
{
	if (status && (status < 100 || status > 599))
		return fail(s, -EINVAL, "not a status (100 to 599)");
	int rc = add(s, SYNACK_STEP_EXPECT_HTTP, 0);
	if (!rc)
		s->step[s->nsteps - 1].status = status;
	return rc;
}

int synack_script_pause(struct synack_script *s, uint32_t ms)
{
	if (!ms)
		return fail(s, -EINVAL, "wants milliseconds from 1 (pause MS)");
	return add(s, SYNACK_STEP_PAUSE, ms);
}

int synack_script_repeat(struct synack_script *s, uint32_t k)
{
	if (!k)
		return fail(s, -EINVAL, "wants a count from 1 (repeat K: the steps before it run K times in all)");
	if (!s->nsteps)
		return fail(s, -EINVAL, "nothing before it to repeat");
	for (unsigned i = 0; i < s->nsteps; i++)
		if (s->step[i].kind == SYNACK_STEP_REPEAT)
			return fail(s, -EINVAL, "only one repeat in a script");
	return add(s, SYNACK_STEP_REPEAT, k);
}

int synack_script_close(struct synack_script *s) { return add(s, SYNACK_STEP_CLOSE, 0); }
int synack_script_wait_fin(struct synack_script *s) { return add(s, SYNACK_STEP_WAIT_FIN, 0); }
int synack_script_rst(struct synack_script *s) { return add(s, SYNACK_STEP_RST, 0); }

/* HTTP's words, checked before they go into request text. */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return c < 0x80;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c; }

/* a (n bytes) equals the lower-case word w, case-insensitively. */
static bool eq_nocase(const char *a, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != (unsigned char)w[i])
			return false;
	return true;
}

static const char *check_method(const char *m)
{
	if (!m || !*m)
		return "wants a method and a path (http GET /)";
	for (const char *p = m; *p; p++)
		if (!is_tchar((unsigned char)*p))
			return "not a method (a token: GET, HEAD, POST...)";
	return NULL;
}

/* A request target or a host: visible bytes, no space. */
static bool is_word(const char *w)
{
	if (!*w)
		return false;
	for (const unsigned char *p = (const unsigned char *)w; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

static const char *check_path(const char *p)
{
	if (!p || !*p)
		return "wants a method and a path (http GET /)";
	return is_word(p) ? NULL : "not a request target (no spaces or control bytes)";
}

static const char *check_host(const char *h)
{
	return is_word(h) ? NULL : "not a host (host=H: no spaces or control bytes)";
}

/* "Name: value": the name's length in *name_len. */
static const char *check_header(const char *h, size_t *name_len)
{
	static const char why[] = "not a header (header=\"Name: value\")";
	size_t n = 0;
	while (h[n] && h[n] != ':') {
		if (!is_tchar((unsigned char)h[n]))
			return why;
		n++;
	}
	if (!n || h[n] != ':')
		return why;
	for (const unsigned char *p = (const unsigned char *)h + n + 1; *p; p++)
		if (*p != '\t' && (*p < 0x20 || *p == 0x7f))
			return why;
	*name_len = n;
	return NULL;
}

/* The header's value is the token close (surrounding whitespace aside). */
static bool says_close(const char *h, size_t name_len)
{
	const char *v = h + name_len + 1, *e = h + strlen(h);
	while (*v == ' ' || *v == '\t')
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return eq_nocase(v, (size_t)(e - v), "close");
}

static void put(struct synack_script *s, uint32_t *at, const char *str)
{
	size_t n = strlen(str);
	memcpy(s->text + *at, str, n);
	*at += (uint32_t)n;
}

int synack_script_http(struct synack_script *s, const char *method, const char *path, const char *host,
		       const char *const *headers, unsigned nheaders)
{
	const char *why = check_method(method);
	if (!why)
		why = check_path(path);
	if (!why && host)
		why = check_host(host);
	if (why)
		return fail(s, -EINVAL, why);
	bool own_host = false, own_conn = false, close = false;
	size_t len = strlen(method) + 1 + strlen(path) + sizeof(" HTTP/1.1\r\n") - 1;
	for (unsigned i = 0; i < nheaders; i++) {
		size_t nl;
		if ((why = check_header(headers[i], &nl)))
			return fail(s, -EINVAL, why);
		own_host |= eq_nocase(headers[i], nl, "host");
		if (eq_nocase(headers[i], nl, "connection")) {
			own_conn = true;
			close |= says_close(headers[i], nl);
		}
		len += strlen(headers[i]) + 2;
	}
	if (!host && !own_host)
		return fail(s, -EINVAL, "no Host: give host=H or a Host header (the caller gave no default)");
	if (host && !own_host)
		len += sizeof("Host: \r\n") - 1 + strlen(host);
	size_t reserve = own_conn ? 2 : CONN_RESERVE;
	if (len + reserve > SYNACK_SCRIPT_TEXT_MAX - s->text_len)
		return fail(s, -ENOSPC, "requests longer than 4096 bytes in all");
	int rc = add(s, SYNACK_STEP_HTTP, 0);
	if (rc)
		return rc;
	struct synack_script_step *st = &s->step[s->nsteps - 1];
	uint32_t at = s->text_len;
	st->text = at;
	put(s, &at, method);
	put(s, &at, " ");
	put(s, &at, path);
	put(s, &at, " HTTP/1.1\r\n");
	if (host && !own_host) {
		put(s, &at, "Host: ");
		put(s, &at, host);
		put(s, &at, "\r\n");
	}
	for (unsigned i = 0; i < nheaders; i++) {
		put(s, &at, headers[i]);
		put(s, &at, "\r\n");
	}
	/* What compile adds goes here: the Connection header (unless the caller's) and the blank line. */
	st->n = at - st->text;
	s->text_len = at + (uint32_t)reserve;
	st->flags = (uint8_t)((strcmp(method, "HEAD") == 0 ? SYNACK_STEP_F_HEAD : 0) |
			      (own_conn ? SYNACK_STEP_F_CONN : 0) | (close ? SYNACK_STEP_F_CLOSE : 0));
	return 0;
}

/* Lays out one part's sends: each step's offset, the part's bytes in *total. */
static int layout(struct synack_script *s, unsigned from, unsigned to, uint32_t *total)
{
	uint64_t off = 0;
	for (unsigned i = from; i < to; i++) {
		struct synack_script_step *st = &s->step[i];
		if (st->kind != SYNACK_STEP_SEND && st->kind != SYNACK_STEP_HTTP)
			continue;
		st->off = (uint32_t)off;
		off += st->n;
		if (off > UINT32_MAX)
			return fail(s, -EINVAL, "one run of the steps sends more than 4294967295 bytes");
	}
	*total = (uint32_t)off;
	return 0;
}

/* The step before `i` that the script waited on last: pauses and the repeat skipped. */
static int before(const struct synack_script *s, int i)
{
	while (--i >= 0)
		if (s->step[i].kind != SYNACK_STEP_PAUSE && s->step[i].kind != SYNACK_STEP_REPEAT)
			return i;
	return -1;
}

int synack_script_compile(struct synack_script *s)
{
	if (s->compiled)
		return fail(s, -EINVAL, "the script is compiled already");
	if (!s->nsteps || !is_terminal(s->step[s->nsteps - 1].kind)) {
		int rc = synack_script_close(s);
		if (rc)
			return fail(s, rc, "more than 32 steps with the close added at the end");
	}
	s->body_end = s->nsteps;
	for (unsigned i = 0; i < s->nsteps; i++)
		if (s->step[i].kind == SYNACK_STEP_REPEAT) {
			s->body_end = (uint8_t)i;
			s->loops = s->step[i].n;
		}
	/* Connection: close on the connection's last request; none when the body repeats and the tail
	 * has no request. */
	int last = -1;
	for (unsigned i = 0; i < s->nsteps; i++)
		if (s->step[i].kind == SYNACK_STEP_HTTP && (i > s->body_end || s->loops == 1))
			last = (int)i;
	for (unsigned i = 0; i < s->nsteps; i++) {
		struct synack_script_step *st = &s->step[i];
		if (st->kind != SYNACK_STEP_HTTP)
			continue;
		uint32_t at = st->text + st->n;
		if (st->flags & SYNACK_STEP_F_CONN) {
			put(s, &at, "\r\n");
		} else if ((int)i == last) {
			put(s, &at, conn_close);
			st->flags |= SYNACK_STEP_F_CLOSE;
		} else {
			put(s, &at, conn_keep);
		}
		st->n = at - st->text;
	}
	/* The k-th expect http reads the answer to the k-th request. */
	unsigned k = 0, req[SYNACK_SCRIPT_MAX_STEPS], nreq = 0;
	for (unsigned i = 0; i < s->nsteps; i++)
		if (s->step[i].kind == SYNACK_STEP_HTTP)
			req[nreq++] = i;
	for (unsigned i = 0; i < s->nsteps; i++) {
		struct synack_script_step *st = &s->step[i];
		if (st->kind != SYNACK_STEP_EXPECT_HTTP)
			continue;
		st->flags = 0;
		if (k < nreq)
			st->flags = s->step[req[k]].flags & (SYNACK_STEP_F_HEAD | SYNACK_STEP_F_CLOSE);
		k++;
	}
	/* The interpreter runs steps that do not wait in one go, within one callback. */
	if (s->loops > SYNACK_SCRIPT_MAX_BUSY_LOOPS) {
		bool waits = false;
		for (unsigned i = 0; i < s->body_end; i++)
			waits |= s->step[i].kind == SYNACK_STEP_EXPECT || s->step[i].kind == SYNACK_STEP_EXPECT_HTTP ||
				 s->step[i].kind == SYNACK_STEP_PAUSE;
		if (!waits)
			return fail(s, -EINVAL, "steps that never wait (no expect or pause) repeated more than 1024 times");
	}
	int rc = layout(s, 0, s->body_end, &s->body_bytes);
	if (!rc)
		rc = layout(s, s->body_end < s->nsteps ? s->body_end + 1u : s->nsteps, s->nsteps, &s->tail_bytes);
	if (rc)
		return rc;
	s->loop_bytes = (uint64_t)s->loops * s->body_bytes;
	const struct synack_script_step *end = &s->step[s->nsteps - 1];
	int b = before(s, s->nsteps - 1);
	s->client_time_wait = end->kind == SYNACK_STEP_CLOSE &&
			      !(b >= 0 && s->step[b].kind == SYNACK_STEP_EXPECT_HTTP &&
				(s->step[b].flags & SYNACK_STEP_F_CLOSE));
	s->compiled = true;
	s->why = NULL;
	return 0;
}

bool synack_script_client_time_wait(const struct synack_script *s) { return s->client_time_wait; }

/* The text parser. A step's words go, unquoted, into one buffer. */
#define MAX_WORDS 40u

struct words {
	unsigned n;
	const char *w[MAX_WORDS];
	char buf[SYNACK_SCRIPT_TEXT_MAX + 2 * MAX_WORDS];
};

static int perr(char *err, size_t errlen, unsigned step, const char *word, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "step %u: '%.64s': %s", step, word, why);
	return -EINVAL;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Reads one step's words from *pp up to its ';', newline or end. Returns NULL, or why not
 * (the offending word's start in *bad). */
static const char *read_words(const char **pp, struct words *w, const char **bad)
{
	const char *p = *pp;
	size_t used = 0;
	w->n = 0;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '#')
			while (*p && *p != '\n')
				p++;
		if (!*p || *p == ';' || *p == '\n')
			break;
		if (w->n == MAX_WORDS) {
			*bad = p;
			return "too many words in one step";
		}
		const char *start = p;
		w->w[w->n++] = w->buf + used;
		bool quoted = false;
		while (*p && (quoted || (!is_blank(*p) && *p != ';' && *p != '\n'))) {
			char c = *p++;
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && c == '\\' && (*p == '"' || *p == '\\'))
				c = *p++;
			if (used + 1 >= sizeof(w->buf)) {
				*bad = start;
				return "longer than a script's request text may be";
			}
			w->buf[used++] = c;
		}
		if (quoted) {
			*bad = start;
			return "unterminated quote";
		}
		w->buf[used++] = '\0';
	}
	*pp = p;
	return NULL;
}

/* A decimal number up to UINT32_MAX, nothing else. */
static bool number(const char *w, uint32_t *v)
{
	uint64_t x = 0;
	if (!*w)
		return false;
	for (; *w; w++) {
		if (*w < '0' || *w > '9')
			return false;
		x = x * 10 + (uint64_t)(*w - '0');
		if (x > UINT32_MAX)
			return false;
	}
	*v = (uint32_t)x;
	return true;
}

static const char unknown_step[] = "unknown step (send, http, expect, pause, repeat, close, wait-fin, rst, timeout)";

/* One step's words into s: 0, or the error's message. */
static int parse_step(struct synack_script *s, const struct words *w, unsigned step, const char *host,
		      bool *timeout_seen, char *err, size_t errlen)
{
	const char *kw = w->w[0];
	uint32_t v = 0;
	int rc;
	/* Steps that take one number. */
	static const struct {
		const char *kw, *usage, *bad;
		int (*add)(struct synack_script *, uint32_t);
	} num[] = {
		{ "send", "wants a byte count (send N)", "not a byte count (send N, N from 1 to 4294967295)",
		  synack_script_send },
		{ "pause", "wants milliseconds (pause MS)", "not milliseconds (pause MS, MS from 1 to 4294967295)",
		  synack_script_pause },
		{ "repeat", "wants a count (repeat K)", "not a count (repeat K, K from 1 to 4294967295)",
		  synack_script_repeat },
	};
	for (unsigned i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
		if (strcmp(kw, num[i].kw))
			continue;
		if (w->n < 2)
			return perr(err, errlen, step, kw, num[i].usage);
		if (!number(w->w[1], &v))
			return perr(err, errlen, step, w->w[1], num[i].bad);
		if (w->n > 2)
			return perr(err, errlen, step, w->w[2], "one argument only");
		if ((rc = num[i].add(s, v)))
			return perr(err, errlen, step, v ? kw : w->w[1], s->why);
		return 0;
	}
	if (!strcmp(kw, "timeout")) {
		if (w->n < 2)
			return perr(err, errlen, step, kw, "wants milliseconds (timeout MS; 0: none)");
		if (!number(w->w[1], &v))
			return perr(err, errlen, step, w->w[1], "not milliseconds (timeout MS, MS from 0 to 4294967295)");
		if (w->n > 2)
			return perr(err, errlen, step, w->w[2], "one argument only");
		if (*timeout_seen)
			return perr(err, errlen, step, kw, "given twice (it covers every expect of the script)");
		*timeout_seen = true;
		synack_script_set_timeout(s, v);
		return 0;
	}
	if (!strcmp(kw, "expect")) {
		if (w->n < 2)
			return perr(err, errlen, step, kw, "wants a byte count or http (expect N, expect http [STATUS])");
		if (!strcmp(w->w[1], "http")) {
			uint32_t status = 0;
			if (w->n > 2 && (!number(w->w[2], &status) || status < 100 || status > 599))
				return perr(err, errlen, step, w->w[2], "not a status (100 to 599)");
			if (w->n > 3)
				return perr(err, errlen, step, w->w[3], "one status only (expect http [STATUS])");
			if ((rc = synack_script_expect_http(s, (uint16_t)status)))
				return perr(err, errlen, step, kw, s->why);
			return 0;
		}
		if (!number(w->w[1], &v) || !v)
			return perr(err, errlen, step, w->w[1],
				    "not a byte count or http (expect N, N from 1 to 4294967295; expect http [STATUS])");
		if (w->n > 2)
			return perr(err, errlen, step, w->w[2], "one argument only");
		if ((rc = synack_script_expect(s, v)))
			return perr(err, errlen, step, kw, s->why);
		return 0;
	}
	static const struct {
		const char *kw;
		int (*add)(struct synack_script *);
	} bare[] = {
		{ "close", synack_script_close }, { "wait-fin", synack_script_wait_fin }, { "rst", synack_script_rst },
	};
	for (unsigned i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		if (strcmp(kw, bare[i].kw))
			continue;
		if (w->n > 1)
			return perr(err, errlen, step, w->w[1], "takes no argument");
		if ((rc = bare[i].add(s)))
			return perr(err, errlen, step, kw, s->why);
		return 0;
	}
	if (!strcmp(kw, "http")) {
		const char *why;
		if (w->n < 3)
			return perr(err, errlen, step, kw, "wants a method and a path (http GET /)");
		if ((why = check_method(w->w[1])))
			return perr(err, errlen, step, w->w[1], why);
		if ((why = check_path(w->w[2])))
			return perr(err, errlen, step, w->w[2], why);
		const char *headers[MAX_WORDS];
		unsigned nh = 0;
		for (unsigned i = 3; i < w->n; i++) {
			const char *o = w->w[i];
			size_t nl;
			if (!strncmp(o, "host=", 5)) {
				if ((why = check_host(o + 5)))
					return perr(err, errlen, step, o, why);
				host = o + 5;
			} else if (!strncmp(o, "header=", 7)) {
				if ((why = check_header(o + 7, &nl)))
					return perr(err, errlen, step, o, why);
				headers[nh++] = o + 7;
			} else {
				return perr(err, errlen, step, o, "unknown option (host=H, header=\"Name: value\")");
			}
		}
		if ((rc = synack_script_http(s, w->w[1], w->w[2], host, headers, nh)))
			return perr(err, errlen, step, kw, s->why);
		return 0;
	}
	return perr(err, errlen, step, kw, unknown_step);
}

int synack_script_parse(struct synack_script *s, const char *text, const char *host, char *err, size_t errlen)
{
	struct words w;
	synack_script_init(s);
	if (err && errlen)
		err[0] = '\0';
	if (host && check_host(host)) {
		if (err && errlen)
			snprintf(err, errlen, "'%.64s': not a default host (no spaces or control bytes)", host);
		return -EINVAL;
	}
	const char *p = text;
	unsigned step = 0;
	bool timeout_seen = false;
	const char *last = "";
	while (*p) {
		const char *bad = NULL;
		const char *why = read_words(&p, &w, &bad);
		if (why) {
			char word[65];
			size_t n = strcspn(bad, " \t\r\n;");
			snprintf(word, sizeof(word), "%.*s", (int)(n < 64 ? n : 64), bad);
			return perr(err, errlen, step + 1, word, why);
		}
		if (*p)
			p++;            /* the ';' or newline */
		if (!w.n)
			continue;
		step++;
		int rc = parse_step(s, &w, step, host, &timeout_seen, err, errlen);
		if (rc)
			return rc;
		last = !strcmp(w.w[0], "timeout") ? last : kind_names[s->step[s->nsteps - 1].kind];
	}
	if (!step)
		return perr(err, errlen, 1, "", "an empty script");
	if (synack_script_compile(s))
		return perr(err, errlen, step, last, s->why);
	return 0;
}

int synack_script_builtin(struct synack_script *s, const char *name, uint32_t size, const char *host)
{
	synack_script_init(s);
	if (!size)
		size = 64;
	if (!strcmp(name, "handshake")) {
		synack_script_rst(s);
	} else if (!strcmp(name, "close") || !strcmp(name, "connect")) {
		synack_script_close(s);
	} else if (!strcmp(name, "request")) {
		synack_script_send(s, size);
		synack_script_expect(s, size);
		synack_script_close(s);
	} else if (!strcmp(name, "http")) {
		int rc = synack_script_http(s, "GET", "/", host, NULL, 0);
		if (rc)
			return rc;
		synack_script_expect_http(s, 0);
		synack_script_close(s);
	} else {
		return fail(s, -ENOENT, "unknown built-in script (handshake, close, connect, request, http)");
	}
	return synack_script_compile(s);
}
