/* pair.c: two endpoints and a wire (see pair.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/build.h"
#include "net/parse.h"
#include "net/seg_fmt.h"
#include "pair.h"

#define BASE_NS (1000ull * SYNACK_NS_PER_S) /* the fake clock starts at 1000 s */

static const uint8_t no_mac[6];

static double secs(const struct pair *p) { return (double)(p->now - BASE_NS) / 1e9; }

static bool same_tuple(const struct synack_tuple *a, const struct synack_tuple *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport && a->rport == b->rport;
}

/* ---- records ---- */

static struct pair_conn *record_of(struct pair_ep *e, const struct synack_tuple *t)
{
	for (int c = 0; c < PAIR_MAX_CONNS; c++)
		if (e->conns[c].used && same_tuple(&e->conns[c].tuple, t))
			return &e->conns[c];
	return NULL;
}

static struct pair_conn *record_new(struct pair_ep *e, const struct synack_tuple *t)
{
	for (int c = 0; c < PAIR_MAX_CONNS; c++) {
		struct pair_conn *pc = &e->conns[c];
		if (!pc->used) {
			memset(pc, 0, sizeof(*pc));
			pc->used = true;
			pc->closed_reason = -1;
			pc->tuple = *t;
			return pc;
		}
	}
	return NULL;
}

static void record_state(struct pair_ep *e, struct pair_conn *pc, unsigned from, unsigned to)
{
	struct pair *p = e->p;
	if (pc->nstates < PAIR_MAX_LOG) {
		pc->state_time[pc->nstates] = p->now;
		pc->states[pc->nstates++] = (uint8_t)to;
	}
	if (p->trace)
		fprintf(p->trace, "%10.6f %s: %s -> %s\n", secs(p), e->name, synack_state_name(from), synack_state_name(to));
}

static void record_closed(struct pair_ep *e, struct pair_conn *pc, unsigned reason)
{
	struct pair *p = e->p;
	pc->closed_reason = (int)reason;
	pc->tcb.state = SYNACK_CLOSED;
	if (reason < SYNACK_CLOSE_REASON_COUNT)
		e->closed_count[reason]++;
	pc->used = false;
	pc->tw_compact = false;
	if (p->trace)
		fprintf(p->trace, "%10.6f %s: connection closed (%s)\n", secs(p), e->name, synack_close_reason_name(reason));
}

/* The endpoint's events, as they happen: the test's records. */
static void on_trace(void *arg, const struct synack_tuple *t, const struct synack_action *a)
{
	struct pair_ep *e = arg;
	struct pair_conn *pc = record_of(e, t);
	if (a->id == SYNACK_EV_STATE && (a->a == SYNACK_CLOSED || a->a == SYNACK_LISTEN)) {
		/* A new connection, or a new incarnation of a tuple whose TIME-WAIT a SYN ended. */
		if (pc && pc->tw_compact)
			record_closed(e, pc, SYNACK_CLOSE_REOPENED);
		pc = record_new(e, t);
		if (a->a == SYNACK_LISTEN)
			e->reopen_pending = false;
	}
	if (a->id == SYNACK_EV_REOPEN) {
		e->reopen_pending = true;
		e->reopen_floor = a->n;
	}
	if (!pc)
		return;
	switch (a->id) {
	case SYNACK_EV_STATE:
		record_state(e, pc, a->a, a->b);
		break;
	case SYNACK_EV_CONNECTED:
	case SYNACK_EV_ACCEPTED:
		pc->connected = true;
		break;
	case SYNACK_EV_DATA: {
		if (e->p->sink) {
			e->p->sink(e->p, e->side, a->data, a->n, e->p->sink_arg);
			break;
		}
		uint32_t room = PAIR_BUF - pc->rcv_len, n = a->n < room ? a->n : room;
		memcpy(pc->rcv + pc->rcv_len, a->data, n);
		pc->rcv_len += n;
		break;
	}
	case SYNACK_EV_PEER_FIN:
		pc->peer_fin = true;
		break;
	case SYNACK_EV_CLOSED:
		record_closed(e, pc, a->a);
		break;
	}
}

/* After each step: every record's TCB as the endpoint holds it now, in its pool or as a TIME-WAIT
 * entry; a TIME-WAIT entry that is gone has ended (2 x MSL passed: the endpoint says nothing). */
