/* gen_report_util.h: what synack-gen's report files share among themselves (not for other
 * programs): latency formatting, the latency table, and the JSON reader `merge` uses. */
#ifndef SYNACK_GEN_REPORT_UTIL_H
#define SYNACK_GEN_REPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/histogram.h"
#include "load/run.h"

/* ns as "85.0us", "1.20ms" ("-" for 0: nothing measured). */
void gen_fmt_ns(char *buf, size_t len, uint64_t ns);
/* Mean, p50 ... p99.99, max of each histogram in h[k][corrected] (the corrected rows in open loop). */
void gen_report_latency_table(FILE *f, struct synack_hist (*h)[2], bool open_loop);

/* The JSON's name of each latency (enum synack_lat), shared by the writer, merge and the plots. */
extern const char *const gen_lat_keys[SYNACK_LAT_COUNT];
/* ... and its name in the tables and the plots' legends. */
extern const char *const gen_lat_names[SYNACK_LAT_COUNT];

/* The drop counters by name, in struct synack_run_drops' order (gen_report.c). */
#define GEN_NDROPS (sizeof(struct synack_run_drops) / sizeof(uint64_t))
extern const char *const gen_drop_names[GEN_NDROPS];

/* A parsed JSON value (gen_jsonread.c): enough of RFC 8259 for synack-gen's own reports. */
enum gen_jtype { GEN_J_NULL, GEN_J_BOOL, GEN_J_NUM, GEN_J_STR, GEN_J_ARR, GEN_J_OBJ };
struct gen_jval {
	enum gen_jtype type;
	double num;                     /* NUM, BOOL (0/1) */
	uint64_t u;                     /* NUM, when it is a non-negative integer (exact beyond 2^53) */
	char *str;                      /* STR */
	char *key;                      /* the member's name, inside an OBJ */
	struct gen_jval *kid, *next;    /* ARR and OBJ: the first element; the next sibling */
};

/* Parses text; NULL with a message naming the byte offset in err. Free with gen_jfree. */
struct gen_jval *gen_jparse(const char *text, char *err, size_t errlen);
void gen_jfree(struct gen_jval *v);
/* The member key of an object (NULL when v is not an object or has none). */
const struct gen_jval *gen_jget(const struct gen_jval *v, const char *key);
/* The member's integer value (0 when absent, null or not a number). */
uint64_t gen_jint(const struct gen_jval *v, const char *key);
double gen_jnum(const struct gen_jval *v, const char *key);

/* Writes a histogram's buckets ([[lower_ns, count], ...]), percentiles and distribution as the
 * members of a JSON object already opened (gen_json.c); null for an empty one. */
void gen_json_hist(FILE *f, const struct synack_hist *h, const char *indent);

#endif
