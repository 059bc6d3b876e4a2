/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlock is the one figure the iterators cannot give: the kernel computes
 * it per map type only when fdinfo is read. Each map is opened by id, its
 * fdinfo read and the fd closed at once; the figure is cached per map and
 * re-read only when the map's element count changes.
 */
#ifndef BPFMEM_MEMLOCK_H
#define BPFMEM_MEMLOCK_H

#include <stdbool.h>
#include "inventory/inventory.h"

struct memlock_entry {
	__u64 kaddr;		/* with id: the same map, not a reused id */
	__u64 elements;
	__u64 memlock;
	__u32 id;
	__u32 has_elements;
};

struct memlock_cache {
	struct memlock_entry *entries;	/* ascending id */
	size_t n;
	bool dirty;
};

/* Loads a cache saved by memlock_cache_save(); a missing, foreign or
 * damaged file gives an empty cache. */
void memlock_cache_load(struct memlock_cache *c, const char *path);
/* Atomically replaces path (temporary file, fsync, rename). 0 or -errno. */
int memlock_cache_save(const struct memlock_cache *c, const char *path);
void memlock_cache_free(struct memlock_cache *c);

/*
 * Fills bytes_memlock of every map (ascending id) from the cache or from
 * fdinfo, drops maps that were freed since they were iterated, and makes
 * the cache hold exactly these maps.
 */
int memlock_fill(struct memlock_cache *c, struct inventory *inv);
/* As memlock_fill() for a few maps of the last collection whose records
 * changed (bpfmemd): the entries of the others stay. A map the kernel no
 * longer has, or whose fdinfo cannot be read, has none. 0 or -ENOMEM. */
int memlock_update(struct memlock_cache *c, struct inventory *inv);

#endif
