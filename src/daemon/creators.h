/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The creation events of the BPF objects alive now, by object: what the
 * lifecycle hooks saw when each was created, kept until it is freed, so
 * that every sample can name the creator of every map and program made
 * since the daemon started.
 */
#ifndef BPFMEMD_CREATORS_H
#define BPFMEMD_CREATORS_H

#include <stddef.h>
#include "events.h"

struct creators {
	struct bpfmem_event *ev;	/* ascending (kind, id); kaddr 0: freed */
	size_t n, cap;
	size_t freed;			/* entries with kind 0 */
};

/* Records a create event (BPFMEM_EV_MAP_CREATE, BPFMEM_EV_PROG_LOAD).
 * 0 or -ENOMEM. */
int creators_add(struct creators *c, const struct bpfmem_event *ev);
/* The create event of object (create kind, id) at kaddr, or NULL. */
const struct bpfmem_event *creators_find(const struct creators *c,
					 __u32 kind, __u32 id, __u64 kaddr);
/* Forgets the object of a free event; returns its create event in *out
 * (when known: 1) before forgetting it. */
int creators_remove(struct creators *c, const struct bpfmem_event *free_ev,
		    struct bpfmem_event *out);
void creators_free(struct creators *c);

#endif
