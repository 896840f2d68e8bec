/* test_endpoint.c: the engine's policies at their limits, on two endpoints in memory (the code a
 * worker runs, lib/core/endpoint.c): TIME-WAIT kept in a full TCB when the table is full, the
 * table's oldest ended early when the pool runs short, a SYN reopening a TIME-WAIT held in a TCB,
 * the SYN-RECEIVED bound evicting the oldest half-open connection, SYN cookies taking over when
 * that bound is reached, a full table reusing a freed slot; and a load's scripts run by the
 * interpreter against the built-in HTTP server. Each ends with every pool and table empty again. */
#include <criterion/criterion.h>

#include <string.h>

#include "apps/apps.h"
#include "load/script.h"
#include "pair.h"
#include "tcp/seq.h"

#define S SYNACK_NS_PER_S
#define MS SYNACK_NS_PER_MS

static struct pair pr;

/* Loses segments from one side whose flags, masked, equal want (all of them while budget is -1). */
struct lose {
	int from;
	uint8_t mask, want;
	int budget;
};

static bool lose_fn(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	struct lose *l = arg;
	if (from != l->from || (s->flags & l->mask) != l->want || l->budget == 0)
		return false;
	if (l->budget > 0)
		l->budget--;
	return true;
}

/* A connection from sport, a request echoed, closed by the client: it holds TIME-WAIT. */
static int open_close(struct pair *p, uint16_t sport)
{
	int c = pair_connect(p, sport);
	cr_assert_geq(c, 0);
	pair_run(p, 10 * MS);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	pair_send(p, PAIR_CLIENT, c, "ping", 4);
	pair_run(p, 10 * MS);
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, 10 * MS);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_TIME_WAIT);
	return c;
}

/* Every pool, table and half-open list empty once the run is over. */
static void expect_empty(struct pair *p)
{
	for (int side = 0; side < 2; side++) {
		const struct synack_ep *e = &p->ep[side].e;
		cr_expect_eq(pair_pool_used(p, side), 0u, "%s: connections left in the pool", p->ep[side].name);
		cr_expect_eq(e->tw.used, 0u, "%s: TIME-WAIT entries left", p->ep[side].name);
		cr_expect_eq(e->synrcv_count, 0u, "%s: half-open connections left", p->ep[side].name);
		cr_expect_eq(e->stats.conns_in_use, 0u);
		cr_expect_eq(e->wheel->count, 0u, "%s: timers left armed", p->ep[side].name);
		cr_expect_eq(e->stats.actions_overflow, 0u);
	}
}

Test(endpoint, time_wait_stays_in_its_tcb_when_the_table_is_full)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	pair_tables(p, PAIR_CLIENT, 1, PAIR_MAX_CONNS);
	int a = open_close(p, 41001);
	int b = open_close(p, 41002);
	const struct synack_ep *cl = &p->ep[PAIR_CLIENT].e;
	cr_assert(p->ep[PAIR_CLIENT].conns[a].tw_compact, "the first TIME-WAIT went to the table");
	cr_assert(!p->ep[PAIR_CLIENT].conns[b].tw_compact, "the second stayed in its TCB");
	cr_assert_eq(cl->stats.drop_tw_full, 1u);
	cr_assert_eq(cl->stats.tw_evicted, 0u, "2 x MSL kept: nothing ended early");
	cr_assert_eq(pair_pool_used(p, PAIR_CLIENT), 1u);
	cr_assert_eq(cl->client_open, 0u, "a detached TIME-WAIT gives its place in the load back");
	cr_assert_eq(cl->stats.per_state[SYNACK_TIME_WAIT], 2u);
	/* Both last 2 x MSL (120 s), each by its own clock: the table's tick, the wheel's bound. */
	uint64_t t = p->now;
	pair_run_until(p, t + 119 * S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, a), SYNACK_TIME_WAIT);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, b), SYNACK_TIME_WAIT);
	pair_run_until(p, t + 140 * S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, a), SYNACK_CLOSED);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, b), SYNACK_CLOSED);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[b].closed_reason, SYNACK_CLOSE_NORMAL);
	cr_assert_eq(cl->stats.per_state[SYNACK_TIME_WAIT], 0u);
	cr_assert_eq(cl->stats.conns_closed, 2u);
	expect_empty(p);
}

