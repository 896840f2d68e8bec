/* linux_bench.c: linux-bench, the Linux-kernel side of synack-bench. synack's figures mean little
 * without the kernel's on the same machine in the same run, so synack-bench (bench_linux.c) starts
 * this program twice, as an epoll server and an epoll client, and runs the same three workloads
 * through the Linux TCP stack on loopback:
 *   handshake  SYN, SYN-ACK, ACK, then the client's RST (SO_LINGER 0)
 *   close      handshake, then the client's FIN (it holds TIME-WAIT), the server's FIN at EOF
 *   request    handshake, a request, a response, then the server's FIN (it closes first, as an
 *              HTTP/1.0 server does, and holds TIME-WAIT) and the client's at EOF
 * The client keeps a fixed number of connections in flight and measures connect latency (connect()
 * to writable) into lib/core/histogram.h's histogram, so its JSON merges with synack's. Plain libc
 * and epoll, one thread each: this is what a careful Linux program does, nothing tuned by sysctl. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/histogram.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 /* linux/in.h; older libc headers lack it */
#endif

#define LB_NS 1000000000ull
#define LB_DRAIN_NS (5 * LB_NS)          /* how long the client waits for those in flight at the end */
#define LB_SERVER_SLACK_S 10.0           /* the server outlives the load by this much at most */
#define LB_COUNT_CAP_S 300.0             /* --count without --duration still ends */
#define LB_MAX_DURATION_S 3600.0
#define LB_MAX_SIZE 65536u
#define LB_EVENTS 512
#define LB_ACCEPT_BATCH 1024             /* accepts per wakeup, so established connections get served too */
#define LB_LISTEN_TAG UINT64_MAX         /* epoll data of the listening socket */

enum lb_wl { LB_HANDSHAKE = 0, LB_CLOSE, LB_REQUEST, LB_WL_COUNT };
static const char *const lb_wl_names[LB_WL_COUNT] = { "handshake", "close", "request" };

struct lb_opts {
	bool server;
	enum lb_wl wl;
	bool wl_set;
	struct in_addr addr;             /* server: listen address; client: destination */
	bool addr_set;
	uint16_t port;
	int cpu;                         /* -1: not pinned */
	double duration_s;
	bool duration_set;
	uint64_t count;                  /* client: 0 = run for the duration */
	unsigned src_ips;
	bool src_ips_set;
	unsigned conc;
	unsigned req_size, resp_size;
	bool json;
};

static volatile sig_atomic_t lb_stop;

static void lb_on_signal(int sig)
{
	(void)sig;
	lb_stop = 1;
}

static uint64_t lb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LB_NS + (uint64_t)ts.tv_nsec;
}

static double lb_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void lb_usage(FILE *f)
{
	fprintf(f,
		"usage: linux-bench server --workload handshake|close|request --addr A --port P [--cpu N]\n"
		"                          [--duration S] [--req-size B] [--resp-size B]\n"
		"       linux-bench client --workload handshake|close|request --dst A:P [--src-ips K]\n"
		"                          [--concurrency N] [--duration S | --count N] [--cpu N]\n"
		"                          [--req-size B] [--resp-size B] [--json]\n"
		"Addresses: 127.0.0.0/8 or 198.18.0.0/15 only. Defaults: --duration 5, --concurrency 256,\n"
		"--src-ips 128, sizes 64. The server stops at --duration + %.0f s, or on SIGTERM/SIGINT.\n",
		LB_SERVER_SLACK_S);
}

/* Bad arguments: one line, exit code 2 (synack-bench and scripts tell these from run failures). */
__attribute__((format(printf, 1, 2), noreturn)) static void lb_bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("linux-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* A failure of the run itself (no resources, no socket): one line, exit code 1. */
__attribute__((format(printf, 1, 2), noreturn)) static void lb_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("linux-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t lb_parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		lb_bad("%s: '%s' is not a number", opt, s);
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		lb_bad("%s: '%s': expected %" PRIu64 "..%" PRIu64, opt, s, lo, hi);
	return v;
}

static double lb_parse_seconds(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > LB_MAX_DURATION_S)
		lb_bad("%s: '%s': expected seconds, more than 0 and at most %.0f", opt, s, LB_MAX_DURATION_S);
	return v;
}

