/* test_data.c: data through loss, reordering and duplication on the in-memory pair (issue 15 §2):
 * out-of-order segments held and delivered when the hole fills (RFC 9293 §3.10.7.4), the SACK
 * blocks that describe them (RFC 2018), the queue's bounds. Every byte is checked, and every test
 * ends with the out-of-order store empty again. */
#include <criterion/criterion.h>
#include <string.h>

#include "pair_test.h"
#include "tcp/seq.h"
#include "tcp/state.h"

#define S (SYNACK_NS_PER_S)
#define MS (SYNACK_NS_PER_MS)

#define TDATA(name) PAIR_TEST(data, data_wrap, name)

static uint8_t blob[60000];

static void fill_blob(void)
{
	for (unsigned i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7 + (i >> 8) + (i >> 16));
}

/* Which of one side's data segments the wire loses, delays or doubles: the n-th (from 1) of those
 * sent for the first time, counted by sequence number so that retransmissions pass. */
struct wire {
	int side;
	uint32_t lose_at[8];          /* sequence offsets (from the first data byte) to lose once */
	bool lost[8];
	unsigned nlose;
	uint32_t first;               /* the first data byte's sequence number (set on the first one) */
	bool have_first;
	unsigned every;               /* delay / duplicate every n-th new segment (0: none) */
	uint64_t extra;               /* ... by this much */
	unsigned seen;
	uint32_t high;                /* highest end sent so far, offset */
	bool dup_all;
	unsigned lose_nth[4];         /* new data segments (counted from 1) to lose, and their first resend */
	unsigned nlose_nth, nnew;
	uint32_t nth_high;
	uint32_t nth_off[4];          /* ... where they started */
	bool nth_lost[4], nth_resend_lost[4], lose_resend;
};

static uint32_t off_of(struct wire *w, const struct synack_seg *s)
{
	if (!w->have_first) {
		w->first = s->seq;
		w->have_first = true;
	}
	return s->seq - w->first;
}

static bool wire_drop(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	struct wire *w = arg;
	if (from != w->side || !s->len)
		return false;
	uint32_t off = off_of(w, s);
	for (unsigned i = 0; i < w->nlose; i++)
		if (!w->lost[i] && off == w->lose_at[i]) {
			w->lost[i] = true;
			return true;
		}
	if (!synack_seq_lt(off, w->nth_high)) {
		w->nth_high = off + s->len;
		w->nnew++;
		for (unsigned i = 0; i < w->nlose_nth; i++)
			if (w->nnew == w->lose_nth[i]) {
				w->nth_lost[i] = true;
				w->nth_off[i] = off;
				return true;
			}
		return false;
	}
	for (unsigned i = 0; i < w->nlose_nth; i++)
		if (w->lose_resend && w->nth_lost[i] && !w->nth_resend_lost[i] && off == w->nth_off[i]) {
			w->nth_resend_lost[i] = true;
			return true;
		}
	return false;
}

static uint64_t wire_jitter(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	struct wire *w = arg;
	if (from != w->side || !s->len || !w->every)
		return 0;
	uint32_t off = off_of(w, s);
	if (synack_seq_lt(off, w->high))
		return 0;   /* a retransmission */
	w->high = off + s->len;
	return ++w->seen % w->every == 0 ? w->extra : 0;
}

static bool wire_dup(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	const struct wire *w = arg;
	return w->dup_all && from == w->side && s->len;
}

static void wire_on(struct pair *p, struct wire *w)
{
	p->drop = wire_drop;
	p->jitter = wire_jitter;
	p->duplicate = wire_dup;
	p->drop_arg = w;
}

/* Slots held by connections or waiting for release: none once everything is delivered. */
static uint32_t ooo_busy(const struct pair *p, int side)
{
	const struct synack_reass *r = &p->ep[side].e.reass;
	return r->nslots - synack_reass_unheld(r);
}

/* The client sends the blob to a server that only reads; returns the server's record. */
static struct pair_conn *transfer(struct pair *p, uint16_t port, uint64_t run_ns)
{
	fill_blob();
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, port);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, sizeof(blob)), 0);
	pair_run(p, run_ns);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, port);
	cr_assert(sc);
	cr_assert_eq(sc->rcv_len, sizeof(blob), "received %u of %zu", sc->rcv_len, sizeof(blob));
	cr_assert_eq(memcmp(sc->rcv, blob, sizeof(blob)), 0, "the bytes arrived changed");
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].sb.len, 0, "everything acknowledged and freed");
	return sc;
}

/* RFC 9293 §3.10.7.4: one segment lost, those after it are held; its retransmission fills the
 * hole and everything held is delivered at once, in order. */
TDATA(segments_past_a_hole_are_held_and_delivered)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43001, 30 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert(w.lost[0]);
	cr_assert_geq(st->ooo_segs, 5, "%lu held", (unsigned long)st->ooo_segs);
	cr_assert_eq(st->ooo_drops, 0);
	cr_assert_geq(st->ooo_delivered, st->ooo_segs);
	/* The hole filled by one retransmission: the held segments were not sent again. */
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.rtx_data, 1, "%lu resent",
		     (unsigned long)p->ep[PAIR_CLIENT].e.ctx.stats.rtx_data);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* RFC 2018 §4: while bytes are held every ACK carries SACK blocks, the first one holding the
 * segment that triggered it: behind one hole, each new segment extends that block. The ACK number
 * stays at the hole. */
