/* state.h: the eleven connection states of RFC 9293 §3.3.2, and their names: as the RFC spells
 * them, and as `ss -tan` shows them (SYN-RECV). */
#ifndef SYNACK_TCP_STATE_H
#define SYNACK_TCP_STATE_H

enum synack_state {
	SYNACK_CLOSED = 0,
	SYNACK_LISTEN,
	SYNACK_SYN_SENT,
	SYNACK_SYN_RECEIVED,
	SYNACK_ESTABLISHED,
	SYNACK_FIN_WAIT_1,
	SYNACK_FIN_WAIT_2,
	SYNACK_CLOSE_WAIT,
	SYNACK_CLOSING,
	SYNACK_LAST_ACK,
	SYNACK_TIME_WAIT,
	SYNACK_STATE_COUNT
};

/* "SYN-RECEIVED", "FIN-WAIT-1", ...: exactly RFC 9293's spelling. */
const char *synack_state_name(unsigned s);
/* "SYN-RECV" for SYN-RECEIVED, otherwise as above: the column `ss -tan` prints. */
const char *synack_state_ss_name(unsigned s);

/* RFC 9293 §3.3.2: "synchronized" states are ESTABLISHED and every state after it. */
static inline int synack_state_synchronized(unsigned s) { return s >= SYNACK_ESTABLISHED; }

#endif
