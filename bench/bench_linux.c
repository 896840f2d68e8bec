/* bench_linux.c: synack-bench's `linux` mode: the same workloads done by the Linux kernel on
 * loopback, by bench/linux_bench.c's epoll server and client, pinned like the synack run (client
 * on CPU 0, server on CPU 1), with the same concurrency and source-address spread. Each run is two
 * processes; the client's JSON line carries its counts, latencies and CPU time. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench.h"

/* A number after "key": in a flat JSON text (the child's own output, one object). */
static double json_num(const char *js, const char *key, double dflt)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(js, pat);
	return p ? strtod(p + strlen(pat), NULL) : dflt;
}

/* The numbers of the array after "key": (flattened; [[a,b],...] gives a, b, ...). */
static unsigned json_array(const char *js, const char *key, double *out, unsigned max)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(js, pat);
	if (!p)
		return 0;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p != '[')
		return 0;
	unsigned n = 0, depth = 0;
	for (; *p; p++) {
		if (*p == '[') {
			depth++;
		} else if (*p == ']') {
			if (--depth == 0)
				break;
		} else if ((*p == '-' || (*p >= '0' && *p <= '9')) && n < max) {
			char *end;
			out[n++] = strtod(p, &end);
			p = end - 1;
		}
	}
	return n;
}

static pid_t spawn(char *const argv[], int *out_fd)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		bench_die_with_parent(parent);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "synack-bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	*out_fd = fds[0];
	return pid;
}

static size_t slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t k;
	while (n + 1 < cap && (k = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = 0;
	close(fd);
	return n;
}

static double tsc_hz(void)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	uint64_t t0 = __rdtsc();
	usleep(100000);
	uint64_t t1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	return (double)(t1 - t0) / s;
}

static double hz;
static char js[1 << 20], sjs[4096];
static double arr[1 << 16];

