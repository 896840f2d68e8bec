/* conn.h: a connection as a worker core holds it: the protocol core's TCB, its two timers on the
 * core's wheel, the application's state and the send stream. 256 bytes, cache-line aligned, from a
 * per-core pool sized at start. The version field is a sequence lock so that other threads (the
 * console) copy a consistent snapshot without ever blocking the worker. */
#ifndef SYNACK_CORE_CONN_H
#define SYNACK_CORE_CONN_H

#include <assert.h>
#include <stdint.h>

#include "core/timer_wheel.h"
#include "tcp/sndbuf.h"
#include "tcp/tcb.h"

/* How the send stream's bytes are produced. */
enum synack_stream_kind {
	SYNACK_STREAM_NONE = 0,
	SYNACK_STREAM_RING,     /* bytes copied into a ring buffer (echo) */
	SYNACK_STREAM_HTTP,     /* HTTP responses generated on the fly: header + patterned body, repeated */
	SYNACK_STREAM_REQUEST,  /* the client's request string */
};

/* synack_conn.role */
enum synack_role {
	SYNACK_ROLE_SERVER = 0,
	SYNACK_ROLE_CLIENT,
};

struct synack_conn {
	struct synack_tcb tcb;                          /* 128: lines 0 and 1 */
	struct synack_timer_node timer[2];              /* 48 */
	uint32_t version;                               /* seqlock: odd while the worker writes */
	uint32_t idx;                                   /* index in the core's pool */
	uint8_t role, stream, port, pad_;
	uint8_t peer_mac[6];
	uint8_t in_table, keepalive;
	uint32_t listener;                              /* listener index, server side */
	uint32_t app_state;                             /* service parser state */
	uint32_t app_count;                             /* requests seen / response bytes received */
	uint32_t resp_len;                              /* HTTP: one response's length; client: expected total */
	struct synack_sndbuf sb;                        /* ring streams: 24 bytes */
	struct synack_conn *fifo_prev, *fifo_next;      /* half-open FIFO (oldest evicted first) */
	uint64_t t_open;                                /* TSC at open, for latency */
} __attribute__((aligned(64)));

static_assert(sizeof(struct synack_conn) <= 320, "conn grew past five cache lines");

#endif
