// SPDX-License-Identifier: GPL-2.0
/*
 * Inventory iterators: one pass over every BPF map, every BPF program and
 * every open file of every process, writing fixed-size records
 * (include/records.h) into the iterator's seq_file. No per-object syscall,
 * and no reference to any object outlives the iterator step.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "records.h"
#include "core_fixes.bpf.h"
#include "task_memcg.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* 6.6+ (commit 803370d3d375 "bpf: add a new kfunc to return current
 * bpf_map elements count"); older kernels are read through the map's own
 * counters. Weak, so that libbpf loads this object where it is missing. */
extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym __weak;

static __always_inline bool is_htab(__u32 type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Pointers read a chunk at a time by the slot walk: small, as the
 * record shares the iterator's 512-byte stack. */
#define SLOT_CHUNK 8
/* Slot arrays longer than this are not walked (their count stays
 * unknown): bpf_loop() turns at most 1 << 23 times. */
#define MAX_SLOTS (1u << 22)

struct slot_walk {
	void **slots;
	__u32 n;
	__u64 used;
};

static long count_slot_chunk(__u64 i, void *data)
{
	struct slot_walk *w = data;
	void *p[SLOT_CHUNK] = {};
	__u32 first = i * SLOT_CHUNK, j;

	if (first >= w->n)
		return 1;
	bpf_probe_read_kernel(p, sizeof(p), w->slots + first);
	for (j = 0; j < SLOT_CHUNK; j++)
		if (first + j < w->n && p[j])
			w->used++;
	return 0;
}

/* Used slots of an array of pointers (devmap, cpumap, xskmap, sockmap):
 * these maps keep no count. The last chunk may read past the array's
 * end; what lies there is not counted. */
static __always_inline void count_slots(void **slots, struct bpfmem_map_rec *rec)
{
	struct slot_walk w = { .slots = slots, .n = rec->max_entries };

	if (!slots || w.n > MAX_SLOTS)
		return;
	bpf_loop((w.n + SLOT_CHUNK - 1) / SLOT_CHUNK, count_slot_chunk, &w, 0);
	rec->elements = w.used;
	rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
}

/* An arena's free pages are the ranges of its range tree (interval tree
 * of struct range_node); walked in order with parent pointers, one move
 * a turn. */
struct range_walk {
	struct rb_node *cur;
	__u64 free;
	bool up;		/* leaving cur upwards */
	bool done;
};

static __always_inline void add_range(struct range_walk *w, struct rb_node *n)
{
	struct range_node *rn = (void *)n - bpf_core_field_offset(struct range_node,
								  rn_rbnode);

	w->free += BPF_CORE_READ(rn, rn_last) - BPF_CORE_READ(rn, rn_start) + 1;
}

static long range_step(__u64 i, void *data)
{
	struct range_walk *w = data;
	struct rb_node *n = w->cur, *next, *parent;

	if (!w->up) {
		next = BPF_CORE_READ(n, rb_left);
		if (next) {
			w->cur = next;
			return 0;
		}
		add_range(w, n);
		next = BPF_CORE_READ(n, rb_right);
		if (next)
			w->cur = next;
		else
			w->up = true;
		return 0;
	}
	parent = (void *)(BPF_CORE_READ(n, __rb_parent_color) & ~3UL);
	if (!parent) {
		w->done = true;
		return 1;
	}
	w->cur = parent;
	if (BPF_CORE_READ(parent, rb_left) == n) {
		add_range(w, parent);
		next = BPF_CORE_READ(parent, rb_right);
		if (next) {
			w->cur = next;
			w->up = false;
		}
	}
	return 0;
}

/* Pages an arena holds: those outside its free ranges. Arenas came with
 * Linux 6.9 (commit 317460317a02 "bpf: Introduce bpf_arena."); before,
 * the type does not exist and this is never reached. */
static __always_inline void arena_pages(struct bpf_map *map,
					struct bpfmem_map_rec *rec)
{
	struct bpf_arena *arena = (void *)map;
	struct range_walk w = {};

	/* checked before any read of the type: a relocation CO-RE cannot
	 * resolve fails the load where the verifier can reach it */
	if (!bpf_core_type_exists(struct bpf_arena))
		return;
	w.cur = BPF_CORE_READ(arena, rt.it_root.rb_root.rb_node);
	if (w.cur)
		/* each node is visited once going down and left once going
		 * up: three moves a node at most */
		bpf_loop(1u << 22, range_step, &w, 0);
	else
		w.done = true;
	if (w.done && w.free <= rec->max_entries) {
		rec->pages = rec->max_entries - w.free;
		rec->rec_flags |= BPFMEM_MAP_HAS_PAGES;
	}
}

/*
 * Per-CPU addresses. Without CONFIG_KALLSYMS_ALL the per-CPU offsets
 * (__per_cpu_offset) are no ksym; bpf_map_lookup_percpu_elem() on our own
 * per-CPU array gives each CPU's copy of its value, and the array's
 * pptrs[0] the per-CPU pointer of that value: their difference is the
 * CPU's offset. find_cpu_offsets fills cpu_off[] once, when the collector
 * loads us; dump_maps reads other maps' per-CPU caches with it.
 */
#define MAX_CPUS 1024

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cpu_probe SEC(".maps");

__u32 cpu_probe_id;		/* set by the collector before the walk */
__u32 nr_cpu_off;		/* CPUs in cpu_off: 0 until found */
__u64 cpu_off[MAX_CPUS];

struct cpu_walk {
	__u64 base;
	__u32 n;
};

static long cpu_offset(__u64 cpu, void *data)
{
	struct cpu_walk *w = data;
	__u32 zero = 0;
	__u64 addr = 0;
	void *p = bpf_map_lookup_percpu_elem(&cpu_probe, &zero, cpu);

	if (!p)
		return 1;
	/* a plain number for the verifier: copied, not derived */
	bpf_probe_read_kernel(&addr, sizeof(addr), &p);
	barrier_var(cpu);
	cpu_off[cpu & (MAX_CPUS - 1)] = addr - w->base;
	w->n = cpu + 1;
	return 0;
}

SEC("?iter/bpf_map")
int find_cpu_offsets(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_array *probe = (void *)map;
	struct cpu_walk w = {};

	if (!map || map->id != cpu_probe_id)
		return 0;
	w.base = (__u64)BPF_CORE_READ(probe, pptrs[0]);
	bpf_loop(MAX_CPUS, cpu_offset, &w, 0);
	nr_cpu_off = w.n;
	return 0;
}

/* One bpf_mem_alloc's free objects on every CPU: free_cnt, then every
 * other list walked node by node. */
struct cache_walk {
	__u64 cache;		/* struct bpf_mem_cache __percpu * */
	struct llist_node *node;
	__u64 objs;
	__u32 cpu;
	__u32 list;		/* next list of this CPU's cache, 0: free_cnt */
};

/* A local storage map's elements, bucket by bucket, and the storages it
 * allocated (those whose smap is this map). */
struct storage_walk {
	struct bpf_local_storage_map *smap;
	struct bpf_local_storage_map_bucket *buckets;
	struct hlist_node *node;
	__u32 bucket;
	__u32 nr_buckets;
	__u64 elems;
	__u64 storages;
};

/* A legacy cgroup storage map's storages, one per cgroup (and attach
 * type) a program using it is attached to: its list, node by node. */
struct cgroup_storage_walk {
	struct list_head *head;
	struct list_head *cur;
	__u64 storages;
	bool done;
};

/*
 * The state of the bpf_loop() walks that start from known values lives in
 * a map value, whose contents the verifier does not know. Before commit
 * ab5cfac139ab ("bpf: verify callbacks as if they are called unknown
 * number of times", v6.7) it checked a callback once, with the caller's
 * stack as it was at the call, and removed the branches that this first
 * state cannot take: on 6.1 the cache walk never left its first list.
 */
union loop_state {
	struct cache_walk cache;
	struct storage_walk storage;
	struct cgroup_storage_walk cgroup_storage;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union loop_state);
} loop_state SEC(".maps");