/* The project's network rule: loopback, or the benchmark range in namespaces the tests create. */
static struct in_addr lb_parse_addr(const char *opt, const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		lb_bad("%s: '%s' is not an IPv4 address", opt, s);
	uint32_t h = ntohl(a.s_addr);
	if ((h >> 24) != 127 && (h >> 17) != (0xc612u >> 1))
		lb_bad("%s: %s: only 127.0.0.0/8 and 198.18.0.0/15 are allowed", opt, s);
	return a;
}

static void lb_parse(int argc, char **argv, struct lb_opts *o)
{
	enum { O_WL = 1, O_ADDR, O_PORT, O_CPU, O_DUR, O_RESP, O_REQ, O_DST, O_SRCS, O_CONC, O_COUNT, O_JSON, O_HELP };
	static const struct option lo[] = {
		{ "workload", required_argument, NULL, O_WL },  { "addr", required_argument, NULL, O_ADDR },
		{ "port", required_argument, NULL, O_PORT },    { "cpu", required_argument, NULL, O_CPU },
		{ "duration", required_argument, NULL, O_DUR }, { "resp-size", required_argument, NULL, O_RESP },
		{ "req-size", required_argument, NULL, O_REQ }, { "dst", required_argument, NULL, O_DST },
		{ "src-ips", required_argument, NULL, O_SRCS }, { "concurrency", required_argument, NULL, O_CONC },
		{ "count", required_argument, NULL, O_COUNT },  { "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },          { NULL, 0, NULL, 0 },
	};
	*o = (struct lb_opts){ .cpu = -1, .duration_s = 5, .src_ips = 128, .conc = 256, .req_size = 64, .resp_size = 64 };
	if (argc < 2)
		lb_bad("expected a role: server or client (--help for usage)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		lb_usage(stdout);
		exit(0);
	}
	if (!strcmp(argv[1], "server"))
		o->server = true;
	else if (strcmp(argv[1], "client"))
		lb_bad("'%s': expected a role, server or client", argv[1]);
	const char *role = argv[1];
	opterr = 0; /* our own one-line messages */
	optind = 1;
	int c;
	char **sub = argv + 1; /* the role takes the place of the program name */
	while ((c = getopt_long(argc - 1, sub, "", lo, NULL)) != -1) {
		const char *name = NULL;
		for (const struct option *p = lo; p->name; p++)
			if (p->val == c)
				name = p->name;
		/* Options of the other role are mistakes, not silently ignored settings. */
		bool srv_only = c == O_ADDR || c == O_PORT;
		bool cli_only = c == O_DST || c == O_SRCS || c == O_CONC || c == O_COUNT || c == O_JSON;
		if ((srv_only && !o->server) || (cli_only && o->server))
			lb_bad("--%s is not an option of the %s", name, role);
		switch (c) {
		case O_WL:
			for (unsigned w = 0; w < LB_WL_COUNT; w++)
				if (!strcmp(optarg, lb_wl_names[w])) {
					o->wl = (enum lb_wl)w;
					o->wl_set = true;
				}
			if (!o->wl_set)
				lb_bad("--workload: '%s': expected handshake, close or request", optarg);
			break;
		case O_ADDR:
			o->addr = lb_parse_addr("--addr", optarg);
			o->addr_set = true;
			break;
		case O_PORT:
			o->port = (uint16_t)lb_parse_u64("--port", optarg, 1, 65535);
			break;
		case O_DST: {
			char buf[64];
			const char *colon = strrchr(optarg, ':');
			if (!colon || (size_t)(colon - optarg) >= sizeof(buf))
				lb_bad("--dst: '%s': expected ADDRESS:PORT", optarg);
			memcpy(buf, optarg, (size_t)(colon - optarg));
			buf[colon - optarg] = 0;
			o->addr = lb_parse_addr("--dst", buf);
			o->port = (uint16_t)lb_parse_u64("--dst port", colon + 1, 1, 65535);
			o->addr_set = true;
			break;
		}
		case O_CPU:
			o->cpu = (int)lb_parse_u64("--cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case O_DUR:
			o->duration_s = lb_parse_seconds("--duration", optarg);
			o->duration_set = true;
			break;
		case O_RESP:
			o->resp_size = (unsigned)lb_parse_u64("--resp-size", optarg, 1, LB_MAX_SIZE);
			break;
		case O_REQ:
			o->req_size = (unsigned)lb_parse_u64("--req-size", optarg, 1, LB_MAX_SIZE);
			break;
		case O_SRCS:
			/* 127.0.0.2 .. 127.0.0.254 */
			o->src_ips = (unsigned)lb_parse_u64("--src-ips", optarg, 1, 253);
			o->src_ips_set = true;
			break;
		case O_CONC:
			o->conc = (unsigned)lb_parse_u64("--concurrency", optarg, 1, 1000000);
			break;
		case O_COUNT:
			o->count = lb_parse_u64("--count", optarg, 1, UINT64_MAX / 2);
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_HELP:
			lb_usage(stdout);
			exit(0);
		default:
			for (const struct option *p = lo; p->name && optopt; p++)
				if (p->val == optopt)
					lb_bad("--%s needs a value", p->name);
			lb_bad("%s: not an option of linux-bench", sub[optind - 1]);
		}
	}
	if (optind < argc - 1)
		lb_bad("'%s': unexpected argument", sub[optind]);
	if (!o->wl_set)
		lb_bad("--workload is required (handshake, close or request)");
	if (o->server && (!o->addr_set || !o->port))
		lb_bad("the server needs --addr and --port");
	if (!o->server && !o->addr_set)
		lb_bad("the client needs --dst ADDRESS:PORT");
	/* The spread binds loopback sources, which route only to a loopback destination. */
	if (!o->server && !o->src_ips_set && (ntohl(o->addr.s_addr) >> 24) != 127)
		o->src_ips = 1;
	if (!o->server && o->src_ips > 1 && (ntohl(o->addr.s_addr) >> 24) != 127)
		lb_bad("--src-ips %u spreads over 127.0.0.x sources: the destination must be loopback "
		       "(use --src-ips 1)", o->src_ips);
}

/* Descriptors for `want` sockets: the soft limit raised towards the hard one (no privilege
 * needed). Returns the limit now in force; fewer than `need` is fatal. */
static rlim_t lb_raise_nofile(rlim_t want, rlim_t need)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		lb_die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			lb_die("setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)rl.rlim_cur, strerror(errno));
	}
	if (rl.rlim_cur < need)
		lb_die("%llu descriptors are needed but the hard limit is %llu: lower --concurrency",
		       (unsigned long long)need, (unsigned long long)rl.rlim_max);
	return rl.rlim_cur;
}

static void lb_pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		lb_die("--cpu %d: sched_setaffinity: %s", cpu, strerror(errno));
}

