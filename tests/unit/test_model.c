// SPDX-License-Identifier: GPL-2.0
/*
 * The model's arithmetic, maps and programs, on a described machine
 * (model_env.h). Expected figures follow the kernel's allocation paths by
 * hand; tests/accuracy measures the model against the kernel itself.
 */
#include <errno.h>
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "model/model.h"
#include "model/model_prog.h"
#include "model_env.h"

static void kmalloc_rounds_to_classes_then_pages(void **state)
{
	(void)state;
	assert_int_equal(model_kmalloc(&env, 1), 8 + 8);
	assert_int_equal(model_kmalloc(&env, 72), 96 + 8);
	assert_int_equal(model_kmalloc(&env, 832), 1024 + 8);
	assert_int_equal(model_kmalloc(&env, 8192), 8192 + 8);
	/* above the largest class: 2^order pages, no per-object pointer */
	assert_int_equal(model_kmalloc(&env, 8193), 16384);
	assert_int_equal(model_kmalloc(&env, 16384), 16384);
	assert_int_equal(model_kmalloc(&env, 20000), 32768);
}

/* The split three ways must add up. */
static void adds_up(const struct model_bytes *b)
{
	__u64 by_alloc = 0, by_part = 0;

	for (int i = 0; i < MODEL_ALLOC_NR; i++)
		by_alloc += b->alloc[i];
	for (int i = 0; i < MODEL_PART_NR; i++)
		by_part += b->part[i];
	assert_int_equal(by_alloc, model_total(b));
	assert_int_equal(by_part, model_total(b));
}

/* The model's answer for m. */
static struct model_bytes bytes(struct bpfmem_map_rec m)
{
	struct model_bytes b;

	assert_int_equal(model_map_bytes(&env, &m, &b), 0);
	adds_up(&b);
	return b;
}

static void arrays(void **state)
{
	struct model_bytes b;

	(void)state;
	/* 312 + 8: kmalloc-512 */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				      .value_size = 8, .max_entries = 1,
				      .bypass_spec_v1 = true });
	assert_int_equal(b.memcg, 520);
	assert_int_equal(b.root, 0);
	/* 312 + 8 KiB: a large kmalloc of 4 pages */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				      .value_size = 8, .max_entries = 1024,
				      .bypass_spec_v1 = true });
	assert_int_equal(b.memcg, 16384);
	/* without CAP_PERFMON 1000 entries are 1024 */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				      .value_size = 8, .max_entries = 1000 });
	assert_int_equal(b.memcg, 16384);
	/* mmapable: the struct and the values each on whole pages */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				      .value_size = 8, .max_entries = 4096,
				      .map_flags = BPF_F_MMAPABLE,
				      .bypass_spec_v1 = true });
	assert_int_equal(b.memcg, 4096 + 32768);
	/* per-CPU: the pointer array charged, the values to the root cgroup */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_PERCPU_ARRAY,
				      .key_size = 4, .value_size = 8,
				      .max_entries = 1024,
				      .bypass_spec_v1 = true });
	assert_int_equal(b.memcg, 16384);
	assert_int_equal(b.root, 8 * 1024 * 2);
	assert_int_equal(b.alloc[MODEL_PERCPU], 8 * 1024 * 2);
	assert_int_equal(b.part[MODEL_ELEMENTS], 8 * 1024 * 2);
	assert_true(b.reasons & MODEL_R_PERCPU_ROOT);
}