static __always_inline union loop_state *loop_state_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&loop_state, &zero);
}

/* More than any cache holds (the lists are capped by the map's size): a
 * list being freed under us ends the walk rather than loop. */
#define MAX_CACHE_STEPS (1 << 23)

static long cache_step(__u64 i, void *data)
{
	struct cache_walk *w = *(struct cache_walk **)data;
	struct llist_node *node = w->node;
	struct bpf_mem_cache *c;
	__u32 cpu;

	if (node) {
		w->objs++;
		w->node = BPF_CORE_READ(node, next);
		return 0;
	}
	if (w->list > MEM_CACHE_LISTS) {
		w->list = 0;
		w->cpu++;
	}
	cpu = w->cpu;
	if (cpu >= nr_cpu_off || cpu >= MAX_CPUS)
		return 1;
	/* the mask survives for the verifier */
	barrier_var(cpu);
	c = (void *)(w->cache + cpu_off[cpu & (MAX_CPUS - 1)]);
	if (w->list == 0) {
		w->objs += BPF_CORE_READ(c, free_cnt);
	} else {
		w->node = mem_cache_list(c, w->list - 1);
	}
	w->list++;
	return 0;
}

/* Counts the free objects of ma into rec (allocator i). */
static __always_inline void read_mem_alloc(struct bpf_mem_alloc *ma,
					   struct bpfmem_map_rec *rec, int i)
{
	union loop_state *state = loop_state_get();
	struct cache_walk *w;
	struct bpf_mem_cache *c0;
	__u64 cache = (__u64)BPF_CORE_READ(ma, cache);

	if (!state || !cache || !nr_cpu_off)
		return;
	w = &state->cache;
	*w = (struct cache_walk){ .cache = cache };
	c0 = (void *)(cache + cpu_off[0]);
	rec->cache_unit[i] = BPF_CORE_READ(c0, unit_size);
	bpf_loop(MAX_CACHE_STEPS, cache_step, &w, 0);
	rec->cached[i] = w->objs;
	rec->rec_flags |= BPFMEM_MAP_HAS_CACHE;
}

/* LPM trie nodes, depth first, with a per-CPU stack: a trie is as deep as
 * its longest prefix, 2048 bits at most. The walk's state lives in the
 * map value, where the verifier does not follow each value of top. */
#define LPM_STACK 2064

struct lpm_walk {
	__u64 nodes;
	__u32 top;
	struct lpm_trie_node *node[LPM_STACK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lpm_walk);
} lpm_stack SEC(".maps");

static long lpm_step(__u64 i, void *data)
{
	struct lpm_walk *w = *(struct lpm_walk **)data;
	struct lpm_trie_node *n, *child;
	/* One 64-bit bound on top - 1 (top == 0 wraps above it): 6.1's
	 * verifier neither narrows top after a != 0 test nor keeps the bound
	 * of a 32-bit difference. */
	__u64 top = (__u64)w->top - 1;

	if (top >= LPM_STACK)
		return 1;
	n = w->node[top];
	w->nodes++;
	for (int c = 0; c < 2; c++) {
		child = BPF_CORE_READ(n, child[c]);
		if (!child)
			continue;
		if (top >= LPM_STACK)
			return 1;
		w->node[top++] = child;
	}
	w->top = top;
	return 0;
}

static __always_inline void read_lpm_trie(struct lpm_trie *trie,
					  struct bpfmem_map_rec *rec)
{
	struct bpf_mem_alloc *ma = lpm_trie_ma(trie);
	struct lpm_walk *w;
	__u32 zero = 0;

	rec->elements = BPF_CORE_READ(trie, n_entries);
	rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
	w = bpf_map_lookup_elem(&lpm_stack, &zero);
	if (w) {
		w->nodes = 0;
		w->node[0] = BPF_CORE_READ(trie, root);
		w->top = !!w->node[0];
		/* every node is visited once: n_entries plus fewer
		 * intermediate nodes, and the walk's end */
		bpf_loop(2 * rec->elements + 2, lpm_step, &w, 0);
		if (!w->top) {
			rec->nodes = w->nodes;
			rec->rec_flags |= BPFMEM_MAP_HAS_NODES;
		}
	}
	if (ma) {
		rec->rec_flags |= BPFMEM_MAP_MEM_ALLOC;
		read_mem_alloc(ma, rec, BPFMEM_MA_ELEMS);
	}
}

