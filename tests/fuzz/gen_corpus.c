/* gen_corpus.c: writes the fuzzer's seed corpus from real conversations: the in-memory pair runs a
 * handshake with data and close, a lost SYN-ACK, a simultaneous close, a reset, a transfer with a
 * lost segment (data past a hole, then its retransmission) and one with lost ACKs; every segment
 * the server receives from the client becomes a record (as a full Ethernet frame and as a bare
 * IPv4 packet), one file per scenario plus one file per frame. The ISNs are pinned to the ones
 * fuzz_input.c's server uses, so that a recorded conversation goes on past its handshake there.
 * Usage: fuzz-gen-corpus DIR */
#include <stdio.h>
#include <string.h>

#include "net/build.h"
#include "pair.h"

#include "fuzz_isn.h"

static uint8_t script[65536];
static size_t script_len;
static const char *dir;
static unsigned nfile;

static void put_file(const uint8_t *b, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/seed-%03u", dir, nfile++);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(b, 1, n, f);
	fclose(f);
}

static void record(uint8_t op, const uint8_t *b, size_t n)
{
	if (script_len + 3 + n > sizeof(script))
		return;
	script[script_len++] = op;
	script[script_len++] = (uint8_t)(n >> 8);
	script[script_len++] = (uint8_t)n;
	memcpy(script + script_len, b, n);
	script_len += n;
}

static int lose_nth_data;     /* the client's n-th data segment (from 1) is lost once; 0: none */
static int data_seen;
static int lose_server_acks; /* the server's first n ACKs are lost */

static bool tap(struct pair *p, int from, const struct synack_seg *s, void *arg)
{
	(void)p;
	(void)arg;
	if (from != PAIR_CLIENT) {
		if (lose_server_acks > 0 && !s->len && (s->flags & SYNACK_TH_ACK) && !(s->flags & SYNACK_TH_SYN)) {
			lose_server_acks--;
			return true;
		}
		return false;
	}
	if (s->len && ++data_seen == lose_nth_data)
		return true;    /* lost: the server never sees it, so it is not recorded */
	static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 1 }, mac_b[6] = { 2, 0, 0, 0, 0, 2 };
	uint8_t frame[1600], payload[1600] = { 0 };
	size_t eth = synack_build_eth(frame, mac_b, mac_a, 0x0800);
	size_t n = synack_build_ipv4_tcp(frame + eth, sizeof(frame) - eth, s, payload, 0);
	if (!n)
		return false;
	record(0, frame, eth + n);
	/* A lone frame record, too: */
	uint8_t one[1603];
	one[0] = 0;
	one[1] = (uint8_t)((eth + n) >> 8);
	one[2] = (uint8_t)(eth + n);
	memcpy(one + 3, frame, eth + n);
	put_file(one, eth + n + 3);
	/* A clock step between segments, so timers can matter. */
	static const uint8_t step[1] = { 10 };
	record(3, step, 1);
	return false;
}

static struct pair P;

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-gen-corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	static uint8_t blob[12000];
	for (unsigned i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)i;
	for (int sc = 0; sc < 6; sc++) {
		script_len = 0;
		pair_init(&P, NULL);
		pair_pin_isn(&P, FUZZ_CLIENT_ISN, FUZZ_SERVER_ISN);
		P.drop = tap;
		/* The fuzzer's server sends nothing of its own: the client must not acknowledge an echo. */
		P.ep[PAIR_SERVER].echo = false;
		data_seen = 0;
		lose_nth_data = sc == 4 ? 2 : 0;
		lose_server_acks = sc == 5 ? 3 : 0;
		int c = pair_connect(&P, (uint16_t)(40000 + sc));
		pair_run(&P, SYNACK_NS_PER_S);
		if (sc == 0) {
			pair_send(&P, PAIR_CLIENT, c, "GET / HTTP/1.1\r\n\r\n", 18);
			pair_run(&P, SYNACK_NS_PER_S);
			pair_close(&P, PAIR_CLIENT, c);
		} else if (sc == 1) {
			pair_abort(&P, PAIR_CLIENT, c);
		} else if (sc == 2) {
			pair_send(&P, PAIR_CLIENT, c, "x", 1);
			static const uint8_t tmo[1] = { 0 };
			record(2, tmo, 1);
			pair_close(&P, PAIR_CLIENT, c);
		} else if (sc == 3) {
			static const uint8_t usr[4] = { 1, 2, 3, 4 };
			record(4, usr, 4);
			record(5, usr, 0);
		} else {
			pair_send(&P, PAIR_CLIENT, c, blob, sizeof(blob));
			pair_run(&P, 3 * SYNACK_NS_PER_S);
			pair_close(&P, PAIR_CLIENT, c);
		}
		pair_run(&P, 5 * SYNACK_NS_PER_S);
		put_file(script, script_len);
	}
	printf("fuzz-gen-corpus: %u seeds in %s\n", nfile, dir);
	return 0;
}
