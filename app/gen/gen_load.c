/* gen_load.c: from synack-gen's options (or the console's `load start`) to a struct synack_load:
 * each script's text written out from the options, compiled by the interpreter (lib/load/script.h),
 * and the plan's destinations, sources, rate, cap and count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_opts.h"
#include "load/script.h"

int gen_build_load(const struct gen_opts *o, struct gen_loaded *g, struct synack_load *l, double rate, char *err,
		   size_t errlen)
{
	memset(g, 0, sizeof(*g));
	memset(l, 0, sizeof(*l));
	char host[sizeof(o->dst_name[0])];
	snprintf(host, sizeof(host), "%s", o->dst_name[0]);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = 0;
	for (unsigned i = 0; i < o->nscripts; i++) {
		if (gen_script_text(&o->script[i], host, g->text[i], sizeof(g->text[i]))) {
			snprintf(err, errlen, "script '%s': its steps are too long", o->script[i].name);
			gen_free_scripts(g);
			return 2;
		}
		char why[256];
		g->script[i] = calloc(1, sizeof(*g->script[i]));
		if (!g->script[i] || synack_script_parse(g->script[i], g->text[i], host, why, sizeof(why))) {
			snprintf(err, errlen, "script '%s' (%s): %s", o->script[i].name, g->text[i],
				 g->script[i] ? why : "out of memory");
			gen_free_scripts(g);
			return 2;
		}
		g->client_tw |= synack_script_client_time_wait(g->script[i]);
		l->script[i].app = synack_script_app();
		l->script[i].arg = g->script[i];
		l->script[i].weight = o->script[i].weight;
	}
	l->nscripts = o->nscripts;
	l->ndst = o->ndst;
	memcpy(l->dst, o->dst, sizeof(o->dst[0]) * o->ndst);
	l->src_first = o->src_first;
	l->src_ips = o->src_ips;
	l->sport_lo = o->sport_lo;
	l->sport_hi = o->sport_hi;
	l->rate = rate;
	l->ramp_s = o->ramp_s;
	l->concurrency = o->concurrency;
	l->count = o->count;
	l->connect_timeout_ms = o->connect_timeout_ms;
	return 0;
}

void gen_free_scripts(struct gen_loaded *g)
{
	for (unsigned i = 0; i < SYNACK_LOAD_MAX_SCRIPTS; i++) {
		free(g->script[i]);
		g->script[i] = NULL;
	}
}