Test(endpoint, the_oldest_time_wait_ends_early_when_the_pool_runs_short)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	pair_tables(p, PAIR_CLIENT, 1, PAIR_MAX_CONNS);
	/* TIME-WAITs stay in TCBs while more than a quarter of the pool (8) is free: the first goes to
	 * the table, the next five to TCBs; the seventh finds 2 free and ends the table's oldest. */
	int c[7];
	for (unsigned i = 0; i < 7; i++)
		c[i] = open_close(p, (uint16_t)(41001 + i));
	const struct synack_ep *cl = &p->ep[PAIR_CLIENT].e;
	cr_assert_eq(cl->stats.drop_tw_full, 5u);
	cr_assert_eq(cl->stats.tw_evicted, 1u);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c[0]), SYNACK_CLOSED, "the oldest ended early");
	cr_assert(p->ep[PAIR_CLIENT].conns[c[6]].tw_compact, "the newest took its place in the table");
	for (unsigned i = 1; i < 6; i++)
		cr_assert_eq(pair_state(p, PAIR_CLIENT, c[i]), SYNACK_TIME_WAIT);
	cr_assert_eq(pair_pool_used(p, PAIR_CLIENT), 5u);
	/* The pool still opens connections: two of eight are free. */
	int d = pair_connect(p, 42000);
	pair_run(p, 10 * MS);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, d), SYNACK_ESTABLISHED);
	pair_abort(p, PAIR_CLIENT, d);
	pair_run_until(p, p->now + 200 * S);
	cr_assert_eq(cl->stats.per_state[SYNACK_TIME_WAIT], 0u);
	expect_empty(p);
}

Test(endpoint, a_newer_syn_reopens_a_time_wait_held_in_a_tcb)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	/* The server closes first and holds TIME-WAIT in its TCB (its table has no room). */
	pair_tw_in_tcb(p, PAIR_SERVER);
	p->ep[PAIR_SERVER].close_on_fin = false;
	p->ep[PAIR_CLIENT].close_on_fin = true;
	int c = pair_connect(p, 41001);
	pair_run(p, 10 * MS);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 41001);
	cr_assert(sc);
	pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns));
	pair_run(p, 10 * MS);
	cr_assert_eq(sc->tcb.state, SYNACK_TIME_WAIT);
	cr_assert(!sc->tw_compact);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_CLOSED);
	cr_assert_eq(p->ep[PAIR_SERVER].e.stats.drop_tw_full, 1u);
	/* A second later the same tuple's new SYN: its ISN is newer (RFC 6528's clock moved on), and it
	 * takes the TIME-WAIT over (RFC 6191, RFC 9293 §3.10.7.4), ISS above the old incarnation's. */
	uint32_t old_snd_nxt = sc->tcb.snd_nxt;
	pair_run(p, S);
	int c2 = pair_connect(p, 41001);
	pair_run(p, 10 * MS);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c2), SYNACK_ESTABLISHED);
	cr_assert_eq(p->ep[PAIR_SERVER].closed_count[SYNACK_CLOSE_REOPENED], 1u, "the old incarnation ended, reopened");
	struct pair_conn *nc = pair_find(p, PAIR_SERVER, 41001);
	cr_assert(nc);
	cr_assert_eq(nc->tcb.state, SYNACK_ESTABLISHED);
	cr_assert(synack_seq_gt(nc->tcb.iss, old_snd_nxt), "ISS %#x not above the old SND.NXT %#x", nc->tcb.iss,
		  old_snd_nxt);
	cr_assert_eq(pair_pool_used(p, PAIR_SERVER), 1u, "the old incarnation's TCB is free");
	cr_assert_eq(p->ep[PAIR_SERVER].e.stats.per_state[SYNACK_TIME_WAIT], 0u);
	pair_abort(p, PAIR_CLIENT, c2);
	pair_run(p, S);
	expect_empty(p);
}