static void lb_signals(void)
{
	/* No SA_RESTART: epoll_wait returns EINTR and the loop sees lb_stop at once. */
	struct sigaction sa = { .sa_handler = lb_on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a write to a reset socket is an error to count, not a death */
}

static int lb_epoll_ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, op, fd, &ev);
}

/* epoll data: the generation in the high half, so an event can never be taken for a newer
 * connection that reused the slot or descriptor. */
static uint64_t lb_tag(uint32_t idx, uint32_t gen)
{
	return (uint64_t)gen << 32 | idx;
}

static uint8_t lb_buf[LB_MAX_SIZE];

/* ---------------------------------------------------------------------------------------------
 * Server: accept4 on a non-blocking listener; per connection, what the workload asks. Connections
 * are indexed by descriptor (the kernel hands out the lowest free one, so the table stays dense). */

enum { S_FREE = 0, S_READ_REQ, S_WRITE, S_WAIT_EOF };

struct lb_sconn {
	uint32_t gen;
	uint8_t state;
	uint32_t done;                   /* bytes of the request read, or of the response written */
};

struct lb_server {
	const struct lb_opts *o;
	int ep, lfd;
	struct lb_sconn *c;
	size_t nc;
	uint64_t accepted, eof, errors, accept_errors;
};

static void lb_s_close(struct lb_server *s, int fd)
{
	s->c[fd].state = S_FREE;
	s->c[fd].gen++;
	close(fd); /* leaves the epoll set with it: the descriptor is never dup'ed */
}

