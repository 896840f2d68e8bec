/* test_gen.c: synack-gen's front and back ends on plain memory, no EAL: the options (every mistake
 * exit 2 with one line naming it; --share's slices), the profile reader (errors naming file,
 * section and key), the JSON reader `merge` uses (hostile input bounded), and a report written
 * and read back, histograms bucket for bucket. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen_opts.h"
#include "gen_report.h"
#include "gen_report_util.h"

/* Runs gen_parse_args on the words of line (split at spaces) with stderr caught; returns its code
 * and leaves what it printed in msg. */
static int parse(const char *line, struct gen_opts *o, char *msg, size_t len)
{
	static char buf[2048];
	static char *argv[64];
	int argc = 0;
	snprintf(buf, sizeof(buf), "synack-gen %s", line);
	for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	fflush(stderr);
	FILE *cap = tmpfile();
	cr_assert(cap);
	int saved = dup(2);
	dup2(fileno(cap), 2);
	int rc = gen_parse_args(argc, argv, o, false);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(cap);
	size_t n = fread(msg, 1, len - 1, cap);
	msg[n] = 0;
	fclose(cap);
	return rc;
}

static unsigned lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define BAD(args, want)                                                                             \
	do {                                                                                        \
		struct gen_opts o_;                                                                 \
		char m_[1024];                                                                      \
		int rc_ = parse(args, &o_, m_, sizeof(m_));                                         \
		cr_assert_eq(rc_, 2, "%s: rc %d (%s)", args, rc_, m_);                              \
		cr_assert_eq(lines(m_), 1, "%s: %u lines: %s", args, lines(m_), m_);                \
		cr_assert(strstr(m_, want), "%s: '%s' not in: %s", args, want, m_);                 \
	} while (0)

Test(gen_opts, every_mistake_is_one_line_and_exit_2)
{
	BAD("--config c.ini --dst 198.18.0.1:80 --bogus", "unknown option '--bogus'");
	BAD("--config c.ini --dst 198.18.0.300:80", "has a bad address");
	BAD("--config c.ini --dst 198.18.0.1", "198.18.0.1");
	BAD("--config c.ini --dst 198.18.0.1:0", "198.18.0.1:0");
	BAD("--config c.ini --dst 198.18.0.1:80 --rate fast", "--rate: 'fast' is not a rate");
	BAD("--config c.ini --dst 198.18.0.1:80 --count 12x", "--count: '12x' is not a count");
	BAD("--config c.ini --dst 198.18.0.1:80 --sport 2000-1000", "--sport: '2000-1000' is an empty range");
	BAD("--config c.ini --rate 10", "--dst is required");
	BAD("--config c.ini --dst 198.18.0.1:80 --count 5 --duration 3", "exclude each other");
	BAD("--config c.ini --dst 198.18.0.1:80 --close later", "--close: 'later'");
	BAD("--config c.ini --dst 198.18.0.1:80 --drain 0", "--drain: '0'");
	BAD("--config c.ini --dst 198.18.0.1:80 --rate", "--rate wants a value");
	BAD("--config c.ini --dst 198.18.0.1:80 --listen 80:ftp", "names no application");
	BAD("--config c.ini --dst 198.18.0.1:80 --connect-timeout 0", "--connect-timeout: '0' is not a time in ms");
	BAD("--config c.ini --dst 198.18.0.1:80 --connect-timeout 3s", "--connect-timeout: '3s'");
}

/* --connect-timeout reaches the load's plan; without it the SYN retries decide (0). */
Test(gen_opts, connect_timeout_goes_into_the_load)
{
	struct gen_opts o;
	struct gen_loaded g;
	struct synack_load l;
	char m[1024];
	cr_assert_eq(parse("--config c.ini --dst 198.18.0.1:80 --connect-timeout 3000", &o, m, sizeof(m)), 0, "%s", m);
	cr_assert_eq(o.connect_timeout_ms, 3000);
	cr_assert_eq(gen_build_load(&o, &g, &l, 0, m, sizeof(m)), 0, "%s", m);
	cr_assert_eq(l.connect_timeout_ms, 3000);
	gen_free_scripts(&g);
	cr_assert_eq(parse("--config c.ini --dst 198.18.0.1:80", &o, m, sizeof(m)), 0, "%s", m);
	cr_assert_eq(o.connect_timeout_ms, 0);
}

