/* fuzz_endpoint.c: libFuzzer target over a whole per-core endpoint (lib/core/endpoint.h), the code
 * a worker runs: pool, tuple table, TIME-WAIT table, SYN-RECEIVED bound and cookies, timers, the
 * out-of-order store, delayed ACKs, keep-alives, held bytes, several connections at once. The input is the
 * same script of records as fuzz_input.c's (its seeds serve both): frames to a listener on port
 * 80 whose application echoes half of what it gets, leaves the rest unread and closes when the
 * peer does; clock steps that run the timers; user SEND, CLOSE and ABORT on a connection; and
 * active opens. After every step: no action list overflowed, every slot of the pool and the store
 * accounted for. At the end every connection is aborted and the clock runs on past every timer
 * and TIME-WAIT: the pool, the tables, the wheel, the store and the held bytes must all be empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/endpoint.h"
#include "net/parse.h"
#include "synack_app.h"

#include "fuzz_isn.h"
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCONNS 32
#define NHELD 64

static struct synack_ep ep;
struct held_rec {
	struct synack_held h;
	int used;
	uint8_t bytes[2048];
};
static struct held_rec held[NHELD];
static unsigned held_used;

static uint32_t pinned_isn(void *arg, const struct synack_tuple *t)
{
	(void)arg;
	return t->lport == 80 ? FUZZ_SERVER_ISN : FUZZ_CLIENT_ISN;
}

static void io_send(void *arg, unsigned port, struct synack_conn *c, const struct synack_seg *s, const uint8_t mac[6],
		    bool rx_ok)
{
	(void)arg, (void)port, (void)mac, (void)rx_ok;
	uint8_t payload[65536];
	if (s->len > sizeof(payload) || (s->len && !c))
		abort();
	if (s->len)
		synack_ep_stream_copy(&ep, c, s->seq, payload, s->len);
}

static struct synack_held *io_hold(void *arg, const uint8_t *p, uint32_t len)
{
	(void)arg;
	for (int i = 0; i < NHELD; i++)
		if (!held[i].used && len <= sizeof(held[i].bytes)) {
			held[i].used = 1;
			held_used++;
			memcpy(held[i].bytes, p, len);
			held[i].h.p = held[i].bytes;
			held[i].h.len = len;
			held[i].h.frame = &held[i];
			return &held[i].h;
		}
	return NULL;
}

static void io_release(void *arg, struct synack_held *h)
{
	(void)arg;
	struct held_rec *x = h->frame;
	if (!x->used)
		abort(); /* released twice */
	x->used = 0;
	held_used--;
}

static void *mem_alloc(void *arg, size_t size)
{
	(void)arg;
	return calloc(1, size ? size : 1);
}

static void mem_free(void *arg, void *p, size_t size)
{
	(void)arg, (void)size;
	free(p);
}

/* The listener's application: echoes the first half of what arrives, leaves the rest unread
 * (taken on the next sent()), closes when the peer does. */
static uint32_t app_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	uint32_t k = n / 2;
	if (k)
		synack_conn_send(c, d, k);
	return k;
}
static void app_sent(struct synack_conn *c, uint32_t n) { (void)c, (void)n; }
static void app_peer_closed(struct synack_conn *c) { synack_conn_close(c); }
static const struct synack_app app = {
	.name = "fuzz",
	.data = app_data,
	.sent = app_sent,
	.peer_closed = app_peer_closed,
	.needs_send_ring = true,
};

static int user_send(struct synack_conn *c, void *arg)
{
	static const uint8_t junk[256 * 6];
	uint32_t n = *(uint32_t *)arg;
	return synack_conn_send(c, junk, n < sizeof(junk) ? n : (uint32_t)sizeof(junk));
}
static int user_close(struct synack_conn *c, void *arg)
{
	(void)arg;
	return synack_conn_close(c);
}
static int user_abort(struct synack_conn *c, void *arg)
{
	(void)arg;
	synack_conn_abort(c);
	return 0;
}

/* The k-th connection in use, or NULL. */
static struct synack_conn *nth_conn(unsigned k)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < ep.nconns; i++) {
		struct synack_conn *c = &ep.conns[i];
		if (c->in_table && c->tcb.state != SYNACK_CLOSED && n++ == k % NCONNS)
			return c;
	}
	return NULL;
}

