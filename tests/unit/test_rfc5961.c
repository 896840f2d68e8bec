/* test_rfc5961.c: the defences against blind in-window attacks (RFC 5961, as folded into RFC 9293
 * §3.10.7.4), RFC 1337's TIME-WAIT rule and RFC 6191's reopening of a TIME-WAIT tuple, on a real
 * client/server pair (tests/common/pair.h) with hand-made segments injected by pair_inject().
 *
 * Every test runs twice: with RFC 6528 ISNs (suite rfc5961) and with both ISNs pinned just below
 * 2^32 (suite rfc5961_wrap), so that the windows being probed straddle the wrap. */
#include <criterion/criterion.h>
#include <string.h>

#include "pair_test.h"
#include "tcp/seq.h"
#include "tcp/siphash.h"

#define S (SYNACK_NS_PER_S)
#define MS (SYNACK_NS_PER_MS)

/* Each test runs with real ISNs and with wrapping ones (pair_test.h). */
#define T5961(name) PAIR_TEST(rfc5961, rfc5961_wrap, name)

/* ---- helpers ---- */

/* Client port sport to the server, handshake done; returns the client's index, *sc the server's. */
static int establish(struct pair *p, uint16_t sport, struct pair_conn **sc)
{
	int c = pair_connect(p, sport);
	cr_assert_geq(c, 0);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	*sc = pair_find(p, PAIR_SERVER, sport);
	cr_assert(*sc != NULL && (*sc)->tcb.state == SYNACK_ESTABLISHED);
	/* Some data each way (the server echoes), so the sequence numbers have moved. */
	pair_send(p, PAIR_CLIENT, c, "0123456789", 10);
	pair_run(p, S);
	cr_assert_eq((*sc)->rcv_len, 10u);
	return c;
}

/* A segment on the tuple of client port sport, travelling towards side `to`. */
static struct synack_seg seg_to(const struct pair *p, int to, uint16_t sport, uint8_t flags, uint32_t seq,
				uint32_t ack)
{
	struct synack_seg s;
	memset(&s, 0, sizeof(s));
	uint32_t caddr = p->ep[PAIR_CLIENT].addr, saddr = p->ep[PAIR_SERVER].addr;
	uint16_t sp = p->ep[PAIR_SERVER].listen_port;
	s.saddr = to == PAIR_SERVER ? caddr : saddr;
	s.daddr = to == PAIR_SERVER ? saddr : caddr;
	s.sport = to == PAIR_SERVER ? sport : sp;
	s.dport = to == PAIR_SERVER ? sp : sport;
	s.seq = seq;
	s.ack = (flags & SYNACK_TH_ACK) ? ack : 0;
	s.flags = flags;
	s.wnd = 65535;
	s.ttl = 64;
	return s;
}

/* Segments side sent since log index mark; *first the first of them. */
static unsigned sent_since(const struct pair *p, unsigned mark, int side, const struct synack_seg **first)
{
	unsigned n = 0;
	if (first)
		*first = NULL;
	for (unsigned i = mark; i < p->nlog; i++) {
		if (p->log[i].from != side)
			continue;
		if (n == 0 && first)
			*first = &p->log[i].seg;
		n++;
	}
	return n;
}

/* Lets the per-connection challenge-ACK interval (challenge_ack_conn_ms) pass, so that the next
 * trigger on the same connection may draw one again. */
static void chack_interval(struct pair *p, int side)
{
	pair_run_until(p, p->now + (uint64_t)p->ep[side].e.ctx.cfg.challenge_ack_conn_ms * MS);
}

/* Injects s to side `to` and checks that exactly one challenge ACK came back:
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with the values the connection had, which it still has. */
static void expect_challenge(struct pair *p, int to, struct pair_conn *pc, const struct synack_seg *s,
			     const char *what)
{
	uint32_t snd_nxt = pc->tcb.snd_nxt, rcv_nxt = pc->tcb.rcv_nxt, snd_una = pc->tcb.snd_una;
	uint64_t chk = p->ep[to].e.ctx.stats.challenge_acks;
	chack_interval(p, to);
	unsigned mark = p->nlog;
	const struct synack_seg *r;
	pair_inject(p, to, s);
	cr_assert_eq(sent_since(p, mark, to, &r), 1u, "%s: %u segments in reply, expected one challenge ACK", what,
		     sent_since(p, mark, to, NULL));
	cr_expect_eq(r->flags, SYNACK_TH_ACK, "%s: reply flags %#x", what, r->flags);
	cr_expect_eq(r->seq, snd_nxt, "%s: challenge ACK seq %#x, SND.NXT %#x", what, r->seq, snd_nxt);
	cr_expect_eq(r->ack, rcv_nxt, "%s: challenge ACK ack %#x, RCV.NXT %#x", what, r->ack, rcv_nxt);
	cr_expect_eq(r->len, 0u);
	cr_assert(pc->used, "%s: the connection was closed", what);
	cr_expect_eq(pc->tcb.state, SYNACK_ESTABLISHED, "%s: state %s", what, synack_state_name(pc->tcb.state));
	cr_expect_eq(pc->closed_reason, -1);
	cr_expect_eq(pc->tcb.rcv_nxt, rcv_nxt, "%s: RCV.NXT moved", what);
	cr_expect_eq(pc->tcb.snd_una, snd_una, "%s: SND.UNA moved", what);
	cr_expect_eq(p->ep[to].e.ctx.stats.challenge_acks, chk + 1, "%s: not counted as a challenge ACK", what);
}