TDATA(acks_carry_sack_blocks_for_what_is_held)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43002, 30 * S);
	unsigned with_sack = 0;
	uint32_t hole = 0, right = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct pair_seglog *l = &p->log[i];
		if (l->from != PAIR_SERVER || !(l->seg.opts.present & SYNACK_OPT_SACK))
			continue;
		const struct synack_seg *a = &l->seg;
		if (!with_sack++)
			hole = a->ack;
		else
			cr_assert(synack_seq_gt(a->opts.sack[0][1], right), "the first block did not grow");
		right = a->opts.sack[0][1];
		cr_assert_eq(a->ack, hole, "an ACK past the hole while it was open");
		cr_assert_eq(a->opts.sack_blocks, 1);
		cr_assert_eq(a->opts.sack[0][0], hole + 1448, "the block starts after the lost segment");
		cr_assert_eq((a->opts.sack[0][1] - a->opts.sack[0][0]) % 1448, 0);
	}
	cr_assert_geq(with_sack, 5);
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.sack_out, with_sack);
	cr_assert_eq(hole - w.first, 1448u, "the hole is the lost segment's start");
}

/* Two holes: two blocks, the newer first (RFC 2018 §4: the most recently received first). */
TDATA(two_holes_two_blocks_the_newest_first)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448, 1448 * 4 }, .nlose = 2 };
	wire_on(p, &w);
	transfer(p, 43012, 30 * S);
	unsigned two = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct synack_seg *a = &p->log[i].seg;
		if (p->log[i].from != PAIR_SERVER || a->opts.sack_blocks < 2)
			continue;
		two++;
		/* Segments 2-3 before the second hole, 5.. after it: the later block is growing. */
		cr_assert_eq(a->opts.sack[0][0] - w.first, 1448u * 5);
		cr_assert_eq(a->opts.sack[1][0] - w.first, 1448u * 2);
		cr_assert_eq(a->opts.sack[1][1] - w.first, 1448u * 4);
	}
	cr_assert_geq(two, 3);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* No SACK negotiated: the bytes are held all the same, and the ACKs carry no blocks. */
TDATA(held_without_sack_and_no_blocks_sent)
{
	p->ep[PAIR_CLIENT].e.ctx.cfg.sack = 0;
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43003, 30 * S);
	for (unsigned i = 0; i < p->nlog; i++)
		cr_assert(!(p->log[i].seg.opts.present & SYNACK_OPT_SACK));
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.ooo_segs, 5);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* RFC 5681 §3.2: the third duplicate ACK sends the lost segment again at once; the transfer
 * ends well before the 1 s RTO would have fired, and fast recovery ends with cwnd at ssthresh. */
TDATA(three_duplicate_acks_retransmit_without_the_rto)
{
	p->delay_ns = 5 * MS;
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 * 12 }, .nlose = 1 };
	wire_on(p, &w);
	uint64_t t0 = p->now;
	struct pair_conn *sc = transfer(p, 43020, 30 * S);
	(void)sc;
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert(w.lost[0]);
	cr_assert_eq(cs->fast_retransmits, 1);
	cr_assert_eq(cs->recoveries, 1);
	cr_assert_eq(cs->rto_data, 0);
	cr_assert_eq(cs->rtx_data, 1, "only the lost segment went twice");
	cr_assert_eq(cs->recoveries_undone, 0, "a real loss: no D-SACK, no undo");
	/* The last byte was acknowledged within a few round trips of 10 ms, not after a 1 s RTO. */
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[0].tcb;
	cr_assert_neq(ct->ssthresh, UINT32_MAX, "ssthresh set by the loss");
	cr_assert_eq(ct->flags & SYNACK_TF_RECOVERY, 0);
	uint64_t done = 0;
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == PAIR_SERVER && p->log[i].seg.ack == ct->snd_max && !done)
			done = p->log[i].t;
	cr_assert(done);
	cr_assert_lt(done - t0, 1 * S + 300 * MS, "took %lu ms", (unsigned long)((done - t0) / MS));
}

/* RFC 6582: two losses in one window. The third duplicate repairs the first; the partial ACK that
 * answers it shows the second hole, sent at once; the full ACK ends recovery. No RTO. */
TDATA(a_partial_ack_repairs_the_next_hole)
{
	p->delay_ns = 5 * MS;
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 13, 16 }, .nlose_nth = 2 };
	wire_on(p, &w);
	transfer(p, 43021, 30 * S);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert(w.nth_lost[0] && w.nth_lost[1]);
	cr_assert_eq(cs->fast_retransmits, 1);
	cr_assert_eq(cs->partial_acks, 1);
	cr_assert_eq(cs->recoveries, 1);
	cr_assert_eq(cs->rto_data, 0);
	cr_assert_eq(cs->rtx_data, 2);
}

/* The fast retransmission lost too: the RTO is the backstop (RFC 5681 §3.2, RFC 6298), and the
 * recovery it cuts short starts no second one from the go-back-N's duplicates (RFC 6582 §3.2). */
TDATA(a_lost_fast_retransmission_falls_back_on_the_rto)
{
	p->delay_ns = 5 * MS;
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 13 }, .nlose_nth = 1, .lose_resend = true };
	wire_on(p, &w);
	transfer(p, 43022, 30 * S);
	cr_assert(w.nth_resend_lost[0]);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert_eq(cs->fast_retransmits, 1);
	cr_assert_eq(cs->rto_data, 1);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* Three losses in one window, on a fresh pair with SACK on or off; returns how long after the
 * first send the last byte was acknowledged, and the client's counters in *st. */
