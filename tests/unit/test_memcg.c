// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "cmocka_wrap.h"
#include "base/memcg.h"

/* cgroup v1 with the memory controller, as on the development machines */
static const char v1[] =
	"22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"25 22 0:23 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"26 25 0:24 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"27 25 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"28 25 0:26 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* a v1 controller whose name only contains "memory" */
static const char v1_lookalike[] =
	"26 25 0:24 / /sys/fs/cgroup/x rw - cgroup cgroup rw,nomemory\n"
	"27 25 0:25 / /sys/fs/cgroup/mem rw - cgroup cgroup rw,cpu,memory,pids\n";

/* optional fields between the mount options and " - " */
static const char v1_tagged[] =
	"27 25 0:25 / /cg/memory rw shared:9 master:3 - cgroup none rw,memory\n";

static void finds_the_v1_memory_mount(void **state)
{
	char root[256];

	(void)state;
	assert_int_equal(memcg_find_root(v1, root, sizeof(root)), 0);
	assert_string_equal(root, "/sys/fs/cgroup/memory");
	assert_int_equal(memcg_find_root(v1_lookalike, root, sizeof(root)), 0);
	assert_string_equal(root, "/sys/fs/cgroup/mem");
	assert_int_equal(memcg_find_root(v1_tagged, root, sizeof(root)), 0);
	assert_string_equal(root, "/cg/memory");
}

static void no_memory_controller_is_enoent(void **state)
{
	static const char none[] =
		"22 1 0:21 / /sys rw - sysfs sysfs rw\n"
		"26 25 0:24 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
	char root[256];

	(void)state;
	assert_int_equal(memcg_find_root(none, root, sizeof(root)), -ENOENT);
	assert_int_equal(memcg_find_root("", root, sizeof(root)), -ENOENT);
	assert_int_equal(memcg_find_root("garbage without fields\n", root,
					 sizeof(root)),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_v1_memory_mount),
		cmocka_unit_test(no_memory_controller_is_enoent),
	};

	return cmocka_run_group_tests_name("memcg", tests, NULL, NULL);
}
