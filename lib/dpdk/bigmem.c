/* bigmem.c: see bigmem.h. */
#include <errno.h>
#include <numa.h>
#include <rte_malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bigmem.h"

#define THP_SIZE (2u << 20)

static size_t round_up(size_t n) { return (n + THP_SIZE - 1) & ~(size_t)(THP_SIZE - 1); }

/* len bytes (a multiple of 2 MiB) of private anonymous memory, 2 MiB aligned (THP maps only
 * aligned ranges), advised for THP, bound to socket's node, and faulted in now, not on the data
 * path: a machine without the memory fails here, at start. */
static void *thp_map(size_t len, int socket)
{
	size_t map = len + THP_SIZE;
	uint8_t *p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uint8_t *a = (uint8_t *)(((uintptr_t)p + THP_SIZE - 1) & ~(uintptr_t)(THP_SIZE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + map > a + len)
		munmap(a + len, (size_t)(p + map - (a + len)));
	madvise(a, len, MADV_HUGEPAGE);
	if (socket >= 0 && numa_available() >= 0 && numa_max_node() > 0)
		numa_tonode_memory(a, len, socket);
	if (madvise(a, len, MADV_POPULATE_WRITE) != 0) {
		if (errno != EINVAL) {
			munmap(a, len);
			return NULL;
		}
		for (size_t off = 0; off < len; off += 4096)   /* a kernel before 5.14 */
			((volatile uint8_t *)a)[off] = 0;
	}
	return a;
}

void *synack_bigmem_alloc(size_t size, int socket, bool huge)
{
	if (huge)
		return rte_zmalloc_socket("synack_table", size, 64, socket);
	return thp_map(round_up(size), socket);
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

int synack_bigmem_heap_create(struct synack_bigmem_heap *h, const char *name, size_t size)
{
	memset(h, 0, sizeof(*h));
	size_t len = round_up(size);
	uint8_t *a = thp_map(len, (int)rte_socket_id());
	if (!a)
		return -1;
	snprintf(h->name, sizeof(h->name), "%s", name);
	if (rte_malloc_heap_create(h->name) != 0)
		goto unmap;
	if (rte_malloc_heap_memory_add(h->name, a, len, NULL, (unsigned)(len / THP_SIZE), THP_SIZE) != 0) {
		rte_malloc_heap_destroy(h->name);
		goto unmap;
	}
	h->socket = rte_malloc_heap_get_socket(h->name);
	h->mem = a;
	h->len = len;
	return 0;
unmap:
	munmap(a, len);
	h->name[0] = 0;
	return -1;
}

void synack_bigmem_heap_destroy(struct synack_bigmem_heap *h)
{
	if (!h->mem)
		return;
	rte_malloc_heap_memory_remove(h->name, h->mem, h->len);
	rte_malloc_heap_destroy(h->name);
	munmap(h->mem, h->len);
	h->mem = NULL;
}