static long storage_step(__u64 i, void *data)
{
	struct storage_walk *w = *(struct storage_walk **)data;
	struct hlist_node *node = w->node;
	struct bpf_local_storage_map_bucket *b;
	struct bpf_local_storage_elem *selem;
	struct bpf_local_storage *storage;

	if (!node) {
		if (w->bucket >= w->nr_buckets)
			return 1;
		b = (void *)w->buckets + w->bucket *
			bpf_core_type_size(struct bpf_local_storage_map_bucket);
		w->node = BPF_CORE_READ(b, list.first);
		w->bucket++;
		return 0;
	}
	selem = (void *)node -
		bpf_core_field_offset(struct bpf_local_storage_elem, map_node);
	storage = BPF_CORE_READ(selem, local_storage);
	w->elems++;
	if (storage_made_by(storage, selem, w->smap))
		w->storages++;
	w->node = BPF_CORE_READ(node, next);
	return 0;
}

static __always_inline void read_local_storage(struct bpf_map *map,
					       struct bpfmem_map_rec *rec)
{
	struct bpf_local_storage_map *smap = (void *)map;
	struct bpf_local_storage_map___ma *m = (void *)map;
	union loop_state *state = loop_state_get();
	struct storage_walk *w;

	rec->elem_size = BPF_CORE_READ(smap, elem_size);
	rec->n_buckets = 1u << BPF_CORE_READ(smap, bucket_log);
	if (state) {
		w = &state->storage;
		*w = (struct storage_walk){
			.smap = smap,
			.buckets = BPF_CORE_READ(smap, buckets),
			.nr_buckets = rec->n_buckets,
		};
		bpf_loop(MAX_CACHE_STEPS, storage_step, &w, 0);
		if (!w->node) {
			rec->elements = w->elems;
			rec->nodes = w->storages;
			rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS |
					  BPFMEM_MAP_HAS_NODES;
		}
	}
	if (bpf_core_field_exists(m->bpf_ma) && BPF_CORE_READ(m, bpf_ma)) {
		rec->rec_flags |= BPFMEM_MAP_MEM_ALLOC;
		read_mem_alloc(&m->selem_ma, rec, BPFMEM_MA_ELEMS);
		read_mem_alloc(&m->storage_ma, rec, BPFMEM_MA_SECOND);
	}
}

static long cgroup_storage_step(__u64 i, void *data)
{
	struct cgroup_storage_walk *w = *(struct cgroup_storage_walk **)data;
	struct list_head *cur = w->cur;
	struct list_head *next = BPF_CORE_READ(cur, next);

	if (!next || next == w->head) {
		w->done = !!next;
		return 1;
	}
	w->storages++;
	w->cur = next;
	return 0;
}

/* kernel/bpf/local_storage.c: every storage of the map is on map->list
 * (bpf_cgroup_storage_link()). The count is kept only when the walk came
 * back to the head: a list changing under us gives none. */
static __always_inline void read_cgroup_storage(struct bpf_map *map,
						struct bpfmem_map_rec *rec)
{
	struct bpf_cgroup_storage_map *m = (void *)map;
	union loop_state *state = loop_state_get();
	struct cgroup_storage_walk *w;

	if (!state)
		return;
	w = &state->cgroup_storage;
	*w = (struct cgroup_storage_walk){ .head = &m->list };
	w->cur = w->head;
	bpf_loop(MAX_CACHE_STEPS, cgroup_storage_step, &w, 0);
	if (w->done) {
		rec->elements = w->storages;
		rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
	}
}

static __always_inline bool is_local_storage(__u32 type)
{
	return type == BPF_MAP_TYPE_SK_STORAGE ||
	       type == BPF_MAP_TYPE_INODE_STORAGE ||
	       type == BPF_MAP_TYPE_TASK_STORAGE ||
	       type == BPF_MAP_TYPE_CGRP_STORAGE;
}

/* Element counts and per-type state that do not depend on the htab
 * counter. */
static __always_inline void fill_other_counts(struct bpf_map *map,
					      struct bpfmem_map_rec *rec)
{
	switch (rec->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		rec->elements = rec->max_entries;
		rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
		break;
	case BPF_MAP_TYPE_LPM_TRIE:
		read_lpm_trie((struct lpm_trie *)map, rec);
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK: {
		struct bpf_queue_stack *qs = (void *)map;
		__u32 head = BPF_CORE_READ(qs, head);
		__u32 tail = BPF_CORE_READ(qs, tail);
		__u32 size = BPF_CORE_READ(qs, size);

		if (size) {
			rec->elements = (head + size - tail) % size;
			rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
		}
		break;
	}
	case BPF_MAP_TYPE_SOCKHASH: {
		struct bpf_shtab *sh = (void *)map;

		rec->elements = BPF_CORE_READ(sh, count.counter);
		rec->elem_size = BPF_CORE_READ(sh, elem_size);
		rec->n_buckets = BPF_CORE_READ(sh, buckets_num);
		rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
		break;
	}
	case BPF_MAP_TYPE_DEVMAP_HASH: {
		struct bpf_dtab *dtab = (void *)map;

		rec->elements = BPF_CORE_READ(dtab, items);
		rec->n_buckets = BPF_CORE_READ(dtab, n_buckets);
		rec->rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
		break;
	}
	case BPF_MAP_TYPE_DEVMAP:
		count_slots((void **)BPF_CORE_READ((struct bpf_dtab *)map,
						   netdev_map), rec);
		break;
	case BPF_MAP_TYPE_CPUMAP:
		count_slots((void **)BPF_CORE_READ((struct bpf_cpu_map *)map,
						   cpu_map), rec);
		break;
	case BPF_MAP_TYPE_XSKMAP: {
		struct xsk_map *m = (void *)map;

		count_slots((void **)&m->xsk_map[0], rec);
		break;
	}
	case BPF_MAP_TYPE_SOCKMAP:
		count_slots((void **)BPF_CORE_READ((struct bpf_stab *)map, sks),
			    rec);
		break;
	case BPF_MAP_TYPE_STACK_TRACE:
		rec->n_buckets = BPF_CORE_READ((struct bpf_stack_map *)map,
					       n_buckets);
		break;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		rec->bitset_mask = BPF_CORE_READ((struct bpf_bloom_filter *)map,
						 bitset_mask);
		break;
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF: {
		struct bpf_ringbuf_map *rb = (void *)map;

		rec->pages = BPF_CORE_READ(rb, rb, nr_pages);
		rec->rec_flags |= BPFMEM_MAP_HAS_PAGES;
		break;
	}
	case BPF_MAP_TYPE_STRUCT_OPS:
		rec->funcs_cnt = struct_ops_funcs((void *)map);
		break;
	case BPF_MAP_TYPE_ARENA:
		arena_pages(map, rec);
		break;
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		read_cgroup_storage(map, rec);
		break;
	}
}

