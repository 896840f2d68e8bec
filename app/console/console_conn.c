/* console_conn.c: the connection family: opening connections (connect), the table of connections in
 * the manner of `ss -tan` (show conn), and how many sit in each state on each worker (show states:
 * where a CLOSE-WAIT leak or a TIME-WAIT pile-up shows first). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "net/seg_fmt.h"
#include "tcp/state.h"

/* ---- connect <ip> <port> [count <n>] [http] ---- */

struct connect_res {
	cmdline_fixed_string_t connect;
	cmdline_ipaddr_t ip;
	uint16_t port;
	cmdline_fixed_string_t count_kw;
	uint32_t count;
	cmdline_fixed_string_t http;
};

static cmdline_parse_token_string_t connect_tok_cmd =
	TOKEN_STRING_INITIALIZER(struct connect_res, connect, "connect");
static cmdline_parse_token_ipaddr_t connect_tok_ip = TOKEN_IPV4_INITIALIZER(struct connect_res, ip);
static cmdline_parse_token_num_t connect_tok_port = TOKEN_NUM_INITIALIZER(struct connect_res, port, RTE_UINT16);
static cmdline_parse_token_string_t connect_tok_count_kw =
	TOKEN_STRING_INITIALIZER(struct connect_res, count_kw, "count");
static cmdline_parse_token_num_t connect_tok_count = TOKEN_NUM_INITIALIZER(struct connect_res, count, RTE_UINT32);
static cmdline_parse_token_string_t connect_tok_http = TOKEN_STRING_INITIALIZER(struct connect_res, http, "http");

static void connect_cb(void *parsed, struct cmdline *cl, void *data)
{
	const struct connect_res *r = parsed;
	uint32_t ip = ntohl(r->ip.addr.ipv4.s_addr);
	uint32_t count = r->count_kw[0] ? r->count : 1;
	bool http = r->http[0] != '\0';
	char ips[16];

	(void)data;
	synack_ip4_str(ips, ip);
	/* No peer can answer from these: this network, loopback (never on a NIC), multicast and above. */
	if ((ip >> 24) == 0 || (ip >> 24) == 127 || (ip >> 28) >= 14) {
		console_arg_error(cl, &console_conn_family, "connect: %s is not a unicast peer address", ips);
		return;
	}
	if (r->port == 0) {
		console_arg_error(cl, &console_conn_family, "connect: port 0 is not a port (1-65535)");
		return;
	}
	if (count == 0) {
		console_arg_error(cl, &console_conn_family, "connect: count 0 opens nothing (1 or more)");
		return;
	}
	int rc = synack_connect(console_state.engine, ip, r->port, count, http ? "/" : NULL);
	if (rc) {
		console_fail(cl, "connect %s %u: %s", ips, r->port, console_strerror(rc));
		return;
	}
	cmdline_printf(cl, "opening %u connection%s to %s:%u%s\n", count, count == 1 ? "" : "s", ips, r->port,
		       http ? ", each sending GET / and closing after the response" : ", each closing once established");
}

static cmdline_parse_inst_t cmd_connect = {
	.f = connect_cb,
	.help_str = "connect <ip> <port>: open one connection, then close it",
	.tokens = { (void *)&connect_tok_cmd, (void *)&connect_tok_ip, (void *)&connect_tok_port, NULL },
};
static cmdline_parse_inst_t cmd_connect_count = {
	.f = connect_cb,
	.help_str = "connect <ip> <port> count <n>: open n connections over the workers",
	.tokens = { (void *)&connect_tok_cmd, (void *)&connect_tok_ip, (void *)&connect_tok_port,
		    (void *)&connect_tok_count_kw, (void *)&connect_tok_count, NULL },
};
static cmdline_parse_inst_t cmd_connect_http = {
	.f = connect_cb,
	.help_str = "connect <ip> <port> http: one connection sending GET /",
	.tokens = { (void *)&connect_tok_cmd, (void *)&connect_tok_ip, (void *)&connect_tok_port,
		    (void *)&connect_tok_http, NULL },
};
static cmdline_parse_inst_t cmd_connect_count_http = {
	.f = connect_cb,
	.help_str = "connect <ip> <port> count <n> http: n connections, each sending GET /",
	.tokens = { (void *)&connect_tok_cmd, (void *)&connect_tok_ip, (void *)&connect_tok_port,
		    (void *)&connect_tok_count_kw, (void *)&connect_tok_count, (void *)&connect_tok_http, NULL },
};

/* ---- show conn | show states ---- */

