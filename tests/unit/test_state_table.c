/* test_state_table.c: RFC 9293 §3.10 (event processing) as a table. Each row names a start state, an
 * event (a segment from the peer, a timeout or a user call), the state the connection must be in
 * afterwards, the one segment it must answer with (or none), the close reason it must report (or
 * none) and the rule of the RFC that says so.
 *
 * A row runs on a fresh core: rig_setup() reaches the start state through the public API only (a
 * real handshake, real data both ways, real closes; the peer's segments are written by hand, ours
 * are read off the actions), then run_row() applies the event and compares. The runner prints
 * nothing for a row that passes; a failing row reports what differed and its citation.
 *
 * The whole table runs several times: with RFC 6528 ISNs, with ISNs and timestamps pinned just
 * below 2^32 (so that both sequence spaces and the timestamp clock wrap during set-up or during
 * the event), from an active and from a passive open, without timestamps, and with TIME-WAIT kept
 * as a compact entry (synack_tw_pack/unpack) as the engine does. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tcp/compact.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

#define T0 (1000ull * SYNACK_NS_PER_S)

#define PIN_LOCAL_ISS 0xfffffff0u /* our SYN at 2^32-16: our stream wraps during set-up */
#define PIN_PEER_ISS 0xffffffe0u  /* the peer's stream wraps during a row's 100-byte segment */
#define PIN_PEER_TS 0xffffffc0u   /* and the peer's timestamp clock wraps during set-up */
#define PEER_WND 8192u            /* the peer's window field (the peer does not scale) */
#define FAR 0x20000000u           /* far outside any window, well inside 2^31 */
#define DLEN 100u                 /* payload of the data events */

/* ---- start states: how rig_setup() gets there ---- */

enum setup {
	S_CLOSED,        /* no TCB: synack_tcp_no_conn() */
	S_LISTEN,        /* a listener, no TCB: synack_tcp_listen_input() / synack_tcp_accept() */
	S_SYN_SENT,      /* synack_tcp_connect() */
	S_SYN_RCVD,      /* the peer's SYN to the listener: passive open */
	S_SYN_RCVD_SIM,  /* SYN-SENT, then the peer's SYN crosses ours: simultaneous open */
	S_ESTAB,         /* handshake, 16 bytes each way, all acknowledged */
	S_ESTAB_UNACKED, /* ESTABLISHED with 100 bytes in flight */
	S_FIN_WAIT_1,    /* ESTABLISHED, user CLOSE: our FIN in flight */
	S_FIN_WAIT_2,    /* FIN-WAIT-1, the peer acknowledged our FIN */
	S_CLOSE_WAIT,    /* ESTABLISHED, the peer's FIN */
	S_CLOSING,       /* FIN-WAIT-1, the peer's FIN (not acknowledging ours) */
	S_LAST_ACK,      /* CLOSE-WAIT, user CLOSE */
	S_TIME_WAIT,     /* FIN-WAIT-2, the peer's FIN */
	S_COUNT
};

static const struct {
	const char *name;
	uint8_t state;
} setups[S_COUNT] = {
	[S_CLOSED] = { "CLOSED", SYNACK_CLOSED },
	[S_LISTEN] = { "LISTEN", SYNACK_LISTEN },
	[S_SYN_SENT] = { "SYN-SENT", SYNACK_SYN_SENT },
	[S_SYN_RCVD] = { "SYN-RECEIVED(passive)", SYNACK_SYN_RECEIVED },
	[S_SYN_RCVD_SIM] = { "SYN-RECEIVED(simultaneous)", SYNACK_SYN_RECEIVED },
	[S_ESTAB] = { "ESTABLISHED", SYNACK_ESTABLISHED },
	[S_ESTAB_UNACKED] = { "ESTABLISHED(data in flight)", SYNACK_ESTABLISHED },
	[S_FIN_WAIT_1] = { "FIN-WAIT-1", SYNACK_FIN_WAIT_1 },
	[S_FIN_WAIT_2] = { "FIN-WAIT-2", SYNACK_FIN_WAIT_2 },
	[S_CLOSE_WAIT] = { "CLOSE-WAIT", SYNACK_CLOSE_WAIT },
	[S_CLOSING] = { "CLOSING", SYNACK_CLOSING },
	[S_LAST_ACK] = { "LAST-ACK", SYNACK_LAST_ACK },
	[S_TIME_WAIT] = { "TIME-WAIT", SYNACK_TIME_WAIT },
};

/* ---- events ---- */

enum ev {
	E_SYN,          /* SYN at RCV.NXT (at the peer's ISS before synchronization) */
	E_SYN_DUP,      /* the peer's first SYN again (seq = IRS) */
	E_SYN_OOW,      /* SYN far outside the window */
	E_SYN_TW_NEW,   /* SYN above RCV.NXT with a newer timestamp (RFC 6191) */
	E_SYN_TW_OLD,   /* SYN below RCV.NXT with an older timestamp */
	E_SYNACK,       /* SYN,ACK from the peer's ISS acknowledging everything we sent */
	E_SYNACK_BADACK,/* SYN,ACK with SEG.ACK = ISS */
	E_ACK,          /* ACK of everything we sent, at RCV.NXT (acceptable) */
	E_ACK_DUP,      /* the peer's previous ACK again */
	E_ACK_FUTURE,   /* SEG.ACK = SND.NXT + 1000 (unacceptable: acknowledges unsent data) */
	E_ACK_ANCIENT,  /* SEG.ACK far below SND.UNA - MAX.SND.WND (unacceptable, RFC 5961 §5) */
	E_FIN,          /* FIN at RCV.NXT, acknowledging nothing new */
	E_FIN_ACK,      /* FIN at RCV.NXT acknowledging everything we sent */
	E_FIN_DUP,      /* the peer's FIN retransmitted (seq = RCV.NXT - 1) */
	E_RST,          /* RST, seq = RCV.NXT exactly */
	E_RST_ACK,      /* RST,ACK seq 0, SEG.ACK = SND.NXT (what a closed port answers to our SYN) */
	E_RST_BADACK,   /* RST,ACK seq 0, SEG.ACK = ISS */
	E_RST_INWIN,    /* RST, seq = RCV.NXT + 100: in the window, not exact */
	E_RST_OOW,      /* RST far outside the window */
	E_RST_OLD,      /* RST, seq = RCV.NXT - 1: just left of the window */
	E_DATA,         /* 100 bytes at RCV.NXT, ACK (nothing new acknowledged) */
	E_DATA_NOACK,   /* 100 bytes at RCV.NXT without the ACK bit */
	E_DATA_OOO,     /* 100 bytes at RCV.NXT + 200: in the window, past a hole */
	E_DATA_OOW,     /* 100 bytes far outside the window */
	E_DATA_OLD,     /* 100 bytes wholly before RCV.NXT */
	E_PAWS,         /* 100 bytes at RCV.NXT with a timestamp older than TS.Recent */
	E_TO_RTX,       /* the retransmission timer expires once */
	E_TO_GIVEUP,    /* the retransmission timer expires until the core gives up */
	E_TO_LINGER,    /* the FIN-WAIT-2 / TIME-WAIT timer expires */
	E_OPEN,         /* user OPEN (active) */
	E_SEND,         /* user SEND of 100 bytes */
	E_CLOSE,        /* user CLOSE */
	E_ABORT,        /* user ABORT */
	E_COUNT
};

static const char *const ev_names[E_COUNT] = {
	[E_SYN] = "SYN", [E_SYN_DUP] = "SYN(dup, seq=IRS)", [E_SYN_OOW] = "SYN(out of window)",
	[E_SYN_TW_NEW] = "SYN(newer ts, higher seq)", [E_SYN_TW_OLD] = "SYN(older ts, lower seq)",
	[E_SYNACK] = "SYN,ACK", [E_SYNACK_BADACK] = "SYN,ACK(ack=ISS)", [E_ACK] = "ACK(acceptable)",
	[E_ACK_DUP] = "ACK(duplicate)", [E_ACK_FUTURE] = "ACK(ack>SND.NXT)",
	[E_ACK_ANCIENT] = "ACK(ack<SND.UNA-MAX.SND.WND)", [E_FIN] = "FIN", [E_FIN_ACK] = "FIN,ACK(acks all)",
	[E_FIN_DUP] = "FIN(retransmitted)", [E_RST] = "RST(seq=RCV.NXT)", [E_RST_ACK] = "RST,ACK(acceptable ack)",
	[E_RST_BADACK] = "RST,ACK(ack=ISS)", [E_RST_INWIN] = "RST(in window)", [E_RST_OOW] = "RST(out of window)",
	[E_RST_OLD] = "RST(seq=RCV.NXT-1)", [E_DATA] = "data", [E_DATA_NOACK] = "data(no ACK bit)",
	[E_DATA_OOO] = "data(in window, past RCV.NXT)", [E_DATA_OOW] = "data(out of window)",
	[E_DATA_OLD] = "data(old duplicate)", [E_PAWS] = "data(PAWS: old timestamp)", [E_TO_RTX] = "RTX timeout",
	[E_TO_GIVEUP] = "RTX timeouts until give-up", [E_TO_LINGER] = "LINGER timeout", [E_OPEN] = "user OPEN",
	[E_SEND] = "user SEND", [E_CLOSE] = "user CLOSE", [E_ABORT] = "user ABORT",
};

