/* console_stats.c: the counters family: every worker's counters side by side with their total
 * (show stats), and the ports' own counters as the NIC reports them (show port stats). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_string.h>

#include "console.h"
#include "net/parse.h"
#include "net/seg_fmt.h"
#include "tcp/state.h"
#include "tcp/tcp.h"

/* ---- show stats ---- */

#define N_PARSE (sizeof(((struct synack_core_stats *)0)->drop_parse) / sizeof(uint64_t))
#define N_STATE (sizeof(((struct synack_core_stats *)0)->per_state) / sizeof(uint64_t))

/* The fields of struct synack_core_stats, in its order. The two arrays become one row per entry,
 * named by what their index means. */
enum stat_kind { STAT_ONE, STAT_BY_PARSE_ERR, STAT_BY_STATE };
#define F(x) { #x, offsetof(struct synack_core_stats, x), STAT_ONE, 1 }
static const struct {
	const char *name;
	size_t off;
	enum stat_kind kind;
	unsigned n;
} stat_fields[] = {
	F(rx_pkts), F(tx_pkts), F(rx_bytes), F(tx_bytes), F(rx_arp), F(rx_icmp), F(rx_tcp), F(rx_other),
	F(tx_arp), F(tx_icmp), F(tx_dropped),
	{ "drop_parse", offsetof(struct synack_core_stats, drop_parse), STAT_BY_PARSE_ERR, N_PARSE },
	F(drop_not_ours), F(drop_no_mbuf), F(drop_no_sendbuf), F(drop_pool_full), F(drop_tw_full), F(tw_evicted), F(drop_synrcv_evicted),
	F(handoff_out), F(handoff_in), F(handoff_drops), F(conns_opened), F(conns_accepted), F(conns_failed), F(conns_closed),
	F(arp_misses), F(arp_failed), F(conns_completed), F(load_no_port), F(rx_held), F(rx_held_copied), F(acks_delayed), F(delacks_sent), F(actions_overflow), F(timers_fired), F(loops), F(busy_loops), F(busy_cycles),
	F(conns_in_use), F(tw_in_use), F(synrcv_in_use), F(timers_armed),
	{ "state", offsetof(struct synack_core_stats, per_state), STAT_BY_STATE, N_STATE },
};
#undef F
#define N_FIELDS (sizeof(stat_fields) / sizeof(stat_fields[0]))
#define N_ROWS_MAX (N_FIELDS - 2 + N_PARSE + N_STATE)

/* "Every counter" must stay true: a field added to the struct without a row here stops the build. */
_Static_assert(sizeof(struct synack_core_stats) == N_ROWS_MAX * sizeof(uint64_t),
	       "struct synack_core_stats changed: list its new fields in stat_fields[]");

struct show_stats_res {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
};

static cmdline_parse_token_string_t show_stats_tok_show = TOKEN_STRING_INITIALIZER(struct show_stats_res, show, "show");
static cmdline_parse_token_string_t show_stats_tok_port = TOKEN_STRING_INITIALIZER(struct show_stats_res, port, "port");
static cmdline_parse_token_string_t show_stats_tok_stats =
	TOKEN_STRING_INITIALIZER(struct show_stats_res, stats, "stats");

static void show_stats_cb(void *parsed, struct cmdline *cl, void *data)
{
	static struct synack_core_stats st[SYNACK_MAX_WORKERS + 1];
	/* Names built here live as long as the rows that point at them. */
	static char names[N_PARSE + N_STATE][48];
	static struct synack_tcp_stats ts[SYNACK_MAX_WORKERS + 1];
	static char tnames[SYNACK_TCP_STATS_COUNT][48];
	struct console_row rows[N_ROWS_MAX + SYNACK_TCP_STATS_COUNT];
	unsigned nw = console_workers(), nrows = 0, nnames = 0;

	(void)parsed;
	(void)data;
	for (unsigned w = 0; w < nw; w++)
		synack_stats(console_state.engine, w, &st[w]);
	synack_stats_total(console_state.engine, &st[nw]);

	for (unsigned f = 0; f < N_FIELDS; f++) {
		for (unsigned k = 0; k < stat_fields[f].n; k++) {
			struct console_row *r = &rows[nrows];
			size_t off = stat_fields[f].off + k * sizeof(uint64_t);
			bool any = false;
			for (unsigned w = 0; w <= nw; w++) {
				memcpy(&r->v[w], (const char *)&st[w] + off, sizeof(uint64_t));
				any |= r->v[w] != 0;
			}
			if (!any)
				continue;
			switch (stat_fields[f].kind) {
			case STAT_ONE:
				r->name = stat_fields[f].name;
				break;
			case STAT_BY_PARSE_ERR:
				/* Index = enum synack_parse_err, named by the parser itself. */
				snprintf(names[nnames], sizeof(names[0]), "drop_parse.%s",
					 synack_parse_err_name((enum synack_parse_err)k));
				r->name = names[nnames++];
				break;
			case STAT_BY_STATE:
				snprintf(names[nnames], sizeof(names[0]), "state.%s", synack_state_name(k));
				r->name = names[nnames++];
				break;
			}
			nrows++;
		}
	}
	/* The protocol core's counters, named by the core's own list (tcp.handshakes, ...). */
	for (unsigned w = 0; w < nw; w++)
		synack_tcp_counters(console_state.engine, w, &ts[w]);
	synack_tcp_counters_total(console_state.engine, &ts[nw]);
	for (unsigned k = 0; k < SYNACK_TCP_STATS_COUNT; k++) {
		struct console_row *r = &rows[nrows];
		bool any = false;
		for (unsigned w = 0; w <= nw; w++) {
			memcpy(&r->v[w], (const char *)&ts[w] + k * sizeof(uint64_t), sizeof(uint64_t));
			any |= r->v[w] != 0;
		}
		if (!any)
			continue;
		snprintf(tnames[k], sizeof(tnames[0]), "tcp.%s", synack_tcp_stat_name(k));
		r->name = tnames[k];
		nrows++;
	}
	if (nrows == 0) {
		cmdline_printf(cl, "every counter is zero on every worker\n");
		return;
	}
	console_print_table(cl, "counter", rows, nrows, nw);
}

