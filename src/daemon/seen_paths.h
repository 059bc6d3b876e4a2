/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory cgroup path each map and program was charged to, as the
 * daemon last saw it alive. Removing a cgroup leaves its charges with a
 * nameless dying cgroup or moves them to an ancestor, and the kernel no
 * longer knows the old path: the daemon remembers it for
 * `bpfmem cgroups --dying` and the objects' memcg.path_seen.
 */
#ifndef BPFMEMD_SEEN_PATHS_H
#define BPFMEMD_SEEN_PATHS_H

#include <stddef.h>
#include "inventory/inventory.h"

struct seen_path {
	__u32 kind;		/* enum bpfmem_obj_kind */
	__u32 id;
	const char *path;	/* one of strs */
};

struct seen_paths {
	struct seen_path *v;	/* ascending (kind, id) */
	size_t n;
	/* the distinct paths, owned: thousands of objects share a few */
	char **strs;
	size_t nr_strs;
};

/* Builds the table for inv from the living cgroups' paths there and the
 * paths old remembers for objects whose cgroup is gone, and points each
 * object's memcg_seen_path into it. 0 or -ENOMEM (out untouched). */
int seen_paths_update(const struct seen_paths *old, struct inventory *inv,
		      struct seen_paths *out);
void seen_paths_free(struct seen_paths *t);

#endif
