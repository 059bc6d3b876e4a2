// SPDX-License-Identifier: GPL-2.0
/*
 * The real-bytes model against the kernel's own account, for the map
 * types it covers exactly and for programs: the ground-truth harness
 * (tests/accuracy) runs their cases, each in a fresh memory cgroup, and
 * fails when the model is off by more than 2% and 8 KiB, or has no figure
 * for a step (--require-real). The whole matrix, with the types the model
 * does not cover yet, is `make accuracy` (docs/ACCURACY.md). The same
 * harness checks the accounting hooks (`--traced`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../unit/cmocka_wrap.h"
#include "helpers.h"

#define HARNESS BUILD_DIR "/tests/accuracy"

/* The cases named by only (see --only), checking the model's figure or,
 * with traced, the accounting hooks': in the harness (sock NULL) or as the
 * daemon listening on sock reports them. */
static void run_with(const char *only, bool traced, const char *sock)
{
	char *argv[] = { HARNESS, "--only", (char *)only, "--require-real",
			 NULL, NULL };
	char *out = NULL, *err = NULL;
	char *last;
	int rc;

	if (traced && sock) {
		argv[3] = "--daemon";
		argv[4] = (char *)sock;
	} else if (traced) {
		argv[3] = "--traced";
	}
	rc = run_capture(argv, &out, &err);
	last = out ? strrchr(out, '\n') : NULL;

	/* the summary line: "N measured, N skipped, N failed in Ns" */
	while (last && last > out && last[-1] != '\n')
		last--;
	if (rc || (traced && !strstr(out, "TRACED"))) {
		print_error("%s", out ? out : "");
		print_error("%s", err ? err : "");
		fail();
	}
	print_message("# %s: %s", only, last ? last : "\n");
	free(out);
	free(err);
}

static void run(const char *only, bool traced)
{
	run_with(only, traced, NULL);
}

static void run_cases(const char *only)
{
	run(only, false);
}

static void arrays(void **state)
{
	(void)state;
	/* plain, per-CPU and mmapable arrays; arrays of programs, perf
	 * events, cgroups, maps and reuseport sockets */
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

static void hashes_without_prealloc(void **state)
{
	(void)state;
	/* elements and what bpf_mem_alloc keeps cached on every CPU, up,
	 * through deletes and back: hash and per-CPU hash, small and large
	 * values, filled from user space and from BPF */
	run_cases("hash.np");
}

static void lpm_tries_local_storages_maps_of_maps(void **state)
{
	(void)state;
	run_cases("lpm_trie");
	run_cases("_storage.v");
	run_cases("hash_of_maps");
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

static void other_map_types(void **state)
{
	(void)state;
	run_cases("stack_trace");
	run_cases("bloom_filter");
	/* ringbuf and user_ringbuf */
	run_cases("ringbuf");
	/* (reuseport_sockarray is one of the arrays) */
	run_cases("sockmap");
	/* its deleted elements go through kfree_rcu() */
	run_cases("sockhash");
	/* devmap and devmap_hash */
	run_cases("devmap");
	run_cases("cpumap");
	run_cases("xskmap");
	run_cases("arena");
	run_cases("struct_ops");
	/* cgroup_storage and percpu_cgroup_storage: a storage for each
	 * cgroup their programs are attached to, then detached */
	run_cases("cgroup_storage");
}

/*
 * The accounting hooks (bpf/hooks.bpf.c, loaded by src/collect/accounting.c as the
 * daemon loads them), attached for the run, against the same truth at
 * every step they see whole (what the case's process does through bpf():
 * creation, updates, deletes).
 */
static void traced_arrays(void **state)
{
	(void)state;
	/* one map, and batches of tiny ones (files and dentries included);
	 * per-CPU copies allocated at creation, charged to the root */
	run("array.k4v8.1", true);
	run("percpu_array.k4v8.1k", true);
}

static void traced_preallocated_hash(void **state)
{
	(void)state;
	run("hash.k4v8.16k", true);
}

/* Elements allocated inside map updates (bpf_mem_alloc refills in
 * irq_work), freed by deletes: the figure follows the charge down. */
static void traced_hash_without_preallocation(void **state)
{
	(void)state;
	run("=hash.np.k4v8.16k", true);
}

static void traced_programs(void **state)
{
	(void)state;
	run("prog.1000insn", true);
}

/*
 * The same figures as bpfmemd reports them (bytes_traced in its maps and
 * progs, what `bpfmem maps --json` prints through it), against the same
 * truth, and every map whose traced and modelled bytes differ beyond 2%
 * told so (traced_vs_model), no other.
 */
static void traced_through_the_daemon(void **state)
{
	struct daemon d;

	(void)state;
	/* the accounting hooks are opt-in (trace_allocations) */
	daemon_start(&d, "[daemon]\ninterval = 200ms\nhistory = 1m\nsnapshot_every = 0\n"
			 "trace_allocations = yes\n");
	run_with("=hash.np.k4v8.16k", true, d.sock);
	run_with("percpu_array.k4v8.1k", true, d.sock);
	assert_int_equal(daemon_stop(&d), 0);
}

/* the daemon of a test that failed half-way */
static int cleanup(void **state)
{
	(void)state;
	daemons_kill();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		daemon_test(arrays),
		daemon_test(preallocated_hash_maps),
		daemon_test(hashes_without_prealloc),
		daemon_test(lpm_tries_local_storages_maps_of_maps),
		daemon_test(queues_and_stacks),
		daemon_test(programs),
		daemon_test(other_map_types),
		daemon_test(traced_arrays),
		daemon_test(traced_preallocated_hash),
		daemon_test(traced_hash_without_preallocation),
		daemon_test(traced_programs),
		daemon_test(traced_through_the_daemon),
	};

	if (geteuid()) {
		fprintf(stderr, "integration tests need root\n");
		return 1;
	}
	return cmocka_run_group_tests_name("accuracy", tests, NULL, cleanup);
}
