// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "model/model.h"

/* mm/memcontrol.c obj_full_size(): each accounted slab object carries a
 * pointer to its obj_cgroup. */
#define OBJCG_PTR 8
/* include/linux/llist.h: bpf_mem_alloc puts one before each unit. */
#define LLIST_NODE 8
/* Newer than the 6.1 UAPI headers of Debian 12; the value is ABI. */
#define MODEL_MAP_TYPE_CGRP_STORAGE 32
/* kernel/bpf/syscall.c __bpf_map_area_alloc(): kmalloc up to
 * PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER, vmalloc above. */
#define COSTLY_ORDER 3
/* Newer than the 6.1 UAPI headers of Debian 12; the value is ABI. */
#define MODEL_MAP_TYPE_ARENA 33

static __u64 round_up(__u64 x, __u64 to)
{
	return (x + to - 1) / to * to;
}

static __u64 pow2_up(__u64 x)
{
	__u64 p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

void model_charge(struct model_bytes *out, enum model_payer who,
		  enum model_alloc a, enum model_part p, __u64 bytes)
{
	if (who == MODEL_ROOT)
		out->root += bytes;
	else
		out->memcg += bytes;
	out->alloc[a] += bytes;
	out->part[p] += bytes;
}

static bool is_slab(const struct model_env *env, __u64 size)
{
	return env->nr_classes && size <= env->classes[env->nr_classes - 1];
}

__u64 model_kmalloc(const struct model_env *env, __u64 size)
{
	__u64 pages;

	for (__u32 i = 0; i < env->nr_classes; i++)
		if (size <= env->classes[i])
			return env->classes[i] + OBJCG_PTR;
	/* larger: whole pages from the page allocator, 2^order of them */
	pages = pow2_up(round_up(size, env->page_size) / env->page_size);
	return pages * env->page_size;
}

void model_kmalloc_n(const struct model_env *env, struct model_bytes *out,
		     enum model_payer who, enum model_part p, __u64 size,
		     __u64 count)
{
	__u64 each = model_kmalloc(env, size);

	if (!count)
		return;
	/* unaccounted slab objects carry no memcg pointer */
	if (who == MODEL_ROOT && is_slab(env, size))
		each -= OBJCG_PTR;
	if (each > size)
		out->reasons |= is_slab(env, size) ?
			MODEL_R_SLAB_CLASS |
				(who == MODEL_MEMCG ? MODEL_R_OBJCG_PTR : 0) :
			MODEL_R_PAGE_ROUNDING;
	model_charge(out, who, is_slab(env, size) ? MODEL_SLAB : MODEL_PAGES, p,
		     each * count);
}

__u64 model_percpu_accounted(const struct model_env *env, __u64 size)
{
	return size * env->possible_cpus + size / 4 * OBJCG_PTR;
}

/* count kmalloc()s of size, charged to the map's memcg */
static void kmalloc_n(const struct model_env *env, struct model_bytes *out,
		      enum model_part p, __u64 size, __u64 count)
{
	model_kmalloc_n(env, out, MODEL_MEMCG, p, size, count);
}

/* bpf_map_area_alloc(): kmalloc, or vmalloc'd pages (each charged; the
 * array of page pointers is not). */
static void area(const struct model_env *env, struct model_bytes *out,
		 enum model_part p, __u64 size)
{
	__u64 bytes;

	if (size <= (__u64)env->page_size << COSTLY_ORDER) {
		kmalloc_n(env, out, p, size, 1);
		return;
	}
	bytes = round_up(size, env->page_size);
	if (bytes > size)
		out->reasons |= MODEL_R_PAGE_ROUNDING;
	model_charge(out, MODEL_MEMCG, MODEL_VMALLOC, p, bytes);
}

/* Per-CPU memory allocated while the map is created: before its memcg is
 * known, so charged to the root cgroup. */
static void percpu_at_creation(const struct model_env *env,
			       struct model_bytes *out, enum model_part p,
			       __u64 per_cpu)
{
	if (!per_cpu)
		return;
	out->reasons |= MODEL_R_PERCPU_ROOT;
	model_charge(out, MODEL_ROOT, MODEL_PERCPU, p, per_cpu * env->possible_cpus);
}

static void array_bytes(const struct model_env *env,
			const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	__u64 elem = round_up(m->value_size, 8);
	/* without CAP_PERFMON the array is sized to a power of two, so that
	 * index masking keeps speculation inside it */
	__u64 n = m->bypass_spec_v1 ? m->max_entries : pow2_up(m->max_entries);

	if (n > m->max_entries)
		out->reasons |= MODEL_R_POW2;
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		/* one allocation: the struct, then a pointer per element */
		area(env, out, MODEL_METADATA, k->array + n * sizeof(__u64));
		percpu_at_creation(env, out, MODEL_ELEMENTS, elem * n);
	} else if (m->map_flags & BPF_F_MMAPABLE) {
		/* bpf_map_area_mmapable_alloc(): always vmalloc, values on
		 * their own pages */
		out->reasons |= MODEL_R_PAGE_ROUNDING;
		model_charge(out, MODEL_MEMCG, MODEL_VMALLOC, MODEL_METADATA,
		       round_up(k->array, env->page_size));
		model_charge(out, MODEL_MEMCG, MODEL_VMALLOC, MODEL_ELEMENTS,
		       round_up(elem * n, env->page_size));
	} else {
		/* one allocation, struct and values: counted as elements */
		area(env, out, MODEL_ELEMENTS, k->array + elem * n);
	}
}