static void preallocated_hashes(void **state)
{
	struct model_bytes b;

	(void)state;
	/* htab 1032 + buckets 16 KiB + (48 + 8 + 8) x (1024 + 2 spares)
	 * vmalloc'd: 17 pages */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_HASH, .key_size = 4,
				      .value_size = 8, .max_entries = 1024,
				      .rec_flags = BPFMEM_MAP_HTAB_SPARES });
	assert_int_equal(b.memcg, 1032 + 16384 + 17 * 4096);
	/* elem_count, free list head, spare pointer per CPU */
	assert_int_equal(b.root, 2 * (8 + 16 + 8));
	/* a hash of maps keeps no spares: 64 x 64 in kmalloc-4k */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_HASH_OF_MAPS,
				      .key_size = 4, .value_size = 4,
				      .max_entries = 64 });
	assert_int_equal(b.memcg, 1032 + 1032 + 4104);
	assert_int_equal(b.root, 2 * (8 + 16));
	/* per-CPU values are the creation's: charged to the root cgroup */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_PERCPU_HASH,
				      .key_size = 4, .value_size = 8,
				      .max_entries = 1024 });
	assert_int_equal(b.memcg, 1032 + 16384 + 16 * 4096);
	assert_int_equal(b.root, 8 * 1024 * 2 + 2 * (8 + 16));
	/* LRU: no spares; per-CPU LRU lists */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_LRU_HASH,
				      .key_size = 4, .value_size = 8,
				      .max_entries = 16384,
				      .map_flags = BPF_F_NO_COMMON_LRU });
	assert_int_equal(b.root, 2 * (8 + 128));
}

static void hashes_without_prealloc_grow_with_elements(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_HASH, .key_size = 4,
			       .value_size = 8, .max_entries = 1024,
			       .map_flags = BPF_F_NO_PREALLOC,
			       .rec_flags = BPFMEM_MAP_HAS_ELEMENTS };
	struct model_bytes empty, full;

	(void)state;
	empty = bytes(m);
	m.elements = 1024;
	full = bytes(m);
	/* each element a 72-byte unit in kmalloc-96, with its pointer */
	assert_int_equal(full.memcg - empty.memcg, 1024 * 104);
	/* the count unknown: not modelled */
	m.rec_flags = 0;
	assert_int_equal(model_map_bytes(&env, &m, &full), -EOPNOTSUPP);
}

/* What bpf_mem_alloc keeps free, as the iterator counted it on every
 * CPU, is charged at the unit's size class. */
static void hashes_without_prealloc_count_the_allocator_cache(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_HASH, .key_size = 4,
			       .value_size = 8, .max_entries = 1024,
			       .map_flags = BPF_F_NO_PREALLOC, .elements = 100,
			       .rec_flags = BPFMEM_MAP_HAS_ELEMENTS |
					    BPFMEM_MAP_HAS_CACHE |
					    BPFMEM_MAP_HTAB_PCOUNT,
			       .cached = { 300 }, .cache_unit = { 72 } };
	struct model_bytes b;

	(void)state;
	b = bytes(m);
	/* struct, 4-page buckets, elements and cache in kmalloc-96 */
	assert_int_equal(b.memcg, 1032 + 16384 + 100 * 104 + 300 * 104);
	assert_int_equal(b.part[MODEL_CACHE], 300 * 104);
	/* counters and the per-CPU bpf_mem_cache, at creation */
	assert_int_equal(b.root, 2 * (8 + 4) + 2 * 208);
	assert_true(b.reasons & MODEL_R_ALLOC_CACHE);
	/* per-CPU values: two allocators; a cached value is its copy on
	 * every CPU with memcg pointers (8 x 2 + 8 / 4 x 8) and its
	 * 16-byte holder in kmalloc-16 */
	m.type = BPF_MAP_TYPE_PERCPU_HASH;
	m.elements = 10;
	m.cached[0] = 5;
	m.cache_unit[0] = 72;
	m.cached[1] = 7;
	m.cache_unit[1] = 8;
	m.rec_flags &= ~BPFMEM_MAP_HTAB_PCOUNT;
	b = bytes(m);
	assert_int_equal(b.part[MODEL_CACHE], 5 * 104 + 7 * (32 + 24));
	assert_int_equal(b.part[MODEL_ELEMENTS], 10 * (104 + 32 + 24));
	assert_int_equal(b.root, 2 * 8 + 2 * 2 * 208);
	/* not counted: the prefill stands in, 4 units a CPU */
	m.rec_flags &= ~BPFMEM_MAP_HAS_CACHE;
	b = bytes(m);
	assert_int_equal(b.part[MODEL_CACHE], 8 * 104 + 8 * (32 + 24));
}

