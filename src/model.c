// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "fdinfo.h"
#include "model.h"

/* mm/memcontrol.c obj_full_size(): each accounted slab object carries a
 * pointer to its obj_cgroup. */
#define OBJCG_PTR 8
/* include/linux/llist.h: bpf_mem_alloc puts one before each unit. */
#define LLIST_NODE 8
/* kernel/bpf/syscall.c __bpf_map_area_alloc(): kmalloc up to
 * PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER, vmalloc above. */
#define COSTLY_ORDER 3

static int count_cpus(const char *list)
{
	int n = 0;

	while (*list && *list != '\n') {
		char *end;
		long a = strtol(list, &end, 10), b = a;

		if (end == list)
			return -EINVAL;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b - a + 1;
		list = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The accounted kmalloc caches: kmalloc-cg-<size>, their object sizes. */
static int read_classes(struct model_env *env)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && env->nr_classes < MODEL_MAX_CLASSES) {
		char path[512], *text;
		unsigned long size;

		if (strncmp(e->d_name, "kmalloc-cg-", 11))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/object_size",
			 e->d_name);
		text = read_text_file(path);
		if (!text)
			continue;
		size = strtoul(text, NULL, 10);
		free(text);
		if (size)
			env->classes[env->nr_classes++] = size;
	}
	closedir(d);
	qsort(env->classes, env->nr_classes, sizeof(*env->classes), cmp_u32);
	return env->nr_classes ? 0 : -ENOENT;
}

int model_env_init(struct model_env *env)
{
	char *possible = read_text_file("/sys/devices/system/cpu/possible");
	int cpus;

	*env = (struct model_env){ .page_size = sysconf(_SC_PAGESIZE) };
	if (!possible)
		return -errno;
	cpus = count_cpus(possible);
	free(possible);
	if (cpus <= 0)
		return -EINVAL;
	env->possible_cpus = cpus;
	return read_classes(env);
}

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

/* bpf_map_area_alloc(): kmalloc, or vmalloc'd pages (each charged; the
 * array of page pointers is not). */
static __u64 area(const struct model_env *env, __u64 size)
{
	if (size <= (__u64)env->page_size << COSTLY_ORDER)
		return model_kmalloc(env, size);
	return round_up(size, env->page_size);
}

static void array_bytes(const struct model_env *env,
			const struct bpfmem_kernel_sizes *k,
			const struct model_map *m, struct model_bytes *out)
{
	__u64 elem = round_up(m->value_size, 8);
	/* without CAP_PERFMON the array is sized to a power of two, so that
	 * index masking keeps speculation inside it */
	__u64 n = m->bypass_spec_v1 ? m->max_entries : pow2_up(m->max_entries);

	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		out->memcg = area(env, k->array + n * sizeof(__u64));
		out->nobody = elem * n * env->possible_cpus;
	} else if (m->map_flags & BPF_F_MMAPABLE) {
		/* bpf_map_area_mmapable_alloc(): always vmalloc, values on
		 * their own pages */
		out->memcg = round_up(k->array, env->page_size) +
			     round_up(elem * n, env->page_size);
	} else {
		out->memcg = area(env, k->array + elem * n);
	}
}

/* bpf_mem_alloc keeps a few free objects per CPU from the start
 * (prefill_mem_cache(): 4 of units up to 256 bytes, else 1). */
static __u64 prefill(const struct model_env *env, __u64 unit)
{
	return env->possible_cpus * (unit <= 256 ? 4 : 1);
}

/* What htab_map_alloc() allocates per CPU besides values, before the
 * map's memcg is known: the element counter (s64) and the percpu_counter
 * (s32) of every hash map, then the free list heads of a preallocated
 * one and its spare element pointers, the LRU lists, or the
 * bpf_mem_alloc caches (one more for per-CPU values). */
static __u64 htab_percpu_state(const struct model_env *env,
			       const struct bpfmem_kernel_sizes *k,
			       const struct model_map *m, bool percpu, bool lru,
			       bool prealloc)
{
	__u64 per_cpu = sizeof(__s64) + sizeof(__s32);

	if (lru)
		per_cpu += m->map_flags & BPF_F_NO_COMMON_LRU ? k->lru_list :
							       k->lru_locallist;
	else if (prealloc)
		per_cpu += k->freelist_head + (percpu ? 0 : sizeof(void *));
	else
		per_cpu += k->mem_cache * (percpu ? 2 : 1);
	return per_cpu * env->possible_cpus;
}

static int htab_bytes(const struct model_env *env,
		      const struct bpfmem_kernel_sizes *k,
		      const struct model_map *m, struct model_bytes *out)
{
	bool percpu = m->type == BPF_MAP_TYPE_PERCPU_HASH ||
		      m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool lru = m->type == BPF_MAP_TYPE_LRU_HASH ||
		   m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool prealloc = lru || !(m->map_flags & BPF_F_NO_PREALLOC);
	__u64 value = round_up(m->value_size, 8);
	__u64 elem = k->htab_elem + round_up(m->key_size, 8) +
		     (percpu ? sizeof(__u64) : value);

	out->memcg = model_kmalloc(env, k->htab) +
		     area(env, pow2_up(m->max_entries) * k->bucket);
	out->nobody = htab_percpu_state(env, k, m, percpu, lru, prealloc);
	if (prealloc) {
		/* plain hash maps keep one spare element per CPU for
		 * updates (alloc_extra_elems()) */
		__u64 n = m->max_entries +
			  (!percpu && !lru ? env->possible_cpus : 0);

		out->memcg += area(env, elem * n);
		/* per-CPU values are allocated before the map's memcg is
		 * known: charged to nobody */
		if (percpu)
			out->nobody += value * m->max_entries *
				       env->possible_cpus;
		return 0;
	}
	if (!m->has_elements)
		return -EOPNOTSUPP;
	/* elements from bpf_mem_alloc, each unit behind an llist node */
	out->memcg += (m->elements + prefill(env, elem + LLIST_NODE)) *
		      model_kmalloc(env, elem + LLIST_NODE);
	if (percpu) {
		/* per-CPU values from their own bpf_mem_alloc: the value on
		 * every CPU with its memcg pointers (pcpu_obj_full_size()),
		 * and a kmalloc'd holder of the per-CPU pointer */
		__u64 pcpu = value * env->possible_cpus + value / 4 * OBJCG_PTR;

		out->memcg += (m->elements + env->possible_cpus) *
			      (pcpu + model_kmalloc(env, 2 * sizeof(__u64)));
	}
	return 0;
}

int model_map_bytes(const struct model_env *env,
		    const struct bpfmem_kernel_sizes *k, const struct model_map *m,
		    struct model_bytes *out)
{
	*out = (struct model_bytes){};
	switch (m->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		array_bytes(env, k, m, out);
		return 0;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		/* one slot more than max_entries tells full from empty */
		out->memcg = area(env, k->queue_stack +
					       ((__u64)m->max_entries + 1) *
						       m->value_size);
		return 0;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return htab_bytes(env, k, m, out);
	default:
		return -EOPNOTSUPP;
	}
}
