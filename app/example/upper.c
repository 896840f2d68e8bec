/* upper.c: synack-upper, the application API (synack_app.h) in a few lines: a line server that
 * answers each line with its upper-case copy and a running count of lines, on every worker core,
 * with no locks. Start it like synack-console (same config file and --set overrides):
 *   synack-upper --config drivers-config/tap.ini --port 7000
 * and talk to it with any TCP client, e.g. `nc 198.18.0.2 7000`. SIGINT/SIGTERM stop it.
 *
 * What to copy from it: backpressure. The answer goes into the connection's send ring, which has
 * room for what the peer has not acknowledged yet, no more. data() takes only the bytes whose
 * answer fits and returns how many it took; the stack keeps the rest (the receive window closes
 * by as much, so the peer slows down) and offers them again after sent() has freed room. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synack.h"
#include "synack_app.h"

/* The most one input byte turns into: a newline becomes " [N]\n", N up to 20 digits. */
#define MAX_OUT_PER_BYTE 24u

static uint32_t upper_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	/* The per-connection user word keeps the line count: no table, no lock. */
	uint64_t *lines = synack_conn_user(c);
	uint32_t space = synack_conn_send_space(c);
	char out[2048];
	uint32_t k = 0, i;
	for (i = 0; i < n; i++) {
		if (k + MAX_OUT_PER_BYTE > sizeof(out)) {
			/* Fits: every byte of out was counted against space before it was written. */
			synack_conn_send(c, out, k);
			k = 0;
		}
		if (space < MAX_OUT_PER_BYTE)
			break; /* no room for this byte's answer: the stack keeps it and the rest */
		uint32_t before = k;
		if (d[i] == '\n')
			k += (uint32_t)snprintf(out + k, sizeof(out) - k, " [%llu]\n", (unsigned long long)++*lines);
		else
			out[k++] = (char)toupper(d[i]);
		space -= k - before;
	}
	synack_conn_send(c, out, k);
	return i;
}

static void upper_accepted(struct synack_conn *c) { *synack_conn_user(c) = 0; }
static void upper_peer_closed(struct synack_conn *c) { synack_conn_close(c); }

static const struct synack_app upper_app = {
	.name = "upper",
	.accepted = upper_accepted,
	.data = upper_data,
	.peer_closed = upper_peer_closed,
	.needs_send_ring = true,
};

static volatile sig_atomic_t stop;
static void on_signal(int s) { stop = s; }

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "config", required_argument, NULL, 'c' },
					    { "set", required_argument, NULL, 's' },
					    { "port", required_argument, NULL, 'p' },
					    { NULL, 0, NULL, 0 } };
	const char *sets[16] = { NULL };
	unsigned nsets = 0;
	struct synack_start_opts o = { 0 };
	unsigned long port = 7000;
	int opt;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (opt == 'c')
			o.config_path = optarg;
		else if (opt == 's' && nsets < 15)
			sets[nsets++] = optarg;
		else if (opt == 'p' && (port = strtoul(optarg, NULL, 10)) > 0 && port < 65536)
			continue;
		else {
			fprintf(stderr, "usage: synack-upper --config FILE [--set KEY=VALUE]... [--port N]\n");
			return 2;
		}
	}
	if (!o.config_path) {
		fprintf(stderr, "synack-upper: --config FILE is required\n");
		return 2;
	}
	o.sets = sets;
	char err[512];
	struct synack_engine *e = synack_engine_start(&o, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "synack-upper: %s\n", err);
		return 1;
	}
	int rc = synack_listen_app(e, (uint16_t)port, &upper_app, NULL);
	printf("synack-upper: %s on port %lu\n", rc ? strerror(-rc) : "listening", port);
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && !rc)
		usleep(100 * 1000);
	/* What the engine counted, read lock-free from the control thread. */
	struct synack_core_stats st;
	synack_stats_total(e, &st);
	printf("synack-upper: counters\nconns_closed %llu\nrx_held %llu\n", (unsigned long long)st.conns_closed,
	       (unsigned long long)st.rx_held);
	synack_engine_stop(e);
	return rc ? 1 : 0;
}
