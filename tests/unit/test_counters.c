// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "cmocka_wrap.h"
#include "model/cgroups.h"

static void numbers_and_no_limit(void **state)
{
	__u64 v = 0;

	(void)state;
	assert_int_equal(cgroup_parse_counter("4096\n", &v), 0);
	assert_int_equal(v, 4096);
	/* v2 prints "max" for no limit */
	assert_int_equal(cgroup_parse_counter("max\n", &v), 1);
	/* v1 prints PAGE_COUNTER_MAX pages, rounded to a page */
	assert_int_equal(cgroup_parse_counter("9223372036854771712\n", &v), 1);
}

static void garbage_is_rejected(void **state)
{
	__u64 v = 7;

	(void)state;
	assert_int_equal(cgroup_parse_counter("", &v), -EINVAL);
	assert_int_equal(cgroup_parse_counter("-1\n", &v), -EINVAL);
	assert_int_equal(cgroup_parse_counter("12 KiB\n", &v), -EINVAL);
	assert_int_equal(cgroup_parse_counter("99999999999999999999\n", &v),
			 -EINVAL);
	assert_int_equal(v, 7);
}

/* A removed unit's charge is shown under the path and unit it had, not
 * under the ancestor that holds it now. */
static void rows_name_removed_units(void **state)
{
	const char *removed[] = { "/system.slice/maps-demo.service",
				  "/system.slice/other.service" };
	struct cgroup_info c = { .path = "/system.slice", .dying = true,
				 .removed_paths = removed,
				 .nr_removed_paths = 1 };
	struct cgroup_owner o;
	char path[256];

	(void)state;
	cgroup_row_name(&c, path, sizeof(path), &o);
	assert_string_equal(path, "/system.slice/maps-demo.service (removed)");
	assert_string_equal(o.unit, "maps-demo.service");
	c.nr_removed_paths = 2;
	cgroup_row_name(&c, path, sizeof(path), &o);
	assert_string_equal(path,
			    "/system.slice/maps-demo.service (removed, 1 more)");
	/* seen by nobody alive: the ancestor, said to hold dying charges */
	c.nr_removed_paths = 0;
	cgroup_owner_parse(c.path, &c.owner);
	cgroup_row_name(&c, path, sizeof(path), &o);
	assert_string_equal(path, "/system.slice (dying)");
	assert_string_equal(o.unit, "system.slice");
	/* alive */
	c.dying = false;
	cgroup_row_name(&c, path, sizeof(path), &o);
	assert_string_equal(path, "/system.slice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_and_no_limit),
		cmocka_unit_test(garbage_is_rejected),
		cmocka_unit_test(rows_name_removed_units),
	};

	return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