static uint64_t three_losses(struct pair *p, bool sack, uint16_t port, struct synack_tcp_stats *st)
{
	bool pin = p->pin_isn;
	uint32_t isn[2] = { p->isn[0], p->isn[1] };
	pair_init(p, NULL);
	if (pin)
		pair_pin_isn(p, isn[0], isn[1]);
	p->ep[PAIR_CLIENT].e.ctx.cfg.sack = sack;
	p->delay_ns = 10 * MS;
	static struct wire w;
	memset(&w, 0, sizeof(w));
	w.side = PAIR_CLIENT;
	w.lose_nth[0] = 13;
	w.lose_nth[1] = 15;
	w.lose_nth[2] = 17;
	w.nlose_nth = 3;
	wire_on(p, &w);
	transfer(p, port, 30 * S);
	cr_assert(w.nth_lost[0] && w.nth_lost[1] && w.nth_lost[2]);
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[0].tcb;
	uint64_t t0 = 0, done = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct pair_seglog *l = &p->log[i];
		if (!t0 && l->from == PAIR_CLIENT && l->seg.len)
			t0 = l->t;
		if (l->from == PAIR_SERVER && l->seg.ack == ct->snd_end) {
			done = l->t;
			break;
		}
	}
	cr_assert(t0 && done > t0);
	*st = p->ep[PAIR_CLIENT].e.ctx.stats;
	return done - t0;
}

/* RFC 6675: with SACK, the holes the blocks show are sent again on the duplicate ACKs, all in the
 * recovery's first round trip; NewReno without SACK finds one per round trip through partial
 * ACKs. Neither needs the RTO, and SACK's recovery ends sooner. */
TDATA(sack_recovery_resends_every_hole_in_one_round_trip)
{
	struct synack_tcp_stats a, b;
	uint64_t with = three_losses(p, true, 43030, &a);
	uint64_t without = three_losses(p, false, 43031, &b);
	cr_assert_eq(a.fast_retransmits, 1);
	cr_assert_eq(a.sack_rtx, 2, "%lu holes from SACK blocks", (unsigned long)a.sack_rtx);
	cr_assert_eq(a.rtx_data, 3, "each lost segment once");
	cr_assert_eq(a.rto_data, 0);
	cr_assert_eq(b.fast_retransmits, 1);
	cr_assert_eq(b.sack_rtx, 0);
	cr_assert_eq(b.partial_acks, 2);
	cr_assert_eq(b.rto_data, 0);
	cr_assert_lt(with + 15 * MS, without, "SACK %lu ms, NewReno %lu ms", (unsigned long)(with / MS),
		     (unsigned long)(without / MS));
}

/* Without SACK the same: NewReno needs only duplicate ACKs. */
TDATA(fast_retransmit_without_sack)
{
	p->ep[PAIR_CLIENT].e.ctx.cfg.sack = 0;
	p->delay_ns = 5 * MS;
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 13, 16 }, .nlose_nth = 2 };
	wire_on(p, &w);
	transfer(p, 43023, 30 * S);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert_eq(cs->fast_retransmits, 1);
	cr_assert_eq(cs->rto_data, 0);
}

/* Reordering: every third new segment arrives 5 ms late, overtaken by those behind it. */
TDATA(reordered_segments_arrive_in_order)
{
	p->delay_ns = 1 * MS;
	struct wire w = { .side = PAIR_CLIENT, .every = 3, .extra = 5 * MS };
	wire_on(p, &w);
	transfer(p, 43004, 30 * S);
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.ooo_segs, 3);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.timeouts, 0);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* Duplication: every data segment twice, a loss among them. Copies of held bytes are counted and
 * not held twice; copies of delivered ones are trimmed. */
TDATA(duplicated_segments_are_held_once)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 * 3 }, .nlose = 1, .dup_all = true };
	wire_on(p, &w);
	transfer(p, 43005, 30 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_gt(p->duplicated, 10);
	cr_assert_geq(st->ooo_dup, 3, "%lu copies", (unsigned long)st->ooo_dup);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* RFC 2883 §4.1.1: a copy of bytes already delivered draws an ACK whose first SACK block is the
 * copy, at or below the ACK number (a D-SACK), so that the sender can tell the bytes arrived. */
TDATA(a_copy_of_delivered_bytes_is_reported_by_dsack)
{
	struct wire w = { .side = PAIR_CLIENT, .dup_all = true };
	wire_on(p, &w);
	transfer(p, 43030, 30 * S);
	unsigned d = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct synack_seg *a = &p->log[i].seg;
		if (p->log[i].from != PAIR_SERVER || !(a->opts.present & SYNACK_OPT_SACK))
			continue;
		cr_assert(synack_seq_le(a->opts.sack[0][1], a->ack), "a block above the ACK with nothing held");
		/* The block is exactly one segment the client sent. */
		bool sent = false;
		for (unsigned j = 0; j < i && !sent; j++)
			sent = p->log[j].from == PAIR_CLIENT && p->log[j].seg.seq == a->opts.sack[0][0] &&
			       p->log[j].seg.seq + p->log[j].seg.len == a->opts.sack[0][1];
		cr_assert(sent, "the block [%u, %u) is no segment sent", a->opts.sack[0][0] - w.first,
			  a->opts.sack[0][1] - w.first);
		cr_assert_eq(a->len, 0, "a D-SACK on a data segment");
		d++;
	}
	cr_assert_geq(d, 20, "%u D-SACKs for 42 copies", d);
	cr_assert_eq(p->ep[PAIR_SERVER].e.ctx.stats.dsack_out, d);
}

/* RFC 2883 §4.1.2: a copy of bytes held past a hole: the D-SACK block first, then the block that
 * holds them. */