/*
 * What a bpf_mem_alloc (kernel/bpf/memalloc.c) holds beside the objects in
 * use: its per-CPU struct bpf_mem_cache, allocated while the map is created
 * (root), and the free objects it keeps, all charged to the map's memcg.
 * The iterator counts these on every CPU (free lists, objects waiting for
 * RCU grace periods); where it could not, the prefill of
 * prefill_mem_cache() stands in: 4 units up to 256 bytes, else 1, a CPU.
 * each: what one cached object costs.
 */
static void mem_alloc(const struct model_env *env,
		      const struct bpfmem_map_rec *m, struct model_bytes *out,
		      enum bpfmem_map_alloc which, __u64 unit, __u64 each,
		      enum model_alloc a)
{
	__u64 cached;

	percpu_at_creation(env, out, MODEL_METADATA, env->map_sizes.mem_cache);
	if (m->rec_flags & BPFMEM_MAP_HAS_CACHE)
		cached = m->cached[which];
	else
		cached = env->possible_cpus * (unit <= 256 ? 4 : 1);
	out->reasons |= MODEL_R_ALLOC_CACHE;
	model_charge(out, MODEL_MEMCG, a, MODEL_CACHE, cached * each);
}

/* A unit from a bpf_mem_alloc of size: one llist node before it
 * (bpf_mem_alloc_init()). */
static __u64 ma_unit(const struct bpfmem_map_rec *m,
		     enum bpfmem_map_alloc which, __u64 size)
{
	return m->cache_unit[which] ? m->cache_unit[which] : size + LLIST_NODE;
}

/* What htab_map_alloc() allocates per CPU besides values, before the
 * map's memcg is known: the element counter (s64) of every hash map, the
 * percpu_counter (s32) of large ones without preallocation, then the free
 * list heads of a preallocated one and its spare element pointers, or the
 * LRU lists (the bpf_mem_alloc caches of one without preallocation are
 * mem_alloc()'s). */
static __u64 htab_percpu_state(const struct model_env *env,
			       const struct bpfmem_map_rec *m, bool lru,
			       bool prealloc)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	__u64 per_cpu = sizeof(__s64);

	if (m->rec_flags & BPFMEM_MAP_HTAB_PCOUNT)
		per_cpu += sizeof(__s32);
	if (m->rec_flags & BPFMEM_MAP_HTAB_SPARES)
		per_cpu += sizeof(void *);
	if (lru)
		per_cpu += m->map_flags & BPF_F_NO_COMMON_LRU ? k->lru_list :
							       k->lru_locallist;
	else if (prealloc)
		per_cpu += k->freelist_head;
	return per_cpu;
}

