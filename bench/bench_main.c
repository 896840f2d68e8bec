/* bench_main.c: synack-bench, the project's headline: connections per second for the handshake,
 * close and request workloads, synack beside the Linux kernel measured in the same run on the same
 * machine, with cycles per connection, connect latency percentiles, TIME-WAIT and memory figures.
 * Linux runs first (synack's workers poll both cores flat out while they live). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: synack-bench [options]\n"
		"  --quick               all three workloads in ring and linux, short (under a minute)\n"
		"  --mode LIST           ring,memif,tap,linux (default ring,memif,linux); tap = tap-srv (Linux client,\n"
		"                        synack server) and tap-cli (synack client, Linux server) across a TAP\n"
		"  --workload LIST       handshake,close,request (default all)\n"
		"  --duration S          seconds per repetition (default 10; --quick 2)\n"
		"  --count N             instead of --duration: each repetition opens N connections and is\n"
		"                        timed until the last has ended (to 2 ms: choose N for a second or more;\n"
		"                        at most 300 s); 2 x MSL fills stay timed\n"
		"  --reps N              repetitions; the figure is their median (default 3)\n"
		"  --concurrency N       connections in flight per client core (default 256)\n"
		"  --src-ips N           synack's client source addresses, enough that no tuple is reused within\n"
		"                        2 x MSL (default 8192); Linux gets min(N, 253) loopback addresses\n"
		"  --msl S               synack's MSL: TIME-WAIT lasts 2 x MSL (default 60; --quick 1)\n"
		"  --no-steady           close, request: skip the unmeasured 2 x MSL run that first brings TIME-WAIT\n"
		"                        to the workload's steady state (rate x 2 x MSL entries, as many expiring\n"
		"                        as coming)\n"
		"  --timewait-entries N  the closing side's TIME-WAIT table (default: rate x 2 x MSL at up to 3 M/s,\n"
		"                        within half the available memory); past it the oldest TIME-WAITs end\n"
		"                        early, and the report counts them\n"
		"  --size N              request and response bytes (default 64)\n"
		"  --huge                synack's processes on hugepages, EAL memory and the workers' tables (reserve\n"
		"                        them first: the closing side's TIME-WAIT table alone can take GBs; see\n"
		"                        --timewait-entries); default: none (--no-huge)\n"
		"  --json FILE, --csv FILE, --plots DIR   write the results there too\n"
		"  --root DIR            the source tree (default: found from the program's path)\n"
		"  --linux-bench PATH    the Linux baseline program (default: beside synack-bench)\n"
		"  --console PATH        synack-console, memif mode's server (default: from the build tree)\n");
}

static int bad(const char *what, const char *val, const char *expected)
{
	fprintf(stderr, "synack-bench: %s '%s': %s\n", what, val, expected);
	return 2;
}

/* A comma list of names into flags; returns 0, or -1 naming the first unknown word. */
static int parse_list(const char *arg, const char *const *names, unsigned n, bool *flags, const char **badword)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s", arg);
	memset(flags, 0, n * sizeof(bool));
	bool any = false;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned i = 0;
		while (i < n && strcmp(tok, names[i]))
			i++;
		if (i == n) {
			*badword = tok;
			return -1;
		}
		flags[i] = any = true;
	}
	if (!any) {
		*badword = arg;
		return -1;
	}
	return 0;
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v < lo || v > hi || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

/* Shared with the child processes (run_per_workload). */
static struct bench_result (*res)[WL_COUNT];

/* Records the cross-core round trip around a mode that just ran (before: measured as it began)
 * in its results (and its twin's, for the two tap directions); returns the one measured now,
 * which is also the next mode's "before". */
static double xcore_mark(struct bench_result r[WL_COUNT], struct bench_result twin[WL_COUNT], double before)
{
	double after = bench_xcore_rtt_ns();
	for (unsigned w = 0; w < WL_COUNT; w++) {
		r[w].xcore_ns[0] = before;
		r[w].xcore_ns[1] = after;
		if (twin) {
			twin[w].xcore_ns[0] = before;
			twin[w].xcore_ns[1] = after;
		}
	}
	return after;
}

