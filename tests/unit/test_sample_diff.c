// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "daemon/sample_diff.h"

#define MAX_SEEN 16

struct seen {
	struct event_entry e[MAX_SEEN];
	int n;
};

static void record(void *ctx, const struct event_entry *e)
{
	struct seen *s = ctx;

	assert_true(s->n < MAX_SEEN);
	s->e[s->n++] = *e;
}

static struct map_info map(__u32 id, __u64 kaddr, const char *name)
{
	struct map_info m = {
		.rec = { .id = id, .kaddr = kaddr, .type = BPF_MAP_TYPE_HASH,
			 .memcg_id = 9, .rec_flags = BPFMEM_MAP_HAS_MEMCG },
		.bytes_memlock = 1000 + id,
		.has_memlock = true,
	};

	strcpy(m.rec.name, name);
	return m;
}

static struct prog_info prog(__u32 id, __u64 kaddr)
{
	struct prog_info p = {
		.rec = { .id = id, .kaddr = kaddr, .type = BPF_PROG_TYPE_XDP,
			 .bytes_memlock = 4096 },
	};

	strcpy(p.rec.name, "xdp_prog");
	return p;
}

static void assert_event(const struct event_entry *e, __u32 kind, __u32 id,
			 __u64 kaddr)
{
	assert_int_equal(e->ev.kind, kind);
	assert_int_equal(e->ev.id, id);
	assert_int_equal(e->ev.kaddr, kaddr);
	assert_int_equal(e->time_ms, 5000);
	/* nobody is known to have created it */
	assert_int_equal(e->ev.pid, 0);
}

/* Map 1 stays, 2 goes, 3 comes, 4 is a new map under an old id (ids
 * wrap); program 7 goes, 8 comes. */
static void creations_and_frees_between_two_samples(void **state)
{
	struct map_info mb[] = { map(1, 0xa1, "stays"), map(2, 0xa2, "goes"),
				 map(4, 0xa4, "old") };
	struct map_info mn[] = { map(1, 0xa1, "stays"), map(3, 0xa3, "comes"),
				 map(4, 0xb4, "new") };
	struct prog_info pb[] = { prog(7, 0xc7) }, pn[] = { prog(8, 0xc8) };
	struct inventory before = { .maps = mb, .nr_maps = 3, .progs = pb,
				    .nr_progs = 1 };
	struct inventory now = { .maps = mn, .nr_maps = 3, .progs = pn,
				 .nr_progs = 1 };
	struct seen s = { .n = 0 };

	(void)state;
	sample_diff(&before, &now, 5000, record, &s);
	assert_int_equal(s.n, 6);
	assert_event(&s.e[0], BPFMEM_EV_MAP_FREE, 2, 0xa2);
	assert_string_equal(s.e[0].ev.name, "goes");
	/* a free carries the last sampled figures */
	assert_true(s.e[0].has_bytes);
	assert_int_equal(s.e[0].bytes_memlock, 1002);
	assert_int_equal(s.e[0].ev.memcg_id, 9);
	assert_int_equal(s.e[0].ev.obj_type, BPF_MAP_TYPE_HASH);
	assert_event(&s.e[1], BPFMEM_EV_MAP_CREATE, 3, 0xa3);
	assert_string_equal(s.e[1].ev.name, "comes");
	assert_event(&s.e[2], BPFMEM_EV_MAP_FREE, 4, 0xa4);
	assert_string_equal(s.e[2].ev.name, "old");
	assert_event(&s.e[3], BPFMEM_EV_MAP_CREATE, 4, 0xb4);
	assert_string_equal(s.e[3].ev.name, "new");
	assert_event(&s.e[4], BPFMEM_EV_PROG_FREE, 7, 0xc7);
	assert_event(&s.e[5], BPFMEM_EV_PROG_LOAD, 8, 0xc8);
	assert_int_equal(s.e[5].ev.obj_type, BPF_PROG_TYPE_XDP);
	assert_int_equal(s.e[5].bytes_memlock, 4096);
	/* no memory cgroup known for the program: none named */
	assert_int_equal(s.e[5].ev.memcg_id, 0);
}

/* Everything gone, everything new, nothing changed: the walk's ends. */
static void empty_sides(void **state)
{
	struct map_info m[] = { map(5, 0xa5, "a"), map(6, 0xa6, "b") };
	struct inventory none = { 0 }, two = { .maps = m, .nr_maps = 2 };
	struct seen s = { .n = 0 };

	(void)state;
	sample_diff(&none, &two, 5000, record, &s);
	assert_int_equal(s.n, 2);
	assert_event(&s.e[0], BPFMEM_EV_MAP_CREATE, 5, 0xa5);
	assert_event(&s.e[1], BPFMEM_EV_MAP_CREATE, 6, 0xa6);
	s.n = 0;
	sample_diff(&two, &none, 5000, record, &s);
	assert_int_equal(s.n, 2);
	assert_event(&s.e[1], BPFMEM_EV_MAP_FREE, 6, 0xa6);
	s.n = 0;
	sample_diff(&two, &two, 5000, record, &s);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creations_and_frees_between_two_samples),
		cmocka_unit_test(empty_sides),
	};

	return cmocka_run_group_tests_name("sample_diff", tests, NULL, NULL);
}
