/* tuplespace.h: the check, before a load starts, that the tuple space can carry the asked rate.
 * A tuple (source address, source port, destination) is busy while its connection is in flight
 * and, when the client closes first with a FIN, for the client's TIME-WAIT of 2 x MSL after it
 * (RFC 9293 §3.6): a destination that gets r connections a second then needs r x 2 x MSL tuples in
 * TIME-WAIT besides those in flight, and has sources x ports of them. A load that needs more
 * would stall on tuples and report a rate it never asked for; the check says so before it starts,
 * with what to change. */
#ifndef SYNACK_LOAD_TUPLESPACE_H
#define SYNACK_LOAD_TUPLESPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct synack_tuplespace_in {
	unsigned ndst;                  /* destinations, each an addr:port */
	const double *dst_share;        /* each one's share of rate and concurrency, summing to 1;
	                                 * NULL: equal shares */
	uint64_t src_addrs;             /* source addresses */
	uint16_t sport_lo, sport_hi;    /* source ports, inclusive */
	double rate;                    /* connections per second in all; 0: closed loop, where the
	                                 * concurrency alone is counted */
	uint64_t concurrency;           /* the cap on connections in flight, in all; 0: none counted */
	unsigned msl_s;                 /* the client's MSL: TIME-WAIT lasts twice it */
	bool client_time_wait;          /* the client closes first with a FIN (not an RST, not after
	                                 * the server's FIN), so it holds TIME-WAIT */
	uint64_t total;                 /* connections the whole load starts (a count, or rate x a
	                                 * duration); 0: unbounded. A load shorter than 2 x MSL never
	                                 * has more than these in TIME-WAIT. */
};

struct synack_tuplespace_dst {
	uint64_t available;             /* source addresses x source ports */
	uint64_t needed;                /* time_wait + in_flight */
	uint64_t time_wait;             /* rate share x 2 x MSL, rounded up, at most the total's share
	                                 * (0 without client TIME-WAIT) */
	uint64_t in_flight;             /* concurrency share, rounded up */
	bool ok;                        /* needed <= available */
};

/* Fills out[0 .. ndst - 1]; returns how many destinations cannot hold. */
int synack_tuplespace_check(const struct synack_tuplespace_in *in, struct synack_tuplespace_dst *out);

/* Writes one line (no newline) about destination d, named dst_name ("198.18.0.1:80"): what it
 * needs and has and, when it cannot hold, what to change, with the numbers that would do (each
 * change on its own). Returns the length the whole line has, as snprintf does. */
size_t synack_tuplespace_advice(const struct synack_tuplespace_in *in, unsigned d, const char *dst_name,
				char *buf, size_t len);

#endif
