/* pair_loss.c: synack-pair-loss, a measuring tool (not a test): one bulk transfer between two
 * endpoints on the in-memory pair (tests/common/pair.h) through a wire that loses a given share of
 * the data segments, and of the ACKs, at random (a seeded generator: the same seed, the same run).
 * Every byte is checked as it arrives. It prints the transfer's time on the pair's clock, its
 * goodput beside the same transfer without loss, and the sender's recovery counters: how loss
 * recovery behaves, free of a port's and a host's noise (docs/PERFORMANCE.md, "Loss recovery").
 *
 *   synack-pair-loss [--mb N] [--loss PCT] [--ack-loss PCT] [--reorder PCT --reorder-us N]
 *                    [--rtt-us N] [--buf BYTES] [--seed N]
 *                    [--trace FILE]   (every segment of the lossy run, as synack-demo prints them)
 *
 * --reorder holds that share of the data segments back by --reorder-us more on the wire, so that
 * those behind overtake them (reordering without loss, in the impaired run).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

struct opts {
	double mb, loss, ack_loss, reorder;
	uint32_t rtt_us, buf, seed, reorder_us;
	const char *trace;
};

struct lossy {
	double loss, ack_loss, reorder;
	uint64_t x, reorder_ns;
	unsigned lost_data, lost_acks, held_back;
};

static double next_unit(struct lossy *l)
{
	/* xorshift64*: plenty for choosing which segments the wire loses. */
	l->x ^= l->x >> 12;
	l->x ^= l->x << 25;
	l->x ^= l->x >> 27;
	return (double)((l->x * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static bool lossy_drop(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	struct lossy *l = arg;
	if (s->flags & (SYNACK_TH_SYN | SYNACK_TH_FIN | SYNACK_TH_RST))
		return false;
	if (from == PAIR_CLIENT && s->len) {
		if (next_unit(l) < l->loss) {
			l->lost_data++;
			return true;
		}
	} else if (from == PAIR_SERVER && !s->len) {
		if (next_unit(l) < l->ack_loss) {
			l->lost_acks++;
			return true;
		}
	}
	return false;
}

static uint64_t lossy_jitter(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	struct lossy *l = arg;
	if (from != PAIR_CLIENT || !s->len || l->reorder <= 0 || next_unit(l) >= l->reorder)
		return 0;
	l->held_back++;
	return l->reorder_ns;
}

static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 7 + (i >> 8) + (i >> 16) + (i >> 24)); }

struct checker {
	uint64_t checked;
	bool bad;
};

static void check_bytes(struct pair *p, int side, const uint8_t *d, uint32_t n, void *arg)
{
	(void)p;
	struct checker *k = arg;
	if (side != PAIR_SERVER)
		return;
	for (uint32_t i = 0; i < n && !k->bad; i++)
		if (d[i] != pattern(k->checked + i)) {
			fprintf(stderr, "pair-loss: byte %" PRIu64 " arrived changed\n", k->checked + i);
			k->bad = true;
		}
	k->checked += n;
}

struct result {
	double secs;
	bool ok;
	struct synack_tcp_stats st;
	unsigned lost_data, lost_acks, held_back;
};

static struct result run(const struct opts *o, double loss, double ack_loss, double reorder)
{
	static struct pair p;
	static uint8_t chunk[PAIR_BUF / 2];
	struct lossy l = { loss, ack_loss, reorder, 0x9e3779b97f4a7c15ull ^ o->seed, (uint64_t)o->reorder_us * 1000, 0, 0, 0 };
	struct result r = { 0 };
	FILE *tr = (loss > 0 || reorder > 0) && o->trace ? fopen(o->trace, "w") : NULL;
	pair_init(&p, tr);
	p.delay_ns = (uint64_t)o->rtt_us * 1000 / 2;
	pair_buffers(&p, PAIR_CLIENT, o->buf, o->buf);
	pair_buffers(&p, PAIR_SERVER, o->buf, o->buf);
	/* The engine's defaults (drivers-config/README.md): 4096 slots a core, one per KiB of the
	 * receive buffer a connection. */
	uint32_t per_conn = o->buf / 1024 < 64 ? 64 : o->buf / 1024;
	pair_ooo(&p, PAIR_SERVER, 4096, per_conn < SYNACK_REASS_CONN_MAX ? per_conn : SYNACK_REASS_CONN_MAX);
	p.ep[PAIR_SERVER].echo = false;
	p.drop = lossy_drop;
	p.jitter = lossy_jitter;
	p.drop_arg = &l;
	int c = pair_connect(&p, 40000);
	pair_run(&p, SYNACK_NS_PER_S);
	if (c < 0 || pair_state(&p, PAIR_CLIENT, c) != SYNACK_ESTABLISHED) {
		fprintf(stderr, "pair-loss: the handshake did not complete\n");
		return r;
	}
	struct checker k = { 0, false };
	p.sink = check_bytes;
	p.sink_arg = &k;
	const uint64_t total = (uint64_t)(o->mb * 1024 * 1024);
	uint64_t queued = 0, t0 = p.now;
	const uint64_t deadline = p.now + 3600ull * SYNACK_NS_PER_S;
	while (k.checked < total && !k.bad && p.now < deadline) {
		struct pair_conn *cc = &p.ep[PAIR_CLIENT].conns[c];
		if (queued < total && cc->pend_len == 0) {
			uint32_t n = (uint32_t)(total - queued < sizeof(chunk) ? total - queued : sizeof(chunk));
			for (uint32_t i = 0; i < n; i++)
				chunk[i] = pattern(queued + i);
			if (pair_send(&p, PAIR_CLIENT, c, chunk, n) != 0) {
				fprintf(stderr, "pair-loss: send failed\n");
				return r;
			}
			queued += n;
		}
		pair_run_until(&p, p.now + (uint64_t)o->rtt_us * 250);
	}
	r.ok = k.checked == total && !k.bad;
	r.secs = (double)(p.now - t0) / SYNACK_NS_PER_S;
	r.st = p.ep[PAIR_CLIENT].e.ctx.stats;
	r.lost_data = l.lost_data;
	r.lost_acks = l.lost_acks;
	r.held_back = l.held_back;
	pair_free(&p);
	if (tr)
		fclose(tr);
	return r;
}

