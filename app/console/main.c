/* main.c: synack-console: starts the engine from a drivers-config file, runs the --cmd/--cmdfile
 * lines through the same parser as typed ones, then either prompts (`synack> `, with rte_cmdline's
 * line editing, history and completion) or, with --no-interactive, serves until SIGINT/SIGTERM.
 * Exit codes: 0 done, 1 the engine did not start, 2 bad command-line options. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline_socket.h>

#include "console.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: synack-console --config FILE [options]\n"
		"  --config FILE       drivers-config INI file (ports, addresses, workers)\n"
		"  --set KEY=VALUE     override one config key, e.g. --set port0.ip=198.18.0.2/24 (repeatable)\n"
		"  --file-prefix NAME  EAL --file-prefix, to run several processes side by side (default: --in-memory)\n"
		"  --huge              use hugepages (default: none)\n"
		"  --mem MB            memory without hugepages (default 1024)\n"
		"  --lcores LIST       EAL -l (default: the main core plus one per worker)\n"
		"  --cmd \"LINE\"        run a console command after start (repeatable, in order)\n"
		"  --cmdfile FILE      run each line of FILE as a command ('#' comments and blank lines skipped)\n"
		"  --no-interactive    after the commands, serve until SIGINT/SIGTERM instead of prompting\n"
		"  --control FIFO      with --no-interactive: also run each line written into FIFO (created if\n"
		"                      missing), so that scripts can drive a running instance\n"
		"  --verbose           EAL logs at info level\n"
		"  --help              this text\n"
		"Example: synack-console --config drivers-config/tap.ini --cmd \"listen 80 http body 3000\"\n"
		"Type 'help' at the synack> prompt for the commands.\n");
}

/* A growable list of strings (commands, --set values), NULL-terminated. */
struct strlist {
	char **v;
	size_t n, cap;
};

static void strlist_add(struct strlist *l, const char *s, size_t len)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			fprintf(stderr, "synack-console: out of memory\n");
			exit(1);
		}
	}
	l->v[l->n] = strndup(s, len);
	if (!l->v[l->n]) {
		fprintf(stderr, "synack-console: out of memory\n");
		exit(1);
	}
	l->v[++l->n] = NULL;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Adds each command line of text: one per line, blank lines and '#' comments left out. */
static void add_commands(struct strlist *cmds, const char *text)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		const char *s = p + strspn(p, " \t\r");
		if (s < p + n && *s != '#' && *s != '\n')
			strlist_add(cmds, p, n && p[n - 1] == '\r' ? n - 1 : n);
		p += n;
		p += *p == '\n';
	}
}

static int add_command_file(struct strlist *cmds, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "synack-console: --cmdfile %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0)
		add_commands(cmds, line);
	free(line);
	fclose(f);
	return 0;
}

enum {
	OPT_CONFIG = 256,
	OPT_SET,
	OPT_FILE_PREFIX,
	OPT_HUGE,
	OPT_MEM,
	OPT_LCORES,
	OPT_CMD,
	OPT_CMDFILE,
	OPT_NO_INTERACTIVE,
	OPT_CONTROL,
	OPT_VERBOSE,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "set", required_argument, NULL, OPT_SET },
	{ "file-prefix", required_argument, NULL, OPT_FILE_PREFIX },
	{ "huge", no_argument, NULL, OPT_HUGE },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "lcores", required_argument, NULL, OPT_LCORES },
	{ "cmd", required_argument, NULL, OPT_CMD },
	{ "cmdfile", required_argument, NULL, OPT_CMDFILE },
	{ "no-interactive", no_argument, NULL, OPT_NO_INTERACTIVE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct synack_start_opts start;
	struct strlist sets, cmds;
	bool interactive;
	const char *control;
};

/* Returns 0 to go on, or the exit code (0 after --help). */
static int parse_options(int argc, char **argv, struct options *o)
{
	int c;

	o->interactive = true;
	opterr = 0;     /* our own one-line messages instead of getopt's */
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
			o->start.config_path = optarg;
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr, "synack-console: --set wants KEY=VALUE, not '%s'\n", optarg);
				return 2;
			}
			strlist_add(&o->sets, optarg, strlen(optarg));
			break;
		case OPT_FILE_PREFIX:
			o->start.file_prefix = optarg;
			break;
		case OPT_HUGE:
			o->start.huge = true;
			break;
		case OPT_MEM: {
			char *end;
			errno = 0;
			unsigned long mb = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-' || mb == 0 || mb > 1u << 20) {
				fprintf(stderr, "synack-console: --mem wants a size in MB (1-1048576), not '%s'\n",
					optarg);
				return 2;
			}
			o->start.mem_mb = (unsigned)mb;
			break;
		}
		case OPT_LCORES:
			o->start.lcores = optarg;
			break;
		case OPT_CMD:
			add_commands(&o->cmds, optarg);
			break;
		case OPT_CMDFILE:
			if (add_command_file(&o->cmds, optarg))
				return 2;
			break;
		case OPT_NO_INTERACTIVE:
			o->interactive = false;
			break;
		case OPT_CONTROL:
			o->control = optarg;
			break;
		case OPT_VERBOSE:
			o->start.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "synack-console: option '%s' needs a value (see --help)\n", argv[optind - 1]);
			return 2;
		default:
			/* getopt sets optopt to the option's value when a known option got a value it
			 * takes none of, and to 0 (long) or the letter (short) when it does not know it. */
			if (optopt >= OPT_CONFIG)
				fprintf(stderr, "synack-console: option '%s' takes no value (see --help)\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "synack-console: unknown option '%s' (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "synack-console: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (!o->start.config_path) {
		fprintf(stderr, "synack-console: --config FILE is required (see --help)\n");
		return 2;
	}
	o->start.sets = (const char *const *)o->sets.v;
	return 0;
}