/* ---- the table ---- */

/* Short names for the columns. */
#define CLSD SYNACK_CLOSED
#define LSTN SYNACK_LISTEN
#define SSNT SYNACK_SYN_SENT
#define SRCV SYNACK_SYN_RECEIVED
#define ESTB SYNACK_ESTABLISHED
#define FW1 SYNACK_FIN_WAIT_1
#define FW2 SYNACK_FIN_WAIT_2
#define CLWT SYNACK_CLOSE_WAIT
#define CLSG SYNACK_CLOSING
#define LACK SYNACK_LAST_ACK
#define TMWT SYNACK_TIME_WAIT

#define NO (-1) /* no segment, no close */
#define A SYNACK_TH_ACK
#define PA (SYNACK_TH_PSH | SYNACK_TH_ACK)
#define FA (SYNACK_TH_FIN | SYNACK_TH_ACK)
#define R SYNACK_TH_RST
#define RA (SYNACK_TH_RST | SYNACK_TH_ACK)
#define S SYNACK_TH_SYN
#define SA (SYNACK_TH_SYN | SYNACK_TH_ACK)

#define NORM SYNACK_CLOSE_NORMAL
#define RSET SYNACK_CLOSE_RESET
#define REFU SYNACK_CLOSE_REFUSED
#define TOUT SYNACK_CLOSE_TIMEOUT
#define ABRT SYNACK_CLOSE_ABORTED
#define FW2T SYNACK_CLOSE_FIN_WAIT2
#define REOP SYNACK_CLOSE_REOPENED

/* Checks on the reply, beyond its flags. */
#define K_ACK  0x01 /* <SEQ=SND.NXT><ACK=RCV.NXT> (values after the event) */
#define K_UNCH 0x02 /* the segment was dropped: RCV.NXT, SND.UNA, SND.NXT, SND.WND unchanged */
#define K_RSA  0x04 /* <SEQ=SEG.ACK><CTL=RST> */
#define K_RZ   0x08 /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
#define K_RSN  0x10 /* <SEQ=SND.NXT><CTL=RST> (SND.NXT before the event) */
#define K_SYN  0x20 /* <SEQ=ISS>, and <ACK=RCV.NXT> if ACK is set */
#define K_NEW  0x40 /* new data: seq = SND.NXT before the event, 100 bytes */
#define K_RTX  0x80 /* retransmission from SND.UNA */

/* Row flags. */
#define F_TS 0x01  /* needs timestamps (skipped when the peer does not offer them) */

struct row {
	uint8_t from;      /* enum setup */
	uint8_t ev;        /* enum ev */
	uint8_t to;        /* enum synack_state afterwards (CLOSED: no TCB; LISTEN: listener only) */
	int16_t reply;     /* flags of the one segment sent, or NO */
	uint8_t check;     /* K_* */
	int8_t reason;     /* enum synack_close_reason, or NO */
	int16_t rc;        /* return code of SEND / CLOSE */
	uint8_t flags;     /* F_* */
	const char *cite;
};

/* "DEVIATION" in a citation marks a row that pins this implementation's documented choice where it
 * departs from the letter of RFC 9293 (see the report); every other row is the RFC's rule. */