/* A struct's size in this kernel, 0 where it has none. */
#define SIZE_OF(t) (bpf_core_type_exists(struct t) ? \
		    bpf_core_type_size(struct t) : 0)

static __always_inline void fill_sizes(struct bpfmem_kernel_sizes *k)
{
	k->htab = bpf_core_type_size(struct bpf_htab);
	k->htab_elem = bpf_core_type_size(struct htab_elem);
	k->bucket = bpf_core_type_size(struct bucket);
	k->array = bpf_core_type_size(struct bpf_array);
	k->queue_stack = bpf_core_type_size(struct bpf_queue_stack);
	k->freelist_head = bpf_core_type_size(struct pcpu_freelist_head);
	k->lru_locallist = bpf_core_type_size(struct bpf_lru_locallist);
	k->lru_list = bpf_core_type_size(struct bpf_lru_list);
	k->mem_cache = bpf_core_type_size(struct bpf_mem_cache);
	k->array_aux = SIZE_OF(bpf_array_aux);
	k->stack_map = SIZE_OF(bpf_stack_map);
	k->stack_bucket = SIZE_OF(stack_map_bucket);
	k->bloom = SIZE_OF(bpf_bloom_filter);
	k->ringbuf_map = SIZE_OF(bpf_ringbuf_map);
	k->stab = SIZE_OF(bpf_stab);
	k->shtab = SIZE_OF(bpf_shtab);
	k->shtab_bucket = SIZE_OF(bpf_shtab_bucket);
	k->dtab = SIZE_OF(bpf_dtab);
	k->dtab_netdev = SIZE_OF(bpf_dtab_netdev);
	k->cpu_map = SIZE_OF(bpf_cpu_map);
	k->cpu_map_entry = SIZE_OF(bpf_cpu_map_entry);
	k->cpu_bulk_queue = SIZE_OF(xdp_bulk_queue);
	k->ptr_ring = SIZE_OF(ptr_ring);
	k->xsk_map = SIZE_OF(xsk_map);
	k->xsk_map_node = SIZE_OF(xsk_map_node);
	k->reuseport_array = SIZE_OF(reuseport_array);
	k->arena = SIZE_OF(bpf_arena);
	k->struct_ops_map = SIZE_OF(bpf_struct_ops_map);
	k->struct_ops_value = SIZE_OF(bpf_struct_ops_value);
	k->lpm_trie = bpf_core_type_size(struct lpm_trie);
	k->lpm_node = bpf_core_type_size(struct lpm_trie_node);
	k->storage_map = bpf_core_type_size(struct bpf_local_storage_map);
	k->storage = bpf_core_type_size(struct bpf_local_storage);
	k->storage_bucket =
		bpf_core_type_size(struct bpf_local_storage_map_bucket);
	k->map = bpf_core_type_size(struct bpf_map);
	k->cgroup_storage_map = SIZE_OF(bpf_cgroup_storage_map);
	k->cgroup_storage = SIZE_OF(bpf_cgroup_storage);
	k->storage_buffer = SIZE_OF(bpf_storage_buffer);
}

/* Fields of struct bpf_map itself are read directly: the iterator's map is
 * a BTF pointer, and a direct load costs far less than a
 * bpf_probe_read_kernel() call (10,000 maps are walked in a few ms). The
 * per-type structs embedding it are reached with BPF_CORE_READ, as the
 * verifier knows the pointer only as a struct bpf_map. */
static __always_inline void fill_map_rec(struct bpf_map *map,
					 struct bpfmem_map_rec *rec)
{
	struct btf *btf = map->btf;

	rec->kaddr = (__u64)map;
	rec->id = map->id;
	rec->type = map->map_type;
	rec->key_size = map->key_size;
	rec->value_size = map->value_size;
	rec->max_entries = map->max_entries;
	rec->map_flags = map->map_flags;
	rec->map_extra = map->map_extra;
	rec->numa_node = map->numa_node;
	rec->btf_id = btf ? btf->id : 0;
	rec->btf_key_type_id = map->btf_key_type_id;
	rec->btf_value_type_id = map->btf_value_type_id;
	rec->btf_vmlinux_value_type_id = map->btf_vmlinux_value_type_id;
	if (map->frozen)
		rec->rec_flags |= BPFMEM_MAP_FROZEN;
	if (!map->usercnt.counter)
		rec->rec_flags |= BPFMEM_MAP_NO_USER_REFS;
	rec->bypass_spec_v1 = map->bypass_spec_v1;
	__builtin_memcpy(rec->name, map->name, sizeof(rec->name));

	if (bpf_core_field_exists(map->objcg)) {
		struct obj_cgroup *objcg = map->objcg;

		if (objcg) {
			/* direct loads too: a helper call a field here was
			 * a tenth of a daemon sample at 10,000 maps */
			struct mem_cgroup *memcg = objcg->memcg;

			rec->memcg_id = memcg->css.cgroup->kn->id;
			rec->rec_flags |= BPFMEM_MAP_HAS_MEMCG;
			/* Removing a memory cgroup hands its objcg to the
			 * parent (memcg_reparent_objcgs()); a living memcg's
			 * own objcg is memcg->objcg. */
			if (memcg->objcg != objcg)
				rec->rec_flags |= BPFMEM_MAP_MEMCG_REPARENTED;
		}
	} else {
		rec->rec_flags |= BPFMEM_MAP_NO_MEMCG_FIELD;
	}

	if (is_htab(rec->type)) {
		struct bpf_htab *htab = (void *)map;

		rec->elem_size = BPF_CORE_READ(htab, elem_size);
		rec->n_buckets = BPF_CORE_READ(htab, n_buckets);
		if (BPF_CORE_READ(htab, extra_elems))
			rec->rec_flags |= BPFMEM_MAP_HTAB_SPARES;
		if (htab_uses_pcount(htab))
			rec->rec_flags |= BPFMEM_MAP_HTAB_PCOUNT;
		if (rec->map_flags & BPF_F_NO_PREALLOC) {
			rec->rec_flags |= BPFMEM_MAP_MEM_ALLOC;
			read_mem_alloc(&htab->ma, rec, BPFMEM_MA_ELEMS);
			read_mem_alloc(&htab->pcpu_ma, rec, BPFMEM_MA_SECOND);
		}
	} else if (is_local_storage(rec->type)) {
		read_local_storage(map, rec);
	}
	fill_other_counts(map, rec);
}

