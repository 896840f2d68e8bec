/* tcp_ctx.c: a core's protocol context: configuration defaults, the secret, and the names of events
 * and close reasons that traces and the console print. */
#include <assert.h>
#include <string.h>

#include "isn.h"
#include "tcp.h"

void synack_tcp_cfg_default(struct synack_tcp_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->msl_ms = 60000;          /* RFC 9293 §3.4.2: MSL 2 minutes "engineering choice"; Linux 60 s */
	cfg->fin_wait2_ms = 60000;    /* Linux tcp_fin_timeout */
	cfg->rto_init_ms = 1000;      /* RFC 6298 §2.1 */
	cfg->rto_min_ms = 1000;       /* RFC 6298 §2.4 */
	cfg->rto_max_ms = 120000;     /* RFC 6298 §2.5 allows a cap of at least 60 s; Linux 120 s */
	/* RFC 9293 §3.8.3: a SYN is retransmitted for at least 3 minutes (Linux's 6 give up at 127 s):
	 * 7, at RTO 1 s doubling under the 120 s cap, send the last at 127 s and give up at 247 s. */
	cfg->syn_retries = 7;
	cfg->synack_retries = 5;      /* Linux tcp_synack_retries */
	cfg->data_retries = 15;       /* Linux tcp_retries2 */
	cfg->timestamps = 1;
	cfg->sack = 1;
	cfg->wscale = 1;
	cfg->tlp = 1;
	cfg->mss = 1460;
	cfg->rcv_buf = 256 * 1024;
	cfg->challenge_ack_limit = 1000; /* RFC 5961 §7: a per-core budget; Linux's default was 1000/s */
	cfg->challenge_ack_conn_ms = 500; /* Linux tcp_invalid_ratelimit, which it applies to them too */
	cfg->invalid_ack_limit = 20000;
	cfg->invalid_ack_conn_ms = 500;   /* Linux tcp_invalid_ratelimit */
	cfg->rst_limit = 20000;           /* FreeBSD limits these to 200/s (icmplim); Linux does not */
}

int synack_tcp_ctx_init(struct synack_tcp_ctx *ctx, const struct synack_tcp_cfg *cfg, uint32_t core_id)
{
	memset(ctx, 0, sizeof(*ctx));
	if (cfg)
		ctx->cfg = *cfg;
	else
		synack_tcp_cfg_default(&ctx->cfg);
	ctx->core_id = core_id;
	int rc = synack_isn_secret_init(ctx->secret);
	if (rc == 0)
		synack_isn_key_init(&ctx->isn_key, ctx->secret, false);
	return rc;
}

const char *synack_outcome_name(unsigned o)
{
	static const char *const names[SYNACK_OUT_COUNT] = {
		[SYNACK_OUT_NONE] = "none",
		[SYNACK_OUT_OK] = "completed",
		[SYNACK_OUT_CONNECT_TIMEOUT] = "connect-timeout",
		[SYNACK_OUT_REFUSED] = "refused",
		[SYNACK_OUT_RESET] = "reset",
		[SYNACK_OUT_RESPONSE_TIMEOUT] = "response-timeout",
		[SYNACK_OUT_BAD_RESPONSE] = "bad-response",
		[SYNACK_OUT_SHORT_RESPONSE] = "short-response",
		[SYNACK_OUT_OTHER] = "other",
	};
	return o < SYNACK_OUT_COUNT ? names[o] : "?";
}

const char *synack_close_reason_name(unsigned r)
{
	static const char *const names[SYNACK_CLOSE_REASON_COUNT] = {
		[SYNACK_CLOSE_NORMAL] = "normal",   [SYNACK_CLOSE_RESET] = "reset",
		[SYNACK_CLOSE_REFUSED] = "refused", [SYNACK_CLOSE_TIMEOUT] = "timeout",
		[SYNACK_CLOSE_ABORTED] = "aborted", [SYNACK_CLOSE_FIN_WAIT2] = "fin-wait-2 timeout",
		[SYNACK_CLOSE_REOPENED] = "reopened",
	};
	return r < SYNACK_CLOSE_REASON_COUNT ? names[r] : "?";
}

const char *synack_event_name(unsigned e)
{
	static const char *const names[] = {
		[SYNACK_EV_STATE] = "state",         [SYNACK_EV_CONNECTED] = "connected",
		[SYNACK_EV_ACCEPTED] = "accepted",   [SYNACK_EV_DATA] = "data",
		[SYNACK_EV_ACKED] = "acked",         [SYNACK_EV_PEER_FIN] = "peer-fin",
		[SYNACK_EV_TIME_WAIT] = "time-wait", [SYNACK_EV_REOPEN] = "reopen",
		[SYNACK_EV_CLOSED] = "closed",
	};
	return e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

const char *synack_tcp_stat_name(unsigned i)
{
	static const char *const names[] = {
#define SYNACK_X_NAME(n) #n,
		SYNACK_TCP_STATS(SYNACK_X_NAME)
#undef SYNACK_X_NAME
	};
	static_assert(sizeof(names) / sizeof(names[0]) == SYNACK_TCP_STATS_COUNT, "names and fields differ");
	return i < SYNACK_TCP_STATS_COUNT ? names[i] : "?";
}
