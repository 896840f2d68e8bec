/* pair.c: the in-memory client/server harness (see pair.h). */
#include <string.h>

#include "net/build.h"
#include "net/parse.h"
#include "net/seg_fmt.h"
#include "pair.h"

#define BASE_NS (1000ull * SYNACK_NS_PER_S) /* the fake clock starts at 1000 s */

static uint32_t pinned_isn(void *arg, const struct synack_tuple *t)
{
	struct pair *p = arg;
	/* The client's local port is the ephemeral one; the server's is the listening port. */
	return t->lport == p->ep[PAIR_SERVER].listen_port ? p->isn[PAIR_SERVER] : p->isn[PAIR_CLIENT];
}

void pair_init(struct pair *p, FILE *trace)
{
	memset(p, 0, sizeof(*p));
	p->now = BASE_NS;
	p->delay_ns = 50 * SYNACK_NS_PER_US;
	p->trace = trace;
	for (int i = 0; i < 2; i++) {
		struct pair_ep *e = &p->ep[i];
		synack_tcp_ctx_init(&e->ctx, NULL, (uint32_t)i);
		e->name = i == PAIR_CLIENT ? "client" : "server";
		e->addr = i == PAIR_CLIENT ? 0xc6120001u : 0xc6120002u; /* 198.18.0.1, 198.18.0.2 */
		for (int c = 0; c < PAIR_MAX_CONNS; c++)
			e->conns[c].closed_reason = -1;
	}
	p->ep[PAIR_SERVER].listen_port = 80;
	p->ep[PAIR_SERVER].echo = true;
	p->ep[PAIR_SERVER].close_on_fin = true;
}

void pair_pin_isn(struct pair *p, uint32_t client_isn, uint32_t server_isn)
{
	p->isn[PAIR_CLIENT] = client_isn;
	p->isn[PAIR_SERVER] = server_isn;
	for (int i = 0; i < 2; i++) {
		p->ep[i].ctx.isn_hook = pinned_isn;
		p->ep[i].ctx.isn_arg = p;
	}
}

static double secs(const struct pair *p) { return (double)(p->now - BASE_NS) / 1e9; }

static int conn_alloc(struct pair_ep *e)
{
	for (int c = 0; c < PAIR_MAX_CONNS; c++) {
		struct pair_conn *pc = &e->conns[c];
		if (!pc->used) {
			memset(pc, 0, sizeof(*pc));
			pc->used = true;
			pc->closed_reason = -1;
			return c;
		}
	}
	return -1;
}

static void wire_out(struct pair *p, int from, struct pair_conn *pc, const struct synack_seg *s)
{
	uint8_t payload[1600];
	if (s->len > sizeof(payload))
		return;
	if (s->len && pc)
		synack_sndbuf_copy(&pc->sb, s->seq, payload, s->len);
	bool lost = p->drop && p->drop(p, from, s, p->drop_arg);
	if (p->nlog < PAIR_MAX_FRAMES)
		p->log[p->nlog++] = (struct pair_seglog){ from, p->now, *s, lost };
	if (p->trace) {
		char line[320];
		synack_seg_format(line, sizeof(line), s);
		fprintf(p->trace, "%10.6f %s > %s: %s%s\n", secs(p), p->ep[from].name, p->ep[!from].name, line,
			lost ? "   (lost)" : "");
	}
	if (lost || p->qn >= PAIR_MAX_FRAMES)
		return;
	struct pair_frame *f = &p->q[p->qn];
	f->len = synack_build_ipv4_tcp(f->bytes, sizeof(f->bytes), s, payload, 0);
	if (!f->len)
		return;
	f->to = !from;
	f->at = p->now + p->delay_ns;
	p->qn++;
}

static void on_event(struct pair *p, int side, struct pair_conn *pc, const struct synack_action *a);