static void sync_records(struct pair_ep *e)
{
	for (int c = 0; c < PAIR_MAX_CONNS; c++) {
		struct pair_conn *pc = &e->conns[c];
		if (!pc->used)
			continue;
		struct synack_conn *k = synack_ep_lookup(&e->e, &pc->tuple);
		if (k) {
			pc->tcb = k->tcb;
			pc->sb = k->sb;
			pc->tw_compact = false;
			continue;
		}
		struct synack_tw *tw = e->e.tw.used ? synack_tw_table_lookup(&e->e.tw, &pc->tuple) : NULL;
		if (tw) {
			pc->tw = *tw;
			synack_tw_unpack(tw, e->e.ctx.cfg.rcv_buf, &pc->tcb);
			pc->tw_compact = true;
			continue;
		}
		/* Gone without a CLOSED event: a TIME-WAIT entry that ended (2 x MSL passed, or the table
		 * ended its oldest early), or a half-open connection the SYN-RECEIVED bound evicted. */
		unsigned was = pc->tcb.state;
		record_state(e, pc, was, SYNACK_CLOSED);
		record_closed(e, pc, was == SYNACK_TIME_WAIT ? SYNACK_CLOSE_NORMAL : SYNACK_CLOSE_ABORTED);
	}
}

/* ---- the application: echo, close on FIN, hold ---- */

static struct pair_ep *app_ep(struct synack_conn *c)
{
	void *a = synack_conn_arg(c);
	return a ? a : synack_conn_listener_arg(c);
}

static uint32_t app_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	struct pair_ep *e = app_ep(c);
	if (e->hold)
		return 0;
	if (e->echo)
		synack_conn_send(c, d, n);
	return n;
}

/* What pair_send left for later goes into the ring as it frees. */
static void push_pending(struct pair_ep *e, struct synack_conn *c)
{
	struct pair_conn *pc = record_of(e, &c->tcb.tuple);
	if (!pc || !pc->pend_len)
		return;
	int k = synack_conn_send(c, pc->pend + pc->pend_off, pc->pend_len);
	if (k > 0) {
		pc->pend_off += (uint32_t)k;
		pc->pend_len -= (uint32_t)k;
	}
}

static void app_sent(struct synack_conn *c, uint32_t n)
{
	(void)n;
	push_pending(app_ep(c), c);
}

static void app_peer_closed(struct synack_conn *c)
{
	struct pair_ep *e = app_ep(c);
	if (e->close_on_fin && c->tcb.state == SYNACK_CLOSE_WAIT)
		synack_conn_close(c);
}

static const struct synack_app pair_app = {
	.name = "pair",
	.data = app_data,
	.sent = app_sent,
	.peer_closed = app_peer_closed,
	.needs_send_ring = true,
};

/* ---- the wire ---- */

static void wire_send(void *arg, unsigned port, struct synack_conn *c, const struct synack_seg *s, const uint8_t mac[6],
		      bool rx_ok)
{
	(void)port;
	(void)mac;
	(void)rx_ok;
	struct pair_ep *e = arg;
	struct pair *p = e->p;
	int from = e->side;
	uint8_t payload[1600];
	if (s->len > sizeof(payload))
		return;
	if (s->len && c)
		synack_ep_stream_copy(&e->e, c, s->seq, payload, s->len);
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
	if (p->path_mtu && f->len > p->path_mtu) {
		/* The router drops it (DF is set) and says why to its sender. */
		f->icmp = true;
		f->icmp_seq = s->seq;
		f->icmp_tuple = (struct synack_tuple){ s->saddr, s->daddr, s->sport, s->dport };
		f->to = from;
		f->at = p->now + p->delay_ns;
		p->frag_needed_sent++;
		p->qn++;
		return;
	}
	f->icmp = false;
	f->to = !from;
	f->at = p->now + p->delay_ns + (p->jitter ? p->jitter(p, from, s, p->drop_arg) : 0);
	p->qn++;
	if (p->duplicate && p->qn < PAIR_MAX_FRAMES && p->duplicate(p, from, s, p->drop_arg)) {
		p->q[p->qn] = *f;
		p->q[p->qn].at = f->at + p->delay_ns;
		p->qn++;
		p->duplicated++;
	}
}

/* Bytes the application left: copied, as the frame they came in is the wire's. */
static struct synack_held *wire_hold(void *arg, const uint8_t *d, uint32_t len)
{
	struct pair_ep *e = arg;
	for (int i = 0; i < PAIR_MAX_HELD; i++)
		if (!e->held[i].used && len <= sizeof(e->held[i].bytes)) {
			e->held[i].used = true;
			memcpy(e->held[i].bytes, d, len);
			e->held[i].h.p = e->held[i].bytes;
			e->held[i].h.len = len;
			e->held[i].h.frame = &e->held[i].used;
			return &e->held[i].h;
		}
	return NULL;
}

static void wire_release(void *arg, struct synack_held *h)
{
	(void)arg;
	*(bool *)h->frame = false;
}

