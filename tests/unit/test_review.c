/* test_review.c: the bugs an outside review of the protocol core found (issue 15), one test each,
 * on the in-memory pair; each test failed before its fix. Every test runs with real ISNs and with
 * ISNs just below 2^32 (pair_test.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "pair_test.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/tcp_internal.h"

#define S (SYNACK_NS_PER_S)

#define TREVIEW(name) PAIR_TEST(review, review_wrap, name)

/* A hand-made segment on client port cport's tuple towards side `to`, whose connection there is rcv:
 * the window wide open, and a timestamp just past its TS.Recent when it has timestamps. */
static struct synack_seg seg_to(const struct pair *p, int to, uint16_t cport, uint8_t flags, uint32_t seq,
				uint32_t ack, const struct synack_tcb *rcv)
{
	struct synack_seg s;
	memset(&s, 0, sizeof(s));
	const struct pair_ep *cl = &p->ep[PAIR_CLIENT], *sv = &p->ep[PAIR_SERVER];
	s.saddr = to == PAIR_SERVER ? cl->addr : sv->addr;
	s.daddr = to == PAIR_SERVER ? sv->addr : cl->addr;
	s.sport = to == PAIR_SERVER ? cport : sv->listen_port;
	s.dport = to == PAIR_SERVER ? sv->listen_port : cport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.wnd = 65535;
	s.ttl = 64;
	if (rcv->flags & SYNACK_TF_TS) {
		s.opts.present = SYNACK_OPT_TS;
		s.opts.tsval = rcv->ts_recent + 1;
	}
	return s;
}

/* Drops the first data segment the client sends, once. */
static bool drop_first_data(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	bool *done = arg;
	if (from == PAIR_CLIENT && s->len && !*done) {
		*done = true;
		return true;
	}
	return false;
}

/* RFC 6298 §5.1: whenever a segment with data is sent and the timer is not running, start it.
 * A peer advertising a small MSS (64 here) and a congestion window grown by a first transfer make
 * one output call fill the action list (48) with segments; the timer's arm did not fit, yet the
 * connection marked its timer running, so losing the burst's first segment stalled it for good. */
TREVIEW(burst_filling_the_action_list_keeps_its_timer)
{
	p->ep[PAIR_SERVER].e.ctx.cfg.mss = 64;
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 42001);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	static uint8_t data[2][12000];
	for (unsigned i = 0; i < sizeof(data[0]); i++) {
		data[0][i] = (uint8_t)(i * 7 + 3);
		data[1][i] = (uint8_t)(i * 13 + 1);
	}
	/* A first transfer, nothing lost: the congestion window grows to ~200 segments of 64. */
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, data[0], sizeof(data[0])), 0);
	pair_run(p, 10 * S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 42001);
	cr_assert(sc);
	cr_assert_eq(sc->rcv_len, sizeof(data[0]));
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[c].tcb;
	cr_assert_gt(ct->cwnd, 60u * 64, "cwnd %u", ct->cwnd);
	cr_assert_eq(ct->snd_una, ct->snd_max, "all acknowledged: no timer runs");
	/* The second: one burst past the action list, its first segment lost. */
	bool dropped = false;
	p->drop = drop_first_data;
	p->drop_arg = &dropped;
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, data[1], sizeof(data[1])), 0);
	pair_run(p, 60 * S);
	cr_assert(dropped);
	cr_assert_eq(sc->rcv_len, 2 * sizeof(data[0]), "the server got %u of %zu bytes", sc->rcv_len,
		     2 * sizeof(data[0]));
	cr_assert_eq(memcmp(sc->rcv + sizeof(data[0]), data[1], sizeof(data[1])), 0);
	cr_assert_gt(p->ep[PAIR_CLIENT].e.ctx.stats.rtx_data, 0);
}

/* RFC 7323 §2.2: window scaling is on only when both SYNs carry the option (and SACK likewise,
 * RFC 2018 §2). A SYN-ACK sent as a SYN cookie, with our window scaling and SACK off, offered
 * neither, yet the cookie remembered the client's and the connection rebuilt from it scaled the
 * client's window fields and took SACK as agreed. */
