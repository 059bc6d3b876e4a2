/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfmem's own BPF objects: the programs of its iterators and the maps
 * they use, whether this process loaded them or an earlier run left them
 * pinned. Listings leave them out, so that they show the machine as it
 * is without bpfmem, the same cold or warm.
 */
#ifndef BPFMEM_OWN_IDS_H
#define BPFMEM_OWN_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct own_ids {
	__u32 *progs;
	size_t nr_progs;
	__u32 *maps;
	size_t nr_maps;
};

/* 0 or -ENOMEM. */
int own_ids_add_prog(struct own_ids *o, __u32 id);
int own_ids_add_map(struct own_ids *o, __u32 id);
/* Adds the program of the link and the maps it uses. 0 or -errno. */
int own_ids_add_link(struct own_ids *o, int link_fd);
/*
 * Adds the program of every link pinned one directory below root (one
 * directory per build of bpfmem) and the maps that program uses. Each
 * link and program is opened only for the one call that names its ids.
 * A missing root adds nothing. 0 or -ENOMEM.
 */
int own_ids_add_pinned(struct own_ids *o, const char *root);
bool own_ids_has_prog(const struct own_ids *o, __u32 id);
bool own_ids_has_map(const struct own_ids *o, __u32 id);
void own_ids_free(struct own_ids *o);

#endif
