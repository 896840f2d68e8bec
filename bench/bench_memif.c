/* bench_memif.c: synack-bench's `memif` mode: two synack processes joined by net_memif, the server
 * a synack-console (one worker, pinned to CPU 1) serving discard on port 80 and rr on 81, the client
 * this process's engine (one worker, CPU 0). The server's busy cycles come from its own counters,
 * asked for through its --control FIFO. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "synack.h"

#define SERVER_IP 0xc6120301u /* 198.18.3.1, memif-server.ini */

/* The total of counter `name` in the last "show stats" the server printed after offset `from`. */
static int log_counter(const char *log, long from, const char *name, uint64_t *out)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return -1;
	fseek(f, from, SEEK_SET);
	char line[512];
	int found = -1;
	size_t n = strlen(name);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ' ') {
			char *last = strrchr(line, ' ');
			*out = strtoull(last ? last + 1 : line, NULL, 10);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

void bench_server_stats(struct synack_engine *e, void *arg, struct bench_srv_stats *out)
{
	(void)e;
	struct bench_server *s = arg;
	out->busy_cycles = out->tw_in_use = out->tw_evicted = 0;
	out->known = false;
	struct stat st;
	long from = stat(s->log, &st) == 0 ? (long)st.st_size : 0;
	int fd = open(s->fifo, O_WRONLY | O_NONBLOCK);
	if (fd < 0)
		return;
	const char cmd[] = "show stats\n";
	ssize_t w = write(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	uint64_t v = 0;
	for (int i = 0; w > 0 && i < 100 && !out->known; i++) {
		usleep(20000);
		out->known = log_counter(s->log, from, "tcp.data_bytes_out", &v) == 0 ||
			     log_counter(s->log, from, "loops", &v) == 0;
	}
	/* A counter at 0 is not printed: it stays 0. */
	log_counter(s->log, from, "busy_cycles", &out->busy_cycles);
	log_counter(s->log, from, "tw_in_use", &out->tw_in_use);
	log_counter(s->log, from, "tw_evicted", &out->tw_evicted);
}

/* Starts a synack-console server process (one worker on CPU 1) serving discard on 80 and rr on 81,
 * with config cfg_name and the given --set overrides, inside network namespace ns if not NULL, and
 * a TIME-WAIT table of tw_entries. */
int bench_server_start(const struct bench_opts *o, struct bench_server *s, const char *cfg_name, const char *set1,
		       const char *set2, const char *ns, uint32_t tw_entries)
{
	char cfg[1100], rr[64], tw[64], msl[64];
	snprintf(tw, sizeof(tw), "engine.timewait_per_core=%u", tw_entries);
	/* The server holds TIME-WAIT in request: its 2 x MSL is the run's. */
	snprintf(msl, sizeof(msl), "engine.msl=%u", o->msl_s);
	snprintf(cfg, sizeof(cfg), "%s/drivers-config/%s", o->root, cfg_name);
	snprintf(rr, sizeof(rr), "listen 81 rr body %u", o->size);
	pid_t parent = getpid();
	s->pid = fork();
	if (s->pid == 0) {
		bench_die_with_parent(parent);
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		const char *argv[40];
		int n = 0;
		if (ns) {
			argv[n++] = "/usr/sbin/ip";
			argv[n++] = "netns";
			argv[n++] = "exec";
			argv[n++] = ns;
		}
		const char *rest[] = { o->console, "--config", cfg, "--set", set1, "--set", set2 ? set2 : set1,
				       "--set", "engine.tcb_per_core=65536", "--set", tw, "--set", msl,
				       "--lcores", "0@1,1@1", "--no-interactive", "--control", s->fifo,
				       "--cmd", "listen 80 discard", "--cmd", rr, NULL };
		for (int i = 0; rest[i]; i++)
			argv[n++] = rest[i];
		if (o->huge)
			argv[n++] = "--huge";
		argv[n] = NULL;
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(s->log, "r");
		char line[256];
		int ready = 0;
		while (f && fgets(line, sizeof(line), f))
			ready |= !strncmp(line, "synack-console: ready", 21);
		if (f)
			fclose(f);
		if (ready)
			return 0;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			break;
		usleep(50000);
	}
	fprintf(stderr, "synack-bench: the server process did not start (see %s)\n", s->log);
	return -1;
}

int bench_server_dir(struct bench_server *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/synack-bench-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	snprintf(s->fifo, sizeof(s->fifo), "%s/ctl", s->dir);
	snprintf(s->sock, sizeof(s->sock), "%s/memif.sock", s->dir);
	bench_on_stop_server(s);
	return 0;
}

void bench_server_stop(struct bench_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(s->pid, NULL, WNOHANG) != s->pid; i++)
			usleep(50000);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	bench_on_stop_server(NULL);
	unlink(s->fifo);
	unlink(s->sock);
	unlink(s->log);
	rmdir(s->dir);
}

int bench_run_memif(const struct bench_opts *o, struct bench_result res[WL_COUNT])
{
	struct bench_server s = { 0 };
	char sdev[256];
	if (bench_server_dir(&s) < 0)
		return -1;
	snprintf(sdev, sizeof(sdev), "port0.devargs=role=server,id=0,socket=%s,mac=02:00:00:00:03:01", s.sock);
	if (bench_server_start(o, &s, "memif-server.ini", sdev, NULL, NULL, bench_tw_server(o)) < 0) {
		bench_server_stop(&s);
		return -1;
	}
	char cfg[1100], dev[256], msl[64], tw[64], err[512];
	snprintf(cfg, sizeof(cfg), "%s/drivers-config/memif-client.ini", o->root);
	snprintf(dev, sizeof(dev), "port0.devargs=role=client,id=0,socket=%s,mac=02:00:00:00:03:02", s.sock);
	snprintf(msl, sizeof(msl), "engine.msl=%u", o->msl_s);
	snprintf(tw, sizeof(tw), "engine.timewait_per_core=%u", bench_tw_client(o));
	const char *sets[] = { dev, msl, tw, "engine.tcb_per_core=65536", NULL };
	struct synack_start_opts so = { .config_path = cfg, .sets = sets, .mem_mb = o->quick ? 2048 : 8192, .huge = o->huge,
					.lcores = "0@0,1@0" };
	struct synack_engine *e = synack_engine_start(&so, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "synack-bench: memif: %s\n", err);
		bench_server_stop(&s);
		return -1;
	}
	int rc = bench_run_synack(e, o, MODE_MEMIF, res, SERVER_IP, bench_server_stats, &s);
	synack_engine_stop(e);
	bench_server_stop(&s);
	return rc;
}
