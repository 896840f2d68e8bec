/* tuplespace.c: the reckoning of tuplespace.h, and the advice line. Each suggested change is
 * computed from the same need function as the check and verified against it, so that the number
 * printed is one the check would pass. */
#include "load/tuplespace.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* The usual range a source port can span (the ports below 1024 are privileged). */
#define SPORT_SPAN_MAX (65535u - 1024u + 1u)

/* x rounded up, where x a hair above an integer from the shares' rounding (1/3 x 3000) counts as
 * that integer. */
static uint64_t ceil_u64(double x)
{
	if (!(x > 0))
		return 0;
	if (x >= 18446744073709549568.0)
		return UINT64_MAX;
	double r = nearbyint(x);
	if (fabs(x - r) <= 1e-9 * (r > 1 ? r : 1))
		return (uint64_t)r;
	return (uint64_t)ceil(x);
}

static double share_of(const struct synack_tuplespace_in *in, unsigned d)
{
	return in->dst_share ? in->dst_share[d] : 1.0 / in->ndst;
}

static uint64_t ports_of(const struct synack_tuplespace_in *in)
{
	return in->sport_hi >= in->sport_lo ? (uint64_t)in->sport_hi - in->sport_lo + 1 : 0;
}

static bool holds_time_wait(const struct synack_tuplespace_in *in)
{
	return in->client_time_wait && in->rate > 0;
}

static uint64_t time_wait_of(double rate, double share, unsigned msl_s)
{
	return ceil_u64(rate * share * 2.0 * msl_s);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static void fill(const struct synack_tuplespace_in *in, unsigned d, struct synack_tuplespace_dst *o)
{
	double share = share_of(in, d);
	o->available = sat_mul(in->src_addrs, ports_of(in));
	o->time_wait = holds_time_wait(in) ? time_wait_of(in->rate, share, in->msl_s) : 0;
	if (in->total && o->time_wait > ceil_u64((double)in->total * share))
		o->time_wait = ceil_u64((double)in->total * share);
	o->in_flight = ceil_u64((double)in->concurrency * share);
	o->needed = sat_add(o->time_wait, o->in_flight);
	o->ok = o->needed <= o->available;
}

int synack_tuplespace_check(const struct synack_tuplespace_in *in, struct synack_tuplespace_dst *out)
{
	int bad = 0;
	for (unsigned d = 0; d < in->ndst; d++) {
		fill(in, d, &out[d]);
		bad += !out[d].ok;
	}
	return bad;
}

/* The line is built in pieces; w keeps the length the whole would have, as snprintf does. */
struct line {
	char *buf;
	size_t len, w;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t at = l->w < l->len ? l->w : l->len;
	int n = vsnprintf(l->buf ? l->buf + at : NULL, l->len - at, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->w += (size_t)n;
}

/* 2400000 -> "2,400,000" */
static const char *num(char out[32], uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = 0;
	return out;
}

/* A rate: whole numbers with separators, a fraction of a connection a second to three figures. */
static const char *rate_str(char out[32], double r)
{
	if (r >= 1000 || r == floor(r))
		return num(out, (uint64_t)llround(r));
	snprintf(out, 32, "%.3g", r);
	return out;
}

/* The option list: "use A, or B, or C". */
static void option(struct line *l, unsigned *n)
{
	put(l, *n ? ", or " : ": use ");
	++*n;
}

size_t synack_tuplespace_advice(const struct synack_tuplespace_in *in, unsigned d, const char *dst_name,
				char *buf, size_t len)
{
	struct line l = { .buf = buf, .len = buf ? len : 0, .w = 0 };
	if (l.len)
		buf[0] = 0;
	if (d >= in->ndst)
		return 0;
	struct synack_tuplespace_dst o;
	fill(in, d, &o);
	double share = share_of(in, d);
	uint64_t ports = ports_of(in);
	char a[32], b[32], c[32];

	put(&l, "%s needs %s tuples (", dst_name, num(a, o.needed));
	if (holds_time_wait(in)) {
		if (in->ndst > 1)
			put(&l, "%s of the %s", rate_str(a, in->rate * share), rate_str(b, in->rate));
		else
			put(&l, "%s", rate_str(a, in->rate));
		if (in->total && o.time_wait < time_wait_of(in->rate, share, in->msl_s))
			put(&l, " conn/s, %s connections in all, each %u s in TIME-WAIT + %s in flight)",
			    num(b, o.time_wait), 2 * in->msl_s, num(c, o.in_flight));
		else
			put(&l, " conn/s x %u s TIME-WAIT + %s in flight)", 2 * in->msl_s, num(c, o.in_flight));
	} else {
		put(&l, "%s in flight; %s)", num(a, o.in_flight),
		    !in->client_time_wait ? "the client holds no TIME-WAIT" :
		    "closed loop: TIME-WAIT not counted");
	}
	put(&l, " %s %s (%s source address%s x ", o.ok ? "and has" : "but has", num(a, o.available),
	    num(b, in->src_addrs), in->src_addrs == 1 ? "" : "es");
	if (!ports)
		put(&l, "no ports: %u-%u is empty)", in->sport_lo, in->sport_hi);
	else if (ports == 1)
		put(&l, "port %u)", in->sport_lo);
	else
		put(&l, "ports %u-%u)", in->sport_lo, in->sport_hi);
	if (o.ok)
		return l.w;

	unsigned n = 0;
	if (ports) {
		uint64_t srcs = o.needed / ports + (o.needed % ports != 0);
		option(&l, &n);
		put(&l, "--src with at least %s addresses", num(a, srcs));
	}
	if (in->src_addrs) {
		uint64_t span = o.needed / in->src_addrs + (o.needed % in->src_addrs != 0);
		if (span > ports && span <= SPORT_SPAN_MAX) {
			option(&l, &n);
			put(&l, "a source port range of at least %s ports", num(a, span));
		}
	}
	if (o.time_wait && o.in_flight <= o.available) {
		/* --rate R: R share 2 MSL + in flight <= available */
		uint64_t room = o.available - o.in_flight;
		double r = (double)room / (2.0 * in->msl_s * share);
		r = r >= 1 ? floor(r) : floor(r * 1000) / 1000;
		while (r >= 1 && time_wait_of(r, share, in->msl_s) > room)
			r -= 1;
		if (r > 0) {
			option(&l, &n);
			put(&l, "--rate %s or lower", rate_str(a, r));
		}
		option(&l, &n);
		put(&l, "--close server|rst (the client then holds no TIME-WAIT)");
		/* --msl M: rate share 2 M + in flight <= available */
		double mf = (double)room / (2.0 * in->rate * share);
		unsigned m = mf >= in->msl_s ? in->msl_s : (unsigned)mf;
		while (m && time_wait_of(in->rate, share, m) > room)
			m--;
		if (m) {
			option(&l, &n);
			put(&l, "--msl %u or shorter", m);
		}
	}
	if (in->concurrency && o.time_wait < o.available) {
		/* --concurrency C: C share rounded up + TIME-WAIT <= available */
		uint64_t room = o.available - o.time_wait;
		double cf = (double)room / share;
		uint64_t cc = cf >= (double)in->concurrency ? in->concurrency : (uint64_t)cf;
		while (cc && ceil_u64((double)cc * share) > room)
			cc--;
		if (cc) {
			option(&l, &n);
			put(&l, "--concurrency %s or lower", num(a, cc));
		}
	}
	if (!n)
		put(&l, ": give it source addresses and ports");
	return l.w;
}
