// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "cmocka_wrap.h"
#include "cgroups.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_and_no_limit),
		cmocka_unit_test(garbage_is_rejected),
	};

	return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
