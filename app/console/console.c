/* console.c: the machinery the command families share: the rte_cmdline context, a catch-all instance
 * that turns a wrong line into one error line plus the usage of the closest family, the usage
 * printer, running a scripted line exactly as a typed one, and the counter table the stats and
 * states views print. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"

struct console_state console_state;

static const struct console_family *const families[] = {
	&console_listen_family,
	&console_conn_family,
	&console_stats_family,
	&console_load_family,
	&console_misc_family,
};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* Longest line we take: rdline's own buffer is 512 bytes, so a typed line is never longer. */
#define CONSOLE_LINE_MAX 512
#define CONSOLE_MAX_INSTS 64    /* 17 today */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_end(char c) { return c == '\0' || c == '\n' || c == '\r' || c == '#'; }

/* ---- how far a line gets into an instance ---- */

/* rte_cmdline keeps its matcher (match_inst) private, so this walks the tokens the same way: skip
 * blanks, stop at the end of the line or a '#', let each token's own parser take one word. */
struct reach {
	unsigned matched;       /* tokens that took their word */
	bool all_tokens;        /* every token of the instance did */
	const char *stop;       /* first word not taken, or the end of the line */
};

static void inst_reach(const cmdline_parse_inst_t *inst, const char *line, struct reach *r)
{
	const char *p = line;
	unsigned i;

	for (i = 0; inst->tokens[i]; i++) {
		while (is_blank(*p))
			p++;
		if (is_end(*p))
			break;
		cmdline_parse_token_hdr_t *tk = inst->tokens[i];
		/* A result buffer as big as any token's: a multi-word string token refuses to parse
		 * without one. */
		static char scratch[STR_MULTI_TOKEN_SIZE];
		int n = tk->ops->parse(tk, p, scratch, sizeof(scratch));
		if (n < 0)
			break;
		p += n;
	}
	while (is_blank(*p))
		p++;
	r->matched = i;
	r->all_tokens = inst->tokens[i] == NULL;
	r->stop = p;
}

/* Every instance of every family, in order (the catch-all excluded). */
static cmdline_parse_inst_t *real_insts[CONSOLE_MAX_INSTS];
static const struct console_family *inst_family[CONSOLE_MAX_INSTS];
static unsigned nreal;

static bool line_is_a_command(const char *line)
{
	for (unsigned i = 0; i < nreal; i++) {
		struct reach r;
		inst_reach(real_insts[i], line, &r);
		if (r.all_tokens && is_end(*r.stop))
			return true;
	}
	return false;
}

/* ---- describing what a token wanted ---- */

