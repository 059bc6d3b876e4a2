/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-bytes model: what the kernel holds for a map, from its type,
 * sizes and element count, the sizes of the kernel's own structs and this
 * machine's allocators (slab size classes, page size, possible CPUs).
 * Allocation paths are those of Linux 6.18 (kernel/bpf/syscall.c
 * bpf_map_area_alloc, hashtab.c, arraymap.c, queue_stack_maps.c,
 * lpm_trie.c, bpf_local_storage.c, memalloc.c; mm/memcontrol.c
 * obj_full_size); docs/ACCURACY.md measures the result.
 *
 * Covered: arrays, queues and stacks, hash maps of every kind (maps of
 * maps too), LPM tries and local storages. Where elements come from
 * bpf_mem_alloc, the free objects it keeps on every CPU are counted by the
 * map iterator (free lists, objects waiting for RCU grace periods), so the
 * figure follows deletes down. Other types are not modelled yet.
 */
#ifndef BPFMEM_MODEL_H
#define BPFMEM_MODEL_H

#include <stdbool.h>
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

/* Reads /sys/devices/system/cpu/possible, .../node/possible and
 * /sys/kernel/slab. 0 or -errno. */
int model_env_init(struct model_env *env);
/* What a map holds, from its iterator record (the kernel's struct sizes
 * in rec->sizes, the map's state). 0, or -EOPNOTSUPP for a map the model
 * does not cover yet. */
int model_map_bytes(const struct model_env *env,
		    const struct bpfmem_map_rec *rec, struct model_bytes *out);
/* The JSON key of an allocator or a part; a reason in words. */
const char *model_alloc_name(enum model_alloc a);
const char *model_part_name(enum model_part p);
const char *model_reason_text(enum model_reason r);
/* What a kmalloc() of size charges: its size class and the per-object
 * memcg pointer, or whole pages above the largest class. */
__u64 model_kmalloc(const struct model_env *env, __u64 size);
/* Adds bytes to out under who, a and p. */
void model_charge(struct model_bytes *out, enum model_payer who,
		  enum model_alloc a, enum model_part p, __u64 bytes);
/* count kmalloc()s of size for who; sets the rounding reasons */
void model_kmalloc_n(const struct model_env *env, struct model_bytes *out,
		     enum model_payer who, enum model_part p, __u64 size,
		     __u64 count);
/* What alloc_percpu() of size charges with __GFP_ACCOUNT: the bytes on
 * every possible CPU and a memcg pointer a 4-byte unit
 * (mm/percpu.c pcpu_obj_full_size()). */
__u64 model_percpu_accounted(const struct model_env *env, __u64 size);

#endif
