// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "creators.h"

static int before(__u32 kind, __u32 id, const struct bpfmem_event *e)
{
	return kind < e->kind || (kind == e->kind && id < e->id);
}

/* First entry not before (kind, id); freed entries keep their key. */
static size_t lower_bound(const struct creators *c, __u32 kind, __u32 id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bpfmem_event *e = &c->ev[mid];

		if (e->kind < kind || (e->kind == kind && e->id < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Drops freed entries once they are half of the table: removing stays
 * O(1) amortised through a burst of frees. */
static void compact(struct creators *c)
{
	size_t kept = 0;

	if (c->freed * 2 < c->n)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->ev[i].kaddr)
			c->ev[kept++] = c->ev[i];
	c->n = kept;
	c->freed = 0;
}

int creators_add(struct creators *c, const struct bpfmem_event *ev)
{
	size_t at;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct bpfmem_event *p = realloc(c->ev, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->ev = p;
		c->cap = cap;
	}
	/* ids grow, so this is nearly always an append */
	at = c->n && before(ev->kind, ev->id, &c->ev[c->n - 1]) ?
		     lower_bound(c, ev->kind, ev->id) :
		     c->n;
	if (at < c->n && c->ev[at].kind == ev->kind && c->ev[at].id == ev->id) {
		c->ev[at] = *ev;	/* an id reused after a missed free */
		return 0;
	}
	memmove(&c->ev[at + 1], &c->ev[at], (c->n - at) * sizeof(*c->ev));
	c->ev[at] = *ev;
	c->n++;
	return 0;
}

static struct bpfmem_event *find(const struct creators *c, __u32 kind,
				 __u32 id, __u64 kaddr)
{
	size_t at = lower_bound(c, kind, id);

	if (at < c->n && c->ev[at].kind == kind && c->ev[at].id == id &&
	    c->ev[at].kaddr == kaddr)
		return &c->ev[at];
	return NULL;
}

const struct bpfmem_event *creators_find(const struct creators *c,
					 __u32 kind, __u32 id, __u64 kaddr)
{
	return find(c, kind, id, kaddr);
}

int creators_remove(struct creators *c, const struct bpfmem_event *free_ev,
		    struct bpfmem_event *out)
{
	__u32 kind = free_ev->kind == BPFMEM_EV_MAP_FREE ? BPFMEM_EV_MAP_CREATE :
							   BPFMEM_EV_PROG_LOAD;
	struct bpfmem_event *e = find(c, kind, free_ev->id, free_ev->kaddr);

	if (!e)
		return 0;
	*out = *e;
	/* keeps its key for the binary search; kaddr 0 marks it freed */
	e->kaddr = 0;
	c->freed++;
	compact(c);
	return 1;
}

void creators_free(struct creators *c)
{
	free(c->ev);
	*c = (struct creators){};
}