/* Injects s to side `to` and checks that nothing at all came back and nothing changed. */
static void expect_silent_drop(struct pair *p, int to, struct pair_conn *pc, const struct synack_seg *s,
			       const char *what)
{
	uint32_t rcv_nxt = pc->tcb.rcv_nxt, snd_una = pc->tcb.snd_una;
	unsigned mark = p->nlog;
	pair_inject(p, to, s);
	cr_expect_eq(sent_since(p, mark, to, NULL), 0u, "%s: answered, expected a silent drop", what);
	cr_assert(pc->used, "%s: the connection was closed", what);
	cr_expect_eq(pc->tcb.state, SYNACK_ESTABLISHED, "%s: state %s", what, synack_state_name(pc->tcb.state));
	cr_expect_eq(pc->tcb.rcv_nxt, rcv_nxt);
	cr_expect_eq(pc->tcb.snd_una, snd_una);
}

/* The connection still carries data both ways after the attack. */
static void expect_still_works(struct pair *p, int c, struct pair_conn *sc)
{
	uint32_t before = sc->rcv_len, echoed = p->ep[PAIR_CLIENT].conns[c].rcv_len;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, "still here", 10), 0);
	pair_run(p, S);
	cr_expect_eq(sc->rcv_len, before + 10, "server got %u bytes, expected %u", sc->rcv_len, before + 10);
	cr_expect_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, echoed + 10, "the echo did not come back");
	cr_expect_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_expect_eq(sc->tcb.state, SYNACK_ESTABLISHED);
}

static uint32_t rcv_wnd(const struct synack_tcb *t)
{
	return synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
}

/* ---- RFC 5961 §3: RST ---- */

T5961(rst_at_rcv_nxt_resets)
{
	struct pair_conn *sc;
	int c = establish(p, 41000, &sc);
	struct synack_seg rst = seg_to(p, PAIR_SERVER, 41000, SYNACK_TH_RST, sc->tcb.rcv_nxt, 0);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &rst);
	/* RFC 9293 §3.10.7.4 second step 2): exactly RCV.NXT: reset, no answer. */
	cr_expect_eq(sent_since(p, mark, PAIR_SERVER, NULL), 0u);
	cr_expect(!sc->used, "the connection survived an RST at RCV.NXT");
	cr_expect_eq(sc->closed_reason, SYNACK_CLOSE_RESET);
	cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.challenge_acks, 0);
	/* And on the active side, with RST,ACK. */
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	rst = seg_to(p, PAIR_CLIENT, 41000, SYNACK_TH_RST | SYNACK_TH_ACK, cc->tcb.rcv_nxt, cc->tcb.snd_nxt);
	pair_inject(p, PAIR_CLIENT, &rst);
	cr_expect_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_CLOSED);
	cr_expect_eq(cc->closed_reason, SYNACK_CLOSE_RESET);
}

T5961(rst_in_window_draws_challenge_ack)
{
	struct pair_conn *sc;
	int c = establish(p, 41001, &sc);
	uint32_t wnd = rcv_wnd(&sc->tcb);
	cr_assert_gt(wnd, 1000u);
	const uint32_t offs[] = { 1, 2, 100, 1460, wnd / 2, wnd - 1 };
	char what[64];
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct synack_seg rst = seg_to(p, PAIR_SERVER, 41001, SYNACK_TH_RST, sc->tcb.rcv_nxt + offs[i], 0);
		snprintf(what, sizeof(what), "RST at RCV.NXT+%u", offs[i]);
		expect_challenge(p, PAIR_SERVER, sc, &rst, what);
		/* An RST,ACK, as a real peer would send, is no different. */
		rst.flags |= SYNACK_TH_ACK;
		rst.ack = sc->tcb.snd_nxt;
		snprintf(what, sizeof(what), "RST,ACK at RCV.NXT+%u", offs[i]);
		expect_challenge(p, PAIR_SERVER, sc, &rst, what);
	}
	/* The challenge ACK is what lets a genuine peer answer with an exact RST; the connection is
	 * otherwise untouched. */
	expect_still_works(p, c, sc);
}

T5961(rst_outside_window_silently_dropped)
{
	struct pair_conn *sc;
	int c = establish(p, 41002, &sc);
	uint32_t wnd = rcv_wnd(&sc->tcb);
	const int64_t offs[] = { -1, -2, -1000, -65536, (int64_t)wnd, (int64_t)wnd + 1, (int64_t)wnd + 100000,
				 0x40000000, -0x40000000, 0x7fffffff };
	uint64_t ignored = p->ep[PAIR_SERVER].e.ctx.stats.rst_in_ignored;
	char what[64];
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct synack_seg rst =
			seg_to(p, PAIR_SERVER, 41002, SYNACK_TH_RST, sc->tcb.rcv_nxt + (uint32_t)offs[i], 0);
		snprintf(what, sizeof(what), "RST at RCV.NXT%+lld", (long long)offs[i]);
		expect_silent_drop(p, PAIR_SERVER, sc, &rst, what);
	}
	cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.rst_in_ignored, ignored + sizeof(offs) / sizeof(offs[0]));
	cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.challenge_acks, 0);
	expect_still_works(p, c, sc);
}

/* ---- RFC 5961 §4: SYN in a synchronized state ---- */

