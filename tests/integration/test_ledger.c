// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger of `bpfmem maps --json` for every map type the kernel
 * creates: the fixture (one map of each type, filled) runs in a fresh
 * memory cgroup; each map must carry bytes_real, bytes_real_charged,
 * bytes_real_root, bytes_modelled, breakdown and reasons, and for the
 * types the model covers they must add up, hold at least the payload the
 * kernel's own map info says the map has, carry fdinfo's memlock, and
 * give a reason wherever real differs from memlock. The maps' charged
 * bytes together cannot exceed the cgroup's kernel memory counter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"
#include "base/memcg.h"

#define PAGE 4096ULL
#define ROUND8(x) (((__u64)(x) + 7) & ~7ULL)

struct world {
	char root[256];		/* memory hierarchy mount */
	int v2;
	char rel[128];		/* our cgroup, relative */
	struct fixture fx;
};

/* The types whose real bytes the model has a figure for: every one must
 * have them when the kernel can create it. */
static const char *const covered[] = {
	"hash", "percpu_hash", "lru_hash", "lru_percpu_hash", "array",
	"percpu_array", "prog_array", "perf_event_array", "cgroup_array",
	"array_of_maps", "stack_trace", "queue", "stack", "bloom_filter",
	"ringbuf", "user_ringbuf", "sockmap", "sockhash", "devmap",
	"devmap_hash", "cpumap", "xskmap", "reuseport_sockarray", "arena",
	"struct_ops", "cgroup_storage", "percpu_cgroup_storage",
};

static bool is_covered(const char *type)
{
	for (size_t i = 0; i < sizeof(covered) / sizeof(*covered); i++)
		if (!strcmp(type, covered[i]))
			return true;
	return false;
}

static int setup(void **state)
{
	static char *fill[] = { "--fill", NULL };
	struct world *w = calloc(1, sizeof(*w));
	struct memcg_table t;
	char path[600];

	if (!w || memcg_table_init(&t)) {
		print_error("no memory controller\n");
		return -1;
	}
	snprintf(w->root, sizeof(w->root), "%s", t.root);
	w->v2 = t.v2;
	memcg_table_free(&t);
	snprintf(w->rel, sizeof(w->rel), "/bpfmem-test-ledger-%d", getpid());
	snprintf(path, sizeof(path), "%s%s", w->root, w->rel);
	if (mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", w->root, w->rel);
	if (fixture_start_in(&w->fx, fill, path))
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char path[600];

	if (w->fx.pid)
		fixture_stop(&w->fx);
	snprintf(path, sizeof(path), "%s%s", w->root, w->rel);
	rmdir(path);
	free(w);
	return 0;
}

/* The kernel's kernel-memory counter of our cgroup. */
static __u64 kmem_usage(const struct world *w)
{
	char path[600], line[256];
	__u64 v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s/%s", w->root, w->rel,
		 w->v2 ? "memory.stat" : "memory.kmem.usage_in_bytes");
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!w->v2) {
			v = strtoull(line, NULL, 10);
			break;
		}
		if (sscanf(line, "kernel %llu", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

/* memlock from the map's fdinfo, and the kernel's map info. */
static __u64 fdinfo_memlock(__u32 id, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	char path[64], line[128];
	unsigned long long v = 0;
	int fd = bpf_map_get_fd_by_id(id);
	FILE *f;

	assert_true(fd >= 0);
	memset(info, 0, sizeof(*info));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, info, &len), 0);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "memlock: %llu", &v);
	fclose(f);
	close(fd);
	return v;
}

/* What the map must hold at the least, from the kernel's map info and
 * what the fixture inserted: values, slots, pages. */
static __u64 payload(const char *type, const struct bpf_map_info *i,
		     __u64 elements, __u64 ncpus)
{
	if (!strcmp(type, "array"))
		return ROUND8(i->value_size) * i->max_entries;
	if (!strcmp(type, "percpu_array"))
		return ROUND8(i->value_size) * i->max_entries * ncpus;
	if (!strcmp(type, "hash") || !strcmp(type, "lru_hash"))
		return (__u64)(i->key_size + i->value_size) *
		       (i->map_flags & BPF_F_NO_PREALLOC ? elements :
							   i->max_entries);
	if (!strcmp(type, "percpu_hash") || !strcmp(type, "lru_percpu_hash"))
		return ROUND8(i->value_size) * ncpus * i->max_entries;
	if (!strcmp(type, "queue") || !strcmp(type, "stack"))
		return (__u64)i->value_size * (i->max_entries + 1);
	if (!strcmp(type, "stack_trace"))
		return (__u64)i->value_size * i->max_entries;
	if (!strcmp(type, "bloom_filter"))
		return i->max_entries / 8;	/* a bit an entry at least */
	if (!strcmp(type, "ringbuf") || !strcmp(type, "user_ringbuf"))
		return i->max_entries;		/* the data pages */
	if (!strcmp(type, "arena"))
		return elements * PAGE;		/* the pages touched */
	if (!strcmp(type, "struct_ops"))
		return i->value_size;		/* the kernel's copy */
	/* arrays of pointers: a slot or bucket head each */
	return 8ULL * i->max_entries;
}