/* Runs the scripted lines, echoed after a prompt so that a log reads like a session. */
static void run_commands(const struct strlist *cmds)
{
	struct cmdline *cl = cmdline_new(console_context(), "", STDIN_FILENO, STDOUT_FILENO);
	if (!cl) {
		fprintf(stderr, "synack-console: cannot create a command line\n");
		return;
	}
	for (size_t i = 0; i < cmds->n && !console_state.quit && !stop_signal; i++) {
		cmdline_printf(cl, "synack> %s\n", cmds->v[i]);
		console_run_line(cl, cmds->v[i]);
	}
	cmdline_free(cl);
}

/* The prompt. rte_cmdline's own loop (cmdline_interact) blocks in read(): polling with a timeout
 * lets a signal or `quit` end the session at once. Input goes one byte at a time, as typed, so
 * nothing after a `quit` in pasted text runs. */
static void interact(void)
{
	struct cmdline *cl = cmdline_stdin_new(console_context(), "synack> ");
	if (!cl) {
		fprintf(stderr, "synack-console: cannot open the prompt on stdin\n");
		return;
	}
	while (!console_state.quit && !stop_signal) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int r = poll(&pfd, 1, 100);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		char ch;
		ssize_t n = read(STDIN_FILENO, &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;                  /* end of input: as quit */
		if (cmdline_in(cl, &ch, 1) < 0)
			break;                  /* Ctrl-D on an empty line */
	}
	if (!console_state.quit)
		cmdline_printf(cl, "\n");       /* end the prompt's line */
	cmdline_stdin_exit(cl);
}

/* --no-interactive: the workers do the work; this thread waits for the signal to stop and, with
 * --control, runs the lines written into the FIFO (opened read-write so that it never reports end
 * of file between writers). */
static void serve(const char *control)
{
	int fd = -1;
	if (control) {
		if (mkfifo(control, 0600) < 0 && errno != EEXIST)
			fprintf(stderr, "synack-console: --control %s: %s\n", control, strerror(errno));
		fd = open(control, O_RDWR | O_NONBLOCK);
		if (fd < 0)
			fprintf(stderr, "synack-console: --control %s: %s\n", control, strerror(errno));
	}
	struct cmdline *cl = cmdline_new(console_context(), "", STDIN_FILENO, STDOUT_FILENO);
	if (!cl)
		return;
	char buf[4096];
	size_t have = 0;
	while (!stop_signal && !console_state.quit) {
		if (fd < 0) {
			usleep(100 * 1000);
			continue;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			continue;
		have += (size_t)n;
		char *line = buf, *nl;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf))) != NULL) {
			*nl = 0;
			if (*line && *line != '#') {
				cmdline_printf(cl, "synack> %s\n", line);
				console_run_line(cl, line);
			}
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: drop it */
	}
	if (fd >= 0)
		close(fd);
	/* Tests and operators read the final counters from the log. */
	cmdline_printf(cl, "%s: stopping; final counters:\n", stop_signal ? strsignal(stop_signal) : "quit");
	console_run_line(cl, "show stats");
	console_run_line(cl, "show port stats");
	cmdline_free(cl);
}

int main(int argc, char **argv)
{
	struct options o;
	char err[1024] = "";

	memset(&o, 0, sizeof(o));
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		strlist_free(&o.sets);
		strlist_free(&o.cmds);
		return rc < 0 ? 0 : rc;
	}

	struct synack_engine *e = synack_engine_start(&o.start, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "synack-console: %s\n", err[0] ? err : "the engine did not start");
		strlist_free(&o.sets);
		strlist_free(&o.cmds);
		return 1;
	}
	console_state.engine = e;

	/* No SA_RESTART: a signal must interrupt the prompt's poll. A closed output pipe must not kill
	 * the process before the engine has stopped. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	run_commands(&o.cmds);
	/* Scripts and tests wait for this line before they send traffic. */
	printf("synack-console: ready\n");
	if (!console_state.quit && !stop_signal) {
		if (o.interactive)
			interact();
		else
			serve(o.control);
	}

	console_load_quit();
	synack_engine_stop(e);
	strlist_free(&o.sets);
	strlist_free(&o.cmds);
	return 0;
}
