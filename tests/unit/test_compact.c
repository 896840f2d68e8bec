/* test_compact.c: the 32-byte TIME-WAIT and 64-byte half-open entries keep what the state machine needs. */
#include <criterion/criterion.h>
#include <string.h>

#include "pair.h"
#include "tcp/compact.h"

Test(compact, sizes)
{
	cr_assert_eq(sizeof(struct synack_tw), 32u);
	cr_assert_leq(sizeof(struct synack_synrcv), 64u);
	cr_assert_leq(sizeof(struct synack_tcb), 256u);
}

static struct pair P;

Test(compact, half_open_round_trip_completes_the_handshake)
{
	/* The server's SYN-RECEIVED TCB is packed into 64 bytes and unpacked (as the engine's half-open
	 * table will do); the client's ACK then completes the handshake on the rebuilt TCB. */
	struct pair *p = &P;
	pair_init(p, NULL);
	int c = pair_connect(p, 41000);
	/* Deliver the SYN only. */
	p->now += p->delay_ns;
	pair_run_until(p, p->now);
	struct pair_conn *sc = pair_find(p, PAIR_SERVER, 41000);
	cr_assert(sc && sc->tcb.state == SYNACK_SYN_RECEIVED);
	struct synack_synrcv e;
	synack_synrcv_pack(&sc->tcb, &e);
	struct synack_tcb copy = sc->tcb;
	memset(&sc->tcb, 0x5a, sizeof(sc->tcb));
	synack_synrcv_unpack(&e, p->ep[PAIR_SERVER].e.ctx.cfg.rcv_buf, &sc->tcb);
	cr_assert_eq(sc->tcb.iss, copy.iss);
	cr_assert_eq(sc->tcb.rcv_nxt, copy.rcv_nxt);
	cr_assert_eq(sc->tcb.flags, copy.flags);
	cr_assert_eq(sc->tcb.smss, copy.smss);
	cr_assert_eq(sc->tcb.snd_wscale, copy.snd_wscale);
	cr_assert_eq(sc->tcb.ts_recent, copy.ts_recent);
	pair_run(p, SYNACK_NS_PER_S);
	cr_assert_eq(sc->tcb.state, SYNACK_ESTABLISHED);
	cr_assert_eq(pair_state(p, PAIR_CLIENT, c), SYNACK_ESTABLISHED);
	pair_send(p, PAIR_CLIENT, c, "abc", 3);
	pair_run(p, SYNACK_NS_PER_S);
	cr_assert_eq(p->ep[PAIR_CLIENT].conns[c].rcv_len, 3);
}
