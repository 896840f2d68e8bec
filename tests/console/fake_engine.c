/* fake_engine.c: every function of lib/synack.h over in-memory data, so that synack-console can be
 * built, run and tested without DPDK ports, hugepages or root: two workers holding a dozen
 * connections across the states, counters (some parse drops among them), one port. Control calls
 * change the data the way the real engine would (listen adds a listener, connect adds SYN-SENT
 * entries) and say what they received on stderr, where the test reads it.
 * A config path starting with "fail" makes synack_engine_start fail, to test that path too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/parse.h"
#include "synack.h"
#include "tcp/tcp.h"
#include "tcp/state.h"

#define FAKE_WORKERS 2
#define FAKE_MAX_CONNS 64
#define FAKE_MAX_LISTENERS 64

/* 198.18.0.2 (us) and 198.18.0.1 (the peer), host byte order. */
#define US   ((198u << 24) | (18u << 16) | 2u)
#define PEER ((198u << 24) | (18u << 16) | 1u)

struct synack_engine {
	struct synack_conn_info conns[FAKE_MAX_CONNS];
	unsigned nconns;
	struct synack_listener_info lst[FAKE_MAX_LISTENERS];
	unsigned nlst;
	struct synack_core_stats stats[FAKE_WORKERS];
	uint32_t msl_s;
	uint16_t next_port;
};

const char *synack_service_name(unsigned s)
{
	static const char *const n[SYNACK_SVC_COUNT] = { "echo", "discard", "http" };
	return s < SYNACK_SVC_COUNT ? n[s] : "?";
}

static void add_conn(struct synack_engine *e, unsigned worker, unsigned state, uint32_t laddr, uint16_t lport,
		     uint32_t raddr, uint16_t rport, uint32_t recv_q, uint32_t send_q)
{
	if (e->nconns == FAKE_MAX_CONNS)
		return;
	struct synack_conn_info *c = &e->conns[e->nconns++];
	memset(c, 0, sizeof(*c));
	c->laddr = laddr;
	c->lport = lport;
	c->raddr = raddr;
	c->rport = rport;
	c->state = (uint8_t)state;
	c->worker = (uint8_t)worker;
	c->recv_q = recv_q;
	c->send_q = send_q;
	c->rto_ms = 200;
	e->stats[worker].per_state[state]++;
	e->stats[worker].conns_in_use += state != SYNACK_TIME_WAIT;
	e->stats[worker].tw_in_use += state == SYNACK_TIME_WAIT;
}

struct synack_engine *synack_engine_start(const struct synack_start_opts *o, char *err, size_t errlen)
{
	if (!o || !o->config_path) {
		snprintf(err, errlen, "no drivers-config file given");
		return NULL;
	}
	if (!strncmp(o->config_path, "fail", 4)) {
		snprintf(err, errlen, "fake engine: %s: cannot start (this fake fails on purpose)", o->config_path);
		return NULL;
	}
	struct synack_engine *e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fprintf(stderr, "fake engine: start config=%s", o->config_path);
	for (const char *const *s = o->sets; s && *s; s++)
		fprintf(stderr, " set=%s", *s);
	fprintf(stderr, " file-prefix=%s huge=%d mem=%u lcores=%s\n", o->file_prefix ? o->file_prefix : "-", o->huge,
		o->mem_mb, o->lcores ? o->lcores : "-");
	e->msl_s = 60;
	e->next_port = 49152;

	/* Worker 0 serves port 80: a few clients in various stages. */
	add_conn(e, 0, SYNACK_ESTABLISHED, US, 80, PEER, 40001, 0, 0);
	add_conn(e, 0, SYNACK_ESTABLISHED, US, 80, PEER, 40002, 512, 1448);
	add_conn(e, 0, SYNACK_SYN_RECEIVED, US, 80, PEER, 40003, 0, 0);
	add_conn(e, 0, SYNACK_CLOSE_WAIT, US, 80, PEER, 40004, 0, 0);
	add_conn(e, 0, SYNACK_CLOSE_WAIT, US, 80, PEER, 40005, 17, 0);
	add_conn(e, 0, SYNACK_LAST_ACK, US, 80, PEER, 40006, 0, 1);
	/* Worker 1 opened connections of its own, now closing. */
	add_conn(e, 1, SYNACK_FIN_WAIT_1, US, 49153, PEER, 8080, 0, 1);
	add_conn(e, 1, SYNACK_FIN_WAIT_2, US, 49154, PEER, 8080, 0, 0);
	add_conn(e, 1, SYNACK_CLOSING, US, 49155, PEER, 8080, 0, 1);
	add_conn(e, 1, SYNACK_TIME_WAIT, US, 49156, PEER, 8080, 0, 0);
	add_conn(e, 1, SYNACK_TIME_WAIT, US, 49157, PEER, 8080, 0, 0);
	add_conn(e, 1, SYNACK_TIME_WAIT, US, 49158, PEER, 8080, 0, 0);