SEC("iter/bpf_map")
int dump_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpfmem_map_rec rec = {};

	/* first, also when there is no map (the call that ends the walk) */
	if (ctx->meta->seq_num == 0) {
		struct bpfmem_map_sizes_rec sizes = {};

		fill_sizes(&sizes.sizes);
		bpf_seq_write(ctx->meta->seq, &sizes, sizeof(sizes));
	}
	if (!map)
		return 0;
	fill_map_rec(map, &rec);
	if (is_htab(rec.type)) {
		/* A constant: libbpf resolves the weak kfunc to its address
		 * or to 0, and the verifier drops the dead branch. */
		if (bpf_map_sum_elem_count) {
			rec.elements = bpf_map_sum_elem_count(map);
			rec.rec_flags |= BPFMEM_MAP_HAS_ELEMENTS |
					 BPFMEM_MAP_COUNT_KFUNC;
		} else if (htab_counts_elements(map)) {
			rec.elements = htab_count((struct bpf_htab *)map);
			rec.rec_flags |= BPFMEM_MAP_HAS_ELEMENTS;
		}
	}
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/* The name of the main function in the program's own BTF: what bpftool
 * prints when aux->name is truncated. Program BTF is never split, so
 * types[] is indexed by type id. */
static __always_inline void read_func_name(struct bpf_prog_aux *aux,
					   char *out)
{
	struct btf *btf = BPF_CORE_READ(aux, btf);
	struct bpf_func_info *fi = BPF_CORE_READ(aux, func_info);
	struct btf_type *t = NULL;
	struct btf_type **types;
	const char *strings;
	__u32 type_id;

	if (!btf || !fi || !BPF_CORE_READ(aux, func_info_cnt))
		return;
	type_id = BPF_CORE_READ(fi, type_id);
	types = BPF_CORE_READ(btf, types);
	bpf_probe_read_kernel(&t, sizeof(t), &types[type_id]);
	strings = BPF_CORE_READ(btf, strings);
	if (!t || !strings)
		return;
	bpf_probe_read_kernel_str(out, BPFMEM_FUNC_NAME_LEN,
				  strings + BPF_CORE_READ(t, name_off));
}

/* BPF_MAX_SUBPROGS in include/linux/bpf_verifier.h */
#define MAX_SUBPROGS 256
/* kernel/bpf/core.c: images are carved from packs in 64-byte chunks, the
 * binary header at the start of the image's first chunk */
#define PROG_CHUNK_SIZE 64
/* distinct packs remembered in one walk */
#define MAX_PACKS 16

/* BPF_PROG_PACK_SIZE: 2 MiB a possible NUMA node on x86; set at load */
const volatile __u64 pack_size = 2 << 20;
const volatile __u32 page_shift = 12;
#define page_size (1ull << page_shift)

/* 6.13+ (commit 04b069ff0181 "mm/bpf: Add bpf_get_kmem_cache() kfunc"):
 * the slab cache of a slab object. Weak, like the kfunc above. */
extern struct kmem_cache *bpf_get_kmem_cache(__u64 addr) __ksym __weak;

/* A program's record and what its loops walk. bpf_loop() callbacks are
 * verified once, where a bounded loop is verified for every turn: the
 * program verifies in a tenth of the time. Kept in a per-CPU array: the
 * record is larger than the stack allows. */
struct prog_walk {
	struct bpfmem_prog_rec rec;
	struct bpf_prog **func;
	struct bpf_map **used_maps;
	__u64 probe;		/* pack search: the lowest mapped page yet */
};

/* bpf_loop() takes its callbacks' context on the stack */
struct walk_ref {
	struct prog_walk *w;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prog_walk);
} prog_scratch SEC(".maps");

/* What one walk of the programs learnt that holds for all of them: the
 * packs found, and a slab whose struct slab and address are both known
 * (see find_slab_pair()). Reset when a walk starts. */
static struct {
	__u64 packs[MAX_PACKS];
	__u32 nr_packs;
	bool pair_tried;
	__u64 pair_slab;	/* struct slab * */
	__u64 pair_addr;	/* its first byte in the direct map */
} walk_state;

static __always_inline bool mapped(__u64 addr)
{
	char c;

	return !bpf_probe_read_kernel(&c, 1, (void *)addr);
}

/* Steps down from the image's page while the page below is mapped: a pack
 * is one vmalloc area, with an unmapped guard page after every area, so the
 * first unmapped page below ends the search. */
static long probe_down(__u64 i, void *data)
{
	struct prog_walk *w = ((struct walk_ref *)data)->w;

	if (!mapped(w->probe - page_size))
		return 1;
	w->probe -= page_size;
	return 0;
}

static __always_inline __u64 known_pack(__u64 hdr)
{
	for (int i = 0; i < MAX_PACKS; i++) {
		__u64 base = walk_state.packs[i & (MAX_PACKS - 1)];

		if (i >= walk_state.nr_packs)
			break;
		if (hdr >= base && hdr < base + pack_size)
			return base;
	}
	return 0;
}

/* The pack holding the image whose binary header is at hdr. */
static __always_inline __u64 pack_of(struct prog_walk *w, __u64 hdr)
{
	__u64 base = known_pack(hdr);
	struct walk_ref ref = { w };
	__u32 n;

	if (base)
		return base;
	w->probe = hdr & ~(page_size - 1);
	bpf_loop((pack_size >> page_shift) - 1, probe_down, &ref, 0);
	base = w->probe;
	n = walk_state.nr_packs;
	if (n < MAX_PACKS) {
		walk_state.packs[n & (MAX_PACKS - 1)] = base;
		walk_state.nr_packs = n + 1;
	}
	return base;
}

static __always_inline void add_image(struct prog_walk *w,
				      struct bpf_prog *img)
{
	struct bpfmem_prog_rec *rec = &w->rec;
	__u64 func = (__u64)BPF_CORE_READ(img, bpf_func);
	__u64 hdr = func & ~(__u64)(PROG_CHUNK_SIZE - 1);
	__u32 size = 0, i, n;
	__u64 base;

