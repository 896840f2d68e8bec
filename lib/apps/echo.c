/* echo.c: every byte back (RFC 862). What the send ring cannot take now stays with the stack
 * (data() returns less), holding the receive window closed until the peer's acknowledgements make
 * room: the echo is never lost and the peer never sends faster than it reads. */
#include "apps/apps.h"

static uint32_t echo_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	int k = synack_conn_send(c, d, n);
	return k > 0 ? (uint32_t)k : 0;
}

/* A half-closed peer gets the rest of its echo, then our FIN. */
static void echo_peer_closed(struct synack_conn *c) { synack_conn_close(c); }

const struct synack_app synack_app_echo = {
	.name = "echo",
	.data = echo_data,
	.peer_closed = echo_peer_closed,
	.needs_send_ring = true,
};