static int usage(void)
{
	fprintf(stderr, "usage: synack-pair-loss [--mb N] [--loss PCT] [--ack-loss PCT] [--reorder PCT --reorder-us N]\n"
			"                        [--rtt-us N] [--buf BYTES] [--seed N] [--trace FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = { 16, 1, 0, 0, 200, 262144, 1, 0, NULL };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (!v)
			return usage();
		double d = strtod(v, &end);
		if (strcmp(a, "--trace") && (*end || d < 0)) {
			fprintf(stderr, "synack-pair-loss: %s: not a number: %s\n", a, v);
			return 2;
		}
		if (!strcmp(a, "--mb") && d > 0)
			o.mb = d;
		else if (!strcmp(a, "--loss") && d < 50)
			o.loss = d;
		else if (!strcmp(a, "--ack-loss") && d < 50)
			o.ack_loss = d;
		else if (!strcmp(a, "--reorder") && d < 50)
			o.reorder = d;
		else if (!strcmp(a, "--reorder-us") && d <= 1e6)
			o.reorder_us = (uint32_t)d;
		else if (!strcmp(a, "--rtt-us") && d >= 1 && d <= 1e6)
			o.rtt_us = (uint32_t)d;
		else if (!strcmp(a, "--buf") && d >= 4096 && d <= (1 << 30) && !((uint32_t)d & ((uint32_t)d - 1)))
			o.buf = (uint32_t)d;
		else if (!strcmp(a, "--seed"))
			o.seed = (uint32_t)d;
		else if (!strcmp(a, "--trace")) {
			o.trace = v;
			i++;
			continue;
		}
		else
			return usage();
		i++;
	}
	if (o.reorder > 0 && !o.reorder_us)
		return usage();
	struct result clean = run(&o, 0, 0, 0), lossy = run(&o, o.loss / 100, o.ack_loss / 100, o.reorder / 100);
	if (!clean.ok || !lossy.ok) {
		fprintf(stderr, "synack-pair-loss: the transfer did not complete\n");
		return 1;
	}
	const struct synack_tcp_stats *s = &lossy.st;
	printf("%.0f MB, RTT %u us, buffers %u B, loss %.2f %% of data, %.2f %% of ACKs, %.2f %% held back %u us "
	       "(seed %u)\n", o.mb, o.rtt_us, o.buf, o.loss, o.ack_loss, o.reorder, o.reorder_us, o.seed);
	printf("  without loss: %.3f s, %.1f MB/s\n", clean.secs, o.mb / clean.secs);
	printf("  impaired:     %.3f s, %.1f MB/s (%.2f x), %u data segments and %u ACKs lost, %u held back\n",
	       lossy.secs, o.mb / lossy.secs, clean.secs / lossy.secs, lossy.lost_data, lossy.lost_acks, lossy.held_back);
	printf("  sender: rto_data %" PRIu64 ", fast_retransmits %" PRIu64 ", sack_rtx %" PRIu64 ", rtx_data %" PRIu64
	       ", lost_rtx %" PRIu64 ", recoveries %" PRIu64 ",\n          recoveries_undone %" PRIu64
	       ", tlp_probes %" PRIu64 ", tlp_recoveries %" PRIu64 "\n",
	       (uint64_t)s->rto_data, (uint64_t)s->fast_retransmits, (uint64_t)s->sack_rtx, (uint64_t)s->rtx_data,
	       (uint64_t)s->lost_rtx, (uint64_t)s->recoveries, (uint64_t)s->recoveries_undone, (uint64_t)s->tlp_probes,
	       (uint64_t)s->tlp_recoveries);
	return 0;
}