static int htab_bytes(const struct model_env *env,
		      const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	bool percpu = m->type == BPF_MAP_TYPE_PERCPU_HASH ||
		      m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool lru = m->type == BPF_MAP_TYPE_LRU_HASH ||
		   m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool prealloc = lru || !(m->map_flags & BPF_F_NO_PREALLOC);
	__u64 value = round_up(m->value_size, 8);
	__u64 elem = k->htab_elem + round_up(m->key_size, 8) +
		     (percpu ? sizeof(__u64) : value);
	__u64 elements = m->elements, unit;

	if (!prealloc && !(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS))
		return -EOPNOTSUPP;
	kmalloc_n(env, out, MODEL_METADATA, k->htab, 1);
	if (pow2_up(m->max_entries) > m->max_entries)
		out->reasons |= MODEL_R_POW2;
	area(env, out, MODEL_BUCKETS, pow2_up(m->max_entries) * k->bucket);
	out->reasons |= MODEL_R_PERCPU_STATE;
	percpu_at_creation(env, out, MODEL_METADATA,
			   htab_percpu_state(env, m, lru, prealloc));
	if (prealloc) {
		/* plain hash maps keep one spare element per CPU for
		 * updates (alloc_extra_elems(); not maps of maps on 6.18),
		 * in the same allocation */
		__u64 n = m->max_entries;

		if (m->rec_flags & BPFMEM_MAP_HTAB_SPARES) {
			out->reasons |= MODEL_R_SPARE_ELEMS;
			n += env->possible_cpus;
		}
		area(env, out, MODEL_ELEMENTS, elem * n);
		percpu_at_creation(env, out, MODEL_ELEMENTS,
				   percpu ? value * m->max_entries : 0);
		return 0;
	}
	/* elements from bpf_mem_alloc */
	unit = ma_unit(m, BPFMEM_MA_ELEMS, elem);
	kmalloc_n(env, out, MODEL_ELEMENTS, unit, elements);
	mem_alloc(env, m, out, BPFMEM_MA_ELEMS, unit, model_kmalloc(env, unit),
		  is_slab(env, unit) ? MODEL_SLAB : MODEL_PAGES);
	if (percpu) {
		/* per-CPU values from their own bpf_mem_alloc: the value on
		 * every CPU with its memcg pointers (pcpu_obj_full_size()),
		 * and a kmalloc'd holder of an llist node and the per-CPU
		 * pointer; the cached ones are counted with their holders */
		__u64 pcpu = model_percpu_accounted(env, value);
		__u64 holder = model_kmalloc(env, LLIST_NODE + sizeof(void *));

		model_charge(out, MODEL_MEMCG, MODEL_PERCPU, MODEL_ELEMENTS,
		       elements * pcpu);
		kmalloc_n(env, out, MODEL_ELEMENTS, LLIST_NODE + sizeof(void *),
			  elements);
		mem_alloc(env, m, out, BPFMEM_MA_SECOND, value, pcpu + holder,
			  MODEL_PERCPU);
	}
	return 0;
}

/* prog_array keeps its poke descriptors in a struct of its own
 * (prog_array_map_alloc()); the other arrays of fds and of maps are plain
 * arrays of pointers. What the pointers hold (programs, perf events and
 * their bpf_event_entry, cgroups, inner maps) belongs to those objects,
 * or is allocated without accounting. */
static void fd_array_bytes(const struct model_env *env,
			   const struct bpfmem_map_rec *m,
			   struct model_bytes *out)
{
	array_bytes(env, m, out);
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY)
		kmalloc_n(env, out, MODEL_METADATA, env->map_sizes.array_aux, 1);
}

/* stack_map_alloc(): the struct with a bucket pointer per power-of-two
 * slot, then max_entries buckets with their values, and a per-CPU free
 * list head (at creation: the root's). The callchain buffers every stack
 * map shares are the perf subsystem's, not accounted. */
static int stack_trace_bytes(const struct model_env *env,
			     const struct bpfmem_map_rec *m,
			     struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;

	if (!m->n_buckets || !k->stack_map)
		return -EOPNOTSUPP;
	if (m->n_buckets > m->max_entries)
		out->reasons |= MODEL_R_POW2;
	area(env, out, MODEL_BUCKETS,
	     k->stack_map + (__u64)m->n_buckets * sizeof(void *));
	area(env, out, MODEL_ELEMENTS,
	     ((__u64)k->stack_bucket + m->value_size) * m->max_entries);
	out->reasons |= MODEL_R_PERCPU_STATE;
	percpu_at_creation(env, out, MODEL_METADATA, k->freelist_head);
	return 0;
}

