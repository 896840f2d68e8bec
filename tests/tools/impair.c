/* impair.c: synack-impair, a link emulator for the integration tests (this kernel has no netem):
 * it bridges pairs of interfaces at layer 2 from inside a router namespace, and on the way delays
 * every frame, holds some back further (reordering), sends some twice (duplication) and loses some,
 * at random from a seeded generator, in both directions. The tests run synack and Linux through
 * the same pairs one after the other and compare what each made of the same link.
 *
 *   synack-impair --pair IF_A,IF_B [--pair ...] [--delay-us N] [--loss PCT] [--dup PCT]
 *                 [--reorder PCT --reorder-us N] [--data-only] [--seed N] [--duration S]
 *
 * Frames are read from AF_PACKET sockets (one per interface, its own transmissions ignored) and
 * written to the pair's other interface when their time comes: each direction keeps a normal lane
 * (delay) and a slow lane (delay + reorder-us); the earlier head goes first. --data-only limits
 * loss, duplication and reordering to IPv4 TCP segments that carry data (as t26's filter does);
 * otherwise every frame may be hit, as with netem. Counters go to stdout on SIGTERM/SIGINT or at
 * the end of --duration. Runs on bounded memory: a frame that finds its lane full is dropped and
 * counted as "overflow". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 4
#define FRAME_MAX 2048u
#define LANE_SLOTS 16384u /* a power of two; 20 ms of 800k frames/s would need more than we see */
#define BATCH 64

struct frame {
	uint64_t due_ns;
	uint16_t len;
	uint8_t data[FRAME_MAX];
};

struct lane {
	struct frame *f;
	uint32_t head, tail; /* tail - head frames waiting, in due order */
};

struct dir {
	int in, out;       /* sockets */
	struct lane lane[2];
	uint64_t rx, tx, lost, duped, reordered, overflow, tx_err;
};

struct opts {
	uint64_t delay_ns, reorder_ns;
	double loss, dup, reorder;
	int data_only;
	uint64_t seed;
	double duration;
};

static volatile sig_atomic_t stop;
static uint64_t rng;

static void on_signal(int s) { (void)s; stop = 1; }

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double unit(void)
{
	/* xorshift64*: a seeded stream, so that a run can be repeated. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static int die(const char *what, const char *arg)
{
	fprintf(stderr, "synack-impair: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int open_if(const char *name)
{
	unsigned idx = if_nametoindex(name);
	if (!idx)
		return -1;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	int one = 1;
	/* What we write out of an interface must not come back to us as read from it. */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0)
		goto fail;
	struct packet_mreq mr = { .mr_ifindex = (int)idx, .mr_type = PACKET_MR_PROMISC };
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0)
		goto fail;
	int buf = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* An IPv4 TCP segment with data: what --data-only lets the dice touch. */
static int tcp_data(const uint8_t *p, unsigned len)
{
	if (len < 14 + 20 + 20 || p[12] != 0x08 || p[13] != 0x00)
		return 0;
	const uint8_t *ip = p + 14;
	unsigned ihl = (ip[0] & 0xfu) * 4u, tot = (unsigned)ip[2] << 8 | ip[3];
	if (ip[9] != IPPROTO_TCP || ihl < 20 || 14u + ihl + 20u > len || tot > len - 14u)
		return 0;
	unsigned doff = (ip[ihl + 12] >> 4) * 4u;
	return tot > ihl + doff;
}

static int lane_put(struct lane *l, const uint8_t *p, unsigned len, uint64_t due)
{
	if (l->tail - l->head == LANE_SLOTS)
		return -1;
	struct frame *f = &l->f[l->tail & (LANE_SLOTS - 1)];
	f->due_ns = due;
	f->len = (uint16_t)len;
	memcpy(f->data, p, len);
	l->tail++;
	return 0;
}