/* Carries out a core's actions for connection pc (NULL for replies without a connection). */
static void apply(struct pair *p, int side, struct pair_conn *pc, struct synack_actions *out)
{
	p->action_overflows += out->overflow;
	for (unsigned i = 0; i < out->n; i++) {
		const struct synack_action *a = &out->a[i];
		switch (a->kind) {
		case SYNACK_ACT_SEND:
			wire_out(p, side, pc, &a->seg);
			break;
		case SYNACK_ACT_TIMER_ARM:
			if (pc)
				pc->deadline[a->id] = a->deadline_ns;
			break;
		case SYNACK_ACT_TIMER_CANCEL:
			if (pc)
				pc->deadline[a->id] = 0;
			break;
		case SYNACK_ACT_EVENT:
			if (pc)
				on_event(p, side, pc, a);
			break;
		}
	}
}

static void run_output(struct pair *p, int side, struct pair_conn *pc)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_output(&p->ep[side].ctx, &pc->tcb, p->now, &out);
	apply(p, side, pc, &out);
}

static void on_event(struct pair *p, int side, struct pair_conn *pc, const struct synack_action *a)
{
	struct pair_ep *e = &p->ep[side];
	switch (a->id) {
	case SYNACK_EV_STATE:
		if (pc->nstates < PAIR_MAX_LOG) {
			pc->state_time[pc->nstates] = p->now;
			pc->states[pc->nstates++] = a->b;
		}
		if (p->trace)
			fprintf(p->trace, "%10.6f %s: %s -> %s\n", secs(p), e->name, synack_state_name(a->a),
				synack_state_name(a->b));
		if (a->b == SYNACK_SYN_SENT || a->b == SYNACK_SYN_RECEIVED)
			synack_sndbuf_init(&pc->sb, pc->sbmem, PAIR_BUF, pc->tcb.iss + 1);
		break;
	case SYNACK_EV_CONNECTED:
	case SYNACK_EV_ACCEPTED:
		pc->connected = true;
		break;
	case SYNACK_EV_DATA: {
		uint32_t room = PAIR_BUF - pc->rcv_len, n = a->n < room ? a->n : room;
		memcpy(pc->rcv + pc->rcv_len, a->data, n);
		pc->rcv_len += n;
		if (!e->hold)
			synack_tcp_consumed(&e->ctx, &pc->tcb, a->n);
		if (e->echo)
			pair_send(p, side, (int)(pc - e->conns), a->data, a->n);
		break;
	}
	case SYNACK_EV_ACKED:
		synack_sndbuf_ack(&pc->sb, a->n);
		break;
	case SYNACK_EV_PEER_FIN:
		pc->peer_fin = true;
		if (e->close_on_fin && pc->tcb.state == SYNACK_CLOSE_WAIT) {
			struct synack_actions out;
			synack_actions_reset(&out);
			synack_tcp_close(&e->ctx, &pc->tcb, p->now, &out);
			apply(p, side, pc, &out);
		}
		break;
	case SYNACK_EV_TIME_WAIT:
		break;
	case SYNACK_EV_REOPEN:
		e->reopen_pending = true;
		e->reopen_floor = a->n;
		break;
	case SYNACK_EV_CLOSED:
		pc->closed_reason = a->a;
		if (a->a < SYNACK_CLOSE_REASON_COUNT)
			e->closed_count[a->a]++;
		pc->used = false;
		pc->tw_compact = false;
		pc->deadline[0] = pc->deadline[1] = 0;
		if (p->trace)
			fprintf(p->trace, "%10.6f %s: connection closed (%s)\n", secs(p), e->name,
				synack_close_reason_name(a->a));
		break;
	}
}

/* In TIME-WAIT a connection may live as a compact entry: pack it after the core is done with it. */
static void maybe_compact(struct pair *p, int side, struct pair_conn *pc)
{
	if (p->ep[side].compact_tw && pc->used && pc->tcb.state == SYNACK_TIME_WAIT) {
		synack_tw_pack(&pc->tcb, pc->deadline[SYNACK_TIMER_LINGER], &pc->tw);
		memset(&pc->tcb, 0xa5, sizeof(pc->tcb)); /* the full TCB is gone: poison it */
		pc->tw_compact = true;
	}
}

static void maybe_expand(struct pair *p, int side, struct pair_conn *pc)
{
	if (pc->tw_compact) {
		synack_tw_unpack(&pc->tw, p->ep[side].ctx.cfg.rcv_buf, &pc->tcb);
		pc->tw_compact = false;
	}
}

