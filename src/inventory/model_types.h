/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shape of the real-bytes model's figures (src/model/model.h computes
 * them) and of the machine facts it reads (src/collect/machine.h reads
 * them): an inventory carries the one, the collector fills the other.
 */
#ifndef BPFMEM_MODEL_TYPES_H
#define BPFMEM_MODEL_TYPES_H

#include <linux/types.h>
#include "records.h"

#define MODEL_MAX_CLASSES 32

/* This machine's allocators. */
struct model_env {
	__u32 possible_cpus;
	__u32 page_size;
	/* BPF_PROG_PACK_SIZE: 2 MiB a possible NUMA node (x86) */
	__u64 prog_pack_size;
	__u32 nr_classes;
	__u32 classes[MODEL_MAX_CLASSES];	/* kmalloc-cg sizes, ascending */
	/* this kernel's struct sizes, from the map iterator's first record;
	 * all 0 until one is read */
	struct bpfmem_kernel_sizes map_sizes;
};

/* Which allocator holds the bytes. */
enum model_alloc {
	MODEL_SLAB,		/* kmalloc size classes, with memcg pointers */
	MODEL_VMALLOC,		/* vmalloc'd pages */
	MODEL_PERCPU,		/* per-CPU chunks, all possible CPUs */
	MODEL_PAGES,		/* whole pages from the page allocator */
	MODEL_ALLOC_NR,
};

/* What the bytes are for: a map's parts, then a program's. */
enum model_part {
	MODEL_ELEMENTS,		/* keys and values */
	MODEL_BUCKETS,		/* hash buckets, slot arrays, trie nodes */
	MODEL_CACHE,		/* free objects an allocator keeps */
	MODEL_METADATA,		/* the map struct, locks, counters, lists */
	MODEL_MAP_PART_NR,
	/* struct bpf_prog and its instructions, of every subprogram */
	MODEL_PROG_IMAGE = MODEL_MAP_PART_NR,
	/* bpf_prog_aux, stats, used maps and BTFs, kfunc and poke tables */
	MODEL_PROG_AUX,
	MODEL_PROG_BTF_INFO,	/* func_info, line_info, jited_linfo */
	MODEL_PROG_JIT,		/* the JIT image's chunks of its packs */
	MODEL_PART_NR,
};

/* Who the kernel charges. */
enum model_payer {
	MODEL_MEMCG,		/* the map's memory cgroup */
	MODEL_ROOT,		/* allocated before the map's memcg was set:
				 * the root cgroup, i.e. no container's limit */
};

/* Why the real figure differs from memlock: one bit each, set by the
 * model where the effect is in the map's bytes. */
enum model_reason {
	MODEL_R_SLAB_CLASS = 1u << 0,
	MODEL_R_OBJCG_PTR = 1u << 1,
	MODEL_R_PAGE_ROUNDING = 1u << 2,
	MODEL_R_POW2 = 1u << 3,
	MODEL_R_PERCPU_ROOT = 1u << 4,
	MODEL_R_SPARE_ELEMS = 1u << 5,
	MODEL_R_ALLOC_CACHE = 1u << 6,
	MODEL_R_PERCPU_STATE = 1u << 7,
	MODEL_R_PROG_AUX = 1u << 8,
	MODEL_R_JIT_PACK = 1u << 9,
	MODEL_R_CGROUP_STORAGES = 1u << 10,
	MODEL_R_NR = 11,
};

/* The bytes a map or program holds, split three ways. */
struct model_bytes {
	__u64 memcg;			/* charged to the map's memcg */
	__u64 root;			/* charged to no memcg's limit */
	__u64 alloc[MODEL_ALLOC_NR];
	__u64 part[MODEL_PART_NR];
	__u32 reasons;			/* enum model_reason */
};

static inline __u64 model_total(const struct model_bytes *b)
{
	return b->memcg + b->root;
}

#endif
