/* console_load.c: the load family: `load start` with synack-gen's options (the same parser, the
 * same scripts, the same run controller, lib/load/run.h, on a thread of its own so that the prompt
 * stays live), `load stop`, and `show load`: the last second's figures, as synack-gen prints them
 * each second, and the totals so far. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmdline_parse_string.h>

#include "../gen/gen_opts.h"
#include "../gen/gen_report.h"
#include "console.h"
#include "load/run.h"
#include "synack_app.h"

/* The load running (or last run) from the console. */
static struct {
	pthread_t thread;
	bool started, running;
	volatile int stop;
	struct gen_opts o;
	struct gen_loaded g;
	struct synack_run_opts ro;
	struct synack_run_result r;
	int rc;
	char err[256];
	pthread_mutex_t mu;
	struct synack_run_sample last;  /* under mu */
	bool have_last;
	char line[512];                 /* the options as typed (argv points into args) */
	char args[STR_MULTI_TOKEN_SIZE];
} ld = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void on_sample(const struct synack_run_sample *s, void *arg)
{
	(void)arg;
	if (s->dt < 0.5)
		return; /* the end's short remainder is not a second's figure */
	pthread_mutex_lock(&ld.mu);
	ld.last = *s;
	ld.have_last = true;
	pthread_mutex_unlock(&ld.mu);
}

static void *load_thread(void *arg)
{
	(void)arg;
	ld.rc = synack_run(console_state.engine, &ld.ro, &ld.r, ld.err, sizeof(ld.err));
	__atomic_store_n(&ld.running, false, __ATOMIC_RELEASE);
	return NULL;
}

