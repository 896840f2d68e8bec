/* seg_fmt.h: one segment as one line of text, in the manner of tcpdump ("Flags [S.], seq 1, ack 2,
 * win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"), for traces,
 * logs and the console. */
#ifndef SYNACK_NET_SEG_FMT_H
#define SYNACK_NET_SEG_FMT_H

#include <stddef.h>

#include "tcp_seg.h"

/* Writes at most cap bytes (NUL included); returns what snprintf returns. */
int synack_seg_format(char *buf, size_t cap, const struct synack_seg *s);
/* "198.18.0.1" into buf (at least 16 bytes). */
const char *synack_ip4_str(char *buf, uint32_t addr);

#endif
