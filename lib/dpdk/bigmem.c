/* bigmem.c: see bigmem.h. */
#include <errno.h>
#include <numa.h>
#include <rte_malloc.h>
#include <stdint.h>
#include <sys/mman.h>

#include "bigmem.h"

#define THP_SIZE (2u << 20)

static size_t round_up(size_t n) { return (n + THP_SIZE - 1) & ~(size_t)(THP_SIZE - 1); }

void *synack_bigmem_alloc(size_t size, int socket, bool huge)
{
	if (huge)
		return rte_zmalloc_socket("synack_table", size, 64, socket);
	size_t len = round_up(size);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	if (socket >= 0 && numa_available() >= 0 && numa_max_node() > 0)
		numa_tonode_memory(p, len, socket);
	/* Faulted in now, not on the data path; a machine without the memory fails here, at start. */
	if (madvise(p, len, MADV_POPULATE_WRITE) != 0) {
		if (errno != EINVAL) {
			munmap(p, len);
			return NULL;
		}
		for (size_t off = 0; off < len; off += 4096)   /* a kernel before 5.14 */
			((volatile char *)p)[off] = 0;
	}
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