	for (unsigned w = 0; w < FAKE_WORKERS; w++) {
		struct synack_core_stats *s = &e->stats[w];
		s->rx_pkts = 1000 + w;
		s->tx_pkts = 900 + w;
		s->rx_bytes = 64000 + w;
		s->tx_bytes = 58000 + w;
		s->rx_arp = 2;
		s->tx_arp = 1;
		s->rx_tcp = 998 + w;
		s->conns_opened = 10 * (w + 1);
		s->conns_closed = 4;
		s->loops = 123456789;
		s->busy_loops = 4567;
	}
	e->stats[0].drop_parse[SYNACK_PARSE_IP_FRAGMENT] = 3;
	e->stats[1].drop_parse[SYNACK_PARSE_TCP_CSUM] = 5;
	e->stats[1].drop_not_ours = 7;
	return e;
}

void synack_engine_stop(struct synack_engine *e)
{
	if (!e)
		return;
	fprintf(stderr, "fake engine: stopped\n");
	free(e);
}

unsigned synack_workers(const struct synack_engine *e)
{
	(void)e;
	return FAKE_WORKERS;
}

int synack_listen(struct synack_engine *e, uint16_t port, enum synack_service svc, uint32_t body_size, bool keepalive)
{
	if (port == 0 || (unsigned)svc >= SYNACK_SVC_COUNT)
		return -EINVAL;
	fprintf(stderr, "fake engine: listen port=%u service=%s body=%u keepalive=%d\n", port, synack_service_name(svc),
		body_size, keepalive);
	struct synack_listener_info *l = NULL;
	for (unsigned i = 0; i < e->nlst; i++)
		if (e->lst[i].port == port)
			l = &e->lst[i];
	if (!l) {
		if (e->nlst == FAKE_MAX_LISTENERS)
			return -ENOSPC;
		l = &e->lst[e->nlst++];
	}
	l->port = port;
	l->service = (uint8_t)svc;
	l->keepalive = keepalive;
	l->body_size = body_size;
	return 0;
}

int synack_unlisten(struct synack_engine *e, uint16_t port)
{
	for (unsigned i = 0; i < e->nlst; i++) {
		if (e->lst[i].port == port) {
			e->lst[i] = e->lst[--e->nlst];
			fprintf(stderr, "fake engine: unlisten port=%u\n", port);
			return 0;
		}
	}
	return -ENOENT;
}

int synack_connect(struct synack_engine *e, uint32_t ip, uint16_t port, uint32_t count, const char *http_path)
{
	if (port == 0 || count == 0)
		return -EINVAL;
	fprintf(stderr, "fake engine: connect ip=%u.%u.%u.%u port=%u count=%u http=%s\n", ip >> 24, (ip >> 16) & 0xff,
		(ip >> 8) & 0xff, ip & 0xff, port, count, http_path ? http_path : "(none)");
	/* Like the engine, spread over the workers; each new connection starts in SYN-SENT. */
	for (uint32_t i = 0; i < count && e->nconns < FAKE_MAX_CONNS; i++)
		add_conn(e, i % FAKE_WORKERS, SYNACK_SYN_SENT, US, e->next_port++, ip, port, 0, 1);
	return 0;
}

/* A load: said on stderr; its connections all complete at once (the counters say so). */
static struct synack_load_counters fake_lc;

