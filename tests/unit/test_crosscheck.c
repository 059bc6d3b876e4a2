// SPDX-License-Identifier: GPL-2.0
/* bytes_traced beside bytes_real: when it is known, the difference and
 * its reason. */
#include <string.h>
#include <linux/bpf.h>
#include "cmocka_wrap.h"
#include "model/crosscheck.h"

static struct map_info map(__u32 type, __u32 flags, __s64 slab, __u64 model)
{
	struct map_info m = {
		.rec = { .type = type, .map_flags = flags },
		.has_traced = true,
		.traced = { .bytes = { slab, 4096, 0 } },
		.has_real = model != 0,
		.real = { .memcg = model },
	};

	return m;
}

static void unknown_when_not_seen_whole(void **state)
{
	struct map_info m = map(BPF_MAP_TYPE_ARRAY, 0, 100, 4196);
	__u64 b;

	(void)state;
	assert_true(traced_bytes(m.has_traced, &m.traced, &b));
	assert_int_equal(b, 4196);
	m.traced.lost = 1;
	assert_false(traced_bytes(m.has_traced, &m.traced, &b));
	m.traced.lost = 0;
	m.has_traced = false;
	assert_false(traced_bytes(m.has_traced, &m.traced, &b));
	/* a free of a reused address taken for ours: not a figure */
	m = map(BPF_MAP_TYPE_ARRAY, 0, -8192, 4196);
	assert_false(traced_bytes(m.has_traced, &m.traced, &b));
}

static void within_two_percent_has_no_reason(void **state)
{
	struct map_info m = map(BPF_MAP_TYPE_ARRAY, 0, 4000, 8000);
	struct traced_cmp c;

	(void)state;
	traced_compare_map(&m, &c);
	assert_true(c.has_pct);
	assert_true(c.pct > 1.19 && c.pct < 1.21);
	assert_null(c.reason);
}

static void beyond_two_percent_says_why(void **state)
{
	struct map_info m = map(BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, 1000,
				10000);
	struct traced_cmp c;

	(void)state;
	traced_compare_map(&m, &c);
	assert_true(c.has_pct);
	assert_true(c.pct < -40);
	assert_non_null(strstr(c.reason, "bpf_mem_alloc"));
	m = map(BPF_MAP_TYPE_ARRAY, 0, 100000, 10000);
	traced_compare_map(&m, &c);
	assert_true(c.pct > 900);
	assert_non_null(strstr(c.reason, "above model"));
	/* no model: no comparison */
	m.has_real = false;
	traced_compare_map(&m, &c);
	assert_false(c.has_pct);
	assert_null(c.reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_when_not_seen_whole),
		cmocka_unit_test(within_two_percent_has_no_reason),
		cmocka_unit_test(beyond_two_percent_says_why),
	};

	return cmocka_run_group_tests_name("crosscheck", tests, NULL, NULL);
}
