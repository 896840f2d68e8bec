/* fuzz_isn.h: the ISNs the fuzzer's seed conversations are recorded with, and its server uses, so
 * that a recorded conversation is accepted past its handshake (RFC 6528 ISNs differ every run). */
#ifndef SYNACK_FUZZ_ISN_H
#define SYNACK_FUZZ_ISN_H

#define FUZZ_CLIENT_ISN 0x1234abcdu
#define FUZZ_SERVER_ISN 0xfffff000u  /* the server's sequence space wraps during a conversation */

#endif