T5961(syn_in_established_draws_challenge_ack_any_seq)
{
	struct pair_conn *sc;
	int c = establish(p, 41003, &sc);
	uint32_t wnd = rcv_wnd(&sc->tcb), rn = sc->tcb.rcv_nxt;
	/* In the window, at its edges, below it, above it, the original SYN's own number, far off. */
	const uint32_t seqs[] = { rn, rn + 1, rn + wnd - 1, rn + wnd, rn - 1, rn - 1000, sc->tcb.irs,
				  rn + 0x40000000u, rn - 0x40000000u };
	uint64_t syns = p->ep[PAIR_SERVER].e.ctx.stats.syn_in_synchronized;
	char what[64];
	for (unsigned i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		struct synack_seg syn = seg_to(p, PAIR_SERVER, 41003, SYNACK_TH_SYN, seqs[i], 0);
		syn.opts.present = SYNACK_OPT_MSS;
		syn.opts.mss = 1460;
		snprintf(what, sizeof(what), "SYN at RCV.NXT%+d", (int)(seqs[i] - rn));
		uint32_t snd_nxt = sc->tcb.snd_nxt;
		chack_interval(p, PAIR_SERVER);
		unsigned mark = p->nlog;
		const struct synack_seg *r;
		pair_inject(p, PAIR_SERVER, &syn);
		/* RFC 9293 §3.10.7.4 fourth step (RFC 5961 §4.2): "irrespective of the sequence number",
		 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, and the connection stays. */
		cr_assert_eq(sent_since(p, mark, PAIR_SERVER, &r), 1u, "%s: %u segments in reply", what,
			     sent_since(p, mark, PAIR_SERVER, NULL));
		cr_expect_eq(r->flags, SYNACK_TH_ACK, "%s: reply flags %#x (no SYN-ACK, no RST)", what, r->flags);
		cr_expect_eq(r->seq, snd_nxt, "%s", what);
		cr_expect_eq(r->ack, rn, "%s", what);
		cr_assert(sc->used, "%s: connection closed", what);
		cr_expect_eq(sc->tcb.state, SYNACK_ESTABLISHED, "%s", what);
		cr_expect_eq(sc->tcb.rcv_nxt, rn, "%s", what);
		cr_expect_eq(pair_used(p, PAIR_SERVER), 1u, "%s: a second connection was opened", what);
	}
	/* The in-window ones went through the fourth step and its (rate-limited) challenge. */
	cr_expect_geq(p->ep[PAIR_SERVER].e.ctx.stats.syn_in_synchronized, syns + 3);
	cr_expect_geq(p->ep[PAIR_SERVER].e.ctx.stats.challenge_acks, 3);
	cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.rst_out, 0);
	expect_still_works(p, c, sc);
}

/* The per-connection limit (Linux's tcp_invalid_ratelimit, 500 ms): a connection draws at most one
 * challenge ACK in that interval, whatever the per-core budget has left, so that an off-path
 * attacker cannot drain the core's budget through one connection and read the rest from another;
 * another connection keeps its own. */
static unsigned chack_slot_of(const struct pair *p, uint16_t cport)
{
	uint32_t laddr = p->ep[PAIR_SERVER].addr, raddr = p->ep[PAIR_CLIENT].addr;
	uint16_t lport = p->ep[PAIR_SERVER].listen_port;
	return (unsigned)(synack_siphash24_2w(p->ep[PAIR_SERVER].e.ctx.secret, (uint64_t)laddr << 32 | raddr,
					      (uint64_t)lport << 16 | cport) %
			  SYNACK_CHACK_SLOTS);
}

T5961(challenge_acks_limited_per_connection)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	cr_assert_eq(srv->e.ctx.cfg.challenge_ack_conn_ms, 500u, "the default interval");
	struct pair_conn *a, *b;
	uint16_t pb = 41021;
	while (chack_slot_of(p, pb) == chack_slot_of(p, 41020))
		pb++; /* (a keyed hash: two tuples share a slot 1 time in 4,096) */
	int ca = establish(p, 41020, &a);
	(void)establish(p, pb, &b);
	uint64_t limited = srv->e.ctx.stats.challenge_acks_conn_limited;
	struct synack_seg ra = seg_to(p, PAIR_SERVER, 41020, SYNACK_TH_RST, a->tcb.rcv_nxt + 7, 0);
	struct synack_seg rb = seg_to(p, PAIR_SERVER, pb, SYNACK_TH_RST, b->tcb.rcv_nxt + 7, 0);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &ra);
	cr_expect_eq(sent_since(p, mark, PAIR_SERVER, NULL), 1u, "the first trigger is answered");
	pair_run_until(p, p->now + 100 * MS);
	mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &ra);
	cr_expect_eq(sent_since(p, mark, PAIR_SERVER, NULL), 0u, "a second one 100 ms later is not");
	cr_expect_eq(srv->e.ctx.stats.challenge_acks_conn_limited, limited + 1);
	mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &rb);
	cr_expect_eq(sent_since(p, mark, PAIR_SERVER, NULL), 1u, "another connection has its own");
	pair_run_until(p, p->now + 400 * MS);
	mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &ra);
	cr_expect_eq(sent_since(p, mark, PAIR_SERVER, NULL), 1u, "500 ms after the first: answered again");
	cr_expect(a->used && a->tcb.state == SYNACK_ESTABLISHED);
	expect_still_works(p, ca, a);
}

/* ---- RFC 5961 §5: ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] ---- */

