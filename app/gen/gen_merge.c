/* gen_merge.c: `synack-gen merge A.json B.json ...`: the reports of instances that ran together
 * (--start-at, --share i/n) added up into one. Counts add; the timelines add second by second
 * (the instances began at the same time); histograms add bucket by bucket, so the merged
 * percentiles are those of all the connections, not an average of percentiles. A second's
 * percentiles do not add, so the merged timeline has null there. Scripts match by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_report.h"
#include "gen_report_util.h"

#define MAX_FILES 256

struct merged {
	struct synack_run_result r;
	char *names[SYNACK_LOAD_MAX_SCRIPTS];
	char *texts[SYNACK_LOAD_MAX_SCRIPTS];
	unsigned nscripts;
	bool open_loop;
};

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		char *m = realloc(buf, cap *= 2);
		if (!m) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
		}
		buf = m;
	}
	bool bad = ferror(f);
	fclose(f);
	if (buf && bad) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[n] = 0;
	return buf;
}

static void add_counts(struct synack_run_counts *into, const struct gen_jval *c)
{
	if (!c || c->type != GEN_J_OBJ)
		return;
	into->started += gen_jint(c, "started");
	into->completed += gen_jint(c, "completed");
	into->failed_total += gen_jint(c, "failed");
	into->in_flight += gen_jint(c, "in_flight");
	into->held += gen_jint(c, "held");
	into->no_tuple += gen_jint(c, "no_tuple");
	into->late += gen_jint(c, "late");
	into->requests += gen_jint(c, "requests");
	const struct gen_jval *k = gen_jget(c, "failed_by_kind");
	for (unsigned i = SYNACK_OUT_CONNECT_TIMEOUT; i < SYNACK_OUT_COUNT; i++)
		into->failed[i] += gen_jint(k, synack_outcome_name(i));
}

/* Adds a histogram written by gen_json_hist (null: nothing). 0, or -1 when its buckets are not
 * of this build's layout. */
static int add_hist(struct synack_hist *into, const struct gen_jval *h)
{
	if (!h || h->type != GEN_J_OBJ)
		return 0;
	if (gen_jint(h, "sub_bits") != SYNACK_HIST_SUB_BITS)
		return -1;
	uint64_t n = 0;
	const struct gen_jval *b = gen_jget(h, "buckets");
	for (const struct gen_jval *e = b && b->type == GEN_J_ARR ? b->kid : NULL; e; e = e->next) {
		const struct gen_jval *lo = e->kid, *cnt = lo ? lo->next : NULL;
		if (!lo || !cnt || lo->type != GEN_J_NUM || cnt->type != GEN_J_NUM)
			return -1;
		into->b[synack_hist_index(lo->u)] += cnt->u;
		n += cnt->u;
	}
	if (n != gen_jint(h, "count"))
		return -1;
	into->count += n;
	into->sum += gen_jint(h, "sum_ns");
	uint64_t max = gen_jint(h, "max_ns");
	if (max > into->max)
		into->max = max;
	return 0;
}

static int add_latency(struct synack_hist (*into)[2], const struct gen_jval *lat)
{
	for (unsigned k = 0; k < SYNACK_LAT_COUNT; k++) {
		const struct gen_jval *l = gen_jget(lat, gen_lat_keys[k]);
		if (add_hist(&into[k][0], gen_jget(l, "uncorrected")) || add_hist(&into[k][1], gen_jget(l, "corrected")))
			return -1;
	}
	return 0;
}

static int script_slot(struct merged *m, const char *name, const char *text)
{
	for (unsigned i = 0; i < m->nscripts; i++)
		if (!strcmp(m->names[i], name))
			return (int)i;
	if (m->nscripts == SYNACK_LOAD_MAX_SCRIPTS)
		return -1;
	m->names[m->nscripts] = strdup(name);
	m->texts[m->nscripts] = strdup(text ? text : "");
	return (int)m->nscripts++;
}

