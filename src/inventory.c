// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "inventory.h"

void inventory_free(struct inventory *inv)
{
	memcg_table_free(&inv->memcgs);
	free(inv->maps);
	free(inv->progs);
	free(inv->holders);
	*inv = (struct inventory){};
}

const struct holder *inventory_holders(const struct inventory *inv,
				       struct holder_span span)
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

static int holder_before(const struct holder *h, __u32 kind, __u32 id)
{
	return h->kind < kind || (h->kind == kind && h->id < id);
}

struct holder_span inventory_find_holders(const struct inventory *inv,
					  __u32 kind, __u32 id)
{
	size_t lo = 0, hi = inv->nr_holders, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (holder_before(&inv->holders[mid], kind, id))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < inv->nr_holders; end++)
		if (inv->holders[end].kind != kind || inv->holders[end].id != id)
			break;
	return (struct holder_span){ .first = lo, .count = end - lo };
}