/* bloom_map_alloc(): the struct and its bit array in one allocation;
 * the bit array is a power of two of bits, at least 64. */
static int bloom_bytes(const struct model_env *env,
		       const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	__u64 bits = (__u64)m->bitset_mask + 1;

	if (!m->bitset_mask || !env->map_sizes.bloom)
		return -EOPNOTSUPP;
	out->reasons |= MODEL_R_POW2;
	area(env, out, MODEL_ELEMENTS,
	     env->map_sizes.bloom + round_up(bits / 8, 8));
	return 0;
}

/* ringbuf_map_alloc(): the map struct; pages for the data and for the
 * positions (and whatever of struct bpf_ringbuf precedes them), each
 * from the page allocator; the array of page pointers, which names the
 * data pages twice (they are mapped twice, back to back). The mapping
 * itself (vmap) is not accounted. */
static int ringbuf_bytes(const struct model_env *env,
			 const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	__u64 data_pages = m->max_entries / env->page_size;

	if (!(m->rec_flags & BPFMEM_MAP_HAS_PAGES) ||
	    !env->map_sizes.ringbuf_map ||
	    m->pages < data_pages)
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, env->map_sizes.ringbuf_map);
	area(env, out, MODEL_METADATA, (m->pages + data_pages) * sizeof(void *));
	model_charge(out, MODEL_MEMCG, MODEL_PAGES, MODEL_ELEMENTS,
		     m->pages * env->page_size);
	return 0;
}

/* sock_map_alloc(), sock_hash_alloc(): the struct and an array of socket
 * pointers or of buckets; a sockhash element per socket
 * (sock_hash_alloc_elem(), charged to the map). The psock and its link
 * to the map are the socket's, allocated without accounting. */
static int sock_bytes(const struct model_env *env,
		      const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;

	if (m->type == BPF_MAP_TYPE_SOCKMAP) {
		if (!k->stab)
			return -EOPNOTSUPP;
		area(env, out, MODEL_METADATA, k->stab);
		area(env, out, MODEL_BUCKETS,
		     (__u64)m->max_entries * sizeof(void *));
		return 0;
	}
	if (!k->shtab || !m->n_buckets || !m->elem_size ||
	    !(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS))
		return -EOPNOTSUPP;
	if (m->n_buckets > m->max_entries)
		out->reasons |= MODEL_R_POW2;
	area(env, out, MODEL_METADATA, k->shtab);
	area(env, out, MODEL_BUCKETS, (__u64)m->n_buckets * k->shtab_bucket);
	kmalloc_n(env, out, MODEL_ELEMENTS, m->elem_size, m->elements);
	return 0;
}

/* dev_map_alloc(): the struct, then an array of entry pointers (devmap)
 * or of hash list heads (devmap_hash); an entry per device, charged to
 * the map (__dev_map_alloc_node()). */
static int devmap_bytes(const struct model_env *env,
			const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	bool hash = m->type == BPF_MAP_TYPE_DEVMAP_HASH;

	if (!k->dtab || !(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS) ||
	    (hash && !m->n_buckets))
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, k->dtab);
	if (hash && m->n_buckets > m->max_entries)
		out->reasons |= MODEL_R_POW2;
	area(env, out, MODEL_BUCKETS,
	     (__u64)(hash ? m->n_buckets : m->max_entries) * sizeof(void *));
	kmalloc_n(env, out, MODEL_ELEMENTS, k->dtab_netdev, m->elements);
	return 0;
}

/* cpu_map_alloc(): the struct and an entry pointer per CPU slot. An
 * entry (__cpu_map_entry_alloc()) is charged to the map: the entry, its
 * per-CPU bulk queue with the memcg pointers of a charged per-CPU
 * object (pcpu_obj_full_size()), the ptr_ring struct. The ring's slot
 * array and the entry's kthread are allocated without accounting. */
