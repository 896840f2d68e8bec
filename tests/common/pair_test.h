/* pair_test.h: Criterion tests over the in-memory pair, each run twice: with RFC 6528 ISNs (suite
 * SUITE), and with ISNs pinned just below 2^32 (suite SUITE_wrap) so that every sequence space
 * wraps during the test. The body gets the pair as p. */
#ifndef SYNACK_TEST_PAIR_TEST_H
#define SYNACK_TEST_PAIR_TEST_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "pair.h"

#define PAIR_WRAP_CLIENT_ISN 0xfffffff0u
#define PAIR_WRAP_SERVER_ISN 0xffffff80u

/* One pair per test file, large (frames and buffers), zeroed by each test's pair_init(). */
static struct pair pair_test_pair;

#define PAIR_TEST(suite, wrap_suite, name)                                              \
	static void name##_body(struct pair *p);                                        \
	Test(suite, name)                                                               \
	{                                                                               \
		pair_init(&pair_test_pair, getenv("PAIR_TRACE") ? stderr : NULL);          \
		name##_body(&pair_test_pair);                                              \
	}                                                                               \
	Test(wrap_suite, name)                                                          \
	{                                                                               \
		pair_init(&pair_test_pair, getenv("PAIR_TRACE") ? stderr : NULL);          \
		pair_pin_isn(&pair_test_pair, PAIR_WRAP_CLIENT_ISN, PAIR_WRAP_SERVER_ISN); \
		name##_body(&pair_test_pair);                                              \
	}                                                                               \
	static void name##_body(struct pair *p)

#endif