/* argv for linux-bench, under `ip netns exec ns` when ns is given. */
static void lb_argv(char **argv, const char *ns, const char *const *args)
{
	int n = 0;
	if (ns) {
		argv[n++] = "/usr/sbin/ip";
		argv[n++] = "netns";
		argv[n++] = "exec";
		argv[n++] = (char *)ns;
	}
	for (int i = 0; args[i]; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
}

pid_t bench_linux_server(const struct bench_opts *o, unsigned w, const char *addr, unsigned port, const char *ns,
			 int *fd)
{
	char p[16], dur[32], size[16];
	snprintf(p, sizeof(p), "%u", port);
	/* The server adds its own grace; a counted run's client may take up to its cap. */
	snprintf(dur, sizeof(dur), "%.3f", o->count ? BENCH_COUNT_CAP_S : o->duration_s);
	snprintf(size, sizeof(size), "%u", o->size);
	const char *args[] = { o->linux_bench, "server", "--workload", bench_wl_names[w], "--addr", addr, "--port", p,
			       "--cpu", "1", "--duration", dur, "--resp-size", size, NULL };
	char *argv[24];
	lb_argv(argv, ns, args);
	return spawn(argv, fd);
}

/* Ends a server started by bench_linux_server; returns its CPU seconds (from its JSON), or -1
 * when it gave none. */
double bench_linux_server_end(pid_t sp, int sfd)
{
	kill(sp, SIGTERM);
	slurp(sfd, sjs, sizeof(sjs));
	waitpid(sp, NULL, 0);
	return json_num(sjs, "cpu_s", -1);
}

/* The client's latency histogram (its JSON's non-empty buckets by lower bound) merged into r's:
 * the buckets are synack_hist's, and lat_ns gives the exact sum and max (without them, the
 * lower bounds stand in). */
static void add_hist(struct bench_result *r, const char *text)
{
	struct synack_hist h = { 0 };
	unsigned n = json_array(text, "hist", arr, sizeof(arr) / sizeof(arr[0]));
	for (unsigned i = 0; i + 1 < n; i += 2) {
		uint64_t v = (uint64_t)arr[i], c = (uint64_t)arr[i + 1];
		h.b[synack_hist_index(v)] += c;
		h.count += c;
		h.sum += v * c;
		if (v > h.max)
			h.max = v;
	}
	const char *lat = strstr(text, "\"lat_ns\":");
	if (lat) {
		h.sum = (uint64_t)json_num(lat, "sum", (double)h.sum);
		h.max = (uint64_t)json_num(lat, "max", (double)h.max);
	}
	synack_hist_merge(&r->lat, &h);
}

/* One repetition of linux-bench's client against dst; its figures go into r. server_cpu_s is filled
 * in by the caller's server afterwards (bench_linux_add_server). */
int bench_linux_client(const struct bench_opts *o, unsigned w, const char *dst, unsigned srcs, const char *ns,
		       struct bench_result *r, unsigned k)
{
	if (!hz)
		hz = tsc_hz();
	char dur[32], conc[16], src[16], size[16];
	if (o->count)
		snprintf(dur, sizeof(dur), "%" PRIu64, o->count);
	else
		snprintf(dur, sizeof(dur), "%.3f", o->duration_s);
	snprintf(conc, sizeof(conc), "%u", o->concurrency);
	snprintf(src, sizeof(src), "%u", srcs);
	snprintf(size, sizeof(size), "%u", o->size);
	const char *args[] = { o->linux_bench, "client", "--workload", bench_wl_names[w], "--dst", dst, "--concurrency",
			       conc, "--src-ips", src, o->count ? "--count" : "--duration", dur, "--cpu", "0", "--req-size",
			       size, "--json", NULL };
	char *argv[28];
	lb_argv(argv, ns, args);
	int cfd;
	pid_t cp = spawn(argv, &cfd);
	if (cp < 0)
		return -1;
	slurp(cfd, js, sizeof(js));
	int st;
	waitpid(cp, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !strstr(js, "\"completed\"")) {
		fprintf(stderr, "synack-bench: %s %s: the Linux client failed (%s)\n", bench_mode_names[r->mode],
			bench_wl_names[w], js);
		return -1;
	}
	double completed = json_num(js, "completed", 0), wall = json_num(js, "wall_s", 1);
	double done = json_num(js, "completed_in_time", completed), load_s = json_num(js, "load_s", wall);
	r->rate[r->nreps++] = done / (wall > 0 ? load_s : 1);
	r->started += (uint64_t)json_num(js, "started", 0);
	r->completed += (uint64_t)completed;
	r->failed += (uint64_t)json_num(js, "failed", 0);
	if (completed > 0 && strstr(js, "\"cpu_s\":")) {
		r->cycles_client += json_num(js, "cpu_s", 0) * hz / completed / o->reps;
		r->has |= BENCH_HAS_CYCLES_CLIENT;
	}
	/* Completions in each second of the load, the last perhaps partial (a --count run ends
	 * anywhere): as in synack's series, a second cut under half is no point, a longer one is
	 * taken as a rate over its length. */
	unsigned n = json_array(js, "series", arr, BENCH_MAX_SECONDS);
	for (unsigned i = 0; i < n; i++) {
		double dt = load_s - i < 1 ? load_s - i : 1;
		if (dt < 0.5)
			break;
		bench_series_add(r, k, arr[i] / dt);
	}
	add_hist(r, js);
	fprintf(stderr, "  %-5s %-9s rep %u/%u  %10.0f conn/s\n", bench_mode_names[r->mode], bench_wl_names[w], k + 1,
		o->reps, r->rate[r->nreps - 1]);
	return 0;
}

/* The server's CPU seconds of one repetition (-1: unknown), as cycles per connection of that
 * repetition. */
void bench_linux_add_server(const struct bench_opts *o, struct bench_result *r, double cpu_s, uint64_t completed)
{
	if (!hz)
		hz = tsc_hz();
	if (completed && cpu_s >= 0) {
		r->cycles_server += cpu_s * hz / (double)completed / o->reps;
		r->has |= BENCH_HAS_CYCLES_SERVER;
	}
}

int bench_run_linux(const struct bench_opts *o, struct bench_result res[WL_COUNT])
{
	for (unsigned w = 0; w < WL_COUNT; w++) {
		if (!o->wls[w])
			continue;
		struct bench_result *r = &res[w];
		r->mode = MODE_LINUX;
		r->wl = (enum bench_wl)w;
		for (unsigned k = 0; k < o->reps; k++) {
			/* A fresh port each run: nothing of the previous run's TIME-WAIT is in the way. */
			unsigned port = 20000 + 100 * w + k;
			char dst[32];
			snprintf(dst, sizeof(dst), "127.0.0.1:%u", port);
			int sfd;
			pid_t sp = bench_linux_server(o, w, "127.0.0.1", port, NULL, &sfd);
			if (sp < 0)
				return -1;
			usleep(300000); /* the server listens */
			uint64_t before = r->completed;
			/* Loopback offers 127.0.0.2 .. 127.0.0.254 as sources. */
			int rc = bench_linux_client(o, w, dst, o->src_ips < 253 ? o->src_ips : 253, NULL, r, k);
			double scpu = bench_linux_server_end(sp, sfd);
			if (rc < 0)
				return -1;
			bench_linux_add_server(o, r, scpu, r->completed - before);
		}
		bench_summarise(r);
		r->done = true;
	}
	return 0;
}