static void *mem_alloc(void *arg, size_t size)
{
	(void)arg;
	return calloc(1, size ? size : 1);
}

static void mem_free(void *arg, void *ptr, size_t size)
{
	(void)arg;
	(void)size;
	free(ptr);
}

static uint32_t pinned_isn(void *arg, const struct synack_tuple *t)
{
	struct pair *p = arg;
	/* The client's local port is the ephemeral one; the server's is the listening port. */
	return t->lport == p->ep[PAIR_SERVER].listen_port ? p->isn[PAIR_SERVER] : p->isn[PAIR_CLIENT];
}

/* side's endpoint: a pool of PAIR_MAX_CONNS, ntw TIME-WAIT entries, the pair's application as the
 * client's one script. */
static void ep_make(struct pair_ep *e, const struct synack_tcp_cfg *tc, uint32_t ntw, uint32_t synrcv_max,
		    uint32_t ooo_slots, uint32_t ooo_per_conn)
{
	struct synack_ep_cfg cfg = { .tcp = *tc, .id = (uint32_t)e->side, .nconns = PAIR_MAX_CONNS, .ntw = ntw,
				     .nsbuf = PAIR_MAX_CONNS, .sbuf_size = e->sbuf_size, .synrcv_max = synrcv_max,
				     .ooo_slots = ooo_slots, .ooo_per_conn = ooo_per_conn,
				     .delack_ms = e->delack_ms, .keepalive_s = e->ka[0], .keepalive_intvl_s = e->ka[1],
				     .keepalive_probes = e->ka[2] };
	const struct synack_ep_io io = { e, wire_send, wire_hold, wire_release, on_trace };
	const struct synack_ep_mem mem = { NULL, mem_alloc, mem_free };
	char err[160];
	if (synack_ep_init(&e->e, &cfg, &io, &mem, e->p->now, err, sizeof(err)) != 0)
		abort();
	const struct synack_load_script sc = { &pair_app, e, 1 };
	synack_ep_set_scripts(&e->e, &sc, 1);
}

static void remake(struct pair *p, int side, uint32_t ntw, uint32_t synrcv_max, uint32_t ooo_slots,
		   uint32_t ooo_per_conn)
{
	struct pair_ep *e = &p->ep[side];
	struct synack_tcp_cfg tc = e->e.ctx.cfg;
	uint32_t (*hook)(void *, const struct synack_tuple *) = e->e.ctx.isn_hook;
	void *arg = e->e.ctx.isn_arg;
	synack_ep_free(&e->e);
	memset(&e->e, 0, sizeof(e->e));
	e->listening = 0;
	ep_make(e, &tc, ntw, synrcv_max, ooo_slots, ooo_per_conn);
	e->e.ctx.isn_hook = hook;
	e->e.ctx.isn_arg = arg;
}

void pair_tables(struct pair *p, int side, uint32_t ntw, uint32_t synrcv_max)
{
	const struct synack_ep *e = &p->ep[side].e;
	remake(p, side, ntw, synrcv_max, e->reass.nslots, e->reass.per_conn);
}

void pair_delack(struct pair *p, int side, uint32_t ms)
{
	const struct synack_ep *e = &p->ep[side].e;
	p->ep[side].delack_ms = ms;
	remake(p, side, e->tw.cap, e->synrcv_max, e->reass.nslots, e->reass.per_conn);
}

void pair_keepalive(struct pair *p, int side, uint32_t idle_s, uint32_t intvl_s, uint32_t probes)
{
	const struct synack_ep *e = &p->ep[side].e;
	p->ep[side].ka[0] = idle_s;
	p->ep[side].ka[1] = intvl_s;
	p->ep[side].ka[2] = probes;
	remake(p, side, e->tw.cap, e->synrcv_max, e->reass.nslots, e->reass.per_conn);
}

void pair_buffers(struct pair *p, int side, uint32_t snd_buf, uint32_t rcv_buf)
{
	struct synack_ep *e = &p->ep[side].e;
	p->ep[side].sbuf_size = snd_buf;
	e->ctx.cfg.rcv_buf = rcv_buf;
	remake(p, side, e->tw.cap, e->synrcv_max, e->reass.nslots, e->reass.per_conn);
}

void pair_ooo(struct pair *p, int side, uint32_t slots, uint32_t per_conn)
{
	const struct synack_ep *e = &p->ep[side].e;
	remake(p, side, e->tw.cap, e->synrcv_max, slots, per_conn);
}

