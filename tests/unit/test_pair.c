/* test_pair.c: a client core and a server core in memory reproduce every trace of TRACES.md, each
 * twice: with RFC 6528 ISNs, and with ISNs pinned just below 2^32 so that every sequence space wraps
 * during the test. Each test ends with every connection slot back to free where the trace ends. */
#include <criterion/criterion.h>
#include <string.h>

#include "pair_test.h"

/* Each trace is a function of the pair; TRACE() runs it with real ISNs and with wrapping ones. */
/* Each test runs with real ISNs and with wrapping ones (pair_test.h). */
#define TRACE(name) PAIR_TEST(pair, pair_wrap, name)

#define S (SYNACK_NS_PER_S)

struct loss {
	int side;
	uint8_t mask, match;
	int count;
	int skip; /* let this many matching segments through first */
};

static bool lose(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	struct loss *l = arg;
	if (from != l->side || (s->flags & l->mask) != l->match || l->count == 0)
		return false;
	if (l->skip > 0) {
		l->skip--;
		return false;
	}
	l->count--;
	return true;
}

static const struct pair_seglog *nth_from(struct pair *p, int side, unsigned n)
{
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == side && n-- == 0)
			return &p->log[i];
	return NULL;
}

static void expect_states(const struct pair_conn *pc, const uint8_t *want, unsigned n)
{
	cr_assert_eq(pc->nstates, n, "%u state changes, expected %u", pc->nstates, n);
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(pc->states[i], want[i], "state %u is %s, expected %s", i, synack_state_name(pc->states[i]),
			     synack_state_name(want[i]));
}

TRACE(handshake)
{
	int c = pair_connect(p, 40000);
	pair_run(p, S);
	const struct pair_seglog *syn = nth_from(p, PAIR_CLIENT, 0), *synack = nth_from(p, PAIR_SERVER, 0),
				 *ack = nth_from(p, PAIR_CLIENT, 1);
	cr_assert(syn && synack && ack);
	uint32_t x = syn->seg.seq, y = synack->seg.seq;
	/* 1. SYN, seq = X. */
	cr_assert_eq(syn->seg.flags, SYNACK_TH_SYN);
	cr_assert(syn->seg.opts.present & SYNACK_OPT_MSS);
	/* 2. SYN-ACK, seq = Y, ack = X + 1. */
	cr_assert_eq(synack->seg.flags, SYNACK_TH_SYN | SYNACK_TH_ACK);
	cr_assert_eq(synack->seg.ack, x + 1);
	/* 3. ACK, seq = X + 1, ack = Y + 1. */
	cr_assert_eq(ack->seg.flags, SYNACK_TH_ACK);
	cr_assert_eq(ack->seg.seq, x + 1);
	cr_assert_eq(ack->seg.ack, y + 1);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40000);
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
	if (p->pin_isn || p->ep[0].e.ctx.isn_hook) {
		cr_assert_eq(x, 0xfffffff0u);
		cr_assert_eq(y, 0xffffff80u);
	}
	/* 5. The first data byte carries X + 1. */
	pair_send(p, PAIR_CLIENT, c, "hello", 5);
	const struct pair_seglog *d = &p->log[p->nlog - 1];
	cr_assert_eq(d->seg.seq, x + 1);
	cr_assert_eq(d->seg.len, 5);
	pair_run(p, S);
	cr_assert_eq(sc->rcv_len, 5);
	cr_assert_eq(memcmp(sc->rcv, "hello", 5), 0);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 5, "echo");
	cr_assert_eq(p->ep[0].e.ctx.stats.handshakes, 1);
	cr_assert_eq(p->ep[1].e.ctx.stats.handshakes, 1);
	cr_assert_eq(p->parse_errors, 0);
	cr_assert_eq(p->ep[0].e.stats.actions_overflow + p->ep[1].e.stats.actions_overflow, 0);
}

