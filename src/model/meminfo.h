/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system's BPF memory in one block, as /proc/meminfo would print it:
 * the real-bytes model's figures of every map and program summed by kind
 * and by allocator. What the model does not cover is counted, never
 * guessed.
 */
#ifndef BPFMEM_MEMINFO_H
#define BPFMEM_MEMINFO_H

#include "inventory/inventory.h"
#include "model/packs.h"

struct meminfo {
	__u64 maps, progs;		/* bytes_real summed */
	/* the packs' bytes no program image holds: trampolines,
	 * dispatchers and free chunks */
	__u64 other;
	__u64 alloc[MODEL_ALLOC_NR];	/* maps, programs and other */
	__u64 charged, root;		/* to memory cgroups, to none */
	__u64 nr_maps, nr_progs;
	__u64 maps_uncovered, progs_uncovered;	/* no bytes_real */
	__u64 nr_packs, pack_bytes;
};

static inline __u64 meminfo_total(const struct meminfo *m)
{
	return m->maps + m->progs + m->other;
}

void meminfo_build(const struct inventory *inv, const struct pack_table *packs,
		   struct meminfo *out);

#endif
