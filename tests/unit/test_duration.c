// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "cmocka_wrap.h"
#include "daemon/duration.h"

static void parses_every_unit_and_sums(void **state)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} good[] = {
		{ "100ms", 100 }, { "2s", 2000 }, { "1m", 60000 },
		{ "1h", 3600000 }, { "1d", 86400000 }, { "1m30s", 90000 },
		{ "0s", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint64_t ms;

		assert_int_equal(duration_parse(good[i].text, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
}

static void refuses_what_is_not_a_duration(void **state)
{
	static const char *const bad[] = {
		"", "5", "s", "5x", "-1s", "1.5s", " 5s", "5s ", "5 s", "5sec",
		"5mss", "ms",
	};
	uint64_t ms = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (duration_parse(bad[i], &ms) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
	assert_int_equal(ms, 7);
	assert_int_equal(duration_parse("99999999999999999999ms", &ms),
			 -ERANGE);
	assert_int_equal(duration_parse("18446744073709551615d", &ms),
			 -ERANGE);
}

static void formats_what_it_parses(void **state)
{
	static const uint64_t values[] = { 0, 100, 2000, 90000, 3600000,
					   86400000 + 1 };
	char buf[64];

	(void)state;
	assert_string_equal(duration_format(90000, buf, sizeof(buf)), "1m30s");
	assert_string_equal(duration_format(100, buf, sizeof(buf)), "100ms");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint64_t back;

		duration_format(values[i], buf, sizeof(buf));
		assert_int_equal(duration_parse(buf, &back), 0);
		assert_int_equal(back, values[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_unit_and_sums),
		cmocka_unit_test(refuses_what_is_not_a_duration),
		cmocka_unit_test(formats_what_it_parses),
	};

	return cmocka_run_group_tests_name("duration", tests, NULL, NULL);
}
