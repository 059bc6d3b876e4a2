// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "base/names.h"

static void map_types_are_spelled_as_bpftool_does(void **state)
{
	(void)state;
	assert_string_equal(map_type_name(BPF_MAP_TYPE_HASH), "hash");
	assert_string_equal(map_type_name(BPF_MAP_TYPE_LRU_PERCPU_HASH),
			    "lru_percpu_hash");
	assert_string_equal(map_type_name(BPF_MAP_TYPE_CGROUP_STORAGE),
			    "cgroup_storage");
	assert_string_equal(map_type_name(32), "cgrp_storage");
	assert_string_equal(map_type_name(33), "arena");
	assert_null(map_type_name(4096));
}

static void prog_types_are_spelled_as_bpftool_does(void **state)
{
	(void)state;
	assert_string_equal(prog_type_name(BPF_PROG_TYPE_SCHED_CLS),
			    "sched_cls");
	assert_string_equal(prog_type_name(BPF_PROG_TYPE_CGROUP_SOCK_ADDR),
			    "cgroup_sock_addr");
	assert_string_equal(prog_type_name(32), "netfilter");
	assert_null(prog_type_name(4096));
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int t = 1; t <= 33; t++)
		assert_int_equal(map_type_from_name(map_type_name(t)), t);
	for (int t = 1; t <= 32; t++)
		assert_int_equal(prog_type_from_name(prog_type_name(t)), t);
	assert_int_equal(map_type_from_name("no_such_type"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_types_are_spelled_as_bpftool_does),
		cmocka_unit_test(prog_types_are_spelled_as_bpftool_does),
		cmocka_unit_test(names_round_trip),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