TRACE(lost_syn_backoff_then_timeout)
{
	struct loss l = { PAIR_CLIENT, SYNACK_TH_SYN, SYNACK_TH_SYN, 1000, 0 };
	p->drop = lose;
	p->drop_arg = &l;
	uint64_t t0 = p->now;
	int c = pair_connect(p, 40001);
	pair_run(p, 300 * S);
	/* RFC 9293 §3.8.3, at least 3 minutes: 7 retries, RTO 1 s doubling under the 120 s cap: SYNs at
	 * 0, 1, 3, 7, 15, 31, 63, 127 s; gives up at 247 s (Linux's 6 give up at 127 s). */
	static const unsigned at[] = { 0, 1, 3, 7, 15, 31, 63, 127 };
	unsigned n = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		cr_assert_eq(p->log[i].from, PAIR_CLIENT);
		cr_assert_lt(n, 8u);
		/* Each retry waits its RTO, never less, late by at most the timer wheel's bound. */
		if (n)
			cr_assert(pair_late_ok(p->log[i].t - p->log[i - 1].t, (at[n] - at[n - 1]) * S), "SYN %u sent at %.3f s",
				  n, (double)(p->log[i].t - t0) / 1e9);
		cr_assert_eq(p->log[i].seg.seq, p->log[0].seg.seq, "a retry carries the same ISN");
		n++;
	}
	cr_assert_eq(n, 8u);
	struct pair_conn *pc = &p->ep[PAIR_CLIENT].conns[c];
	cr_assert_eq(pc->closed_reason, SYNACK_CLOSE_TIMEOUT);
	cr_assert(pair_late_ok(pc->state_time[pc->nstates - 1] - p->log[p->nlog - 1].t, 120 * S),
		  "the last SYN's RTO (120 s) ends it");
	cr_assert_geq(pc->state_time[pc->nstates - 1] - t0, 180 * S, "RFC 9293 §3.8.3: at least 3 minutes");
	cr_assert_eq(p->ep[0].e.ctx.stats.rtx_syn, 7);
	cr_assert_eq(pair_used(p, PAIR_SERVER), 0, "nothing allocated on the server");
	cr_assert_eq(pair_used(p, PAIR_CLIENT), 0);
}

TRACE(lost_syn_then_success)
{
	struct loss l = { PAIR_CLIENT, SYNACK_TH_SYN, SYNACK_TH_SYN, 2, 0 };
	p->drop = lose;
	p->drop_arg = &l;
	uint64_t t0 = p->now;
	int c = pair_connect(p, 40001);
	pair_run(p, 10 * S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	const struct pair_seglog *third = nth_from(p, PAIR_CLIENT, 2);
	cr_assert(pair_late_ok(third->t - nth_from(p, PAIR_CLIENT, 1)->t, 2 * S));
	cr_assert(pair_late_ok(nth_from(p, PAIR_CLIENT, 1)->t - t0, S));
	/* RFC 6298 §5.7 / RFC 5681 §3.1: a retried SYN leaves a one-segment initial window. */
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].tcb.cwnd, p->ep[PAIR_CLIENT].conns[c].tcb.smss);
}

TRACE(lost_synack)
{
	struct loss l = { PAIR_SERVER, SYNACK_TH_SYN | SYNACK_TH_ACK, SYNACK_TH_SYN | SYNACK_TH_ACK, 1, 0 };
	p->drop = lose;
	p->drop_arg = &l;
	int c = pair_connect(p, 40002);
	pair_run(p, 10 * S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40002);
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
	/* The client's SYN retry (at 1 s) and the server's SYN-ACK retry (at 1 s) both draw/carry the same
	 * ISNs: every SYN-ACK seen has one seq, every SYN one seq. */
	uint32_t y = 0, x = 0;
	unsigned synacks = 0, syns = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct synack_seg *s = &p->log[i].seg;
		if (s->flags == (SYNACK_TH_SYN | SYNACK_TH_ACK)) {
			if (synacks++)
				cr_assert_eq(s->seq, y);
			y = s->seq;
		} else if (s->flags == SYNACK_TH_SYN) {
			if (syns++)
				cr_assert_eq(s->seq, x);
			x = s->seq;
		}
	}
	cr_assert_geq(synacks, 2u);
	cr_assert_eq(syns, 2u, "the client retried its SYN once");
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.handshakes, 1);
	cr_assert_eq(pair_used(p, PAIR_SERVER), 1, "one connection, not two");
}