void pair_client_app(struct pair *p, const struct synack_app *app, void *arg)
{
	const struct synack_load_script sc = { app, arg, 1 };
	synack_ep_set_scripts(&p->ep[PAIR_CLIENT].e, &sc, 1);
}

void pair_tw_in_tcb(struct pair *p, int side) { pair_tables(p, side, 0, PAIR_MAX_CONNS); }

void pair_free(struct pair *p)
{
	for (int i = 0; i < 2; i++)
		if (p->ep[i].e.conns)
			synack_ep_free(&p->ep[i].e);
}

void pair_init(struct pair *p, FILE *trace)
{
	pair_free(p);
	memset(p, 0, sizeof(*p));
	p->now = BASE_NS;
	p->delay_ns = 50 * SYNACK_NS_PER_US;
	p->trace = trace;
	for (int i = 0; i < 2; i++) {
		struct pair_ep *e = &p->ep[i];
		e->p = p;
		e->side = i;
		e->name = i == PAIR_CLIENT ? "client" : "server";
		e->addr = i == PAIR_CLIENT ? 0xc6120001u : 0xc6120002u; /* 198.18.0.1, 198.18.0.2 */
		for (int c = 0; c < PAIR_MAX_CONNS; c++)
			e->conns[c].closed_reason = -1;
		struct synack_tcp_cfg tc;
		synack_tcp_cfg_default(&tc);
		ep_make(e, &tc, PAIR_MAX_CONNS, PAIR_MAX_CONNS, PAIR_OOO_SLOTS, SYNACK_REASS_CONN_MAX);
	}
	p->ep[PAIR_SERVER].listen_port = 80;
	p->ep[PAIR_SERVER].echo = true;
	p->ep[PAIR_SERVER].close_on_fin = true;
}

void pair_pin_isn(struct pair *p, uint32_t client_isn, uint32_t server_isn)
{
	p->isn[PAIR_CLIENT] = client_isn;
	p->isn[PAIR_SERVER] = server_isn;
	p->pin_isn = true;
	for (int i = 0; i < 2; i++) {
		p->ep[i].e.ctx.isn_hook = pinned_isn;
		p->ep[i].e.ctx.isn_arg = p;
	}
}

/* The test's settings, applied before the endpoint runs: the listener, the cookie mode, the clock. */
static void prepare(struct pair *p, struct pair_ep *e)
{
	e->e.now_ns = p->now;
	if (e->cookies)
		e->e.cookie_mode = 2;
	if (e->listening != e->listen_port) {
		if (e->listening)
			synack_ep_unlisten(&e->e, e->listening);
		if (e->listen_port) {
			const struct synack_listener l = { .app = e->listen_app ? e->listen_app : &pair_app,
							   .arg = e->listen_app ? e->listen_arg : e,
							   .port = e->listen_port, .svc = 0xff };
			synack_ep_listen(&e->e, &l);
		}
		e->listening = e->listen_port;
	}
}

static void deliver(struct pair *p, int to, const struct synack_seg *s)
{
	struct pair_ep *e = &p->ep[to];
	prepare(p, e);
	synack_ep_input(&e->e, 0, s, no_mac, NULL);
	sync_records(e);
}

void pair_inject(struct pair *p, int to, const struct synack_seg *s) { deliver(p, to, s); }

void pair_frag_needed(struct pair *p, int side, const struct synack_tuple *t, uint32_t seq, uint32_t mtu)
{
	struct pair_ep *e = &p->ep[side];
	prepare(p, e);
	if (p->trace)
		fprintf(p->trace, "%10.6f router > %s: ICMP fragmentation needed, mtu %u, for seq %u\n", secs(p), e->name,
			mtu, seq);
	synack_ep_frag_needed(&e->e, t, seq, mtu);
	sync_records(e);
}

struct pair_conn *pair_find(struct pair *p, int side, uint16_t rport)
{
	struct pair_ep *e = &p->ep[side];
	for (int c = 0; c < PAIR_MAX_CONNS; c++) {
		struct pair_conn *pc = &e->conns[c];
		if (pc->used && (rport == 0 || pc->tuple.rport == rport))
			return pc;
	}
	return NULL;
}

int pair_connect(struct pair *p, uint16_t sport)
{
	struct pair_ep *e = &p->ep[PAIR_CLIENT];
	prepare(p, e);
	struct synack_tuple t = { e->addr, p->ep[PAIR_SERVER].addr, sport, p->ep[PAIR_SERVER].listen_port };
	if (!synack_ep_connect(&e->e, 0, &t, synack_ctab_hash(&e->e.conn_tab, &t), 0, no_mac, 0, 0))
		return -1;
	sync_records(e);
	struct pair_conn *pc = record_of(e, &t);
	return pc ? (int)(pc - e->conns) : -1;
}

