/* console.h: what the files of synack-console share: the engine handle, the command families (one
 * source file each, each with its instances and its usage text), and the helpers that turn a wrong
 * line into one error line plus the usage of the family it was closest to. */
#ifndef SYNACK_CONSOLE_H
#define SYNACK_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include <cmdline.h>
#include <cmdline_parse.h>

#include "synack.h"

/* One line of a family's usage: its syntax and what it does. */
struct console_usage {
	const char *syntax;
	const char *what;
};

/* A command family: the instances it registers with rte_cmdline and the usage printed after an error
 * in one of them. Every instance's help_str starts with its syntax, one word per token (that is how
 * an error names the argument that failed: "<port>", "echo|discard|http"). */
struct console_family {
	const struct console_usage *usage;      /* ends with { NULL, NULL } */
	cmdline_parse_inst_t *const *insts;     /* ends with NULL */
};

extern const struct console_family console_listen_family;
extern const struct console_family console_conn_family;
extern const struct console_family console_stats_family;
extern const struct console_family console_misc_family;
extern const struct console_family console_load_family;

/* Stops a load the console started (console_load.c): called before the engine stops. */
void console_load_quit(void);

/* The process-wide state the command callbacks act on (there is one engine per process). */
struct console_state {
	struct synack_engine *engine;
	bool quit;                      /* `quit` was entered: stop reading commands */
};
extern struct console_state console_state;

/* The context for cmdline_new / cmdline_stdin_new: every family's instances, then the catch-all
 * that reports wrong lines. Built on first call. */
cmdline_parse_ctx_t *console_context(void);

/* Runs one command line (no trailing newline needed) exactly as if typed: a wrong one prints its
 * error and usage. */
void console_run_line(struct cmdline *cl, const char *line);

/* Prints the usage of one family, or of all of them when f is NULL. */
void console_print_usage(struct cmdline *cl, const struct console_family *f);

/* For callbacks whose arguments parsed but make no sense (port 0, body with echo): one line
 * "error: <what>" then the family's usage. */
void console_arg_error(struct cmdline *cl, const struct console_family *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* For commands the engine refused: one line "error: <what>", no usage (the syntax was right). */
void console_fail(struct cmdline *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* strerror for the engine's -errno returns, with the meanings they have there. */
const char *console_strerror(int rc);

/* A row of per-worker values: v[0..nworkers-1], then the total in v[nworkers]. */
struct console_row {
	const char *name;
	uint64_t v[SYNACK_MAX_WORKERS + 1];
};
/* Prints rows as a table: a name column headed by corner, "w0".."wN-1", "total". */
void console_print_table(struct cmdline *cl, const char *corner, const struct console_row *rows, unsigned nrows,
			 unsigned nworkers);
/* synack_workers, capped at what a console_row holds. */
unsigned console_workers(void);

#endif