void bench_die_with_parent(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)   /* it died before the line above */
		_exit(1);
}

static struct bench_server *volatile stop_server;
static const char *volatile stop_ns;

static void on_stop_signal(int sig)
{
	/* Only async-signal-safe calls: unlink, rmdir, fork, execv, waitpid. */
	struct bench_server *s = stop_server;
	if (s) {
		unlink(s->fifo);
		unlink(s->sock);
		unlink(s->log);
		rmdir(s->dir);
	}
	const char *ns = stop_ns;
	if (ns) {
		pid_t pid = fork();
		if (pid == 0) {
			char *const argv[] = { "/usr/sbin/ip", "netns", "del", (char *)ns, NULL };
			execv(argv[0], argv);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void stop_handler_install(void)
{
	static bool installed;
	if (!installed) {
		struct sigaction sa = { .sa_handler = on_stop_signal };
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		installed = true;
	}
}

void bench_on_stop_server(struct bench_server *s)
{
	stop_handler_install();
	stop_server = s;
}

void bench_on_stop_netns(const char *ns)
{
	stop_handler_install();
	stop_ns = ns;
}

/* EAL starts once per process, and a workload's TIME-WAIT table is sized for it alone (the side
 * that closes first holds rate x 2 x MSL entries: the client in close, the server in request), so
 * ring and memif run each workload in a child process of its own; its results land in the shared
 * mapping. Stops at the first workload that fails, as a run in one process would. */
static int run_per_workload(int (*run)(const struct bench_opts *, struct bench_result *), const struct bench_opts *o,
			    struct bench_result out[WL_COUNT], double *xcore)
{
	for (unsigned w = 0; w < WL_COUNT; w++) {
		if (!o->wls[w])
			continue;
		struct bench_opts ow = *o;
		memset(ow.wls, 0, sizeof(ow.wls));
		ow.wls[w] = true;
		fflush(NULL);
		/* The machine's state around each workload (the host moves the vCPUs within minutes). */
		out[w].xcore_ns[0] = *xcore;
		pid_t parent = getpid(), pid = fork();
		if (pid == 0) {
			bench_die_with_parent(parent);
			_exit(run(&ow, out) < 0 ? 1 : 0);
		}
		int st = 0;
		bool ok = pid >= 0 && waitpid(pid, &st, 0) >= 0 && WIFEXITED(st) && !WEXITSTATUS(st);
		*xcore = bench_xcore_rtt_ns();
		out[w].xcore_ns[1] = *xcore;
		if (!ok)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .duration_s = 10, .reps = 3, .concurrency = 256, .src_ips = 8192, .msl_s = 60, .size = 64,
				.steady = true };
	for (unsigned i = 0; i < MODE_COUNT; i++)
		o.modes[i] = i != MODE_TAP_SRV && i != MODE_TAP_CLI; /* tap needs root and a namespace: asked for */
	for (unsigned i = 0; i < WL_COUNT; i++)
		o.wls[i] = true;
	bool set_dur = false, set_msl = false, set_reps = false, set_mode = false;
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },        { "mode", required_argument, NULL, 'm' },
		{ "workload", required_argument, NULL, 'w' }, { "duration", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },   { "concurrency", required_argument, NULL, 'c' },
		{ "src-ips", required_argument, NULL, 's' }, { "msl", required_argument, NULL, 'M' },
		{ "size", required_argument, NULL, 'z' },   { "json", required_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'v' },    { "plots", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'R' },   { "linux-bench", required_argument, NULL, 'L' },
		{ "console", required_argument, NULL, 'C' }, { "no-steady", no_argument, NULL, 'S' },
		{ "timewait-entries", required_argument, NULL, 'T' }, { "huge", no_argument, NULL, 'H' },
		{ "count", required_argument, NULL, 'n' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	res = mmap(NULL, sizeof(struct bench_result) * MODE_COUNT * WL_COUNT, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		perror("synack-bench: mmap");
		return 1;
	}
	o.started = time(NULL);
	/* The options as given, for the JSON: GNU getopt reorders argv's pointers as it parses. */
	o.argc = argc;
	o.argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!o.argv) {
		perror("synack-bench: calloc");
		return 1;
	}
	memcpy(o.argv, argv, (size_t)argc * sizeof(char *));
	int opt;
	unsigned long v;
	const char *word;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'q':
			o.quick = true;
			break;
		case 'm':
			{
				/* "tap" is both directions. */
				char list[256];
				size_t k = 0;
				for (const char *p = optarg; *p && k + 16 < sizeof(list);) {
					if (!strncmp(p, "tap", 3) && (p[3] == ',' || !p[3]) && (p == optarg || p[-1] == ',')) {
						k += (size_t)snprintf(list + k, sizeof(list) - k, "tap-srv,tap-cli");
						p += 3;
					} else {
						list[k++] = *p++;
					}
				}
				list[k] = 0;
				if (parse_list(list, bench_mode_names, MODE_COUNT, o.modes, &word))
					return bad("--mode", word, "expected ring, memif, tap or linux");
			}
			set_mode = true;
			break;
		case 'w':
			if (parse_list(optarg, bench_wl_names, WL_COUNT, o.wls, &word))
				return bad("--workload", word, "expected handshake, close or request");
			break;
		case 'd': {
			char *end;
			double d = strtod(optarg, &end);
			if (*end || !(d >= 0.5 && d <= BENCH_MAX_SECONDS / BENCH_MAX_REPS))
				return bad("--duration", optarg, "expected seconds in 0.5..37");
			o.duration_s = d;
			set_dur = true;
			break;
		}
		case 'n':
			if (parse_uint(optarg, 1, 10000000000ul, &v))
				return bad("--count", optarg, "expected 1..10000000000 connections per repetition");
			o.count = v;
			break;
		case 'r':
			if (parse_uint(optarg, 1, BENCH_MAX_REPS, &v))
				return bad("--reps", optarg, "expected 1..16");
			o.reps = (unsigned)v;
			set_reps = true;
			break;
		case 'c':
			if (parse_uint(optarg, 1, 100000, &v))
				return bad("--concurrency", optarg, "expected 1..100000 connections in flight");
			o.concurrency = (unsigned)v;
			break;
		case 's':
			if (parse_uint(optarg, 1, 65536, &v))
				return bad("--src-ips", optarg, "expected 1..65536 addresses");
			o.src_ips = (unsigned)v;
			break;
		case 'M':
			if (parse_uint(optarg, 1, 600, &v))
				return bad("--msl", optarg, "expected seconds in 1..600");
			o.msl_s = (unsigned)v;
			set_msl = true;
			break;
		case 'H':
			o.huge = true;
			break;
		case 'T':
			if (parse_uint(optarg, 64, 1u << 28, &v))
				return bad("--timewait-entries", optarg, "expected 64..268435456 entries");
			o.tw_entries = (uint32_t)v;
			break;
		case 'z':
			if (parse_uint(optarg, 1, 1400, &v))
				return bad("--size", optarg, "expected 1..1400 bytes");
			o.size = (unsigned)v;
			break;
		case 'j':
			o.json = optarg;
			break;
		case 'v':
			o.csv = optarg;
			break;
		case 'p':
			o.plots = optarg;
			break;
		case 'R':
			o.root = optarg;
			break;
		case 'L':
			o.linux_bench = optarg;
			break;
		case 'C':
			o.console = optarg;
			break;
		case 'S':
			o.steady = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "synack-bench: unknown option or missing value: '%s' (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc)
		return bad("argument", argv[optind], "synack-bench takes options only (see --help)");
	if (o.count && set_dur)
		return bad("--count", "with --duration", "a repetition is timed or counted: give one of the two");
	if (o.quick) {
		/* Under a minute on two cores: ring and linux, unless asked otherwise. */
		if (!set_mode)
			o.modes[MODE_MEMIF] = false;
		if (!set_dur)
			o.duration_s = 2;
		if (!set_msl)
			o.msl_s = 1;
		if (!set_reps)
			o.reps = 3;
	}
	/* Where the tree and linux-bench are: beside this program in the build, by default. */
	static char root[1200], lb[1200], con[1200];
	if (!o.root || !o.linux_bench || !o.console) {
		char self[1024];
		ssize_t n = readlink("/proc/self/exe", self, 1000);
		if (n <= 0)
			return bad("--root", "?", "cannot find the program's own path: give --root and --linux-bench");
		self[n] = 0;
		char *slash = strrchr(self, '/');
		*slash = 0;
		if (!o.linux_bench) {
			snprintf(lb, sizeof(lb), "%s/linux-bench", self);
			o.linux_bench = lb;
		}
		if (!o.console) {
			snprintf(con, sizeof(con), "%s/../app/console/synack-console", self);
			if (access(con, X_OK) != 0)
				snprintf(con, sizeof(con), "%s/synack-console", self);
			o.console = con;
		}
		if (!o.root) {
			snprintf(root, sizeof(root), "%s/../../drivers-config/ring.ini", self);
			if (access(root, R_OK) == 0) {
				snprintf(root, sizeof(root), "%s/../..", self);
			} else {
				snprintf(root, sizeof(root), "%s/../share/synack", self);
			}
			o.root = root;
		}
	}
	if (o.modes[MODE_LINUX] && access(o.linux_bench, X_OK) != 0)
		return bad("--linux-bench", o.linux_bench, "not an executable: the linux mode cannot run");
	if ((o.modes[MODE_MEMIF] || o.modes[MODE_TAP_SRV]) && access(o.console, X_OK) != 0)
		return bad("--console", o.console, "not an executable: the memif mode cannot run");
	if (o.modes[MODE_RING] && geteuid() != 0)
		fprintf(stderr, "synack-bench: note: not root; DPDK may refuse to start\n");

	char each[48];
	if (o.count)
		snprintf(each, sizeof(each), "%" PRIu64 " connections", o.count);
	else
		snprintf(each, sizeof(each), "%.1f s", o.duration_s);
	fprintf(stderr, "synack-bench: %s%s%s%s, %u x %s each\n", o.modes[MODE_LINUX] ? "linux " : "",
		o.modes[MODE_RING] ? "ring " : "", o.modes[MODE_MEMIF] ? "memif " : "", o.quick ? "(quick)" : "", o.reps,
		each);
	int rc = 0;
	double x = bench_xcore_rtt_ns();
	if (o.modes[MODE_LINUX]) {
		rc |= bench_run_linux(&o, res[MODE_LINUX]) < 0;
		x = xcore_mark(res[MODE_LINUX], NULL, x);
	}
	if (o.modes[MODE_MEMIF]) {
		rc |= run_per_workload(bench_run_memif, &o, res[MODE_MEMIF], &x) != 0;
	}
	if (o.modes[MODE_TAP_SRV] || o.modes[MODE_TAP_CLI]) {
		rc |= bench_run_tap(&o, res[MODE_TAP_SRV], res[MODE_TAP_CLI]) < 0;
		x = xcore_mark(res[MODE_TAP_SRV], res[MODE_TAP_CLI], x);
	}
	if (o.modes[MODE_RING]) {
		rc |= run_per_workload(bench_run_ring, &o, res[MODE_RING], &x) != 0;
	}
	bench_print_table(stdout, (const struct bench_result(*)[WL_COUNT])res, &o);
	if (o.json && bench_write_json(o.json, (const struct bench_result(*)[WL_COUNT])res, &o) < 0)
		rc = 1;
	if (o.csv && bench_write_csv(o.csv, (const struct bench_result(*)[WL_COUNT])res) < 0)
		rc = 1;
	if (o.plots && bench_write_plots(o.plots, (const struct bench_result(*)[WL_COUNT])res) < 0)
		rc = 1;
	return rc;
}
