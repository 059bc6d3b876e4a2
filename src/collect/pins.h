/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF objects pinned in bpffs: every bpffs mount is walked, each pinned
 * object opened only long enough to learn its kind and id.
 */
#ifndef BPFMEM_PINS_H
#define BPFMEM_PINS_H

#include "inventory/inventory.h"

/* What earlier walks learned: a pinned file's object never changes, so
 * a file seen before is not opened again. */
struct pin_known {
	/* the file: pinning a path again makes a new inode */
	__u64 dev, ino;
	__u32 kind, id;
};

struct pin_cache {
	struct pin_known *v;	/* ascending (dev, ino) */
	size_t n;
};

/* Fills inv->pins, sorted by (kind, id, path), and replaces the cache's
 * contents with the files of this walk. 0 or -errno. */
int pins_collect(struct inventory *inv, struct pin_cache *cache);
void pin_cache_free(struct pin_cache *cache);
/* Kind and id of a BPF object from its fdinfo text: 0, or -ENOENT when
 * the text is not a map's, program's or link's. */
int pins_parse_fdinfo(const char *text, __u32 *kind, __u32 *id);
/* The mount points of bpffs in mountinfo text, NUL-separated, ending
 * with an empty string; caller frees. NULL on allocation failure. */
char *pins_bpffs_mounts(const char *mountinfo);

#endif
