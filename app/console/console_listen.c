/* console_listen.c: the listen family: serving a port with a built-in service (listen), stopping
 * (unlisten), and the list of listeners (show listeners). */
#include <errno.h>
#include <string.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"

/* ---- listen <port> echo|discard|http|rr [body <bytes>] [keepalive] ---- */

/* One result for the four spellings: an optional word left empty means it was not typed. */
struct listen_res {
	cmdline_fixed_string_t listen;
	uint16_t port;
	cmdline_fixed_string_t service;
	cmdline_fixed_string_t body_kw;
	uint32_t body;
	cmdline_fixed_string_t keepalive;
};

static cmdline_parse_token_string_t listen_tok_cmd = TOKEN_STRING_INITIALIZER(struct listen_res, listen, "listen");
static cmdline_parse_token_num_t listen_tok_port = TOKEN_NUM_INITIALIZER(struct listen_res, port, RTE_UINT16);
/* Spelled as synack_service_name spells them; the callback looks the word up there. */
static cmdline_parse_token_string_t listen_tok_svc =
	TOKEN_STRING_INITIALIZER(struct listen_res, service, "echo#discard#http#rr");
static cmdline_parse_token_string_t listen_tok_body_kw = TOKEN_STRING_INITIALIZER(struct listen_res, body_kw, "body");
static cmdline_parse_token_num_t listen_tok_body = TOKEN_NUM_INITIALIZER(struct listen_res, body, RTE_UINT32);
static cmdline_parse_token_string_t listen_tok_keepalive =
	TOKEN_STRING_INITIALIZER(struct listen_res, keepalive, "keepalive");

static int service_by_name(const char *name)
{
	for (unsigned s = 0; s < SYNACK_SVC_COUNT; s++)
		if (!strcmp(synack_service_name(s), name))
			return (int)s;
	return -1;
}

static void listen_cb(void *parsed, struct cmdline *cl, void *data)
{
	const struct listen_res *r = parsed;
	bool has_body = r->body_kw[0] != '\0';
	bool keepalive = r->keepalive[0] != '\0';
	int svc = service_by_name(r->service);

	(void)data;
	if (r->port == 0) {
		console_arg_error(cl, &console_listen_family, "listen: port 0 is not a port (1-65535)");
		return;
	}
	if (svc < 0) {
		console_arg_error(cl, &console_listen_family, "listen: the engine has no service '%s'", r->service);
		return;
	}
	if ((keepalive || has_body) && svc != SYNACK_SVC_HTTP && svc != SYNACK_SVC_RR) {
		console_arg_error(cl, &console_listen_family, "listen: '%s' applies to http and rr only",
				  has_body ? "body" : "keepalive");
		return;
	}
	int rc = synack_listen(console_state.engine, r->port, (enum synack_service)svc, has_body ? r->body : 0,
			       keepalive);
	if (rc == -ENOSPC) {
		console_fail(cl, "listen %u: the listener table is full (unlisten a port first)", r->port);
		return;
	}
	if (rc) {
		console_fail(cl, "listen %u: %s", r->port, console_strerror(rc));
		return;
	}
	if (svc == SYNACK_SVC_HTTP)
		cmdline_printf(cl, "listening on port %u: http, body %u bytes, %s\n", r->port, has_body ? r->body : 0,
			       keepalive ? "keep-alive" : "Connection: close");
	else if (svc == SYNACK_SVC_RR)
		cmdline_printf(cl, "listening on port %u: rr, %u bytes answered per %u received, %s\n", r->port,
			       has_body && r->body ? r->body : 64, has_body && r->body ? r->body : 64,
			       keepalive ? "keep-alive" : "then closed");
	else
		cmdline_printf(cl, "listening on port %u: %s\n", r->port, r->service);
}