static const struct row rows[] = {
	/* ---- CLOSED (no TCB) ---- */
	{ S_CLOSED, E_SYN, CLSD, RA, K_RZ, NO, 0, 0, "RFC 9293 §3.10.7.1: ACK bit off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" },
	{ S_CLOSED, E_SYNACK, CLSD, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.1: ACK bit on: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_CLOSED, E_ACK, CLSD, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.1: ACK bit on: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_CLOSED, E_FIN, CLSD, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.1: ACK bit on: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_CLOSED, E_DATA, CLSD, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.1: all data discarded; ACK on: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_CLOSED, E_DATA_NOACK, CLSD, RA, K_RZ, NO, 0, 0, "RFC 9293 §3.10.7.1: ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" },
	{ S_CLOSED, E_RST, CLSD, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.1: an incoming segment containing a RST is discarded" },
	{ S_CLOSED, E_OPEN, SSNT, S, K_SYN, NO, 0, 0, "RFC 9293 §3.10.1 OPEN, CLOSED STATE: active: <SEQ=ISS><CTL=SYN>, SYN-SENT" },
	{ S_CLOSED, E_SEND, CLSD, NO, 0, NO, -ENOTCONN, 0, "RFC 9293 §3.10.2 SEND, CLOSED STATE: error: connection does not exist" },
	{ S_CLOSED, E_CLOSE, CLSD, NO, 0, NO, -ENOTCONN, 0, "RFC 9293 §3.10.4 CLOSE, CLOSED STATE: error: connection does not exist" },
	{ S_CLOSED, E_ABORT, CLSD, NO, 0, NO, 0, 0, "RFC 9293 §3.10.5 ABORT, CLOSED STATE: error, nothing sent" },

	/* ---- LISTEN ---- */
	{ S_LISTEN, E_SYN, SRCV, SA, K_SYN, NO, 0, 0, "RFC 9293 §3.10.7.2 third check: SYN: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED" },
	{ S_LISTEN, E_SYNACK, LSTN, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.2 second check: any ACK: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_LISTEN, E_ACK, LSTN, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.2 second check: any ACK: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_LISTEN, E_FIN, LSTN, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.2 second check: any ACK: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_LISTEN, E_RST, LSTN, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.2 first check: an incoming RST is ignored" },
	{ S_LISTEN, E_DATA_NOACK, LSTN, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.2 fourth: other text or control: drop the segment" },

	/* ---- SYN-SENT ---- */
	{ S_SYN_SENT, E_SYN, SRCV, SA, K_SYN, NO, 0, 0, "RFC 9293 §3.10.7.3 fourth check: SYN without ACK: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED" },
	{ S_SYN_SENT, E_SYNACK, ESTB, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.3 fourth check: SND.UNA > ISS: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" },
	{ S_SYN_SENT, E_SYNACK_BADACK, SSNT, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.3 first check: SEG.ACK =< ISS: <SEQ=SEG.ACK><CTL=RST>, discard" },
	{ S_SYN_SENT, E_ACK_FUTURE, SSNT, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.3 first check: SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>, discard" },
	{ S_SYN_SENT, E_ACK, SSNT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.3 fifth: neither SYN nor RST: drop the segment" },
	{ S_SYN_SENT, E_FIN_ACK, SSNT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.3 fifth / §3.10.7.4 eighth: no FIN in SYN-SENT: drop" },
	{ S_SYN_SENT, E_DATA_NOACK, SSNT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.3 fifth: neither SYN nor RST: drop the segment" },
	{ S_SYN_SENT, E_RST_ACK, CLSD, NO, 0, REFU, 0, 0, "RFC 9293 §3.10.7.3 second check: RST with acceptable ACK: connection reset, CLOSED" },
	{ S_SYN_SENT, E_RST, SSNT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.3 second check: RST without ACK: drop the segment" },
	{ S_SYN_SENT, E_RST_BADACK, SSNT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.3 first check: unacceptable ACK with RST set: drop, no reset" },
	{ S_SYN_SENT, E_TO_RTX, SSNT, S, K_SYN, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the SYN (RFC 6298 §5.4)" },
	{ S_SYN_SENT, E_TO_GIVEUP, CLSD, NO, 0, TOUT, 0, 0, "RFC 9293 §3.8.3 R2 / §3.10.8 USER TIMEOUT: give up, CLOSED" },
	{ S_SYN_SENT, E_SEND, SSNT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.2 SEND, SYN-SENT: queue the data until ESTABLISHED" },
	{ S_SYN_SENT, E_CLOSE, CLSD, NO, 0, NORM, 0, 0, "RFC 9293 §3.10.4 CLOSE, SYN-SENT: delete the TCB" },
	{ S_SYN_SENT, E_ABORT, CLSD, NO, 0, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, SYN-SENT: delete the TCB, nothing sent" },

	/* ---- SYN-RECEIVED, passive open ---- */
	{ S_SYN_RCVD, E_ACK, ESTB, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED" },
	{ S_SYN_RCVD, E_ACK_DUP, SRCV, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: SEG.ACK = ISS unacceptable: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_SYN_RCVD, E_ACK_FUTURE, SRCV, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_SYN_RCVD, E_ACK_ANCIENT, SRCV, R, K_RSA, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>" },
	{ S_SYN_RCVD, E_FIN_ACK, CLWT, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step (ESTABLISHED) then eighth step: FIN, CLOSE-WAIT, ACK it" },
	{ S_SYN_RCVD, E_DATA_NOACK, SRCV, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step: ACK bit off: drop the segment" },
	{ S_SYN_RCVD, E_SYN_DUP, SRCV, SA, K_SYN, NO, 0, 0, "DEVIATION (benign, as Linux): RFC 9293 §3.10.7.4 first step would ACK the old SYN; the SYN,ACK is resent instead" },
	{ S_SYN_RCVD, E_SYN, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 fourth step, SYN-RECEIVED, passive OPEN: return to LISTEN (the TCB is freed)" },
	{ S_SYN_RCVD, E_SYN_OOW, SRCV, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: unacceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop" },
	{ S_SYN_RCVD, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step, SYN-RECEIVED, passive OPEN: return to LISTEN (the TCB is freed)" },
	{ S_SYN_RCVD, E_RST_INWIN, SRCV, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3) (RFC 5961 §3.2): in window, not RCV.NXT: challenge ACK" },
	{ S_SYN_RCVD, E_RST_OOW, SRCV, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 1): RST outside the window: silently drop" },
	{ S_SYN_RCVD, E_DATA_OOW, SRCV, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: unacceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop" },
	{ S_SYN_RCVD, E_TO_RTX, SRCV, SA, K_SYN, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the SYN,ACK" },
	{ S_SYN_RCVD, E_TO_GIVEUP, CLSD, NO, 0, TOUT, 0, 0, "RFC 9293 §3.8.3 R2 (SYN): give up, CLOSED" },
	{ S_SYN_RCVD, E_SEND, SRCV, NO, 0, NO, 0, 0, "RFC 9293 §3.10.2 SEND, SYN-RECEIVED: queue the data until ESTABLISHED" },
	{ S_SYN_RCVD, E_CLOSE, SRCV, NO, 0, NO, 0, 0, "DEVIATION: RFC 9293 §3.10.4 CLOSE, SYN-RECEIVED with nothing queued: send FIN, FIN-WAIT-1; the FIN is held until ESTABLISHED" },
	{ S_SYN_RCVD, E_ABORT, CLSD, R, K_RSN, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST>, CLOSED" },

	/* ---- SYN-RECEIVED, simultaneous open ---- */
	{ S_SYN_RCVD_SIM, E_SYNACK, ESTB, NO, 0, NO, 0, 0, "RFC 9293 §3.5 Figure 8 line 6: the crossing SYN,ACK completes the handshake, nothing more sent (as Linux)" },
	{ S_SYN_RCVD_SIM, E_ACK, ESTB, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED" },
	{ S_SYN_RCVD_SIM, E_RST, CLSD, NO, 0, REFU, 0, 0, "RFC 9293 §3.10.7.4 second step, SYN-RECEIVED, active OPEN: connection refused, CLOSED" },
	{ S_SYN_RCVD_SIM, E_SYN, SRCV, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step: SYN-RECEIVED from an active OPEN: as synchronized: challenge ACK" },
	{ S_SYN_RCVD_SIM, E_TO_RTX, SRCV, SA, K_SYN, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the SYN,ACK" },

	/* ---- ESTABLISHED ---- */
	{ S_ESTAB, E_SYN, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step (RFC 5961 §4.2): SYN in a synchronized state: challenge ACK" },
	{ S_ESTAB, E_SYN_OOW, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step / fourth step: SYN whatever its seq: ACK, drop" },
	{ S_ESTAB, E_SYNACK, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: an old SYN,ACK is unacceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" },
	{ S_ESTAB, E_ACK_DUP, ESTB, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, ESTABLISHED: SEG.ACK =< SND.UNA: duplicate, ignore" },
	{ S_ESTAB, E_ACK_FUTURE, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, ESTABLISHED: SEG.ACK > SND.NXT: send an ACK, drop" },
	{ S_ESTAB, E_ACK_ANCIENT, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step (RFC 5961 §5.2): SEG.ACK < SND.UNA - MAX.SND.WND: discard, ACK" },
	{ S_ESTAB, E_FIN, CLWT, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 eighth step, ESTABLISHED: FIN: ACK it, CLOSE-WAIT" },
	{ S_ESTAB, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step 2), ESTABLISHED: RST at RCV.NXT: connection reset, CLOSED" },
	{ S_ESTAB, E_RST_INWIN, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3) (RFC 5961 §3.2): challenge ACK, drop" },
	{ S_ESTAB, E_RST_OOW, ESTB, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 1): RST outside the window: silently drop" },
	{ S_ESTAB, E_RST_OLD, ESTB, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: unacceptable with RST set: drop, no ACK" },
	{ S_ESTAB, E_DATA, ESTB, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 seventh step, ESTABLISHED: deliver, advance RCV.NXT, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" },
	{ S_ESTAB, E_DATA_OOO, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step (held or dropped) / RFC 5681 §4.2: out of order: immediate ACK of RCV.NXT" },
	{ S_ESTAB, E_DATA_OOW, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: unacceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop" },
	{ S_ESTAB, E_DATA_OLD, ESTB, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: unacceptable (old duplicate): ACK, drop" },
	{ S_ESTAB, E_DATA_NOACK, ESTB, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step: ACK bit off: drop the segment" },
	{ S_ESTAB, E_PAWS, ESTB, A, K_ACK | K_UNCH, NO, 0, F_TS, "RFC 7323 §5.3 R1 (RFC 9293 §3.10.7.4 first step): SEG.TSval < TS.Recent: unacceptable: ACK, drop" },
	{ S_ESTAB, E_SEND, ESTB, PA, K_NEW, NO, 0, 0, "RFC 9293 §3.10.2 SEND, ESTABLISHED: segmentize and send" },
	{ S_ESTAB, E_CLOSE, FW1, FA, 0, NO, 0, 0, "RFC 9293 §3.10.4 CLOSE, ESTABLISHED: send FIN after the data, FIN-WAIT-1" },
	{ S_ESTAB, E_ABORT, CLSD, R, K_RSN, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, CLOSED" },
	{ S_ESTAB_UNACKED, E_ACK, ESTB, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, ESTABLISHED: SND.UNA < SEG.ACK =< SND.NXT: SND.UNA <- SEG.ACK" },
	{ S_ESTAB_UNACKED, E_ACK_DUP, ESTB, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, ESTABLISHED: duplicate ACK: ignore" },
	{ S_ESTAB_UNACKED, E_TO_RTX, ESTB, PA, K_RTX, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the segment at the front of the queue (RFC 6298 §5.4)" },
	{ S_ESTAB_UNACKED, E_TO_GIVEUP, CLSD, NO, 0, TOUT, 0, 0, "RFC 9293 §3.8.3 R2 / §3.10.8 USER TIMEOUT: give up, CLOSED" },

	/* ---- FIN-WAIT-1 ---- */
	{ S_FIN_WAIT_1, E_ACK, FW2, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, FIN-WAIT-1: our FIN acknowledged: FIN-WAIT-2" },
	{ S_FIN_WAIT_1, E_ACK_DUP, FW1, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step: duplicate ACK, FIN not acknowledged: stay" },
	{ S_FIN_WAIT_1, E_FIN, CLSG, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 eighth step, FIN-WAIT-1: our FIN not ACKed: CLOSING, ACK the FIN" },
	{ S_FIN_WAIT_1, E_FIN_ACK, TMWT, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 eighth step, FIN-WAIT-1: our FIN ACKed in this segment: TIME-WAIT" },
	{ S_FIN_WAIT_1, E_DATA, FW1, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 seventh step, FIN-WAIT-1: deliver and ACK" },
	{ S_FIN_WAIT_1, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step 2), FIN-WAIT-1: connection reset, CLOSED" },
	{ S_FIN_WAIT_1, E_RST_INWIN, FW1, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3): challenge ACK" },
	{ S_FIN_WAIT_1, E_SYN, FW1, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step: SYN in a synchronized state: challenge ACK" },
	{ S_FIN_WAIT_1, E_ACK_FUTURE, FW1, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step: SEG.ACK > SND.NXT: ACK, drop" },
	{ S_FIN_WAIT_1, E_TO_RTX, FW1, FA, K_RTX, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the FIN" },
	{ S_FIN_WAIT_1, E_TO_GIVEUP, CLSD, NO, 0, TOUT, 0, 0, "RFC 9293 §3.8.3 R2 / §3.10.8 USER TIMEOUT: give up, CLOSED" },
	{ S_FIN_WAIT_1, E_SEND, FW1, NO, 0, NO, -EPIPE, 0, "RFC 9293 §3.10.2 SEND, FIN-WAIT-1: error: connection closing" },
	{ S_FIN_WAIT_1, E_CLOSE, FW1, NO, 0, NO, -ESHUTDOWN, 0, "RFC 9293 §3.10.4 CLOSE, FIN-WAIT-1: error: connection closing (no second FIN)" },
	{ S_FIN_WAIT_1, E_ABORT, CLSD, R, K_RSN, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, FIN-WAIT-1: <SEQ=SND.NXT><CTL=RST>, CLOSED" },

	/* ---- FIN-WAIT-2 ---- */
	{ S_FIN_WAIT_2, E_FIN, TMWT, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 eighth step, FIN-WAIT-2: TIME-WAIT, start the time-wait timer, ACK" },
	{ S_FIN_WAIT_2, E_DATA, FW2, A, K_ACK, NO, 0, 0, "RFC 9293 §3.10.7.4 seventh step, FIN-WAIT-2: deliver and ACK" },
	{ S_FIN_WAIT_2, E_ACK_DUP, FW2, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, FIN-WAIT-2: as ESTABLISHED: duplicate ACK ignored" },
	{ S_FIN_WAIT_2, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step 2), FIN-WAIT-2: connection reset, CLOSED" },
	{ S_FIN_WAIT_2, E_RST_INWIN, FW2, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3): challenge ACK" },
	{ S_FIN_WAIT_2, E_RST_OOW, FW2, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 1): silently drop" },
	{ S_FIN_WAIT_2, E_SYN, FW2, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step: SYN in a synchronized state: challenge ACK" },
	{ S_FIN_WAIT_2, E_DATA_OOW, FW2, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: unacceptable: ACK, drop" },
	{ S_FIN_WAIT_2, E_TO_LINGER, CLSD, R, K_RSN, FW2T, 0, 0, "not in RFC 9293 (§3.10.8 has no FIN-WAIT-2 timer): Linux tcp_fin_timeout: RST, CLOSED" },
	{ S_FIN_WAIT_2, E_SEND, FW2, NO, 0, NO, -EPIPE, 0, "RFC 9293 §3.10.2 SEND, FIN-WAIT-2: error: connection closing" },
	{ S_FIN_WAIT_2, E_CLOSE, FW2, NO, 0, NO, -ESHUTDOWN, 0, "RFC 9293 §3.10.4 CLOSE, FIN-WAIT-2: error: connection closing" },
	{ S_FIN_WAIT_2, E_ABORT, CLSD, R, K_RSN, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, FIN-WAIT-2: <SEQ=SND.NXT><CTL=RST>, CLOSED" },

	/* ---- CLOSE-WAIT ---- */
	{ S_CLOSE_WAIT, E_ACK, CLWT, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, CLOSE-WAIT: as ESTABLISHED" },
	{ S_CLOSE_WAIT, E_FIN_DUP, CLWT, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step (old FIN is unacceptable: ACK) / eighth step: CLOSE-WAIT: remain" },
	{ S_CLOSE_WAIT, E_DATA, CLWT, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 seventh step, CLOSE-WAIT: ignore the segment text" },
	{ S_CLOSE_WAIT, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step 2), CLOSE-WAIT: connection reset, CLOSED" },
	{ S_CLOSE_WAIT, E_RST_INWIN, CLWT, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3): challenge ACK" },
	{ S_CLOSE_WAIT, E_SYN, CLWT, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step: challenge ACK" },
	{ S_CLOSE_WAIT, E_ACK_FUTURE, CLWT, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step: SEG.ACK > SND.NXT: ACK, drop" },
	{ S_CLOSE_WAIT, E_SEND, CLWT, PA, K_NEW, NO, 0, 0, "RFC 9293 §3.10.2 SEND, CLOSE-WAIT: segmentize and send" },
	{ S_CLOSE_WAIT, E_CLOSE, LACK, FA, 0, NO, 0, 0, "RFC 9293 §3.10.4 CLOSE, CLOSE-WAIT: send FIN, LAST-ACK" },
	{ S_CLOSE_WAIT, E_ABORT, CLSD, R, K_RSN, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, CLOSE-WAIT: <SEQ=SND.NXT><CTL=RST>, CLOSED" },

	/* ---- CLOSING ---- */
	{ S_CLOSING, E_ACK, TMWT, NO, 0, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, CLOSING: our FIN acknowledged: TIME-WAIT" },
	{ S_CLOSING, E_ACK_DUP, CLSG, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, CLOSING: otherwise ignore the segment" },
	{ S_CLOSING, E_FIN_DUP, CLSG, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: retransmitted FIN is unacceptable: ACK" },
	{ S_CLOSING, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step 2), CLOSING: enter CLOSED, delete the TCB" },
	{ S_CLOSING, E_RST_INWIN, CLSG, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3): challenge ACK" },
	{ S_CLOSING, E_SYN, CLSG, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step: challenge ACK" },
	{ S_CLOSING, E_TO_RTX, CLSG, FA, K_RTX, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the FIN" },
	{ S_CLOSING, E_SEND, CLSG, NO, 0, NO, -EPIPE, 0, "RFC 9293 §3.10.2 SEND, CLOSING: error: connection closing" },
	{ S_CLOSING, E_CLOSE, CLSG, NO, 0, NO, -ESHUTDOWN, 0, "RFC 9293 §3.10.4 CLOSE, CLOSING: error: connection closing" },
	{ S_CLOSING, E_ABORT, CLSD, NO, 0, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, CLOSING: respond ok, delete the TCB, nothing sent" },

	/* ---- LAST-ACK ---- */
	{ S_LAST_ACK, E_ACK, CLSD, NO, 0, NORM, 0, 0, "RFC 9293 §3.10.7.4 fifth step, LAST-ACK: our FIN acknowledged: delete the TCB, CLOSED" },
	{ S_LAST_ACK, E_ACK_DUP, LACK, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, LAST-ACK: FIN not acknowledged: stay" },
	{ S_LAST_ACK, E_FIN_DUP, LACK, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step: retransmitted FIN is unacceptable: ACK" },
	{ S_LAST_ACK, E_RST, CLSD, NO, 0, RSET, 0, 0, "RFC 9293 §3.10.7.4 second step 2), LAST-ACK: enter CLOSED, delete the TCB" },
	{ S_LAST_ACK, E_RST_INWIN, LACK, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 3): challenge ACK" },
	{ S_LAST_ACK, E_SYN, LACK, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fourth step: challenge ACK" },
	{ S_LAST_ACK, E_TO_RTX, LACK, FA, K_RTX, NO, 0, 0, "RFC 9293 §3.10.8 RETRANSMISSION TIMEOUT: resend the FIN" },
	{ S_LAST_ACK, E_TO_GIVEUP, CLSD, NO, 0, TOUT, 0, 0, "RFC 9293 §3.8.3 R2 / §3.10.8 USER TIMEOUT: give up, CLOSED" },
	{ S_LAST_ACK, E_SEND, LACK, NO, 0, NO, -EPIPE, 0, "RFC 9293 §3.10.2 SEND, LAST-ACK: error: connection closing" },
	{ S_LAST_ACK, E_CLOSE, LACK, NO, 0, NO, -ESHUTDOWN, 0, "RFC 9293 §3.10.4 CLOSE, LAST-ACK: error: connection closing" },
	{ S_LAST_ACK, E_ABORT, CLSD, NO, 0, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, LAST-ACK: respond ok, delete the TCB, nothing sent" },

	/* ---- TIME-WAIT ---- */
	{ S_TIME_WAIT, E_FIN_DUP, TMWT, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth/eighth step, TIME-WAIT: ACK the retransmitted FIN, restart the 2 MSL timeout" },
	{ S_TIME_WAIT, E_ACK, TMWT, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 fifth step, TIME-WAIT: nothing else should arrive: no answer" },
	{ S_TIME_WAIT, E_DATA, TMWT, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 seventh step, TIME-WAIT: ignore the segment text" },
	{ S_TIME_WAIT, E_RST, TMWT, NO, K_UNCH, NO, 0, 0, "RFC 1337 §3 (fix F1) over RFC 9293 §3.10.7.4 second step: an RST does not end TIME-WAIT" },
	{ S_TIME_WAIT, E_RST_INWIN, TMWT, NO, K_UNCH, NO, 0, 0, "RFC 1337 §3 (fix F1): RSTs are ignored in TIME-WAIT" },
	{ S_TIME_WAIT, E_RST_OOW, TMWT, NO, K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 second step 1): silently drop" },
	{ S_TIME_WAIT, E_SYN_TW_NEW, CLSD, NO, 0, REOP, 0, 0, "RFC 6191 §2 (RFC 9293 §3.10.7.4 first step note): a newer SYN reopens the tuple, ISS above the old SND.NXT" },
	{ S_TIME_WAIT, E_SYN_TW_OLD, TMWT, A, K_ACK | K_UNCH, NO, 0, 0, "RFC 9293 §3.10.7.4 first step / RFC 7323 §5.3 R1: old SYN unacceptable: ACK (RFC 6191 §2 says drop silently)" },
	{ S_TIME_WAIT, E_TO_LINGER, CLSD, NO, 0, NORM, 0, 0, "RFC 9293 §3.10.8 TIME-WAIT TIMEOUT: delete the TCB, CLOSED" },
	{ S_TIME_WAIT, E_SEND, TMWT, NO, 0, NO, -EPIPE, 0, "RFC 9293 §3.10.2 SEND, TIME-WAIT: error: connection closing" },
	{ S_TIME_WAIT, E_CLOSE, TMWT, NO, 0, NO, -ESHUTDOWN, 0, "RFC 9293 §3.10.4 CLOSE, TIME-WAIT: error: connection closing" },
	{ S_TIME_WAIT, E_ABORT, CLSD, NO, 0, ABRT, 0, 0, "RFC 9293 §3.10.5 ABORT, TIME-WAIT: respond ok, delete the TCB, nothing sent" },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* ---- the rig: one core under test, a peer written by hand ---- */

struct run {
	const char *name;
	bool pin;        /* ISNs and the peer's timestamps just below 2^32 */
	bool passive;    /* synchronized states reached from a passive open (else active) */
	bool ts;         /* the peer offers timestamps */
	bool compact_tw; /* TIME-WAIT packed into a struct synack_tw and back, as the engine keeps it */
};

#define MAX_SENT 8

struct rig {
	const struct run *run;
	enum setup setup;
	struct synack_tcp_ctx ctx;
	struct synack_tcb tcb;
	bool alive;      /* tcb holds a connection */
	bool listening;  /* segments without a TCB go to the listener */
	uint64_t now;
	struct synack_tuple t; /* the connection as the core under test sees it */
	/* The peer: its ISS, next sequence number, last ACK sent and timestamp clock. */
	uint32_t p_iss, p_nxt, p_ack, p_ts;
	/* Our side as seen on the wire: ISS and the highest sequence number sent. */
	uint32_t l_iss, l_nxt;
	uint64_t deadline[SYNACK_TIMER_COUNT];
	int closed_reason;
	bool reopen;
	uint32_t reopen_floor;
	unsigned overflow;
	struct synack_seg in;  /* the last segment delivered */
	struct synack_seg sent[MAX_SENT];
	unsigned nsent;
};

static const uint8_t zeros[2048];

static uint32_t pinned_iss(void *arg, const struct synack_tuple *t)
{
	(void)arg;
	(void)t;
	return PIN_LOCAL_ISS;
}

static void apply(struct rig *r, const struct synack_actions *out)
{
	r->overflow += out->overflow;
	/* out->events names exactly the events in the list (the engine asks it instead of scanning). */
	uint32_t events = 0;
	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].kind == SYNACK_ACT_EVENT)
			events |= 1u << out->a[i].id;
	cr_assert_eq(out->events, events, "events bits %#x, list %#x", out->events, events);
	for (unsigned i = 0; i < out->n; i++) {
		const struct synack_action *a = &out->a[i];
		switch (a->kind) {
		case SYNACK_ACT_SEND: {
			const struct synack_seg *sg = &a->seg;
			if (r->nsent < MAX_SENT)
				r->sent[r->nsent] = *sg;
			r->nsent++;
			if (sg->flags & SYNACK_TH_SYN) {
				r->l_iss = sg->seq;
				r->l_nxt = sg->seq + 1;
			} else if (!(sg->flags & SYNACK_TH_RST)) {
				uint32_t end = sg->seq + synack_seg_seqlen(sg);
				if (synack_seq_gt(end, r->l_nxt))
					r->l_nxt = end;
			}
			break;
		}
		case SYNACK_ACT_TIMER_ARM:
			r->deadline[a->id] = a->deadline_ns;
			break;
		case SYNACK_ACT_TIMER_CANCEL:
			r->deadline[a->id] = 0;
			break;
		case SYNACK_ACT_EVENT:
			if (a->id == SYNACK_EV_DATA) {
				/* The application reads everything at once. */
				synack_tcp_consumed(&r->ctx, &r->tcb, a->n);
			} else if (a->id == SYNACK_EV_REOPEN) {
				r->reopen = true;
				r->reopen_floor = a->n;
			} else if (a->id == SYNACK_EV_CLOSED) {
				r->closed_reason = a->a;
				r->alive = false;
				/* The contract: the caller cancels the timers of a closed TCB. */
				r->deadline[0] = r->deadline[1] = 0;
			}
			break;
		}
	}
}

static struct synack_seg mkseg(const struct rig *r, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	struct synack_seg sg;
	memset(&sg, 0, sizeof(sg));
	sg.saddr = r->t.raddr;
	sg.daddr = r->t.laddr;
	sg.sport = r->t.rport;
	sg.dport = r->t.lport;
	sg.seq = seq;
	sg.ack = (flags & SYNACK_TH_ACK) ? ack : 0;
	sg.len = len;
	sg.wnd = PEER_WND;
	sg.flags = flags;
	sg.ttl = 64;
	sg.payload = len ? zeros : NULL;
	if (flags & SYNACK_TH_SYN) {
		sg.opts.present |= SYNACK_OPT_MSS;
		sg.opts.mss = 1460;
	}
	return sg;
}

/* The peer's timestamp option: the next tick of its clock (RFC 7323: RSTs carry none). */
static void stamp(struct rig *r, struct synack_seg *sg)
{
	if (!r->run->ts || (sg->flags & SYNACK_TH_RST))
		return;
	r->p_ts += 16;
	sg->opts.present |= SYNACK_OPT_TS;
	sg->opts.tsval = r->p_ts;
	sg->opts.tsecr = 0;
}

static void output(struct rig *r)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_output(&r->ctx, &r->tcb, r->now, &out);
	apply(r, &out);
}

/* A segment off the wire, dispatched as the engine does: to the TCB, else the listener, else CLOSED.
 * After input, synack_tcp_output() (the contract of tcp.h). */
static void deliver(struct rig *r, const struct synack_seg *sg)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	r->in = *sg;
	if (r->alive) {
		synack_tcp_input(&r->ctx, &r->tcb, sg, r->now, &out);
		apply(r, &out);
		if (r->alive)
			output(r);
	} else if (r->listening) {
		if (synack_tcp_listen_input(&r->ctx, sg, r->now, &out)) {
			synack_tcp_accept(&r->ctx, &r->tcb, sg, r->now, false, 0, &out);
			r->alive = true;
		}
		apply(r, &out);
	} else {
		synack_tcp_no_conn(&r->ctx, sg, r->now, &out);
		apply(r, &out);
	}
}

static void send_seg(struct rig *r, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	struct synack_seg sg = mkseg(r, flags, seq, ack, len);
	stamp(r, &sg);
	deliver(r, &sg);
}

static void open_active(struct rig *r)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_connect(&r->ctx, &r->tcb, &r->t, r->now, &out);
	r->alive = true;
	apply(r, &out);
}

static int user_send(struct rig *r, uint32_t n)
{
	int rc = synack_tcp_send(&r->ctx, &r->tcb, n);
	if (rc == 0 && r->alive)
		output(r);
	return rc;
}

static int user_close(struct rig *r)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	int rc = synack_tcp_close(&r->ctx, &r->tcb, r->now, &out);
	apply(r, &out);
	return rc;
}

static void user_abort(struct rig *r)
{
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_abort(&r->ctx, &r->tcb, r->now, &out);
	apply(r, &out);
}

/* A timer the core armed expires (a stale one, if none is armed: the core must ignore it). */
static void fire(struct rig *r, enum synack_timer k)
{
	if (r->deadline[k] && r->deadline[k] > r->now)
		r->now = r->deadline[k];
	r->deadline[k] = 0;
	struct synack_actions out;
	synack_actions_reset(&out);
	synack_tcp_timeout(&r->ctx, &r->tcb, k, r->now, &out);
	apply(r, &out);
	if (r->alive)
		output(r);
}

/* The peer's segments during set-up. */
static void peer_syn(struct rig *r)
{
	send_seg(r, SYNACK_TH_SYN, r->p_iss, 0, 0);
	r->p_nxt = r->p_iss + 1;
}

static void peer_ack_all(struct rig *r)
{
	send_seg(r, SYNACK_TH_ACK, r->p_nxt, r->l_nxt, 0);
	r->p_ack = r->l_nxt;
}

static void peer_data(struct rig *r, uint32_t n)
{
	send_seg(r, SYNACK_TH_ACK | SYNACK_TH_PSH, r->p_nxt, r->p_ack, n);
	r->p_nxt += n;
}

static void peer_fin(struct rig *r)
{
	send_seg(r, SYNACK_TH_FIN | SYNACK_TH_ACK, r->p_nxt, r->p_ack, 0);
	r->p_nxt += 1;
}

static void errf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}

static uint8_t cur_state(const struct rig *r)
{
	if (r->alive)
		return r->tcb.state;
	return r->setup == S_LISTEN ? SYNACK_LISTEN : SYNACK_CLOSED;
}

/* Brings a fresh core to setup s through the API. Returns false (err filled) if it did not get there. */
static bool rig_setup(struct rig *r, const struct run *run, enum setup s, char *err, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->run = run;
	r->setup = s;
	r->now = T0;
	r->closed_reason = NO;
	if (synack_tcp_ctx_init(&r->ctx, NULL, 0) != 0) {
		errf(err, cap, "synack_tcp_ctx_init failed");
		return false;
	}
	if (run->pin) {
		r->ctx.isn_hook = pinned_iss;
		r->ctx.isn_arg = r;
	}
	r->p_iss = run->pin ? PIN_PEER_ISS : 0x1badb002u;
	r->p_ts = run->pin ? PIN_PEER_TS : 1000u;
	bool active = s == S_SYN_SENT || s == S_SYN_RCVD_SIM ||
		      (s >= S_ESTAB && !run->passive);
	r->t = (struct synack_tuple){ 0x0a000001u, 0x0a000002u, active ? 40000 : 80, active ? 80 : 40000 };

	switch (s) {
	case S_CLOSED:
		break;
	case S_LISTEN:
		r->listening = true;
		break;
	case S_SYN_SENT:
		open_active(r);
		r->p_ack = r->l_iss;
		r->p_nxt = r->p_iss;
		break;
	case S_SYN_RCVD:
		r->listening = true;
		peer_syn(r);
		r->p_ack = r->l_iss;
		break;
	case S_SYN_RCVD_SIM:
		open_active(r);
		peer_syn(r);
		r->p_ack = r->l_iss;
		break;
	default:
		/* The handshake. */
		if (run->passive) {
			r->listening = true;
			peer_syn(r);
			peer_ack_all(r);
			r->listening = false;
		} else {
			open_active(r);
			send_seg(r, SYNACK_TH_SYN | SYNACK_TH_ACK, r->p_iss, r->l_nxt, 0);
			r->p_nxt = r->p_iss + 1;
			r->p_ack = r->l_nxt;
		}
		/* 16 bytes each way, acknowledged: with pinned ISNs our stream wraps here. */
		peer_data(r, 16);
		if (user_send(r, 16) != 0)
			errf(err, cap, "set-up SEND failed; ");
		peer_ack_all(r);
		if (s == S_ESTAB)
			break;
		if (s == S_ESTAB_UNACKED) {
			if (user_send(r, DLEN) != 0)
				errf(err, cap, "set-up SEND failed; ");
			break;
		}
		if (s == S_CLOSE_WAIT || s == S_LAST_ACK) {
			peer_fin(r);
			if (s == S_LAST_ACK && user_close(r) != 0)
				errf(err, cap, "set-up CLOSE failed; ");
			break;
		}
		/* FIN-WAIT-1 and what follows it. */
		if (user_close(r) != 0)
			errf(err, cap, "set-up CLOSE failed; ");
		if (s == S_CLOSING) {
			peer_fin(r);
			break;
		}
		if (s == S_FIN_WAIT_2 || s == S_TIME_WAIT)
			peer_ack_all(r);
		if (s == S_TIME_WAIT) {
			peer_fin(r);
			if (r->alive && run->pin && r->tcb.iss != PIN_LOCAL_ISS)
				errf(err, cap, "set-up: ISS %#x not pinned; ", r->tcb.iss);
			if (run->compact_tw && r->alive && r->tcb.state == SYNACK_TIME_WAIT) {
				struct synack_tw tw;
				synack_tw_pack(&r->tcb, r->deadline[SYNACK_TIMER_LINGER], &tw);
				memset(&r->tcb, 0xa5, sizeof(r->tcb));
				synack_tw_unpack(&tw, r->ctx.cfg.rcv_buf, &r->tcb);
			}
		}
		break;
	}

	if (cur_state(r) != setups[s].state)
		errf(err, cap, "set-up reached %s, not %s; ", synack_state_name(cur_state(r)),
		     synack_state_name(setups[s].state));
	if (r->alive && s != S_SYN_SENT && r->tcb.rcv_nxt != r->p_nxt)
		errf(err, cap, "set-up: RCV.NXT %#x, the peer's SND.NXT %#x; ", r->tcb.rcv_nxt, r->p_nxt);
	if (r->alive && run->pin && s != S_TIME_WAIT && r->tcb.iss != PIN_LOCAL_ISS)
		errf(err, cap, "set-up: ISS %#x not pinned; ", r->tcb.iss);
	if (r->overflow)
		errf(err, cap, "set-up: %u actions overflowed; ", r->overflow);
	if (!r->alive && s != S_CLOSED && s != S_LISTEN)
		errf(err, cap, "set-up: connection closed (%s); ", synack_close_reason_name((unsigned)r->closed_reason));
	return err[0] == 0;
}

/* Applies event e to the rig. Returns the user call's return code (0 for other events). */
static int rig_event(struct rig *r, enum ev e)
{
	const uint8_t ACK = SYNACK_TH_ACK, SYN = SYNACK_TH_SYN, RST = SYNACK_TH_RST, FIN = SYNACK_TH_FIN,
		      PSH = SYNACK_TH_PSH;
	uint32_t nxt = r->p_nxt;
	struct synack_seg sg;
	switch (e) {
	case E_SYN:
		send_seg(r, SYN, r->setup <= S_SYN_SENT ? r->p_iss : nxt, 0, 0);
		return 0;
	case E_SYN_DUP:
		send_seg(r, SYN, r->p_iss, 0, 0);
		return 0;
	case E_SYN_OOW:
		send_seg(r, SYN, nxt + FAR, 0, 0);
		return 0;
	case E_SYN_TW_NEW:
		sg = mkseg(r, SYN, nxt + 100000, 0, 0);
		if (r->run->ts) {
			r->p_ts += 1000;
			sg.opts.present |= SYNACK_OPT_TS;
			sg.opts.tsval = r->p_ts;
		}
		deliver(r, &sg);
		return 0;
	case E_SYN_TW_OLD:
		sg = mkseg(r, SYN, nxt - 1000, 0, 0);
		if (r->run->ts) {
			sg.opts.present |= SYNACK_OPT_TS;
			sg.opts.tsval = r->p_ts - 1000;
		}
		deliver(r, &sg);
		return 0;
	case E_SYNACK:
		send_seg(r, SYN | ACK, r->p_iss, r->l_nxt, 0);
		return 0;
	case E_SYNACK_BADACK:
		send_seg(r, SYN | ACK, r->p_iss, r->l_iss, 0);
		return 0;
	case E_ACK:
		send_seg(r, ACK, nxt, r->l_nxt, 0);
		return 0;
	case E_ACK_DUP:
		send_seg(r, ACK, nxt, r->p_ack, 0);
		return 0;
	case E_ACK_FUTURE:
		send_seg(r, ACK, nxt, r->l_nxt + 1000, 0);
		return 0;
	case E_ACK_ANCIENT:
		send_seg(r, ACK, nxt, r->l_nxt - FAR, 0);
		return 0;
	case E_FIN:
		send_seg(r, FIN | ACK, nxt, r->p_ack, 0);
		return 0;
	case E_FIN_ACK:
		send_seg(r, FIN | ACK, nxt, r->l_nxt, 0);
		return 0;
	case E_FIN_DUP:
		send_seg(r, FIN | ACK, nxt - 1, r->p_ack, 0);
		return 0;
	case E_RST:
		send_seg(r, RST, nxt, 0, 0);
		return 0;
	case E_RST_ACK:
		send_seg(r, RST | ACK, 0, r->l_nxt, 0);
		return 0;
	case E_RST_BADACK:
		send_seg(r, RST | ACK, 0, r->l_iss, 0);
		return 0;
	case E_RST_INWIN:
		send_seg(r, RST, nxt + 100, 0, 0);
		return 0;
	case E_RST_OOW:
		send_seg(r, RST, nxt + FAR, 0, 0);
		return 0;
	case E_RST_OLD:
		send_seg(r, RST, nxt - 1, 0, 0);
		return 0;
	case E_DATA:
		send_seg(r, PSH | ACK, nxt, r->p_ack, DLEN);
		return 0;
	case E_DATA_NOACK:
		send_seg(r, PSH, nxt, 0, DLEN);
		return 0;
	case E_DATA_OOO:
		send_seg(r, PSH | ACK, nxt + 200, r->p_ack, DLEN);
		return 0;
	case E_DATA_OOW:
		send_seg(r, PSH | ACK, nxt + FAR, r->p_ack, DLEN);
		return 0;
	case E_DATA_OLD:
		send_seg(r, PSH | ACK, nxt - 2 * DLEN, r->p_ack, DLEN);
		return 0;
	case E_PAWS:
		sg = mkseg(r, PSH | ACK, nxt, r->p_ack, DLEN);
		sg.opts.present |= SYNACK_OPT_TS;
		sg.opts.tsval = r->p_ts - 1000;
		deliver(r, &sg);
		return 0;
	case E_TO_RTX:
		fire(r, SYNACK_TIMER_RTX);
		return 0;
	case E_TO_GIVEUP:
		for (int i = 0; i < 100 && r->alive && r->deadline[SYNACK_TIMER_RTX]; i++) {
			r->nsent = 0; /* only the last expiry's segments count */
			fire(r, SYNACK_TIMER_RTX);
		}
		return 0;
	case E_TO_LINGER:
		fire(r, SYNACK_TIMER_LINGER);
		return 0;
	case E_OPEN:
		open_active(r);
		return 0;
	case E_SEND:
		return user_send(r, DLEN);
	case E_CLOSE:
		return user_close(r);
	case E_ABORT:
		user_abort(r);
		return 0;
	case E_COUNT:
		break;
	}
	return 0;
}

static const char *flags_str(int f, char *buf, size_t cap)
{
	if (f < 0)
		return "none";
	snprintf(buf, cap, "%s%s%s%s%s", (f & SYNACK_TH_SYN) ? "S" : "", (f & SYNACK_TH_FIN) ? "F" : "",
		 (f & SYNACK_TH_RST) ? "R" : "", (f & SYNACK_TH_PSH) ? "P" : "", (f & SYNACK_TH_ACK) ? "." : "");
	return buf;
}

/* Runs one row; returns true if it passed. Prints nothing: on failure msg says what differed. */
static bool run_row(const struct run *run, unsigned idx, char *msg, size_t cap)
{
	const struct row *w = &rows[idx];
	static struct rig rig; /* large: keep it off the stack */
	struct rig *r = &rig;
	char err[768] = "";
	char f1[8], f2[8];

	if (rig_setup(r, run, (enum setup)w->from, err, sizeof(err))) {
		/* Time moves between set-up and the event, so that restarted timers are told apart. */
		r->now += SYNACK_NS_PER_S;
		r->nsent = 0;
		r->closed_reason = NO;
		r->reopen = false;
		const struct synack_tcb before = r->tcb;
		bool was_alive = r->alive;
		int rc = rig_event(r, (enum ev)w->ev);
		uint8_t st = cur_state(r);
		const struct synack_seg *o = r->nsent ? &r->sent[0] : NULL;

		if (r->overflow)
			errf(err, sizeof(err), "%u actions overflowed; ", r->overflow);
		if ((w->ev == E_SEND || w->ev == E_CLOSE) && rc != w->rc)
			errf(err, sizeof(err), "returned %d, expected %d; ", rc, w->rc);
		if (st != w->to)
			errf(err, sizeof(err), "state %s, expected %s; ", synack_state_name(st), synack_state_name(w->to));
		if (r->closed_reason != w->reason)
			errf(err, sizeof(err), "close reason %s, expected %s; ",
			     r->closed_reason < 0 ? "none" : synack_close_reason_name((unsigned)r->closed_reason),
			     w->reason < 0 ? "none" : synack_close_reason_name((unsigned)w->reason));
		if (w->reason == REOP && (!r->reopen || !synack_seq_gt(r->reopen_floor, before.snd_nxt)))
			errf(err, sizeof(err), "no REOPEN event with an ISS floor above SND.NXT %#x (got %s %#x); ",
			     before.snd_nxt, r->reopen ? "floor" : "none", r->reopen_floor);
		if (w->reply < 0 && r->nsent)
			errf(err, sizeof(err), "sent %u segment(s) [%s seq=%#x ack=%#x len=%u], expected none; ", r->nsent,
			     flags_str(o->flags, f1, sizeof(f1)), o->seq, o->ack, o->len);
		if (w->reply >= 0 && (r->nsent != 1 || o->flags != w->reply))
			errf(err, sizeof(err), "sent %u segment(s) [%s], expected one [%s]; ", r->nsent,
			     o ? flags_str(o->flags, f1, sizeof(f1)) : "-", flags_str(w->reply, f2, sizeof(f2)));
		if (o && r->nsent == 1 && o->flags == w->reply) {
			if ((w->check & K_ACK) && r->alive && (o->seq != r->tcb.snd_nxt || o->ack != r->tcb.rcv_nxt))
				errf(err, sizeof(err), "ACK seq=%#x ack=%#x, expected SND.NXT=%#x RCV.NXT=%#x; ", o->seq, o->ack,
				     r->tcb.snd_nxt, r->tcb.rcv_nxt);
			if ((w->check & K_RSA) && o->seq != r->in.ack)
				errf(err, sizeof(err), "RST seq=%#x, expected SEG.ACK=%#x; ", o->seq, r->in.ack);
			if ((w->check & K_RZ) && (o->seq != 0 || o->ack != r->in.seq + synack_seg_seqlen(&r->in)))
				errf(err, sizeof(err), "RST,ACK seq=%#x ack=%#x, expected 0 and %#x; ", o->seq, o->ack,
				     r->in.seq + synack_seg_seqlen(&r->in));
			if ((w->check & K_RSN) && o->seq != before.snd_nxt)
				errf(err, sizeof(err), "RST seq=%#x, expected SND.NXT=%#x; ", o->seq, before.snd_nxt);
			if ((w->check & K_SYN) && r->alive &&
			    (o->seq != r->tcb.iss || ((o->flags & SYNACK_TH_ACK) && o->ack != r->tcb.rcv_nxt)))
				errf(err, sizeof(err), "SYN seq=%#x ack=%#x, expected ISS=%#x RCV.NXT=%#x; ", o->seq, o->ack,
				     r->tcb.iss, r->tcb.rcv_nxt);
			if ((w->check & K_NEW) && (o->seq != before.snd_nxt || o->len != DLEN))
				errf(err, sizeof(err), "data seq=%#x len=%u, expected SND.NXT=%#x len=%u; ", o->seq, o->len,
				     before.snd_nxt, DLEN);
			if ((w->check & K_RTX) && o->seq != before.snd_una)
				errf(err, sizeof(err), "retransmission seq=%#x, expected SND.UNA=%#x; ", o->seq, before.snd_una);
		}
		if ((w->check & K_UNCH) && r->alive && was_alive &&
		    (r->tcb.rcv_nxt != before.rcv_nxt || r->tcb.snd_una != before.snd_una ||
		     r->tcb.snd_nxt != before.snd_nxt || r->tcb.snd_wnd != before.snd_wnd))
			errf(err, sizeof(err), "segment not dropped: RCV.NXT %#x->%#x SND.UNA %#x->%#x SND.NXT %#x->%#x "
			     "SND.WND %u->%u; ", before.rcv_nxt, r->tcb.rcv_nxt, before.snd_una, r->tcb.snd_una,
			     before.snd_nxt, r->tcb.snd_nxt, before.snd_wnd, r->tcb.snd_wnd);
		/* Timers. TIME-WAIT: the 2 MSL timer runs and nothing else (§3.10.7.4 eighth step), restarted
		 * by a retransmitted FIN. FIN-WAIT-2 is bounded. Anything in flight is timed (RFC 6298 §5.1). */
		uint64_t msl2 = 2ull * r->ctx.cfg.msl_ms * SYNACK_NS_PER_MS;
		if (r->alive && st == SYNACK_TIME_WAIT) {
			if (r->deadline[SYNACK_TIMER_RTX] || !r->deadline[SYNACK_TIMER_LINGER])
				errf(err, sizeof(err), "TIME-WAIT timers: rtx %s, 2MSL %s; ",
				     r->deadline[SYNACK_TIMER_RTX] ? "armed" : "off",
				     r->deadline[SYNACK_TIMER_LINGER] ? "armed" : "off");
			else if ((w->from != S_TIME_WAIT || w->ev == E_FIN_DUP) &&
				 r->deadline[SYNACK_TIMER_LINGER] != r->now + msl2)
				errf(err, sizeof(err), "2MSL timer at now%+.3fs, expected now+%.0fs; ",
				     ((double)r->deadline[SYNACK_TIMER_LINGER] - (double)r->now) / 1e9, (double)msl2 / 1e9);
		}
		if (r->alive && st == SYNACK_FIN_WAIT_2 && w->from != S_FIN_WAIT_2 &&
		    r->deadline[SYNACK_TIMER_LINGER] != r->now + (uint64_t)r->ctx.cfg.fin_wait2_ms * SYNACK_NS_PER_MS)
			errf(err, sizeof(err), "FIN-WAIT-2 timer not armed at now + fin_wait2_ms; ");
		if (r->alive && (st == SYNACK_SYN_SENT || st == SYNACK_SYN_RECEIVED ||
				 (synack_state_synchronized(st) && st != SYNACK_TIME_WAIT &&
				  r->tcb.snd_una != r->tcb.snd_max)) &&
		    !r->deadline[SYNACK_TIMER_RTX])
			errf(err, sizeof(err), "%s with SND.UNA %#x != SND.MAX %#x but no retransmission timer; ",
			     synack_state_name(st), r->tcb.snd_una, r->tcb.snd_max);
	}
	if (err[0] == 0)
		return true;
	snprintf(msg, cap, "[%s] row %u: %s + %s: %s\n    expected per: %s", run->name, idx, setups[w->from].name,
		 ev_names[w->ev], err, w->cite);
	return false;
}

static void run_table(const struct run *run)
{
	unsigned ran = 0;
	char msg[1536];
	for (unsigned i = 0; i < NROWS; i++) {
		if ((rows[i].flags & F_TS) && !run->ts)
			continue;
		bool ok = run_row(run, i, msg, sizeof(msg));
		cr_expect(ok, "%s", msg);
		ran++;
	}
	cr_assert_geq(ran, 80u, "only %u rows ran", ran);
}

/* ---- tests ---- */

Test(state_table, shape)
{
	/* 80-150 rows; every start state and every event appears at least once. */
	cr_assert_geq(NROWS, 80u);
	cr_assert_leq(NROWS, 150u);
	bool seen_s[S_COUNT] = { false }, seen_e[E_COUNT] = { false };
	for (unsigned i = 0; i < NROWS; i++) {
		cr_assert_lt(rows[i].from, S_COUNT);
		cr_assert_lt(rows[i].ev, E_COUNT);
		cr_assert(rows[i].cite && rows[i].cite[0], "row %u has no citation", i);
		seen_s[rows[i].from] = seen_e[rows[i].ev] = true;
	}
	for (unsigned s = 0; s < S_COUNT; s++)
		cr_expect(seen_s[s], "no row starts in %s", setups[s].name);
	for (unsigned e = 0; e < E_COUNT; e++)
		cr_expect(seen_e[e], "no row applies %s", ev_names[e]);
}

static const struct run run_active = { "rfc6528-isn active", false, false, true, false };
static const struct run run_passive = { "rfc6528-isn passive", false, true, true, false };
static const struct run run_wrap_active = { "isn-near-2^32 active", true, false, true, false };
static const struct run run_wrap_passive = { "isn-near-2^32 passive", true, true, true, false };
static const struct run run_wrap_nots = { "isn-near-2^32 no-timestamps", true, true, false, false };
static const struct run run_wrap_compact = { "isn-near-2^32 compact-time-wait", true, false, true, true };

Test(state_table, rfc6528_isn_active) { run_table(&run_active); }
Test(state_table, rfc6528_isn_passive) { run_table(&run_passive); }
Test(state_table, isn_near_2_32_active) { run_table(&run_wrap_active); }
Test(state_table, isn_near_2_32_passive) { run_table(&run_wrap_passive); }
Test(state_table, isn_near_2_32_no_timestamps) { run_table(&run_wrap_nots); }
Test(state_table, isn_near_2_32_compact_time_wait) { run_table(&run_wrap_compact); }

/* Zero windows (RFC 9293 §3.8.6.1, after RFC 1122 §4.2.2.17): "The sending TCP peer must regularly
 * transmit at least one octet of new data (if available), or retransmit to the receiving TCP peer
 * even if the send window is zero, in order to 'probe' the window", and "as long as the
 * receiving TCP peer continues to send acknowledgments in response to the probe segments, the
 * sending TCP peer MUST allow the connection to stay open". */

static void peer_ack_wnd(struct rig *r, uint32_t ack, uint16_t wnd)
{
	struct synack_seg sg = mkseg(r, SYNACK_TH_ACK, r->p_nxt, ack, 0);
	sg.wnd = wnd;
	stamp(r, &sg);
	deliver(r, &sg);
	r->p_ack = ack;
}

static void zero_window_probe_timer(const struct run *run)
{
	static struct rig rig;
	struct rig *r = &rig;
	char err[512] = "";
	cr_assert(rig_setup(r, run, S_ESTAB_UNACKED, err, sizeof(err)), "%s", err);
	/* Everything in flight is acknowledged, and the window closes at the same time. */
	peer_ack_wnd(r, r->l_nxt, 0);
	cr_assert_eq(r->tcb.snd_una, r->tcb.snd_max);
	cr_assert_eq(r->tcb.snd_wnd, 0u);
	/* The application queues more: nothing may go now, but a timer must run to probe the window
	 * (otherwise a lost window update leaves both ends waiting forever). */
	r->nsent = 0;
	cr_assert_eq(user_send(r, DLEN), 0);
	cr_expect_eq(r->nsent, 0u, "sent into a zero window without a probe timer");
	cr_assert_neq(r->deadline[SYNACK_TIMER_RTX], 0u,
		      "[%s] ESTABLISHED, data queued behind a zero window, nothing in flight: no timer runs, so the "
		      "window is never probed (RFC 9293 §3.8.6.1)", run->name);
	uint32_t nxt = r->tcb.snd_nxt;
	r->nsent = 0;
	fire(r, SYNACK_TIMER_RTX);
	cr_assert_geq(r->nsent, 1u, "the probe timer fired but sent nothing");
	cr_expect_eq(r->sent[0].seq, nxt, "probe seq %#x, expected SND.NXT %#x", r->sent[0].seq, nxt);
	cr_expect_eq(r->sent[0].len, 1u, "a window probe carries one octet");
	cr_expect_neq(r->deadline[SYNACK_TIMER_RTX], 0u, "probing stopped after one probe");
}

static void zero_window_kept_open(const struct run *run)
{
	static struct rig rig;
	struct rig *r = &rig;
	char err[512] = "";
	cr_assert(rig_setup(r, run, S_ESTAB_UNACKED, err, sizeof(err)), "%s", err);
	uint32_t una = r->tcb.snd_una;
	/* The peer closes its window with our 100 bytes still unacknowledged. */
	peer_ack_wnd(r, una, 0);
	unsigned limit = r->ctx.cfg.data_retries;
	unsigned probes = 0;
	for (; probes < 2 * limit + 5; probes++) {
		cr_assert(r->alive, "[%s] the connection was given up (%s) after %u probes, each answered by the peer "
			  "(RFC 9293 §3.8.6.1: MUST allow the connection to stay open)", run->name,
			  synack_close_reason_name((unsigned)r->closed_reason), probes);
		cr_assert_neq(r->deadline[SYNACK_TIMER_RTX], 0u, "no probe timer after %u probes", probes);
		r->nsent = 0;
		fire(r, SYNACK_TIMER_RTX);
		if (!r->alive)
			continue; /* reported by the assertion above */
		cr_assert_geq(r->nsent, 1u, "probe %u: nothing sent", probes);
		cr_expect_eq(r->sent[0].seq, una, "probe %u seq %#x, expected SND.UNA %#x", probes, r->sent[0].seq, una);
		/* The peer is alive: it answers each probe, window still closed. */
		peer_ack_wnd(r, una, 0);
	}
	cr_assert(r->alive, "[%s] the connection was given up (%s) after %u answered probes", run->name,
		  synack_close_reason_name((unsigned)r->closed_reason), probes);
	cr_expect_eq(r->tcb.state, SYNACK_ESTABLISHED);
	/* The window opens: the data goes, and is acknowledged. */
	r->nsent = 0;
	peer_ack_wnd(r, una, (uint16_t)PEER_WND);
	cr_expect_geq(r->nsent, 1u, "nothing sent when the window opened");
	peer_ack_wnd(r, r->l_nxt, (uint16_t)PEER_WND);
	cr_expect_eq(r->tcb.snd_una, r->tcb.snd_max);
}

Test(state_table, zero_window_is_probed) { zero_window_probe_timer(&run_active); }
Test(state_table, zero_window_is_probed_near_2_32) { zero_window_probe_timer(&run_wrap_passive); }
Test(state_table, zero_window_kept_open_while_probes_answered) { zero_window_kept_open(&run_active); }
Test(state_table, zero_window_kept_open_near_2_32) { zero_window_kept_open(&run_wrap_passive); }

/* Simultaneous open (RFC 9293 §3.5, Figure 8) between two cores: both SYNs cross, both SYN,ACKs
 * cross (each unacceptable to the other: §3.10.7.4 first step answers with an ACK), and those ACKs
 * finish the handshake on both sides. With ISNs just below 2^32. */
struct sim_side {
	struct synack_tcp_ctx ctx;
	struct synack_tcb tcb;
	struct synack_seg q[16];
	unsigned nq;
	bool connected;
	int closed;
};

static void sim_apply(struct sim_side *x, const struct synack_actions *out)
{
	for (unsigned i = 0; i < out->n; i++) {
		const struct synack_action *a = &out->a[i];
		if (a->kind == SYNACK_ACT_SEND && x->nq < 16)
			x->q[x->nq++] = a->seg;
		else if (a->kind == SYNACK_ACT_EVENT && a->id == SYNACK_EV_CONNECTED)
			x->connected = true;
		else if (a->kind == SYNACK_ACT_EVENT && a->id == SYNACK_EV_CLOSED)
			x->closed = a->a;
	}
}

static uint32_t sim_iss(void *arg, const struct synack_tuple *t)
{
	(void)arg;
	return t->lport == 1111 ? 0xfffffffeu : 0xffffff00u;
}

Test(state_table, simultaneous_open)
{
	static struct sim_side side[2];
	memset(side, 0, sizeof(side));
	const struct synack_tuple t[2] = { { 0x0a000001u, 0x0a000002u, 1111, 2222 },
					   { 0x0a000002u, 0x0a000001u, 2222, 1111 } };
	uint64_t now = T0;
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(synack_tcp_ctx_init(&side[i].ctx, NULL, (uint32_t)i), 0);
		side[i].ctx.isn_hook = sim_iss;
		side[i].closed = -1;
		struct synack_actions out;
		synack_actions_reset(&out);
		synack_tcp_connect(&side[i].ctx, &side[i].tcb, &t[i], now, &out);
		sim_apply(&side[i], &out);
	}
	/* Deliver in rounds: everything each side queued goes to the other at once. */
	for (int round = 0; round < 6; round++) {
		struct synack_seg q[2][16];
		unsigned nq[2];
		for (int i = 0; i < 2; i++) {
			nq[i] = side[i].nq;
			memcpy(q[i], side[i].q, sizeof(q[i]));
			side[i].nq = 0;
		}
		now += 50 * SYNACK_NS_PER_US;
		for (int i = 0; i < 2; i++) {
			struct sim_side *to = &side[!i];
			for (unsigned k = 0; k < nq[i]; k++) {
				struct synack_actions out;
				synack_actions_reset(&out);
				synack_tcp_input(&to->ctx, &to->tcb, &q[i][k], now, &out);
				synack_tcp_output(&to->ctx, &to->tcb, now, &out);
				sim_apply(to, &out);
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		cr_expect_eq(side[i].tcb.state, SYNACK_ESTABLISHED, "side %d in %s", i, synack_state_name(side[i].tcb.state));
		cr_expect(side[i].connected, "side %d: no CONNECTED event", i);
		cr_expect_eq(side[i].closed, -1);
		cr_expect_eq(side[i].tcb.snd_una, side[i].tcb.iss + 1);
		cr_expect_eq(side[i].tcb.rcv_nxt, side[!i].tcb.iss + 1);
		cr_expect_eq(side[i].ctx.stats.rst_out, 0);
	}
}