static void lb_s_accept(struct lb_server *s)
{
	for (unsigned k = 0; k < LB_ACCEPT_BATCH; k++) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* EMFILE and the like: count it and try again at the next wakeup */
			if (!s->accept_errors++)
				fprintf(stderr, "linux server: accept4: %s\n", strerror(errno));
			return;
		}
		s->accepted++;
		if (s->o->wl == LB_HANDSHAKE || (size_t)fd >= s->nc) {
			/* handshake: nothing to do but let go (the client's RST is usually in already) */
			if ((size_t)fd >= s->nc)
				s->errors++;
			close(fd);
			continue;
		}
		struct lb_sconn *c = &s->c[fd];
		c->state = s->o->wl == LB_REQUEST ? S_READ_REQ : S_WAIT_EOF;
		c->done = 0;
		if (lb_epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, EPOLLIN, lb_tag((uint32_t)fd, c->gen))) {
			s->errors++;
			lb_s_close(s, fd);
		}
	}
}

static void lb_s_write(struct lb_server *s, int fd)
{
	struct lb_sconn *c = &s->c[fd];
	ssize_t n = write(fd, lb_buf, s->o->resp_size - c->done);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		s->errors++;
		lb_s_close(s, fd);
		return;
	}
	if (n > 0)
		c->done += (uint32_t)n;
	if (c->done >= s->o->resp_size) {
		/* the whole response is queued: close now, as an HTTP/1.0 server does (its FIN follows
		 * the response; this side holds TIME-WAIT) */
		s->eof++;
		lb_s_close(s, fd);
	} else if (c->state != S_WRITE) {
		/* the socket buffer is full: finish when it drains */
		c->state = S_WRITE;
		lb_epoll_ctl(s->ep, EPOLL_CTL_MOD, fd, EPOLLOUT, lb_tag((uint32_t)fd, c->gen));
	}
}

static void lb_s_event(struct lb_server *s, int fd)
{
	struct lb_sconn *c = &s->c[fd];
	if (c->state == S_WRITE) {
		lb_s_write(s, fd);
		return;
	}
	size_t want = c->state == S_READ_REQ ? s->o->req_size - c->done : sizeof(lb_buf);
	ssize_t n = read(fd, lb_buf, want);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		s->errors++; /* ECONNRESET and the like */
		lb_s_close(s, fd);
		return;
	}
	if (n == 0) {
		/* EOF before the whole request is a client that gave up */
		if (c->state == S_WAIT_EOF)
			s->eof++;
		else
			s->errors++;
		lb_s_close(s, fd);
		return;
	}
	if (c->state == S_READ_REQ) {
		c->done += (uint32_t)n;
		if (c->done >= s->o->req_size) {
			c->done = 0;
			lb_s_write(s, fd);
		}
	}
	/* bytes while waiting for EOF: more than the workload sends; read on to the EOF */
}

