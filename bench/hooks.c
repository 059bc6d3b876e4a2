// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting hooks' cost (bpf/hooks.bpf.c, loaded as the daemon loads
 * them, through src/collect/accounting.c): the same workloads detached, with the
 * hooks attached, and with empty programs at the same attach points (the
 * floor: what the kernel's tracepoint dispatch costs, whatever a program
 * does). The three states alternate in every round, in a rotating order,
 * pinned to one CPU; a round's slowdown is attached / detached, and the
 * table gives the median over the rounds. The floor is also measured for
 * each group of attach points alone.
 *
 * (a) socket churn: socket(AF_UNIX) and close, which allocate and free a
 *     socket, an inode, a dentry, a file and their security blobs (the
 *     allocator hooks' fast paths, since no bpf() call is under way) and
 *     make two syscalls (the bpf() syscall tracepoints turn on the
 *     syscall tracing path of every task).
 * (b) samples/bpf/map_perf_test's kind of load: a BPF program inserts 50,000
 *     keys into a hash map without preallocation and deletes them again,
 *     one operation a run (BPF_PROG_TEST_RUN with repeat): elements come
 *     from bpf_mem_alloc, refilled by kmalloc in irq_work and freed by
 *     kfree after RCU, all outside any bpf() call.
 * (c) the same from user space, one bpf() call per operation, on a map
 *     created in the state measured: with the hooks every call is scoped
 *     and every refill recorded (their slow path). No goal: shown so the
 *     cost of tracing a map's changes is known.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/accounting.h"
#include "hooks_bench.skel.h"
#include "measure.h"

/* rounds: the first argument (fewer under emulation), 15 at most */
#define ROUNDS 15
static int rounds = ROUNDS;
#define SOCKETS 50000
#define KEYS 50000

static void die(const char *what)
{
	fprintf(stderr, "bench/hooks: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ns per socket() + close() */
static double sockets(void)
{
	double ns = socket_churn(SOCKETS);

	if (ns < 0)
		die("socket");
	return ns;
}

/* ns per map operation of the BPF program: every key inserted, then every
 * key deleted, twice */
static double map_perf(struct hooks_bench_bpf *skel)
{
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 4 * KEYS);
	double t = now_ns();

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.map_perf), &o))
		die("BPF_PROG_TEST_RUN of map_perf");
	return (now_ns() - t) / (4.0 * KEYS);
}

/* ns per bpf() update or delete on a new map without preallocation: every
 * key inserted, then every key deleted, twice */
static double hash_syscalls(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_hooks", 4, 8, KEYS,
				&mo);
	__u64 v = 1;
	double t;

	if (fd < 0)
		die("bpf_map_create");
	t = now_ns();
	for (int pass = 0; pass < 2; pass++) {
		for (__u32 k = 0; k < KEYS; k++)
			if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
				die("bpf_map_update_elem");
		for (__u32 k = 0; k < KEYS; k++)
			if (bpf_map_delete_elem(fd, &k))
				die("bpf_map_delete_elem");
	}
	t = (now_ns() - t) / (4.0 * KEYS);
	close(fd);
	return t;
}

enum { SOCK, MAP_PERF, SYSCALLS, NR_WORK };
/* FLOOR_*: the empty programs of one group of attach points alone */
enum {
	DETACHED, HOOKS, FLOOR, FLOOR_SYSCALL, FLOOR_ALLOC, FLOOR_FREE,
	NR_STATE
};

static void run_all(struct hooks_bench_bpf *skel, double *out)
{
	out[SOCK] = sockets();
	out[MAP_PERF] = map_perf(skel);
	out[SYSCALLS] = hash_syscalls();
}

/* The state's group of attach points a program of the bench object is at
 * (floor_*_alloc, floor_*_free, the rest: the bpf() syscall and the
 * deferred frees); 0 for the workload. */
static int floor_group(struct hooks_bench_bpf *skel, struct bpf_program *p)
{
	const char *name = bpf_program__name(p);

	if (p == skel->progs.map_perf)
		return 0;
	if (strstr(name, "alloc"))
		return FLOOR_ALLOC;
	if (strstr(name, "free"))
		return FLOOR_FREE;
	return FLOOR_SYSCALL;
}

/* Empty programs at the hooks' attach points: all of them (FLOOR) or one
 * group. */
static int floor_attach(struct hooks_bench_bpf *skel, int state,
			struct bpf_link **links, int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, skel->obj) {
		int group = floor_group(skel, p);

		if (!group || (state != FLOOR && state != group))
			continue;
		if (n == max)
			return -E2BIG;
		links[n] = bpf_program__attach(p);
		if (!links[n])
			return -errno;
		n++;
	}
	return n;
}