TREVIEW(syn_cookie_turns_on_no_option_it_did_not_offer)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	srv->cookies = true;
	srv->e.ctx.cfg.wscale = 0;
	srv->e.ctx.cfg.sack = 0;
	int c = pair_connect(p, 42002);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 42002);
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
	cr_assert_eq(srv->e.ctx.stats.cookies_accepted, 1u);
	/* The client offered both: its SYN had them. */
	cr_assert(p->log[0].seg.opts.present & SYNACK_OPT_WSCALE);
	cr_assert(p->log[0].seg.opts.present & SYNACK_OPT_SACK_OK);
	cr_expect_eq(sc->tcb.flags & SYNACK_TF_WSCALE, 0, "window scaling on though the SYN-ACK did not offer it");
	cr_expect_eq(sc->tcb.snd_wscale, 0);
	cr_expect_eq(sc->tcb.flags & SYNACK_TF_SACK, 0, "SACK on though the SYN-ACK did not offer it");
	/* and the client, which got no option back, agrees */
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[c].tcb;
	cr_expect_eq(ct->flags & SYNACK_TF_WSCALE, 0);
	/* Data both ways still flows, window fields read unscaled. */
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, "hello", 5), 0);
	pair_run(p, S);
	cr_assert_eq(sc->rcv_len, 5u);
	cr_expect_leq(sc->tcb.snd_wnd, 0xffffu, "the client's window read as scaled: %u", sc->tcb.snd_wnd);
}

/* RFC 5681 §4.2: an out-of-order segment draws an immediate duplicate ACK, so that the sender
 * learns of the hole. A FIN past a hole (its data not yet arrived) drew nothing. */
TREVIEW(out_of_order_fin_draws_a_duplicate_ack)
{
	int c = pair_connect(p, 42003);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 42003);
	cr_assert(sc);
	uint32_t rn = sc->tcb.rcv_nxt, sn = sc->tcb.snd_nxt;
	/* 100 bytes of data missing before it */
	struct synack_seg f = seg_to(p, PAIR_SERVER, 42003, SYNACK_TH_FIN | SYNACK_TH_ACK, rn + 100, sn, &sc->tcb);
	unsigned mark = p->nlog;
	pair_inject(p, PAIR_SERVER, &f);
	unsigned acks = 0;
	for (unsigned i = mark; i < p->nlog; i++)
		if (p->log[i].from == PAIR_SERVER) {
			acks++;
			cr_expect_eq(p->log[i].seg.flags, SYNACK_TH_ACK);
			cr_expect_eq(p->log[i].seg.ack, rn, "the ACK names the hole");
		}
	cr_expect_eq(acks, 1u, "%u segments in reply to an out-of-order FIN", acks);
	cr_expect_eq(sc->tcb.state, SYNACK_ESTABLISHED, "the FIN past the hole was taken");
	cr_expect_eq(sc->tcb.rcv_nxt, rn);
}

/* FIN-WAIT-2's limit (Linux's tcp_fin_timeout) is for a peer that went silent without its FIN:
 * one still sending is not silent. The limit counted from our FIN's ACK and cut a peer sending
 * all along. Here the limit is 1 s and the server sends every 400 ms for 3 s before its FIN. */
TREVIEW(fin_wait_2_limit_pushed_back_by_data)
{
	p->ep[PAIR_CLIENT].e.ctx.cfg.fin_wait2_ms = 1000;
	p->ep[PAIR_SERVER].echo = false;
	p->ep[PAIR_SERVER].close_on_fin = false;
	int c = pair_connect(p, 42004);
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 42004);
	cr_assert(sc);
	int si = (int)(sc - p->ep[PAIR_SERVER].conns);
	cr_assert_eq(pair_close(p, PAIR_CLIENT, c), 0);
	pair_run(p, 100 * SYNACK_NS_PER_MS);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_FIN_WAIT_2);
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	for (unsigned i = 0; i < 8; i++) {
		cr_assert_eq(pair_send(p, PAIR_SERVER, si, "more", 4), 0);
		pair_run_until(p, p->now + 400 * SYNACK_NS_PER_MS);
		cr_assert(cc->used && cc->tcb.state == SYNACK_FIN_WAIT_2, "after %u sends: %s", i + 1,
			  cc->used ? synack_state_name(cc->tcb.state) : "gone");
	}
	cr_assert_eq(cc->rcv_len, 32u);
	/* Then silence: the limit ends it, 1 s after the last data. */
	pair_run_until(p, p->now + 1200 * SYNACK_NS_PER_MS);
	cr_assert(!cc->used || cc->tcb.state != SYNACK_FIN_WAIT_2, "still in FIN-WAIT-2 after 1.2 s of silence");
}

