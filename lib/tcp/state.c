/* state.c: state names. */
#include "state.h"

static const char *const rfc_names[SYNACK_STATE_COUNT] = {
	[SYNACK_CLOSED] = "CLOSED",           [SYNACK_LISTEN] = "LISTEN",
	[SYNACK_SYN_SENT] = "SYN-SENT",       [SYNACK_SYN_RECEIVED] = "SYN-RECEIVED",
	[SYNACK_ESTABLISHED] = "ESTABLISHED", [SYNACK_FIN_WAIT_1] = "FIN-WAIT-1",
	[SYNACK_FIN_WAIT_2] = "FIN-WAIT-2",   [SYNACK_CLOSE_WAIT] = "CLOSE-WAIT",
	[SYNACK_CLOSING] = "CLOSING",         [SYNACK_LAST_ACK] = "LAST-ACK",
	[SYNACK_TIME_WAIT] = "TIME-WAIT",
};

const char *synack_state_name(unsigned s)
{
	return s < SYNACK_STATE_COUNT ? rfc_names[s] : "?";
}

const char *synack_state_ss_name(unsigned s)
{
	return s == SYNACK_SYN_RECEIVED ? "SYN-RECV" : synack_state_name(s);
}