	if (!func)
		return;
	bpf_probe_read_kernel(&size, sizeof(size), (void *)hdr);
	n = rec->nr_images++;
	if (n < BPFMEM_PROG_MAX_IMAGES) {
		rec->images[n].addr = hdr;
		rec->images[n].bytes = size;
	} else {
		rec->rec_flags |= BPFMEM_PROG_IMAGES_TRUNCATED;
	}
	if (size > pack_size) {
		/* bpf_prog_pack_alloc(): an allocation of its own */
		rec->image_own_bytes += (size + page_size - 1) &
					~(page_size - 1);
		return;
	}
	base = pack_of(w, hdr);
	n = rec->nr_packs;
	/* indexed by i alone: 6.1's verifier followed an impossible branch
	 * of a separate "n < max" check with contradictory bounds on n */
	for (i = 0; i < BPFMEM_PROG_MAX_PACKS; i++) {
		if (i == n) {
			rec->packs[i].base = base;
			rec->packs[i].bytes = size;
			rec->packs[i].images = 1;
			rec->nr_packs = n + 1;
			return;
		}
		if (rec->packs[i].base == base) {
			rec->packs[i].bytes += size;
			rec->packs[i].images++;
			return;
		}
	}
	rec->rec_flags |= BPFMEM_PROG_PACKS_TRUNCATED;
}

static long add_subprog(__u64 i, void *data)
{
	struct prog_walk *w = ((struct walk_ref *)data)->w;
	struct bpf_prog *sub = NULL;

	bpf_probe_read_kernel(&sub, sizeof(sub), &w->func[i]);
	if (!sub)
		return 0;
	w->rec.bytes_jited += BPF_CORE_READ(sub, jited_len);
	w->rec.sub_pages += BPF_CORE_READ(sub, pages);
	add_image(w, sub);
	return 0;
}

static long add_map_id(__u64 i, void *data)
{
	struct prog_walk *w = ((struct walk_ref *)data)->w;
	struct bpf_map *map = NULL;

	if (i >= BPFMEM_MAX_USED_MAPS)
		return 1;
	bpf_probe_read_kernel(&map, sizeof(map), &w->used_maps[i]);
	w->rec.map_ids[i] = BPF_CORE_READ(map, id);
	w->rec.nr_map_ids = i + 1;
	return 0;
}

/* Looks through the slab caches, from cache on, for a partly used slab:
 * its struct slab and, from its free list, its address. With one such
 * pair, the struct slab of any slab object follows by arithmetic, both
 * the direct map and the struct page array being linear in the page
 * frame number (the page_offset_base and vmemmap_base they would
 * otherwise need are data symbols, out of reach without
 * CONFIG_KALLSYMS_ALL). */
struct pair_search {
	struct kmem_cache *cache;
};

static long try_cache(__u64 i, void *data)
{
	struct pair_search *ps = data;
	struct kmem_cache *c = ps->cache;
	struct kmem_cache_node *node = BPF_CORE_READ(c, node[0]);
	struct list_head *head = &node->partial;
	struct list_head *first = BPF_CORE_READ(node, partial.next);
	struct slab *slab;
	__u64 free, bytes;

	ps->cache = container_of(BPF_CORE_READ(c, list.next),
				 struct kmem_cache, list);
	if (!node || !first || first == head)
		return 0;
	slab = container_of(first, struct slab, slab_list);
	free = (__u64)BPF_CORE_READ(slab, freelist);
	if (!free || BPF_CORE_READ(slab, slab_cache) != c)
		return 0;
	/* OO_SHIFT: the slab's page order is the high half of oo */
	bytes = page_size << (BPF_CORE_READ(c, oo.x) >> 16);
	/* a slab is a naturally aligned block of 2^order pages */
	walk_state.pair_slab = (__u64)slab;
	walk_state.pair_addr = free & ~(bytes - 1);
	return 1;
}

/* The memory cgroup charged for the program's load: that of prog->aux,
 * an accounted slab object allocated with it (bpf_prog_alloc_no_stats()).
 */
static __always_inline void fill_prog_memcg(struct bpf_prog *prog,
					    struct bpfmem_prog_rec *rec)
{
	struct pair_search ps;
	struct kmem_cache *cache;
	struct obj_cgroup *objcg;
	struct mem_cgroup *memcg;
	struct slab *slab;
	__u64 aux = 0, bytes, base, index;
	bool accounted;

	if (!bpf_get_kmem_cache || !slab_has_obj_exts())
		return;
	/* the address as a plain number, which the kfunc takes */
	bpf_probe_read_kernel(&aux, sizeof(aux), &prog->aux);
	cache = bpf_get_kmem_cache(aux);
	if (!cache)
		return;
	if (!walk_state.pair_tried) {
		walk_state.pair_tried = true;
		ps.cache = cache;
		bpf_loop(512, try_cache, &ps, 0);
	}
	if (!walk_state.pair_slab)
		return;
	bytes = page_size << (BPF_CORE_READ(cache, oo.x) >> 16);
	base = aux & ~(bytes - 1);
	slab = (void *)(walk_state.pair_slab +
			((__s64)(base - walk_state.pair_addr) >> page_shift) *
				bpf_core_type_size(struct page));
	/* the arithmetic is checked against the kernel's own link */
	if (BPF_CORE_READ(slab, slab_cache) != cache)
		return;
	index = (aux - base) / BPF_CORE_READ(cache, size);
	objcg = slab_obj_objcg(slab, index, &accounted);
	if (!objcg) {
		if (!accounted)
			rec->rec_flags |= BPFMEM_PROG_MEMCG_ROOT;
		return;
	}
	memcg = BPF_CORE_READ(objcg, memcg);
	rec->memcg_id = BPF_CORE_READ(memcg, css.cgroup, kn, id);
	rec->rec_flags |= BPFMEM_PROG_HAS_MEMCG;
	if (BPF_CORE_READ(memcg, objcg) != objcg)
		rec->rec_flags |= BPFMEM_PROG_MEMCG_REPARENTED;
}

static __always_inline void fill_prog_sizes(struct bpfmem_prog_rec *rec)
{
	rec->sizes.aux = bpf_core_type_size(struct bpf_prog_aux);
	rec->sizes.stats = bpf_core_type_size(struct bpf_prog_stats);
	rec->sizes.func_info = bpf_core_type_size(struct bpf_func_info);
	rec->sizes.func_info_aux = bpf_core_type_size(struct bpf_func_info_aux);
	rec->sizes.line_info = bpf_core_type_size(struct bpf_line_info);
	rec->sizes.poke_desc = bpf_core_type_size(struct bpf_jit_poke_descriptor);
	rec->sizes.kfunc_tab = bpf_core_type_size(struct bpf_kfunc_desc_tab);
	rec->sizes.kfunc_btf_tab = bpf_core_type_size(struct bpf_kfunc_btf_tab);
	rec->sizes.btf_mod_pair = bpf_core_type_size(struct btf_mod_pair);
}