TDATA(a_copy_of_held_bytes_is_reported_before_its_block)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 * 3 }, .nlose = 1, .dup_all = true };
	wire_on(p, &w);
	transfer(p, 43031, 30 * S);
	unsigned d = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct synack_seg *a = &p->log[i].seg;
		if (p->log[i].from != PAIR_SERVER || a->opts.sack_blocks < 2 ||
		    synack_seq_le(a->opts.sack[0][1], a->ack))
			continue;
		cr_assert(synack_seq_ge(a->opts.sack[0][0], a->opts.sack[1][0]) &&
			  synack_seq_le(a->opts.sack[0][1], a->opts.sack[1][1]), "the copy is outside the next block");
		d++;
	}
	cr_assert_geq(d, 1);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* RFC 3708 / RFC 4015: reordering, not loss. Every eighth new segment arrives 3 ms late, overtaken
 * by the rest: the sender takes the SACK blocks for a loss and sends it again, the late original
 * arrives, and the copy draws a D-SACK. With every retransmission of the recovery reported twice,
 * its reduction is undone: cwnd and ssthresh back. */
TDATA(recoveries_set_off_by_reordering_are_undone)
{
	p->delay_ns = 1 * MS;
	struct wire w = { .side = PAIR_CLIENT, .every = 8, .extra = 3 * MS };
	wire_on(p, &w);
	transfer(p, 43032, 30 * S);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[0].tcb;
	cr_assert_geq(cs->fast_retransmits, 1, "no recovery: the test's reordering is too mild");
	cr_assert_geq(cs->recoveries_undone, 1, "%lu recoveries, none undone", (unsigned long)cs->fast_retransmits);
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.dsack_out, cs->recoveries_undone);
	cr_assert_eq(cs->rto_data, 0);
	cr_assert_eq(ct->flags & SYNACK_TF_RECOVERY, 0);
}

/* A connection holds at most per_conn slots: the rest is dropped, counted, and comes again. */
TDATA(the_per_connection_bound_drops_and_counts)
{
	pair_ooo(p, PAIR_SERVER, PAIR_OOO_SLOTS, 2);
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43006, 60 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_geq(st->ooo_drops, 1);
	cr_assert_geq(st->ooo_segs, 2);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* The core's store bounds every connection together: with one slot in it, the first segment past
 * the hole takes it and the rest are dropped, counted, and come again. */
TDATA(the_per_core_bound_drops_and_counts)
{
	pair_ooo(p, PAIR_SERVER, 1, SYNACK_REASS_CONN_MAX);
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43007, 60 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_geq(st->ooo_segs, 1);
	cr_assert_geq(st->ooo_drops, 1);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* No store at all (ooo_per_core 0): segments past a hole are dropped, as before; the data still
 * arrives, by retransmission. */
TDATA(no_store_drops_past_the_hole)
{
	pair_ooo(p, PAIR_SERVER, 0, 0);
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 1448 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43008, 60 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_eq(st->ooo_segs, 0);
	cr_assert_geq(st->ooo_drops, 3);
}

/* More held slots than one input may deliver (SYNACK_REASS_DELIVER_MAX): the rest follow in the
 * same step, in order. The second flight's first segment lost (the initial window is 10) leaves
 * the other 19 behind it. */
TDATA(a_long_queue_is_delivered_whole)
{
	p->ep[PAIR_SERVER].e.ctx.cfg.mss = 536; /* 524-byte segments: 31 fit the client's 16 KiB send ring */
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 524 * 10 }, .nlose = 1 };
	wire_on(p, &w);
	transfer(p, 43009, 30 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_gt(st->ooo_delivered, SYNACK_REASS_DELIVER_MAX, "%lu delivered", (unsigned long)st->ooo_delivered);
	cr_assert_eq(p->ep[PAIR_SERVER].e.stats.actions_overflow, 0);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* The peer's FIN on a segment past the hole is held with it: once the hole fills, the data and
 * then the FIN are taken (CLOSE-WAIT), and the close completes. */
TDATA(a_fin_past_the_hole_is_held_with_its_segment)
{
	fill_blob();
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 43010);
	pair_run(p, S);
	/* The first segment lost, and its fast retransmission: the hole stays open until the RTO. */
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 1 }, .nlose_nth = 1, .lose_resend = true };
	wire_on(p, &w);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 4000), 0);
	cr_assert_eq(pair_close(p, PAIR_CLIENT, c), 0);
	pair_run(p, 200 * MS);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 43010);
	cr_assert(sc);
	cr_assert_eq(sc->rcv_len, 0, "nothing in order yet");
	cr_assert_eq(sc->tcb.state, SYNACK_ESTABLISHED, "the FIN is held, not taken");
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.ooo_segs, 2);
	pair_run(p, 30 * S);
	cr_assert_eq(sc->rcv_len, 4000u);
	cr_assert_eq(memcmp(sc->rcv, blob, 4000), 0);
	cr_assert(sc->peer_fin);
	cr_assert_eq(sc->closed_reason, SYNACK_CLOSE_NORMAL);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* A connection reset with bytes held gives its slots back (counted as purged). */
TDATA(a_reset_frees_what_was_held)
{
	fill_blob();
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 43011);
	pair_run(p, S);
	/* The first segment lost, and its fast retransmission: the hole stays open until the RTO. */
	struct wire w = { .side = PAIR_CLIENT, .lose_at = { 0, 0 }, .nlose = 2 };
	wire_on(p, &w);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 6000), 0);
	pair_run(p, 200 * MS);
	cr_assert_gt(ooo_busy(p, PAIR_SERVER), 0);
	pair_abort(p, PAIR_CLIENT, c);
	pair_run(p, 200 * MS);
	cr_assert_eq(p->ep[PAIR_SERVER].closed_count[SYNACK_CLOSE_RESET], 1);
	cr_assert_geq(p->ep[PAIR_SERVER].e.ctx.stats.ooo_purged, 3);
	cr_assert_eq(ooo_busy(p, PAIR_SERVER), 0);
}