TRACE(active_close_time_wait_2msl)
{
	int c = pair_connect(p, 40003);
	pair_run(p, S);
	pair_send(p, PAIR_CLIENT, c, "GET /", 5);
	pair_run(p, S);
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, S);
	struct pair_conn *pc = &p->ep[PAIR_CLIENT].conns[c];
	static const uint8_t want[] = { SYNACK_SYN_SENT, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2,
					SYNACK_TIME_WAIT };
	expect_states(pc, want, 5);
	uint64_t tw_at = pc->state_time[4];
	pair_run(p, 200 * S);
	static const uint8_t want2[] = { SYNACK_SYN_SENT, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2,
					 SYNACK_TIME_WAIT, SYNACK_CLOSED };
	expect_states(pc, want2, 6);
	cr_assert(pair_tw_ok(pc->state_time[5] - tw_at, 120 * S), "TIME-WAIT lasts 2 x MSL (120 s): %.6f s",
		  (double)(pc->state_time[5] - tw_at) / 1e9);
	cr_assert_eq(pc->closed_reason, SYNACK_CLOSE_NORMAL);
	/* The server went CLOSE-WAIT -> LAST-ACK -> CLOSED long before. */
	cr_assert_eq(pair_used(p, PAIR_SERVER), 0);
	cr_assert_eq(pair_used(p, PAIR_CLIENT), 0);
	/* FIN consumed one sequence number: the server's ACK of our FIN is our FIN's seq + 1. */
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == PAIR_CLIENT && (p->log[i].seg.flags & SYNACK_TH_FIN)) {
			uint32_t fin_seq = p->log[i].seg.seq;
			int acked = 0;
			for (unsigned j = i + 1; j < p->nlog; j++)
				if (p->log[j].from == PAIR_SERVER && p->log[j].seg.ack == fin_seq + 1)
					acked = 1;
			cr_assert(acked);
			break;
		}
}

TRACE(passive_close_and_close_wait_leak)
{
	p->ep[PAIR_SERVER].close_on_fin = false;
	int c = pair_connect(p, 40004);
	pair_run(p, S);
	pair_close(p, PAIR_CLIENT, c);
	pair_run_until(p, p->now + 50 * S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40004);
	cr_assert(sc);
	cr_assert_eq(sc->tcb.state, SYNACK_CLOSE_WAIT, "a server that never closes stays in CLOSE-WAIT");
	cr_assert(sc->peer_fin);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_FIN_WAIT_2);
	/* ...while the client gives up on FIN-WAIT-2 after its limit (60 s) and resets. */
	pair_run_until(p, p->now + 20 * S);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].closed_reason, SYNACK_CLOSE_FIN_WAIT2);
	cr_assert(!sc->used && sc->closed_reason == SYNACK_CLOSE_RESET, "the RST frees the CLOSE-WAIT side");
}

TRACE(passive_close_last_ack)
{
	int c = pair_connect(p, 40005);
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40005);
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, S);
	static const uint8_t want[] = { SYNACK_SYN_RECEIVED, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK,
					SYNACK_CLOSED };
	expect_states(sc, want, 5);
	cr_assert_eq(sc->closed_reason, SYNACK_CLOSE_NORMAL);
}

TRACE(simultaneous_close)
{
	p->ep[PAIR_SERVER].close_on_fin = false;
	int c = pair_connect(p, 40006);
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40006);
	pair_close(p, PAIR_CLIENT, c);
	pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns));
	pair_run(p, S);
	static const uint8_t want[] = { SYNACK_SYN_SENT, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_CLOSING,
					SYNACK_TIME_WAIT };
	expect_states(&p->ep[PAIR_CLIENT].conns[c], want, 5);
	cr_assert_eq(sc->tcb.state, SYNACK_TIME_WAIT);
	pair_run(p, 200 * S);
	cr_assert_eq(pair_used(p, PAIR_CLIENT) + pair_used(p, PAIR_SERVER), 0);
}