static void lpm_tries_count_intermediate_nodes(void **state)
{
	/* 4 data bytes: a node is 24 + 4, a leaf 8 more */
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_LPM_TRIE, .key_size = 8,
			       .value_size = 8, .max_entries = 4096,
			       .map_flags = BPF_F_NO_PREALLOC,
			       .elements = 4096, .nodes = 8191, .cached = { 10 },
			       .cache_unit = { 44 },
			       .rec_flags = BPFMEM_MAP_HAS_ELEMENTS |
					    BPFMEM_MAP_HAS_NODES |
					    BPFMEM_MAP_MEM_ALLOC |
					    BPFMEM_MAP_HAS_CACHE };
	struct model_bytes b;

	(void)state;
	/* 6.13+: every node a 44-byte unit in kmalloc-64 */
	b = bytes(m);
	assert_int_equal(b.memcg, 520 + (4096 + 4095 + 10) * 72);
	assert_int_equal(b.part[MODEL_BUCKETS], 4095 * 72);
	assert_int_equal(b.root, 2 * 208);
	/* before: kmalloc'd, intermediate nodes without a value */
	m.rec_flags = BPFMEM_MAP_HAS_ELEMENTS | BPFMEM_MAP_HAS_NODES;
	b = bytes(m);
	assert_int_equal(b.memcg, 520 + 4096 * 72 + 4095 * 40);
	assert_int_equal(b.root, 0);
	/* the entries unknown: not modelled */
	m.rec_flags = 0;
	assert_int_equal(model_map_bytes(&env, &m, &b), -EOPNOTSUPP);
}

static void local_storages_count_elements_and_storages(void **state)
{
	/* 64-byte values: 136-byte elements; 2 buckets of 16 bytes */
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_TASK_STORAGE,
			       .key_size = 4, .value_size = 64,
			       .map_flags = BPF_F_NO_PREALLOC,
			       .elem_size = 136, .n_buckets = 2,
			       .elements = 16, .nodes = 16,
			       .cached = { 20, 30 }, .cache_unit = { 144, 184 },
			       .rec_flags = BPFMEM_MAP_HAS_ELEMENTS |
					    BPFMEM_MAP_HAS_NODES |
					    BPFMEM_MAP_MEM_ALLOC |
					    BPFMEM_MAP_HAS_CACHE };
	struct model_bytes b;

	(void)state;
	/* from bpf_mem_alloc: elements and storages in kmalloc-192 */
	b = bytes(m);
	assert_int_equal(b.memcg, 520 + (16 + 16 + 20 + 30) * 200);
	/* buckets charged while no memcg is set; two per-CPU caches */
	assert_int_equal(b.root, 40 + 2 * 2 * 208);
	/* kmalloc'd: the same classes, nothing cached */
	m.type = BPF_MAP_TYPE_SK_STORAGE;
	m.rec_flags = BPFMEM_MAP_HAS_ELEMENTS | BPFMEM_MAP_HAS_NODES;
	b = bytes(m);
	assert_int_equal(b.memcg, 520 + (16 + 16) * 200);
	assert_int_equal(b.root, 40);
}

static void cgroup_storages_one_a_cgroup(void **state)
{
	/* 100 cgroups with a program using the map attached */
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_CGROUP_STORAGE,
			       .key_size = 16, .value_size = 8,
			       .elements = 100,
			       .rec_flags = BPFMEM_MAP_HAS_ELEMENTS };
	struct model_bytes b;

	(void)state;
	/* the map struct in kmalloc-512; a 104-byte storage in kmalloc-128
	 * and its 24-byte buffer in kmalloc-32, each with its memcg pointer */
	b = bytes(m);
	assert_int_equal(b.memcg, 520 + 100 * (136 + 40));
	assert_int_equal(b.root, 0);
	assert_int_equal(b.part[MODEL_ELEMENTS], 100 * 40);
	assert_true(b.reasons & MODEL_R_CGROUP_STORAGES);
	/* per-CPU: 8 bytes on each of 2 CPUs and a memcg pointer per 4 bytes */
	m.type = BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
	b = bytes(m);
	assert_int_equal(b.memcg, 520 + 100 * (136 + 16 + 16));
	assert_int_equal(b.alloc[MODEL_PERCPU], 100 * 32);
	/* no program attached: the map struct alone */
	m.elements = 0;
	b = bytes(m);
	assert_int_equal(b.memcg, 520);
	assert_false(b.reasons & MODEL_R_CGROUP_STORAGES);
	/* the storages not counted: not modelled */
	m.rec_flags = 0;
	assert_int_equal(model_map_bytes(&env, &m, &b), -EOPNOTSUPP);
}