/* ---- delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2) ---- */

/* Server ACKs in the log from mark on: bare ones (no data), and the times of the first and last. */
static unsigned server_acks(const struct pair *p, unsigned mark, uint64_t *first, uint64_t *last)
{
	unsigned n = 0;
	for (unsigned i = mark; i < p->nlog; i++) {
		const struct pair_seglog *l = &p->log[i];
		if (l->from != PAIR_SERVER || l->seg.len || !(l->seg.flags & SYNACK_TH_ACK) ||
		    (l->seg.flags & (SYNACK_TH_SYN | SYNACK_TH_FIN | SYNACK_TH_RST)))
			continue;
		if (!n++ && first)
			*first = l->t;
		if (last)
			*last = l->t;
	}
	return n;
}

/* A reader that does not answer gets an ACK for every second segment, and a lone segment's ACK
 * waits the delay, no more. */
TDATA(delayed_acks_every_second_segment_and_within_the_delay)
{
	pair_delack(p, PAIR_SERVER, 40);
	fill_blob();
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 43040);
	pair_run(p, S);
	unsigned mark = p->nlog;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 1448 * 10), 0); /* ten full segments, one flight */
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 43040);
	cr_assert_eq(sc->rcv_len, 1448u * 10);
	const struct synack_core_stats *es = &p->ep[PAIR_SERVER].e.stats;
	cr_assert_eq(server_acks(p, mark, NULL, NULL), 5, "one ACK for two segments");
	cr_assert_eq(es->acks_delayed, 5);
	cr_assert_eq(es->delacks_sent, 0);
	/* One more segment: its ACK goes alone when the delay runs out. */
	mark = p->nlog;
	uint64_t t0 = p->now;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 100), 0);
	pair_run(p, S);
	uint64_t at = 0;
	cr_assert_eq(server_acks(p, mark, &at, NULL), 1);
	cr_assert_eq(es->delacks_sent, 1);
	cr_assert_geq(at - t0, 39 * MS, "acknowledged after %lu ms", (unsigned long)((at - t0) / MS));
	cr_assert_leq(at - t0, 41 * MS, "acknowledged after %lu ms", (unsigned long)((at - t0) / MS));
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.rtx_data, 0);
}

/* An application that answers at once: its answer carries the ACK, nothing waits. */
TDATA(an_answer_carries_the_ack_nothing_waits)
{
	pair_delack(p, PAIR_SERVER, 40);
	int c = pair_connect(p, 43041);
	pair_run(p, S);
	unsigned mark = p->nlog;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, "ping", 4), 0);
	pair_run(p, S);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 4u, "echoed");
	cr_assert_eq(server_acks(p, mark, NULL, NULL), 0, "no bare ACK: the echo carried it");
	cr_assert_eq(p->ep[PAIR_SERVER].e.stats.acks_delayed, 0);
}

/* Out of order and hole-filling segments are acknowledged at once (RFC 5681 §4.2): fast
 * retransmit works as without delayed ACKs; the peer's FIN is acknowledged at once too. */
TDATA(delayed_acks_leave_losses_and_fins_alone)
{
	pair_delack(p, PAIR_SERVER, 40);
	p->delay_ns = 5 * MS;
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 13 }, .nlose_nth = 1 };
	wire_on(p, &w);
	transfer(p, 43042, 30 * S);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert_eq(cs->fast_retransmits, 1);
	cr_assert_eq(cs->rto_data, 0);
	cr_assert_gt(p->ep[PAIR_SERVER].e.stats.acks_delayed, 0);
	unsigned mark = p->nlog;
	uint64_t t0 = p->now;
	cr_assert_eq(pair_close(p, PAIR_CLIENT, 0), 0);
	pair_run(p, 20 * MS);
	uint64_t at = 0;
	for (unsigned i = mark; i < p->nlog; i++)
		if (p->log[i].from == PAIR_SERVER && (p->log[i].seg.flags & SYNACK_TH_ACK)) {
			at = p->log[i].t;
			break;
		}
	cr_assert(at && at - t0 <= 2 * p->delay_ns, "the FIN's ACK waited %lu ms", (unsigned long)((at - t0) / MS));
}

/* ---- keep-alives (RFC 1122 §4.2.3.6) ---- */

static unsigned probes_from(const struct pair *p, int side)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct pair_seglog *l = &p->log[i];
		if (l->from == side && !l->seg.len && l->seg.flags == SYNACK_TH_ACK &&
		    l->seg.seq + 1 == p->ep[side].conns[0].tcb.snd_una)
			n++;
	}
	return n;
}

static bool lose_all_from_client(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p, (void)s;
	return from == PAIR_CLIENT && *(bool *)arg;
}

/* Off unless asked (RFC 1122: they MUST default to off): three idle hours, no probe. */
TDATA(keepalives_are_off_by_default)
{
	int c = pair_connect(p, 43050);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	pair_run_until(p, p->now + 3ull * 3600 * S);
	cr_assert_eq(p->ep[PAIR_SERVER].e.ctx.stats.keepalive_probes, 0);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.keepalive_probes, 0);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
}

/* On: an idle connection is probed once per idle period; the live peer answers each probe (its
 * sequence number is outside the window) and the connection stays. */