static int lb_server(const struct lb_opts *o)
{
	struct lb_server s = { .o = o };
	/* as many as allowed: the server holds every connection the clients have open, plus the
	 * accept queue's */
	s.nc = lb_raise_nofile((rlim_t)1 << 20, 64);
	s.c = calloc(s.nc, sizeof(*s.c));
	if (!s.c)
		lb_die("out of memory");
	memset(lb_buf, 'r', sizeof(lb_buf));

	s.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s.lfd < 0)
		lb_die("socket: %s", strerror(errno));
	int one = 1;
	/* the previous run's connections on this port may still be in TIME-WAIT */
	setsockopt(s.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(o->port), .sin_addr = o->addr };
	if (bind(s.lfd, (struct sockaddr *)&sa, sizeof(sa)))
		lb_die("bind %s:%u: %s", inet_ntoa(o->addr), o->port, strerror(errno));
	/* the kernel caps the backlog at net.core.somaxconn; ask for all of it */
	if (listen(s.lfd, 65535))
		lb_die("listen: %s", strerror(errno));
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0 || lb_epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, EPOLLIN, LB_LISTEN_TAG))
		lb_die("epoll: %s", strerror(errno));

	uint64_t t0 = lb_now_ns();
	uint64_t end = t0 + (uint64_t)((o->duration_s + LB_SERVER_SLACK_S) * 1e9);
	static struct epoll_event ev[LB_EVENTS];
	for (uint64_t now = t0; !lb_stop && now < end; now = lb_now_ns()) {
		uint64_t left_ms = (end - now) / 1000000 + 1;
		int n = epoll_wait(s.ep, ev, LB_EVENTS, left_ms < 100 ? (int)left_ms : 100);
		if (n < 0 && errno != EINTR)
			lb_die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			uint64_t d = ev[i].data.u64;
			if (d == LB_LISTEN_TAG) {
				lb_s_accept(&s);
				continue;
			}
			int fd = (int)(uint32_t)d;
			if (s.c[fd].state != S_FREE && s.c[fd].gen == (uint32_t)(d >> 32))
				lb_s_event(&s, fd);
		}
	}
	for (size_t fd = 0; fd < s.nc; fd++)
		if (s.c[fd].state != S_FREE)
			lb_s_close(&s, (int)fd);
	close(s.lfd);
	close(s.ep);
	double wall = (double)(lb_now_ns() - t0) / 1e9;
	printf("{\"role\":\"server\",\"workload\":\"%s\",\"accepted\":%" PRIu64 ",\"eof\":%" PRIu64
	       ",\"errors\":%" PRIu64 ",\"accept_errors\":%" PRIu64 ",\"wall_s\":%.3f,\"cpu_s\":%.3f}\n",
	       lb_wl_names[o->wl], s.accepted, s.eof, s.errors, s.accept_errors, wall, lb_cpu_s());
	fflush(stdout);
	free(s.c);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Client: a fixed set of connection slots; a slot that finishes (either way) starts the next
 * connection at once while the load lasts. */

enum { C_FREE = 0, C_CONNECTING, C_SENDING, C_READING, C_WAIT_EOF };
enum { E_REFUSED = 0, E_RESET, E_TIMEOUT, E_ADDR, E_OTHER, E_COUNT };
static const char *const lb_err_names[E_COUNT] = { "refused", "reset", "timeout", "addr", "other" };

struct lb_cslot {
	int fd;
	uint32_t gen;
	uint8_t state;
	uint32_t done;                   /* request bytes written, then response bytes read */
	uint64_t t0;                     /* connect() called */
};

struct lb_client {
	const struct lb_opts *o;
	int ep;
	struct sockaddr_in dst;
	struct lb_cslot *slot;
	uint32_t *free_idx;
	unsigned nfree;
	uint64_t started, completed, failed, inflight;
	uint64_t err[E_COUNT];
	bool err_said[E_COUNT];
	uint64_t t_start, load_end;      /* load_end: UINT64_MAX while loading */
	uint64_t completed_in_time;
	uint64_t *series;                /* completions per second of the load */
	unsigned nseries;
	struct synack_hist lat;
};

static unsigned lb_err_class(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return E_REFUSED;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return E_RESET;
	case ETIMEDOUT:
		return E_TIMEOUT;
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		return E_ADDR;
	default:
		return E_OTHER;
	}
}

/* The slot is done with, either way: its descriptor closed by the caller, the slot free again. */
static void lb_c_release(struct lb_client *c, struct lb_cslot *s)
{
	s->fd = -1;
	s->state = C_FREE;
	s->gen++;
	c->free_idx[c->nfree++] = (uint32_t)(s - c->slot);
	c->inflight--;
}

static void lb_c_fail(struct lb_client *c, struct lb_cslot *s, const char *what, int e)
{
	unsigned k = lb_err_class(e);
	c->err[k]++;
	c->failed++;
	if (!c->err_said[k]) {
		/* the first of each kind tells what went wrong; the counts tell how often */
		c->err_said[k] = true;
		fprintf(stderr, "linux client: first '%s' failure: %s: %s\n", lb_err_names[k], what,
			e ? strerror(e) : "connection ended early");
	}
	if (s->fd >= 0)
		close(s->fd);
	lb_c_release(c, s);
}

static void lb_c_complete(struct lb_client *c, struct lb_cslot *s, uint64_t now)
{
	close(s->fd);
	c->completed++;
	if (now < c->load_end) {
		c->completed_in_time++;
		uint64_t sec = (now - c->t_start) / LB_NS;
		if (sec < c->nseries)
			c->series[sec]++;
	}
	lb_c_release(c, s);
}

