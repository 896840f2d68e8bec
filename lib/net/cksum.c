/* cksum.c: Internet checksum (RFC 1071) and its incremental update (RFC 1624). See cksum.h for the
 * byte-order convention: everything is summed in memory order. */
#include "cksum.h"

#include <string.h>

uint32_t synack_cksum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t acc = sum, acc2 = 0, w0, w1, w2, w3;
	uint32_t w32;
	uint16_t w16;

	/* 32 bytes per iteration in two independent chains so the carries do not serialise. */
	while (len >= 32) {
		memcpy(&w0, b, 8);
		memcpy(&w1, b + 8, 8);
		memcpy(&w2, b + 16, 8);
		memcpy(&w3, b + 24, 8);
		acc = synack_cksum_add_carry64(acc, w0);
		acc2 = synack_cksum_add_carry64(acc2, w1);
		acc = synack_cksum_add_carry64(acc, w2);
		acc2 = synack_cksum_add_carry64(acc2, w3);
		b += 32;
		len -= 32;
	}
	acc = synack_cksum_add_carry64(acc, acc2);
	while (len >= 8) {
		memcpy(&w0, b, 8);
		acc = synack_cksum_add_carry64(acc, w0);
		b += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, b, 4);
		acc = synack_cksum_add_carry64(acc, w32);
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, b, 2);
		acc = synack_cksum_add_carry64(acc, w16);
		b += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the first byte of a word whose second byte is zero, in memory order
		 * whatever the host's endianness. */
		uint8_t last[2] = { b[0], 0 };
		memcpy(&w16, last, 2);
		acc = synack_cksum_add_carry64(acc, w16);
	}
	return synack_cksum_fold16(acc);
}

uint16_t synack_cksum_update16(uint16_t old_cksum, uint16_t old_word, uint16_t new_word)
{
	uint32_t s = (uint32_t)(uint16_t)~old_cksum + (uint16_t)~old_word + new_word;

	return (uint16_t)~synack_cksum_fold16(s);
}

uint16_t synack_cksum_update32(uint16_t old_cksum, uint32_t old_val, uint32_t new_val)
{
	uint32_t s = (uint32_t)(uint16_t)~old_cksum + (uint16_t)~(old_val >> 16) +
		     (uint16_t)~(old_val & 0xffff) + (new_val >> 16) + (new_val & 0xffff);

	return (uint16_t)~synack_cksum_fold16(s);
}
