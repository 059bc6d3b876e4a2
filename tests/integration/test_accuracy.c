// SPDX-License-Identifier: GPL-2.0
/*
 * The real-bytes model against the kernel's own account, for the map
 * types it covers exactly and for programs: the ground-truth harness (tests/accuracy) runs
 * their cases, each in a fresh memory cgroup, and fails when the model is
 * off by more than 2% and 8 KiB. The whole matrix, with the types the
 * model does not cover yet, is `make accuracy` (docs/ACCURACY.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

#define HARNESS BUILD_DIR "/tests/accuracy"

static void run_cases(const char *only)
{
	char *argv[] = { HARNESS, "--only", (char *)only, NULL };
	char *out = NULL, *err = NULL;
	int rc = run_capture(argv, &out, &err);
	char *last = out ? strrchr(out, '\n') : NULL;

	/* the summary line: "N measured, N skipped, N failed in Ns" */
	while (last && last > out && last[-1] != '\n')
		last--;
	if (rc) {
		print_error("%s", out ? out : "");
		print_error("%s", err ? err : "");
		fail();
	}
	print_message("# %s: %s", only, last ? last : "\n");
	free(out);
	free(err);
}

static void arrays(void **state)
{
	(void)state;
	run_cases("array");
}

static void preallocated_hash_maps(void **state)
{
	(void)state;
	/* hash, per-CPU, LRU and LRU per-CPU hash maps through every step,
	 * filled from user space; with per-CPU LRU lists; filled from BPF */
	run_cases("hash.k");
	run_cases("hash.nc");
	run_cases("hash.bpf.k");
}

static void queues_and_stacks(void **state)
{
	(void)state;
	run_cases("queue");
	run_cases("stack.v");
}

static void programs(void **state)
{
	(void)state;
	/* socket filters of 2 to 10,000 instructions */
	run_cases("prog.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arrays),
		cmocka_unit_test(preallocated_hash_maps),
		cmocka_unit_test(queues_and_stacks),
		cmocka_unit_test(programs),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("accuracy", tests, NULL, NULL);
}