/* RFC 9293 §3.8.6.2.1: the sender's SWS avoidance holds back a segment smaller than the MSS and
 * than half the largest window offered, but "an override timeout" (0.1 - 1 s) must then send it,
 * or a peer that offers a small window with nothing in flight waits for an ACK that never comes.
 * Here the server's window, as the client last heard it, is 100 bytes. */
TREVIEW(small_window_with_nothing_in_flight_is_not_a_stall)
{
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 42005);
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 42005);
	cr_assert(sc);
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	/* A window update from the server's tuple: 100 bytes. */
	struct synack_seg w = seg_to(p, PAIR_CLIENT, 42005, SYNACK_TH_ACK, sc->tcb.snd_nxt, cc->tcb.snd_nxt, &cc->tcb);
	w.wnd = (uint16_t)((100u + (1u << cc->tcb.snd_wscale) - 1) >> cc->tcb.snd_wscale);
	pair_inject(p, PAIR_CLIENT, &w);
	cr_assert_leq(cc->tcb.snd_wnd, 100u + (1u << cc->tcb.snd_wscale), "window %u", cc->tcb.snd_wnd);
	cr_assert_gt(cc->tcb.snd_wnd, 0u);
	static uint8_t data[5000];
	memset(data, 'x', sizeof(data));
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, data, sizeof(data)), 0);
	pair_run(p, 10 * S);
	cr_assert_eq(sc->rcv_len, sizeof(data), "the server got %u of %zu bytes", sc->rcv_len, sizeof(data));
}

/* Drops every data segment the server sends. */
static bool drop_server_data(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	(void)arg;
	return from == PAIR_SERVER && s->len > 0;
}

/* A server connection from client port cport whose window is closed: a 2,000-byte receive buffer
 * (unscaled) filled by the client and left unread by the application (the pair's hold). */
static struct pair_conn *closed_window(struct pair *p, uint16_t cport)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	srv->echo = false;
	srv->hold = true;
	srv->e.ctx.cfg.rcv_buf = 2000;
	srv->e.ctx.cfg.wscale = 0;
	int c = pair_connect(p, cport);
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, cport);
	cr_assert(sc && sc->tcb.state == SYNACK_ESTABLISHED);
	static uint8_t data[2000];
	memset(data, 'z', sizeof(data));
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, data, sizeof(data)), 0);
	pair_run(p, S);
	cr_assert_eq(sc->rcv_len, 2000u);
	cr_assert_eq(sc->tcb.rcv_unread, 2000u, "the server's application holds it: window closed");
	return sc;
}

/* RFC 9293 §3.10.7.4: "If the RCV.WND is zero, no segments will be acceptable, but special
 * allowance should be made to accept valid ACKs". A zero-window probe (a byte at RCV.NXT into a
 * closed window) was dropped whole, its ACK with it: here the probe acknowledges 10 bytes the
 * server sent, which the server must take (else it retransmits what was received). */
