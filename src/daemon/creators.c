// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "daemon/creators.h"

static size_t hash(__u64 kaddr)
{
	/* objects are slab-aligned: mix the high bits down */
	kaddr ^= kaddr >> 33;
	kaddr *= 0xff51afd7ed558ccdULL;
	kaddr ^= kaddr >> 33;
	return kaddr;
}

/* The slot holding (kind, kaddr), or the first free one on its probe
 * sequence when absent (for_insert: a tombstone counts as free). */
static struct bpfmem_event *probe(const struct creators *c, __u32 kind,
				  __u64 kaddr, bool for_insert)
{
	struct bpfmem_event *tomb = NULL;

	for (size_t i = hash(kaddr) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct bpfmem_event *s = &c->slots[i];

		if (!s->kaddr)
			return for_insert && tomb ? tomb : s;
		if (!s->kind) {
			if (!tomb)
				tomb = s;
			continue;
		}
		if (s->kind == kind && s->kaddr == kaddr)
			return s;
	}
}

static int rehash(struct creators *c, size_t cap)
{
	struct creators n = { .cap = cap, .changes = c->changes };

	n.slots = calloc(cap, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		const struct bpfmem_event *s = &c->slots[i];

		if (s->kaddr && s->kind) {
			*probe(&n, s->kind, s->kaddr, true) = *s;
			n.used++;
		}
	}
	free(c->slots);
	*c = n;
	return 0;
}

int creators_add(struct creators *c, const struct bpfmem_event *ev)
{
	struct bpfmem_event *s;

	/* at most half full, tombstones included: probes stay short */
	if (2 * (c->used + c->removed + 1) > c->cap) {
		size_t cap = c->cap ? c->cap : 1024;

		while (2 * (c->used + 1) > cap / 2)
			cap *= 2;
		if (rehash(c, cap))
			return -ENOMEM;
	}
	s = probe(c, ev->kind, ev->kaddr, true);
	if (!(s->kaddr && s->kind)) {
		if (s->kaddr)
			c->removed--;
		c->used++;
	}
	*s = *ev;
	c->changes++;
	return 0;
}

const struct bpfmem_event *creators_find(const struct creators *c,
					 __u32 kind, __u64 kaddr)
{
	const struct bpfmem_event *s;

	if (!c->cap || !kaddr)
		return NULL;
	s = probe(c, kind, kaddr, false);
	return s->kaddr ? s : NULL;
}

int creators_remove(struct creators *c, const struct bpfmem_event *free_ev,
		    struct bpfmem_event *out)
{
	__u32 kind = free_ev->kind == BPFMEM_EV_MAP_FREE ? BPFMEM_EV_MAP_CREATE :
							   BPFMEM_EV_PROG_LOAD;
	struct bpfmem_event *s;

	if (!c->cap || !free_ev->kaddr)
		return 0;
	s = probe(c, kind, free_ev->kaddr, false);
	if (!s->kaddr)
		return 0;
	*out = *s;
	s->kind = 0;		/* a tombstone keeps later probes going */
	c->used--;
	c->removed++;
	c->changes++;
	return 1;
}

void creators_free(struct creators *c)
{
	free(c->slots);
	*c = (struct creators){};
}
