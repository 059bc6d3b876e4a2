// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "report/sort.h"

static struct map_info map(__u32 id, const char *name, __u32 type,
			   __u64 memlock, __u64 elements, __u32 max)
{
	struct map_info m = {};

	m.rec.id = id;
	m.rec.type = type;
	m.rec.max_entries = max;
	m.rec.elements = elements;
	m.rec.rec_flags = BPFMEM_MAP_HAS_ELEMENTS;
	m.bytes_memlock = memlock;
	m.has_memlock = true;
	strcpy(m.rec.name, name);
	return m;
}

static void ids(const struct map_info *m, size_t n, __u32 *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = m[i].rec.id;
}

static struct map_info with_real(struct map_info m, __u64 memcg, __u64 root)
{
	m.has_real = true;
	m.real.memcg = memcg;
	m.real.root = root;
	return m;
}

/* real bytes, largest first; ties by id; the model's gaps last */
static void default_is_real_largest_first_unknown_last(void **state)
{
	struct map_info m[] = {
		with_real(map(3, "c", BPF_MAP_TYPE_HASH, 900, 1, 10), 100, 0),
		map(4, "d", BPF_MAP_TYPE_HASH, 5000, 1, 10),
		with_real(map(1, "a", BPF_MAP_TYPE_ARRAY, 10, 10, 10), 200, 100),
		with_real(map(2, "b", BPF_MAP_TYPE_HASH, 100, 5, 10), 60, 40),
	};
	__u32 got[4], want[] = { 1, 2, 3, 4 };

	(void)state;
	sort_maps(m, 4, sort_spec_default(SORT_MAPS));
	ids(m, 4, got);
	assert_memory_equal(got, want, sizeof(want));
}

static void sorts_programs_by_real_either_way(void **state)
{
	struct prog_info p[3] = {};
	__u32 want_desc[] = { 2, 3, 1 }, want_asc[] = { 1, 3, 2 };
	struct sort_spec s;
	const char *err;

	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i].rec.id = i + 1;
		p[i].has_real = true;
		/* memlock in the opposite order: the key is not memlock */
		p[i].rec.bytes_memlock = 1000 - i;
	}
	p[0].real.memcg = 4096;
	p[1].real.memcg = 8192;
	p[1].real.root = 4096;
	p[2].real.root = 12000;
	assert_int_equal(sort_spec_parse("real", SORT_PROGS, &s, &err), 0);
	assert_true(s.descending);
	sort_progs(p, 3, s);
	for (int i = 0; i < 3; i++)
		assert_int_equal(p[i].rec.id, want_desc[i]);
	assert_int_equal(sort_spec_parse("bytes_real:asc", SORT_PROGS, &s,
					 &err), 0);
	sort_progs(p, 3, s);
	for (int i = 0; i < 3; i++)
		assert_int_equal(p[i].rec.id, want_asc[i]);
}

static void memlock_still_sorts_by_memlock(void **state)
{
	struct map_info m[] = {
		with_real(map(1, "a", BPF_MAP_TYPE_HASH, 100, 1, 10), 900, 0),
		with_real(map(2, "b", BPF_MAP_TYPE_HASH, 300, 1, 10), 10, 0),
	};
	struct sort_spec s;
	const char *err;

	(void)state;
	assert_int_equal(sort_spec_parse("memlock", SORT_MAPS, &s, &err), 0);
	sort_maps(m, 2, s);
	assert_int_equal(m[0].rec.id, 2);
}

static void parses_fields_aliases_and_directions(void **state)
{
	struct sort_spec s;
	const char *err;

	(void)state;
	assert_int_equal(sort_spec_parse("name", SORT_MAPS, &s, &err), 0);
	assert_false(s.descending);
	assert_int_equal(sort_spec_parse("bytes_memlock", SORT_MAPS, &s, &err),
			 0);
	assert_true(s.descending);
	assert_int_equal(sort_spec_parse("memlock:asc", SORT_MAPS, &s, &err),
			 0);
	assert_false(s.descending);
	assert_int_equal(sort_spec_parse("id:desc", SORT_PROGS, &s, &err), 0);
	assert_true(s.descending);
}

static void rejects_unknown_fields_with_the_valid_ones(void **state)
{
	struct sort_spec s;
	const char *err = NULL;

	(void)state;
	assert_int_equal(sort_spec_parse("size", SORT_MAPS, &s, &err), -EINVAL);
	assert_non_null(strstr(err, "memlock"));
	assert_non_null(strstr(err, "real"));
	/* a program field is not a map field */
	assert_int_equal(sort_spec_parse("jited", SORT_MAPS, &s, &err),
			 -EINVAL);
	assert_int_equal(sort_spec_parse("memlock:up", SORT_MAPS, &s, &err),
			 -EINVAL);
	assert_int_equal(sort_spec_parse("", SORT_PROGS, &s, &err), -EINVAL);
	assert_int_equal(sort_spec_parse("id:", SORT_PROGS, &s, &err), -EINVAL);
}

static void sorts_by_fill_with_unknown_last(void **state)
{
	struct map_info m[] = {
		map(1, "a", BPF_MAP_TYPE_HASH, 1, 5, 10),
		map(2, "b", BPF_MAP_TYPE_HASH, 1, 9, 10),
		map(3, "c", BPF_MAP_TYPE_RINGBUF, 1, 0, 4096),
	};
	__u32 got[3], want[] = { 2, 1, 3 };
	struct sort_spec s;
	const char *err;

	(void)state;
	m[2].rec.rec_flags = 0;	/* the kernel keeps no count */
	assert_int_equal(sort_spec_parse("fill", SORT_MAPS, &s, &err), 0);
	sort_maps(m, 3, s);
	ids(m, 3, got);
	assert_memory_equal(got, want, sizeof(want));
}

