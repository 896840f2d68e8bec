/* script_app.c: the interpreter of script.h, an application on synack_app.h whose argument is a
 * compiled script. A connection runs its steps from step 0 when it is connected: the steps that
 * send go straight through (their bytes queued as generated payload), and it stops at the first
 * that waits (an expect, a pause, wait-fin) until data(), timer() or peer_closed() moves it on.
 * Its state is struct script_conn, in the connection's context; the bytes it sends are never
 * stored: fill() rebuilds them from the stream offset and the script's layout, so that a
 * retransmission gets the same bytes.
 *
 * How a connection ends, reported once (synack_conn_outcome):
 *   the last step reached (close, rst, or wait-fin's FIN)       OK, and the DONE mark
 *   an answer the parser rejects, a status not wanted, bytes
 *   beyond what the script expects or when it expects none      BAD_RESPONSE, then abort
 *   the peer's FIN before the bytes an expect wants             SHORT_RESPONSE, then our close
 *   the timer during an expect or wait-fin                      RESPONSE_TIMEOUT, then abort
 *   the engine refusing to queue bytes                          OTHER, then abort
 * A script that is just rst (the handshake built-in) aborts in connected() without touching
 * the context and without the DONE mark: its end is its connect. */
#include <assert.h>
#include <string.h>

#include "load/http_resp.h"
#include "load/script.h"
#include "synack_app.h"

#define CF_FIRST   0x01u        /* the answer's first byte was marked */
#define CF_END     0x02u        /* the script is over: outcome reported, close or abort made */
#define CF_ABORTED 0x04u        /* ... by our abort: the connection is not to be used again */
#define CF_FIN     0x08u        /* the peer's FIN came */
#define CF_TIMER   0x10u        /* the timer is armed */

struct script_conn {
	struct synack_http_resp http;   /* expect http: the response being read */
	uint64_t queued;                /* bytes queued on the send stream since the connection began */
	uint32_t got;                   /* expect N: bytes of it so far */
	uint32_t runs;                  /* runs of the body finished */
	uint8_t step;                   /* the step at work (or the last one, once over) */
	uint8_t flags;                  /* CF_* */
};
static_assert(sizeof(struct script_conn) <= SYNACK_APP_CTX_MAX, "a script's state must fit the context");

static void timer_off(struct synack_conn *c, struct script_conn *k)
{
	if (k->flags & CF_TIMER) {
		synack_conn_timer(c, 0);
		k->flags &= (uint8_t)~CF_TIMER;
	}
}

static void timer_on(struct synack_conn *c, struct script_conn *k, uint32_t ms)
{
	if (!ms) {
		timer_off(c, k);
		return;
	}
	synack_conn_timer(c, ms);
	k->flags |= CF_TIMER;
}

static void end_ok(struct synack_conn *c, struct script_conn *k)
{
	k->flags |= CF_END;
	timer_off(c, k);
	synack_conn_outcome(c, SYNACK_OUT_OK);
	synack_conn_mark(c, SYNACK_MARK_DONE);
}

static void end_fail(struct synack_conn *c, struct script_conn *k, enum synack_outcome o, bool abort)
{
	k->flags |= CF_END;
	timer_off(c, k);
	synack_conn_outcome(c, o);
	if (abort) {
		k->flags |= CF_ABORTED;
		synack_conn_abort(c);
	} else {
		synack_conn_close(c);
	}
}

/* Runs the steps from k->step until one waits or the script ends. */
static void run(struct synack_conn *c, const struct synack_script *s, struct script_conn *k)
{
	for (;;) {
		const struct synack_script_step *st = &s->step[k->step];
		switch (st->kind) {
		case SYNACK_STEP_SEND:
		case SYNACK_STEP_HTTP:
			/* queued first: fill() maps offsets by it, should it run before send_gen returns */
			k->queued += st->n;
			if (synack_conn_send_gen(c, st->n) < 0) {
				end_fail(c, k, SYNACK_OUT_OTHER, true);
				return;
			}
			synack_conn_count_request(c);
			k->step++;
			break;
		case SYNACK_STEP_EXPECT_HTTP:
			synack_http_resp_init(&k->http, st->flags & SYNACK_STEP_F_HEAD);
			/* fall through */
		case SYNACK_STEP_EXPECT:
			if (k->flags & CF_FIN) {
				end_fail(c, k, SYNACK_OUT_SHORT_RESPONSE, false);
				return;
			}
			k->got = 0;
			timer_on(c, k, s->timeout_ms);
			return;
		case SYNACK_STEP_PAUSE:
			timer_on(c, k, st->n);
			return;
		case SYNACK_STEP_REPEAT:
			if (++k->runs < st->n)
				k->step = 0;
			else
				k->step++;
			break;
		case SYNACK_STEP_CLOSE:
			end_ok(c, k);
			synack_conn_close(c);
			return;
		case SYNACK_STEP_WAIT_FIN:
			if (k->flags & CF_FIN) {
				end_ok(c, k);
				synack_conn_close(c);
				return;
			}
			timer_on(c, k, s->timeout_ms);
			return;
		default:        /* SYNACK_STEP_RST */
			end_ok(c, k);
			k->flags |= CF_ABORTED;
			synack_conn_abort(c);
			return;
		}
	}
}

