/* echo.c: every byte back (RFC 862). The receive window follows what the peer has acknowledged of
 * the echo: data() keeps what it copied into the send ring unconsumed, and sent() consumes as
 * much, so a peer never has more in flight than the ring can send back. */
#include "apps/apps.h"

static uint32_t echo_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	/* The window never exceeds the ring's free room (the ring is the receive buffer's size and
	 * unacknowledged echo holds the window), so this takes every byte. */
	synack_conn_send(c, d, n);
	return 0;
}

static void echo_sent(struct synack_conn *c, uint32_t n) { synack_conn_consumed(c, n); }

/* A half-closed peer gets the rest of its echo, then our FIN. */
static void echo_peer_closed(struct synack_conn *c) { synack_conn_close(c); }

const struct synack_app synack_app_echo = {
	.name = "echo",
	.data = echo_data,
	.sent = echo_sent,
	.peer_closed = echo_peer_closed,
	.needs_send_ring = true,
};
