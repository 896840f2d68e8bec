/* fake_app_api.c: synack_app.h's engine functions on plain memory (see fake_app_api.h). Only one
 * thing is not plain: the log, a line of what the application did, in order. */
#include "fake_app_api.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint64_t fake_now;
static uint64_t timer_deadline;         /* one armed timer at a time is all a test needs */

static void logf_(struct synack_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct synack_conn *c, const char *fmt, ...)
{
	size_t n = strlen(c->log);
	if (n && n + 2 < sizeof(c->log)) {
		memcpy(c->log + n, "; ", 3);
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->log + n, sizeof(c->log) - n, fmt, ap);
	va_end(ap);
}

const char *fake_outcome_word(enum synack_outcome o)
{
	static const char *const w[SYNACK_OUT_COUNT] = {
		"none", "ok", "connect-timeout", "refused", "reset", "response-timeout", "bad-response",
		"short-response", "other",
	};
	return (unsigned)o < SYNACK_OUT_COUNT ? w[o] : "?";
}

void fake_conn_init(struct synack_conn *c, const struct synack_app *app, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->app = app;
	c->arg = arg;
	c->laddr = 0xc6120001u;
	c->raddr = 0xc6130001u;
	c->lport = 10000;
	c->rport = 80;
	c->send_space = FAKE_SEND_MAX;
	c->has_send_ring = app->needs_send_ring;
}

void fake_log_clear(struct synack_conn *c) { c->log[0] = '\0'; }

static bool gone(const struct synack_conn *c) { return c->aborts > 0; }

void fake_connected(struct synack_conn *c)
{
	memset(c->ctx, 0, sizeof(c->ctx));
	if (c->app->connected)
		c->app->connected(c);
}

void fake_accepted(struct synack_conn *c)
{
	memset(c->ctx, 0, sizeof(c->ctx));
	if (c->app->accepted)
		c->app->accepted(c);
}

uint32_t fake_data(struct synack_conn *c, const void *d, uint32_t n)
{
	if (gone(c) || !c->app->data)
		return n;
	uint32_t r = c->app->data(c, d, n);
	if (r > n)
		logf_(c, "data returned %u of %u", r, n);
	return r;
}

uint32_t fake_data_str(struct synack_conn *c, const char *s) { return fake_data(c, s, (uint32_t)strlen(s)); }

void fake_peer_closed(struct synack_conn *c)
{
	if (!gone(c) && c->app->peer_closed)
		c->app->peer_closed(c);
}

bool fake_timer_fire(struct synack_conn *c)
{
	if (!c->timer_armed || gone(c))
		return false;
	c->timer_armed = false;
	if (timer_deadline > fake_now)
		fake_now = timer_deadline;
	if (c->app->timer)
		c->app->timer(c);
	return true;
}

void fake_closed(struct synack_conn *c, enum synack_close_reason reason)
{
	if (c->app->closed)
		c->app->closed(c, reason);
}

void fake_fill(struct synack_conn *c, uint32_t off, uint8_t *dst, uint32_t len)
{
	c->app->fill(c, off, dst, len);
}

/* The engine's functions. */

int synack_conn_send(struct synack_conn *c, const void *d, uint32_t n)
{
	if (gone(c) || c->closes)
		return -EPIPE;
	if (!c->has_send_ring)
		return -ENOBUFS;
	uint32_t take = n < c->send_space ? n : c->send_space;
	if (take > FAKE_SEND_MAX - c->nsent)
		take = FAKE_SEND_MAX - c->nsent;
	memcpy(c->sent + c->nsent, d, take);
	c->nsent += take;
	c->send_space -= take;
	logf_(c, "send %u", take);
	return (int)take;
}

uint32_t synack_conn_send_space(const struct synack_conn *c) { return c->has_send_ring ? c->send_space : 0; }

int synack_conn_send_gen(struct synack_conn *c, uint32_t n)
{
	if (gone(c) || c->closes)
		return -EPIPE;
	if (c->send_gen_rc) {
		logf_(c, "gen %u refused", n);
		return c->send_gen_rc;
	}
	c->queued += n;
	c->gens++;
	logf_(c, "gen %u", n);
	return (int)n;
}

int synack_conn_close(struct synack_conn *c)
{
	if (gone(c))
		return -ENOTCONN;
	c->closes++;
	logf_(c, "close");
	return 0;
}

void synack_conn_abort(struct synack_conn *c)
{
	c->aborts++;
	c->timer_armed = false;
	logf_(c, "abort");
}

int synack_conn_keepalive(struct synack_conn *c, int on)
{
	c->keepalive = on;
	logf_(c, "keepalive %d", on);
	return 0;
}

int synack_conn_timer(struct synack_conn *c, uint32_t ms)
{
	if (!ms) {
		c->timer_cancels++;
		c->timer_armed = false;
		logf_(c, "timer off");
		return 0;
	}
	c->timer_armed = true;
	c->timer_ms = ms;
	c->timer_arms++;
	timer_deadline = fake_now + (uint64_t)ms * 1000000u;
	logf_(c, "timer %u", ms);
	return 0;
}

void *synack_conn_ctx(struct synack_conn *c) { return c->ctx; }
uint64_t *synack_conn_user(struct synack_conn *c) { return &c->user; }
void *synack_conn_arg(const struct synack_conn *c) { return c->arg; }
void *synack_conn_listener_arg(const struct synack_conn *c) { return c->listener_arg; }
unsigned synack_conn_worker(const struct synack_conn *c)
{
	(void)c;
	return 0;
}

void synack_conn_tuple(const struct synack_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
		       uint16_t *rport)
{
	*laddr = c->laddr;
	*lport = c->lport;
	*raddr = c->raddr;
	*rport = c->rport;
}

uint64_t synack_now_ns(void) { return fake_now; }

void synack_conn_outcome(struct synack_conn *c, enum synack_outcome o)
{
	c->outcome_reports++;
	if (c->outcome == SYNACK_OUT_NONE && o > SYNACK_OUT_NONE && o < SYNACK_OUT_COUNT)
		c->outcome = o;
	logf_(c, "%s", fake_outcome_word(o));
}

void synack_conn_mark(struct synack_conn *c, enum synack_mark m)
{
	if ((unsigned)m >= SYNACK_MARK_COUNT)
		return;
	if (!c->marks[m]++)
		c->mark_ns[m] = fake_now;
	logf_(c, "mark %s", m == SYNACK_MARK_FIRST_BYTE ? "first" : "done");
}

void synack_conn_count_request(struct synack_conn *c)
{
	c->requests++;
	logf_(c, "req");
}

int synack_listen_app(struct synack_engine *e, uint16_t port, const struct synack_app *app, void *arg)
{
	(void)e;
	(void)port;
	(void)app;
	(void)arg;
	return 0;
}
