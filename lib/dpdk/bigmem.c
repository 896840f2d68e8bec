/* bigmem.c: see bigmem.h. */
#include <numa.h>
#include <rte_malloc.h>
#include <stdint.h>
#include <sys/mman.h>

#include "bigmem.h"

#define THP_SIZE (2u << 20)

static size_t round_up(size_t n) { return (n + THP_SIZE - 1) & ~(size_t)(THP_SIZE - 1); }

void *synack_bigmem_alloc(size_t size, int socket, bool huge, size_t prefault)
{
	if (huge)
		return rte_zmalloc_socket("synack_table", size, 64, socket);
	size_t len = round_up(size);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	size_t pre = round_up(prefault < size ? prefault : size);
	/* Huge pages for the part hit at random. The rest (TIME-WAIT entries, written in order) keeps
	 * 4 KiB pages: a 2 MiB fault there, with the kernel compacting memory to find the page, held a
	 * worker for milliseconds (the close run's p99.9 connect latency was 4.8 ms). */
	madvise(p, pre, MADV_HUGEPAGE);
	if (pre < len)
		madvise((uint8_t *)p + pre, len - pre, MADV_NOHUGEPAGE);
	if (socket >= 0 && numa_available() >= 0 && numa_max_node() > 0)
		numa_tonode_memory(p, len, socket);
	if (pre && madvise(p, pre, MADV_POPULATE_WRITE) != 0)
		for (size_t off = 0; off < pre; off += 4096)
			((volatile char *)p)[off] = 0;
	return p;
}

void synack_bigmem_free(void *p, size_t size, bool huge)
{
	if (!p)
		return;
	if (huge)
		rte_free(p);
	else
		munmap(p, round_up(size));
}