static void check(void)
{
	if (ep.stats.actions_overflow)
		abort();
	uint32_t used = 0, held_slots = 0;
	for (uint32_t i = 0; i < ep.nconns; i++)
		if (ep.conns[i].in_table) {
			used++;
			held_slots += synack_reass_count(&ep.reass, ep.conns[i].tcb.ooo);
		}
	if (used > ep.nconns - ep.nfree)
		abort();
	if (held_slots + synack_reass_unheld(&ep.reass) != ep.reass.nslots)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct synack_ep_cfg cfg = { .id = 0, .nconns = NCONNS, .ntw = 8, .nsbuf = NCONNS, .synrcv_max = 4,
				     .cookie_mode = 1, .ooo_slots = 24, .ooo_per_conn = 8, .delack_ms = 40,
				     .keepalive_s = 5, .keepalive_intvl_s = 2, .keepalive_probes = 2 };
	synack_tcp_cfg_default(&cfg.tcp);
	cfg.tcp.msl_ms = 1000;
	cfg.tcp.rcv_buf = 16384;
	const struct synack_ep_io io = { NULL, io_send, io_hold, io_release, NULL };
	const struct synack_ep_mem mem = { NULL, mem_alloc, mem_free };
	char err[160];
	uint64_t now = 1000ull * SYNACK_NS_PER_S;
	memset(&ep, 0, sizeof(ep));
	if (synack_ep_init(&ep, &cfg, &io, &mem, now, err, sizeof(err)) != 0)
		abort();
	ep.ctx.isn_hook = pinned_isn;
	const struct synack_listener l = { .app = &app, .port = 80, .svc = 0xff };
	synack_ep_listen(&ep, &l);
	const struct synack_load_script sc = { &app, NULL, 1 };
	synack_ep_set_scripts(&ep, &sc, 1);
	uint16_t next_port = 50000;

	size_t at = 0, len;
	uint8_t op;
	const uint8_t *rec;
	while (fuzz_next_record(data, size, &at, &op, &rec, &len)) {
		ep.now_ns = now;
		switch (op % 8) {
		case 0:
		case 1: { /* a frame, or a bare IPv4 packet */
			struct synack_pkt pkt;
			struct synack_seg seg;
			const struct synack_seg *s = fuzz_segment(op, rec, len, &pkt, &seg);
			if (s)
				synack_ep_input(&ep, 0, s, mac, NULL);
			break;
		}
		case 2:
		case 3: /* the clock moves: timers, TIME-WAIT ends, delayed ACKs */
			now += (uint64_t)(len ? rec[0] : 1) * 10 * SYNACK_NS_PER_MS;
			ep.now_ns = now;
			synack_ep_advance(&ep, 1024);
			break;
		case 4: { /* user SEND on a connection */
			struct synack_conn *c = nth_conn(len ? rec[0] : 0);
			uint32_t n = (uint32_t)(len > 1 ? rec[1] * 6u : 100u);
			if (c)
				synack_ep_user(&ep, c, user_send, &n);
			break;
		}
		case 5: { /* user CLOSE */
			struct synack_conn *c = nth_conn(len ? rec[0] : 0);
			if (c)
				synack_ep_user(&ep, c, user_close, NULL);
			break;
		}
		case 6: { /* user ABORT */
			struct synack_conn *c = nth_conn(len ? rec[0] : 0);
			if (c)
				synack_ep_user(&ep, c, user_abort, NULL);
			break;
		}
		case 7: { /* an active open to the address the frames come from */
			if (len < 6)
				break;
			struct synack_tuple t = { 0xc6120002u, (uint32_t)rec[0] << 24 | rec[1] << 16 | rec[2] << 8 | rec[3],
						  next_port++, (uint16_t)(rec[4] << 8 | rec[5]) };
			if (!t.rport || next_port < 50000)
				break;
			uint64_t h = synack_ctab_hash(&ep.conn_tab, &t);
			if (!synack_ep_tuple_busy(&ep, &t, h, true))
				synack_ep_connect(&ep, 0, &t, h, 0, mac, 0, 0);
			break;
		}
		}
		check();
	}
	/* Everything ends: aborted, then the clock past every retry, FIN-WAIT-2 limit and TIME-WAIT. */
	for (uint32_t k = 0; k < ep.nconns; k++) {
		struct synack_conn *c = &ep.conns[k];
		if (c->in_table && c->tcb.state != SYNACK_CLOSED && c->tcb.state != SYNACK_TIME_WAIT)
			synack_ep_user(&ep, c, user_abort, NULL);
	}
	for (int step = 0; step < 400; step++) {
		now += SYNACK_NS_PER_S;
		ep.now_ns = now;
		synack_ep_advance(&ep, 4096);
	}
	check();
	if (ep.nfree != ep.nconns || ep.tw.used || ep.synrcv_count || held_used || synack_reass_unheld(&ep.reass) != ep.reass.nslots || synack_wheel_count(ep.wheel) ||
	    ep.nsbuf_free != ep.nsbuf)
		abort();
	synack_ep_free(&ep);
	return 0;
}