static int cpumap_bytes(const struct model_env *env,
			const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	__u64 bulkq = k->cpu_bulk_queue;

	if (!k->cpu_map || !(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS))
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, k->cpu_map);
	area(env, out, MODEL_BUCKETS, (__u64)m->max_entries * sizeof(void *));
	kmalloc_n(env, out, MODEL_ELEMENTS, k->cpu_map_entry, m->elements);
	kmalloc_n(env, out, MODEL_ELEMENTS, k->ptr_ring, m->elements);
	if (m->elements)
		out->reasons |= MODEL_R_PERCPU_STATE;
	model_charge(out, MODEL_MEMCG, MODEL_PERCPU, MODEL_ELEMENTS,
		     m->elements * model_percpu_accounted(env, bulkq));
	return 0;
}

/* xsk_map_alloc(): the struct with a socket pointer per slot; a node per
 * entry on the socket's list of maps, charged to the map
 * (xsk_map_node_alloc()). */
static int xskmap_bytes(const struct model_env *env,
			const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	if (!env->map_sizes.xsk_map || !(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS))
		return -EOPNOTSUPP;
	area(env, out, MODEL_BUCKETS,
	     env->map_sizes.xsk_map + (__u64)m->max_entries * sizeof(void *));
	kmalloc_n(env, out, MODEL_ELEMENTS, env->map_sizes.xsk_map_node,
		  m->elements);
	return 0;
}

/* arena_map_alloc(): the struct; a page per page in use, charged to the
 * map (bpf_map_alloc_pages()). The kernel mapping (page tables of a
 * vmalloc range) is not accounted; the free-range tree's nodes come from
 * the global bpf_mem_alloc, not charged to the map; a process's own
 * mapping of the arena (VMA, page tables) is that process's. */
static int arena_bytes(const struct model_env *env,
		       const struct bpfmem_map_rec *m, struct model_bytes *out)
{
	if (!env->map_sizes.arena || !(m->rec_flags & BPFMEM_MAP_HAS_PAGES))
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, env->map_sizes.arena);
	model_charge(out, MODEL_MEMCG, MODEL_PAGES, MODEL_ELEMENTS,
		     m->pages * env->page_size);
	return 0;
}

/* bpf_struct_ops_map_alloc(): the struct with the kernel's copy of the
 * value, the user's copy of the value, and a link and a ksym pointer per
 * function pointer. The trampoline image, links and ksyms of an updated
 * map come from the shared program packs and unaccounted kmalloc. */
static int struct_ops_bytes(const struct model_env *env,
			    const struct bpfmem_map_rec *m,
			    struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;

	if (!m->funcs_cnt || !k->struct_ops_map ||
	    m->value_size < k->struct_ops_value)
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA,
	     k->struct_ops_map + m->value_size - k->struct_ops_value);
	area(env, out, MODEL_ELEMENTS, m->value_size);
	area(env, out, MODEL_METADATA, (__u64)m->funcs_cnt * sizeof(void *));
	area(env, out, MODEL_METADATA, (__u64)m->funcs_cnt * sizeof(void *));
	return 0;
}

/* kernel/bpf/lpm_trie.c: the trie struct, then one object a node, leaves
 * and intermediate nodes alike from the trie's bpf_mem_alloc (6.13+),
 * else kmalloc'd, intermediate nodes without a value. The iterator counts
 * the nodes; without the count, as many as the entries. */
static int lpm_trie_bytes(const struct model_env *env,
			  const struct bpfmem_map_rec *m,
			  struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	/* the key's data, after its 4-byte prefix length */
	__u64 node = k->lpm_node + m->key_size - sizeof(__u32);
	__u64 leaf = node + m->value_size;
	__u64 nodes = m->rec_flags & BPFMEM_MAP_HAS_NODES ? m->nodes :
							    m->elements;
	__u64 inner = nodes > m->elements ? nodes - m->elements : 0;

	if (!(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS))
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, k->lpm_trie);
	if (m->rec_flags & BPFMEM_MAP_MEM_ALLOC) {
		__u64 unit = ma_unit(m, BPFMEM_MA_ELEMS, leaf);

		kmalloc_n(env, out, MODEL_ELEMENTS, unit, m->elements);
		kmalloc_n(env, out, MODEL_BUCKETS, unit, inner);
		mem_alloc(env, m, out, BPFMEM_MA_ELEMS, unit,
			  model_kmalloc(env, unit),
			  is_slab(env, unit) ? MODEL_SLAB : MODEL_PAGES);
	} else {
		kmalloc_n(env, out, MODEL_ELEMENTS, leaf, m->elements);
		kmalloc_n(env, out, MODEL_BUCKETS, node, inner);
	}
	return 0;
}