/* Word k of an instance's help string: help strings start with the syntax, one word per token. */
static void syntax_word(const cmdline_parse_inst_t *inst, unsigned k, char *out, size_t cap)
{
	const char *p = inst->help_str ? inst->help_str : "";
	for (unsigned i = 0; i < k && *p; i++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	size_t n = strcspn(p, " :");
	if (n == 0) {
		p = "?";
		n = 1;
	}
	snprintf(out, cap, "%.*s", (int)n, p);
}

static void token_expectation(const cmdline_parse_inst_t *inst, unsigned k, char *out, size_t cap)
{
	const cmdline_parse_token_hdr_t *tk = inst->tokens[k];
	char w[64];

	syntax_word(inst, k, w, sizeof(w));
	if (tk->ops == &cmdline_token_num_ops) {
		static const char *const max[] = {
			[RTE_UINT8] = "255", [RTE_UINT16] = "65535", [RTE_UINT32] = "4294967295",
			[RTE_UINT64] = "18446744073709551615",
		};
		unsigned t = ((const cmdline_parse_token_num_t *)tk)->num_data.type;
		if (t < sizeof(max) / sizeof(max[0]) && max[t])
			snprintf(out, cap, "%s, a number up to %s", w, max[t]);
		else
			snprintf(out, cap, "%s, a number", w);
	} else if (tk->ops == &cmdline_token_ipaddr_ops) {
		snprintf(out, cap, "%s, an IPv4 address", w);
	} else {
		snprintf(out, cap, "%s", w);
	}
}

/* The '#'-separated choices of a fixed-string token, or NULL for any other token. */
static const char *token_choices(const cmdline_parse_token_hdr_t *tk)
{
	if (tk->ops != &cmdline_token_string_ops)
		return NULL;
	const char *s = ((const cmdline_parse_token_string_t *)tk)->string_data.str;
	return s && *s ? s : NULL;
}

/* Edit distance between two short words (longer ones are cut at 31 characters). */
static unsigned edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned row[32];

	la = la > 31 ? 31 : la;
	lb = lb > 31 ? 31 : lb;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* How close a typed word is to the nearest choice of a fixed-string token: 0 for a prefix of one
 * ("li" for listen), else the edit distance; UINT32_MAX when the token is not a fixed string. */
static unsigned closeness(const cmdline_parse_token_hdr_t *tk, const char *word, size_t wl)
{
	const char *c = token_choices(tk);
	unsigned best = UINT32_MAX;

	while (c && *c) {
		size_t cl = strcspn(c, "#");
		unsigned d = wl && wl <= cl && !strncmp(c, word, wl) ? 0 : edit_distance(word, wl, c, cl);
		if (d < best)
			best = d;
		c += cl;
		c += *c == '#';
	}
	return best;
}

/* Beyond this the word is taken for something else entirely rather than a typo. */
#define CLOSE_ENOUGH 2

/* ---- the catch-all ---- */

static void print_usage_mask(struct cmdline *cl, unsigned mask);

static void console_vfail(struct cmdline *cl, const char *fmt, va_list ap)
{
	char msg[CONSOLE_LINE_MAX + 128];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	cmdline_printf(cl, "error: %s\n", msg);
}

static void console_fail_usage(struct cmdline *cl, unsigned mask, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void console_fail_usage(struct cmdline *cl, unsigned mask, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vfail(cl, fmt, ap);
	va_end(ap);
	print_usage_mask(cl, mask);
}

static unsigned family_bit(const struct console_family *f)
{
	for (unsigned i = 0; i < NFAMILIES; i++)
		if (families[i] == f)
			return 1u << i;
	return 0;
}

/* Says what is wrong with a line no instance takes: the first word no instance could parse, what
 * the instances that got furthest wanted there, and the usage of the family (or families) whose
 * expected word is nearest to what was typed. */
static void report_wrong_line(struct cmdline *cl, const char *line)
{
	struct reach r[CONSOLE_MAX_INSTS];
	unsigned best = 0;

	for (unsigned i = 0; i < nreal; i++) {
		inst_reach(real_insts[i], line, &r[i]);
		if (r[i].matched > best)
			best = r[i].matched;
	}

	const char *p = line;
	while (is_blank(*p))
		p++;
	size_t cmdlen = strcspn(p, " \t\r\n#");
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%.*s", (int)cmdlen, p);

	const char *stop = p;
	for (unsigned i = 0; i < nreal; i++)
		if (r[i].matched == best && best)
			stop = r[i].stop;
	size_t wl = is_end(*stop) ? 0 : strcspn(stop, " \t\r\n#");
	char word[64];
	snprintf(word, sizeof(word), "%.*s", (int)(wl < 60 ? wl : 60), stop);

	/* The families to show: those of the furthest-reaching instances whose next word is closest
	 * to the typed one; all of those instances when nothing is close. */
	unsigned nearest = UINT32_MAX;
	for (unsigned i = 0; i < nreal; i++) {
		if (r[i].matched != best || r[i].all_tokens)
			continue;
		unsigned d = closeness(real_insts[i]->tokens[best], word, wl);
		if (d < nearest)
			nearest = d;
	}
	bool by_word = wl && nearest <= CLOSE_ENOUGH;
	unsigned mask = 0;
	for (unsigned i = 0; i < nreal; i++) {
		if (r[i].matched != best)
			continue;
		if (by_word && (r[i].all_tokens || closeness(real_insts[i]->tokens[best], word, wl) != nearest))
			continue;
		mask |= family_bit(inst_family[i]);
	}

	if (best == 0) {
		/* Not a typo of any command word: the mask holds every family. */
		console_fail_usage(cl, mask, "unknown command '%s'", word);
		return;
	}

	/* What the furthest-reaching instances wanted next, each description once. */
	char want[512] = "";
	unsigned nwant = 0;
	char descs[8][96];
	for (unsigned i = 0; i < nreal && nwant < 8; i++) {
		if (r[i].matched != best || r[i].all_tokens)
			continue;
		char d[96];
		token_expectation(real_insts[i], best, d, sizeof(d));
		bool seen = false;
		for (unsigned k = 0; k < nwant; k++)
			seen |= !strcmp(descs[k], d);
		if (!seen)
			snprintf(descs[nwant++], sizeof(descs[0]), "%s", d);
	}
	for (unsigned k = 0, pos = 0; k < nwant; k++) {
		int n = snprintf(want + pos, sizeof(want) - pos, "%s%s", k == 0 ? "" : k + 1 == nwant ? " or " : ", ",
				 descs[k]);
		if (n < 0 || (size_t)n >= sizeof(want) - pos)
			break;
		pos += (unsigned)n;
	}

	if (!wl)
		console_fail_usage(cl, mask, "%s: missing argument (expected %s)", cmd, want);
	else if (!nwant)
		console_fail_usage(cl, mask, "%s: unexpected '%s' at the end", cmd, word);
	else
		console_fail_usage(cl, mask, "%s: bad argument '%s' (expected %s)", cmd, word, want);
}

struct fallback_res {
	char line[CONSOLE_LINE_MAX];
};

/* The catch-all's only token takes a whole line, but only a line no real instance takes: were it to
 * match as well, rte_cmdline would call the line ambiguous. Completion calls parsers without a
 * result buffer; the catch-all offers nothing there. */
static int fallback_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res, unsigned ressize)
{
	(void)tk;
	if (!res || ressize < sizeof(struct fallback_res) || line_is_a_command(buf))
		return -1;
	size_t n = strcspn(buf, "\r\n");
	snprintf(((struct fallback_res *)res)->line, sizeof(struct fallback_res), "%.*s", (int)n, buf);
	return (int)n;
}

static int fallback_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned size)
{
	(void)tk;
	snprintf(dst, size, "anything else");
	return 0;
}

