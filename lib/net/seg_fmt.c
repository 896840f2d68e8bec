/* seg_fmt.c: tcpdump-style rendering of a segment. */
#include <stdio.h>

#include "seg_fmt.h"

const char *synack_ip4_str(char *buf, uint32_t a)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

int synack_seg_format(char *buf, size_t cap, const struct synack_seg *s)
{
	char fl[8];
	int k = 0;
	/* tcpdump's letters: S F R P, '.' for ACK, U E W. */
	if (s->flags & SYNACK_TH_SYN) fl[k++] = 'S';
	if (s->flags & SYNACK_TH_FIN) fl[k++] = 'F';
	if (s->flags & SYNACK_TH_RST) fl[k++] = 'R';
	if (s->flags & SYNACK_TH_PSH) fl[k++] = 'P';
	if (s->flags & SYNACK_TH_URG) fl[k++] = 'U';
	if (s->flags & SYNACK_TH_ACK) fl[k++] = '.';
	fl[k] = 0;

	char opt[160];
	size_t o = 0;
	const struct synack_tcp_opts *op = &s->opts;
#define OPT(...) do { if (o < sizeof(opt)) o += (size_t)snprintf(opt + o, sizeof(opt) - o, __VA_ARGS__); } while (0)
	if (op->present & SYNACK_OPT_MSS) OPT("%smss %u", o ? "," : "", op->mss);
	if (op->present & SYNACK_OPT_SACK_OK) OPT("%ssackOK", o ? "," : "");
	if (op->present & SYNACK_OPT_TS) OPT("%sTS val %u ecr %u", o ? "," : "", op->tsval, op->tsecr);
	if (op->present & SYNACK_OPT_WSCALE) OPT("%swscale %u", o ? "," : "", op->wscale);
	if (op->present & SYNACK_OPT_SACK) {
		OPT("%ssack %u", o ? "," : "", op->sack_blocks);
		for (unsigned i = 0; i < op->sack_blocks && i < SYNACK_SACK_MAX_BLOCKS; i++)
			OPT(" {%u:%u}", op->sack[i][0], op->sack[i][1]);
	}
	if (op->present & SYNACK_OPT_TFO) OPT("%stfo %s", o ? "," : "", op->tfo_len ? "cookie" : "cookiereq");
#undef OPT
	if (o >= sizeof(opt))
		o = sizeof(opt) - 1;
	opt[o] = 0;

	int n = snprintf(buf, cap, "Flags [%s], seq %u", fl, s->seq);
	if (n < 0 || (size_t)n >= cap)
		return n;
	if (s->flags & SYNACK_TH_ACK)
		n += snprintf(buf + n, cap - (size_t)n, ", ack %u", s->ack);
	if ((size_t)n >= cap)
		return n;
	n += snprintf(buf + n, cap - (size_t)n, ", win %u%s%s%s, length %u", s->wnd, o ? ", options [" : "", opt,
		      o ? "]" : "", s->len);
	return n;
}
