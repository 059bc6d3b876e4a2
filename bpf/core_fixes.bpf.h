/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel layout differences the BPF side reads across, one helper each,
 * with the commit that made it necessary. Built once; resolved by CO-RE.
 */
#ifndef BPFMEM_CORE_FIXES_BPF_H
#define BPFMEM_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * Commit 86fe28f7692d ("bpf: Optimize element count in non-preallocated hash
 * map.", v6.1) moved large no-prealloc hash maps to a percpu_counter. Its
 * batched total is off by at most PERCPU_COUNTER_BATCH per CPU; kernels that
 * have bpf_map_sum_elem_count() do not come here.
 */
struct bpf_htab___pcount {
	struct percpu_counter pcount;
	atomic_t count;
	bool use_percpu_counter;
} __attribute__((preserve_access_index));

/* Before 6.6, only hash maps without preallocation keep a count
 * (inc_elem_count() runs on that path alone); preallocated and LRU maps
 * keep none. */
static __always_inline bool htab_counts_elements(struct bpf_map *map)
{
	__u32 type = BPF_CORE_READ(map, map_type);

	return (type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
		type == BPF_MAP_TYPE_HASH_OF_MAPS) &&
	       (BPF_CORE_READ(map, map_flags) & BPF_F_NO_PREALLOC);
}

/* Whether the map has the per-CPU part of its percpu_counter: 0 where the
 * kernel predates it. */
static __always_inline bool htab_uses_pcount(struct bpf_htab *htab)
{
	struct bpf_htab___pcount *h = (void *)htab;

	return bpf_core_field_exists(h->use_percpu_counter) &&
	       BPF_CORE_READ(h, use_percpu_counter);
}

static __always_inline __u64 htab_count(struct bpf_htab *htab)
{
	struct bpf_htab___pcount *h = (void *)htab;
	__s64 n;

	if (bpf_core_field_exists(h->use_percpu_counter) &&
	    BPF_CORE_READ(h, use_percpu_counter)) {
		n = BPF_CORE_READ(h, pcount.count);
		return n < 0 ? 0 : n;
	}
	return BPF_CORE_READ(h, count.counter);
}

/*
 * Commit 66c8473135c6 ("bpf: move sleepable flag from bpf_prog_aux to
 * bpf_prog", v6.9) turned aux->sleepable into a bit of struct bpf_prog.
 */
struct bpf_prog_aux___sleepable {
	bool sleepable;
} __attribute__((preserve_access_index));

struct bpf_prog___sleepable {
	u16 sleepable:1;
} __attribute__((preserve_access_index));

static __always_inline bool prog_sleepable(struct bpf_prog *prog)
{
	struct bpf_prog___sleepable *p = (void *)prog;
	struct bpf_prog_aux___sleepable *aux;

	if (bpf_core_field_exists(p->sleepable))
		return BPF_CORE_READ_BITFIELD_PROBED(p, sleepable);
	aux = (void *)BPF_CORE_READ(prog, aux);
	return BPF_CORE_READ(aux, sleepable);
}

/*
 * Links carry their attach type in struct bpf_link since commit
 * b725441f02c2 ("bpf: Add attach_type field to bpf_link", v6.17); before,
 * only some link structs kept it, cgroup links as "type" (removed by
 * 9b8d543dc2bb "bpf: Remove attach_type in bpf_cgroup_link").
 */
struct bpf_link___attach_type {
	enum bpf_attach_type attach_type;
} __attribute__((preserve_access_index));

struct bpf_cgroup_link___type {
	struct bpf_link link;
	enum bpf_attach_type type;
} __attribute__((preserve_access_index));

static __always_inline __u32 link_attach_type(struct bpf_link *link)
{
	struct bpf_link___attach_type *l = (void *)link;
	struct bpf_cgroup_link___type *cg = (void *)link;

	if (bpf_core_field_exists(l->attach_type))
		return BPF_CORE_READ(l, attach_type);
	if (BPF_CORE_READ(link, type) == BPF_LINK_TYPE_CGROUP &&
	    bpf_core_field_exists(cg->type))
		return BPF_CORE_READ(cg, type);
	return 0;
}

/*
 * tcx links came with commit e420bed02507 ("bpf: Add fd-based tcx
 * multi-prog infra with link support", v6.6): before, neither the link
 * type nor struct tcx_link exists, and the branch is dropped.
 */
