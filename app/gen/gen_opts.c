/* gen_opts.c: synack-gen's options, each checked where it is read: a wrong one stops the program
 * with one line that names it and says what was expected (exit code 2). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen_opts.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: synack-gen --config FILE --dst ADDR:PORT [options]\n"
		"       synack-gen merge A.json B.json ... [--json OUT]\n"
		"A load generator on synack: open-loop (--rate) or closed-loop connections to your servers,\n"
		"with a concurrency cap, scripts, latency corrected for coordinated omission, and errors by kind.\n"
		"\n"
		"The ports (as synack-console):\n"
		"  --config FILE         drivers-config INI file (ports, addresses, workers)\n"
		"  --set KEY=VALUE       override a config key, e.g. --set port0.ip=198.18.0.2/24 (repeatable)\n"
		"  --file-prefix NAME    EAL --file-prefix (several processes side by side; default --in-memory)\n"
		"  --huge                use hugepages (default: none)\n"
		"  --mem MB              memory without hugepages (default 1024)\n"
		"  --lcores LIST         EAL -l (default: the main core plus one per worker)\n"
		"  --msl SECONDS         the MSL (TIME-WAIT is twice it; default: the config's)\n"
		"The load:\n"
		"  --dst ADDR:PORT[@W]   a destination, with weight W (repeatable, up to 16)\n"
		"  --rate N              connections per second (open loop; k and M suffixes); 0 or absent:\n"
		"                        closed loop, a new connection as one ends\n"
		"  --ramp SECONDS        rise linearly to --rate over this long\n"
		"  --concurrency N       connections open at once, at most (default: closed loop 256 per\n"
		"                        worker; open loop none but the connection table's size)\n"
		"  --duration SECONDS    how long to start connections (default 10), or\n"
		"  --count N             how many connections to start\n"
		"  --drain SECONDS       after the last start, how long connections in flight may take to\n"
		"                        end (default 15); those still open then are counted in flight\n"
		"  --src ADDR[/PREFIX|-ADDR]  source addresses (default: the port's own)\n"
		"  --sport LO-HI         source ports (default 10000-65535)\n"
		"  --connect-timeout MS  give up a connection not established this long after its SYN\n"
		"                        (counted connect-timeout; default: the SYN retries, 247 s)\n"
		"What each connection does (or several weighted scripts from --profile):\n"
		"  --http PATH           an HTTP/1.1 GET of PATH (--method to change), the response checked\n"
		"  --method M            with --http: GET, HEAD, POST...\n"
		"  --host NAME           with --http: the Host header (default: the destination's address)\n"
		"  --header 'N: V'       with --http: an extra header (repeatable)\n"
		"  --requests K          requests per connection (keep-alive; default 1)\n"
		"  --request-bytes N     raw: send N bytes ...\n"
		"  --response-bytes N    raw: ... and expect N bytes back\n"
		"  --close client|server|rst  who ends it: our FIN (default), the server's FIN, or our RST\n"
		"  --think MS            pause between requests on a connection\n"
		"  --timeout MS          how long to wait for each answer (default 10000)\n"
		"  --profile FILE        scripts from an INI file: one [script NAME] section each, with keys\n"
		"                        weight, http, method, host, header, requests, request_bytes,\n"
		"                        response_bytes, close, think, timeout, or script (the steps written out)\n"
		"The responder side (one process can be both):\n"
		"  --listen PORT:APP     serve APP on PORT: echo, discard, http[:BODY[:keepalive]], rr[:UNIT[:keepalive]]\n"
		"Past one host:\n"
		"  --start-at TIME       begin at TIME (seconds since the epoch, or +SECONDS from now)\n"
		"  --share I/N           this instance is I of N: 1/N of rate, cap and count, and its own\n"
		"                        slice of the source ports\n"
		"Searching:\n"
		"  --find-max            find the highest --rate whose steps keep failures and p99 in bounds\n"
		"  --max-fail PERCENT    a step's failures at most (default 0.1)\n"
		"  --max-p99 MS          a step's p99 complete latency at most (default 100)\n"
		"  --step SECONDS        each step's duration (default 5)\n"
		"Reports:\n"
		"  --json FILE           totals, per-second timeline, latency percentiles and distributions\n"
		"  --csv FILE            the per-second timeline\n"
		"  --plots DIR           rate.png and latency.png (gnuplot)\n"
		"  --quiet               no per-second progress block\n"
		"  --no-check            start even when the tuple space cannot hold the rate\n"
		"  --help                this text\n"
		"Example: synack-gen --config drivers-config/tap.ini --dst 198.18.0.1:80 --rate 2000 --duration 5 \\\n"
		"           --http /index.html --requests 10\n");
}

/* Where errors go and what they begin with: synack-gen's stderr, or the console's output. */
static FILE *err_out;
static const char *err_who = "synack-gen";

