/* test_tuplespace.c: the tuple-space check before a load starts: exact reckonings, the boundary
 * between holding and not, and an advice line that names the numbers that would do, each of which
 * the check then passes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "load/tuplespace.h"

/* The case: 20,000 conn/s to one destination, MSL 60 s, 1,000 in flight, one source
 * address with ports 10000-65535. */
static struct synack_tuplespace_in base(void)
{
	return (struct synack_tuplespace_in){
		.ndst = 1, .dst_share = NULL, .src_addrs = 1, .sport_lo = 10000, .sport_hi = 65535,
		.rate = 20000, .concurrency = 1000, .msl_s = 60, .client_time_wait = true,
	};
}

/* The first destination's reckoning. */
static struct synack_tuplespace_dst one(const struct synack_tuplespace_in *in)
{
	struct synack_tuplespace_dst o[8];
	cr_assert_leq(in->ndst, 8);
	synack_tuplespace_check(in, o);
	return o[0];
}

Test(tuplespace, exact_arithmetic)
{
	struct synack_tuplespace_in in = base();
	struct synack_tuplespace_dst o;
	cr_assert_eq(synack_tuplespace_check(&in, &o), 1);
	cr_assert_eq(o.available, 55536);
	cr_assert_eq(o.time_wait, 2400000);
	cr_assert_eq(o.in_flight, 1000);
	cr_assert_eq(o.needed, 2401000);
	cr_assert(!o.ok);

	/* no TIME-WAIT on the client: in flight only */
	in.client_time_wait = false;
	cr_assert_eq(synack_tuplespace_check(&in, &o), 0);
	cr_assert_eq(o.needed, 1000);
	cr_assert(o.ok);

	/* closed loop: the concurrency only, TIME-WAIT or not */
	in = base();
	in.rate = 0;
	in.concurrency = 50000;
	o = one(&in);
	cr_assert_eq(o.time_wait, 0);
	cr_assert_eq(o.needed, 50000);
	cr_assert(o.ok);

	/* 16 sources x 64,512 ports */
	in = base();
	in.src_addrs = 16;
	in.sport_lo = 1024;
	o = one(&in);
	cr_assert_eq(o.available, 16 * 64512);
	cr_assert(!o.ok);
	in.src_addrs = 38;               /* 38 x 64,512 = 2,451,456 */
	cr_assert(one(&in).ok);

	/* a fraction of a connection a second still rounds up to whole tuples */
	in = base();
	in.rate = 0.5;
	in.msl_s = 1;
	in.concurrency = 0;
	cr_assert_eq(one(&in).needed, 1);
	in.rate = 0.3;
	cr_assert_eq(one(&in).needed, 1);

	/* an empty port range has nothing */
	in = base();
	in.sport_lo = 2000;
	in.sport_hi = 1999;
	cr_assert_eq(one(&in).available, 0);
	in.sport_hi = 2000;
	cr_assert_eq(one(&in).available, 1);
}

Test(tuplespace, shares)
{
	/* three destinations, the rate split 1/2, 1/3, 1/6; 60,000 conn/s, MSL 30 s, 3,000 in flight */
	static const double share[] = { 1.0 / 2, 1.0 / 3, 1.0 / 6 };
	struct synack_tuplespace_in in = base();
	in.ndst = 3;
	in.dst_share = share;
	in.rate = 60000;
	in.msl_s = 30;
	in.concurrency = 3000;
	in.src_addrs = 20;
	in.sport_lo = 1024;                             /* 20 x 64,512 = 1,290,240 each */
	struct synack_tuplespace_dst o[3];
	cr_assert_eq(synack_tuplespace_check(&in, o), 1);
	cr_assert_eq(o[0].needed, 1800000 + 1500);      /* 30,000/s x 60 s + 1,500 */
	cr_assert_eq(o[1].needed, 1200000 + 1000);      /* 20,000/s x 60 s + 1,000: no rounding up */
	cr_assert_eq(o[2].needed, 600000 + 500);
	cr_assert(!o[0].ok && o[1].ok && o[2].ok);

	/* equal shares when none are given */
	in.dst_share = NULL;
	cr_assert_eq(synack_tuplespace_check(&in, o), 0);
	for (int d = 0; d < 3; d++)
		cr_assert_eq(o[d].needed, 1200000 + 1000);
}