static void unknown_types_are_not_modelled(void **state)
{
	struct bpfmem_map_rec m = { .type = 999, .key_size = 16,
			       .value_size = 8 };
	struct model_bytes b;

	(void)state;
	assert_int_equal(model_map_bytes(&env, &m, &b), -EOPNOTSUPP);
}

static const struct bpfmem_prog_sizes s618 = {
	.aux = 1304, .stats = 32, .func_info = 8, .func_info_aux = 8,
	.line_info = 16, .poke_desc = 64, .kfunc_tab = 6160,
	.kfunc_btf_tab = 4104, .btf_mod_pair = 16,
};

static struct model_bytes prog_bytes(struct bpfmem_prog_rec r)
{
	struct model_bytes b;

	r.sizes = s618;
	assert_int_equal(model_prog_bytes(&env, &r, &b), 0);
	adds_up(&b);
	return b;
}

static void small_program(void **state)
{
	struct model_bytes b = prog_bytes((struct bpfmem_prog_rec){
		.pages = 1, .rec_flags = BPFMEM_PROG_HAS_ACTIVE,
		.nr_images = 1, .nr_packs = 1,
		.packs = { { .base = 1 << 21, .bytes = 128, .images = 1 } },
	});

	(void)state;
	/* a page of insns, aux in kmalloc-2k with its memcg pointer, stats
	 * (32 B) and active (4 B) on 2 CPUs with a pointer a 4-byte unit */
	assert_int_equal(b.memcg, 4096 + 2048 + 8 + (64 + 64) + (8 + 8));
	/* the JIT chunks, in a pack nobody is charged for */
	assert_int_equal(b.root, 128);
	assert_int_equal(b.part[MODEL_PROG_JIT], 128);
	assert_int_equal(b.alloc[MODEL_PERCPU], 144);
	assert_true(b.reasons & MODEL_R_JIT_PACK);
}

static void subprograms_and_btf_info(void **state)
{
	struct model_bytes b = prog_bytes((struct bpfmem_prog_rec){
		.pages = 2, .sub_pages = 3, .func_cnt = 3,
		.func_info_cnt = 3, .nr_linfo = 100,
		.rec_flags = BPFMEM_PROG_HAS_JITED_LINFO,
		.used_map_cnt = 2,
		.nr_images = 3, .image_own_bytes = 0, .nr_packs = 1,
		.packs = { { .base = 1 << 21, .bytes = 640, .images = 3 } },
	});

	(void)state;
	assert_int_equal(b.part[MODEL_PROG_IMAGE], 5 * 4096);
	/* aux of the program and of each of 3 subprograms, stats, 2 map
	 * pointers in kmalloc-16 */
	assert_int_equal(b.part[MODEL_PROG_AUX], 4 * 2056 + 128 + 24);
	/* func_info and its aux (24 B each, kmalloc-32), line info (1600 B,
	 * kmalloc-2k), charged; jited_linfo (800 B, kmalloc-1k) not */
	assert_int_equal(b.part[MODEL_PROG_BTF_INFO],
			 2 * 40 + 2056 + 1024);
	assert_int_equal(b.root, 1024 + 640);
}

static void programs_need_the_record(void **state)
{
	struct bpfmem_prog_rec r = { .sizes = s618 };
	struct model_bytes b;

	(void)state;
	assert_int_equal(model_prog_bytes(&env, &r, &b), -EOPNOTSUPP);
}

/* The model's answer where it must have none. */
static void not_modelled(struct bpfmem_map_rec m)
{
	struct model_bytes b;

	assert_int_equal(model_map_bytes(&env, &m, &b), -EOPNOTSUPP);
}

