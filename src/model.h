/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-bytes model: what the kernel holds for a map, from its type,
 * sizes and element count, the sizes of the kernel's own structs and this
 * machine's allocators (slab size classes, page size, possible CPUs).
 * Allocation paths are those of Linux 6.18 (kernel/bpf/syscall.c
 * bpf_map_area_alloc, hashtab.c, arraymap.c, queue_stack_maps.c;
 * mm/memcontrol.c obj_full_size); docs/ACCURACY.md measures the result.
 *
 * This first version covers arrays, queues and stacks, and preallocated
 * hash maps exactly; hash maps without preallocation from their element
 * count, without the free objects bpf_mem_alloc caches per CPU (known
 * low after deletes). Other types are not modelled yet.
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
	__u32 nr_classes;
	__u32 classes[MODEL_MAX_CLASSES];	/* kmalloc-cg sizes, ascending */
};

struct model_map {
	__u32 type, map_flags, key_size, value_size, max_entries;
	__u64 elements;
	bool has_elements;
	bool bypass_spec_v1;	/* arrays: max_entries not rounded up */
};

/* The bytes a map holds, by who is charged. */
struct model_bytes {
	__u64 memcg;		/* the memory cgroup of the map */
	__u64 nobody;		/* per-CPU memory allocated at creation */
};

/* Reads /sys/devices/system/cpu/possible and /sys/kernel/slab. 0 or
 * -errno. */
int model_env_init(struct model_env *env);
/* 0, or -EOPNOTSUPP for a map the model does not cover yet. */
int model_map_bytes(const struct model_env *env,
		    const struct bpfmem_kernel_sizes *k, const struct model_map *m,
		    struct model_bytes *out);
/* What a kmalloc() of size charges: its size class and the per-object
 * memcg pointer, or whole pages above the largest class. */
__u64 model_kmalloc(const struct model_env *env, __u64 size);

#endif