TRACE(simultaneous_open)
{
	/* Both sides open actively to each other's port at once: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED. */
	p->ep[PAIR_SERVER].listen_port = 0;
	struct synack_actions out;
	struct pair_conn *a = &p->ep[PAIR_CLIENT].conns[0], *b = &p->ep[PAIR_SERVER].conns[0];
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->used = b->used = true;
	a->closed_reason = b->closed_reason = -1;
	struct synack_tuple ta = { 0xc6120001u, 0xc6120002u, 5000, 6000 };
	struct synack_tuple tb = { 0xc6120002u, 0xc6120001u, 6000, 5000 };
	synack_actions_reset(&out);
	synack_tcp_connect(&p->ep[0].e.ctx, &a->tcb, &ta, p->now, &out);
	struct synack_seg syn_a = out.a[1].seg;
	synack_actions_reset(&out);
	synack_tcp_connect(&p->ep[1].e.ctx, &b->tcb, &tb, p->now, &out);
	struct synack_seg syn_b = out.a[1].seg;
	/* The SYNs cross. */
	synack_actions_reset(&out);
	synack_tcp_input(&p->ep[0].e.ctx, &a->tcb, &syn_b, p->now, &out);
	cr_assert_eq(a->tcb.state, SYNACK_SYN_RECEIVED);
	struct synack_seg sa_a = out.a[1].seg;
	cr_assert_eq(sa_a.flags, SYNACK_TH_SYN | SYNACK_TH_ACK);
	synack_actions_reset(&out);
	synack_tcp_input(&p->ep[1].e.ctx, &b->tcb, &syn_a, p->now, &out);
	struct synack_seg sa_b = out.a[1].seg;
	synack_actions_reset(&out);
	synack_tcp_input(&p->ep[0].e.ctx, &a->tcb, &sa_b, p->now, &out);
	synack_actions_reset(&out);
	synack_tcp_input(&p->ep[1].e.ctx, &b->tcb, &sa_a, p->now, &out);
	cr_assert_eq(a->tcb.state, SYNACK_ESTABLISHED);
	cr_assert_eq(b->tcb.state, SYNACK_ESTABLISHED);
	cr_assert_eq(a->tcb.snd_una, a->tcb.iss + 1);
	cr_assert_eq(a->tcb.rcv_nxt, b->tcb.iss + 1);
}

TRACE(bulk_data_with_loss)
{
	/* 60 KB from the client, one data segment lost: recovered by RTO (go-back-N), delivered intact. */
	static uint8_t blob[60000];
	for (unsigned i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7 + (i >> 8));
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 40007);
	pair_run(p, S);
	struct loss l = { PAIR_CLIENT, SYNACK_TH_PSH, SYNACK_TH_PSH, 1, 3 };
	p->drop = lose;
	p->drop_arg = &l;
	pair_send(p, PAIR_CLIENT, c, blob, sizeof(blob));
	pair_run(p, 30 * S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40007);
	cr_assert_eq(sc->rcv_len, sizeof(blob));
	cr_assert_eq(memcmp(sc->rcv, blob, sizeof(blob)), 0);
	cr_assert_geq(p->ep[PAIR_CLIENT].e.ctx.stats.rtx_data, 1);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].sb.len, 0, "everything acknowledged and freed");
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.ooo_segs, 1, "segments past the hole held");
}

