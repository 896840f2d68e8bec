/* console_misc.c: the rest: the MSL that sizes TIME-WAIT (set msl), leaving (quit; end of input
 * and Ctrl-D leave too, see main.c), and the list of every command (help). */
#include <errno.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"

/* ---- set msl <seconds> ---- */

struct set_msl_res {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t msl;
	uint32_t seconds;
};

static cmdline_parse_token_string_t set_msl_tok_set = TOKEN_STRING_INITIALIZER(struct set_msl_res, set, "set");
static cmdline_parse_token_string_t set_msl_tok_msl = TOKEN_STRING_INITIALIZER(struct set_msl_res, msl, "msl");
static cmdline_parse_token_num_t set_msl_tok_seconds = TOKEN_NUM_INITIALIZER(struct set_msl_res, seconds, RTE_UINT32);

static void set_msl_cb(void *parsed, struct cmdline *cl, void *data)
{
	const struct set_msl_res *r = parsed;

	(void)data;
	int rc = synack_set_msl(console_state.engine, r->seconds);
	if (rc == -EINVAL) {
		/* The engine owns the bounds; it takes 1 s to one hour. */
		console_arg_error(cl, &console_misc_family, "set msl: %u s refused by the engine (it takes 1-3600)",
				  r->seconds);
		return;
	}
	if (rc) {
		console_fail(cl, "set msl %u: %s", r->seconds, console_strerror(rc));
		return;
	}
	cmdline_printf(cl, "MSL %u s: TIME-WAIT now lasts %u s\n", r->seconds, 2 * r->seconds);
}

static cmdline_parse_inst_t cmd_set_msl = {
	.f = set_msl_cb,
	.help_str = "set msl <seconds>: maximum segment lifetime; TIME-WAIT lasts twice that",
	.tokens = { (void *)&set_msl_tok_set, (void *)&set_msl_tok_msl, (void *)&set_msl_tok_seconds, NULL },
};

/* ---- quit ---- */

struct word_res {
	cmdline_fixed_string_t word;
};

static cmdline_parse_token_string_t quit_tok = TOKEN_STRING_INITIALIZER(struct word_res, word, "quit");

static void quit_cb(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_state.quit = true;
	/* rdline prints a fresh prompt once this returns; an empty one leaves the terminal tidy. */
	cmdline_set_prompt(cl, "");
}

static cmdline_parse_inst_t cmd_quit = {
	.f = quit_cb,
	.help_str = "quit: stop the engine and leave (so do Ctrl-D and the end of input)",
	.tokens = { (void *)&quit_tok, NULL },
};

/* ---- help ---- */

static cmdline_parse_token_string_t help_tok = TOKEN_STRING_INITIALIZER(struct word_res, word, "help");

static void help_cb(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_print_usage(cl, NULL);
	cmdline_printf(cl, "TAB completes a word, '?' lists what may come next; Up/Down walk the history.\n");
}

static cmdline_parse_inst_t cmd_help = {
	.f = help_cb,
	.help_str = "help: every command",
	.tokens = { (void *)&help_tok, NULL },
};

/* ---- the family ---- */

static const struct console_usage misc_usage[] = {
	{ "set msl <seconds>", "maximum segment lifetime (1-3600); TIME-WAIT lasts 2 x MSL" },
	{ "help", "this list" },
	{ "quit", "stop the engine and leave (also Ctrl-D, end of input)" },
	{ NULL, NULL },
};

static cmdline_parse_inst_t *const misc_insts[] = { &cmd_set_msl, &cmd_help, &cmd_quit, NULL };

const struct console_family console_misc_family = {
	.usage = misc_usage,
	.insts = misc_insts,
};