static __always_inline __u32 tcx_link_ifindex(struct bpf_link *link)
{
	struct tcx_link *l = (void *)link;

	if (!bpf_core_type_exists(struct tcx_link))
		return 0;
	return BPF_CORE_READ(l, dev, ifindex);
}

/*
 * Programs' private stacks came with commit "bpf, x86: Support private
 * stack in jit" (v6.13): a per-CPU area in aux->priv_stack_ptr.
 */
struct bpf_prog_aux___priv_stack {
	void *priv_stack_ptr;
} __attribute__((preserve_access_index));

static __always_inline bool prog_priv_stack(struct bpf_prog_aux *aux)
{
	struct bpf_prog_aux___priv_stack *a = (void *)aux;

	if (!bpf_core_field_exists(a->priv_stack_ptr))
		return false;
	return BPF_CORE_READ(a, priv_stack_ptr) != NULL;
}

/*
 * The memory cgroup pointer of a slab object. Commit 21c690a349ba ("mm:
 * introduce slabobj_ext to support slab object extensions", v6.10)
 * replaced slab->memcg_data (an array of obj_cgroup pointers) by
 * slab->obj_exts (an array of struct slabobj_ext). The object's slab is
 * found with bpf_get_kmem_cache() (v6.13), so only the newer layout is
 * read; older kernels report no memory cgroup for programs.
 */
struct slab___obj_exts {
	unsigned long obj_exts;
} __attribute__((preserve_access_index));

struct slabobj_ext___objcg {
	struct obj_cgroup *objcg;
} __attribute__((preserve_access_index));

/* low bits of obj_exts are flags (MEMCG_DATA_OBJEXTS, OBJEXTS_ALLOC_FAIL) */
#define OBJEXTS_FLAGS_MASK 7ul

static __always_inline bool slab_has_obj_exts(void)
{
	struct slab___obj_exts *s = NULL;

	return bpf_core_field_exists(s->obj_exts) &&
	       bpf_core_type_exists(struct slabobj_ext___objcg);
}

/* obj's obj_cgroup, or NULL; slab is obj's struct slab, index its
 * index there. */
static __always_inline struct obj_cgroup *
slab_obj_objcg(struct slab *slab, __u64 index, bool *accounted)
{
	struct slab___obj_exts *s = (void *)slab;
	struct slabobj_ext___objcg *ext;
	struct obj_cgroup *objcg = NULL;
	unsigned long v;

	*accounted = false;
	if (!slab_has_obj_exts())
		return NULL;
	v = BPF_CORE_READ(s, obj_exts) & ~OBJEXTS_FLAGS_MASK;
	if (!v)
		return NULL;
	*accounted = true;
	ext = (void *)(v + index * bpf_core_type_size(struct slabobj_ext___objcg));
	bpf_probe_read_kernel(&objcg, sizeof(objcg), &ext->objcg);
	return objcg;
}

/*
 * Linux 6.9 ("mm, slab: use an enum to define SLAB_ cache creation flags")
 * turned the SLAB_* flags into bits of enum _slab_flag_bits; before, the
 * flag was the constant SLAB_ACCOUNT, 0x04000000, since 4.5.
 */
static __always_inline __u32 slab_account_flag(void)
{
	if (bpf_core_enum_value_exists(enum _slab_flag_bits, _SLAB_ACCOUNT))
		return 1u << bpf_core_enum_value(enum _slab_flag_bits,
						 _SLAB_ACCOUNT);
	return 0x04000000u;
}

/*
 * A struct_ops map allocates a link and a ksym pointer per function
 * pointer of its struct since Linux 6.13 ("bpf: Use function pointers
 * count as struct_ops links count" and "bpf: Add kallsyms for struct_ops
 * trampolines", Xu Kuohai); before, links per member and no ksyms, and
 * the model has no figure (0).
 */
static __always_inline __u32 struct_ops_funcs(struct bpf_struct_ops_map *st)
{
	if (!bpf_core_field_exists(st->funcs_cnt) ||
	    !bpf_core_field_exists(st->ksyms))
		return 0;
	return BPF_CORE_READ(st, funcs_cnt);
}

/*
 * bpf_mem_alloc's per-CPU cache keeps free objects on lists besides
 * free_llist (counted in free_cnt). Commit 12c8d0f4c870 ("bpf: Rename few
 * bpf_mem_alloc fields.", v6.5, backported to some 6.1 stable releases)
 * renamed the lists of objects waiting for an RCU Tasks Trace grace period
 * to free_by_rcu_ttrace and waiting_for_gp_ttrace; commit 04fabf00b4d3
 * ("bpf: Introduce bpf_mem_free_rcu() similar to kfree_rcu().", v6.5)
 * gave the old names to objects waiting for a plain RCU grace period, with
 * free_llist_extra_rcu. Every list holds objects charged to the map, so
 * each one this kernel has is counted.
 */
