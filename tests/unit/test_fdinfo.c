// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "cmocka_wrap.h"
#include "base/fdinfo.h"

/* As /proc/PID/fdinfo/FD shows a BPF map on 6.18. */
static const char map_fdinfo[] =
	"pos:\t0\n"
	"flags:\t02000002\n"
	"mnt_id:\t16\n"
	"ino:\t1057\n"
	"map_type:\t1\n"
	"key_size:\t4\n"
	"value_size:\t8\n"
	"max_entries:\t1048576\n"
	"map_flags:\t0x0\n"
	"map_extra:\t0x0\n"
	"memlock:\t88788992\n"
	"map_id:\t42\n"
	"frozen:\t0\n";

static void finds_memlock(void **state)
{
	__u64 v = 0;

	(void)state;
	assert_int_equal(fdinfo_parse_u64(map_fdinfo, "memlock", &v), 0);
	assert_int_equal(v, 88788992);
	assert_int_equal(fdinfo_parse_u64(map_fdinfo, "map_id", &v), 0);
	assert_int_equal(v, 42);
}

static void matches_whole_keys_only(void **state)
{
	__u64 v = 7;

	(void)state;
	/* "map" is a prefix of several keys but not a key */
	assert_int_equal(fdinfo_parse_u64(map_fdinfo, "map", &v), -ENOENT);
	assert_int_equal(fdinfo_parse_u64(map_fdinfo, "mem", &v), -ENOENT);
	assert_int_equal(v, 7);
}

static void rejects_values_that_are_not_numbers(void **state)
{
	__u64 v;

	(void)state;
	assert_int_equal(fdinfo_parse_u64(map_fdinfo, "map_flags", &v),
			 -EINVAL);
	assert_int_equal(fdinfo_parse_u64("memlock:\t\n", "memlock", &v),
			 -EINVAL);
	assert_int_equal(fdinfo_parse_u64("memlock:\t-4\n", "memlock", &v),
			 -EINVAL);
	assert_int_equal(fdinfo_parse_u64("memlock:\t99999999999999999999\n",
					  "memlock", &v),
			 -EINVAL);
}

static void handles_a_last_line_without_newline(void **state)
{
	__u64 v;

	(void)state;
	assert_int_equal(fdinfo_parse_u64("pos:\t0\nmemlock: 4096", "memlock",
					  &v),
			 0);
	assert_int_equal(v, 4096);
	assert_int_equal(fdinfo_parse_u64("", "memlock", &v), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_memlock),
		cmocka_unit_test(matches_whole_keys_only),
		cmocka_unit_test(rejects_values_that_are_not_numbers),
		cmocka_unit_test(handles_a_last_line_without_newline),
	};

	return cmocka_run_group_tests_name("fdinfo", tests, NULL, NULL);
}