static int bad(const char *opt, const char *val, const char *want)
{
	if (val)
		fprintf(err_out, "%s: %s: '%s' %s\n", err_who, opt, val, want);
	else
		fprintf(err_out, "%s: %s %s\n", err_who, opt, want);
	return 2;
}

/* A number with an optional k/M/G suffix; false unless the whole string is one. */
static bool parse_num(const char *s, double *v)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (end == s || errno || !isfinite(x))
		return false;
	if (*end == 'k' || *end == 'K')
		x *= 1e3, end++;
	else if (*end == 'M')
		x *= 1e6, end++;
	else if (*end == 'G')
		x *= 1e9, end++;
	if (*end)
		return false;
	*v = x;
	return true;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	double x;
	if (!parse_num(s, &x) || x < 0 || x > (double)max || x != floor(x))
		return false;
	*v = (uint64_t)x;
	return true;
}

bool gen_parse_ipv4(const char *s, uint32_t *ip)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*ip = ntohl(a.s_addr);
	return true;
}

static int parse_dst(struct gen_opts *o, const char *arg)
{
	if (o->ndst >= SYNACK_LOAD_MAX_DST)
		return bad("--dst", arg, "is one too many: at most 16 destinations");
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	uint32_t weight = 1;
	char *at = strchr(buf, '@');
	if (at) {
		*at = 0;
		uint64_t w;
		if (!parse_uint(at + 1, 1000000, &w) || !w)
			return bad("--dst", arg, "has a bad weight: expected ADDR:PORT@W with W 1..1000000");
		weight = (uint32_t)w;
	}
	char *colon = strrchr(buf, ':');
	uint64_t port;
	uint32_t ip;
	if (!colon)
		return bad("--dst", arg, "is not ADDR:PORT (e.g. 198.18.0.1:80)");
	*colon = 0;
	if (!gen_parse_ipv4(buf, &ip))
		return bad("--dst", arg, "has a bad address: expected an IPv4 address such as 198.18.0.1");
	if (!parse_uint(colon + 1, 65535, &port) || !port)
		return bad("--dst", arg, "has a bad port: expected 1..65535");
	struct synack_load_dst *d = &o->dst[o->ndst];
	d->ip = ip;
	d->port = (uint16_t)port;
	d->weight = weight;
	snprintf(o->dst_name[o->ndst], sizeof(o->dst_name[0]), "%s:%u", buf, (unsigned)port);
	o->ndst++;
	return 0;
}