/* request: as much of the request as the socket takes; then wait for the response. */
static void lb_c_send(struct lb_client *c, struct lb_cslot *s)
{
	ssize_t n = write(s->fd, lb_buf, c->o->req_size - s->done);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			lb_c_fail(c, s, "write", errno);
		return;
	}
	s->done += (uint32_t)n;
	if (s->done < c->o->req_size)
		return; /* the rest when writable again (still registered for EPOLLOUT) */
	s->state = C_READING;
	s->done = 0;
	if (lb_epoll_ctl(c->ep, EPOLL_CTL_MOD, s->fd, EPOLLIN, lb_tag((uint32_t)(s - c->slot), s->gen)))
		lb_c_fail(c, s, "epoll_ctl", errno);
}

/* Connected: the workload's part after the handshake. */
static void lb_c_connected(struct lb_client *c, struct lb_cslot *s, uint64_t now)
{
	synack_hist_record(&c->lat, now - s->t0);
	switch (c->o->wl) {
	case LB_HANDSHAKE: {
		/* an abortive close: the RST, no FIN and no TIME-WAIT */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		lb_c_complete(c, s, now);
		return;
	}
	case LB_CLOSE:
		/* a plain close: the FIN goes first from here, so this side holds TIME-WAIT */
		lb_c_complete(c, s, now);
		return;
	case LB_REQUEST:
	default:
		s->state = C_SENDING;
		s->done = 0;
		lb_c_send(c, s);
		return;
	}
}

static void lb_c_open(struct lb_client *c)
{
	struct lb_cslot *s = &c->slot[c->free_idx[--c->nfree]];
	uint64_t i = c->started++;
	c->inflight++;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		lb_c_fail(c, s, "socket", errno);
		return;
	}
	if (c->o->src_ips > 1) {
		/* Spread the 4-tuples: each source address has its own ephemeral port range, so
		 * TIME-WAIT (60 s, and not reused where tcp_tw_reuse is 0) cannot use up the ports.
		 * NO_PORT leaves the port to connect(), which picks one free for the whole 4-tuple,
		 * not one free for the address alone. */
		int one = 1;
		setsockopt(s->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		struct sockaddr_in src = { .sin_family = AF_INET,
					   .sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i % c->o->src_ips)) };
		if (bind(s->fd, (struct sockaddr *)&src, sizeof(src))) {
			lb_c_fail(c, s, "bind", errno);
			return;
		}
	}
	s->t0 = lb_now_ns();
	int rc = connect(s->fd, (struct sockaddr *)&c->dst, sizeof(c->dst));
	if (rc && errno != EINPROGRESS) {
		lb_c_fail(c, s, "connect", errno);
		return;
	}
	s->state = C_CONNECTING;
	if (lb_epoll_ctl(c->ep, EPOLL_CTL_ADD, s->fd, EPOLLOUT, lb_tag((uint32_t)(s - c->slot), s->gen))) {
		lb_c_fail(c, s, "epoll_ctl", errno);
		return;
	}
	/* loopback may finish the handshake inside connect() */
	if (rc == 0)
		lb_c_connected(c, s, lb_now_ns());
}

static void lb_c_event(struct lb_client *c, struct lb_cslot *s, uint32_t events, uint64_t now)
{
	switch (s->state) {
	case C_CONNECTING: {
		/* writable without an error is connected; only a failure needs SO_ERROR's why */
		if (events & (EPOLLERR | EPOLLHUP)) {
			int err = 0;
			socklen_t len = sizeof(err);
			if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len))
				err = errno;
			lb_c_fail(c, s, "connect", err ? err : ECONNRESET);
			return;
		}
		if (events & EPOLLOUT)
			lb_c_connected(c, s, now);
		return;
	}
	case C_SENDING:
		lb_c_send(c, s);
		return;
	case C_READING:
	case C_WAIT_EOF:
		/* the response, then the server's FIN (EOF): it closes first, so this close() answers it */
		for (;;) {
			ssize_t n = read(s->fd, lb_buf, s->state == C_READING ? c->o->resp_size - s->done : sizeof(lb_buf));
			if (n < 0) {
				if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
					lb_c_fail(c, s, "read", errno);
				return;
			}
			if (n == 0) {
				if (s->state == C_WAIT_EOF)
					lb_c_complete(c, s, now);
				else
					lb_c_fail(c, s, "read (EOF before the whole response)", ECONNRESET);
				return;
			}
			if (s->state == C_WAIT_EOF) {
				lb_c_fail(c, s, "read (more than the response)", EPROTO);
				return;
			}
			s->done += (uint32_t)n;
			if (s->done >= c->o->resp_size)
				s->state = C_WAIT_EOF;   /* and read on: the FIN may be in already */
		}
	default:
		return;
	}
}