TDATA(an_idle_connection_is_probed_and_stays)
{
	pair_keepalive(p, PAIR_SERVER, 60, 10, 3);
	int c = pair_connect(p, 43051);
	pair_run(p, S);
	pair_run_until(p, p->now + 10 * 60 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_geq(st->keepalive_probes, 9, "%lu probes in 10 idle minutes", (unsigned long)st->keepalive_probes);
	cr_assert_leq(st->keepalive_probes, 10);
	cr_assert_eq(st->keepalive_timeouts, 0);
	cr_assert_eq(probes_from(p, PAIR_SERVER), st->keepalive_probes, "each probe is <SEQ=SND.UNA-1>, no data");
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 43051);
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
}

/* Traffic keeps the probes away: a segment every 30 s against a 60 s idle time. */
TDATA(traffic_keeps_the_probes_away)
{
	pair_keepalive(p, PAIR_SERVER, 60, 10, 3);
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 43052);
	pair_run(p, S);
	for (int i = 0; i < 20; i++) {
		pair_send(p, PAIR_CLIENT, c, "x", 1);
		pair_run_until(p, p->now + 30 * S);
	}
	cr_assert_eq(p->ep[PAIR_SERVER].e.ctx.stats.keepalive_probes, 0);
}

/* A peer gone silent: the probes go unanswered, and after the third the connection is dropped
 * (an RST, closed as timed out) at idle + 3 intervals. */
TDATA(a_silent_peer_is_dropped_after_its_probes)
{
	pair_keepalive(p, PAIR_SERVER, 60, 10, 3);
	bool gone = false;
	p->drop = lose_all_from_client;
	p->drop_arg = &gone;
	pair_connect(p, 43053);
	pair_run(p, S);
	gone = true;
	uint64_t t0 = p->now;
	pair_run_until(p, p->now + 200 * S);
	const struct synack_tcp_stats *st = &p->ep[PAIR_SERVER].e.ctx.stats;
	cr_assert_eq(st->keepalive_probes, 3);
	cr_assert_eq(st->keepalive_timeouts, 1);
	cr_assert_eq(p->ep[PAIR_SERVER].closed_count[SYNACK_CLOSE_TIMEOUT], 1);
	uint64_t rst_at = 0;
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == PAIR_SERVER && (p->log[i].seg.flags & SYNACK_TH_RST))
			rst_at = p->log[i].t;
	cr_assert(rst_at);
	cr_assert(pair_late_ok(rst_at - t0, 90 * S) || (rst_at - t0 >= 89 * S && rst_at - t0 <= 92 * S),
		  "dropped after %lu s", (unsigned long)((rst_at - t0) / S));
	cr_assert_eq(pair_pool_used(p, PAIR_SERVER), 0);
}

/* ---- zero window: the sender's persist timer (RFC 9293 §3.8.6.1) ---- */

/* A receiver whose application reads nothing closes its window; the sender probes it with one
 * byte, the intervals doubling (RFC 9293 §3.8.6.1: "exponential backoff"), and the probes, being
 * answered, keep the connection open however long the window stays shut. */
TDATA(a_closed_window_is_probed_with_backoff_and_stays_open)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	srv->echo = false;
	srv->hold = true;
	srv->e.ctx.cfg.rcv_buf = 2000;
	srv->e.ctx.cfg.wscale = 0;
	fill_blob();
	int c = pair_connect(p, 43060);
	pair_run(p, S);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 2500), 0);
	pair_run_until(p, p->now + 400 * S);
	uint64_t at[32];
	unsigned n = 0;
	for (unsigned i = 0; i < p->nlog && n < 32; i++) {
		const struct pair_seglog *l = &p->log[i];
		if (l->from == PAIR_CLIENT && l->seg.len == 1)
			at[n++] = l->t;
	}
	cr_assert_geq(n, 6, "%u probes in 400 s", n);
	for (unsigned k = 2; k < n; k++) {
		uint64_t a = at[k - 1] - at[k - 2], b = at[k] - at[k - 1];
		/* Doubling, up to the RTO's 120 s cap; each late by at most the wheel's bound. */
		uint64_t want = 2 * a < 120 * S ? 2 * a : 120 * S;
		cr_assert(b + b / 8 >= want && b <= want + want / 4 + 2 * S, "probe %u after %lu ms, the one before after %lu ms",
			  k, (unsigned long)(b / MS), (unsigned long)(a / MS));
	}
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 43060);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED, "answered probes keep it open");
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
	cr_assert_eq(sc->rcv_len, 2000u, "the window's worth arrived, and no probe byte was taken");
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.timeouts, 0);
}

/* RFC 5827 (early retransmit): three segments out and nothing more to send, the first lost: the
 * two that arrive make two duplicate ACKs, which is then enough. The loss is repaired in a round
 * trip, not after the 1 s RTO. */
TDATA(a_small_flight_retransmits_early)
{
	p->delay_ns = 5 * MS;
	fill_blob();
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 43080);
	pair_run(p, S);
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 1 }, .nlose_nth = 1 };
	wire_on(p, &w);
	uint64_t t0 = p->now;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 3 * 1448), 0);
	pair_run(p, 5 * S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 43080);
	cr_assert_eq(sc->rcv_len, 3u * 1448);
	cr_assert_eq(memcmp(sc->rcv, blob, 3 * 1448), 0);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert_eq(cs->early_retransmits, 1);
	cr_assert_eq(cs->rto_data, 0);
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[c].tcb;
	uint64_t done = 0;
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == PAIR_SERVER && p->log[i].seg.ack == ct->snd_end && p->log[i].t > t0) {
			done = p->log[i].t;
			break;
		}
	cr_assert(done && done - t0 < 100 * MS, "repaired after %lu ms", (unsigned long)((done - t0) / MS));
}