Test(tuplespace, boundary)
{
	/* needed == available holds, one more does not */
	struct synack_tuplespace_in in = base();
	in.rate = 100;
	in.msl_s = 60;                                  /* 12,000 in TIME-WAIT */
	in.concurrency = 536;
	in.sport_lo = 65535 - 12536 + 1;                /* 12,536 ports */
	struct synack_tuplespace_dst o = one(&in);
	cr_assert_eq(o.needed, 12536);
	cr_assert_eq(o.available, 12536);
	cr_assert(o.ok);
	in.concurrency = 537;
	cr_assert(!one(&in).ok);
	in.concurrency = 536;
	in.sport_lo++;
	cr_assert(!one(&in).ok);
	in.client_time_wait = false;
	cr_assert(one(&in).ok);
}

static void check_advice_passes(const struct synack_tuplespace_in *bad, const char *line)
{
	/* every number the line offers makes the check pass, applied on its own */
	const char *s;
	struct synack_tuplespace_in in;
	if ((s = strstr(line, "--src with at least "))) {
		in = *bad;
		in.src_addrs = strtoull(s + strlen("--src with at least "), NULL, 10);
		cr_assert(one(&in).ok, "%s", line);
		in.src_addrs--;
		cr_assert(!one(&in).ok, "%s: not the least", line);
	}
	if ((s = strstr(line, "--rate "))) {
		char num[32];
		size_t n = 0;
		for (s += strlen("--rate "); *s && *s != ' ' && n < sizeof(num) - 1; s++)
			if (*s != ',')
				num[n++] = *s;
		num[n] = 0;
		in = *bad;
		in.rate = strtod(num, NULL);
		cr_assert(one(&in).ok, "%s", line);
		in.rate += 1;
		cr_assert(!one(&in).ok, "%s: not the most", line);
	}
	if ((s = strstr(line, "--msl "))) {
		in = *bad;
		in.msl_s = (unsigned)strtoul(s + strlen("--msl "), NULL, 10);
		cr_assert(one(&in).ok, "%s", line);
		in.msl_s++;
		cr_assert(!one(&in).ok, "%s: not the longest", line);
	}
	if (strstr(line, "--close server|rst")) {
		in = *bad;
		in.client_time_wait = false;
		cr_assert(one(&in).ok, "%s", line);
	}
	if ((s = strstr(line, "--concurrency "))) {
		in = *bad;
		in.concurrency = strtoull(s + strlen("--concurrency "), NULL, 10);
		cr_assert(one(&in).ok, "%s", line);
	}
}