T5961(ack_out_of_range_dropped_with_ack)
{
	struct pair_conn *sc;
	int c = establish(p, 41004, &sc);
	static const uint8_t data[10] = "ABCDEFGHIJ";
	uint32_t max_wnd = sc->tcb.snd_max_wnd;
	cr_assert_gt(max_wnd, 0u);
	/* Unacceptable ACKs ride on data at RCV.NXT, to show that the text is discarded with them.
	 * Acceptable ones are bare ACKs (their data would put the injected stream ahead of the real
	 * client's, and the connection would no longer carry the client's data). */
	struct {
		uint32_t ack;
		bool ok;
		const char *what;
	} cases[] = {
		{ sc->tcb.snd_nxt + 1, false, "SEG.ACK = SND.NXT + 1" },
		{ sc->tcb.snd_nxt + 100000, false, "SEG.ACK = SND.NXT + 100000" },
		{ sc->tcb.snd_una - max_wnd - 1, false, "SEG.ACK = SND.UNA - MAX.SND.WND - 1" },
		{ sc->tcb.snd_una - 0x40000000u, false, "SEG.ACK = SND.UNA - 2^30" },
		{ sc->tcb.snd_una - max_wnd, true, "SEG.ACK = SND.UNA - MAX.SND.WND" },
		{ sc->tcb.snd_una - 1, true, "SEG.ACK = SND.UNA - 1" },
		{ sc->tcb.snd_nxt, true, "SEG.ACK = SND.NXT" },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct synack_seg s = seg_to(p, PAIR_SERVER, 41004, SYNACK_TH_ACK, sc->tcb.rcv_nxt, cases[i].ack);
		if (!cases[i].ok) {
			s.flags |= SYNACK_TH_PSH;
			s.len = sizeof(data);
			s.payload = data;
		}
		uint32_t got = sc->rcv_len, rn = sc->tcb.rcv_nxt, sn = sc->tcb.snd_nxt, una = sc->tcb.snd_una;
		uint64_t oor = p->ep[PAIR_SERVER].e.ctx.stats.ack_out_of_range;
		chack_interval(p, PAIR_SERVER);
		unsigned mark = p->nlog;
		const struct synack_seg *r;
		pair_inject(p, PAIR_SERVER, &s);
		if (cases[i].ok) {
			cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.ack_out_of_range, oor, "%s: refused", cases[i].what);
			cr_expect_eq(sent_since(p, mark, PAIR_SERVER, NULL), 0u, "%s: a duplicate ACK is not answered",
				     cases[i].what);
			cr_expect_eq(sc->tcb.snd_una, una, "%s", cases[i].what);
		} else {
			/* "MUST be discarded and an ACK sent back": the text is not delivered. */
			cr_expect_eq(sc->rcv_len, got, "%s: unacceptable ACK, yet its data was delivered", cases[i].what);
			cr_expect_eq(sc->tcb.rcv_nxt, rn, "%s", cases[i].what);
			cr_expect_eq(sc->tcb.snd_una, una, "%s", cases[i].what);
			cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.ack_out_of_range, oor + 1, "%s", cases[i].what);
			cr_assert_eq(sent_since(p, mark, PAIR_SERVER, &r), 1u, "%s: %u segments in reply", cases[i].what,
				     sent_since(p, mark, PAIR_SERVER, NULL));
			cr_expect_eq(r->flags, SYNACK_TH_ACK, "%s", cases[i].what);
			cr_expect_eq(r->seq, sn, "%s", cases[i].what);
			cr_expect_eq(r->ack, rn, "%s", cases[i].what);
		}
		cr_assert(sc->used);
		cr_expect_eq(sc->tcb.state, SYNACK_ESTABLISHED, "%s", cases[i].what);
	}
	expect_still_works(p, c, sc);
}

T5961(ack_out_of_range_does_not_move_ts_recent)
{
	/* A segment that RFC 5961 §5.2 says "MUST be discarded" must leave the connection as it was. If
	 * it could still move TS.Recent (RFC 7323 §4.3), one such segment carrying a far-future TSval
	 * would make PAWS (RFC 7323 §5.3 R1) drop every genuine segment after it: a blind attacker
	 * needs only a sequence number the receiver accepts, not an acceptable ACK. */
	struct pair_conn *sc;
	int c = establish(p, 41008, &sc);
	cr_assert(sc->tcb.flags & SYNACK_TF_TS, "timestamps were not negotiated");
	uint32_t ts_recent = sc->tcb.ts_recent;
	struct synack_seg s = seg_to(p, PAIR_SERVER, 41008, SYNACK_TH_ACK, sc->tcb.rcv_nxt, sc->tcb.snd_nxt + 100000);
	s.opts.present = SYNACK_OPT_TS;
	s.opts.tsval = ts_recent + 0x40000000u;
	expect_challenge(p, PAIR_SERVER, sc, &s, "ACK beyond SND.NXT with TSval + 2^30");
	cr_expect_eq(sc->tcb.ts_recent, ts_recent, "TS.Recent moved from %#x to %#x on a discarded segment", ts_recent,
		     sc->tcb.ts_recent);
	expect_still_works(p, c, sc);
	cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.paws_drops, 0u, "genuine segments dropped by PAWS");
}

/* ---- RFC 5961 §7: the challenge-ACK budget, per core, per second ---- */

/* The per-core budget alone (the per-connection interval off): each second's is drawn at random
 * from [limit / 2, 3 limit / 2), as Linux does since CVE-2016-5696, so that an attacker spending it
 * cannot count what another connection's challenges took; within a second, exactly the budget goes
 * out and the rest is counted as withheld; the next second draws anew. */