/* Splits args in place into words (quotes '...' and "..." keep spaces). */
static int split_words(char *args, char **argv, int max)
{
	int n = 0;
	char *p = args;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char q = (*p == '\'' || *p == '"') ? *p++ : 0;
		argv[n++] = p;
		while (*p && (q ? *p != q : (*p != ' ' && *p != '\t')))
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

/* Joins a finished load's thread; its result is kept for show load. */
static void reap(void)
{
	if (ld.started && !__atomic_load_n(&ld.running, __ATOMIC_ACQUIRE)) {
		pthread_join(ld.thread, NULL);
		ld.started = false;
	}
}

/* ---- load start <synack-gen options> ---- */

struct load_start_res {
	cmdline_fixed_string_t load, start;
	cmdline_multi_string_t args;
};

static cmdline_parse_token_string_t load_tok_load = TOKEN_STRING_INITIALIZER(struct load_start_res, load, "load");
static cmdline_parse_token_string_t load_tok_start = TOKEN_STRING_INITIALIZER(struct load_start_res, start, "start");
static cmdline_parse_token_string_t load_tok_args =
	TOKEN_STRING_INITIALIZER(struct load_start_res, args, TOKEN_STRING_MULTI);

static void load_start_cb(void *parsed, struct cmdline *cl, void *data)
{
	const struct load_start_res *r = parsed;
	(void)data;
	reap();
	if (ld.started) {
		console_fail(cl, "load start: a load is running (load stop first)");
		return;
	}
	if (ld.r.samples || ld.r.hist)
		synack_run_result_free(&ld.r);
	gen_free_scripts(&ld.g);
	snprintf(ld.args, sizeof(ld.args), "%s", r->args);
	snprintf(ld.line, sizeof(ld.line), "%.*s", (int)sizeof(ld.line) - 1, r->args);
	char *argv[128];
	argv[0] = (char *)"load start";
	int argc = 1 + split_words(ld.args, argv + 1, 126);
	argv[argc] = NULL;
	fflush(stdout);
	int rc = gen_parse_args(argc, argv, &ld.o, true);
	fflush(stdout);
	if (rc == 1)
		return; /* --help printed */
	if (rc) {
		console_print_usage(cl, &console_load_family);
		return;
	}
	char err[512];
	memset(&ld.ro, 0, sizeof(ld.ro));
	if (gen_build_load(&ld.o, &ld.g, &ld.ro.load, ld.o.rate, err, sizeof(err))) {
		console_fail(cl, "load start: %s", err);
		return;
	}
	ld.ro.duration_s = ld.o.count ? 0 : ld.o.duration_s;
	ld.ro.drain_s = 15;
	ld.stop = 0;
	ld.ro.stop = &ld.stop;
	ld.ro.on_sample = on_sample;
	ld.have_last = false;
	ld.running = true;
	if (pthread_create(&ld.thread, NULL, load_thread, NULL)) {
		ld.running = false;
		console_fail(cl, "load start: cannot start the load's thread");
		return;
	}
	ld.started = true;
	if (ld.o.rate > 0)
		cmdline_printf(cl, "load: %.0f connections/s to %s%s, %s %s\n", ld.o.rate, ld.o.dst_name[0],
			       ld.o.ndst > 1 ? " and more" : "", ld.o.count ? "count" : "for",
			       ld.o.count ? "set" : "the duration");
	else
		cmdline_printf(cl, "load: closed loop to %s%s\n", ld.o.dst_name[0], ld.o.ndst > 1 ? " and more" : "");
}

static cmdline_parse_inst_t cmd_load_start = {
	.f = load_start_cb,
	.help_str = "load start <options>: generated load, with synack-gen's options (--dst --rate --http ...)",
	.tokens = { (void *)&load_tok_load, (void *)&load_tok_start, (void *)&load_tok_args, NULL },
};

/* ---- load stop ---- */

struct load_stop_res {
	cmdline_fixed_string_t load, stop;
};

static cmdline_parse_token_string_t load_stop_tok_load = TOKEN_STRING_INITIALIZER(struct load_stop_res, load, "load");
static cmdline_parse_token_string_t load_stop_tok_stop = TOKEN_STRING_INITIALIZER(struct load_stop_res, stop, "stop");

/* synack-gen's own report functions write to a FILE: through a memory stream to the console. */
static FILE *mem_open(char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	return open_memstream(buf, len);
}

static void mem_print(struct cmdline *cl, FILE *f, char *buf)
{
	if (!f)
		return;
	fclose(f);
	cmdline_printf(cl, "%s", buf ? buf : "");
	free(buf);
}

/* The summary synack-gen prints at its end, for the last load. */
static void print_summary(struct cmdline *cl)
{
	struct gen_script_info info[SYNACK_LOAD_MAX_SCRIPTS];
	for (unsigned i = 0; i < ld.o.nscripts; i++)
		info[i] = (struct gen_script_info){ ld.o.script[i].name, ld.g.text[i] };
	char *buf;
	size_t len;
	FILE *f = mem_open(&buf, &len);
	if (f)
		gen_report_summary(f, &ld.r, info, ld.o.nscripts, ld.o.rate > 0);
	mem_print(cl, f, buf);
}

static void print_totals(struct cmdline *cl, const struct synack_run_counts *c, double load_s)
{
	cmdline_printf(cl, "started %llu  completed %llu  failed %llu  in flight %llu  held %llu  requests %llu",
		       (unsigned long long)c->started, (unsigned long long)c->completed,
		       (unsigned long long)c->failed_total, (unsigned long long)c->in_flight,
		       (unsigned long long)c->held, (unsigned long long)c->requests);
	if (load_s > 0)
		cmdline_printf(cl, "  rate %.0f/s", (double)c->started / load_s);
	cmdline_printf(cl, "\n");
	for (unsigned k = 0; k < SYNACK_OUT_COUNT; k++)
		if (c->failed[k])
			cmdline_printf(cl, "  failed %s: %llu\n", synack_outcome_name(k), (unsigned long long)c->failed[k]);
}

static void load_stop_cb(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	if (!ld.started) {
		console_fail(cl, "load stop: no load is running");
		return;
	}
	ld.stop = 1;
	pthread_join(ld.thread, NULL);
	ld.started = false;
	if (ld.rc) {
		console_fail(cl, "load: %s", ld.err);
		return;
	}
	cmdline_printf(cl, "load stopped after %.1f s (drained in %.1f s)\n", ld.r.load_s, ld.r.drain_s);
	print_summary(cl);
}

static cmdline_parse_inst_t cmd_load_stop = {
	.f = load_stop_cb,
	.help_str = "load stop: stop starting connections; wait for those in flight",
	.tokens = { (void *)&load_stop_tok_load, (void *)&load_stop_tok_stop, NULL },
};

/* ---- show load ---- */

struct show_load_res {
	cmdline_fixed_string_t show, load;
};

static cmdline_parse_token_string_t show_load_tok_show = TOKEN_STRING_INITIALIZER(struct show_load_res, show, "show");
static cmdline_parse_token_string_t show_load_tok_load = TOKEN_STRING_INITIALIZER(struct show_load_res, load, "load");

static void show_load_cb(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	reap();
	if (!ld.started && !ld.r.samples) {
		cmdline_printf(cl, "no load has run (load start --dst ADDR:PORT ...)\n");
		return;
	}
	cmdline_printf(cl, "load %s: %s\n", ld.started ? "running" : "done", ld.line);
	pthread_mutex_lock(&ld.mu);
	struct synack_run_sample s = ld.last;
	bool have = ld.have_last;
	pthread_mutex_unlock(&ld.mu);
	if (have) {
		/* The last second, as synack-gen's progress block prints it. */
		char *buf;
		size_t len;
		FILE *f = mem_open(&buf, &len);
		if (f)
			gen_report_progress(f, &s, 0);
		mem_print(cl, f, buf);
	}
	if (!ld.started) {
		print_summary(cl);
		return;
	}
	/* While it runs: the engine's counters now, since the engine started. */
	struct synack_load_counters c;
	synack_load_counters(console_state.engine, SYNACK_LOAD_ALL, SYNACK_LOAD_ALL, &c);
	struct synack_run_counts rc = { .started = c.started, .completed = c.completed, .in_flight = c.in_flight,
					.held = c.held, .requests = c.requests, .failed_total = synack_load_failed_total(&c) };
	memcpy(rc.failed, c.failed, sizeof(rc.failed));
	cmdline_printf(cl, "so far (every load since start): ");
	print_totals(cl, &rc, 0);
}

static cmdline_parse_inst_t cmd_show_load = {
	.f = show_load_cb,
	.help_str = "show load: the load's last second and its totals",
	.tokens = { (void *)&show_load_tok_show, (void *)&show_load_tok_load, NULL },
};

/* ---- the family ---- */

static const struct console_usage load_usage[] = {
	{ "load start <options>",
	  "generate load with synack-gen's options, e.g. load start --dst 198.18.0.1:80 --rate 1000 "
	  "--duration 10 --http / (--help lists them)" },
	{ "load stop", "stop starting connections, wait for those in flight, print the totals" },
	{ "show load", "the last second (opened, completed, failed, concurrent, latency) and the totals" },
	{ NULL, NULL },
};

static cmdline_parse_inst_t *const load_insts[] = { &cmd_load_start, &cmd_load_stop, &cmd_show_load, NULL };

const struct console_family console_load_family = {
	.usage = load_usage,
	.insts = load_insts,
};

/* At quit: a running load is stopped before the engine goes. */
void console_load_quit(void)
{
	if (ld.started) {
		ld.stop = 1;
		pthread_join(ld.thread, NULL);
		ld.started = false;
	}
	if (ld.r.samples || ld.r.hist)
		synack_run_result_free(&ld.r);
	gen_free_scripts(&ld.g);
}