TREVIEW(zero_window_probe_ack_is_taken)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	struct pair_conn *sc = closed_window(p, 42006);
	/* The server sends 10 bytes the wire loses: they stay unacknowledged. */
	p->drop = drop_server_data;
	cr_assert_eq(pair_send(p, PAIR_SERVER, (int)(sc - srv->conns), "0123456789", 10), 0);
	cr_assert_eq(sc->tcb.snd_max - sc->tcb.snd_una, 10u);
	/* A probe: one byte at RCV.NXT, acknowledging those 10 bytes. */
	struct synack_seg pr = seg_to(p, PAIR_SERVER, 42006, SYNACK_TH_ACK, sc->tcb.rcv_nxt, sc->tcb.snd_max, &sc->tcb);
	pr.len = 1;
	pr.payload = (const uint8_t *)"y";
	uint32_t rn = sc->tcb.rcv_nxt;
	pair_inject(p, PAIR_SERVER, &pr);
	cr_expect_eq(sc->tcb.snd_una, sc->tcb.snd_max, "the probe's ACK was dropped with it");
	cr_expect_eq(sc->tcb.rcv_nxt, rn, "the probe's byte is not taken into a closed window");
	cr_expect_eq(sc->rcv_len, 2000u);
}

/* RFC 9293 §3.8.6.2.2, the receiver's SWS avoidance: keep RCV.NXT + RCV.WND fixed until the space
 * freed reaches min(RCV.BUFF / 2, the MSS), so that a slowly reading application does not have
 * its peer send a string of tiny segments. A closed window opened by 10 bytes advertised 10. */
TREVIEW(receiver_does_not_advertise_a_silly_window)
{
	struct pair_ep *srv = &p->ep[PAIR_SERVER];
	struct pair_conn *sc = closed_window(p, 42007);
	cr_assert_eq(synack_tcp_rcv_wnd_field(&sc->tcb, 0), 0u, "the window is closed");
	/* The application reads 10 bytes: too little to advertise. */
	synack_tcp_consumed(&srv->e.ctx, &sc->tcb, 10);
	cr_expect_eq(sc->tcb.flags & SYNACK_TF_ACK_NOW, 0, "a window update for 10 bytes");
	cr_expect_eq(synack_tcp_rcv_wnd_field(&sc->tcb, 0), 0u, "a 10-byte window advertised");
	/* ... then 990 more: half the buffer, advertised at once. */
	synack_tcp_consumed(&srv->e.ctx, &sc->tcb, 990);
	cr_expect(sc->tcb.flags & SYNACK_TF_ACK_NOW, "no window update for half the buffer");
	cr_expect_eq(synack_tcp_rcv_wnd_field(&sc->tcb, 0), 1000u);
}

/* With DF on every segment and every ICMP but echo dropped, a path MTU under 1500 was a black hole
 * for full-sized segments (RFC 1191, RFC 4821). A router of MTU 1280 between the two: 60 KB cross
 * it intact, the client's MSS comes down to what fits, and the dropped segments go again at once,
 * not after an RTO. */
TREVIEW(icmp_frag_needed_lowers_the_mss)
{
	static uint8_t blob[60000];
	for (unsigned i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 13 + (i >> 9));
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 40501);
	pair_run(p, S);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	const struct synack_tcb *ct = &p->ep[PAIR_CLIENT].conns[c].tcb;
	cr_assert_eq(ct->smss, 1460 - 12, "full-sized before: the MSS less the timestamps");
	p->path_mtu = 1280;
	uint64_t t0 = p->now;
	pair_send(p, PAIR_CLIENT, c, blob, sizeof(blob));
	pair_run(p, 30 * S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40501);
	cr_assert_eq(sc->rcv_len, sizeof(blob));
	cr_assert_eq(memcmp(sc->rcv, blob, sizeof(blob)), 0);
	cr_assert_eq(ct->smss, 1280 - 40 - 12);
	cr_assert_geq(p->frag_needed_sent, 1u);
	const struct synack_tcp_stats *st = &p->ep[PAIR_CLIENT].e.ctx.stats;
	cr_assert_eq(st->pmtu_lowered, 1u);
	/* Every segment after the first ICMP fits. */
	uint64_t first_small = 0;
	for (unsigned i = 0; i < p->nlog; i++)
		if (p->log[i].from == PAIR_CLIENT && p->log[i].t > t0 && p->log[i].seg.len &&
		    p->log[i].seg.len <= ct->smss && !first_small)
			first_small = p->log[i].t;
	cr_assert_lt(first_small - t0, S / 10, "resent at the new size at once, not after an RTO");
	cr_assert_eq(st->timeouts, 0u);
}