static struct cmdline_token_ops fallback_ops = {
	.parse = fallback_parse,
	.get_help = fallback_help,
};
static cmdline_parse_token_hdr_t fallback_token = { &fallback_ops, 0 };

static void fallback_cb(void *parsed, struct cmdline *cl, void *data)
{
	(void)data;
	report_wrong_line(cl, ((struct fallback_res *)parsed)->line);
}

static cmdline_parse_inst_t fallback_inst = {
	.f = fallback_cb,
	.data = NULL,
	.help_str = "says what is wrong and shows the usage ('help' lists every command)",
	.tokens = { &fallback_token, NULL },
};

/* ---- context, running lines, usage ---- */

cmdline_parse_ctx_t *console_context(void)
{
	static cmdline_parse_inst_t *ctx[CONSOLE_MAX_INSTS + 2];

	if (ctx[0])
		return ctx;
	nreal = 0;
	for (unsigned f = 0; f < NFAMILIES; f++) {
		for (cmdline_parse_inst_t *const *i = families[f]->insts; *i; i++) {
			if (nreal == CONSOLE_MAX_INSTS)
				break;
			inst_family[nreal] = families[f];
			real_insts[nreal] = *i;
			ctx[nreal++] = *i;
		}
	}
	ctx[nreal] = &fallback_inst;
	ctx[nreal + 1] = NULL;
	return ctx;
}

void console_run_line(struct cmdline *cl, const char *line)
{
	char buf[CONSOLE_LINE_MAX + 2];
	size_t n = strcspn(line, "\r\n");

	if (n > CONSOLE_LINE_MAX) {
		cmdline_printf(cl, "error: line longer than %d characters: %.40s...\n", CONSOLE_LINE_MAX, line);
		return;
	}
	/* cmdline_parse takes only a complete line: without its newline it does nothing. */
	memcpy(buf, line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	int rc = cmdline_parse(cl, buf);
	if (rc < 0) {
		/* Not reached while the catch-all works; kept so a wrong line is never silent. */
		report_wrong_line(cl, buf);
	}
}

static void print_usage_mask(struct cmdline *cl, unsigned mask)
{
	int width = 0;

	if (!mask)
		mask = (1u << NFAMILIES) - 1;
	for (unsigned f = 0; f < NFAMILIES; f++)
		for (const struct console_usage *u = families[f]->usage; (mask >> f & 1) && u->syntax; u++)
			if ((int)strlen(u->syntax) > width)
				width = (int)strlen(u->syntax);
	cmdline_printf(cl, "usage:\n");
	for (unsigned f = 0; f < NFAMILIES; f++)
		for (const struct console_usage *u = families[f]->usage; (mask >> f & 1) && u->syntax; u++)
			cmdline_printf(cl, "  %-*s  %s\n", width, u->syntax, u->what);
}

void console_print_usage(struct cmdline *cl, const struct console_family *f)
{
	print_usage_mask(cl, f ? family_bit(f) : 0);
}

void console_arg_error(struct cmdline *cl, const struct console_family *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vfail(cl, fmt, ap);
	va_end(ap);
	console_print_usage(cl, f);
}

void console_fail(struct cmdline *cl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vfail(cl, fmt, ap);
	va_end(ap);
}

const char *console_strerror(int rc)
{
	switch (-rc) {
	case ETIMEDOUT:
		return "a worker did not answer in time";
	case EBUSY:
		return "a worker's control ring is full, try again";
	default:
		return strerror(-rc);
	}
}

/* ---- tables of counters ---- */

void console_print_table(struct cmdline *cl, const char *corner, const struct console_row *rows, unsigned nrows,
			 unsigned nworkers)
{
	int name_w = (int)strlen(corner), num_w = 5;
	char tmp[32];

	for (unsigned i = 0; i < nrows; i++) {
		if ((int)strlen(rows[i].name) > name_w)
			name_w = (int)strlen(rows[i].name);
		for (unsigned w = 0; w <= nworkers; w++) {
			int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)rows[i].v[w]);
			if (n > num_w)
				num_w = n;
		}
	}
	cmdline_printf(cl, "%-*s", name_w, corner);
	for (unsigned w = 0; w < nworkers; w++) {
		snprintf(tmp, sizeof(tmp), "w%u", w);
		cmdline_printf(cl, " %*s", num_w, tmp);
	}
	cmdline_printf(cl, " %*s\n", num_w, "total");
	for (unsigned i = 0; i < nrows; i++) {
		cmdline_printf(cl, "%-*s", name_w, rows[i].name);
		for (unsigned w = 0; w <= nworkers; w++)
			cmdline_printf(cl, " %*llu", num_w, (unsigned long long)rows[i].v[w]);
		cmdline_printf(cl, "\n");
	}
}

unsigned console_workers(void)
{
	unsigned n = synack_workers(console_state.engine);
	return n > SYNACK_MAX_WORKERS ? SYNACK_MAX_WORKERS : n;
}
