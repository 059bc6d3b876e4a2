// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroup counters for 1,000 cgroups: bpfmem's cgroup iterator (one
 * read for all) against reading each cgroup's memory.stat, and against
 * reading the usage, limit and kmem files that hold the same three
 * figures, in the same run. Prints a Markdown table row per method.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "collect/collector.h"
#include "base/memcg.h"
#include "pipeline/pipeline.h"

#define NR_CGROUPS 1000
#define RUNS 11

static char root[4096];
static int v2;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static size_t read_file(const char *path)
{
	char buf[16384];
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	return total;
}

static void read_stat_files(void)
{
	char path[4200];

	for (int i = 0; i < NR_CGROUPS; i++) {
		snprintf(path, sizeof(path), "%s/bpfmem_bench/c%d/memory.stat",
			 root, i);
		read_file(path);
	}
}

static void read_counter_files(void)
{
	static const char *const v1[] = { "memory.usage_in_bytes",
					  "memory.limit_in_bytes",
					  "memory.kmem.usage_in_bytes" };
	static const char *const v2files[] = { "memory.current", "memory.max",
					       "memory.current" };
	char path[4200];

	for (int i = 0; i < NR_CGROUPS; i++)
		for (int f = 0; f < 3; f++) {
			snprintf(path, sizeof(path), "%s/bpfmem_bench/c%d/%s",
				 root, i, v2 ? v2files[f] : v1[f]);
			read_file(path);
		}
}

static struct collector *collector;

static void read_iterator(void)
{
	struct inventory inv;
	int err = pipeline_collect(collector, &inv);

	if (err) {
		fprintf(stderr, "collecting failed: %s\n", strerror(-err));
		exit(1);
	}
	if (inv.nr_memcg_recs < NR_CGROUPS) {
		fprintf(stderr, "the iterator saw %zu cgroups\n",
			inv.nr_memcg_recs);
		exit(1);
	}
	inventory_free(&inv);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double wall, cpu;
};

static struct result measure(void (*fn)(void))
{
	double wall[RUNS], cpu[RUNS];

	fn();	/* warm: dentries, the page cache, the iterator's pages */
	for (int r = 0; r < RUNS; r++) {
		double w0 = now_ms(), c0 = cpu_ms();

		fn();
		wall[r] = now_ms() - w0;
		cpu[r] = cpu_ms() - c0;
	}
	qsort(wall, RUNS, sizeof(double), cmp_double);
	qsort(cpu, RUNS, sizeof(double), cmp_double);
	return (struct result){ wall[RUNS / 2], cpu[RUNS / 2] };
}

static void cleanup(void)
{
	char path[4200];

	for (int i = 0; i < NR_CGROUPS; i++) {
		snprintf(path, sizeof(path), "%s/bpfmem_bench/c%d", root, i);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/bpfmem_bench", root);
	rmdir(path);
}

int main(void)
{
	struct collector_opts opts = { .iters = ITER_BIT(ITER_MEMCGS) };
	struct result it, stat, files;
	struct memcg_table t;
	char path[4200], msg[256];
	int code;

	if (memcg_table_init(&t)) {
		fprintf(stderr, "no memory cgroup hierarchy\n");
		return 1;
	}
	snprintf(root, sizeof(root), "%s", t.root);
	v2 = t.v2;
	memcg_table_free(&t);
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/bpfmem_bench", root);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < NR_CGROUPS; i++) {
		snprintf(path, sizeof(path), "%s/bpfmem_bench/c%d", root, i);
		if (mkdir(path, 0755) && errno != EEXIST) {
			perror(path);
			return 1;
		}
	}
	if (collector_new(&opts, &collector, msg, sizeof(msg), &code)) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	it = measure(read_iterator);
	stat = measure(read_stat_files);
	files = measure(read_counter_files);
	collector_free(collector);

	printf("| method | wall ms | CPU ms | iterator faster (wall) | (CPU) |\n");
	printf("| --- | ---: | ---: | ---: | ---: |\n");
	printf("| bpfmem's cgroup iterator (usage, limit, kmem of all) | %.2f | %.2f | | |\n",
	       it.wall, it.cpu);
	printf("| read memory.stat of each | %.2f | %.2f | %.1fx | %.1fx |\n",
	       stat.wall, stat.cpu, stat.wall / it.wall, stat.cpu / it.cpu);
	printf("| read the usage, limit and kmem files of each | %.2f | %.2f | %.1fx | %.1fx |\n",
	       files.wall, files.cpu, files.wall / it.wall,
	       files.cpu / it.cpu);
	return 0;
}