static void every_map_type_carries_the_ledger(void **state)
{
	static const char *const keys[] = {
		"bytes_real", "bytes_real_charged", "bytes_real_root",
		"bytes_modelled", "breakdown", "reasons",
	};
	static const char *const allocs[] = { "slab", "vmalloc", "percpu",
					      "pages" };
	static const char *const parts[] = { "elements", "buckets",
					     "allocator_cache", "metadata" };
	struct world *w = *state;
	char *argv[] = { BPFMEM, "maps", "--json", NULL };
	json_object *maps = run_json(argv), *objs = w->fx.objects;
	__u64 ncpus = libbpf_num_possible_cpus(), charged = 0, kmem;
	int seen = 0;

	kmem = kmem_usage(w);
	for (size_t k = 0; k < json_object_array_length(objs); k++) {
		json_object *o = json_object_array_get_idx(objs, k), *m;
		const char *type = jget_str(o, "type");
		struct bpf_map_info info;
		__u64 real, memlock, alloc_sum = 0, part_sum = 0, least;

		if (strcmp(jget_str(o, "kind"), "map"))
			continue;
		m = json_find_id(maps, jget_u64(o, "id"));
		assert_non_null(m);
		assert_string_equal(jget_str(m, "type"), type);
		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (!json_object_object_get_ex(m, keys[i], NULL)) {
				print_error("%s: no %s\n", type, keys[i]);
				fail();
			}
		memlock = fdinfo_memlock(jget_u64(o, "id"), &info);
		assert_int_equal(jget_u64(m, "bytes_memlock"), memlock);
		if (!is_covered(type))
			continue;
		/* before 6.13 a struct_ops map's links are per member and the
		 * model has no figure (bpf/core_fixes.bpf.h) */
		if (!strcmp(type, "struct_ops") &&
		    !kernel_struct_has("bpf_struct_ops_map", "ksyms")) {
			assert_null(jget(m, "bytes_real"));
			continue;
		}
		if (!jget(m, "bytes_real") || !jget(m, "breakdown")) {
			print_error("%s: bytes_real is null\n", type);
			fail();
		}
		real = jget_u64(m, "bytes_real");
		assert_int_equal(real, jget_u64(m, "bytes_real_charged") +
					       jget_u64(m, "bytes_real_root"));
		assert_int_equal(jget_u64(m, "bytes_modelled"), real);
		for (size_t i = 0; i < 4; i++) {
			alloc_sum += jget_u64(jget(m, "breakdown"), allocs[i]);
			part_sum += jget_u64(jget(m, "breakdown"), parts[i]);
		}
		least = payload(type, &info, jget_u64(o, "elements"), ncpus);
		if (alloc_sum != real || part_sum != real || real < least ||
		    (real != memlock &&
		     !json_object_array_length(jget(m, "reasons")))) {
			print_error("%s: real %llu, allocators %llu, parts %llu, "
				    "payload at least %llu, memlock %llu: %s\n",
				    type, real, alloc_sum, part_sum, least,
				    memlock, json_object_to_json_string(m));
			fail();
		}
		charged += jget_u64(m, "bytes_real_charged");
		seen++;
	}
	/* every covered type was created, or the kernel refused it (a
	 * skip record names why) */
	for (size_t i = 0; i < sizeof(covered) / sizeof(*covered); i++) {
		bool found = false;

		for (size_t k = 0; k < json_object_array_length(objs); k++) {
			json_object *o = json_object_array_get_idx(objs, k);
			const char *kind = jget_str(o, "kind");

			found |= (!strcmp(kind, "map") || !strcmp(kind, "skip")) &&
				 !strcmp(jget_str(o, "type"), covered[i]);
		}
		if (!found) {
			print_error("no map of type %s\n", covered[i]);
			fail();
		}
	}
	print_message("# %d maps of covered types: %llu bytes charged by the "
		      "model, the cgroup's kernel memory %llu\n", seen, charged,
		      kmem);
	assert_true(charged <= kmem);
	json_object_put(maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_map_type_carries_the_ledger),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("ledger", tests, setup, teardown);
}
