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

#include "inventory/model_types.h"

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