struct bpf_mem_cache___v65 {
	struct llist_head free_llist_extra_rcu;
	struct llist_head free_by_rcu_ttrace;
	struct llist_head waiting_for_gp_ttrace;
} __attribute__((preserve_access_index));

/* The lists of a bpf_mem_cache after free_llist, in walking order. */
#define MEM_CACHE_LISTS 6

/* The first object on list i of cache c (NULL where the kernel lacks it). */
static __always_inline struct llist_node *
mem_cache_list(struct bpf_mem_cache *c, __u32 i)
{
	struct bpf_mem_cache___v65 *n = (void *)c;

	switch (i) {
	case 0:
		return BPF_CORE_READ(c, free_llist_extra.first);
	case 1:
		return BPF_CORE_READ(c, free_by_rcu.first);
	case 2:
		return BPF_CORE_READ(c, waiting_for_gp.first);
	case 3:
		if (!bpf_core_field_exists(n->free_llist_extra_rcu))
			return NULL;
		return BPF_CORE_READ(n, free_llist_extra_rcu.first);
	case 4:
		if (!bpf_core_field_exists(n->free_by_rcu_ttrace))
			return NULL;
		return BPF_CORE_READ(n, free_by_rcu_ttrace.first);
	case 5:
		if (!bpf_core_field_exists(n->waiting_for_gp_ttrace))
			return NULL;
		return BPF_CORE_READ(n, waiting_for_gp_ttrace.first);
	}
	return NULL;
}

/*
 * Commit 3d8dc43eb2a3 ("bpf: Switch to bpf mem allocator for LPM trie",
 * v6.13, backported to some 6.1 stable releases) took the trie's nodes from a bpf_mem_alloc; before, each node
 * was kmalloc'd and freed with kfree_rcu().
 */
struct lpm_trie___ma {
	struct bpf_mem_alloc ma;
} __attribute__((preserve_access_index));

static __always_inline struct bpf_mem_alloc *lpm_trie_ma(struct lpm_trie *t)
{
	struct lpm_trie___ma *m = (void *)t;

	if (!bpf_core_field_exists(m->ma))
		return NULL;
	return &m->ma;
}

/*
 * Commit 08a7ce384e33 ("bpf: Use bpf_mem_cache_alloc/free in
 * bpf_local_storage_elem", v6.4) and 6ae9d5e99e1d ("bpf: Use
 * bpf_mem_cache_alloc/free for bpf_local_storage", v6.4) let local storage
 * maps take their elements and storages from two bpf_mem_allocs, where
 * bpf_ma says so; before, both were kmalloc'd.
 */
struct bpf_local_storage_map___ma {
	struct bpf_mem_alloc selem_ma;
	struct bpf_mem_alloc storage_ma;
	bool bpf_ma;
} __attribute__((preserve_access_index));

/*
 * Which map allocated a local storage: commit fc6652aab6ad ("bpf: Remember
 * smap in bpf_local_storage", v6.4) keeps it in storage->smap. Before, the
 * storage is made with its first element (bpf_local_storage_alloc()) and
 * later elements go to the head of storage->list: the first is the list's
 * last, unless it was deleted since (its map is then credited with none).
 */
struct bpf_local_storage___v64 {
	struct bpf_local_storage_map *smap;
} __attribute__((preserve_access_index));

static __always_inline bool
storage_made_by(struct bpf_local_storage *storage,
		struct bpf_local_storage_elem *selem,
		struct bpf_local_storage_map *smap)
{
	struct bpf_local_storage___v64 *s = (void *)storage;

	if (bpf_core_field_exists(s->smap))
		return BPF_CORE_READ(s, smap) == smap;
	return !BPF_CORE_READ(selem, snode.next);
}

/*
 * A map helper's result as the kernel meant it. The verifier turns map
 * helpers into direct calls of the map's operations, which returned int
 * before commit d7ba4cc900bf ("bpf: return long from bpf_map_ops funcs",
 * v6.4): there the upper half of a negative errno is zero, and a 64-bit
 * compare with -EEXIST never holds.
 */
static __always_inline int map_op_result(long ret)
{
	return (int)ret;
}

#endif /* BPFMEM_CORE_FIXES_BPF_H */