SEC("iter/bpf_prog")
int dump_progs(struct bpf_iter__bpf_prog *ctx)
{
	struct bpf_prog *prog = ctx->prog;
	struct bpfmem_prog_rec *rec;
	struct bpf_prog_aux *aux;
	struct prog_walk *w;
	struct walk_ref ref;
	__u32 zero = 0, n;

	if (ctx->meta->seq_num == 0)
		__builtin_memset(&walk_state, 0, sizeof(walk_state));
	if (!prog)
		return 0;
	w = bpf_map_lookup_elem(&prog_scratch, &zero);
	if (!w)
		return 0;
	__builtin_memset(w, 0, sizeof(*w));
	ref.w = w;
	rec = &w->rec;
	/* the record's own fields by direct loads, not helper calls (as
	 * probe reads, thirty a program were about 4% of a daemon sample's
	 * CPU at 1,000 programs); the walks below still probe */
	aux = prog->aux;

	rec->kaddr = (__u64)prog;
	rec->id = aux->id;
	rec->type = prog->type;
	rec->expected_attach_type = prog->expected_attach_type;
	rec->bytes_xlated = prog->len * 8;
	rec->pages = prog->pages;
	rec->bytes_memlock = (__u64)rec->pages * 4096;
	rec->load_time = aux->load_time;
	rec->uid = aux->user->uid.val;
	rec->btf_id = aux->btf ? aux->btf->id : 0;
	rec->verified_insns = aux->verified_insns;
	if (BPF_CORE_READ_BITFIELD(prog, jited))
		rec->rec_flags |= BPFMEM_PROG_JITED;
	if (BPF_CORE_READ_BITFIELD(prog, gpl_compatible))
		rec->rec_flags |= BPFMEM_PROG_GPL;
	if (prog_sleepable(prog))
		rec->rec_flags |= BPFMEM_PROG_SLEEPABLE;
	__builtin_memcpy(rec->tag, prog->tag, sizeof(rec->tag));
	__builtin_memcpy(rec->name, aux->name, sizeof(rec->name));
	if (rec->name[BPFMEM_OBJ_NAME_LEN - 2])
		read_func_name(aux, rec->func_name);

	rec->used_map_cnt = aux->used_map_cnt;
	rec->used_btf_cnt = aux->used_btf_cnt;
	rec->func_info_cnt = aux->func_info_cnt;
	rec->nr_linfo = aux->nr_linfo;
	rec->size_poke_tab = aux->size_poke_tab;
	rec->stack_depth = aux->stack_depth;
	if (prog->active)
		rec->rec_flags |= BPFMEM_PROG_HAS_ACTIVE;
	if (aux->jited_linfo)
		rec->rec_flags |= BPFMEM_PROG_HAS_JITED_LINFO;
	if (aux->kfunc_tab)
		rec->rec_flags |= BPFMEM_PROG_HAS_KFUNC_TAB;
	if (aux->kfunc_btf_tab)
		rec->rec_flags |= BPFMEM_PROG_HAS_KFUNC_BTF_TAB;
	if (prog_priv_stack(aux))
		rec->rec_flags |= BPFMEM_PROG_HAS_PRIV_STACK;
	fill_prog_sizes(rec);
	rec->image = (__u64)prog->bpf_func;

	/* Same sum as bpf_prog_get_info_by_fd(): the main program's JIT image
	 * is one of aux->func[] when there are subprograms. */
	n = aux->func_cnt;
	rec->func_cnt = n;
	if (!n) {
		rec->bytes_jited = prog->jited_len;
		if (rec->rec_flags & BPFMEM_PROG_JITED)
			add_image(w, prog);
	} else {
		w->func = aux->func;
		bpf_loop(n < MAX_SUBPROGS ? n : MAX_SUBPROGS, add_subprog,
			 &ref, 0);
	}
	w->used_maps = aux->used_maps;
	bpf_loop(rec->used_map_cnt, add_map_id, &ref, 0);
	fill_prog_memcg(prog, rec);

	bpf_seq_write(ctx->meta->seq, rec, sizeof(*rec));
	return 0;
}

/* Names given to anon_inode_getfile() in kernel/bpf/syscall.c and btf.c;
 * a link is "bpf_link" when created by attach, "bpf-link" when opened by id
 * or from a pin. */
static __always_inline __u32 bpf_obj_kind(const char *name)
{
	if (name[0] == 'b' && name[1] == 'p' && name[2] == 'f') {
		if (name[3] == '-' && name[4] == 'm' && name[5] == 'a' &&
		    name[6] == 'p' && name[7] == '\0')
			return BPFMEM_OBJ_MAP;
		if (name[3] == '-' && name[4] == 'p' && name[5] == 'r' &&
		    name[6] == 'o' && name[7] == 'g' && name[8] == '\0')
			return BPFMEM_OBJ_PROG;
		if ((name[3] == '_' || name[3] == '-') && name[4] == 'l' &&
		    name[5] == 'i' &&
		    name[6] == 'n' && name[7] == 'k' && name[8] == '\0')
			return BPFMEM_OBJ_LINK;
	} else if (name[0] == 'b' && name[1] == 't' && name[2] == 'f' &&
		   name[3] == '\0') {
		return BPFMEM_OBJ_BTF;
	}
	return 0;
}