/* RFC 5927 §4.1: an ICMP is taken only for a segment in flight; a blind one, an old one, one for no
 * connection or one that would raise the MSS does nothing but count. A tiny MTU is floored. */
TREVIEW(icmp_frag_needed_is_validated)
{
	p->ep[PAIR_SERVER].echo = false;
	int c = pair_connect(p, 40502);
	pair_run(p, S);
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	const struct synack_tcp_stats *st = &p->ep[PAIR_CLIENT].e.ctx.stats;
	uint16_t mss = cc->tcb.smss;
	/* Nothing in flight: SND.UNA == SND.MAX. */
	pair_frag_needed(p, PAIR_CLIENT, &cc->tuple, cc->tcb.snd_una, 600);
	cr_assert_eq(cc->tcb.smss, mss);
	cr_assert_eq(st->icmp_ignored, 1u);
	/* Data in flight (the server's ACK lost): outside [SND.UNA, SND.MAX) ignored, inside taken. */
	p->path_mtu = 0;
	static const uint8_t d[3000];
	p->drop = NULL;
	pair_send(p, PAIR_CLIENT, c, d, sizeof(d));
	uint32_t una = cc->tcb.snd_una, max = cc->tcb.snd_max;
	cr_assert(synack_seq_gt(max, una), "data in flight");
	pair_frag_needed(p, PAIR_CLIENT, &cc->tuple, max, 600);
	pair_frag_needed(p, PAIR_CLIENT, &cc->tuple, una - 1, 600);
	pair_frag_needed(p, PAIR_CLIENT, &cc->tuple, una + 0x40000000u, 600);
	cr_assert_eq(cc->tcb.smss, mss);
	cr_assert_eq(st->icmp_ignored, 4u);
	struct synack_tuple other = cc->tuple;
	other.rport++;
	pair_frag_needed(p, PAIR_CLIENT, &other, una, 600);
	cr_assert_eq(st->icmp_ignored, 5u, "no such connection");
	pair_frag_needed(p, PAIR_CLIENT, &cc->tuple, una, 9000);
	cr_assert_eq(cc->tcb.smss, mss, "an MTU above the path's raises nothing");
	cr_assert_eq(st->icmp_ignored, 6u);
	pair_frag_needed(p, PAIR_CLIENT, &cc->tuple, una, 68);
	cr_assert_eq(cc->tcb.smss, 552 - 40 - 12, "floored at 552 bytes of MTU");
	cr_assert_eq(st->pmtu_lowered, 1u);
	pair_run(p, 5 * S);
	cr_assert_eq(pair_find(p, PAIR_SERVER, 40502)->rcv_len, sizeof(d));
}

/* RFC 7323 §5.5: a connection idle for more than 24 days must consider TS.Recent invalid; else the
 * peer's timestamps, past half their range since, look older than TS.Recent and PAWS drops every
 * segment (two idle synack endpoints then answer each other's "old duplicates" with ACKs). After
 * 25 idle days, data each way is taken. */
TREVIEW(ts_recent_is_invalid_after_24_idle_days)
{
	p->ep[PAIR_SERVER].echo = true;
	int c = pair_connect(p, 42030);
	pair_run(p, S);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, "hello", 5), 0);
	pair_run(p, S);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 42030);
	cr_assert(sc && (sc->tcb.flags & SYNACK_TF_TS), "timestamps in force");
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 5u);
	pair_run_until(p, p->now + 25ull * 86400 * S);
	cr_assert_eq(pair_send(p, PAIR_CLIENT, c, "again", 5), 0);
	pair_run(p, 5 * S);
	cr_assert_eq(sc->rcv_len, 10u, "the server took the data after 25 idle days");
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 10u, "and the client its echo");
	cr_assert_eq(p->ep[PAIR_SERVER].e.ctx.stats.paws_drops, 0);
	cr_assert_eq(p->ep[PAIR_CLIENT].e.ctx.stats.paws_drops, 0);
}
