/* bigmem.h: memory for a worker's large tables (connections, TIME-WAIT entries, their buckets).
 *
 * These are touched across hundreds of MiB to gigabytes, by their own core only, and never by a
 * device. With hugepages EAL's heap serves them. Without (--no-huge, the default), EAL's memory is
 * a shared memfd mapping of 4 KiB pages that transparent huge pages do not cover (shmem THP is off
 * by default), and nearly every new TIME-WAIT entry cost a TLB miss and a page walk. So then they
 * come from a private anonymous mapping advised for transparent huge pages, bound to the worker's
 * NUMA node, and faulted in whole at start: the TIME-WAIT ring, filled in order, once took its
 * 4 KiB pages as it filled, and those faults (about 13 us each in this VM) cost its core 10 % and
 * the system 26 s of a 145 s close run at 1.3 M entries/s. A table is sized for what a run holds
 * (the ring touches every slot once it wraps anyway). */
#ifndef SYNACK_DPDK_BIGMEM_H
#define SYNACK_DPDK_BIGMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Zeroed, 64-byte aligned memory of size bytes on socket, faulted in, or NULL. huge: EAL runs on
 * hugepages. */
void *synack_bigmem_alloc(size_t size, int socket, bool huge);
void synack_bigmem_free(void *p, size_t size, bool huge);

/* A DPDK malloc heap on such memory (2 MiB aligned, advised for THP, faulted in), for what EAL
 * would otherwise put on its 4 KiB no-huge pages: the mbuf pool, whose buffers every packet
 * touches, cost a TLB miss on nearly every one of them there (ring handshake with the pool on
 * hugepages instead: won 4 of 4 pairs, server 732-963 -> 637-886 cycles). Its memory has no IOVA,
 * so it is for virtual devices only (not net_af_xdp's umem, nor a NIC's DMA). */
struct synack_bigmem_heap {
	char name[32];
	void *mem;
	size_t len;
	int socket;     /* the heap's socket id, for rte_*_create(..., socket) */
};
int synack_bigmem_heap_create(struct synack_bigmem_heap *h, const char *name, size_t size);
void synack_bigmem_heap_destroy(struct synack_bigmem_heap *h);

#endif