T5961(challenge_acks_rate_limited_per_core)
{
	const uint32_t limit = 100;
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	srv->e.ctx.cfg.challenge_ack_limit = limit;
	srv->e.ctx.cfg.challenge_ack_conn_ms = 0;
	struct pair_conn *sc[2];
	int c0 = establish(p, 41005, &sc[0]);
	(void)establish(p, 41006, &sc[1]);
	uint64_t base_acks = srv->e.ctx.stats.challenge_acks, base_lim = srv->e.ctx.stats.challenge_acks_limited;
	uint32_t budgets[3] = { 0 };

	/* 2 x limit triggers of all three kinds, spread over two connections: one budget for the core. */
	for (int round = 0; round < 3; round++) {
		uint32_t n = round == 1 ? 5 : 2 * limit;
		unsigned mark = p->nlog;
		uint64_t lim0 = srv->e.ctx.stats.challenge_acks_limited;
		for (uint32_t i = 0; i < n; i++) {
			struct pair_conn *pc = sc[i & 1];
			uint16_t port = (i & 1) ? 41006 : 41005;
			struct synack_seg s;
			switch (i % 3) {
			case 0: /* RST in the window, not at RCV.NXT */
				s = seg_to(p, PAIR_SERVER, port, SYNACK_TH_RST, pc->tcb.rcv_nxt + 1 + i, 0);
				break;
			case 1: /* SYN */
				s = seg_to(p, PAIR_SERVER, port, SYNACK_TH_SYN, pc->tcb.rcv_nxt + i, 0);
				break;
			default: /* ACK of data never sent */
				s = seg_to(p, PAIR_SERVER, port, SYNACK_TH_ACK, pc->tcb.rcv_nxt, pc->tcb.snd_nxt + 5000);
				break;
			}
			pair_inject(p, PAIR_SERVER, &s);
		}
		unsigned acks = sent_since(p, mark, PAIR_SERVER, NULL);
		uint32_t b = srv->e.ctx.chack_budget;
		budgets[round] = b;
		cr_expect(b >= limit / 2 && b < limit + limit / 2, "budget %u outside [%u, %u)", b, limit / 2,
			  limit + limit / 2);
		if (round == 0) {
			/* Exactly the budget goes out, the rest is withheld and counted. */
			cr_expect_eq(acks, b, "%u challenge ACKs sent in the first second, budget %u", acks, b);
			cr_expect_eq(srv->e.ctx.stats.challenge_acks_limited - lim0, n - b);
			/* 999 ms later: still the same second, still spent. */
			pair_run_until(p, p->now + 999 * MS);
		} else if (round == 1) {
			cr_expect_eq(acks, 0u, "%u challenge ACKs before the second was over", acks);
			cr_expect_eq(srv->e.ctx.stats.challenge_acks_limited - lim0, n);
			/* 1 s after the budget's second began: a new one is drawn. */
			pair_run_until(p, p->now + 1 * MS);
		} else {
			cr_expect_eq(acks, b, "%u challenge ACKs after the refill, budget %u", acks, b);
			cr_expect_eq(srv->e.ctx.stats.challenge_acks - base_acks, (uint64_t)budgets[0] + b);
		}
	}
	cr_expect_eq(srv->e.ctx.stats.challenge_acks + srv->e.ctx.stats.challenge_acks_limited - base_acks - base_lim,
		     4u * limit + 5);
	/* Over many seconds the draws differ: a budget an attacker cannot know in advance. */
	uint32_t lo = UINT32_MAX, hi = 0;
	for (int k = 0; k < 40; k++) {
		pair_run_until(p, p->now + 1001 * MS);
		struct synack_seg s = seg_to(p, PAIR_SERVER, 41005, SYNACK_TH_RST, sc[0]->tcb.rcv_nxt + 1, 0);
		pair_inject(p, PAIR_SERVER, &s);
		uint32_t b = srv->e.ctx.chack_budget;
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	cr_expect_lt(lo, hi, "40 seconds drew the same budget %u", lo);
	cr_expect_geq(lo, limit / 2);
	cr_expect_lt(hi, limit + limit / 2);
	/* Nothing got through: both connections are intact. */
	for (int k = 0; k < 2; k++) {
		cr_assert(sc[k]->used);
		cr_expect_eq(sc[k]->tcb.state, SYNACK_ESTABLISHED);
	}
	cr_expect_eq(srv->closed_count[SYNACK_CLOSE_RESET], 0u);
	pair_run(p, S);
	expect_still_works(p, c0, sc[0]);
}

/* ---- RFC 1337: TIME-WAIT assassination ---- */

static void rst_in_time_wait(struct pair *p, bool compact)
{
	if (!compact)
		pair_tw_in_tcb(p, PAIR_CLIENT);
	struct pair_conn *sc;
	int c = establish(p, 41007, &sc);
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_TIME_WAIT);
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	cr_assert_eq(cc->tw_compact, compact);
	uint64_t entered = cc->state_time[cc->nstates - 1];
	uint32_t rn = compact ? cc->tw.rcv_nxt : cc->tcb.rcv_nxt;
	uint32_t sn = compact ? cc->tw.snd_nxt : cc->tcb.snd_nxt;
	struct pair_ep *cli = &p->ep[PAIR_CLIENT];
	uint64_t ignored = cli->e.ctx.stats.rst_in_ignored;
	/* The RST a late segment of the old connection would draw from the peer (exactly RCV.NXT), one
	 * in the window, and an RST,ACK: none may end TIME-WAIT. */
	const struct synack_seg rsts[] = {
		seg_to(p, PAIR_CLIENT, 41007, SYNACK_TH_RST, rn, 0),
		seg_to(p, PAIR_CLIENT, 41007, SYNACK_TH_RST, rn + 10, 0),
		seg_to(p, PAIR_CLIENT, 41007, SYNACK_TH_RST | SYNACK_TH_ACK, rn, sn),
	};
	for (unsigned i = 0; i < 3; i++) {
		unsigned mark = p->nlog;
		pair_inject(p, PAIR_CLIENT, &rsts[i]);
		cr_expect_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_TIME_WAIT, "RST %u ended TIME-WAIT", i);
		cr_expect_eq(sent_since(p, mark, PAIR_CLIENT, NULL), 0u, "RST %u answered", i);
	}
	cr_expect_eq(cli->e.ctx.stats.rst_in_ignored, ignored + 3);
	cr_expect_eq(cc->closed_reason, -1);
	/* TIME-WAIT still lasts its full 2×MSL from entry, then ends normally. */
	uint64_t msl2 = 2ull * cli->e.ctx.cfg.msl_ms * MS;
	pair_run_until(p, entered + msl2 - 1);
	cr_expect_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_TIME_WAIT, "TIME-WAIT cut short");
	/* ... and ends within the bound of what holds it: the table's 2^20 ns ticks, or the wheel's
	 * for TIME-WAIT kept in a TCB (timer_wheel.h: late by under 8/63 of the delay). */
	pair_run_until(p, entered + msl2 + (compact ? 2ull << SYNACK_TW_TICK_SHIFT : msl2 * 8 / 63 + 2 * MS));
	cr_expect_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_CLOSED);
	cr_expect_eq(cc->closed_reason, SYNACK_CLOSE_NORMAL);
}