static void arrays_of_fds_and_maps(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
				    .key_size = 4, .value_size = 4,
				    .max_entries = 64, .bypass_spec_v1 = true };
	struct model_bytes b;

	(void)state;
	/* 312 + 64 pointers: kmalloc-1k */
	b = bytes(m);
	assert_int_equal(model_total(&b), 1032);
	m.type = BPF_MAP_TYPE_ARRAY_OF_MAPS;
	b = bytes(m);
	assert_int_equal(model_total(&b), 1032);
	/* prog_array's poke descriptors: 88 bytes in kmalloc-96 */
	m.type = BPF_MAP_TYPE_PROG_ARRAY;
	b = bytes(m);
	assert_int_equal(model_total(&b), 1032 + 104);
	assert_int_equal(b.part[MODEL_METADATA], 104);
}

static void stack_traces(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_STACK_TRACE,
				    .key_size = 4, .value_size = 1016,
				    .max_entries = 1000, .n_buckets = 1024 };
	struct model_bytes b;

	(void)state;
	b = bytes(m);
	/* 320 + 1024 bucket pointers: a large kmalloc of 4 pages; then
	 * (16 + 1016) x 1000 vmalloc'd; the free list heads per CPU */
	assert_int_equal(b.memcg, 16384 + 252 * 4096);
	assert_int_equal(b.root, 2 * 16);
	assert_int_equal(b.part[MODEL_BUCKETS], 16384);
	assert_true(b.reasons & MODEL_R_POW2);
	m.n_buckets = 0;
	not_modelled(m);
}

static void bloom_filters(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_BLOOM_FILTER,
				    .value_size = 8, .max_entries = 65536,
				    .map_extra = 3 };
	struct model_bytes b;

	(void)state;
	not_modelled(m);
	/* 2^19 bits: 312 + 64 KiB vmalloc'd, 17 pages */
	m.bitset_mask = (1u << 19) - 1;
	b = bytes(m);
	assert_int_equal(model_total(&b), 17 * 4096);
	/* the smallest bit array: 64 bits, with the struct in kmalloc-512 */
	m.bitset_mask = 63;
	b = bytes(m);
	assert_int_equal(model_total(&b), 512 + 8);
}

static void ring_buffers(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_RINGBUF,
				    .max_entries = 256 << 10 };
	struct model_bytes b;

	(void)state;
	not_modelled(m);
	/* 64 data pages and 3 more; the struct in kmalloc-512; 131 page
	 * pointers in kmalloc-2k */
	m.pages = 67;
	m.rec_flags = BPFMEM_MAP_HAS_PAGES;
	b = bytes(m);
	assert_int_equal(model_total(&b), 67 * 4096 + 520 + 2056);
	assert_int_equal(b.alloc[MODEL_PAGES], 67 * 4096);
	m.type = BPF_MAP_TYPE_USER_RINGBUF;
	b = bytes(m);
	assert_int_equal(model_total(&b), 67 * 4096 + 520 + 2056);
}

static void sockets_and_devices(void **state)
{
	struct model_bytes b;

	(void)state;
	/* struct and 64 pointers, both in kmalloc-512 */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_SOCKMAP,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 64, .elements = 64,
					   .rec_flags = BPFMEM_MAP_HAS_ELEMENTS });
	assert_int_equal(model_total(&b), 2 * 520);
	/* sockhash: buckets in kmalloc-1k, 56-byte elements in kmalloc-64 */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_SOCKHASH,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 64, .n_buckets = 64,
					   .elem_size = 56, .elements = 32,
					   .rec_flags = BPFMEM_MAP_HAS_ELEMENTS });
	assert_int_equal(model_total(&b), 520 + 1032 + 32 * 72);
	not_modelled((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_SOCKHASH,
					      .max_entries = 64, .n_buckets = 64,
					      .elem_size = 56 });
	/* devmaps: a 64-byte entry per device */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_DEVMAP,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 64, .elements = 32,
					   .rec_flags = BPFMEM_MAP_HAS_ELEMENTS });
	assert_int_equal(model_total(&b), 520 + 520 + 32 * 72);
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_DEVMAP_HASH,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 60, .n_buckets = 64,
					   .elements = 32,
					   .rec_flags = BPFMEM_MAP_HAS_ELEMENTS });
	assert_int_equal(model_total(&b), 520 + 520 + 32 * 72);
	assert_true(b.reasons & MODEL_R_POW2);
	not_modelled((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_DEVMAP,
					      .max_entries = 64 });
	/* xskmap: struct and pointers in kmalloc-1k, 32-byte nodes */
	b = bytes((struct bpfmem_map_rec){ .type = BPF_MAP_TYPE_XSKMAP,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 64, .elements = 3,
					   .rec_flags = BPFMEM_MAP_HAS_ELEMENTS });
	assert_int_equal(model_total(&b), 1032 + 3 * 40);
	/* reuseport: 296 + 16 pointers in kmalloc-512 */
	b = bytes((struct bpfmem_map_rec){ .type =
						   BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 16 });
	assert_int_equal(model_total(&b), 520);
}