static int parse_src(struct gen_opts *o, const char *arg)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *slash = strchr(buf, '/'), *dash = strchr(buf, '-');
	uint32_t a, b;
	if (slash) {
		*slash = 0;
		uint64_t pfx;
		if (!gen_parse_ipv4(buf, &a) || !parse_uint(slash + 1, 32, &pfx) || pfx < 8)
			return bad("--src", arg, "is not ADDR/PREFIX with PREFIX 8..32 (e.g. 198.18.0.0/24)");
		uint64_t n = 1ull << (32 - pfx);
		a &= (uint32_t)~(n - 1);
		o->src_first = a;
		o->src_ips = (uint32_t)n;
	} else if (dash) {
		*dash = 0;
		if (!gen_parse_ipv4(buf, &a) || !gen_parse_ipv4(dash + 1, &b) || b < a)
			return bad("--src", arg, "is not ADDR-ADDR, first to last (e.g. 198.18.0.10-198.18.0.200)");
		o->src_first = a;
		o->src_ips = b - a + 1;
	} else {
		if (!gen_parse_ipv4(buf, &a))
			return bad("--src", arg, "is not an address, ADDR/PREFIX or ADDR-ADDR");
		o->src_first = a;
		o->src_ips = 1;
	}
	if (o->src_ips > (1u << 24))
		return bad("--src", arg, "spans more than 2^24 addresses");
	return 0;
}

static int parse_range(const char *opt, const char *arg, uint16_t *lo, uint16_t *hi)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *dash = strchr(buf, '-');
	uint64_t a, b;
	if (!dash)
		return bad(opt, arg, "is not LO-HI (e.g. 10000-65535)");
	*dash = 0;
	if (!parse_uint(buf, 65535, &a) || !parse_uint(dash + 1, 65535, &b) || !a)
		return bad(opt, arg, "is not LO-HI with ports 1..65535");
	if (b < a)
		return bad(opt, arg, "is an empty range: LO must not be above HI");
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int parse_close(const char *opt, const char *arg, enum gen_close *c)
{
	if (!strcmp(arg, "client"))
		*c = GEN_CLOSE_CLIENT;
	else if (!strcmp(arg, "server"))
		*c = GEN_CLOSE_SERVER;
	else if (!strcmp(arg, "rst"))
		*c = GEN_CLOSE_RST;
	else
		return bad(opt, arg, "is not one of client, server, rst");
	return 0;
}

static int parse_listen(struct gen_opts *o, const char *arg)
{
	if (o->nlisten >= GEN_MAX_LISTEN)
		return bad("--listen", arg, "is one too many: at most 8");
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *f[4] = { buf, NULL, NULL, NULL };
	for (unsigned i = 1; i < 4 && f[i - 1]; i++) {
		f[i] = strchr(f[i - 1], ':');
		if (f[i])
			*f[i]++ = 0;
	}
	uint64_t port, body = 0;
	struct gen_listen *l = &o->listen[o->nlisten];
	if (!f[1] || !parse_uint(f[0], 65535, &port) || !port)
		return bad("--listen", arg, "is not PORT:APP (e.g. 80:http or 7:echo)");
	l->port = (uint16_t)port;
	if (!strcmp(f[1], "echo"))
		l->svc = SYNACK_SVC_ECHO;
	else if (!strcmp(f[1], "discard"))
		l->svc = SYNACK_SVC_DISCARD;
	else if (!strcmp(f[1], "http"))
		l->svc = SYNACK_SVC_HTTP;
	else if (!strcmp(f[1], "rr"))
		l->svc = SYNACK_SVC_RR;
	else
		return bad("--listen", arg, "names no application: echo, discard, http[:BODY[:keepalive]], rr[:UNIT[:keepalive]]");
	if (f[2]) {
		if ((l->svc != SYNACK_SVC_HTTP && l->svc != SYNACK_SVC_RR) || !parse_uint(f[2], 1u << 30, &body))
			return bad("--listen", arg, "has a bad size: http and rr take :BYTES");
	}
	l->body = (uint32_t)body;
	if (l->svc == SYNACK_SVC_HTTP && !f[2])
		l->body = 64;
	if (f[3]) {
		if (strcmp(f[3], "keepalive"))
			return bad("--listen", arg, "ends in neither nothing nor :keepalive");
		l->keepalive = true;
	}
	o->nlisten++;
	return 0;
}