T5961(rfc1337_rst_does_not_end_time_wait) { rst_in_time_wait(p, false); }
T5961(rfc1337_rst_does_not_end_compact_time_wait) { rst_in_time_wait(p, true); }

/* ---- RFC 6191: a new SYN in TIME-WAIT ---- */

struct tw_info {
	struct pair_conn *sc;
	uint32_t snd_nxt, rcv_nxt, ts_recent;
	bool ts;
};

/* The server closes first, so that the server (the side a new SYN reaches) holds TIME-WAIT. */
static struct tw_info server_time_wait(struct pair *p, uint16_t sport)
{
	struct pair_conn *sc;
	int c = establish(p, sport, &sc);
	cr_assert_eq(pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns)), 0);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_CLOSE_WAIT);
	cr_assert_eq(pair_close(p, PAIR_CLIENT, c), 0);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_CLOSED);
	cr_assert(sc->used && sc->tcb.state == SYNACK_TIME_WAIT, "server not in TIME-WAIT");
	struct tw_info tw = { sc, sc->tcb.snd_nxt, sc->tcb.rcv_nxt, sc->tcb.ts_recent,
			      (sc->tcb.flags & SYNACK_TF_TS) != 0 };
	return tw;
}

static struct synack_seg tw_syn(const struct pair *p, uint16_t sport, uint32_t seq, bool with_ts, uint32_t tsval)
{
	struct synack_seg s = seg_to(p, PAIR_SERVER, sport, SYNACK_TH_SYN, seq, 0);
	s.opts.present = SYNACK_OPT_MSS;
	s.opts.mss = 1460;
	if (with_ts) {
		s.opts.present |= SYNACK_OPT_TS;
		s.opts.tsval = tsval;
		s.opts.tsecr = 0;
	}
	return s;
}

/* The SYN must have reopened the tuple: REOPEN with a floor above the old SND.NXT, the old
 * incarnation closed as REOPENED, a new one in SYN-RECEIVED with ISS >= floor, its SYN-ACK sent. */
static void expect_reopened(struct pair *p, uint16_t sport, const struct tw_info *tw, const struct synack_seg *syn,
			    unsigned mark, const char *what)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	cr_assert_eq(srv->e.ctx.stats.tw_reopen, 1u, "%s: TIME-WAIT did not take the SYN (state %s, %u segment(s) "
		     "in reply)", what, tw->sc->used ? synack_state_name(tw->sc->tcb.state) : "freed",
		     sent_since(p, mark, PAIR_SERVER, NULL));
	cr_expect_eq(srv->closed_count[SYNACK_CLOSE_REOPENED], 1u, "%s", what);
	uint32_t floor = srv->reopen_floor;
	cr_expect(synack_seq_gt(floor, tw->snd_nxt), "%s: ISS floor %#x not above the old SND.NXT %#x", what, floor,
		  tw->snd_nxt);
	struct pair_conn *nc = pair_find(p, PAIR_SERVER, sport);
	cr_assert(nc != NULL, "%s: no new connection", what);
	cr_expect_eq(nc->tcb.state, SYNACK_SYN_RECEIVED, "%s: new incarnation in %s", what,
		     synack_state_name(nc->tcb.state));
	cr_expect(synack_seq_ge(nc->tcb.iss, floor), "%s: new ISS %#x below the floor %#x", what, nc->tcb.iss, floor);
	cr_expect_eq(nc->tcb.irs, syn->seq);
	const struct synack_seg *r;
	cr_assert_eq(sent_since(p, mark, PAIR_SERVER, &r), 1u, "%s", what);
	cr_expect_eq(r->flags, SYNACK_TH_SYN | SYNACK_TH_ACK, "%s", what);
	cr_expect_eq(r->seq, nc->tcb.iss);
	cr_expect_eq(r->ack, syn->seq + 1);
	cr_expect(!srv->reopen_pending);
}

/* The SYN must have left TIME-WAIT alone: no reopen, no SYN-ACK, no second connection. */
static void expect_not_reopened(struct pair *p, uint16_t sport, const struct tw_info *tw, unsigned mark,
				const char *what)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	cr_expect_eq(srv->e.ctx.stats.tw_reopen, 0u, "%s: TIME-WAIT took the SYN", what);
	cr_expect_eq(srv->closed_count[SYNACK_CLOSE_REOPENED], 0u, "%s", what);
	cr_expect(tw->sc->used && tw->sc->tcb.state == SYNACK_TIME_WAIT, "%s: TIME-WAIT gone", what);
	cr_expect_eq(pair_find(p, PAIR_SERVER, sport), tw->sc);
	cr_expect_eq(pair_used(p, PAIR_SERVER), 1u, "%s", what);
	for (unsigned i = mark; i < p->nlog; i++)
		cr_expect(p->log[i].from != PAIR_SERVER || !(p->log[i].seg.flags & (SYNACK_TH_SYN | SYNACK_TH_RST)),
			  "%s: the server answered with SYN or RST (flags %#x)", what, p->log[i].seg.flags);
}