static void measure(struct hooks_bench_bpf *skel, int state, double *out)
{
	struct bpf_link *links[16];
	struct accounting *a = NULL;
	int n = 0;

	if (state == HOOKS && accounting_open(&a, ACCOUNTING_DEFAULT_ADDRS)) {
		fprintf(stderr, "bench/hooks: the accounting hooks would not load\n");
		exit(1);
	}
	if (state >= FLOOR) {
		n = floor_attach(skel, state, links, 16);
		if (n < 0) {
			fprintf(stderr, "bench/hooks: attaching the empty programs failed: %s\n",
				strerror(-n));
			exit(1);
		}
	}
	run_all(skel, out);
	while (n > 0)
		bpf_link__destroy(links[--n]);
	accounting_close(a);
}

static double median(double *v, int n)
{
	return quantile(v, n, 0.5);
}

/* A slowdown over the rounds: the median, and the quartiles in brackets
 * (how much the rounds scatter). */
static void print_slowdown(double *ratio)
{
	printf(" %+.1f%% (%+.1f..%+.1f) |", (median(ratio, rounds) - 1) * 100,
	       (quantile(ratio, rounds, 0.25) - 1) * 100,
	       (quantile(ratio, rounds, 0.75) - 1) * 100);
}

int main(int argc, char **argv)
{
	static const char *const names[NR_WORK] = {
		"(a) socket(AF_UNIX) + close",
		"(b) BPF program: no-prealloc hash insert/delete (map_perf_test)",
		"(c) bpf() syscalls: no-prealloc hash update/delete, map traced",
	};
	static const char *const goals[NR_WORK] = { "1%", "3%", "none" };
	double t[NR_STATE][NR_WORK][ROUNDS], ratio[NR_STATE][NR_WORK][ROUNDS];
	struct hooks_bench_bpf *skel;
	struct accounting *a;
	double warm[NR_WORK];
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("sched_setaffinity (running unpinned)");
	skel = hooks_bench_bpf__open();
	if (!skel)
		die("opening bench/hooks_bench.bpf.c");
	skel->rodata->keys = KEYS;
	if (bpf_map__set_max_entries(skel->maps.perf_hash, KEYS) ||
	    hooks_bench_bpf__load(skel))
		die("loading bench/hooks_bench.bpf.c");
	/* warm-up: caches, slabs, the per-CPU allocator */
	run_all(skel, warm);
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (rounds < 1 || rounds > ROUNDS) {
		fprintf(stderr, "bench/hooks: rounds are 1 to %d\n", ROUNDS);
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < NR_STATE; i++) {
			int s = (r + i) % NR_STATE;
			double one[NR_WORK];

			measure(skel, s, one);
			for (int w = 0; w < NR_WORK; w++)
				t[s][w][r] = one[w];
		}
		for (int s = 0; s < NR_STATE; s++)
			for (int w = 0; w < NR_WORK; w++)
				ratio[s][w][r] = t[s][w][r] / t[DETACHED][w][r];
	}
	/* which backend the HOOKS state ran, as the daemon would choose */
	if (!accounting_open(&a, ACCOUNTING_DEFAULT_ADDRS)) {
		printf("Accounting hooks: %s backend, %d rounds.\n\n",
		       accounting_backend(a, NULL), rounds);
		accounting_close(a);
	}
	printf("| workload | detached ns/op | hooks ns/op | hooks' slowdown (quartiles) | goal | empty programs' slowdown, the floor (quartiles) |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: |\n");
	for (int w = 0; w < NR_WORK; w++) {
		printf("| %s | %.0f | %.0f |", names[w],
		       median(t[DETACHED][w], rounds),
		       median(t[HOOKS][w], rounds));
		print_slowdown(ratio[HOOKS][w]);
		printf(" %s |", goals[w]);
		print_slowdown(ratio[FLOOR][w]);
		printf("\n");
	}
	printf("\nThe floor by group of attach points (empty programs at these alone):\n\n");
	printf("| workload | bpf() syscall, deferred frees (3) | allocations (4) | frees (5) |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	for (int w = 0; w < NR_WORK; w++) {
		printf("| %s |", names[w]);
		for (int s = FLOOR_SYSCALL; s <= FLOOR_FREE; s++)
			print_slowdown(ratio[s][w]);
		printf("\n");
	}
	hooks_bench_bpf__destroy(skel);
	return 0;
}
