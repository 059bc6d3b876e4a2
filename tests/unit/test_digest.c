// SPDX-License-Identifier: GPL-2.0
/* The hash bpfmemd compares samples by (src/base/digest.h): what it must
 * tell apart, and what it must not. */
#include "cmocka_wrap.h"
#include "base/digest.h"

/* A record the size of a map record (160 bytes), as the iterator writes. */
static void record(unsigned char *r, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		r[i] = (unsigned char)(seed * 31 + i * 7);
}

static void the_same_bytes_hash_the_same(void **state)
{
	unsigned char a[160], b[160];

	(void)state;
	record(a, sizeof(a), 1);
	record(b, sizeof(b), 1);
	assert_true(digest_add(DIGEST_SEED, a, sizeof(a)) ==
		    digest_add(DIGEST_SEED, b, sizeof(b)));
}

/* An element count moving by one, in any byte of any lane or the tail. */
static void every_single_bit_changes_the_hash(void **state)
{
	unsigned char r[165];
	uint64_t base;

	(void)state;
	record(r, sizeof(r), 2);
	base = digest_add(DIGEST_SEED, r, sizeof(r));
	for (size_t i = 0; i < sizeof(r); i++)
		for (int bit = 0; bit < 8; bit++) {
			r[i] ^= 1u << bit;
			if (digest_add(DIGEST_SEED, r, sizeof(r)) == base)
				fail_msg("byte %zu bit %d left the hash as it was",
					 i, bit);
			r[i] ^= 1u << bit;
		}
}

/* Two maps trading places, a record moved to the next, a shorter
 * reading: other hashes. */
static void order_and_length_count(void **state)
{
	unsigned char a[160], b[160];
	uint64_t ab, ba;

	(void)state;
	record(a, sizeof(a), 3);
	record(b, sizeof(b), 4);
	ab = digest_add(digest_add(DIGEST_SEED, a, sizeof(a)), b, sizeof(b));
	ba = digest_add(digest_add(DIGEST_SEED, b, sizeof(b)), a, sizeof(a));
	assert_true(ab != ba);
	assert_true(digest_add(DIGEST_SEED, a, sizeof(a)) !=
		    digest_add(DIGEST_SEED, a, sizeof(a) - 1));
	/* trailing zero bytes are not the same as none */
	memset(b, 0, sizeof(b));
	assert_true(digest_add(DIGEST_SEED, b, 3) !=
		    digest_add(DIGEST_SEED, b, 4));
}

/* Two lanes trading their words (two fields of a record swapped), and
 * the order of values chained with digest_u64 (a holder's pid and id). */
static void lanes_and_chains_are_ordered(void **state)
{
	unsigned char r[64];
	uint64_t base;

	(void)state;
	record(r, sizeof(r), 5);
	base = digest_add(DIGEST_SEED, r, sizeof(r));
	for (int i = 0; i < 8; i++) {
		unsigned char t = r[i];

		r[i] = r[8 + i];
		r[8 + i] = t;
	}
	assert_true(digest_add(DIGEST_SEED, r, sizeof(r)) != base);
	assert_true(digest_u64(digest_u64(DIGEST_SEED, 1), 2) !=
		    digest_u64(digest_u64(DIGEST_SEED, 2), 1));
	assert_true(digest_u64(DIGEST_SEED, 0) != DIGEST_SEED);
}

static void strings_and_missing_strings_differ(void **state)
{
	(void)state;
	assert_true(digest_str(DIGEST_SEED, "/sys/fs/bpf/a") ==
		    digest_str(DIGEST_SEED, "/sys/fs/bpf/a"));
	assert_true(digest_str(DIGEST_SEED, "/sys/fs/bpf/a") !=
		    digest_str(DIGEST_SEED, "/sys/fs/bpf/b"));
	assert_true(digest_str(DIGEST_SEED, "") !=
		    digest_str(DIGEST_SEED, NULL));
	/* where one string ends and the next begins */
	assert_true(digest_str(digest_str(DIGEST_SEED, "ab"), "c") !=
		    digest_str(digest_str(DIGEST_SEED, "a"), "bc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_same_bytes_hash_the_same),
		cmocka_unit_test(every_single_bit_changes_the_hash),
		cmocka_unit_test(order_and_length_count),
		cmocka_unit_test(lanes_and_chains_are_ordered),
		cmocka_unit_test(strings_and_missing_strings_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