/* kernel/bpf/bpf_local_storage.c: the map struct; its buckets, allocated
 * while the map is created, when bpf_map_kvcalloc() finds no memcg on it
 * yet (charged to the root cgroup); then an element per owner, and the
 * owner's storage where this map made it, from two bpf_mem_allocs where
 * the map uses them, else kmalloc'd. The iterator counts both. */
static int local_storage_bytes(const struct model_env *env,
			       const struct bpfmem_map_rec *m,
			       struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	__u64 buckets = (__u64)m->n_buckets * k->storage_bucket;
	__u64 elem = m->elem_size, storage = k->storage;

	if (!(m->rec_flags & BPFMEM_MAP_HAS_NODES))
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, k->storage_map);
	out->reasons |= MODEL_R_SLAB_CLASS | MODEL_R_OBJCG_PTR;
	model_charge(out, MODEL_ROOT, is_slab(env, buckets) ? MODEL_SLAB : MODEL_PAGES,
	       MODEL_BUCKETS, model_kmalloc(env, buckets));
	if (m->rec_flags & BPFMEM_MAP_MEM_ALLOC) {
		elem = ma_unit(m, BPFMEM_MA_ELEMS, elem);
		storage = ma_unit(m, BPFMEM_MA_SECOND, storage);
		mem_alloc(env, m, out, BPFMEM_MA_ELEMS, elem,
			  model_kmalloc(env, elem), MODEL_SLAB);
		mem_alloc(env, m, out, BPFMEM_MA_SECOND, storage,
			  model_kmalloc(env, storage), MODEL_SLAB);
	}
	kmalloc_n(env, out, MODEL_ELEMENTS, elem, m->elements);
	kmalloc_n(env, out, MODEL_METADATA, storage, m->nodes);
	return 0;
}

/* kernel/bpf/local_storage.c: the map struct (cgroup_storage_map_alloc());
 * then, for each cgroup (and attach type, with a 16-byte key) a program
 * using the map is attached to, a struct bpf_cgroup_storage and its value
 * (bpf_cgroup_storage_alloc()): a bpf_storage_buffer with the value after
 * it, or a per-CPU copy of the value. Both are charged to the map's
 * memory cgroup, whoever attaches. The attachment's own list entry and
 * the cgroup's arrays of effective programs are the cgroup's, allocated
 * without accounting. */
static int cgroup_storage_bytes(const struct model_env *env,
				const struct bpfmem_map_rec *m,
				struct model_bytes *out)
{
	const struct bpfmem_kernel_sizes *k = &env->map_sizes;
	/* pcpu_alloc() rounds to PCPU_MIN_ALLOC_SIZE */
	__u64 pcpu = round_up(m->value_size, 4);

	if (!k->cgroup_storage_map || !k->cgroup_storage ||
	    !(m->rec_flags & BPFMEM_MAP_HAS_ELEMENTS))
		return -EOPNOTSUPP;
	area(env, out, MODEL_METADATA, k->cgroup_storage_map);
	kmalloc_n(env, out, MODEL_METADATA, k->cgroup_storage, m->elements);
	if (m->elements)
		out->reasons |= MODEL_R_CGROUP_STORAGES;
	if (m->type == BPF_MAP_TYPE_CGROUP_STORAGE) {
		kmalloc_n(env, out, MODEL_ELEMENTS,
			  (__u64)k->storage_buffer + m->value_size,
			  m->elements);
		return 0;
	}
	if (m->elements)
		out->reasons |= MODEL_R_OBJCG_PTR;
	model_charge(out, MODEL_MEMCG, MODEL_PERCPU, MODEL_ELEMENTS,
		     m->elements * model_percpu_accounted(env, pcpu));
	return 0;
}