int synack_load_start(struct synack_engine *e, const struct synack_load *l)
{
	(void)e;
	if (!l || !l->ndst || !l->nscripts)
		return -EINVAL;
	const struct synack_load_dst *d = &l->dst[0];
	fprintf(stderr, "fake engine: load dst=%u.%u.%u.%u:%u ndst=%u scripts=%u rate=%.0f concurrency=%llu count=%llu\n",
		d->ip >> 24, (d->ip >> 16) & 0xff, (d->ip >> 8) & 0xff, d->ip & 0xff, d->port, l->ndst, l->nscripts,
		l->rate, (unsigned long long)l->concurrency, (unsigned long long)l->count);
	uint64_t n = l->count ? l->count : 100;
	fake_lc.started += n;
	fake_lc.completed += n;
	fake_lc.to_start = 0;
	return 0;
}

int synack_load_stop(struct synack_engine *e)
{
	(void)e;
	fprintf(stderr, "fake engine: load stop\n");
	return 0;
}

void synack_load_counters(const struct synack_engine *e, unsigned worker, unsigned script,
			  struct synack_load_counters *out)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if ((worker == SYNACK_LOAD_ALL || worker == 0) && (script == SYNACK_LOAD_ALL || script == 0))
		*out = fake_lc;
}

void synack_load_hist(const struct synack_engine *e, unsigned script, enum synack_lat k, bool corrected,
		      struct synack_hist *out)
{
	(void)e;
	(void)script;
	(void)k;
	(void)corrected;
	(void)out;
}

int synack_set_msl(struct synack_engine *e, uint32_t msl_s)
{
	if (msl_s == 0 || msl_s > 3600)
		return -EINVAL;
	e->msl_s = msl_s;
	fprintf(stderr, "fake engine: msl=%u\n", msl_s);
	return 0;
}

void synack_stats(const struct synack_engine *e, unsigned worker, struct synack_core_stats *out)
{
	if (worker < FAKE_WORKERS)
		*out = e->stats[worker];
	else
		memset(out, 0, sizeof(*out));
}

void synack_stats_total(const struct synack_engine *e, struct synack_core_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < FAKE_WORKERS; w++) {
		const uint64_t *x = (const uint64_t *)&e->stats[w];
		uint64_t *d = (uint64_t *)out;
		for (size_t k = 0; k < sizeof(*out) / sizeof(uint64_t); k++)
			d[k] += x[k];
	}
}

unsigned synack_conn_foreach(const struct synack_engine *e, int (*fn)(const struct synack_conn_info *, void *),
			     void *arg)
{
	unsigned n = 0;
	/* Worker by worker, as the engine walks them. */
	for (unsigned w = 0; w < FAKE_WORKERS; w++) {
		for (unsigned i = 0; i < e->nconns; i++) {
			if (e->conns[i].worker != w)
				continue;
			n++;
			if (fn(&e->conns[i], arg))
				return n;
		}
	}
	return n;
}

unsigned synack_ports(const struct synack_engine *e)
{
	(void)e;
	return 1;
}

int synack_port_stats(const struct synack_engine *e, unsigned port, struct synack_port_stats *out)
{
	(void)e;
	if (port != 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "port0");
	snprintf(out->driver, sizeof(out->driver), "net_tap");
	out->ip = US;
	out->prefix = 24;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x12, 0x00, 0x02 };
	memcpy(out->mac, mac, sizeof(mac));
	out->ipackets = 2001;
	out->opackets = 1801;
	out->ibytes = 128001;
	out->obytes = 116001;
	out->imissed = 4;
	out->ierrors = 1;
	out->oerrors = 0;
	out->rx_nombuf = 2;
	return 0;
}

unsigned synack_listeners(const struct synack_engine *e, struct synack_listener_info *out, unsigned max)
{
	unsigned n = 0;
	for (; n < e->nlst && n < max; n++)
		out[n] = e->lst[n];
	return n;
}

void synack_tcp_counters(const struct synack_engine *e, unsigned worker, struct synack_tcp_stats *out)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	out->handshakes = 10 + worker;
	out->syn_in = 12 + worker;
}

void synack_tcp_counters_total(const struct synack_engine *e, struct synack_tcp_stats *out)
{
	struct synack_tcp_stats a;
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < synack_workers(e); w++) {
		synack_tcp_counters(e, w, &a);
		out->handshakes += a.handshakes;
		out->syn_in += a.syn_in;
	}
}

size_t synack_last_response(const struct synack_engine *e, char *buf, size_t len)
{
	static const char r[] = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	(void)e;
	size_t n = sizeof(r) - 1 < len ? sizeof(r) - 1 : len;
	memcpy(buf, r, n);
	return n;
}