Test(endpoint, the_syn_received_bound_evicts_the_oldest_half_open)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	pair_tables(p, PAIR_SERVER, PAIR_MAX_CONNS, 2);
	/* The SYN-ACKs are lost: three half-open connections for a bound of two. */
	struct lose l = { PAIR_SERVER, SYNACK_TH_SYN | SYNACK_TH_ACK, SYNACK_TH_SYN | SYNACK_TH_ACK, 3 };
	p->drop = lose_fn;
	p->drop_arg = &l;
	pair_connect(p, 41001);
	pair_run(p, MS);
	pair_connect(p, 41002);
	pair_run(p, MS);
	const struct synack_ep *sv = &p->ep[PAIR_SERVER].e;
	cr_assert_eq(sv->synrcv_count, 2u);
	unsigned sent = p->nlog;
	pair_connect(p, 41003);
	pair_run(p, MS);
	cr_assert_eq(sv->stats.drop_synrcv_evicted, 1u);
	cr_assert_eq(sv->synrcv_count, 2u);
	cr_assert_eq(pair_find(p, PAIR_SERVER, 41001), NULL, "the oldest went");
	cr_assert(pair_find(p, PAIR_SERVER, 41002) && pair_find(p, PAIR_SERVER, 41003));
	/* Evicted silently: no RST toward a peer that may be spoofed (RFC 4987 §3.4). */
	for (unsigned i = sent; i < p->nlog; i++)
		cr_assert(!(p->log[i].from == PAIR_SERVER && (p->log[i].seg.flags & SYNACK_TH_RST)));
	/* The clients give up; the server's half-open connections end with their SYN-ACK retries. */
	for (int i = 0; i < PAIR_MAX_CONNS; i++)
		if (p->ep[PAIR_CLIENT].conns[i].used)
			pair_abort(p, PAIR_CLIENT, i);
	pair_run_until(p, p->now + 300 * S);
	expect_empty(p);
}

Test(endpoint, syn_cookies_take_over_at_the_half_open_bound)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	pair_tables(p, PAIR_SERVER, PAIR_MAX_CONNS, 1);
	p->ep[PAIR_SERVER].e.cookie_mode = 1;   /* on overflow, the engine's default */
	/* The first client's handshake ACK is lost: it stays half-open, at the bound. */
	struct lose l = { PAIR_CLIENT, SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_FIN | SYNACK_TH_PSH, SYNACK_TH_ACK, 1 };
	p->drop = lose_fn;
	p->drop_arg = &l;
	pair_connect(p, 41001);
	pair_run(p, MS);
	const struct synack_ep *sv = &p->ep[PAIR_SERVER].e;
	cr_assert_eq(sv->synrcv_count, 1u);
	int c = pair_connect(p, 41002);
	pair_run(p, 10 * MS);
	cr_assert_eq(sv->ctx.stats.cookies_sent, 1u);
	cr_assert_eq(sv->ctx.stats.cookies_accepted, 1u);
	cr_assert_eq(sv->stats.drop_synrcv_evicted, 0u, "a cookie, not an eviction");
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_assert_eq(pair_find(p, PAIR_SERVER, 41002)->tcb.state, SYNACK_ESTABLISHED);
	pair_send(p, PAIR_CLIENT, c, "ping", 4);
	pair_run(p, 10 * MS);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 4u, "the cookie's connection carries data");
	for (int i = 0; i < PAIR_MAX_CONNS; i++)
		if (p->ep[PAIR_CLIENT].conns[i].used)
			pair_abort(p, PAIR_CLIENT, i);
	pair_run_until(p, p->now + 300 * S);
	expect_empty(p);
}