static void sorts_by_name_and_type_ascending(void **state)
{
	struct map_info m[] = {
		map(1, "zeta", BPF_MAP_TYPE_ARRAY, 1, 0, 1),
		map(2, "alpha", BPF_MAP_TYPE_HASH, 1, 0, 1),
		map(3, "mid", BPF_MAP_TYPE_LPM_TRIE, 1, 0, 1),
	};
	__u32 got[3], by_name[] = { 2, 3, 1 }, by_type[] = { 1, 2, 3 };
	struct sort_spec s;
	const char *err;

	(void)state;
	assert_int_equal(sort_spec_parse("name", SORT_MAPS, &s, &err), 0);
	sort_maps(m, 3, s);
	ids(m, 3, got);
	assert_memory_equal(got, by_name, sizeof(by_name));
	/* "array" < "hash" < "lpm_trie" */
	assert_int_equal(sort_spec_parse("type", SORT_MAPS, &s, &err), 0);
	sort_maps(m, 3, s);
	ids(m, 3, got);
	assert_memory_equal(got, by_type, sizeof(by_type));
}

static void sorts_by_id_in_either_direction(void **state)
{
	struct map_info m[] = {
		map(2, "b", BPF_MAP_TYPE_HASH, 1, 0, 1),
		map(3, "c", BPF_MAP_TYPE_HASH, 1, 0, 1),
		map(1, "a", BPF_MAP_TYPE_HASH, 1, 0, 1),
	};
	__u32 got[3], up[] = { 1, 2, 3 }, down[] = { 3, 2, 1 };
	struct sort_spec s;
	const char *err;

	(void)state;
	assert_int_equal(sort_spec_parse("id", SORT_MAPS, &s, &err), 0);
	sort_maps(m, 3, s);
	ids(m, 3, got);
	assert_memory_equal(got, up, sizeof(up));
	assert_int_equal(sort_spec_parse("id:desc", SORT_MAPS, &s, &err), 0);
	sort_maps(m, 3, s);
	ids(m, 3, got);
	assert_memory_equal(got, down, sizeof(down));
}

static void sorts_programs_by_jited_size(void **state)
{
	struct prog_info p[3] = {};
	struct sort_spec s;
	const char *err;

	(void)state;
	p[0].rec.id = 1;
	p[0].rec.bytes_jited = 10;
	p[1].rec.id = 2;
	p[1].rec.bytes_jited = 30;
	p[2].rec.id = 3;
	p[2].rec.bytes_jited = 20;
	assert_int_equal(sort_spec_parse("jited", SORT_PROGS, &s, &err), 0);
	sort_progs(p, 3, s);
	assert_int_equal(p[0].rec.id, 2);
	assert_int_equal(p[1].rec.id, 3);
	assert_int_equal(p[2].rec.id, 1);
}

/* Real bytes either way round; maps the model does not cover last in
 * both, and pointers sorted as the maps are. */
static void sorts_by_real_with_unmodelled_last(void **state)
{
	struct map_info m[] = {
		map(1, "a", BPF_MAP_TYPE_HASH, 1, 5, 10),
		map(2, "b", BPF_MAP_TYPE_HASH, 1, 9, 10),
		map(3, "c", BPF_MAP_TYPE_HASH, 1, 0, 10),
		map(4, "d", BPF_MAP_TYPE_HASH, 1, 0, 10),
	};
	const struct map_info *refs[4];
	__u32 got[4], desc[] = { 2, 4, 1, 3 }, asc[] = { 1, 4, 2, 3 };
	struct sort_spec s;
	const char *err;

	(void)state;
	m[0].has_real = m[1].has_real = m[3].has_real = true;
	m[0].real.memcg = 100;
	m[1].real.memcg = 300;
	m[3].real.memcg = 100;
	m[3].real.root = 100;	/* 200 in all: charged and root count */
	for (int i = 0; i < 4; i++)
		refs[i] = &m[i];
	assert_int_equal(sort_spec_parse("real", SORT_MAPS, &s, &err), 0);
	assert_true(s.descending);
	sort_map_refs(refs, 4, s);
	for (int i = 0; i < 4; i++)
		got[i] = refs[i]->rec.id;
	assert_memory_equal(got, desc, sizeof(desc));
	assert_int_equal(sort_spec_parse("bytes_real:asc", SORT_MAPS, &s, &err),
			 0);
	sort_maps(m, 4, s);
	ids(m, 4, got);
	assert_memory_equal(got, asc, sizeof(asc));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_is_real_largest_first_unknown_last),
		cmocka_unit_test(sorts_programs_by_real_either_way),
		cmocka_unit_test(memlock_still_sorts_by_memlock),
		cmocka_unit_test(parses_fields_aliases_and_directions),
		cmocka_unit_test(rejects_unknown_fields_with_the_valid_ones),
		cmocka_unit_test(sorts_by_fill_with_unknown_last),
		cmocka_unit_test(sorts_by_real_with_unmodelled_last),
		cmocka_unit_test(sorts_by_name_and_type_ascending),
		cmocka_unit_test(sorts_by_id_in_either_direction),
		cmocka_unit_test(sorts_programs_by_jited_size),
	};

	return cmocka_run_group_tests_name("sort", tests, NULL, NULL);
}