struct pair_conn *pair_find(struct pair *p, int side, uint16_t rport)
{
	struct pair_ep *e = &p->ep[side];
	for (int c = 0; c < PAIR_MAX_CONNS; c++) {
		struct pair_conn *pc = &e->conns[c];
		if (!pc->used)
			continue;
		uint16_t rp = pc->tw_compact ? pc->tw.tuple.rport : pc->tcb.tuple.rport;
		if (rport == 0 || rp == rport)
			return pc;
	}
	return NULL;
}

static void deliver(struct pair *p, int to, const struct synack_seg *s)
{
	struct pair_ep *e = &p->ep[to];
	struct synack_actions out;
	synack_actions_reset(&out);
	struct pair_conn *pc = NULL;
	for (int c = 0; c < PAIR_MAX_CONNS; c++) {
		struct pair_conn *x = &e->conns[c];
		if (!x->used)
			continue;
		const struct synack_tuple *t = x->tw_compact ? &x->tw.tuple : &x->tcb.tuple;
		if (t->lport == s->dport && t->rport == s->sport && t->raddr == s->saddr && t->laddr == s->daddr) {
			pc = x;
			break;
		}
	}
	if (pc) {
		maybe_expand(p, to, pc);
		if (pc->tcb.state == SYNACK_TIME_WAIT)
			pc->tcb.flags = (uint16_t)((pc->tcb.flags & ~SYNACK_TF_NO_LISTENER) |
						   (e->listen_port == s->dport ? 0 : SYNACK_TF_NO_LISTENER));
		synack_tcp_input(&e->ctx, &pc->tcb, s, p->now, &out);
		apply(p, to, pc, &out);
		if (pc->used) {
			run_output(p, to, pc);
			maybe_compact(p, to, pc);
		}
		if (!e->reopen_pending)
			return;
		/* TIME-WAIT ended by a new SYN: fall through and open the new incarnation. */
		synack_actions_reset(&out);
	}
	if (e->listen_port && s->dport == e->listen_port) {
		if (e->cookies && (s->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK)) == SYNACK_TH_SYN) {
			/* The listener counts the SYN; the cookie answers it. */
			if (synack_tcp_listen_input(&e->ctx, s, &out))
				synack_tcp_cookie_synack(&e->ctx, s, p->now, &out);
			apply(p, to, NULL, &out);
			return;
		}
		if (e->cookies && (s->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK | SYNACK_TH_RST)) == SYNACK_TH_ACK) {
			int c = conn_alloc(e);
			if (c >= 0) {
				pc = &e->conns[c];
				if (synack_tcp_cookie_accept(&e->ctx, &pc->tcb, s, p->now, &out)) {
					synack_sndbuf_init(&pc->sb, pc->sbmem, PAIR_BUF, pc->tcb.iss + 1);
					apply(p, to, pc, &out);
					if (pc->used)
						run_output(p, to, pc);
					return;
				}
				pc->used = false;
			}
		}
		if (synack_tcp_listen_input(&e->ctx, s, &out)) {
			int c = conn_alloc(e);
			if (c < 0)
				return;
			pc = &e->conns[c];
			synack_tcp_accept(&e->ctx, &pc->tcb, s, p->now, e->reopen_pending, e->reopen_floor, &out);
			e->reopen_pending = false;
		}
		apply(p, to, pc, &out);
		return;
	}
	synack_tcp_no_conn(&e->ctx, s, &out);
	apply(p, to, NULL, &out);
}

void pair_inject(struct pair *p, int to, const struct synack_seg *s)
{
	deliver(p, to, s);
}

int pair_connect(struct pair *p, uint16_t sport)
{
	struct pair_ep *e = &p->ep[PAIR_CLIENT];
	int c = conn_alloc(e);
	if (c < 0)
		return -1;
	struct pair_conn *pc = &e->conns[c];
	struct synack_tuple t = { e->addr, p->ep[PAIR_SERVER].addr, sport, p->ep[PAIR_SERVER].listen_port };
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_connect(&e->ctx, &pc->tcb, &t, p->now, &out);
	apply(p, PAIR_CLIENT, pc, &out);
	return c;
}