int model_map_bytes(const struct model_env *env,
		    const struct bpfmem_map_rec *rec, struct model_bytes *out)
{
	*out = (struct model_bytes){};
	switch (rec->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		array_bytes(env, rec, out);
		return 0;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		/* one slot more than max_entries tells full from empty */
		area(env, out, MODEL_ELEMENTS,
		     env->map_sizes.queue_stack +
			     ((__u64)rec->max_entries + 1) * rec->value_size);
		return 0;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return htab_bytes(env, rec, out);
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		fd_array_bytes(env, rec, out);
		return 0;
	case BPF_MAP_TYPE_STACK_TRACE:
		return stack_trace_bytes(env, rec, out);
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return bloom_bytes(env, rec, out);
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		return ringbuf_bytes(env, rec, out);
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
		return sock_bytes(env, rec, out);
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return devmap_bytes(env, rec, out);
	case BPF_MAP_TYPE_CPUMAP:
		return cpumap_bytes(env, rec, out);
	case BPF_MAP_TYPE_XSKMAP:
		return xskmap_bytes(env, rec, out);
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		if (!env->map_sizes.reuseport_array)
			return -EOPNOTSUPP;
		/* the sockets' own reuseport groups are theirs */
		area(env, out, MODEL_BUCKETS, env->map_sizes.reuseport_array +
			     (__u64)rec->max_entries * sizeof(void *));
		return 0;
	case MODEL_MAP_TYPE_ARENA:
		return arena_bytes(env, rec, out);
	case BPF_MAP_TYPE_STRUCT_OPS:
		return struct_ops_bytes(env, rec, out);
	case BPF_MAP_TYPE_LPM_TRIE:
		return lpm_trie_bytes(env, rec, out);
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case MODEL_MAP_TYPE_CGRP_STORAGE:
		return local_storage_bytes(env, rec, out);
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return cgroup_storage_bytes(env, rec, out);
	default:
		return -EOPNOTSUPP;
	}
}

const char *model_alloc_name(enum model_alloc a)
{
	static const char *const names[MODEL_ALLOC_NR] = {
		[MODEL_SLAB] = "slab",
		[MODEL_VMALLOC] = "vmalloc",
		[MODEL_PERCPU] = "percpu",
		[MODEL_PAGES] = "pages",
	};

	return a < MODEL_ALLOC_NR ? names[a] : "?";
}

const char *model_part_name(enum model_part p)
{
	static const char *const names[MODEL_PART_NR] = {
		[MODEL_ELEMENTS] = "elements",
		[MODEL_BUCKETS] = "buckets",
		[MODEL_CACHE] = "allocator_cache",
		[MODEL_METADATA] = "metadata",
		[MODEL_PROG_IMAGE] = "insns",
		[MODEL_PROG_AUX] = "aux",
		[MODEL_PROG_BTF_INFO] = "func_line_info",
		[MODEL_PROG_JIT] = "jit_image",
	};

	return p < MODEL_PART_NR ? names[p] : "?";
}

const char *model_reason_text(enum model_reason r)
{
	switch (r) {
	case MODEL_R_SLAB_CLASS:
		return "slab objects are rounded up to their size class";
	case MODEL_R_OBJCG_PTR:
		return "each accounted slab object carries an 8-byte memory cgroup pointer";
	case MODEL_R_PAGE_ROUNDING:
		return "vmalloc and large kmalloc round up to whole pages";
	case MODEL_R_POW2:
		return "sized up to a power of two";
	case MODEL_R_PERCPU_ROOT:
		return "per-CPU memory allocated at creation is charged to the root cgroup, not the map's";
	case MODEL_R_SPARE_ELEMS:
		return "one spare element per CPU for updates";
	case MODEL_R_ALLOC_CACHE:
		return "bpf_mem_alloc keeps free elements cached on every CPU";
	case MODEL_R_PERCPU_STATE:
		return "per-CPU counters, free lists or LRU lists on every possible CPU";
	case MODEL_R_PROG_AUX:
		return "memlock counts the instructions' pages only: not bpf_prog_aux, per-CPU stats, subprograms, BTF function and line info";
	case MODEL_R_JIT_PACK:
		return "the JIT image sits in a shared executable pack, charged to no memory cgroup";
	case MODEL_R_CGROUP_STORAGES:
		return "memlock counts the map struct only, not the storage each cgroup its programs are attached to gets";
	default:
		return "?";
	}
}
