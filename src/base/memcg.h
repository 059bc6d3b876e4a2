/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory cgroup ids (kernfs node ids, as the iterators read them from
 * map->objcg) to paths in the hierarchy that has the memory controller:
 * cgroup v1's memory mount, or cgroup v2 where memory is enabled.
 */
#ifndef BPFMEM_MEMCG_H
#define BPFMEM_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct memcg_entry {
	__u64 id;
	char *path;		/* relative to the hierarchy root, "/..." */
};

struct memcg_table {
	char *root;		/* mount point of the memory hierarchy */
	int v2;			/* 1: cgroup v2, 0: v1's memory hierarchy */
	__u64 root_id;
	struct memcg_entry *entries;	/* ascending id, filled on demand */
	size_t n;
	int walked;
};

/* Finds the memory hierarchy from mountinfo text (pass the contents of
 * /proc/self/mountinfo): 0 for cgroup v1's memory mount, 1 for cgroup v2
 * with the memory controller, or -ENOENT when there is none. */
int memcg_find_root(const char *mountinfo, char *root, size_t size);
int memcg_table_init(struct memcg_table *t);
/* Path of a memcg id, or NULL when no cgroup has that id (removed). */
const char *memcg_path(struct memcg_table *t, __u64 id);
/* How many cgroups the hierarchy holds now. */
size_t memcg_count(struct memcg_table *t);
/* The cgroup at path, or NULL. */
const struct memcg_entry *memcg_find_path(struct memcg_table *t,
					  const char *path);
/* Whether a walked table has id (no walk). */
bool memcg_table_has(const struct memcg_table *t, __u64 id);
/* Whether two walks found the same cgroups at the same paths. */
bool memcg_table_same(const struct memcg_table *a,
		      const struct memcg_table *b);
/* Fills t, initialised for the same hierarchy and not walked yet, with
 * copies of the entries of walked: as if t had walked it. 0 or -ENOMEM
 * (t left unwalked). */
int memcg_table_copy(struct memcg_table *t, const struct memcg_table *walked);
void memcg_table_free(struct memcg_table *t);

#endif