Test(gen_opts, rates_counts_and_shares)
{
	struct gen_opts o;
	char m[1024];
	cr_assert_eq(parse("--config c.ini --dst 198.18.0.1:80 --rate 20k --count 1M", &o, m, sizeof(m)), 0, "%s", m);
	cr_assert_float_eq(o.rate, 20000, 1e-9);
	cr_assert_eq(o.count, 1000000);
	/* 2 of 4: a quarter of rate, cap and count, and the second quarter of ports 10000-65535 */
	cr_assert_eq(parse("--config c.ini --dst 198.18.0.1:80 --rate 1M --count 10 --concurrency 9 --share 2/4", &o, m,
			   sizeof(m)), 0, "%s", m);
	cr_assert_float_eq(o.rate, 250000, 1e-6);
	cr_assert_eq(o.sport_lo, 10000 + 13884);
	cr_assert_eq(o.sport_hi, 10000 + 2 * 13884 - 1);
	cr_assert_eq(o.concurrency, 3);
	cr_assert_eq(o.count, 3); /* 10 over 4: 3, 3, 2, 2 */
	cr_assert_eq(parse("--config c.ini --dst 198.18.0.1:80 --count 10 --share 4/4", &o, m, sizeof(m)), 0);
	cr_assert_eq(o.count, 2);
}

static const char *write_file(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/synack-gen-test-%d.ini", (int)getpid());
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(gen_profile, errors_name_file_section_and_key)
{
	struct gen_opts o;
	char m[1024], args[256];
	const char *p = write_file("[script web]\nweight = 3\nhttp = /index.html\n[script raw]\nreqest_bytes = 64\n");
	snprintf(args, sizeof(args), "--config c.ini --dst 198.18.0.1:80 --profile %s", p);
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 2);
	cr_assert(strstr(m, p) && strstr(m, "[script raw] reqest_bytes = '64': unknown key"), "%s", m);
	p = write_file("[script a]\nweight = 0\n");
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 2);
	cr_assert(strstr(m, "[script a] weight = '0': expected 1..1000000"), "%s", m);
	p = write_file("[other]\nx = 1\n");
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 2);
	cr_assert(strstr(m, "[other]: not a section"), "%s", m);
	p = write_file("[script a]\nhttp = /\nrequest_bytes = 5\n");
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 2);
	cr_assert(strstr(m, "exclude each other"), "%s", m);
	/* ';' separates steps ('#' is the comment), so a whole script fits on its line */
	p = write_file("# a comment\n[script s]\nscript = send 5; expect 5; close   # trailing\n");
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 0, "%s", m);
	cr_assert_eq(o.nscripts, 1);
	cr_assert(strstr(o.script[0].text, "send 5; expect 5; close"), "%s", o.script[0].text);
	/* a value longer than rte_cfgfile keeps is refused, not cut; a line longer than it reads, too */
	char longv[1200] = "[script s]\nscript = ";
	size_t n = strlen(longv);
	while (n < 290)
		n += (size_t)snprintf(longv + n, sizeof(longv) - n, "send 1; ");
	strcat(longv, "\n");
	p = write_file(longv);
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 2);
	cr_assert_eq(lines(m), 1, "%s", m);
	cr_assert(strstr(m, "longer than the INI reader keeps"), "%s", m);
	while (n < 1000)
		n += (size_t)snprintf(longv + n, sizeof(longv) - n, "send 1; ");
	strcat(longv, "\n");
	p = write_file(longv);
	cr_assert_eq(parse(args, &o, m, sizeof(m)), 2);
	cr_assert_eq(lines(m), 1, "%s", m);
	cr_assert(strstr(m, "cannot read it as an INI file"), "%s", m);
	unlink(p);
}