int pair_send(struct pair *p, int side, int c, const void *data, uint32_t len)
{
	struct pair_conn *pc = &p->ep[side].conns[c];
	uint32_t n = synack_sndbuf_append(&pc->sb, data, len);
	int rc = synack_tcp_send(&p->ep[side].ctx, &pc->tcb, n);
	if (rc == 0)
		run_output(p, side, pc);
	return rc;
}

int pair_close(struct pair *p, int side, int c)
{
	struct pair_conn *pc = &p->ep[side].conns[c];
	struct synack_actions out;
	synack_actions_reset(&out);
	int rc = synack_tcp_close(&p->ep[side].ctx, &pc->tcb, p->now, &out);
	apply(p, side, pc, &out);
	maybe_compact(p, side, pc);
	return rc;
}

void pair_abort(struct pair *p, int side, int c)
{
	struct pair_conn *pc = &p->ep[side].conns[c];
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_abort(&p->ep[side].ctx, &pc->tcb, p->now, &out);
	apply(p, side, pc, &out);
}

/* The earliest pending event (frame or timer) at or before limit; 0 if none. */
static uint64_t next_event(const struct pair *p)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < p->qn; i++)
		if (!t || p->q[i].at < t)
			t = p->q[i].at;
	for (int s = 0; s < 2; s++)
		for (int c = 0; c < PAIR_MAX_CONNS; c++) {
			const struct pair_conn *pc = &p->ep[s].conns[c];
			if (!pc->used)
				continue;
			for (int k = 0; k < SYNACK_TIMER_COUNT; k++)
				if (pc->deadline[k] && (!t || pc->deadline[k] < t))
					t = pc->deadline[k];
		}
	return t;
}

static void step(struct pair *p)
{
	/* Frames due now, in the order they were sent. */
	for (unsigned i = 0; i < p->qn;) {
		if (p->q[i].at > p->now) {
			i++;
			continue;
		}
		struct pair_frame f = p->q[i];
		memmove(&p->q[i], &p->q[i + 1], (p->qn - i - 1) * sizeof(p->q[0]));
		p->qn--;
		struct synack_seg s;
		if (synack_parse_ipv4_tcp(f.bytes, f.len, 0, &s) != SYNACK_PARSE_OK) {
			p->parse_errors++;
			continue;
		}
		deliver(p, f.to, &s);
		i = 0;
	}
	for (int side = 0; side < 2; side++)
		for (int c = 0; c < PAIR_MAX_CONNS; c++) {
			struct pair_conn *pc = &p->ep[side].conns[c];
			for (int k = 0; k < SYNACK_TIMER_COUNT; k++) {
				if (!pc->used || !pc->deadline[k] || pc->deadline[k] > p->now)
					continue;
				pc->deadline[k] = 0;
				maybe_expand(p, side, pc);
				struct synack_actions out;
				synack_actions_reset(&out);
				synack_tcp_timeout(&p->ep[side].ctx, &pc->tcb, (enum synack_timer)k, p->now, &out);
				apply(p, side, pc, &out);
				if (pc->used) {
					run_output(p, side, pc);
					maybe_compact(p, side, pc);
				}
			}
		}
}

void pair_run_until(struct pair *p, uint64_t t)
{
	for (;;) {
		step(p);
		uint64_t n = next_event(p);
		if (!n || n > t)
			break;
		if (n > p->now)
			p->now = n;
	}
	if (t > p->now)
		p->now = t;
}

void pair_run(struct pair *p, uint64_t max_ns)
{
	uint64_t limit = p->now + max_ns;
	for (;;) {
		step(p);
		uint64_t n = next_event(p);
		if (!n || n > limit)
			break;
		if (n > p->now)
			p->now = n;
	}
}

int pair_state(struct pair *p, int side, int c)
{
	struct pair_conn *pc = &p->ep[side].conns[c];
	if (!pc->used)
		return SYNACK_CLOSED;
	return pc->tw_compact ? SYNACK_TIME_WAIT : pc->tcb.state;
}

unsigned pair_used(const struct pair *p, int side)
{
	unsigned n = 0;
	for (int c = 0; c < PAIR_MAX_CONNS; c++)
		n += p->ep[side].conns[c].used;
	return n;
}