SEC("iter/task_file")
int dump_bpf_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct bpfmem_fd_rec rec = {};
	struct task_struct *leader;
	char name[12] = {};
	const struct qstr *d_name;
	void *obj;

	if (!task || !file)
		return 0;
	/* Only anonymous-inode files can be BPF objects; their dentry name
	 * tells which kind (reading f_op would need data ksyms, which
	 * kernels without CONFIG_KALLSYMS_ALL do not export). This runs for
	 * every open file on the host, so fields are read by direct loads
	 * and a name of another length is never copied: helper calls were
	 * most of a daemon sample's cost at 10,000 held maps. */
	d_name = &file->f_path.dentry->d_name;
	if (d_name->len != 3 && d_name->len != 7 && d_name->len != 8)
		return 0;
	if (bpf_probe_read_kernel(name, 9, d_name->name))
		return 0;
	rec.kind = bpf_obj_kind(name);
	if (!rec.kind)
		return 0;

	obj = file->private_data;
	switch (rec.kind) {
	case BPFMEM_OBJ_MAP:
		rec.id = BPF_CORE_READ((struct bpf_map *)obj, id);
		break;
	case BPFMEM_OBJ_PROG:
		rec.id = BPF_CORE_READ((struct bpf_prog *)obj, aux, id);
		break;
	case BPFMEM_OBJ_LINK:
		rec.id = BPF_CORE_READ((struct bpf_link *)obj, id);
		break;
	case BPFMEM_OBJ_BTF:
		rec.id = BPF_CORE_READ((struct btf *)obj, id);
		break;
	}
	leader = task->group_leader;
	rec.pid = task->tgid;
	rec.fd = ctx->fd;
	bpf_probe_read_kernel(&rec.comm, sizeof(rec.comm), leader->comm);
	rec.memcg_id = task_memcg_id_direct(leader);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/* The attach point of each link type that has one to show. Link structs
 * embed struct bpf_link first. */
static __always_inline void fill_link_target(struct bpf_link *link,
					     struct bpfmem_link_rec *rec)
{
	switch (rec->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT: {
		struct bpf_raw_tp_link *l = (void *)link;

		bpf_probe_read_kernel_str(rec->target_name,
					  sizeof(rec->target_name),
					  BPF_CORE_READ(l, btp, tp, name));
		break;
	}
	case BPF_LINK_TYPE_CGROUP: {
		struct bpf_cgroup_link *l = (void *)link;

		rec->target_id = BPF_CORE_READ(l, cgroup, kn, id);
		break;
	}
	case BPF_LINK_TYPE_ITER: {
		struct bpf_iter_link *l = (void *)link;
		struct cgroup *start = BPF_CORE_READ(l, aux.cgroup.start);

		bpf_probe_read_kernel_str(rec->target_name,
					  sizeof(rec->target_name),
					  BPF_CORE_READ(l, tinfo, reg_info,
							target));
		/* the cgroup a cgroup iterator walks from, or the map a map
		 * element iterator walks */
		if (start)
			rec->target_id = BPF_CORE_READ(start, kn, id);
		else
			rec->target_id = BPF_CORE_READ(l, aux.map, id);
		break;
	}
	case BPF_LINK_TYPE_NETNS: {
		struct bpf_netns_link *l = (void *)link;

		rec->target_id = BPF_CORE_READ(l, net, ns.inum);
		break;
	}
	case BPF_LINK_TYPE_XDP: {
		struct bpf_xdp_link *l = (void *)link;

		rec->target_id = BPF_CORE_READ(l, dev, ifindex);
		break;
	}
	case BPF_LINK_TYPE_TCX:
		rec->target_id = tcx_link_ifindex(link);
		break;
	case BPF_LINK_TYPE_TRACING: {
		struct bpf_prog_aux *aux = BPF_CORE_READ(link, prog, aux);

		rec->target_id = BPF_CORE_READ(aux, attach_btf_id);
		bpf_probe_read_kernel_str(rec->target_name,
					  sizeof(rec->target_name),
					  BPF_CORE_READ(aux, attach_func_name));
		break;
	}
	}
}

SEC("iter/bpf_link")
int dump_links(struct bpf_iter__bpf_link *ctx)
{
	struct bpf_link *link = ctx->link;
	struct bpfmem_link_rec rec = {};

	if (!link)
		return 0;
	rec.kaddr = (__u64)link;
	rec.id = link->id;
	rec.type = link->type;
	rec.prog_id = BPF_CORE_READ(link, prog, aux, id);
	rec.attach_type = link_attach_type(link);
	fill_link_target(link, &rec);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/* Records of the memory cgroup iterator: the cgroup iterator must finish
 * within one read of its 32 KiB seq_file buffer (cgroup_iter_seq_start()),
 * too small for thousands of cgroups, so its records go to an mmapable
 * array sized at load, and their count to memcg_count. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* set at load */
	__type(key, __u32);
	__type(value, struct bpfmem_memcg_rec);
} memcg_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} memcg_count SEC(".maps");

/* The counters memory.usage_in_bytes / memory.current,
 * memory.limit_in_bytes / memory.max and memory.kmem.usage_in_bytes print,
 * for every cgroup below the one the link is attached to: one read instead
 * of files per cgroup. Records past the array's end are counted, not
 * written: the reader sees it was too small. */
SEC("iter/cgroup")
int dump_memcgs(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	struct bpfmem_memcg_rec *rec;
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	__u32 zero = 0, idx, *count;
	int memory;

	count = bpf_map_lookup_elem(&memcg_count, &zero);
	if (!count)
		return 0;
	/* one read() of the iterator is one walk of the hierarchy */
	if (ctx->meta->seq_num == 0)
		*count = 0;
	if (!cgrp ||
	    !bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	/* direct loads where the verifier knows the type, as in the map
	 * iterator: a helper call a field */
	css = cgrp->subsys[memory];
	if (!css)
		return 0;
	/* walks hold cgroup_mutex throughout: no concurrent increment */
	idx = (*count)++;
	rec = bpf_map_lookup_elem(&memcg_out, &idx);
	if (!rec)
		return 0;
	/* css is the first member of struct mem_cgroup, which the verifier
	 * knows as a css: read through probes */
	memcg = (void *)css;
	rec->id = cgrp->kn->id;
	rec->usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	rec->max_pages = BPF_CORE_READ(memcg, memory.max);
	/* CONFIG_MEMCG_V1 only */
	if (bpf_core_field_exists(memcg->kmem)) {
		rec->kmem_pages = BPF_CORE_READ(memcg, kmem.usage.counter);
		rec->has_kmem = 1;
	} else {
		rec->kmem_pages = 0;
		rec->has_kmem = 0;
	}
	rec->online = !!(css->flags & CSS_ONLINE);
	rec->name_addr = (__u64)BPF_CORE_READ(cgrp, kn, name);
	__builtin_memset(rec->name_head, 0, sizeof(rec->name_head));
	bpf_probe_read_kernel_str(rec->name_head, sizeof(rec->name_head) - 1,
				  (const void *)rec->name_addr);
	return 0;
}