static void lb_json_client(const struct lb_client *c, double wall, double load_s, double cpu)
{
	const struct lb_opts *o = c->o;
	const struct synack_hist *h = &c->lat;
	printf("{\"role\":\"client\",\"workload\":\"%s\",\"started\":%" PRIu64 ",\"completed\":%" PRIu64
	       ",\"failed\":%" PRIu64 ",\"errors\":{",
	       lb_wl_names[o->wl], c->started, c->completed, c->failed);
	for (unsigned k = 0; k < E_COUNT; k++)
		printf("%s\"%s\":%" PRIu64, k ? "," : "", lb_err_names[k], c->err[k]);
	printf("},\"wall_s\":%.3f,\"load_s\":%.3f,\"completed_in_time\":%" PRIu64 ",\"rate\":%.0f,\"cpu_s\":%.3f"
	       ",\"conc\":%u,\"src_ips\":%u,\"req_size\":%u,\"resp_size\":%u",
	       wall, load_s, c->completed_in_time, load_s > 0 ? (double)c->completed_in_time / load_s : 0.0, cpu,
	       o->conc, o->src_ips, o->req_size, o->resp_size);
	printf(",\"lat_ns\":{\"count\":%" PRIu64 ",\"mean\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64
	       ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64 ",\"sum\":%" PRIu64 "}",
	       h->count, h->count ? h->sum / h->count : 0, synack_hist_quantile(h, 0.50),
	       synack_hist_quantile(h, 0.90), synack_hist_quantile(h, 0.99), synack_hist_quantile(h, 0.999),
	       h->max, h->sum);
	printf(",\"series\":[");
	for (unsigned i = 0; i < c->nseries; i++)
		printf("%s%" PRIu64, i ? "," : "", c->series[i]);
	/* the lower bound of a bucket indexes the same bucket, so a reader can rebuild the histogram */
	printf("],\"hist\":[");
	bool first = true;
	for (unsigned i = 0; i < SYNACK_HIST_BUCKETS; i++)
		if (h->b[i]) {
			printf("%s[%" PRIu64 ",%" PRIu64 "]", first ? "" : ",", synack_hist_lower(i), h->b[i]);
			first = false;
		}
	printf("]}\n");
	fflush(stdout);
}

