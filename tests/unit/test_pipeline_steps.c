// SPDX-License-Identifier: GPL-2.0
/*
 * The pipeline's pure steps on a made-up collection, no kernel: the join
 * of each object to its holders, users, links and pins
 * (inventory_join), and the model applied to every record (model_apply).
 */
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "inventory/inventory.h"
#include "model/apply.h"
#include "model_env.h"

static void span_is(struct span s, __u32 first, __u32 count)
{
	assert_int_equal(s.count, count);
	if (count)
		assert_int_equal(s.first, first);
}

static void join_points_each_object_at_its_entries(void **state)
{
	struct map_info maps[] = {
		{ .rec = { .id = 10 } }, { .rec = { .id = 20 } },
		{ .rec = { .id = 30 } },
	};
	struct prog_info progs[] = { { .rec = { .id = 5 } },
				     { .rec = { .id = 7 } } };
	/* ascending (kind, id, pid), as the collector sorts them */
	struct holder holders[] = {
		{ .kind = BPFMEM_OBJ_MAP, .id = 10, .pid = 100 },
		{ .kind = BPFMEM_OBJ_MAP, .id = 10, .pid = 101 },
		{ .kind = BPFMEM_OBJ_MAP, .id = 30, .pid = 100 },
		{ .kind = BPFMEM_OBJ_PROG, .id = 7, .pid = 100 },
	};
	struct map_user users[] = {
		{ .map_id = 10, .prog_id = 5 }, { .map_id = 10, .prog_id = 7 },
		{ .map_id = 20, .prog_id = 7 },
	};
	struct pin pins[] = {
		{ .kind = BPFMEM_OBJ_MAP, .id = 20, .path = "/sys/fs/bpf/m" },
		{ .kind = BPFMEM_OBJ_PROG, .id = 5, .path = "/sys/fs/bpf/p" },
	};
	struct bpfmem_link_rec links[] = { { .prog_id = 7, .id = 1 },
					   { .prog_id = 7, .id = 2 } };
	struct inventory inv = {
		.maps = maps, .nr_maps = 3, .progs = progs, .nr_progs = 2,
		.holders = holders, .nr_holders = 4,
		.map_users = users, .nr_map_users = 3,
		.pins = pins, .nr_pins = 2, .has_pins = true,
		.links = links, .nr_links = 2,
	};

	(void)state;
	inventory_join(&inv);
	span_is(maps[0].holders, 0, 2);
	span_is(maps[1].holders, 0, 0);
	span_is(maps[2].holders, 2, 1);
	span_is(maps[0].users, 0, 2);
	span_is(maps[1].users, 2, 1);
	span_is(maps[2].users, 0, 0);
	span_is(maps[0].pins, 0, 0);
	span_is(maps[1].pins, 0, 1);
	span_is(progs[0].holders, 0, 0);
	span_is(progs[1].holders, 3, 1);
	span_is(progs[0].links, 0, 0);
	span_is(progs[1].links, 0, 2);
	span_is(progs[0].pins, 1, 1);
	span_is(progs[1].pins, 0, 0);
}

static void model_step_gives_real_bytes_where_covered(void **state)
{
	struct map_info maps[] = {
		{ .rec = { .id = 1, .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			   .value_size = 8, .max_entries = 1,
			   .bypass_spec_v1 = true } },
		/* a type the model does not know */
		{ .rec = { .id = 2, .type = 9999 } },
	};
	/* no pages: a record the model cannot size */
	struct prog_info progs[] = { { .rec = { .id = 3 } } };
	struct inventory inv = { .maps = maps, .nr_maps = 2, .progs = progs,
				 .nr_progs = 1 };

	(void)state;
	model_apply(NULL, &inv);
	assert_false(maps[0].has_real);
	model_apply(&env, &inv);
	assert_true(maps[0].has_real);
	/* 312 + 8: kmalloc-512 and its memcg pointer (test_model.c) */
	assert_int_equal(model_total(&maps[0].real), 520);
	assert_false(maps[1].has_real);
	assert_false(progs[0].has_real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(join_points_each_object_at_its_entries),
		cmocka_unit_test(model_step_gives_real_bytes_where_covered),
	};

	return cmocka_run_group_tests_name("pipeline_steps", tests, NULL,
					   NULL);
}