Test(tuplespace, advice_names_the_numbers)
{
	struct synack_tuplespace_in in = base();
	char line[512];
	size_t n = synack_tuplespace_advice(&in, 0, "198.18.0.1:80", line, sizeof(line));
	cr_assert_eq(n, strlen(line));
	cr_assert_str_eq(line,
			 "198.18.0.1:80 needs 2,401,000 tuples (20,000 conn/s x 120 s TIME-WAIT + 1,000 in flight) "
			 "but has 55,536 (1 source address x ports 10000-65535): use --src with at least 44 "
			 "addresses, or --rate 454 or lower, or --close server|rst (the client then holds no "
			 "TIME-WAIT), or --msl 1 or shorter");
	check_advice_passes(&in, line);

	/* a smaller shortfall: widen the ports, or lower the concurrency */
	in = base();
	in.rate = 400;                                  /* 48,000 in TIME-WAIT */
	in.concurrency = 10000;
	n = synack_tuplespace_advice(&in, 0, "198.18.0.2:8080", line, sizeof(line));
	cr_assert(strstr(line, "needs 58,000 tuples (400 conn/s x 120 s TIME-WAIT + 10,000 in flight)"), "%s", line);
	cr_assert(strstr(line, "--src with at least 2 addresses"), "%s", line);
	cr_assert(strstr(line, "a source port range of at least 58,000 ports"), "%s", line);
	cr_assert(strstr(line, "--rate 379 or lower"), "%s", line);
	cr_assert(strstr(line, "--msl 56 or shorter"), "%s", line);
	cr_assert(strstr(line, "--concurrency 7,536 or lower"), "%s", line);
	check_advice_passes(&in, line);

	/* shares: the destination's part of the rate is shown with the whole */
	static const double share[] = { 0.75, 0.25 };
	in = base();
	in.ndst = 2;
	in.dst_share = share;
	in.rate = 2000;
	in.src_addrs = 2;
	n = synack_tuplespace_advice(&in, 0, "198.18.0.3:80", line, sizeof(line));
	cr_assert(strstr(line, "(1,500 of the 2,000 conn/s x 120 s TIME-WAIT + 750 in flight) but has 111,072 "
			       "(2 source addresses x ports 10000-65535)"), "%s", line);
	check_advice_passes(&in, line);

	/* below one a second */
	in = base();
	in.rate = 2;
	in.msl_s = 3600;
	in.concurrency = 0;
	in.sport_lo = 65535 - 999;                      /* 1,000 ports, 14,400 needed */
	n = synack_tuplespace_advice(&in, 0, "198.18.0.4:80", line, sizeof(line));
	cr_assert(strstr(line, "--rate 0.138 or lower"), "%s", line);
	cr_assert(strstr(line, "--msl 250 or shorter"), "%s", line);
	check_advice_passes(&in, line);

	/* no TIME-WAIT: only what governs in flight */
	in = base();
	in.client_time_wait = false;
	in.concurrency = 100000;
	n = synack_tuplespace_advice(&in, 0, "198.18.0.5:80", line, sizeof(line));
	cr_assert(strstr(line, "needs 100,000 tuples (100,000 in flight; the client holds no TIME-WAIT)"), "%s", line);
	cr_assert(!strstr(line, "--rate") && !strstr(line, "--close") && !strstr(line, "--msl"), "%s", line);
	cr_assert(strstr(line, "--concurrency 55,536 or lower"), "%s", line);
	check_advice_passes(&in, line);
}

Test(tuplespace, advice_when_it_holds_and_truncated)
{
	struct synack_tuplespace_in in = base();
	in.rate = 100;
	char line[256];
	size_t n = synack_tuplespace_advice(&in, 0, "198.18.0.1:80", line, sizeof(line));
	cr_assert_str_eq(line, "198.18.0.1:80 needs 13,000 tuples (100 conn/s x 120 s TIME-WAIT + 1,000 in flight) "
			       "and has 55,536 (1 source address x ports 10000-65535)");
	cr_assert_eq(n, strlen(line));

	/* a short buffer: cut, terminated, and the length is the whole line's */
	char small[16];
	cr_assert_eq(synack_tuplespace_advice(&in, 0, "198.18.0.1:80", small, sizeof(small)), n);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert_eq(strncmp(small, line, sizeof(small) - 1), 0);
	cr_assert_eq(synack_tuplespace_advice(&in, 0, "198.18.0.1:80", NULL, 0), n);
}

/* A load shorter than 2 x MSL never has more in TIME-WAIT than it started: 2,000/s for 5 s
 * (10,000 connections) from one address holds under a 60 s MSL, where an unbounded one does not. */
Test(tuplespace, bounded_load)
{
	struct synack_tuplespace_in in = base();
	in.rate = 2000;
	in.concurrency = 0;
	struct synack_tuplespace_dst o = one(&in);
	cr_assert_eq(o.time_wait, 240000);
	cr_assert(!o.ok);
	in.total = 10000;
	o = one(&in);
	cr_assert_eq(o.time_wait, 10000);
	cr_assert_eq(o.needed, 10000);
	cr_assert(o.ok);
	char line[512];
	synack_tuplespace_advice(&in, 0, "198.18.0.1:80", line, sizeof(line));
	cr_assert(strstr(line, "10,000 connections in all, each 120 s in TIME-WAIT"), "%s", line);
	/* ... and the total shared among destinations like the rate */
	in.ndst = 2;
	in.total = 100001;
	o = one(&in);
	cr_assert_eq(o.time_wait, 50001);
	cr_assert(o.ok);
	in.total = 200000;
	o = one(&in);
	cr_assert_eq(o.time_wait, 100000);
	cr_assert(!o.ok);
}