T5961(rfc6191_newer_timestamp_reopens)
{
	struct tw_info tw = server_time_wait(p, 41010);
	cr_assert(tw.ts, "timestamps were not negotiated");
	/* A newer timestamp decides, whatever the sequence number: here below RCV.NXT. */
	struct synack_seg syn = tw_syn(p, 41010, tw.rcv_nxt - 5000, true, tw.ts_recent + 1);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_reopened(p, 41010, &tw, &syn, mark, "SYN with TSval = TS.Recent + 1");
}

/* RFC 1122 §4.2.2.13 (RFC 9293 MUST-13): a TIME-WAIT tuple may be reopened only to accept a
 * connection. With no listener on the port any more, a newer SYN (it would reopen with one) leaves
 * TIME-WAIT alone and is answered as a SYN in a synchronized state is, with an ACK, never an RST
 * (found by an outside review: it ended TIME-WAIT, then drew the RST of a port nobody listens on). */
T5961(rfc6191_no_listener_no_reopen)
{
	struct tw_info tw = server_time_wait(p, 41019);
	/* (built first: the segment's port is the listener's, which then goes) */
	struct synack_seg syn = tw_syn(p, 41019, tw.rcv_nxt + 100000, tw.ts, tw.ts_recent + 1);
	p->ep[PAIR_SERVER].listen_port = 0;
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_not_reopened(p, 41019, &tw, mark, "a newer SYN to a port with no listener");
	const struct synack_seg *r;
	cr_expect_eq(sent_since(p, mark, PAIR_SERVER, &r), 1u);
	if (r)
		cr_expect_eq(r->flags, SYNACK_TH_ACK, "answered with flags %#x", r->flags);
	cr_expect_eq(p->ep[PAIR_SERVER].e.ctx.stats.rst_out, 0u);
}

T5961(rfc6191_reconnect_from_same_port_gets_iss_above_floor)
{
	struct tw_info tw = server_time_wait(p, 41011);
	/* The client comes back on the same port a second later: with pinned ISNs its SYN's sequence
	 * number is the same as last time (below RCV.NXT), so only the timestamp can let it in. */
	pair_run_until(p, p->now + S);
	int c = pair_connect(p, 41011);
	pair_run(p, S);
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	cr_expect_eq(srv->e.ctx.stats.tw_reopen, 1u);
	cr_expect_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *nc = pair_find(p, PAIR_SERVER, 41011);
	cr_assert(nc != NULL);
	cr_expect_eq(nc->tcb.state, SYNACK_ESTABLISHED);
	cr_expect(synack_seq_gt(srv->reopen_floor, tw.snd_nxt));
	cr_expect(synack_seq_ge(nc->tcb.iss, srv->reopen_floor), "ISS %#x below the floor %#x", nc->tcb.iss,
		  srv->reopen_floor);
	if (p->ep[PAIR_SERVER].e.ctx.isn_hook)
		cr_expect_eq(nc->tcb.iss, srv->reopen_floor, "the pinned ISS must have been raised to the floor");
	expect_still_works(p, c, nc);
}

T5961(rfc6191_older_timestamp_rejected)
{
	struct tw_info tw = server_time_wait(p, 41012);
	cr_assert(tw.ts);
	/* Older timestamp: an old duplicate, even with a higher sequence number. */
	struct synack_seg syn = tw_syn(p, 41012, tw.rcv_nxt + 100000, true, tw.ts_recent - 1);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_not_reopened(p, 41012, &tw, mark, "SYN with TSval = TS.Recent - 1");
}

T5961(rfc6191_equal_timestamp_higher_seq_reopens)
{
	/* RFC 6191 §2, second rule: timestamp equal to the last seen AND sequence number above the last
	 * seen: honour the request. */
	struct tw_info tw = server_time_wait(p, 41013);
	cr_assert(tw.ts);
	struct synack_seg syn = tw_syn(p, 41013, tw.rcv_nxt + 100000, true, tw.ts_recent);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_reopened(p, 41013, &tw, &syn, mark, "SYN with TSval = TS.Recent, higher seq");
}

T5961(rfc6191_syn_without_timestamp_higher_seq_reopens)
{
	/* RFC 6191 §2, third rule: the old incarnation used timestamps, the new SYN has none (so the new
	 * incarnation will not), and its sequence number is above the last seen: honour the request. */
	struct tw_info tw = server_time_wait(p, 41014);
	cr_assert(tw.ts);
	struct synack_seg syn = tw_syn(p, 41014, tw.rcv_nxt + 100000, false, 0);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_reopened(p, 41014, &tw, &syn, mark, "SYN without timestamps, higher seq");
}

static void no_timestamps(struct pair *p)
{
	p->ep[PAIR_CLIENT].e.ctx.cfg.timestamps = 0;
	p->ep[PAIR_SERVER].e.ctx.cfg.timestamps = 0;
}

T5961(rfc6191_no_timestamps_higher_seq_reopens)
{
	no_timestamps(p);
	struct tw_info tw = server_time_wait(p, 41015);
	cr_assert(!tw.ts);
	struct synack_seg syn = tw_syn(p, 41015, tw.rcv_nxt + 1000, false, 0);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_reopened(p, 41015, &tw, &syn, mark, "no timestamps, SYN above RCV.NXT");
}

