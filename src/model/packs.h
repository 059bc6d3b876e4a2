/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JIT packs: programs' JIT images are carved in 64-byte chunks from shared
 * executable packs of BPF_PROG_PACK_SIZE (kernel/bpf/core.c
 * bpf_prog_pack_alloc()); an image larger than a pack gets an allocation
 * of its own. The packs are found from the images the program iterator
 * locates (include/records.h); trampolines and dispatchers, which the
 * kernel also places in packs, are not seen.
 */
#ifndef BPFMEM_PACKS_H
#define BPFMEM_PACKS_H

#include <stdbool.h>
#include <stddef.h>
#include "inventory/inventory.h"

struct pack_info {
	__u64 base;
	__u64 bytes;		/* the pack's size */
	__u64 bytes_programs;	/* chunks of program images */
	__u32 images;
	__u32 *prog_ids;	/* ascending */
	size_t nr_progs;
	/* every image's place is known: largest_free is the largest run of
	 * chunks no program image uses */
	bool extents_complete;
	__u64 largest_free;
};

struct pack_table {
	struct pack_info *packs;	/* ascending base */
	size_t n;
	__u64 pack_size;
	/* images too large for a pack */
	__u64 own_bytes;
	__u32 own_images;
};

/* 0 or -ENOMEM. */
int packs_build(const struct inventory *inv, struct pack_table *out);
void packs_free(struct pack_table *t);
/* 1 - largest free run / unused bytes: 0 when the unused space is one
 * run, near 1 when it is scattered; -1 when not known. */
double pack_fragmentation(const struct pack_info *p);

#endif