static cmdline_parse_inst_t cmd_show_stats = {
	.f = show_stats_cb,
	.help_str = "show stats: every non-zero counter of every worker, and the total",
	.tokens = { (void *)&show_stats_tok_show, (void *)&show_stats_tok_stats, NULL },
};

/* ---- show port stats ---- */

static void show_port_stats_cb(void *parsed, struct cmdline *cl, void *data)
{
	unsigned n = synack_ports(console_state.engine);

	(void)parsed;
	(void)data;
	if (n == 0) {
		cmdline_printf(cl, "no ports\n");
		return;
	}
	for (unsigned p = 0; p < n; p++) {
		struct synack_port_stats s;
		char ip[16];
		if (synack_port_stats(console_state.engine, p, &s) != 0) {
			console_fail(cl, "show port stats: port %u has no counters", p);
			continue;
		}
		const uint8_t *m = s.mac;
		cmdline_printf(cl, "port %u: %s (%s) %s/%u %02x:%02x:%02x:%02x:%02x:%02x\n", p, s.name, s.driver,
			       synack_ip4_str(ip, s.ip), s.prefix, m[0], m[1], m[2], m[3], m[4], m[5]);
		/* Receive and transmit lines share column widths so that the numbers line up. */
		char a[24], b[24];
		int wp = snprintf(a, sizeof(a), "%llu", (unsigned long long)s.ipackets);
		int wo = snprintf(b, sizeof(b), "%llu", (unsigned long long)s.opackets);
		wp = wp > wo ? wp : wo;
		int wb = snprintf(a, sizeof(a), "%llu", (unsigned long long)s.ibytes);
		int wq = snprintf(b, sizeof(b), "%llu", (unsigned long long)s.obytes);
		wb = wb > wq ? wb : wq;
		int we = snprintf(a, sizeof(a), "%llu", (unsigned long long)s.ierrors);
		int wr = snprintf(b, sizeof(b), "%llu", (unsigned long long)s.oerrors);
		we = we > wr ? we : wr;
		cmdline_printf(cl, "  ipackets %-*llu  ibytes %-*llu  ierrors %-*llu  imissed %llu  rx_nombuf %llu\n", wp,
			       (unsigned long long)s.ipackets, wb, (unsigned long long)s.ibytes, we,
			       (unsigned long long)s.ierrors, (unsigned long long)s.imissed,
			       (unsigned long long)s.rx_nombuf);
		cmdline_printf(cl, "  opackets %-*llu  obytes %-*llu  oerrors %llu\n", wp, (unsigned long long)s.opackets,
			       wb, (unsigned long long)s.obytes, (unsigned long long)s.oerrors);
	}
}

static cmdline_parse_inst_t cmd_show_port_stats = {
	.f = show_port_stats_cb,
	.help_str = "show port stats: packets, bytes, errors, misses and mbuf shortages of each port",
	.tokens = { (void *)&show_stats_tok_show, (void *)&show_stats_tok_port, (void *)&show_stats_tok_stats, NULL },
};

/* ---- the family ---- */

static const struct console_usage stats_usage[] = {
	{ "show stats", "every non-zero counter of every worker, and the total" },
	{ "show port stats", "packets, bytes, errors, misses and mbuf shortages of each port" },
	{ NULL, NULL },
};

static cmdline_parse_inst_t *const stats_insts[] = { &cmd_show_stats, &cmd_show_port_stats, NULL };

const struct console_family console_stats_family = {
	.usage = stats_usage,
	.insts = stats_insts,
};
