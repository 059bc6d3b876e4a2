// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "model/packs.h"
#include "base/array_sort.h"

struct extent {
	__u64 addr, bytes;
};

static struct pack_info *find(struct pack_table *t, __u64 base)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->packs[i].base == base)
			return &t->packs[i];
	return NULL;
}

static struct pack_info *get(struct pack_table *t, size_t *cap, __u64 base)
{
	struct pack_info *p = find(t, base);

	if (p)
		return p;
	if (t->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct pack_info *np = realloc(t->packs, ncap * sizeof(*np));

		if (!np)
			return NULL;
		t->packs = np;
		*cap = ncap;
	}
	p = &t->packs[t->n++];
	*p = (struct pack_info){ .base = base, .bytes = t->pack_size,
				 .extents_complete = true };
	return p;
}

static int cmp_extent(const void *pa, const void *pb)
{
	const struct extent *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int cmp_pack(const void *pa, const void *pb)
{
	const struct pack_info *a = pa, *b = pb;

	return a->base < b->base ? -1 : a->base > b->base;
}

/* The largest run of p's chunks outside every image in ext (sorted). */
static __u64 largest_free(const struct pack_info *p, const struct extent *ext,
			  size_t n)
{
	__u64 cursor = p->base, best = 0;

	for (size_t i = 0; i < n; i++) {
		if (ext[i].addr < p->base || ext[i].addr >= p->base + p->bytes)
			continue;
		if (ext[i].addr > cursor && ext[i].addr - cursor > best)
			best = ext[i].addr - cursor;
		if (ext[i].addr + ext[i].bytes > cursor)
			cursor = ext[i].addr + ext[i].bytes;
	}
	if (p->base + p->bytes > cursor && p->base + p->bytes - cursor > best)
		best = p->base + p->bytes - cursor;
	return best;
}

static int add_prog(struct pack_table *t, size_t *cap,
		    const struct bpfmem_prog_rec *r)
{
	for (__u32 i = 0; i < r->nr_packs && i < BPFMEM_PROG_MAX_PACKS; i++) {
		struct pack_info *p = get(t, cap, r->packs[i].base);
		__u32 *ids;

		if (!p)
			return -ENOMEM;
		p->bytes_programs += r->packs[i].bytes;
		p->images += r->packs[i].images;
		if (r->rec_flags & BPFMEM_PROG_IMAGES_TRUNCATED)
			p->extents_complete = false;
		ids = realloc(p->prog_ids, (p->nr_progs + 1) * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		ids[p->nr_progs++] = r->id;
		p->prog_ids = ids;
	}
	t->own_bytes += r->image_own_bytes;
	for (__u32 i = 0; i < r->nr_images && i < BPFMEM_PROG_MAX_IMAGES; i++)
		t->own_images += r->images[i].bytes > t->pack_size;
	return 0;
}

int packs_build(const struct inventory *inv, struct pack_table *out)
{
	struct pack_table t = { .pack_size = inv->prog_pack_size };
	struct extent *ext = NULL;
	size_t cap = 0, n = 0;
	int err = 0;

	for (size_t i = 0; i < inv->nr_progs && !err; i++) {
		const struct bpfmem_prog_rec *r = &inv->progs[i].rec;
		struct extent *more;

		err = add_prog(&t, &cap, r);
		more = err ? NULL :
		       realloc(ext, (n + BPFMEM_PROG_MAX_IMAGES) * sizeof(*ext));
		if (!more) {
			err = -ENOMEM;
			break;
		}
		ext = more;
		for (__u32 j = 0; j < r->nr_images && j < BPFMEM_PROG_MAX_IMAGES;
		     j++)
			ext[n++] = (struct extent){ r->images[j].addr,
						    r->images[j].bytes };
	}
	if (err) {
		free(ext);
		packs_free(&t);
		return err;
	}
	sort_array(ext, n, sizeof(*ext), cmp_extent);
	sort_array(t.packs, t.n, sizeof(*t.packs), cmp_pack);
	for (size_t i = 0; i < t.n; i++)
		t.packs[i].largest_free = largest_free(&t.packs[i], ext, n);
	free(ext);
	*out = t;
	return 0;
}

void packs_free(struct pack_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->packs[i].prog_ids);
	free(t->packs);
	*t = (struct pack_table){};
}

double pack_fragmentation(const struct pack_info *p)
{
	__u64 unused = p->bytes > p->bytes_programs ?
		       p->bytes - p->bytes_programs : 0;

	if (!p->extents_complete)
		return -1;
	if (!unused)
		return 0;
	return 1.0 - (double)p->largest_free / unused;
}
