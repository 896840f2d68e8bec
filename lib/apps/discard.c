/* discard.c: swallows every byte (RFC 863) and answers the peer's FIN with its own. */
#include "apps/apps.h"

static uint32_t discard_data(struct synack_conn *c, const uint8_t *d, uint32_t n)
{
	(void)c;
	(void)d;
	return n;
}

static void discard_peer_closed(struct synack_conn *c) { synack_conn_close(c); }

const struct synack_app synack_app_discard = {
	.name = "discard",
	.data = discard_data,
	.peer_closed = discard_peer_closed,
};
