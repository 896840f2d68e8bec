/* bigmem.h: memory for a worker's large tables (connections, TIME-WAIT entries, their buckets).
 *
 * These are touched at random across hundreds of MiB, by their own core only, and never by a
 * device. With hugepages EAL's heap serves them. Without (--no-huge, the default), EAL's memory is
 * a shared memfd mapping of 4 KiB pages that transparent huge pages do not cover (shmem THP is off
 * by default), and nearly every new TIME-WAIT entry cost a TLB miss and a page walk. So then they
 * come from a private anonymous mapping advised for transparent huge pages, bound to the worker's
 * NUMA node. What is touched at random (connections, hash buckets) is faulted in at start; a
 * TIME-WAIT table's entries, filled in order and sized for minutes of load, as they fill, one 2 MiB
 * page per ~30,000 entries, so that memory goes only to what the run holds. */
#ifndef SYNACK_DPDK_BIGMEM_H
#define SYNACK_DPDK_BIGMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Zeroed, 64-byte aligned memory of size bytes on socket, or NULL; its first prefault bytes are
 * faulted in now (all of it with hugepages). huge: EAL runs on hugepages. */
void *synack_bigmem_alloc(size_t size, int socket, bool huge, size_t prefault);
void synack_bigmem_free(void *p, size_t size, bool huge);

#endif