static void take(struct dir *d, const struct opts *o, const uint8_t *p, unsigned len, uint64_t t)
{
	d->rx++;
	int hit = !o->data_only || tcp_data(p, len);
	if (hit && o->loss > 0 && unit() < o->loss) {
		d->lost++;
		return;
	}
	int slow = hit && o->reorder > 0 && unit() < o->reorder;
	struct lane *l = &d->lane[slow];
	if (lane_put(l, p, len, t + o->delay_ns + (slow ? o->reorder_ns : 0)) != 0) {
		d->overflow++;
		return;
	}
	d->reordered += (uint64_t)slow;
	if (hit && o->dup > 0 && unit() < o->dup) {
		if (lane_put(&d->lane[0], p, len, t + o->delay_ns) == 0)
			d->duped++;
		else
			d->overflow++;
	}
}

/* Sends what is due; returns the next due time (UINT64_MAX: nothing waits). */
static uint64_t release(struct dir *d, uint64_t t)
{
	for (;;) {
		struct lane *a = &d->lane[0], *b = &d->lane[1];
		struct frame *fa = a->head != a->tail ? &a->f[a->head & (LANE_SLOTS - 1)] : NULL;
		struct frame *fb = b->head != b->tail ? &b->f[b->head & (LANE_SLOTS - 1)] : NULL;
		struct lane *l = fa && (!fb || fa->due_ns <= fb->due_ns) ? a : fb ? b : NULL;
		if (!l)
			return UINT64_MAX;
		struct frame *f = l == a ? fa : fb;
		if (f->due_ns > t)
			return f->due_ns;
		if (send(d->out, f->data, f->len, MSG_DONTWAIT) == (ssize_t)f->len) {
			d->tx++;
		} else if (errno == EAGAIN || errno == ENOBUFS) {
			return t + 20000; /* the interface's queue is full: try again shortly */
		} else {
			d->tx_err++;
		}
		l->head++;
	}
}

static int pct(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 100)
		return -1;
	*out = v / 100.0;
	return 0;
}

