/* fuzz_input.c: libFuzzer target over the parser and the state machine. The input is a script of
 * records; each record is either a frame (parsed by lib/net, then handed to a listening server core
 * with one connection slot, the way the engine does), a timer expiry, a clock step or a user call.
 * The core has an out-of-order store (reass.h) of 16 slots, 8 a connection. Besides the sanitizers,
 * the target checks the TCB's invariants after every step, and the store's: the queue in order,
 * disjoint, past RCV.NXT and inside the window; every slot held, delivered or free. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/parse.h"
#include "tcp/compact.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

#include "fuzz_isn.h"
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct synack_tcp_ctx ctx;
static int ready;

static uint32_t pinned_isn(void *arg, const struct synack_tuple *t)
{
	(void)arg;
	(void)t;
	return FUZZ_SERVER_ISN;
}
#define NSLOTS 16
static struct synack_reass store;
static uint8_t store_mem[NSLOTS * sizeof(struct synack_reass_slot) + 256] __attribute__((aligned(64)));

static void check_store(const struct synack_tcb *t)
{
	uint32_t held = 0, prev_end = t->rcv_nxt;
	int first = 1;
	for (uint32_t l = t->ooo; l; l = store.slot[l - 1].next) {
		const struct synack_reass_slot *x = &store.slot[l - 1];
		if (++held > NSLOTS || x->len == 0 || x->len > SYNACK_REASS_DATA)
			abort();
		/* Past RCV.NXT (a slot at it would have been delivered), after the one before. */
		if (first ? synack_seq_le(x->seq, t->rcv_nxt) : synack_seq_lt(x->seq, prev_end))
			abort();
		if (synack_seq_gt(x->seq + x->len, t->rcv_adv))
			abort();
		prev_end = x->seq + x->len;
		first = 0;
	}
	if (held > store.per_conn)
		abort();
	if (held + synack_reass_unheld(&store) != NSLOTS)
		abort();
}

static void check(const struct synack_tcb *t)
{
	if (t->state == SYNACK_CLOSED)
		return;
	/* SND.UNA <= SND.NXT <= highest sent; the user's stream end is never behind what was sent (FIN aside). */
	if (synack_seq_gt(t->snd_una, t->snd_nxt) || synack_seq_gt(t->snd_nxt, t->snd_max))
		abort();
	if (synack_seq_gt(t->snd_max, t->snd_end + 1))
		abort();
	if (t->rcv_unread > t->rcv_buf)
		abort();
	if (t->state >= SYNACK_STATE_COUNT)
		abort();
	check_store(t);
}

static int apply(struct synack_tcb *t, struct synack_actions *out, int *alive, uint32_t *queued)
{
	if (out->overflow)
		abort();
	for (unsigned i = 0; i < out->n; i++) {
		const struct synack_action *a = &out->a[i];
		if (a->kind == SYNACK_ACT_SEND && a->seg.len > 65535)
			abort();
		if (a->kind == SYNACK_ACT_EVENT && a->id == SYNACK_EV_CLOSED)
			*alive = 0;
		if (a->kind == SYNACK_ACT_EVENT && a->id == SYNACK_EV_DATA)
			synack_tcp_consumed(&ctx, t, a->n);
		if (a->kind == SYNACK_ACT_EVENT && a->id == SYNACK_EV_ACKED) {
			if (a->n > *queued)
				abort(); /* acknowledged more than was ever queued */
			*queued -= a->n;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		synack_tcp_ctx_init(&ctx, NULL, 0);
		ctx.cfg.rcv_buf = 16384;
		ctx.isn_hook = pinned_isn;
		ready = 1;
	}
	synack_reass_init(&store, store_mem, NSLOTS, 8);
	ctx.reass = &store;
	struct synack_tcb tcb;
	memset(&tcb, 0, sizeof(tcb));
	int alive = 0;
	uint32_t queued = 0;
	uint64_t now = 1000ull * SYNACK_NS_PER_S;
	struct synack_actions out;
	size_t at = 0, len;
	uint8_t op;
	const uint8_t *rec;
	while (fuzz_next_record(data, size, &at, &op, &rec, &len)) {
		synack_actions_reset(&out);
		switch (op % 8) {
		case 0:
		case 1: { /* a frame (op 0) or a bare IPv4 packet (op 1) */
			struct synack_pkt pkt;
			struct synack_seg seg;
			const struct synack_seg *s = fuzz_segment(op, rec, len, &pkt, &seg);
			if (!s)
				break;
			if (alive) {
				synack_tcp_input(&ctx, &tcb, s, now, &out);
			} else if (op & 0x80) {
				/* A listener with cookies on. */
				if ((s->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK)) == SYNACK_TH_SYN)
					synack_tcp_cookie_synack(&ctx, s, now, &out);
				else if (synack_tcp_cookie_accept(&ctx, &tcb, s, now, &out))
					alive = 1;
			} else if (synack_tcp_listen_input(&ctx, s, now, &out)) {
				synack_tcp_accept(&ctx, &tcb, s, now, false, 0, &out);
				alive = 1;
			}
			apply(&tcb, &out, &alive, &queued);
			/* Held bytes the input made contiguous beyond one list, as the endpoint asks. */
			while (alive && synack_tcp_reass_more(&ctx, &tcb)) {
				synack_actions_reset(&out);
				synack_tcp_reass_deliver(&ctx, &tcb, now, &out);
				apply(&tcb, &out, &alive, &queued);
			}
			if (alive) {
				synack_actions_reset(&out);
				synack_tcp_output(&ctx, &tcb, now, &out);
				apply(&tcb, &out, &alive, &queued);
			}
			break;
		}
		case 2: /* a timer */
			if (alive) {
				synack_tcp_timeout(&ctx, &tcb, (enum synack_timer)(op >> 7), now, &out);
				apply(&tcb, &out, &alive, &queued);
			}
			break;
		case 3: /* the clock moves */
			now += (uint64_t)(len ? rec[0] : 1) * 10 * SYNACK_NS_PER_MS;
			break;
		case 4: /* user SEND */
			if (alive && synack_tcp_send(&ctx, &tcb, (uint32_t)len) == 0) {
				queued += (uint32_t)len;
				synack_tcp_output(&ctx, &tcb, now, &out);
				apply(&tcb, &out, &alive, &queued);
			}
			break;
		case 5: /* user CLOSE */
			if (alive) {
				synack_tcp_close(&ctx, &tcb, now, &out);
				apply(&tcb, &out, &alive, &queued);
			}
			break;
		case 6: /* user ABORT */
			if (alive) {
				synack_tcp_abort(&ctx, &tcb, now, &out);
				apply(&tcb, &out, &alive, &queued);
			}
			break;
		case 7: /* pack into the compact form of the state, and back */
			if (alive && tcb.state == SYNACK_TIME_WAIT) {
				struct synack_tw tw;
				synack_tw_pack(&tcb, 0, &tw);
				synack_tw_unpack(&tw, ctx.cfg.rcv_buf, &tcb);
			} else if (alive && tcb.state == SYNACK_SYN_RECEIVED && !(tcb.flags & SYNACK_TF_FIN_QUEUED) &&
				   tcb.snd_end == tcb.iss + 1) {
				struct synack_synrcv e;
				synack_synrcv_pack(&tcb, &e);
				synack_synrcv_unpack(&e, ctx.cfg.rcv_buf, &tcb);
			}
			break;
		}
		if (alive)
			check(&tcb);
		else if (tcb.ooo)
			abort(); /* a connection ended with its held bytes not given back */
	}
	return 0;
}