Test(gen_json, reader_takes_ours_and_refuses_the_rest)
{
	char err[256];
	struct gen_jval *j = gen_jparse("{\"a\": [1, 2.5, -3, 1152921504606846977], \"s\": \"x\\\"y\\u0041\\n\", "
					"\"t\": true, \"n\": null, \"o\": {}}", err, sizeof(err));
	cr_assert(j, "%s", err);
	const struct gen_jval *a = gen_jget(j, "a");
	cr_assert(a && a->type == GEN_J_ARR);
	cr_assert_eq(a->kid->u, 1);
	cr_assert_float_eq(a->kid->next->num, 2.5, 1e-12);
	cr_assert_eq(a->kid->next->next->next->u, 1152921504606846977ull); /* 2^60 + 1, exact */
	cr_assert_str_eq(gen_jget(j, "s")->str, "x\"yA\n");
	cr_assert_eq(gen_jget(j, "t")->type, GEN_J_BOOL);
	cr_assert_eq(gen_jget(j, "n")->type, GEN_J_NULL);
	cr_assert_eq(gen_jint(j, "missing"), 0);
	gen_jfree(j);

	static const struct { const char *text, *why; } bad[] = {
		{ "{\"a\": 1", "',' or '}' was expected at byte 7" },
		{ "[1 2]", "',' or ']' was expected at byte 3" },
		{ "{\"a\" 1}", "':' was expected" },
		{ "\"abc", "an unterminated string" },
		{ "\"\\q\"", "a bad escape" },
		{ "\"\\u12G4\"", "a bad \\u escape" },
		{ "[1] x", "text after the value" },
		{ "", "the text ends early" },
		{ "{\"a\": nul}", "a value was expected" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_null(gen_jparse(bad[i].text, err, sizeof(err)), "%s", bad[i].text);
		cr_assert(strstr(err, bad[i].why), "%s: %s", bad[i].text, err);
	}
	/* nesting is bounded: 10,000 '[' fail cleanly rather than exhaust the stack */
	char *deep = malloc(10001);
	memset(deep, '[', 10000);
	deep[10000] = 0;
	cr_assert_null(gen_jparse(deep, err, sizeof(err)));
	cr_assert(strstr(err, "nesting too deep"), "%s", err);
	free(deep);
}

/* A report written by gen_report_json reads back with the same totals and the same buckets. */
Test(gen_json, report_round_trip)
{
	struct synack_run_result r;
	memset(&r, 0, sizeof(r));
	r.hist = calloc(SYNACK_LOAD_MAX_SCRIPTS + 1, sizeof(*r.hist));
	r.samples = calloc(2, sizeof(*r.samples));
	cr_assert(r.hist && r.samples);
	r.all.started = 1000;
	r.all.completed = 990;
	r.all.failed[SYNACK_OUT_REFUSED] = 10;
	r.all.failed_total = 10;
	r.script[0] = r.all;
	r.load_s = 1;
	r.drained = true;
	r.nsamples = 1;
	r.samples[0].t = r.samples[0].dt = 1;
	r.samples[0].all = r.all;
	struct synack_hist *h = &r.hist[SYNACK_LOAD_MAX_SCRIPTS][SYNACK_LAT_CONNECT][0];
	for (uint64_t v = 1; v <= 990; v++)
		synack_hist_record(h, v * 1000);
	r.hist[0][SYNACK_LAT_CONNECT][0] = *h;
	struct gen_meta m;
	gen_meta_fill(&m, 0, NULL, false);
	struct gen_script_info info = { "s", "rst" };
	char path[64];
	snprintf(path, sizeof(path), "/tmp/synack-gen-test-%d.json", (int)getpid());
	cr_assert_eq(gen_report_json(path, &m, &r, &info, 1), 0);
	FILE *f = fopen(path, "r");
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	unlink(path);
	char err[256];
	struct gen_jval *j = gen_jparse(text, err, sizeof(err));
	cr_assert(j, "%s", err);
	const struct gen_jval *t = gen_jget(j, "totals");
	cr_assert_eq(gen_jint(t, "started"), 1000);
	cr_assert_eq(gen_jint(gen_jget(t, "failed_by_kind"), "refused"), 10);
	const struct gen_jval *c = gen_jget(gen_jget(gen_jget(j, "latency"), "connect"), "uncorrected");
	cr_assert_eq(gen_jint(c, "count"), 990);
	cr_assert_eq(gen_jget(gen_jget(gen_jget(j, "latency"), "connect"), "corrected")->type, GEN_J_NULL);
	struct synack_hist back;
	memset(&back, 0, sizeof(back));
	for (const struct gen_jval *b = gen_jget(c, "buckets")->kid; b; b = b->next)
		back.b[synack_hist_index(b->kid->u)] += b->kid->next->u;
	cr_assert_eq(memcmp(back.b, h->b, sizeof(h->b)), 0);
	/* a second with nothing measured has null latency, not 0 */
	const struct gen_jval *s0 = gen_jget(j, "timeline")->kid;
	cr_assert_eq(gen_jget(s0, "done_p50_ns")->type, GEN_J_NULL);
	gen_jfree(j);
	synack_run_result_free(&r);
}
