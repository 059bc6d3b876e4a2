/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The creation events of the BPF objects alive now, by object: what the
 * lifecycle hooks saw when each was created, kept until it is freed, so
 * that every sample can name the creator of every map and program made
 * since the daemon started, and every free the object's id and creator
 * (the kernel has released the id by the time the free is seen). Keyed
 * by (kind, kernel address): a hash table with linear probing.
 */
#ifndef BPFMEMD_CREATORS_H
#define BPFMEMD_CREATORS_H

#include <stddef.h>
#include "events.h"

struct creators {
	struct bpfmem_event *slots;	/* kaddr 0: empty; kind 0: removed */
	size_t cap;			/* a power of two */
	size_t used;			/* live entries */
	size_t removed;			/* tombstones */
	__u64 changes;			/* adds and removes so far */
};

/* Records a create event (BPFMEM_EV_MAP_CREATE, BPFMEM_EV_PROG_LOAD).
 * 0 or -ENOMEM. */
int creators_add(struct creators *c, const struct bpfmem_event *ev);
/* The create event of the object (create kind) at kaddr, or NULL. */
const struct bpfmem_event *creators_find(const struct creators *c,
					 __u32 kind, __u64 kaddr);
/* Forgets the object of a free event; 1 with its create event in *out,
 * or 0 when it was not known. */
int creators_remove(struct creators *c, const struct bpfmem_event *free_ev,
		    struct bpfmem_event *out);
void creators_free(struct creators *c);

#endif