/* The server closes first on a connection from sport: it holds TIME-WAIT. */
static void server_closes(struct pair *p, uint16_t sport)
{
	pair_connect(p, sport);
	pair_run(p, 10 * MS);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, sport);
	cr_assert(sc);
	pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns));
	pair_run(p, 10 * MS);
	cr_assert_eq(pair_find(p, PAIR_SERVER, sport)->tcb.state, SYNACK_TIME_WAIT);
}

Test(endpoint, a_full_time_wait_table_reuses_a_slot_a_reopen_freed)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	pair_tables(p, PAIR_SERVER, 3, PAIR_MAX_CONNS);
	p->ep[PAIR_SERVER].close_on_fin = false;
	p->ep[PAIR_CLIENT].close_on_fin = true;
	server_closes(p, 41001);
	server_closes(p, 41002);
	server_closes(p, 41003);
	const struct synack_ep *sv = &p->ep[PAIR_SERVER].e;
	cr_assert_eq(sv->tw.used, 3u, "the table is full");
	/* A new SYN takes the middle entry's tuple over (RFC 6191): a free slot inside the ring. */
	pair_run(p, S);
	int c = pair_connect(p, 41002);
	pair_run(p, 10 * MS);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_assert_eq(sv->tw.used, 2u);
	/* The next TIME-WAIT goes into that slot: not kept in its TCB, nothing ended early. */
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 41002);
	pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns));
	pair_run(p, 10 * MS);
	cr_assert_eq(sv->tw.used, 3u);
	cr_assert_eq(sv->stats.drop_tw_full, 0u);
	cr_assert_eq(sv->stats.tw_evicted, 0u);
	cr_assert(pair_find(p, PAIR_SERVER, 41002)->tw_compact);
	/* Each lasts at least 2 x MSL from its own start. */
	uint64_t t = p->now;
	pair_run_until(p, t + 119 * S);
	cr_assert(pair_find(p, PAIR_SERVER, 41002), "ended early");
	pair_run_until(p, t + 400 * S);
	expect_empty(p);
}

/* ---- a load's script on the endpoint: the interpreter (lib/load/script_app.c) against the
 * built-in HTTP server (lib/apps/http.c), both on the code a worker runs ---- */

static struct synack_script script;
static struct synack_http_srv http_srv;

/* The client runs text against the server's HTTP application (keep-alive, a 100-byte body). */
static void script_against_http(struct pair *p, const char *text)
{
	char err[160];
	cr_assert_eq(synack_script_parse(&script, text, "198.18.0.2", err, sizeof(err)), 0, "%s", err);
	pair_client_app(p, synack_script_app(), &script);
	synack_http_srv_init(&http_srv, 100, true);
	p->ep[PAIR_SERVER].listen_app = &synack_app_http;
	p->ep[PAIR_SERVER].listen_arg = &http_srv;
}

static struct synack_load_counters counters(const struct pair *p)
{
	return p->ep[PAIR_CLIENT].e.lc[0];
}

static uint64_t failed(const struct synack_load_counters *lc)
{
	uint64_t n = 0;
	for (unsigned o = 0; o < SYNACK_OUT_COUNT; o++)
		n += lc->failed[o];
	return n;
}

/* One connection of text against the HTTP server, run for ms: the load's counters, which always
 * reconcile (started = completed + failed + in flight). */
static struct synack_load_counters run_one(struct pair *p, const char *text, uint16_t sport, uint64_t ms)
{
	script_against_http(p, text);
	pair_connect(p, sport);
	pair_run(p, ms * MS);
	struct synack_load_counters lc = counters(p);
	cr_assert_eq(lc.started, 1u);
	cr_assert_eq(lc.started, lc.completed + failed(&lc) + lc.in_flight);
	return lc;
}

