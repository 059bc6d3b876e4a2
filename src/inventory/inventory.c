// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "inventory/inventory.h"

void inventory_free(struct inventory *inv)
{
	memcg_table_free(&inv->memcgs);
	for (size_t i = 0; i < inv->nr_pins; i++)
		free(inv->pins[i].path);
	free(inv->pins);
	free(inv->links);
	free(inv->memcg_recs);
	free(inv->map_users);
	if (inv->maps)
		free(inv->maps - inv->maps_front);
	if (inv->progs)
		free(inv->progs - inv->progs_front);
	free(inv->holders);
	*inv = (struct inventory){};
}

const struct holder *inventory_holders(const struct inventory *inv,
				       struct span span)
{
	return span.count ? &inv->holders[span.first] : NULL;
}

double map_fill_ratio(const struct map_info *m)
{
	if (!(m->rec.rec_flags & BPFMEM_MAP_HAS_ELEMENTS) ||
	    !m->rec.max_entries)
		return -1;
	return (double)m->rec.elements / m->rec.max_entries;
}

/* The run of elements whose key is key, in an array sorted by key. */
static struct span span_find(const void *base, size_t n, size_t size,
			     __u64 key, __u64 (*key_of)(const void *))
{
	const char *a = base;
	size_t lo = 0, hi = n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_of(a + mid * size) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && key_of(a + end * size) == key; end++)
		;
	return (struct span){ .first = lo, .count = end - lo };
}

static __u64 obj_key(__u32 kind, __u32 id)
{
	return (__u64)kind << 32 | id;
}

static __u64 holder_key(const void *p)
{
	const struct holder *h = p;

	return obj_key(h->kind, h->id);
}

static __u64 pin_key(const void *p)
{
	const struct pin *pin = p;

	return obj_key(pin->kind, pin->id);
}

static __u64 link_key(const void *p)
{
	return ((const struct bpfmem_link_rec *)p)->prog_id;
}

static __u64 user_key(const void *p)
{
	return ((const struct map_user *)p)->map_id;
}

struct span inventory_find_holders(const struct inventory *inv, __u32 kind,
				   __u32 id)
{
	return span_find(inv->holders, inv->nr_holders, sizeof(*inv->holders),
			 obj_key(kind, id), holder_key);
}

struct span inventory_find_pins(const struct inventory *inv, __u32 kind,
				__u32 id)
{
	return span_find(inv->pins, inv->nr_pins, sizeof(*inv->pins),
			 obj_key(kind, id), pin_key);
}

struct span inventory_find_links(const struct inventory *inv, __u32 prog_id)
{
	return span_find(inv->links, inv->nr_links, sizeof(*inv->links),
			 prog_id, link_key);
}

struct span inventory_find_users(const struct inventory *inv, __u32 map_id)
{
	return span_find(inv->map_users, inv->nr_map_users,
			 sizeof(*inv->map_users), map_id, user_key);
}

void inventory_join(struct inventory *inv)
{
	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];

		m->holders = inventory_find_holders(inv, BPFMEM_OBJ_MAP,
						    m->rec.id);
		m->users = inventory_find_users(inv, m->rec.id);
		m->pins = inventory_find_pins(inv, BPFMEM_OBJ_MAP, m->rec.id);
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		struct prog_info *p = &inv->progs[i];

		p->holders = inventory_find_holders(inv, BPFMEM_OBJ_PROG,
						    p->rec.id);
		p->links = inventory_find_links(inv, p->rec.id);
		p->pins = inventory_find_pins(inv, BPFMEM_OBJ_PROG, p->rec.id);
	}
}
