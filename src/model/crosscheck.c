// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include "model/crosscheck.h"

bool traced_bytes(bool has_traced, const struct bpfmem_traced *t,
		  __u64 *bytes)
{
	__s64 n = 0;

	if (!has_traced || t->lost)
		return false;
	for (int i = 0; i < BPFMEM_TRACED_NR; i++)
		n += t->bytes[i];
	/* below 0: a free of something another object allocated at a
	 * reused address; not a figure to show */
	if (n < 0)
		return false;
	*bytes = n;
	return true;
}

/* Maps whose elements come from bpf_mem_alloc's per-CPU caches, refilled
 * from irq_work: what BPF programs insert is allocated outside any bpf()
 * call. */
static bool uses_mem_alloc(const struct bpfmem_map_rec *r)
{
	switch (r->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return r->map_flags & BPF_F_NO_PREALLOC;
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

void traced_compare_map(const struct map_info *m, struct traced_cmp *out)
{
	__u64 traced, model;

	*out = (struct traced_cmp){};
	if (!m->has_real || !traced_bytes(m->has_traced, &m->traced, &traced))
		return;
	model = model_total(&m->real);
	if (!model)
		return;
	out->has_pct = true;
	out->pct = ((double)traced - (double)model) * 100.0 / (double)model;
	/* one decimal is what a reader needs */
	out->pct = (double)(long long)(out->pct * 10 +
				       (out->pct < 0 ? -0.5 : 0.5)) / 10;
	if (out->pct > TRACED_TOLERANCE_PCT) {
		out->reason = uses_mem_alloc(&m->rec) ?
			"traced above model: the hooks count elements held by the map's bpf_mem_alloc caches (refilled ahead during bpf() calls, or deleted and not yet freed to the slab) and the map's file, which the model leaves out" :
			"traced above model: the hooks count the map's file and dentry and whatever else the bpf() calls charged, which the model leaves out";
	} else if (out->pct < -TRACED_TOLERANCE_PCT) {
		out->reason = uses_mem_alloc(&m->rec) ?
			"traced below model: elements BPF programs allocated from the per-CPU caches (bpf_mem_alloc irq_work refills) happen outside any bpf() call, which the hooks do not see; the model counts them" :
			"traced below model: memory allocated outside the map's bpf() calls (by BPF programs or kernel paths) is not traced; the model counts it";
	}
}