static int num(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .seed = 1 };
	char pairs[MAX_PAIRS][2][IF_NAMESIZE];
	unsigned np = 0;
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;
		if (!strcmp(k, "--data-only")) {
			o.data_only = 1;
			continue;
		}
		if (!strcmp(k, "--help")) {
			printf("usage: synack-impair --pair IF_A,IF_B [--pair ...] [--delay-us N] [--loss PCT] [--dup PCT]\n"
			       "                     [--reorder PCT --reorder-us N] [--data-only] [--seed N] [--duration S]\n");
			return 0;
		}
		if (!v)
			return die("missing value for", k);
		i++;
		if (!strcmp(k, "--pair")) {
			const char *c = strchr(v, ',');
			if (np == MAX_PAIRS || !c || c == v || !c[1] || (size_t)(c - v) >= IF_NAMESIZE ||
			    strlen(c + 1) >= IF_NAMESIZE)
				return die("--pair takes IF_A,IF_B (at most 4 pairs)", v);
			memcpy(pairs[np][0], v, (size_t)(c - v));
			pairs[np][0][c - v] = '\0';
			strcpy(pairs[np][1], c + 1);
			np++;
		} else if (!strcmp(k, "--delay-us") && num(v, &n) == 0 && n <= 10000000) {
			o.delay_ns = n * 1000;
		} else if (!strcmp(k, "--reorder-us") && num(v, &n) == 0 && n <= 10000000) {
			o.reorder_ns = n * 1000;
		} else if (!strcmp(k, "--seed") && num(v, &n) == 0) {
			o.seed = n ? n : 1;
		} else if (!strcmp(k, "--duration") && num(v, &n) == 0) {
			o.duration = (double)n;
		} else if (!strcmp(k, "--loss") && pct(v, &o.loss) == 0) {
		} else if (!strcmp(k, "--dup") && pct(v, &o.dup) == 0) {
		} else if (!strcmp(k, "--reorder") && pct(v, &o.reorder) == 0) {
		} else {
			fprintf(stderr, "synack-impair: bad option or value: %s %s\n", k, v);
			return 2;
		}
	}
	if (!np)
		return die("at least one --pair IF_A,IF_B", NULL);
	if (o.reorder > 0 && !o.reorder_ns)
		return die("--reorder needs --reorder-us", NULL);
	rng = o.seed * 0x9e3779b97f4a7c15ull;
	struct dir d[2 * MAX_PAIRS];
	memset(d, 0, sizeof(d));
	for (unsigned i = 0; i < np; i++) {
		int a = open_if(pairs[i][0]), b = open_if(pairs[i][1]);
		if (a < 0 || b < 0)
			return die("cannot open an interface of the pair (root, and names as ip link shows them)",
				   a < 0 ? pairs[i][0] : pairs[i][1]);
		d[2 * i].in = a;
		d[2 * i].out = b;
		d[2 * i + 1].in = b;
		d[2 * i + 1].out = a;
	}
	unsigned nd = 2 * np;
	for (unsigned i = 0; i < nd; i++)
		for (int k = 0; k < 2; k++) {
			d[i].lane[k].f = malloc(sizeof(struct frame) * LANE_SLOTS);
			if (!d[i].lane[k].f)
				return die("out of memory", NULL);
		}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("synack-impair: %u pair(s), delay %llu us, loss %.2f %%, dup %.2f %%, reorder %.2f %% by %llu us%s\n",
	       np, (unsigned long long)(o.delay_ns / 1000), o.loss * 100, o.dup * 100, o.reorder * 100,
	       (unsigned long long)(o.reorder_ns / 1000), o.data_only ? ", data segments only" : "");
	fflush(stdout);
	uint64_t t0 = now_ns(), end = o.duration > 0 ? t0 + (uint64_t)(o.duration * 1e9) : UINT64_MAX;
	struct pollfd pfd[2 * MAX_PAIRS];
	static uint8_t buf[BATCH][FRAME_MAX];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	while (!stop) {
		uint64_t t = now_ns();
		if (t >= end)
			break;
		uint64_t next = end;
		for (unsigned i = 0; i < nd; i++) {
			uint64_t n = release(&d[i], t);
			if (n < next)
				next = n;
		}
		for (unsigned i = 0; i < nd; i++) {
			pfd[i].fd = d[i].in;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		struct timespec ts = { 0, 0 };
		uint64_t wait = next > t ? next - t : 0;
		if (wait > 100000000ull)
			wait = 100000000ull;
		ts.tv_sec = (time_t)(wait / 1000000000ull);
		ts.tv_nsec = (long)(wait % 1000000000ull);
		if (ppoll(pfd, nd, &ts, NULL) < 0 && errno != EINTR)
			return die("poll", strerror(errno));
		t = now_ns();
		for (unsigned i = 0; i < nd; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (int k = 0; k < BATCH; k++) {
				iov[k].iov_base = buf[k];
				iov[k].iov_len = FRAME_MAX;
				memset(&msg[k].msg_hdr, 0, sizeof(msg[k].msg_hdr));
				msg[k].msg_hdr.msg_iov = &iov[k];
				msg[k].msg_hdr.msg_iovlen = 1;
			}
			int n = recvmmsg(d[i].in, msg, BATCH, MSG_DONTWAIT, NULL);
			for (int k = 0; k < n; k++) {
				/* A frame longer than the buffer (offloads left on) cannot be passed on whole. */
				if (msg[k].msg_hdr.msg_flags & MSG_TRUNC) {
					d[i].tx_err++;
					continue;
				}
				take(&d[i], &o, buf[k], msg[k].msg_len, t);
			}
		}
	}
	for (unsigned i = 0; i < nd; i++)
		printf("%s -> %s: rx %llu tx %llu lost %llu duplicated %llu reordered %llu overflow %llu errors %llu\n",
		       pairs[i / 2][i & 1], pairs[i / 2][!(i & 1)], (unsigned long long)d[i].rx,
		       (unsigned long long)d[i].tx, (unsigned long long)d[i].lost, (unsigned long long)d[i].duped,
		       (unsigned long long)d[i].reordered, (unsigned long long)d[i].overflow,
		       (unsigned long long)d[i].tx_err);
	return 0;
}
