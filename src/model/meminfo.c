// SPDX-License-Identifier: GPL-2.0
#include "model/meminfo.h"

static void add(struct meminfo *m, const struct model_bytes *b)
{
	for (int a = 0; a < MODEL_ALLOC_NR; a++)
		m->alloc[a] += b->alloc[a];
	m->charged += b->memcg;
	m->root += b->root;
}

void meminfo_build(const struct inventory *inv, const struct pack_table *packs,
		   struct meminfo *out)
{
	*out = (struct meminfo){ .nr_maps = inv->nr_maps,
				 .nr_progs = inv->nr_progs };
	for (size_t i = 0; i < inv->nr_maps; i++) {
		const struct map_info *m = &inv->maps[i];

		if (!m->has_real) {
			out->maps_uncovered++;
			continue;
		}
		out->maps += model_total(&m->real);
		add(out, &m->real);
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		const struct prog_info *p = &inv->progs[i];

		if (!p->has_real) {
			out->progs_uncovered++;
			continue;
		}
		out->progs += model_total(&p->real);
		add(out, &p->real);
	}
	/* whole packs are executable vmalloc'd memory of BPF's, charged to
	 * nobody: what programs do not hold of them is "other" */
	for (size_t i = 0; i < packs->n; i++) {
		const struct pack_info *p = &packs->packs[i];
		__u64 rest = p->bytes > p->bytes_programs ?
			     p->bytes - p->bytes_programs : 0;

		out->nr_packs++;
		out->pack_bytes += p->bytes;
		out->other += rest;
		out->alloc[MODEL_VMALLOC] += rest;
		out->root += rest;
	}
}
