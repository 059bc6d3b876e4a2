// SPDX-License-Identifier: GPL-2.0
#include "cmocka_wrap.h"
#include "base/format.h"

static void bytes_below_one_kib_are_exact(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(format_bytes(0, buf, sizeof(buf)), "0 B");
	assert_string_equal(format_bytes(1023, buf, sizeof(buf)), "1023 B");
}

static void bytes_use_binary_units_with_three_digits(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(format_bytes(1024, buf, sizeof(buf)), "1.00 KiB");
	assert_string_equal(format_bytes(1536, buf, sizeof(buf)), "1.50 KiB");
	assert_string_equal(format_bytes(4096 * 10, buf, sizeof(buf)),
			    "40.0 KiB");
	assert_string_equal(format_bytes(88800000, buf, sizeof(buf)),
			    "84.7 MiB");
	assert_string_equal(format_bytes(83886080, buf, sizeof(buf)),
			    "80.0 MiB");
	assert_string_equal(format_bytes(1ULL << 30, buf, sizeof(buf)),
			    "1.00 GiB");
	assert_string_equal(format_bytes(700ULL << 30, buf, sizeof(buf)),
			    "700 GiB");
}

static void bytes_roll_over_to_the_next_unit(void **state)
{
	char buf[32];

	(void)state;
	/* 1023.99 KiB would print as "1024 KiB" */
	assert_string_equal(format_bytes(1048575, buf, sizeof(buf)),
			    "1.00 MiB");
	assert_string_equal(format_bytes(UINT64_MAX, buf, sizeof(buf)),
			    "16.0 EiB");
}

static void partial_sums_are_marked(void **state)
{
	char buf[32], tiny[4];

	(void)state;
	assert_string_equal(format_bytes_partial(1536, true, buf, sizeof(buf)),
			    "1.50 KiB");
	assert_string_equal(format_bytes_partial(1536, false, buf, sizeof(buf)),
			    "1.50 KiB*");
	/* cut short, never overrun */
	assert_string_equal(format_bytes_partial(1536, false, tiny,
						 sizeof(tiny)), "1.5");
}

static void ratio_is_a_percentage_or_a_dash(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(format_ratio(-1, buf, sizeof(buf)), "-");
	assert_string_equal(format_ratio(0, buf, sizeof(buf)), "0%");
	assert_string_equal(format_ratio(0.5, buf, sizeof(buf)), "50%");
	assert_string_equal(format_ratio(1, buf, sizeof(buf)), "100%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytes_below_one_kib_are_exact),
		cmocka_unit_test(bytes_use_binary_units_with_three_digits),
		cmocka_unit_test(bytes_roll_over_to_the_next_unit),
		cmocka_unit_test(partial_sums_are_marked),
		cmocka_unit_test(ratio_is_a_percentage_or_a_dash),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
