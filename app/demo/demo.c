/* demo.c: synack-demo, the protocol core on show. An in-memory client core and server core (no NIC,
 * no DPDK) go through the behaviours of TRACES.md: the three-way handshake, data, the active and
 * passive closes, a lost SYN, a lost SYN-ACK, simultaneous close and RFC 6528 ISNs; every segment
 * and every state change is printed as it happens, timed by the fake clock. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"
#include "tcp/isn.h"

static bool drop_first_n(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	int *spec = arg; /* spec[0] = side, spec[1] = flags to match, spec[2] = how many to lose */
	if (from == spec[0] && (s->flags & (SYNACK_TH_SYN | SYNACK_TH_ACK)) == spec[1] && spec[2] > 0) {
		spec[2]--;
		return true;
	}
	return false;
}

static void title(const char *t, const char *rfc)
{
	printf("\n=== %s (%s) ===\n", t, rfc);
}

static int check(bool ok, const char *what)
{
	printf("  %s %s\n", ok ? "[ok]  " : "[FAIL]", what);
	return ok ? 0 : 1;
}

static struct pair P;

int main(int argc, char **argv)
{
	uint32_t msl_s = 60;
	int opt;
	static const struct option lo[] = { { "msl", required_argument, NULL, 'm' },
					    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	while ((opt = getopt_long(argc, argv, "m:h", lo, NULL)) != -1) {
		if (opt == 'm') {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v == 0 || v > 3600) {
				fprintf(stderr, "synack-demo: --msl: expected seconds in 1..3600, got '%s'\n", optarg);
				return 2;
			}
			msl_s = (uint32_t)v;
		} else {
			fprintf(stderr, "usage: synack-demo [--msl SECONDS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	int fails = 0;
	struct pair *p = &P;
	const char req[] = "GET / HTTP/1.1\r\nHost: 198.18.0.2\r\nUser-Agent: synack-demo\r\n\r\n";

	title("Three-way handshake, a request echoed, active close by the client", "RFC 9293 §3.5, §3.6");
	pair_init(p, stdout);
	for (int i = 0; i < 2; i++)
		p->ep[i].e.ctx.cfg.msl_ms = msl_s * 1000;
	int c = pair_connect(p, 40000);
	pair_run(p, SYNACK_NS_PER_S);
	struct pair_conn *cc = &p->ep[PAIR_CLIENT].conns[c];
	uint32_t x = cc->tcb.iss;
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 40000);
	uint32_t y = sc ? sc->tcb.iss : 0;
	fails += check(p->log[1].seg.ack == x + 1, "the SYN-ACK acknowledges X+1 (the SYN consumed one number)");
	fails += check(p->log[2].seg.seq == x + 1 && p->log[2].seg.ack == y + 1, "the ACK carries seq X+1, ack Y+1");
	pair_send(p, PAIR_CLIENT, c, req, (uint32_t)strlen(req));
	fails += check(p->log[p->nlog - 1].seg.seq == x + 1, "the first data byte carries seq X+1");
	pair_run(p, SYNACK_NS_PER_S);
	fails += check(cc->rcv_len == strlen(req) && !memcmp(cc->rcv, req, strlen(req)), "the echo came back intact");
	uint64_t t0 = p->now;
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, SYNACK_NS_PER_S);
	fails += check(pair_state(p, PAIR_CLIENT, c) == SYNACK_TIME_WAIT, "the client holds TIME-WAIT");
	uint64_t tw = cc->state_time[cc->nstates - 1];
	printf("  ... waiting 2×MSL = %u s ...\n", 2 * msl_s);
	pair_run(p, 2ull * msl_s * SYNACK_NS_PER_S + SYNACK_NS_PER_S);
	fails += check(pair_state(p, PAIR_CLIENT, c) == SYNACK_CLOSED &&
			       pair_tw_ok(cc->state_time[cc->nstates - 1] - tw, 2ull * msl_s * SYNACK_NS_PER_S),
		       "TIME-WAIT ends 2×MSL after it began (never early; its table's clock ticks 1.05 ms)");
	(void)t0;

	title("A lost SYN: retried at 1 s, 3 s, 7 s ... then a timeout", "RFC 6298 §5.5, RFC 9293 §3.8.1");
	pair_init(p, stdout);
	int spec[3] = { PAIR_CLIENT, SYNACK_TH_SYN, 100 };
	p->drop = drop_first_n;
	p->drop_arg = spec;
	c = pair_connect(p, 40001);
	pair_run(p, 300 * SYNACK_NS_PER_S);
	fails += check(p->ep[PAIR_CLIENT].closed_count[SYNACK_CLOSE_TIMEOUT] == 1, "the client gives up with a timeout");
	fails += check(pair_used(p, PAIR_SERVER) == 0, "nothing was allocated on the server");

	title("A lost SYN-ACK: the server retries, the duplicate is harmless", "RFC 9293 §3.5");
	pair_init(p, stdout);
	int spec2[3] = { PAIR_SERVER, SYNACK_TH_SYN | SYNACK_TH_ACK, 1 };
	p->drop = drop_first_n;
	p->drop_arg = spec2;
	c = pair_connect(p, 40002);
	pair_run(p, 10 * SYNACK_NS_PER_S);
	fails += check(pair_state(p, PAIR_CLIENT, c) == SYNACK_ESTABLISHED, "both sides reach ESTABLISHED");

	title("Passive close: a server that never closes stays in CLOSE-WAIT", "RFC 9293 §3.6");
	pair_init(p, stdout);
	p->ep[PAIR_SERVER].close_on_fin = false;
	c = pair_connect(p, 40003);
	pair_run(p, SYNACK_NS_PER_S);
	pair_close(p, PAIR_CLIENT, c);
	pair_run(p, 30 * SYNACK_NS_PER_S);
	sc = pair_find(p, PAIR_SERVER, 40003);
	fails += check(sc && sc->tcb.state == SYNACK_CLOSE_WAIT, "the server sits in CLOSE-WAIT (the socket leak)");
	printf("  ... the application closes at last ...\n");
	pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns));
	pair_run(p, SYNACK_NS_PER_S);
	fails += check(!sc->used && sc->closed_reason == SYNACK_CLOSE_NORMAL, "LAST-ACK -> CLOSED");

	title("Simultaneous close through CLOSING", "RFC 9293 §3.6 case 2");
	pair_init(p, stdout);
	p->ep[PAIR_SERVER].close_on_fin = false;
	c = pair_connect(p, 40004);
	pair_run(p, SYNACK_NS_PER_S);
	sc = pair_find(p, PAIR_SERVER, 40004);
	pair_close(p, PAIR_CLIENT, c);
	pair_close(p, PAIR_SERVER, (int)(sc - p->ep[PAIR_SERVER].conns));
	pair_run(p, SYNACK_NS_PER_S);
	fails += check(pair_state(p, PAIR_CLIENT, c) == SYNACK_TIME_WAIT && sc->tcb.state == SYNACK_TIME_WAIT,
		       "both sides pass CLOSING into TIME-WAIT");

	title("RFC 6528 initial sequence numbers", "ISN = M + F(tuple, secret), M ticks every 4 us");
	uint8_t secret[16];
	if (synack_isn_secret_init(secret) != 0) {
		fprintf(stderr, "synack-demo: getrandom failed\n");
		return 1;
	}
	struct synack_isn_key key;
	synack_isn_key_init(&key, secret, false);
	printf("  F: %s\n", key.aes ? "AES-128 (AES-NI)" : "SipHash-2-4");
	struct synack_tuple t = { 0xc6120001u, 0xc6120002u, 40000, 80 };
	uint64_t now = 5 * SYNACK_NS_PER_S;
	uint32_t a = synack_isn(&key, &t, now), b = synack_isn(&key, &t, now + SYNACK_NS_PER_S);
	printf("  tuple 198.18.0.1:40000 -> 198.18.0.2:80 at t:       %u\n", a);
	printf("  the same tuple 1 s later:                           %u (+%u = 1 s / 4 us)\n", b, b - a);
	t.lport = 40001;
	printf("  198.18.0.1:40001 -> 198.18.0.2:80 at t:             %u (unrelated)\n", synack_isn(&key, &t, now));
	fails += check(b - a == 250000, "one second later the ISN is larger by 250,000 ticks");

	printf("\n%s\n", fails ? "synack-demo: some behaviour did not hold" : "synack-demo: every trace held");
	return fails ? 1 : 0;
}