/* Adds one report to m; 0, or -1 with the reason in err. */
static int add_report(struct merged *m, const struct gen_jval *j, char *err, size_t errlen)
{
	const struct gen_jval *tool = gen_jget(j, "tool");
	if (!tool || tool->type != GEN_J_STR || strcmp(tool->str, "synack-gen")) {
		snprintf(err, errlen, "not a synack-gen report (no \"tool\": \"synack-gen\")");
		return -1;
	}
	const struct gen_jval *run = gen_jget(j, "run");
	double at = gen_jnum(run, "started_at");
	if (!m->r.started_at || at < m->r.started_at)
		m->r.started_at = at;
	if (gen_jnum(run, "load_s") > m->r.load_s)
		m->r.load_s = gen_jnum(run, "load_s");
	if (gen_jnum(run, "drain_s") > m->r.drain_s)
		m->r.drain_s = gen_jnum(run, "drain_s");
	const struct gen_jval *dr = gen_jget(run, "drained"), *ol = gen_jget(run, "open_loop");
	m->r.drained = m->r.drained && dr && dr->type == GEN_J_BOOL && dr->num;
	m->open_loop = m->open_loop || (ol && ol->type == GEN_J_BOOL && ol->num);
	m->r.arp_failed += gen_jint(run, "arp_failed");
	m->r.retransmits += gen_jint(run, "retransmits");
	uint64_t *dv = (uint64_t *)&m->r.drops;
	for (unsigned i = 0; i < GEN_NDROPS; i++)
		dv[i] += gen_jint(gen_jget(run, "drops"), gen_drop_names[i]);
	add_counts(&m->r.all, gen_jget(j, "totals"));
	add_counts(&m->r.at_stop, gen_jget(j, "at_stop"));
	if (add_latency(m->r.hist[SYNACK_LOAD_MAX_SCRIPTS], gen_jget(j, "latency"))) {
		snprintf(err, errlen, "its latency histograms are not of this build's layout (sub_bits %u) or do not add up",
			 SYNACK_HIST_SUB_BITS);
		return -1;
	}
	/* Scripts by name: where each of this report's lands in the merged list. */
	int map[SYNACK_LOAD_MAX_SCRIPTS];
	unsigned ns = 0;
	const struct gen_jval *scripts = gen_jget(j, "scripts");
	for (const struct gen_jval *s = scripts && scripts->type == GEN_J_ARR ? scripts->kid : NULL; s && ns < SYNACK_LOAD_MAX_SCRIPTS;
	     s = s->next, ns++) {
		const struct gen_jval *name = gen_jget(s, "name"), *text = gen_jget(s, "text");
		int slot = script_slot(m, name && name->type == GEN_J_STR ? name->str : "?",
				       text && text->type == GEN_J_STR ? text->str : "");
		if (slot < 0) {
			snprintf(err, errlen, "more than %u scripts in all", SYNACK_LOAD_MAX_SCRIPTS);
			return -1;
		}
		map[ns] = slot;
		add_counts(&m->r.script[slot], gen_jget(s, "totals"));
		if (add_latency(m->r.hist[slot], gen_jget(s, "latency"))) {
			snprintf(err, errlen, "script %s: its histograms do not add up", m->names[slot]);
			return -1;
		}
	}
	const struct gen_jval *tl = gen_jget(j, "timeline");
	unsigned i = 0;
	for (const struct gen_jval *e = tl && tl->type == GEN_J_ARR ? tl->kid : NULL; e && i < 3600; e = e->next, i++) {
		struct synack_run_sample *s = &m->r.samples[i];
		double t = gen_jnum(e, "t"), dt = gen_jnum(e, "dt");
		if (t > s->t)
			s->t = t;
		if (dt > s->dt)
			s->dt = dt;
		add_counts(&s->all, gen_jget(e, "counts"));
		s->retransmits += gen_jint(e, "retransmits");
		s->conns_in_use += gen_jint(e, "conns_in_use");
		s->tw_in_use += gen_jint(e, "tw_in_use");
		const struct gen_jval *sc = gen_jget(e, "scripts");
		unsigned k = 0;
		for (const struct gen_jval *c = sc && sc->type == GEN_J_ARR ? sc->kid : NULL; c && k < ns; c = c->next, k++)
			add_counts(&s->script[map[k]], c);
		/* A report with one script writes no per-script seconds: its totals are that script's. */
		if (ns == 1 && !sc)
			add_counts(&s->script[map[0]], gen_jget(e, "counts"));
	}
	if (i > m->r.nsamples)
		m->r.nsamples = i;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: synack-gen merge [--json OUT] [--csv OUT] [--plots DIR] A.json B.json ...\n"
		   "  adds up the reports of synack-gen instances that ran together (--start-at, --share i/n):\n"
		   "  totals and per-second timelines add, histograms add bucket by bucket; prints the summary.\n");
}