static int lb_client(const struct lb_opts *o)
{
	static struct lb_client c;
	c.o = o;
	c.dst = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(o->port), .sin_addr = o->addr };
	/* the slots, the epoll instance, stdio and some slack */
	lb_raise_nofile((rlim_t)o->conc + 64, (rlim_t)o->conc + 64);
	c.slot = calloc(o->conc, sizeof(*c.slot));
	c.free_idx = calloc(o->conc, sizeof(*c.free_idx));
	/* --count alone is still bounded in time */
	double limit_s = o->count && !o->duration_set ? LB_COUNT_CAP_S : o->duration_s;
	c.nseries = (unsigned)(limit_s + 0.999999);
	c.series = calloc(c.nseries + 1, sizeof(*c.series));
	if (!c.slot || !c.free_idx || !c.series)
		lb_die("out of memory");
	for (unsigned i = 0; i < o->conc; i++) {
		c.slot[i].fd = -1;
		c.free_idx[c.nfree++] = o->conc - 1 - i;
	}
	memset(lb_buf, 'q', sizeof(lb_buf));
	c.ep = epoll_create1(EPOLL_CLOEXEC);
	if (c.ep < 0)
		lb_die("epoll_create1: %s", strerror(errno));

	c.t_start = lb_now_ns();
	c.load_end = UINT64_MAX;
	uint64_t load_deadline = c.t_start + (uint64_t)(limit_s * 1e9), drain_end = 0, load_ns = 0;
	uint64_t next_tick = c.t_start + LB_NS, last_completed = 0;
	unsigned tick = 0;
	static struct epoll_event ev[LB_EVENTS];
	for (;;) {
		uint64_t now = lb_now_ns();
		/* --count: the load is over when the last of them is */
		bool count_done = o->count && c.started >= o->count && !c.inflight;
		if (c.load_end == UINT64_MAX && (now >= load_deadline || lb_stop || count_done)) {
			c.load_end = now;
			load_ns = now - c.t_start;
			drain_end = now + (lb_stop ? 0 : LB_DRAIN_NS);
		}
		if (c.load_end != UINT64_MAX && (!c.inflight || now >= drain_end || lb_stop))
			break;
		/* keep exactly --concurrency in flight while the load lasts */
		while (c.load_end == UINT64_MAX && c.nfree && (!o->count || c.started < o->count))
			lb_c_open(&c);
		if (now >= next_tick) {
			tick++;
			fprintf(stderr, "linux client: t=%us %" PRIu64 " conn/s, %" PRIu64 " in flight, %" PRIu64
				" failed\n", tick, c.completed - last_completed, c.inflight, c.failed);
			last_completed = c.completed;
			next_tick += LB_NS;
		}
		uint64_t wake = next_tick;
		if (c.load_end == UINT64_MAX && load_deadline < wake)
			wake = load_deadline;
		if (c.load_end != UINT64_MAX && drain_end < wake)
			wake = drain_end;
		uint64_t ms = wake > now ? (wake - now + 999999) / 1000000 : 0;
		int n = epoll_wait(c.ep, ev, LB_EVENTS, (int)(ms < 100 ? ms : 100));
		if (n < 0 && errno != EINTR)
			lb_die("epoll_wait: %s", strerror(errno));
		/* one timestamp for the batch: it is when these sockets were seen ready */
		now = lb_now_ns();
		for (int i = 0; i < n; i++) {
			uint64_t d = ev[i].data.u64;
			struct lb_cslot *s = &c.slot[(uint32_t)d];
			if (s->state != C_FREE && s->gen == (uint32_t)(d >> 32))
				lb_c_event(&c, s, ev[i].events, now);
		}
	}
	/* what is still in flight after the drain did not finish: a timeout */
	for (unsigned i = 0; i < o->conc; i++)
		if (c.slot[i].state != C_FREE || c.slot[i].fd >= 0)
			lb_c_fail(&c, &c.slot[i], "still in flight at the end", ETIMEDOUT);
	uint64_t t_end = lb_now_ns();
	double cpu = lb_cpu_s();
	double wall = (double)(t_end - c.t_start) / 1e9;
	double load_s = (double)load_ns / 1e9;
	/* the series covers the load's seconds, the last one perhaps partial */
	uint64_t secs = (load_ns + LB_NS - 1) / LB_NS;
	if (secs < c.nseries)
		c.nseries = (unsigned)secs;
	fprintf(stderr, "linux client: %s: %" PRIu64 " started, %" PRIu64 " completed, %" PRIu64
		" failed; %.0f conn/s; connect p50 %.1f us p99 %.1f us; cpu %.2f s of %.2f s\n",
		lb_wl_names[o->wl], c.started, c.completed, c.failed,
		load_s > 0 ? (double)c.completed_in_time / load_s : 0.0, synack_hist_quantile(&c.lat, 0.5) / 1e3,
		synack_hist_quantile(&c.lat, 0.99) / 1e3, cpu, wall);
	if (o->json)
		lb_json_client(&c, wall, load_s, cpu);
	close(c.ep);
	free(c.slot);
	free(c.free_idx);
	free(c.series);
	/* nothing done at all is a broken run (no server, say), whatever the JSON says */
	return c.completed ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct lb_opts o;
	lb_parse(argc, argv, &o);
	lb_signals();
	lb_pin(o.cpu);
	return o.server ? lb_server(&o) : lb_client(&o);
}