/* ---- the tail and lost retransmissions: RFC 8985's loss probe, and its rule where the TCB can
 * apply it ---- */

/* When the client's last byte is acknowledged, after t0 (0: never). */
static uint64_t all_acked_at(const struct pair *p, int c, uint64_t t0)
{
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[c].tcb;
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == PAIR_SERVER && !p->log[i].dropped && p->log[i].seg.ack == ct->snd_end &&
		    p->log[i].t > t0)
			return p->log[i].t;
	return 0;
}

/* Sends n segments' worth of the blob with the wire w on, 5 ms each way, from a send ring of
 * snd_buf bytes (0: the endpoint's 16 KiB); returns the client's connection, every byte checked at
 * the server. */
static int send_through(struct pair *p, struct wire *w, uint16_t port, unsigned n, uint32_t snd_buf, uint64_t *t0)
{
	p->delay_ns = 5 * MS;
	if (snd_buf)
		pair_buffers(p, PAIR_CLIENT, snd_buf, p->ep[PAIR_CLIENT].e.ctx.cfg.rcv_buf);
	fill_blob();
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, port);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	wire_on(p, w);
	*t0 = p->now;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, n * 1448), 0);
	pair_run(p, 5 * S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, port);
	cr_assert_eq(sc->rcv_len, n * 1448u);
	cr_assert_eq(memcmp(sc->rcv, blob, n * 1448), 0);
	return c;
}

/* RFC 8985 §7: the last segment lost, so no duplicate ACK can come. 2 SRTT after the last
 * transmission the probe sends it again, and its ACK repairs the loss: no 1 s RTO. The probe
 * repaired a loss, so congestion control responds as to one (§7.4.2). */
TDATA(a_lost_last_segment_is_probed_not_timed_out)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 6 }, .nlose_nth = 1 };
	uint64_t t0;
	int c = send_through(p, &w, 43090, 6, 0, &t0);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert(w.nth_lost[0]);
	cr_assert_eq(cs->tlp_probes, 1);
	cr_assert_eq(cs->rto_data, 0);
	cr_assert_eq(cs->tlp_recoveries, 1, "the probe repaired the loss");
	/* PTO: 2 SRTT, plus 200 ms for the peer's delayed ACK with one segment out (§7.2). */
	uint64_t done = all_acked_at(p, c, t0);
	cr_assert(done && done - t0 < 300 * MS, "repaired after %lu ms", (unsigned long)((done - t0) / MS));
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[c].tcb;
	cr_assert_lt(ct->ssthresh, UINT32_MAX, "ssthresh set by the loss");
}

/* The whole tail of a flight lost (four segments): the probe (the last one again) draws a SACK for
 * itself alone, which says that the three before it, sent earlier, were lost: recovery starts at
 * once, without the RTO. */
TDATA(a_lost_tail_of_a_flight_is_found_by_the_probe)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 7, 8, 9, 10 }, .nlose_nth = 4 };
	uint64_t t0;
	int c = send_through(p, &w, 43091, 10, 0, &t0);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert(w.nth_lost[3]);
	cr_assert_eq(cs->tlp_probes, 1);
	cr_assert_eq(cs->tlp_recoveries, 1);
	cr_assert_eq(cs->rto_data, 0);
	uint64_t done = all_acked_at(p, c, t0);
	cr_assert(done && done - t0 < 200 * MS, "repaired after %lu ms", (unsigned long)((done - t0) / MS));
}

/* A retransmission lost too: as the duplicates let new data out (a send ring with room for it), the
 * SACK blocks soon cover data sent after the resend, which the TCB takes as its loss (RFC 8985
 * §6's rule, by "recover"), and it goes again without waiting for the RTO. */
TDATA(a_lost_retransmission_goes_again_without_the_rto)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 3 }, .nlose_nth = 1, .lose_resend = true };
	uint64_t t0;
	int c = send_through(p, &w, 43092, 40, 65536, &t0);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert(w.nth_resend_lost[0]);
	cr_assert_geq(cs->lost_rtx, 1);
	cr_assert_eq(cs->rto_data, 0);
	uint64_t done = all_acked_at(p, c, t0);
	cr_assert(done && done - t0 < 500 * MS, "repaired after %lu ms", (unsigned long)((done - t0) / MS));
}

/* A loss just past "recover" (the first segment sent after a recovery began): the duplicates
 * acknowledge exactly "recover", which RFC 6582's guard alone would refuse (and the RTO would
 * repair); their SACK blocks show bytes past a new hole, and the fast retransmit goes. */
TDATA(a_loss_just_past_recover_is_fast_retransmitted)
{
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 3, 15 }, .nlose_nth = 2 };
	uint64_t t0;
	send_through(p, &w, 43093, 30, 0, &t0);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert(w.nth_lost[1]);
	cr_assert_eq(cs->rto_data, 0);
	cr_assert_eq(cs->fast_retransmits, 2);
}

/* Off (engine.tlp = 0), the lost last segment waits for the RTO, as before RFC 8985. */
TDATA(without_probes_a_lost_last_segment_waits_for_the_rto)
{
	p->ep[PAIR_CLIENT].e.ctx.cfg.tlp = 0;
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 6 }, .nlose_nth = 1 };
	uint64_t t0;
	send_through(p, &w, 43094, 6, 0, &t0);
	const struct synack_tcp_stats *cs = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert_eq(cs->tlp_probes, 0);
	cr_assert_eq(cs->rto_data, 1);
}

/* RFC 9293 §3.7.1 / RFC 6691: the MSS counts data only, and options come out of the segment.
 * A side that holds bytes past a hole puts SACK blocks on its own data segments too; they must
 * shrink by the blocks' length, not grow past the path's MTU. Both sides send, each loses some
 * of the other's segments, and a router of MTU 1500 between them drops and reports anything
 * larger: nothing is. */