static void cpumaps(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_CPUMAP, .key_size = 4,
				    .value_size = 4, .max_entries = 64,
				    .elements = 2,
				    .rec_flags = BPFMEM_MAP_HAS_ELEMENTS };
	struct model_bytes b;

	(void)state;
	b = bytes(m);
	/* per entry: the entry in kmalloc-512, the ptr_ring in kmalloc-192,
	 * the bulk queue on each CPU with a memcg pointer per 4 bytes */
	assert_int_equal(b.memcg, 2 * 520 + 2 * (520 + 200 + 2 * 96 + 24 * 8));
	assert_int_equal(b.root, 0);
	assert_int_equal(b.alloc[MODEL_PERCPU], 2 * (2 * 96 + 24 * 8));
}

static void arenas(void **state)
{
	struct bpfmem_map_rec m = { .type = 33 /* BPF_MAP_TYPE_ARENA */,
				    .max_entries = 256,
				    .map_flags = BPF_F_MMAPABLE };
	struct model_bytes b;

	(void)state;
	not_modelled(m);
	m.pages = 128;
	m.rec_flags = BPFMEM_MAP_HAS_PAGES;
	b = bytes(m);
	assert_int_equal(model_total(&b), 520 + 128 * 4096);
	assert_int_equal(b.part[MODEL_ELEMENTS], 128 * 4096);
}

static void struct_ops_maps(void **state)
{
	struct bpfmem_map_rec m = { .type = BPF_MAP_TYPE_STRUCT_OPS,
				    .key_size = 4, .value_size = 256,
				    .max_entries = 1 };
	struct model_bytes b;

	(void)state;
	/* the kernel without a count of function pointers */
	not_modelled(m);
	/* tcp_congestion_ops: 512 + 256 - 64 in kmalloc-1k, the user's value
	 * in kmalloc-256, 13 links and 13 ksyms in kmalloc-128 each */
	m.funcs_cnt = 13;
	b = bytes(m);
	assert_int_equal(model_total(&b), 1032 + 264 + 136 + 136);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kmalloc_rounds_to_classes_then_pages),
		cmocka_unit_test(arrays),
		cmocka_unit_test(preallocated_hashes),
		cmocka_unit_test(hashes_without_prealloc_grow_with_elements),
		cmocka_unit_test(hashes_without_prealloc_count_the_allocator_cache),
		cmocka_unit_test(lpm_tries_count_intermediate_nodes),
		cmocka_unit_test(local_storages_count_elements_and_storages),
		cmocka_unit_test(cgroup_storages_one_a_cgroup),
		cmocka_unit_test(unknown_types_are_not_modelled),
		cmocka_unit_test(small_program),
		cmocka_unit_test(subprograms_and_btf_info),
		cmocka_unit_test(programs_need_the_record),
		cmocka_unit_test(arrays_of_fds_and_maps),
		cmocka_unit_test(stack_traces),
		cmocka_unit_test(bloom_filters),
		cmocka_unit_test(ring_buffers),
		cmocka_unit_test(sockets_and_devices),
		cmocka_unit_test(cpumaps),
		cmocka_unit_test(arenas),
		cmocka_unit_test(struct_ops_maps),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