Test(endpoint, a_keep_alive_http_script_completes_and_is_counted)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	struct synack_load_counters lc = run_one(p, "http GET /x; expect http 200; repeat 3; close", 41001, 100);
	cr_assert_eq(lc.completed, 1u, "failed: %llu", (unsigned long long)failed(&lc));
	int c = 0;
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].tuple.lport, 41001);
	cr_assert_eq(lc.requests, 3u);
	cr_assert_eq(lc.in_flight, 0u);
	/* Three requests on one connection, three whole responses back. */
	/* (The last request said Connection: close: the server's record may be over already.) */
	struct pair_conn *sc = NULL;
	for (int i = 0; i < PAIR_MAX_CONNS; i++)
		if (p->ep[PAIR_SERVER].conns[i].tuple.rport == 41001)
			sc = &p->ep[PAIR_SERVER].conns[i];
	cr_assert(sc);
	unsigned gets = 0;
	for (uint32_t i = 0; i + 10 <= sc->rcv_len; i++)
		gets += memcmp(sc->rcv + i, "GET /x HTTP/1.1", 10) == 0;
	cr_assert_eq(gets, 3u);
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	unsigned oks = 0;
	for (uint32_t i = 0; i + 15 <= cc->rcv_len; i++)
		oks += memcmp(cc->rcv + i, "HTTP/1.1 200 OK", 15) == 0;
	cr_assert_eq(oks, 3u);
	/* The latencies were recorded once each: connect, first byte, the script's end. */
	const struct synack_ep *cl = &p->ep[PAIR_CLIENT].e;
	cr_assert_eq(cl->lh[0][SYNACK_LAT_CONNECT][0].count, 1u);
	cr_assert_eq(cl->lh[0][SYNACK_LAT_FIRST_BYTE][0].count, 1u);
	cr_assert_eq(cl->lh[0][SYNACK_LAT_DONE][0].count, 1u);
	/* Whoever closed first holds TIME-WAIT; then everything is given back. */
	pair_run_until(p, p->now + 200 * S);
	expect_empty(p);
}

Test(endpoint, a_script_that_gets_the_wrong_answer_fails_as_bad_response)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	/* The server answers 200; the script wants 404. */
	struct synack_load_counters lc = run_one(p, "http GET /missing; expect http 404; close", 41002, 100);
	cr_assert_eq(lc.completed, 0u);
	cr_assert_eq(lc.failed[SYNACK_OUT_BAD_RESPONSE], 1u);
	cr_assert_eq(lc.in_flight, 0u);
	pair_run_until(p, p->now + 200 * S);
	expect_empty(p);
}

Test(endpoint, a_script_whose_server_never_answers_times_out)
{
	pair_init(&pr, NULL);
	struct pair *p = &pr;
	/* The pair's application on the server, holding what arrives: no answer. */
	p->ep[PAIR_SERVER].echo = false;
	p->ep[PAIR_SERVER].hold = true;
	p->ep[PAIR_SERVER].listen_app = NULL;
	script_against_http(p, "timeout 500; http GET /; expect http; close");
	p->ep[PAIR_SERVER].listen_app = NULL;
	pair_connect(p, 41003);
	pair_run(p, 400 * MS);
	cr_assert_eq(counters(p).in_flight, 1u, "still waiting before its timeout");
	pair_run(p, 2 * S);
	struct synack_load_counters lc = counters(p);
	cr_assert_eq(lc.failed[SYNACK_OUT_RESPONSE_TIMEOUT], 1u);
	cr_assert_eq(lc.in_flight, 0u);
	cr_assert_eq(lc.started, lc.completed + failed(&lc) + lc.in_flight);
	for (int i = 0; i < PAIR_MAX_CONNS; i++)
		if (p->ep[PAIR_SERVER].conns[i].used)
			pair_abort(p, PAIR_SERVER, i);
	pair_run_until(p, p->now + 300 * S);
	expect_empty(p);
}
