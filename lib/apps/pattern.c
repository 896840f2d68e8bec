/* pattern.c: the bytes of generated payloads, 'a'..'z' by stream offset, copied from a table that
 * repeats the alphabet: a byte loop with a division per byte cost a request connection a visible
 * share of its cycles. */
#include <string.h>

#include "apps/apps.h"

#define PATTERN_RUN 1024u
static uint8_t pattern[PATTERN_RUN + 26];

static void __attribute__((constructor)) pattern_init(void)
{
	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)('a' + i % 26);
}

void synack_pattern_fill(uint32_t off, uint8_t *dst, uint32_t len)
{
	while (len) {
		uint32_t n = len < PATTERN_RUN ? len : PATTERN_RUN;
		memcpy(dst, pattern + off % 26, n);
		dst += n;
		off += n;
		len -= n;
	}
}