TDATA(data_segments_carrying_sack_blocks_fit_the_mtu)
{
	p->delay_ns = 5 * MS;
	p->path_mtu = 1500;
	fill_blob();
	struct wire w = { .side = PAIR_CLIENT, .lose_nth = { 3, 9, 17 }, .nlose_nth = 3 };
	wire_on(p, &w);
	int c = pair_connect(p, 43095);   /* the server echoes: data both ways */
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, blob, 30 * 1448), 0);
	pair_run(p, 10 * S);
	cr_assert_eq(p->frag_needed_sent, 0, "%u segments over the MTU", p->frag_needed_sent);
	unsigned with_sack = 0;
	for (unsigned i = 0; i < p->nlog; i++) {
		const struct pair_seglog *l = &p->log[i];
		if (l->from == PAIR_SERVER && l->seg.len && (l->seg.opts.present & SYNACK_OPT_SACK))
			with_sack++;
	}
	cr_assert_gt(with_sack, 0, "the server's data carried SACK blocks");
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 43095);
	cr_assert_eq(sc->rcv_len, 30u * 1448);
	cr_assert_eq(memcmp(sc->rcv, blob, 30 * 1448), 0);
}

/* ---- keep-alives per connection (RFC 1122 §4.2.3.6: an application MUST be able to turn them
 * on or off for each connection) ---- */

static int ka_rc = 1;

static void ka_on_connected(struct synack_conn *c) { ka_rc = synack_conn_keepalive(c, 1); }
static void ka_off_connected(struct synack_conn *c) { ka_rc = synack_conn_keepalive(c, 0); }
static uint32_t ka_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	(void)c, (void)d;
	return n;
}

static const struct synack_app ka_on_app = { .name = "ka-on", .connected = ka_on_connected, .data = ka_data };
static const struct synack_app ka_off_app = { .name = "ka-off", .connected = ka_off_connected, .data = ka_data };

/* Off for the core (the default), on for the one connection whose application asks: after two
 * idle hours (RFC 1122's floor, the core's keepalive_s being 0) it is probed, the peer answers,
 * and it stays. The peer, which did not ask, sends none. */
TDATA(an_application_turns_keepalives_on_for_its_connection)
{
	ka_rc = 1;
	pair_client_app(p, &ka_on_app, NULL);
	int c = pair_connect(p, 43100);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_assert_eq(ka_rc, 0);
	pair_run_until(p, p->now + 7000 * S);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.keepalive_probes, 0, "none before two hours");
	pair_run_until(p, p->now + 3600 * S);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.keepalive_probes, 1);
	cr_assert_eq(p->ep[PAIR_SERVER].e.ctx.stats.keepalive_probes, 0);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
}

/* On for the core (keepalive_s 60), off for the connection whose application says so: ten idle
 * minutes, no probe (the same with them left on sends nine or ten). */
TDATA(an_application_turns_keepalives_off_for_its_connection)
{
	ka_rc = 1;
	pair_keepalive(p, PAIR_CLIENT, 60, 10, 3);
	pair_client_app(p, &ka_off_app, NULL);
	int c = pair_connect(p, 43101);
	pair_run(p, S);
	cr_assert_eq(ka_rc, 0);
	pair_run_until(p, p->now + 10 * 60 * S);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.keepalive_probes, 0);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
}

/* ---- a load's connect timeout (synack_load.connect_timeout_ms, synack-gen --connect-timeout) ---- */

/* The server never answers: the connection is given up at the timeout, before the SYN's first
 * retry (1 s), counted as connect-timeout, and nothing more is sent. */
TDATA(a_connect_timeout_gives_up_before_the_syn_retries)
{
	bool gone = true;
	p->drop = lose_all_from_client;
	p->drop_arg = &gone;
	p->ep[PAIR_CLIENT].e.connect_timeout_ms = 300;
	uint64_t t0 = p->now;
	int c = pair_connect(p, 43110);
	cr_assert_geq(c, 0);
	pair_run(p, 5 * S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_CLOSED);
	const struct synack_ep *e = &p->ep[PAIR_CLIENT].e;
	cr_assert_eq(e->lc[0].failed[SYNACK_OUT_CONNECT_TIMEOUT], 1);
	cr_assert_eq(e->lc[0].in_flight, 0);
	cr_assert_eq(e->ctx.stats.rtx_syn, 0, "given up before the first retry");
	uint64_t end = p->ep[PAIR_CLIENT].conns[c].state_time[p->ep[PAIR_CLIENT].conns[c].nstates - 1];
	cr_assert(pair_late_ok(end - t0, 300 * MS), "given up after %lu ms", (unsigned long)((end - t0) / MS));
	cr_assert_eq(pair_pool_used(p, PAIR_CLIENT), 0);
	unsigned sent = 0;
	for (unsigned i = 0; i < p->nlog; i++)
		sent += p->log[i].from == PAIR_CLIENT;
	cr_assert_eq(sent, 1, "the SYN only, no RST (RFC 9293 §3.10.5: ABORT in SYN-SENT sends nothing)");
}

/* Met: the connection is established in time and the timeout is gone with it. */
TDATA(a_met_connect_timeout_leaves_the_connection_alone)
{
	p->ep[PAIR_CLIENT].e.connect_timeout_ms = 300;
	int c = pair_connect(p, 43111);
	pair_run(p, 5 * S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.lc[0].failed[SYNACK_OUT_CONNECT_TIMEOUT], 0);
}
