/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF memory per memory cgroup: which cgroups the kernel charges for BPF
 * objects, how much, and how that compares with the cgroup's own usage and
 * limit.
 */
#ifndef BPFMEM_CGROUPS_H
#define BPFMEM_CGROUPS_H

#include <stdbool.h>
#include "base/cgroup_owner.h"
#include "inventory/inventory.h"

struct cgroup_info {
	__u64 id;
	const char *path;	/* NULL: removed (dying) */
	struct cgroup_owner owner;
	int depth;		/* components in path; 0 for the root */
	bool dying;		/* charges of a removed cgroup sit here */
	/* the BPF objects charged here, not to descendants */
	__u64 bytes_memlock;
	/* the real-bytes model's sum, valid while every map and program
	 * here is one it covers */
	__u64 bytes_real;
	bool real_complete;
	/* bytes_real split: charged to this memory cgroup, and to the root
	 * one (per-CPU bytes allocated while a map was created) */
	__u64 bytes_real_charged, bytes_real_root;
	/* objects here the model does not cover: bytes_real counts the
	 * others only */
	size_t nr_not_modelled;
	__u32 *map_ids;
	size_t nr_maps;
	__u32 *prog_ids;
	size_t nr_progs;
	/* dying charges held here: the paths their cgroups had when the
	 * daemon saw them alive (memcg_seen_path), distinct; not owned */
	const char **removed_paths;
	size_t nr_removed_paths;
	/* itself and its descendants */
	__u64 bytes_memlock_subtree;
	__u64 bytes_real_subtree;
	bool real_subtree_complete;
	/* the cgroup's own counters; has_* false where unreadable */
	bool has_usage, has_limit, has_kmem;
	__u64 usage, limit, kmem;
};

struct cgroup_rollup {
	struct cgroup_info *cgroups;	/* ascending path; removed ones last */
	size_t n;
};

/*
 * The memory cgroups charged for BPF objects; with ancestors, also the
 * cgroups between them and the root (for a tree). 0 or -errno.
 */
int cgroup_rollup_build(const struct inventory *inv, bool ancestors,
			struct cgroup_rollup *out);
/* Reads the cgroups' own counters again (usage, limit, kmem): for a
 * sample whose objects are those the rollup was built from. */
void cgroup_rollup_read_counters(const struct inventory *inv,
				 struct cgroup_rollup *r);
void cgroup_rollup_free(struct cgroup_rollup *r);
/* Largest own real bytes (of the objects modelled) first, then memlock,
 * instead of by path. */
void cgroup_rollup_sort_by_bytes(struct cgroup_rollup *r);
/* What a table row names: the cgroup's path, or for the charges of
 * removed cgroups the path the first of them had ("(removed)", and how
 * many more), with the unit, container or pod that path names. */
void cgroup_row_name(const struct cgroup_info *c, char *path, size_t size,
		     struct cgroup_owner *owner);
/* Share of the limit held by BPF, or -1 with no limit. */
double cgroup_bpf_share(const struct cgroup_info *c);

/* Parses a memory cgroup counter file's text: a number, or "max" (v2)
 * and v1's PAGE_COUNTER_MAX for no limit. 0, 1 for "no limit", or
 * -EINVAL. */
int cgroup_parse_counter(const char *text, __u64 *out);

#endif
