/* ep_timewait.c: an endpoint's TIME-WAIT: a connection's move into the compact table (or its stay
 * in a full TCB, or the table's oldest ended early, when the table is full), and a segment for an
 * entry: unpacked, decided by the core, repacked, or reopened by a new SYN (RFC 6191). */

#include "core/endpoint_internal.h"

/* n TIME-WAITs are over (expired, or ended early): counted closed, as per_state stops counting them. */
void synack_ep_tw_ended(struct synack_ep *ep, unsigned n)
{
	ep->stats.per_state[SYNACK_TIME_WAIT] -= n;
	ep->stats.conns_closed += n;
}

/* Tells the application its connection is over (it entered TIME-WAIT, which goes on without it). */
static void app_closed(struct synack_ep *ep, struct synack_conn *c)
{
	const struct synack_app *app = synack_ep_conn_app(ep, c);
	if (app->closed) {
		struct synack_ep *saved = synack_ep_cur;
		synack_ep_cur = ep;
		app->closed(c, SYNACK_CLOSE_NORMAL);
		synack_ep_cur = saved;
	}
}

/* A connection entering TIME-WAIT moves to the compact table; its full TCB goes back to the pool.
 *
 * When the table is full, TIME-WAIT stays in the full TCB (its LINGER timer ends it) as long as
 * the pool keeps a quarter of its TCBs free: 2 x MSL is kept. Past that reserve, TIME-WAITs held
 * in TCBs would take the pool from new connections and stop the core opening or accepting any
 * until 2 x MSL had passed (a benchmark's close load, or a server that closes first, at more
 * than the table's size per 2 x MSL). The table's oldest entry, the nearest its end, then ends
 * early and the new one takes its place, as FreeBSD recycles its oldest TIME-WAIT when it has no
 * more; a table with nothing to end (none in use) lets this one end now. Both are counted in
 * tw_evicted: each is a TIME-WAIT shorter than RFC 9293's 2 x MSL (§3.6.1). */
void synack_ep_tw_enter(struct synack_ep *ep, struct synack_conn *c)
{
	/* The core's ACK of the peer's FIN is owed: send it before the TCB goes. */
	synack_ep_output(ep, c->port, c, false);
	if (c->role == SYNACK_ROLE_CLIENT)
		synack_ep_client_outcome(ep, c, SYNACK_CLOSE_NORMAL);
	uint64_t expire = ep->now_ns + 2ull * ep->ctx.cfg.msl_ms * SYNACK_NS_PER_MS;
	bool kept = synack_tw_table_insert(&ep->tw, &c->tcb, expire) != NULL;
	if (!kept) {
		if (ep->nfree > ep->nconns / 4) {
			/* TIME-WAIT goes on in this TCB, without the application, as it would in the
			 * table: the application's handle ends now, and a client's load may open the next
			 * connection (else each such TIME-WAIT held a place of the load for 2 x MSL). */
			ep->stats.drop_tw_full++;
			app_closed(ep, c);
			if (c->role == SYNACK_ROLE_CLIENT)
				ep->client_open--;
			c->detached = 1;
			/* Every byte was acknowledged before TIME-WAIT: the send buffer goes back too. */
			synack_ep_sbuf_release(ep, c);
			return;
		}
		ep->stats.tw_evicted++;
		if (synack_tw_table_evict_oldest(&ep->tw) == 0) {
			synack_ep_tw_ended(ep, 1);
			kept = synack_tw_table_insert(&ep->tw, &c->tcb, expire) != NULL;
		}
	}
	ep->stats.tw_in_use = ep->tw.used;
	/* The application's handle ends here: TIME-WAIT lives on without it. */
	app_closed(ep, c);
	/* per_state keeps counting it in TIME-WAIT; its close is counted when the entry ends. */
	synack_ep_conn_release(ep, c, SYNACK_CLOSE_NORMAL);
	if (!kept)
		synack_ep_tw_ended(ep, 1);
}

/* The ISS floor a SYNACK_EV_REOPEN in out carries (its n). */
uint32_t synack_ep_reopen_floor(const struct synack_actions *out)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].kind == SYNACK_ACT_EVENT && out->a[i].id == SYNACK_EV_REOPEN)
			return out->a[i].n;
	return 0;
}

/* A segment for a compact TIME-WAIT entry: unpacked, the core decides, the entry is updated, or
 * ends when a new SYN reopens the tuple (*reopen, with the new ISS's floor). */
void synack_ep_handle_tw(struct synack_ep *ep, unsigned port, struct synack_tw *tw, const struct synack_seg *s,
		      const uint8_t *src_mac, bool *reopen, uint32_t *floor)
{
	struct synack_tcb tcb;
	synack_tw_unpack(tw, ep->ctx.cfg.rcv_buf, &tcb);
	if (!ep->lidx[s->dport])
		tcb.flags |= SYNACK_TF_NO_LISTENER;
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_input(&ep->ctx, &tcb, s, ep->now_ns, &out);
	for (unsigned i = 0; i < out.n; i++) {
		struct synack_action *a = &out.a[i];
		if (a->kind == SYNACK_ACT_SEND)
			ep->io.send(ep->io.arg, port, NULL, &a->seg, src_mac, true);
		else if (a->kind == SYNACK_ACT_TIMER_ARM)
			tw = synack_tw_table_touch(&ep->tw, tw, a->deadline_ns);
		else if (a->kind == SYNACK_ACT_EVENT) {
			if (ep->io.trace)
				ep->io.trace(ep->io.arg, &tcb.tuple, a);
			if (a->id == SYNACK_EV_REOPEN) {
				*reopen = true;
				*floor = a->n;
			}
		}
	}
	if (*reopen) {
		synack_tw_table_remove(&ep->tw, tw);
		ep->stats.tw_in_use = ep->tw.used;
		ep->stats.per_state[SYNACK_TIME_WAIT]--;
		return;
	}
	tw->ts_recent = tcb.ts_recent;
}