static void script_connected(struct synack_conn *c)
{
	const struct synack_script *s = synack_conn_arg(c);
	if (s->step[0].kind == SYNACK_STEP_RST) {
		synack_conn_outcome(c, SYNACK_OUT_OK);
		synack_conn_abort(c);
		return;
	}
	run(c, s, synack_conn_ctx(c));
}

/* An interim response: a 1xx other than 101 that the step does not ask for; the parser is ready
 * for the response after it already. */
static bool interim(const struct synack_script_step *st, const struct synack_http_result *r)
{
	return r->status < 200 && r->status != 101 && r->status != st->status;
}

static bool status_ok(const struct synack_script_step *st, const struct synack_http_result *r)
{
	return st->status ? r->status == st->status : r->status >= 200 && r->status <= 299;
}

/* Whether the script, once past its current step, waits for bytes next (rather than for its
 * end, a pause or the FIN): the bytes after an answer belong to that step or are too many. */
static bool expects_next(const struct synack_script *s, const struct script_conn *k)
{
	unsigned i = k->step + 1u;
	uint32_t runs = k->runs;
	for (;;) {
		const struct synack_script_step *st = &s->step[i];
		switch (st->kind) {
		case SYNACK_STEP_SEND:
		case SYNACK_STEP_HTTP:
			i++;
			break;
		case SYNACK_STEP_REPEAT:
			i = ++runs < st->n ? 0 : i + 1;
			break;
		default:
			return st->kind == SYNACK_STEP_EXPECT || st->kind == SYNACK_STEP_EXPECT_HTTP;
		}
	}
}

static uint32_t script_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	const struct synack_script *s = synack_conn_arg(c);
	struct script_conn *k = synack_conn_ctx(c);
	if (!n || (k->flags & CF_ABORTED))
		return n;
	if (!(k->flags & CF_FIRST)) {
		k->flags |= CF_FIRST;
		synack_conn_mark(c, SYNACK_MARK_FIRST_BYTE);
	}
	uint32_t i = 0;
	while (i < n && !(k->flags & CF_END)) {
		const struct synack_script_step *st = &s->step[k->step];
		if (st->kind == SYNACK_STEP_EXPECT) {
			uint32_t take = n - i < st->n - k->got ? n - i : st->n - k->got;
			k->got += take;
			i += take;
			if (k->got < st->n)
				break;
		} else if (st->kind == SYNACK_STEP_EXPECT_HTTP) {
			struct synack_http_result r;
			enum synack_http_rc rc = synack_http_resp_feed(&k->http, d + i, n - i, &r);
			i += r.used;
			if (rc == SYNACK_HTTP_MORE)
				break;
			if (rc == SYNACK_HTTP_DONE && interim(st, &r))
				continue;
			if (rc == SYNACK_HTTP_ERROR || !status_ok(st, &r)) {
				end_fail(c, k, SYNACK_OUT_BAD_RESPONSE, true);
				return n;
			}
		} else {
			break;  /* bytes while the script expects none */
		}
		/* The step is over; bytes left over must be for the next one. */
		if (i < n && !expects_next(s, k))
			break;
		k->step++;
		run(c, s, k);
	}
	if (i < n && !(k->flags & CF_ABORTED))
		end_fail(c, k, SYNACK_OUT_BAD_RESPONSE, true);
	return n;
}

