// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "collect/pins.h"

static void kind_and_id_from_fdinfo(void **state)
{
	__u32 kind = 0, id = 0;

	(void)state;
	assert_int_equal(pins_parse_fdinfo("pos:\t0\nmap_type:\t1\nmap_id:\t42\n",
					   &kind, &id),
			 0);
	assert_int_equal(kind, BPFMEM_OBJ_MAP);
	assert_int_equal(id, 42);
	assert_int_equal(pins_parse_fdinfo("prog_type:\t5\nprog_id:\t7\n", &kind,
					   &id),
			 0);
	assert_int_equal(kind, BPFMEM_OBJ_PROG);
	assert_int_equal(id, 7);
	assert_int_equal(pins_parse_fdinfo("link_type:\titer\nlink_id:\t9\nprog_tag:\tab\n",
					   &kind, &id),
			 0);
	assert_int_equal(kind, BPFMEM_OBJ_LINK);
	assert_int_equal(id, 9);
	/* a pinned file of something else */
	assert_int_equal(pins_parse_fdinfo("pos:\t0\nflags:\t02\n", &kind, &id),
			 -ENOENT);
}

static void bpffs_mounts_from_mountinfo(void **state)
{
	static const char mountinfo[] =
		"22 1 0:21 / /sys rw - sysfs sysfs rw\n"
		"30 22 0:27 / /sys/fs/bpf rw,nosuid - bpf bpf rw,mode=700\n"
		"31 25 0:28 / /run/cilium/bpffs rw shared:1 - bpf none rw\n"
		"32 25 0:29 / /tmp/bpfish rw - tmpfs bpf rw\n";
	char *mounts = pins_bpffs_mounts(mountinfo);
	char *m = mounts;

	(void)state;
	assert_non_null(mounts);
	assert_string_equal(m, "/sys/fs/bpf");
	m += strlen(m) + 1;
	/* optional fields before " - " do not confuse it */
	assert_string_equal(m, "/run/cilium/bpffs");
	m += strlen(m) + 1;
	/* a tmpfs whose source is named bpf is not bpffs */
	assert_string_equal(m, "");
	free(mounts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_and_id_from_fdinfo),
		cmocka_unit_test(bpffs_mounts_from_mountinfo),
	};

	return cmocka_run_group_tests_name("pins", tests, NULL, NULL);
}