struct show_conn_res {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static cmdline_parse_token_string_t show_conn_tok_show = TOKEN_STRING_INITIALIZER(struct show_conn_res, show, "show");
static cmdline_parse_token_string_t show_conn_tok_conn = TOKEN_STRING_INITIALIZER(struct show_conn_res, what, "conn");
static cmdline_parse_token_string_t show_conn_tok_states =
	TOKEN_STRING_INITIALIZER(struct show_conn_res, what, "states");

/* Widths as ss uses them: "SYN-RECEIVED" is the longest state, "255.255.255.255:65535" the longest
 * address. */
#define CONN_FMT "%-12s %-6s %-6s %-21s %-21s %s\n"

static int print_conn(const struct synack_conn_info *c, void *arg)
{
	struct cmdline *cl = arg;
	char l[16], p[16], la[24], pa[24], rq[12], sq[12];

	snprintf(la, sizeof(la), "%s:%u", synack_ip4_str(l, c->laddr), c->lport);
	snprintf(pa, sizeof(pa), "%s:%u", synack_ip4_str(p, c->raddr), c->rport);
	snprintf(rq, sizeof(rq), "%u", c->recv_q);
	snprintf(sq, sizeof(sq), "%u", c->send_q);
	char w[8];
	snprintf(w, sizeof(w), "%u", c->worker);
	cmdline_printf(cl, CONN_FMT, synack_state_name(c->state), rq, sq, la, pa, w);
	return 0;
}

static void show_conn_cb(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_printf(cl, CONN_FMT, "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Worker");
	synack_conn_foreach(console_state.engine, print_conn, cl);
}

static void show_states_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct console_row rows[SYNACK_STATE_COUNT + 1];
	unsigned nw = console_workers();

	(void)parsed;
	(void)data;
	memset(rows, 0, sizeof(rows));
	for (unsigned s = 0; s < SYNACK_STATE_COUNT; s++)
		rows[s].name = synack_state_name(s);
	rows[SYNACK_STATE_COUNT].name = "all";
	for (unsigned w = 0; w < nw; w++) {
		struct synack_core_stats st;
		synack_stats(console_state.engine, w, &st);
		for (unsigned s = 0; s < SYNACK_STATE_COUNT; s++) {
			rows[s].v[w] = st.per_state[s];
			rows[s].v[nw] += st.per_state[s];
			rows[SYNACK_STATE_COUNT].v[w] += st.per_state[s];
			rows[SYNACK_STATE_COUNT].v[nw] += st.per_state[s];
		}
	}
	console_print_table(cl, "State", rows, SYNACK_STATE_COUNT + 1, nw);
}

static cmdline_parse_inst_t cmd_show_conn = {
	.f = show_conn_cb,
	.help_str = "show conn: every connection, as ss -tan shows them, with its worker",
	.tokens = { (void *)&show_conn_tok_show, (void *)&show_conn_tok_conn, NULL },
};
static cmdline_parse_inst_t cmd_show_states = {
	.f = show_states_cb,
	.help_str = "show states: connections per state per worker",
	.tokens = { (void *)&show_conn_tok_show, (void *)&show_conn_tok_states, NULL },
};

static cmdline_parse_token_string_t show_conn_tok_response =
	TOKEN_STRING_INITIALIZER(struct show_conn_res, what, "response");

/* The reply the first connection of the last connect received: how a test or an operator checks
 * what a peer served (its first 1 KB, non-printing bytes escaped). */
static void show_response_cb(void *parsed, struct cmdline *cl, void *data)
{
	char buf[1024], line[4200];
	(void)parsed;
	(void)data;
	size_t n = synack_last_response(console_state.engine, buf, sizeof(buf));
	if (!n) {
		cmdline_printf(cl, "no response recorded yet\n");
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < n && k + 5 < sizeof(line); i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch == '\n' || (ch >= 32 && ch < 127))
			line[k++] = (char)ch;
		else if (ch != '\r')
			k += (size_t)snprintf(line + k, sizeof(line) - k, "\\x%02x", ch);
	}
	line[k] = 0;
	cmdline_printf(cl, "%s%s", line, k && line[k - 1] == '\n' ? "" : "\n");
}

static cmdline_parse_inst_t cmd_show_response = {
	.f = show_response_cb,
	.help_str = "show response: what the first connection of the last connect received (1 KB)",
	.tokens = { (void *)&show_conn_tok_show, (void *)&show_conn_tok_response, NULL },
};

/* ---- the family ---- */

static const struct console_usage conn_usage[] = {
	{ "connect <ip> <port> [count <n>] [http]",
	  "open n connections (default 1); http: each sends GET / and reads the reply" },
	{ "show conn", "every connection, as ss -tan shows them, and its worker" },
	{ "show states", "connections per state per worker: where CLOSE-WAIT and TIME-WAIT pile up" },
	{ "show response", "what the first connection of the last connect received" },
	{ NULL, NULL },
};

static cmdline_parse_inst_t *const conn_insts[] = {
	&cmd_connect, &cmd_connect_count, &cmd_connect_http, &cmd_connect_count_http, &cmd_show_conn, &cmd_show_states,
	&cmd_show_response,
	NULL,
};

const struct console_family console_conn_family = {
	.usage = conn_usage,
	.insts = conn_insts,
};
