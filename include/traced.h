/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the accounting hooks (bpf/hooks.bpf.c) keep per BPF object they saw
 * created, read by src/collect/accounting.c. Fixed-width fields only.
 */
#ifndef BPFMEM_TRACED_H
#define BPFMEM_TRACED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Where traced bytes came from. */
enum bpfmem_traced_class {
	BPFMEM_TRACED_SLAB = 0,		/* kmalloc, kmem_cache_alloc */
	BPFMEM_TRACED_PAGES = 1,	/* page allocator: vmalloc backing,
					 * large kmalloc */
	BPFMEM_TRACED_PERCPU = 2,	/* per-CPU allocator, all CPUs */
	BPFMEM_TRACED_NR = 3,
};

enum bpfmem_traced_flags {
	/* the bpf() call creating it has returned */
	BPFMEM_TRACED_CREATED = 1u << 0,
};

enum bpfmem_traced_kind {
	BPFMEM_TRACED_MAP = 1,
	BPFMEM_TRACED_PROG = 2,
};

/* One object, keyed by a cookie the hooks hand out at its creation. */
struct bpfmem_traced {
	__u64 kaddr;		/* struct bpf_map * or bpf_prog *; 0 until
				 * the creating call returns */
	/* live bytes as the kernel charges them: slab objects at their size
	 * class plus the memcg pointer, pages, per-CPU bytes on every
	 * possible CPU (plus the memcg vector where a memcg pays) */
	__s64 bytes[BPFMEM_TRACED_NR];
	/* the part charged to the root memory cgroup (per-CPU memory a map
	 * allocates while it is created), included in bytes */
	__s64 root;
	__u32 id;		/* map or program id */
	__u32 kind;		/* enum bpfmem_traced_kind */
	__u32 flags;		/* enum bpfmem_traced_flags */
	/* allocations that could not be recorded (the address table was
	 * full): the figure is incomplete when not 0 */
	__u32 lost;
};

#endif /* BPFMEM_TRACED_H */