T5961(rfc6191_no_timestamps_lower_seq_rejected)
{
	no_timestamps(p);
	struct tw_info tw = server_time_wait(p, 41016);
	cr_assert(!tw.ts);
	const uint32_t seqs[] = { tw.rcv_nxt - 1, tw.rcv_nxt - 1000, tw.rcv_nxt - 0x40000000u };
	for (unsigned i = 0; i < 3; i++) {
		struct synack_seg syn = tw_syn(p, 41016, seqs[i], false, 0);
		unsigned mark = p->nlog;
		pair_inject(p, PAIR_SERVER, &syn);
		expect_not_reopened(p, 41016, &tw, mark, "no timestamps, SYN below RCV.NXT");
	}
	/* And with a timestamp but none on the old incarnation: the sequence number still decides. */
	struct synack_seg syn = tw_syn(p, 41016, tw.rcv_nxt - 1000, true, 0x7fffffffu);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &syn);
	expect_not_reopened(p, 41016, &tw, mark, "old incarnation without timestamps, SYN with one, lower seq");
}

T5961(default_budget_is_configured)
{
	(void)p;
	struct synack_tcp_cfg cfg;
	synack_tcp_cfg_default(&cfg);
	cr_expect_gt(cfg.challenge_ack_limit, 0u, "RFC 5961 §7: a challenge-ACK budget must exist");
}

/* ---- ACKs to unacceptable segments and RSTs for no connection: rate-limited (issue 15 §2) ---- */

/* Pure ACKs outside the window (an ACK loop, or a blind flood): one answer per connection in
 * invalid_ack_conn_ms (Linux tcp_invalid_ratelimit), the rest withheld and counted; once the
 * interval has passed, answered again. */
T5961(acks_to_unacceptable_pure_acks_are_one_per_interval)
{
	struct pair_conn *sc;
	establish(p, 44001, &sc);
	struct synack_tcp_ctx *x = &p->ep[PAIR_SERVER].e.ctx;
	uint64_t lim0 = x->stats.invalid_acks_conn_limited;
	unsigned mark = p->nlog;
	for (int i = 0; i < 100; i++) {
		struct synack_seg s = seg_to(p, PAIR_SERVER, 44001, SYNACK_TH_ACK, sc->tcb.rcv_nxt + 10000000u + (uint32_t)i,
					     sc->tcb.snd_nxt);
		pair_inject(p, PAIR_SERVER, &s);
	}
	cr_assert_eq(sent_since(p, mark, PAIR_SERVER, NULL), 1);
	cr_assert_eq(x->stats.invalid_acks_conn_limited - lim0, 99);
	pair_run_until(p, p->now + (uint64_t)x->cfg.invalid_ack_conn_ms * MS);
	mark = p->nlog;
	struct synack_seg s = seg_to(p, PAIR_SERVER, 44001, SYNACK_TH_ACK, sc->tcb.rcv_nxt + 10000000u, sc->tcb.snd_nxt);
	pair_inject(p, PAIR_SERVER, &s);
	cr_assert_eq(sent_since(p, mark, PAIR_SERVER, NULL), 1);
	cr_assert_eq(sc->tcb.state, SYNACK_ESTABLISHED);
}

/* Unacceptable segments with data (a peer's retransmission of bytes we have) are each answered,
 * within the core's budget per second: past it, withheld and counted. */
T5961(acks_to_unacceptable_data_have_a_per_core_budget)
{
	struct pair_conn *sc;
	establish(p, 44002, &sc);
	struct synack_tcp_ctx *x = &p->ep[PAIR_SERVER].e.ctx;
	x->cfg.invalid_ack_limit = 10;
	x->oow_window_ns = 0;
	unsigned mark = p->nlog;
	static const uint8_t junk[100];
	for (int i = 0; i < 30; i++) {
		/* Entirely before RCV.NXT: old bytes again. */
		struct synack_seg s = seg_to(p, PAIR_SERVER, 44002, SYNACK_TH_ACK | SYNACK_TH_PSH,
					     sc->tcb.rcv_nxt - 5000u, sc->tcb.snd_nxt);
		s.payload = junk;
		s.len = sizeof(junk);
		pair_inject(p, PAIR_SERVER, &s);
	}
	cr_assert_eq(sent_since(p, mark, PAIR_SERVER, NULL), 10);
	cr_assert_eq(x->stats.invalid_acks_limited, 20);
	cr_assert_eq(sc->rcv_len, 10u, "no injected byte delivered");
}

/* Segments for no connection and no listener draw RSTs within the core's budget per second: a
 * flood is not reflected one for one. */
T5961(rsts_for_no_connection_have_a_per_core_budget)
{
	struct synack_tcp_ctx *x = &p->ep[PAIR_SERVER].e.ctx;
	x->cfg.rst_limit = 5;
	unsigned mark = p->nlog;
	for (int i = 0; i < 20; i++) {
		struct synack_seg s = seg_to(p, PAIR_SERVER, (uint16_t)(45000 + i), SYNACK_TH_ACK, 1000, 2000);
		s.dport = 81; /* nobody listens */
		pair_inject(p, PAIR_SERVER, &s);
	}
	cr_assert_eq(sent_since(p, mark, PAIR_SERVER, NULL), 5);
	cr_assert_eq(x->stats.rst_limited, 15);
	pair_run_until(p, p->now + S);
	mark = p->nlog;
	struct synack_seg s = seg_to(p, PAIR_SERVER, 45100, SYNACK_TH_SYN, 1000, 0);
	s.dport = 81;
	pair_inject(p, PAIR_SERVER, &s);
	const struct synack_seg *r;
	cr_assert_eq(sent_since(p, mark, PAIR_SERVER, &r), 1, "a new second, a new budget");
	cr_assert(r->flags & SYNACK_TH_RST);
}