TRACE(syn_cookies)
{
	p->ep[PAIR_SERVER].cookies = true;
	int c = pair_connect(p, 40008);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40008);
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
	cr_assert(sc->tcb.flags & SYNACK_TF_WSCALE, "window scale carried in the timestamp");
	cr_assert(sc->tcb.flags & SYNACK_TF_SACK);
	cr_assert_eq(p->ep[PAIR_SERVER].e.ctx.stats.cookies_accepted, 1);
	pair_send(p, PAIR_CLIENT, c, "ping", 4);
	pair_run(p, S);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 4);
}

TRACE(syn_cookies_without_timestamps)
{
	p->ep[PAIR_SERVER].cookies = true;
	p->ep[PAIR_CLIENT].e.ctx.cfg.timestamps = 0;
	int c = pair_connect(p, 40009);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40009);
	cr_assert(sc && !(sc->tcb.flags & (SYNACK_TF_WSCALE | SYNACK_TF_SACK | SYNACK_TF_TS)),
		  "without timestamps the cookie cannot carry window scale or SACK");
	cr_assert(!(p->ep[PAIR_CLIENT].conns[c].tcb.flags & SYNACK_TF_WSCALE), "and the SYN-ACK did not offer them");
}

TRACE(compact_time_wait)
{
	/* TIME-WAIT held as a 64-byte entry behaves as the full TCB: a retransmitted FIN is acknowledged
	 * and restarts 2 MSL, an RST is ignored (RFC 1337), and it ends at 2 MSL. */
	int c = pair_connect(p, 40010);
	pair_run(p, S);
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, S);
	struct pair_conn *pc = &p->ep[PAIR_CLIENT].conns[c];
	cr_assert(pc->tw_compact);
	struct synack_seg fin;
	memset(&fin, 0, sizeof(fin));
	fin.saddr = 0xc6120002u;
	fin.daddr = 0xc6120001u;
	fin.sport = 80;
	fin.dport = 40010;
	fin.seq = pc->tw.rcv_nxt - 1;
	fin.ack = pc->tw.snd_nxt;
	fin.flags = SYNACK_TH_FIN | SYNACK_TH_ACK;
	fin.wnd = 1000;
	p->now += 60 * S;
	unsigned before = p->nlog;
	pair_inject(p, PAIR_CLIENT, &fin);
	cr_assert_eq(p->nlog, before + 1, "the retransmitted FIN is acknowledged");
	cr_assert_eq(p->log[before].seg.ack, pc->tw.rcv_nxt);
	uint64_t restarted = p->now;
	fin.flags = SYNACK_TH_RST;
	fin.seq = pc->tw.rcv_nxt;
	pair_inject(p, PAIR_CLIENT, &fin);
	cr_assert(pc->used && pc->tw_compact, "RFC 1337: RST does not end TIME-WAIT");
	pair_run(p, 200 * S);
	cr_assert_eq(pc->closed_reason, SYNACK_CLOSE_NORMAL);
	cr_assert(pair_tw_ok(pc->state_time[pc->nstates - 1] - restarted, 120 * S));
}

TRACE(abort_sends_rst)
{
	int c = pair_connect(p, 40011);
	pair_run(p, S);
	pair_abort(p, PAIR_CLIENT, c);
	pair_run(p, S);
	struct pair_conn *sc = &p->ep[PAIR_SERVER].conns[0];
	cr_assert_eq(sc->closed_reason, SYNACK_CLOSE_RESET);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].closed_reason, SYNACK_CLOSE_ABORTED);
	cr_assert_eq(pair_used(p, PAIR_CLIENT) + pair_used(p, PAIR_SERVER), 0);
}

TRACE(connect_refused)
{
	int c = pair_connect(p, 40012);
	p->ep[PAIR_SERVER].listen_port = 81; /* nobody listens on port 80 any more */
	pair_run(p, S);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].closed_reason, SYNACK_CLOSE_REFUSED);
	const struct pair_seglog *rst = nth_from(p, PAIR_SERVER, 0);
	cr_assert_eq(rst->seg.flags, SYNACK_TH_RST | SYNACK_TH_ACK);
	cr_assert_eq(rst->seg.ack, nth_from(p, PAIR_CLIENT, 0)->seg.seq + 1);
}