static void script_peer_closed(struct synack_conn *c)
{
	const struct synack_script *s = synack_conn_arg(c);
	struct script_conn *k = synack_conn_ctx(c);
	k->flags |= CF_FIN;
	if (k->flags & CF_END)
		return;         /* our close is made already, or the connection aborted */
	const struct synack_script_step *st = &s->step[k->step];
	switch (st->kind) {
	case SYNACK_STEP_EXPECT_HTTP: {
		/* a body until the FIN ends here; any other response is short */
		struct synack_http_result r;
		if (synack_http_resp_fin(&k->http, &r) != SYNACK_HTTP_DONE) {
			end_fail(c, k, SYNACK_OUT_SHORT_RESPONSE, false);
		} else if (!status_ok(st, &r)) {
			end_fail(c, k, SYNACK_OUT_BAD_RESPONSE, true);
		} else {
			k->step++;
			run(c, s, k);
		}
		return;
	}
	case SYNACK_STEP_EXPECT:
		end_fail(c, k, SYNACK_OUT_SHORT_RESPONSE, false);
		return;
	case SYNACK_STEP_WAIT_FIN:
		end_ok(c, k);
		synack_conn_close(c);
		return;
	default:
		return;         /* a pause: an expect after it finds the FIN */
	}
}

static void script_timer(struct synack_conn *c)
{
	const struct synack_script *s = synack_conn_arg(c);
	struct script_conn *k = synack_conn_ctx(c);
	k->flags &= (uint8_t)~CF_TIMER;
	if (k->flags & CF_END)
		return;
	if (s->step[k->step].kind == SYNACK_STEP_PAUSE) {
		k->step++;
		run(c, s, k);
		return;
	}
	end_fail(c, k, SYNACK_OUT_RESPONSE_TIMEOUT, true);
}

/* 'a'..'z' from a table, runs of up to PATTERN_RUN bytes at a time. */
#define A26 "abcdefghijklmnopqrstuvwxyz"
#define A260 A26 A26 A26 A26 A26 A26 A26 A26 A26 A26
static const char pattern[] = A260 A260 A260 A260 A26;  /* 1066 bytes */
#define PATTERN_RUN (sizeof(pattern) - 1 - 26)

static void pattern_fill(uint32_t off, uint8_t *dst, uint32_t len)
{
	while (len) {
		uint32_t n = len < PATTERN_RUN ? len : (uint32_t)PATTERN_RUN;
		memcpy(dst, pattern + off % 26, n);
		dst += n;
		off += n;
		len -= n;
	}
}

static void script_fill(struct synack_conn *c, uint32_t off, uint8_t *dst, uint32_t len)
{
	const struct synack_script *s = synack_conn_arg(c);
	const struct script_conn *k = synack_conn_ctx(c);
	/* The stream offset in full: the bytes asked for are queued already, within 2^31 of the end. */
	uint64_t o = k->queued - (uint32_t)((uint32_t)k->queued - off);
	while (len) {
		uint32_t rel;
		unsigned i, to;
		if (o < s->loop_bytes) {
			rel = (uint32_t)(s->loops == 1 ? o : o % s->body_bytes);
			i = 0;
			to = s->body_end;
		} else {
			rel = (uint32_t)(o - s->loop_bytes);
			i = s->body_end < s->nsteps ? s->body_end + 1u : s->nsteps;
			to = s->nsteps;
		}
		const struct synack_script_step *st = NULL;
		for (; i < to; i++) {
			const struct synack_script_step *t = &s->step[i];
			if ((t->kind == SYNACK_STEP_SEND || t->kind == SYNACK_STEP_HTTP) && rel - t->off < t->n) {
				st = t;
				break;
			}
		}
		if (!st) {      /* past what the script sends: not asked for by a sound engine */
			memset(dst, 0, len);
			return;
		}
		uint32_t in = rel - st->off, take = st->n - in < len ? st->n - in : len;
		if (st->kind == SYNACK_STEP_HTTP)
			memcpy(dst, s->text + st->text + in, take);
		else
			pattern_fill(in, dst, take);
		dst += take;
		len -= take;
		o += take;
	}
}

static const struct synack_app script_app = {
	.name = "script",
	.connected = script_connected,
	.data = script_data,
	.peer_closed = script_peer_closed,
	.timer = script_timer,
	.fill = script_fill,
	.ctx_size = sizeof(struct script_conn),
};

const struct synack_app *synack_script_app(void) { return &script_app; }
