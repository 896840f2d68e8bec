/* test_seq.c: sequence arithmetic modulo 2^32 (RFC 9293 §3.4), across the wrap. */
#include <criterion/criterion.h>

#include "tcp/seq.h"
#include "tcp/state.h"

Test(seq, compares_across_the_wrap)
{
	cr_assert(synack_seq_lt(0xfffffff0u, 0x10u));
	cr_assert(synack_seq_gt(0x10u, 0xfffffff0u));
	cr_assert(synack_seq_le(5, 5) && synack_seq_ge(5, 5));
	cr_assert(!synack_seq_lt(5, 5));
	cr_assert(synack_seq_lt(0x7ffffffeu, 0x7fffffffu));
	cr_assert(synack_seq_lt(0xffffffffu, 0u));
	cr_assert_eq(synack_seq_max(0xfffffff0u, 3u), 3u);
}

Test(seq, window_membership_wraps)
{
	/* RCV.NXT just below 2^32, a window of 100 crossing zero. */
	uint32_t nxt = 0xffffffceu;
	cr_assert(synack_seq_in(nxt, nxt, nxt + 100));
	cr_assert(synack_seq_in(0, nxt, nxt + 100));
	cr_assert(synack_seq_in(nxt + 99, nxt, nxt + 100));
	cr_assert(!synack_seq_in(nxt + 100, nxt, nxt + 100));
	cr_assert(!synack_seq_in(nxt - 1, nxt, nxt + 100));
}

Test(state, names_as_the_rfc_spells_them)
{
	static const char *const want[] = { "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
					    "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
					    "TIME-WAIT" };
	for (unsigned s = 0; s < SYNACK_STATE_COUNT; s++)
		cr_assert_str_eq(synack_state_name(s), want[s]);
	cr_assert_str_eq(synack_state_ss_name(SYNACK_SYN_RECEIVED), "SYN-RECV");
	cr_assert_str_eq(synack_state_ss_name(SYNACK_TIME_WAIT), "TIME-WAIT");
	cr_assert_str_eq(synack_state_name(99), "?");
}