int gen_merge_main(int argc, char **argv)
{
	const char *json = NULL, *csv = NULL, *plots = NULL;
	const char *files[MAX_FILES];
	unsigned nfiles = 0;
	for (int i = 1; i < argc; i++) {
		const char **dst = !strcmp(argv[i], "--json") ? &json : !strcmp(argv[i], "--csv") ? &csv
				   : !strcmp(argv[i], "--plots") ? &plots : NULL;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (dst) {
			if (i + 1 >= argc) {
				fprintf(stderr, "synack-gen merge: %s needs a value\n", argv[i]);
				return 2;
			}
			*dst = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "synack-gen merge: unknown option %s (try --help)\n", argv[i]);
			return 2;
		} else if (nfiles == MAX_FILES) {
			fprintf(stderr, "synack-gen merge: more than %u reports\n", MAX_FILES);
			return 2;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		fprintf(stderr, "synack-gen merge: no report to merge (try --help)\n");
		return 2;
	}
	struct merged m;
	memset(&m, 0, sizeof(m));
	m.r.drained = true;
	m.r.hist = calloc(SYNACK_LOAD_MAX_SCRIPTS + 1, sizeof(*m.r.hist));
	m.r.samples = calloc(3600, sizeof(*m.r.samples));
	int rc = 0;
	if (!m.r.hist || !m.r.samples) {
		fprintf(stderr, "synack-gen merge: out of memory\n");
		rc = 1;
	}
	for (unsigned i = 0; i < nfiles && !rc; i++) {
		char *text = read_all(files[i]);
		if (!text) {
			fprintf(stderr, "synack-gen merge: %s: %s\n", files[i], strerror(errno));
			rc = 2;
			break;
		}
		char err[256];
		struct gen_jval *j = gen_jparse(text, err, sizeof(err));
		free(text);
		if (!j || add_report(&m, j, err, sizeof(err))) {
			fprintf(stderr, "synack-gen merge: %s: %s\n", files[i], err);
			rc = 2;
		}
		gen_jfree(j);
	}
	if (!rc) {
		struct gen_script_info info[SYNACK_LOAD_MAX_SCRIPTS];
		for (unsigned i = 0; i < m.nscripts; i++)
			info[i] = (struct gen_script_info){ m.names[i], m.texts[i] };
		printf("synack-gen merge: %u reports\n", nfiles);
		gen_report_summary(stdout, &m.r, info, m.nscripts, m.open_loop);
		struct gen_meta meta;
		gen_meta_fill(&meta, argc, argv, m.open_loop);
		meta.sources = files;
		meta.nsources = nfiles;
		if (json && gen_report_json(json, &meta, &m.r, info, m.nscripts)) {
			fprintf(stderr, "synack-gen merge: --json %s: %s\n", json, strerror(errno));
			rc = 1;
		}
		if (csv && gen_report_csv(csv, &m.r)) {
			fprintf(stderr, "synack-gen merge: --csv %s: %s\n", csv, strerror(errno));
			rc = 1;
		}
		if (plots && gen_report_plots(plots, &m.r, info, m.nscripts))
			rc = 1;
	}
	for (unsigned i = 0; i < m.nscripts; i++) {
		free(m.names[i]);
		free(m.texts[i]);
	}
	synack_run_result_free(&m.r);
	return rc;
}
