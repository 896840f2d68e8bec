/* fuzz_records.h: the script format both fuzz targets read (and gen_corpus.c writes): records of
 * an op byte, a 16-bit big-endian length and that many bytes; ops 0 and 1 carry a segment, as an
 * Ethernet frame or a bare IPv4 packet. */
#ifndef SYNACK_FUZZ_RECORDS_H
#define SYNACK_FUZZ_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/parse.h"

/* The next record from data[*at] on (a length past the end is cut to it); false at the end. */
static inline bool fuzz_next_record(const uint8_t *data, size_t size, size_t *at, uint8_t *op, const uint8_t **rec,
				    size_t *len)
{
	size_t i = *at;
	if (i + 3 > size)
		return false;
	*op = data[i];
	*len = (size_t)data[i + 1] << 8 | data[i + 2];
	i += 3;
	if (*len > size - i)
		*len = size - i;
	*rec = data + i;
	*at = i + *len;
	return true;
}

/* The TCP segment a record of op 0 (a frame) or 1 (an IPv4 packet, checksums taken as checked)
 * carries, parsed into pkt or seg; NULL when it carries none. */
static inline const struct synack_seg *fuzz_segment(uint8_t op, const uint8_t *rec, size_t len, struct synack_pkt *pkt,
						    struct synack_seg *seg)
{
	if (op % 8 == 0)
		return synack_parse_frame(rec, len, 0, pkt) == SYNACK_PARSE_OK && pkt->kind == SYNACK_PKT_TCP ? &pkt->seg
													  : NULL;
	return synack_parse_ipv4_tcp(rec, len, SYNACK_PARSE_F_IP_CSUM_OK | SYNACK_PARSE_F_L4_CSUM_OK, seg) ==
			       SYNACK_PARSE_OK
		       ? seg
		       : NULL;
}

#endif