static int parse_start_at(struct gen_opts *o, const char *arg)
{
	double v;
	if (arg[0] == '+') {
		if (!parse_num(arg + 1, &v) || v < 0 || v > 86400)
			return bad("--start-at", arg, "is not +SECONDS (0..86400)");
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		o->start_at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + v;
		return 0;
	}
	if (!parse_num(arg, &v) || v < 1e9)
		return bad("--start-at", arg, "is not a time in seconds since the epoch (date +%s) or +SECONDS");
	o->start_at = v;
	return 0;
}

int gen_parse_args(int argc, char **argv, struct gen_opts *o, bool console)
{
	err_out = console ? stdout : stderr;
	err_who = console ? "error: load start" : "synack-gen";
	enum {
		O_CONFIG = 256, O_SET, O_PREFIX, O_HUGE, O_MEM, O_LCORES, O_MSL, O_DST, O_RATE, O_RAMP, O_CONC,
		O_DURATION, O_COUNT, O_SRC, O_SPORT, O_HTTP, O_METHOD, O_HOST, O_HEADER, O_REQUESTS, O_REQB,
		O_RESPB, O_CLOSE, O_THINK, O_TIMEOUT, O_PROFILE, O_LISTEN, O_START_AT, O_SHARE, O_FIND_MAX,
		O_MAX_FAIL, O_MAX_P99, O_STEP, O_DRAIN, O_CONNECT_TIMEOUT, O_JSON, O_CSV, O_PLOTS, O_QUIET, O_NO_CHECK, O_VERBOSE, O_HELP,
	};
	static const struct option lo[] = {
		{ "config", required_argument, NULL, O_CONFIG }, { "set", required_argument, NULL, O_SET },
		{ "file-prefix", required_argument, NULL, O_PREFIX }, { "huge", no_argument, NULL, O_HUGE },
		{ "mem", required_argument, NULL, O_MEM }, { "lcores", required_argument, NULL, O_LCORES },
		{ "msl", required_argument, NULL, O_MSL }, { "dst", required_argument, NULL, O_DST },
		{ "rate", required_argument, NULL, O_RATE }, { "ramp", required_argument, NULL, O_RAMP },
		{ "concurrency", required_argument, NULL, O_CONC }, { "duration", required_argument, NULL, O_DURATION },
		{ "count", required_argument, NULL, O_COUNT }, { "src", required_argument, NULL, O_SRC },
		{ "sport", required_argument, NULL, O_SPORT }, { "http", required_argument, NULL, O_HTTP },
		{ "method", required_argument, NULL, O_METHOD }, { "host", required_argument, NULL, O_HOST },
		{ "header", required_argument, NULL, O_HEADER }, { "requests", required_argument, NULL, O_REQUESTS },
		{ "request-bytes", required_argument, NULL, O_REQB }, { "response-bytes", required_argument, NULL, O_RESPB },
		{ "close", required_argument, NULL, O_CLOSE }, { "think", required_argument, NULL, O_THINK },
		{ "timeout", required_argument, NULL, O_TIMEOUT }, { "profile", required_argument, NULL, O_PROFILE },
		{ "listen", required_argument, NULL, O_LISTEN }, { "start-at", required_argument, NULL, O_START_AT },
		{ "share", required_argument, NULL, O_SHARE }, { "find-max", no_argument, NULL, O_FIND_MAX },
		{ "max-fail", required_argument, NULL, O_MAX_FAIL }, { "max-p99", required_argument, NULL, O_MAX_P99 },
		{ "step", required_argument, NULL, O_STEP }, { "drain", required_argument, NULL, O_DRAIN },
		{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT }, { "json", required_argument, NULL, O_JSON },
		{ "csv", required_argument, NULL, O_CSV }, { "plots", required_argument, NULL, O_PLOTS },
		{ "quiet", no_argument, NULL, O_QUIET }, { "no-check", no_argument, NULL, O_NO_CHECK },
		{ "verbose", no_argument, NULL, O_VERBOSE }, { "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->max_fail = 0.001;
	o->max_p99_ms = 100;
	o->step_s = 5;
	o->drain_s = 15;
	struct gen_script_opts *s = &o->script[0];
	snprintf(s->name, sizeof(s->name), "main");
	s->weight = 1;
	s->requests = 1;
	bool have_duration = false, have_count = false, have_script_opt = false;
	int c;
	uint64_t u;
	double v;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		int rc = 0;
		if (console && ((c >= O_CONFIG && c <= O_MSL) || c == O_LISTEN || c == O_FIND_MAX || c == O_START_AT ||
				c == O_PLOTS || c == O_JSON || c == O_CSV || c == O_VERBOSE)) {
			const char *name = "?";
			for (const struct option *l = lo; l->name; l++)
				if (l->val == c)
					name = l->name;
			fprintf(err_out, "%s: --%s is synack-gen's, not the console's (the engine runs already)\n",
				err_who, name);
			return 2;
		}
		switch (c) {
		case O_CONFIG: o->config = optarg; break;
		case O_SET:
			if (!strchr(optarg, '='))
				return bad("--set", optarg, "is not KEY=VALUE");
			if (o->nsets >= GEN_MAX_SETS)
				return bad("--set", optarg, "is one too many (64 at most)");
			o->sets[o->nsets++] = optarg;
			break;
		case O_PREFIX: o->file_prefix = optarg; break;
		case O_HUGE: o->huge = true; break;
		case O_MEM:
			if (!parse_uint(optarg, 1u << 20, &u) || u < 64)
				return bad("--mem", optarg, "is not a size in MB (64 or more)");
			o->mem_mb = (unsigned)u;
			break;
		case O_LCORES: o->lcores = optarg; break;
		case O_MSL:
			if (!parse_uint(optarg, 3600, &u) || !u)
				return bad("--msl", optarg, "is not 1..3600 seconds");
			o->msl_s = (unsigned)u;
			break;
		case O_DST: rc = parse_dst(o, optarg); break;
		case O_RATE:
			if (!parse_num(optarg, &v) || v < 0 || v > 1e9)
				return bad("--rate", optarg, "is not a rate: connections per second, 0..1e9 (e.g. 2000, 2.5k, 1M)");
			o->rate = v;
			break;
		case O_RAMP:
			if (!parse_num(optarg, &v) || v < 0 || v > 86400)
				return bad("--ramp", optarg, "is not 0..86400 seconds");
			o->ramp_s = v;
			break;
		case O_CONC:
			if (!parse_uint(optarg, 1ull << 32, &u) || !u)
				return bad("--concurrency", optarg, "is not a count of connections, 1 or more");
			o->concurrency = u;
			break;
		case O_DURATION:
			if (!parse_num(optarg, &v) || v <= 0 || v > 86400 * 7)
				return bad("--duration", optarg, "is not a duration in seconds (above 0)");
			o->duration_s = v;
			have_duration = true;
			break;
		case O_COUNT:
			if (!parse_uint(optarg, UINT64_MAX / 2, &u) || !u)
				return bad("--count", optarg, "is not a count of connections, 1 or more");
			o->count = u;
			have_count = true;
			break;
		case O_SRC: rc = parse_src(o, optarg); break;
		case O_SPORT: rc = parse_range("--sport", optarg, &o->sport_lo, &o->sport_hi); break;
		case O_HTTP:
			if (optarg[0] != '/' || strpbrk(optarg, " \r\n"))
				return bad("--http", optarg, "is not a path starting with / (no spaces)");
			s->http_path = optarg;
			have_script_opt = true;
			break;
		case O_METHOD:
			if (!*optarg || strpbrk(optarg, " \r\n;"))
				return bad("--method", optarg, "is not an HTTP method");
			s->method = optarg;
			break;
		case O_HOST:
			if (!*optarg || strpbrk(optarg, " \r\n;"))
				return bad("--host", optarg, "is not a host name");
			s->host = optarg;
			break;
		case O_HEADER:
			if (!strchr(optarg, ':') || strpbrk(optarg, "\r\n\";\\"))
				return bad("--header", optarg, "is not 'Name: value' (no quotes, backslashes or ';')");
			if (s->nheaders >= GEN_MAX_HEADERS)
				return bad("--header", optarg, "is one too many (16 at most)");
			s->headers[s->nheaders++] = optarg;
			break;
		case O_REQUESTS:
			if (!parse_uint(optarg, 1000000, &u) || !u)
				return bad("--requests", optarg, "is not 1..1000000 requests per connection");
			s->requests = (uint32_t)u;
			break;
		case O_REQB:
			if (!parse_uint(optarg, 1u << 30, &u))
				return bad("--request-bytes", optarg, "is not a byte count");
			s->request_bytes = (uint32_t)u;
			have_script_opt = true;
			break;
		case O_RESPB:
			if (!parse_uint(optarg, 1u << 30, &u))
				return bad("--response-bytes", optarg, "is not a byte count");
			s->response_bytes = (uint32_t)u;
			have_script_opt = true;
			break;
		case O_CLOSE: rc = parse_close("--close", optarg, &s->close); break;
		case O_THINK:
			if (!parse_uint(optarg, 3600000, &u))
				return bad("--think", optarg, "is not a pause in ms");
			s->think_ms = (uint32_t)u;
			break;
		case O_CONNECT_TIMEOUT:
			if (!parse_uint(optarg, 3600000, &u) || !u)
				return bad("--connect-timeout", optarg, "is not a time in ms (1 to 3600000)");
			o->connect_timeout_ms = (uint32_t)u;
			break;
		case O_TIMEOUT:
			if (!parse_uint(optarg, 3600000, &u) || !u)
				return bad("--timeout", optarg, "is not a time in ms (1 or more)");
			s->timeout_ms = (uint32_t)u;
			break;
		case O_PROFILE: o->profile = optarg; break;
		case O_LISTEN: rc = parse_listen(o, optarg); break;
		case O_START_AT: rc = parse_start_at(o, optarg); break;
		case O_SHARE: {
			unsigned i, n;
			char tail;
			if (sscanf(optarg, "%u/%u%c", &i, &n, &tail) != 2 || n == 0 || n > 1024 || i == 0 || i > n)
				return bad("--share", optarg, "is not I/N with 1 <= I <= N <= 1024 (e.g. 2/4)");
			o->share_i = i;
			o->share_n = n;
			break;
		}
		case O_FIND_MAX: o->find_max = true; break;
		case O_MAX_FAIL:
			if (!parse_num(optarg, &v) || v < 0 || v > 100)
				return bad("--max-fail", optarg, "is not a percentage 0..100");
			o->max_fail = v / 100;
			break;
		case O_MAX_P99:
			if (!parse_num(optarg, &v) || v <= 0)
				return bad("--max-p99", optarg, "is not a latency in ms");
			o->max_p99_ms = v;
			break;
		case O_DRAIN:
			if (!parse_num(optarg, &v) || v <= 0 || v > 86400)
				return bad("--drain", optarg, "is not a duration in seconds (above 0, at most a day)");
			o->drain_s = v;
			break;
		case O_STEP:
			if (!parse_num(optarg, &v) || v < 1 || v > 3600)
				return bad("--step", optarg, "is not 1..3600 seconds");
			o->step_s = v;
			break;
		case O_JSON: o->json = optarg; break;
		case O_CSV: o->csv = optarg; break;
		case O_PLOTS: o->plots = optarg; break;
		case O_QUIET: o->quiet = true; break;
		case O_NO_CHECK: o->no_check = true; break;
		case O_VERBOSE: o->verbose = true; break;
		case 'h':
		case O_HELP: usage(stdout); return 1;
		case ':':
			fprintf(err_out, "%s: %s wants a value (see --help)\n", err_who, argv[optind - 1]);
			return 2;
		default:
			fprintf(err_out, "%s: unknown option '%s' (see --help)\n", err_who, argv[optind - 1]);
			return 2;
		}
		if (rc)
			return rc;
	}
	if (optind < argc) {
		fprintf(err_out, "%s: unexpected argument '%s' (see --help)\n", err_who, argv[optind]);
		return 2;
	}
	if (!o->config && !console)
		return bad("--config", NULL, "is required: a drivers-config file (e.g. drivers-config/tap.ini)");
	if (!o->ndst && (console || !o->nlisten))
		return bad("--dst", NULL, "is required: where to send the load, ADDR:PORT (or --listen alone: a responder)");
	o->responder_only = !o->ndst;
	o->duration_given = have_duration;
	if (have_duration && have_count)
		return bad("--duration", NULL, "and --count exclude each other: a run ends by time or by count");
	if (!have_duration && !have_count)
		o->duration_s = 10;
	if (o->ramp_s > 0 && o->rate == 0)
		return bad("--ramp", NULL, "needs --rate: a closed loop has no rate to ramp");
	if (s->http_path && (s->request_bytes || s->response_bytes))
		return bad("--http", NULL, "and --request-bytes/--response-bytes exclude each other");
	if (!s->http_path && (s->method || s->host || s->nheaders))
		return bad(s->method ? "--method" : s->host ? "--host" : "--header", NULL, "needs --http");
	if (o->profile && have_script_opt)
		return bad("--profile", NULL, "replaces --http/--request-bytes/--response-bytes: give one or the other");
	o->nscripts = 1;
	if (o->profile) {
		int rc = gen_read_profile(o->profile, o);
		if (rc)
			return rc;
	}
	if (o->share_n) {
		/* This instance's slice of the source ports, so that instances sharing sources never
		 * pick the same tuple. */
		uint32_t plo = o->sport_lo ? o->sport_lo : 10000, phi = o->sport_hi ? o->sport_hi : 65535;
		uint32_t span = (phi - plo + 1) / o->share_n;
		if (span == 0)
			return bad("--share", NULL, "leaves no source port for each instance: widen --sport");
		o->sport_lo = (uint16_t)(plo + span * (o->share_i - 1));
		o->sport_hi = (uint16_t)(o->sport_lo + span - 1);
		o->rate /= o->share_n;
		if (o->concurrency)
			o->concurrency = (o->concurrency + o->share_n - 1) / o->share_n;
		if (o->count)
			o->count = o->count / o->share_n + (o->share_i <= o->count % o->share_n);
	}
	return 0;
}

int gen_script_text(const struct gen_script_opts *s, const char *default_host, char *buf, size_t len)
{
	if (s->text)
		return snprintf(buf, len, "%s", s->text) < (int)len ? 0 : -1;
	size_t n = 0;
#define PUT(...)                                                            \
	do {                                                                \
		int k_ = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
		if (k_ < 0 || n + (size_t)k_ >= len)                         \
			return -1;                                          \
		n += (size_t)k_;                                            \
	} while (0)
	if (s->timeout_ms)
		PUT("timeout %u; ", s->timeout_ms);
	bool exchange = s->http_path || s->request_bytes || s->response_bytes;
	if (s->http_path) {
		PUT("http %s %s host=%s", s->method ? s->method : "GET", s->http_path, s->host ? s->host : default_host);
		for (unsigned i = 0; i < s->nheaders; i++)
			PUT(" header=\"%s\"", s->headers[i]);
		PUT("; expect http; ");
	} else if (exchange) {
		if (s->request_bytes)
			PUT("send %u; ", s->request_bytes);
		if (s->response_bytes)
			PUT("expect %u; ", s->response_bytes);
	}
	if (exchange && s->think_ms)
		PUT("pause %u; ", s->think_ms);
	if (exchange && s->requests > 1)
		PUT("repeat %u; ", s->requests);
	PUT("%s", s->close == GEN_CLOSE_RST ? "rst" : s->close == GEN_CLOSE_SERVER ? "wait-fin" : "close");
#undef PUT
	return 0;
}