static cmdline_parse_inst_t cmd_listen = {
	.f = listen_cb,
	.help_str = "listen <port> echo|discard|http|rr: serve a port",
	.tokens = { (void *)&listen_tok_cmd, (void *)&listen_tok_port, (void *)&listen_tok_svc, NULL },
};
static cmdline_parse_inst_t cmd_listen_ka = {
	.f = listen_cb,
	.help_str = "listen <port> echo|discard|http|rr keepalive: http, rr: answer every request, the peer closes",
	.tokens = { (void *)&listen_tok_cmd, (void *)&listen_tok_port, (void *)&listen_tok_svc,
		    (void *)&listen_tok_keepalive, NULL },
};
static cmdline_parse_inst_t cmd_listen_body = {
	.f = listen_cb,
	.help_str = "listen <port> echo|discard|http|rr body <bytes>: serve HTTP with a body of that size",
	.tokens = { (void *)&listen_tok_cmd, (void *)&listen_tok_port, (void *)&listen_tok_svc,
		    (void *)&listen_tok_body_kw, (void *)&listen_tok_body, NULL },
};
static cmdline_parse_inst_t cmd_listen_body_ka = {
	.f = listen_cb,
	.help_str = "listen <port> echo|discard|http|rr body <bytes> keepalive: both of the above",
	.tokens = { (void *)&listen_tok_cmd, (void *)&listen_tok_port, (void *)&listen_tok_svc,
		    (void *)&listen_tok_body_kw, (void *)&listen_tok_body, (void *)&listen_tok_keepalive, NULL },
};

/* ---- unlisten <port> ---- */

struct unlisten_res {
	cmdline_fixed_string_t unlisten;
	uint16_t port;
};

static cmdline_parse_token_string_t unlisten_tok_cmd =
	TOKEN_STRING_INITIALIZER(struct unlisten_res, unlisten, "unlisten");
static cmdline_parse_token_num_t unlisten_tok_port = TOKEN_NUM_INITIALIZER(struct unlisten_res, port, RTE_UINT16);

static void unlisten_cb(void *parsed, struct cmdline *cl, void *data)
{
	const struct unlisten_res *r = parsed;

	(void)data;
	if (r->port == 0) {
		console_arg_error(cl, &console_listen_family, "unlisten: port 0 is not a port (1-65535)");
		return;
	}
	int rc = synack_unlisten(console_state.engine, r->port);
	if (rc == -ENOENT)
		console_fail(cl, "unlisten %u: nothing listens on port %u", r->port, r->port);
	else if (rc)
		console_fail(cl, "unlisten %u: %s", r->port, console_strerror(rc));
	else
		cmdline_printf(cl, "port %u: no longer listening (its connections carry on)\n", r->port);
}

static cmdline_parse_inst_t cmd_unlisten = {
	.f = unlisten_cb,
	.help_str = "unlisten <port>: stop accepting connections on a port",
	.tokens = { (void *)&unlisten_tok_cmd, (void *)&unlisten_tok_port, NULL },
};

/* ---- show listeners ---- */

struct show_listeners_res {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static cmdline_parse_token_string_t show_listeners_tok_show =
	TOKEN_STRING_INITIALIZER(struct show_listeners_res, show, "show");
static cmdline_parse_token_string_t show_listeners_tok_what =
	TOKEN_STRING_INITIALIZER(struct show_listeners_res, what, "listeners");

static void show_listeners_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct synack_listener_info l[256];

	(void)parsed;
	(void)data;
	unsigned n = synack_listeners(console_state.engine, l, sizeof(l) / sizeof(l[0]));
	if (n == 0) {
		cmdline_printf(cl, "no listeners\n");
		return;
	}
	cmdline_printf(cl, "%-6s %-8s %10s  %s\n", "Port", "Service", "Body", "Connection");
	for (unsigned i = 0; i < n; i++) {
		if (l[i].service == SYNACK_SVC_HTTP)
			cmdline_printf(cl, "%-6u %-8s %10u  %s\n", l[i].port, synack_service_name(l[i].service),
				       l[i].body_size, l[i].keepalive ? "keep-alive" : "close");
		else
			cmdline_printf(cl, "%-6u %-8s %10s  %s\n", l[i].port, synack_service_name(l[i].service), "-",
				       "-");
	}
}

static cmdline_parse_inst_t cmd_show_listeners = {
	.f = show_listeners_cb,
	.help_str = "show listeners: the ports served and how",
	.tokens = { (void *)&show_listeners_tok_show, (void *)&show_listeners_tok_what, NULL },
};

/* ---- the family ---- */

static const struct console_usage listen_usage[] = {
	{ "listen <port> echo|discard|http|rr [body <bytes>] [keepalive]",
	  "serve a port; body and keepalive are for http and rr (without keepalive, the first answer closes)" },
	{ "unlisten <port>", "stop accepting connections on a port" },
	{ "show listeners", "the ports served and how" },
	{ NULL, NULL },
};

static cmdline_parse_inst_t *const listen_insts[] = {
	&cmd_listen, &cmd_listen_ka, &cmd_listen_body, &cmd_listen_body_ka, &cmd_unlisten, &cmd_show_listeners, NULL,
};

const struct console_family console_listen_family = {
	.usage = listen_usage,
	.insts = listen_insts,
};
