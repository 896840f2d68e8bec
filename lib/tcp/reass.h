/* reass.h: the receive side's out-of-order queue (RFC 9293 §3.10.7.4, seventh step: segments in
 * the window but past RCV.NXT "may be held" until the hole fills), over plain memory. One store
 * per core: fixed 2 KiB slots from a free list, copied into (loss is the slow path; the frame it
 * came in goes back to the port at once), linked per connection in sequence order from the TCB's
 * `ooo` (slot index + 1, 0 when empty). Bounded per connection (per_conn slots) and per core (the
 * store's size); what does not fit is dropped and counted, and the peer's retransmission brings
 * it again. Slots delivered in order stay readable until the store's next delivery or insert (the
 * caller handles one input's events before the next): then they are freed. The SACK blocks
 * an ACK carries (RFC 2018 §4) are read from the same queue. */
#ifndef SYNACK_TCP_REASS_H
#define SYNACK_TCP_REASS_H

#include <stddef.h>
#include <stdint.h>

#define SYNACK_REASS_SLOT 2048u
#define SYNACK_REASS_DATA (SYNACK_REASS_SLOT - 16u)
/* The most slots one connection may hold: a 1.5 MB window's worth of full-sized segments past a
 * hole, so that a window sized for a fast link survives a loss (a bound smaller than the window
 * drops what follows the hole, and the sender must send it all again). The store's per_conn is
 * at most this. */
#define SYNACK_REASS_CONN_MAX 1024u
/* Slots delivered per input (each is one data event): the rest follow at once through
 * synack_tcp_reass_deliver(), so that a long queue cannot overflow one action list. */
#define SYNACK_REASS_DELIVER_MAX 16u

struct synack_reass_slot {
	uint32_t seq;
	uint16_t len;
	uint8_t fin;            /* the peer's FIN follows this slot's last byte */
	uint8_t pad;
	uint32_t next;          /* the connection's next slot (index + 1), 0: the last */
	uint32_t stamp;         /* the store's count of inserts when it arrived: most recent first */
	uint8_t data[SYNACK_REASS_DATA];
};

struct synack_reass {
	struct synack_reass_slot *slot;
	uint32_t *free_idx;
	uint32_t nslots, nfree;
	uint32_t per_conn;
	uint32_t stamp;
	uint32_t pending;       /* delivered slots (index + 1, linked by next): freed by the next delivery or insert */
};

/* Bytes of memory for n slots and their free list (one block, 64-byte aligned by the caller). */
size_t synack_reass_mem(uint32_t n);
/* A store of n slots in mem (synack_reass_mem(n) bytes), per_conn slots at most per connection. */
void synack_reass_init(struct synack_reass *r, void *mem, uint32_t n, uint32_t per_conn);

/* What an insert did, for the counters. */
struct synack_reass_put {
	uint32_t kept;          /* bytes newly held */
	uint32_t dup;           /* bytes already held */
	uint32_t dropped;       /* bytes with no room (the connection's bound, or the store's) */
};

/* Holds [seq, seq + len) of p for the queue at *head, the peer's FIN after it when fin (kept only if
 * the segment's last byte is). Bytes already held keep the first copy. */
struct synack_reass_put synack_reass_insert(struct synack_reass *r, uint32_t *head, uint32_t seq, const uint8_t *p,
					    uint32_t len, int fin);

/* The head slot, if it starts at or before rcv_nxt (its bytes can be delivered), else NULL. */
struct synack_reass_slot *synack_reass_ready(struct synack_reass *r, uint32_t head, uint32_t rcv_nxt);
/* Unlinks the head slot onto the store's delivered list: its bytes stay until the next release. */
void synack_reass_pop(struct synack_reass *r, uint32_t *head);
/* Frees the delivered slots. */
void synack_reass_release(struct synack_reass *r);
/* Frees a connection's whole queue; returns the slots it held. */
uint32_t synack_reass_drop(struct synack_reass *r, uint32_t *head);

/* Up to max SACK blocks [left, right) for the queue, the most recently received first (RFC 2018
 * §4: the first block holds the segment that triggered the ACK). Returns the count. */
unsigned synack_reass_blocks(const struct synack_reass *r, uint32_t head, uint32_t blocks[][2], unsigned max);

/* Slots the queue holds (at most per_conn). */
uint32_t synack_reass_count(const struct synack_reass *r, uint32_t head);

/* Slots no connection holds: free, or delivered and waiting for their release. */
static inline uint32_t synack_reass_unheld(const struct synack_reass *r)
{
	return r->nfree + synack_reass_count(r, r->pending);
}

#endif