/* A user call on a side's connection c, as from outside the callbacks. */
struct user_call {
	int kind;
	const void *data;
	uint32_t len;
	struct pair_conn *pc;
};

static int user_fn(struct synack_conn *c, void *arg)
{
	const struct user_call *u = arg;
	switch (u->kind) {
	case 0: {
		struct pair_conn *pc = u->pc;
		if (pc->pend_len) {
			/* Behind what waits already: kept in order. */
			if (pc->pend_off + pc->pend_len + u->len > PAIR_BUF)
				return -ENOBUFS;
			memcpy(pc->pend + pc->pend_off + pc->pend_len, u->data, u->len);
			pc->pend_len += u->len;
			return 0;
		}
		int n = synack_conn_send(c, u->data, u->len);
		if (n < 0)
			return n;
		if ((uint32_t)n < u->len) {
			if (u->len - (uint32_t)n > PAIR_BUF)
				return -ENOBUFS;
			memcpy(pc->pend, (const uint8_t *)u->data + n, u->len - (uint32_t)n);
			pc->pend_off = 0;
			pc->pend_len = u->len - (uint32_t)n;
		}
		return 0;
	}
	case 1:
		return synack_conn_close(c);
	default:
		synack_conn_abort(c);
		return 0;
	}
}

static int user(struct pair *p, int side, int c, const struct user_call *u)
{
	struct pair_ep *e = &p->ep[side];
	prepare(p, e);
	struct synack_conn *k = e->conns[c].used ? synack_ep_lookup(&e->e, &e->conns[c].tuple) : NULL;
	if (!k)
		return -ENOTCONN;
	struct user_call call = *u;
	call.pc = &e->conns[c];
	int rc = synack_ep_user(&e->e, k, user_fn, &call);
	sync_records(e);
	return rc;
}

int pair_send(struct pair *p, int side, int c, const void *data, uint32_t len)
{
	const struct user_call u = { 0, data, len, NULL };
	return user(p, side, c, &u);
}

int pair_close(struct pair *p, int side, int c)
{
	const struct user_call u = { 1, NULL, 0, NULL };
	return user(p, side, c, &u);
}

void pair_abort(struct pair *p, int side, int c)
{
	const struct user_call u = { 2, NULL, 0, NULL };
	user(p, side, c, &u);
}

/* The earliest TIME-WAIT end in a side's table, ns (0: none). */
static uint64_t tw_next(const struct pair_ep *e, uint64_t now)
{
	const struct synack_tw_table *t = &e->e.tw;
	uint64_t best = 0;
	for (uint32_t k = 0; k < t->span; k++) {
		const struct synack_tw *w = &t->ent[synack_tw_table_slot(t, t->head, k)];
		if (!w->meta)
			continue;
		uint64_t d = synack_tw_deadline_ns(w->meta, now);
		if (!best || d < best)
			best = d;
	}
	return best;
}

/* The earliest pending event (frame, timer, TIME-WAIT end); 0 if none. */
static uint64_t next_event(const struct pair *p)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < p->qn; i++)
		if (!t || p->q[i].at < t)
			t = p->q[i].at;
	for (int s = 0; s < 2; s++) {
		const struct synack_ep *e = &p->ep[s].e;
		uint64_t tick = synack_wheel_next_expiry(e->wheel);
		if (tick != UINT64_MAX) {
			uint64_t ns = tick * e->wheel->tick_ns;
			if (!t || ns < t)
				t = ns;
		}
		uint64_t tw = tw_next(&p->ep[s], p->now);
		if (tw && (!t || tw < t))
			t = tw;
		if (e->delack_n) {
			uint64_t d = (uint64_t)e->delack_q[e->delack_head].at_ms * SYNACK_NS_PER_MS;
			if (!t || d < t)
				t = d;
		}
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
		if (f.icmp) {
			pair_frag_needed(p, f.to, &f.icmp_tuple, f.icmp_seq, p->path_mtu);
			i = 0;
			continue;
		}
		struct synack_seg s;
		if (synack_parse_ipv4_tcp(f.bytes, f.len, 0, &s) != SYNACK_PARSE_OK) {
			p->parse_errors++;
			continue;
		}
		deliver(p, f.to, &s);
		i = 0;
	}
	for (int side = 0; side < 2; side++) {
		struct pair_ep *e = &p->ep[side];
		prepare(p, e);
		synack_ep_advance(&e->e, 1024);
		sync_records(e);
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

unsigned pair_pool_used(const struct pair *p, int side) { return p->ep[side].e.nconns - p->ep[side].e.nfree; }
