/* gen_opts.h: synack-gen's command line and profile: what the user asked for, checked, before the
 * engine starts. Every mistake gets one line naming the option (or file, section and key) and what
 * was expected, and exit code 2. */
#ifndef SYNACK_GEN_OPTS_H
#define SYNACK_GEN_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "synack.h"

#define GEN_MAX_SETS 64
#define GEN_MAX_LISTEN 8
#define GEN_MAX_HEADERS 16
#define GEN_SCRIPT_TEXT 2048

enum gen_close { GEN_CLOSE_CLIENT = 0, GEN_CLOSE_SERVER, GEN_CLOSE_RST };

/* What one script does, as options give it (each profile section is one). */
struct gen_script_opts {
	char name[32];
	uint32_t weight;
	const char *http_path;          /* NULL: raw bytes (or a bare connection) */
	const char *method;
	const char *host;               /* NULL: the first destination's address */
	const char *headers[GEN_MAX_HEADERS];
	unsigned nheaders;
	uint32_t requests;              /* per connection (keep-alive when > 1) */
	uint32_t request_bytes, response_bytes;
	enum gen_close close;
	uint32_t think_ms;
	uint32_t timeout_ms;            /* each answer's (0: the script's default) */
	const char *text;               /* a script written out (profile key `script`): the others unused */
};

struct gen_listen {
	uint16_t port;
	enum synack_service svc;
	uint32_t body;
	bool keepalive;
};

struct gen_opts {
	/* the engine */
	const char *config;
	const char *sets[GEN_MAX_SETS + 1];
	unsigned nsets;
	const char *file_prefix;
	bool huge, verbose;
	unsigned mem_mb;
	const char *lcores;
	unsigned msl_s;                 /* 0: the config's */
	/* the load */
	struct synack_load_dst dst[SYNACK_LOAD_MAX_DST];
	char dst_name[SYNACK_LOAD_MAX_DST][80];
	unsigned ndst;
	double rate, ramp_s;
	uint64_t concurrency;
	double duration_s;
	double drain_s;                 /* after the stop, how long in-flight connections may take */
	uint64_t count;
	uint32_t src_first, src_ips;    /* src_first 0: the port's own address */
	uint16_t sport_lo, sport_hi;
	uint32_t connect_timeout_ms;    /* 0: the SYN retries decide */
	struct gen_script_opts script[SYNACK_LOAD_MAX_SCRIPTS];
	unsigned nscripts;
	const char *profile;
	/* several instances */
	double start_at;                /* CLOCK_REALTIME to start at (0: now) */
	unsigned share_i, share_n;      /* this instance's share of rate, cap, count and source ports */
	/* the responder side */
	struct gen_listen listen[GEN_MAX_LISTEN];
	unsigned nlisten;
	/* --find-max */
	bool find_max;
	double max_fail;                /* failed share a step may have (0.001 = 0.1 %) */
	double max_p99_ms;              /* p99 complete latency a step may have */
	double step_s;                  /* each step's duration */
	/* reports */
	const char *json, *csv, *plots;
	bool quiet;
	bool no_check;                  /* skip the tuple-space check */
	bool responder_only;            /* --listen without --dst: serve until stopped (or --duration) */
	bool duration_given;
};

/* Parses argv into o. Returns 0, 1 when --help was printed, or 2 after printing the one-line error.
 * console: the console's `load start` (argv[0] is "load start"): the engine is already running, so
 * its options (--config, --set ...) and the responder's are not taken, and errors go to stdout. */
int gen_parse_args(int argc, char **argv, struct gen_opts *o, bool console);

/* The load o describes, ready for synack_load_start (gen_load.c): each script compiled (their
 * Host, when not given, the first destination's address), client_tw whether any script makes the
 * client hold TIME-WAIT. Returns 0, or 2 with one line in err naming the script. The scripts are
 * the caller's to free with gen_free_scripts. */
struct synack_script;
struct gen_loaded {
	struct synack_script *script[SYNACK_LOAD_MAX_SCRIPTS];
	char text[SYNACK_LOAD_MAX_SCRIPTS][GEN_SCRIPT_TEXT];
	bool client_tw;
};
int gen_build_load(const struct gen_opts *o, struct gen_loaded *g, struct synack_load *l, double rate, char *err,
		   size_t errlen);
void gen_free_scripts(struct gen_loaded *g);
/* Reads the [script NAME] sections of a profile (rte_cfgfile) into o's scripts. 0 or 2 (printed). */
int gen_read_profile(const char *path, struct gen_opts *o);
/* The script text of s (the interpreter's syntax, lib/load/script.h), into buf. */
int gen_script_text(const struct gen_script_opts *s, const char *default_host, char *buf, size_t len);
/* Parses "ADDR" (dotted quad) into host order. */
bool gen_parse_ipv4(const char *s, uint32_t *ip);

#endif
