// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/array_sort.h"
#include "base/fdinfo.h"
#include "collect/machine.h"

/* how many ids a kernel list ("0-3,8") names */
static int count_ids(const char *list)
{
	int n = 0;

	while (*list && *list != '\n') {
		char *end;
		long a = strtol(list, &end, 10), b = a;

		if (end == list)
			return -EINVAL;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b - a + 1;
		list = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The accounted kmalloc caches: kmalloc-cg-<size>, their object sizes.
 * Every name kmalloc_info[] (mm/slab_common.c) can give, each tried: a
 * listing of /sys/kernel/slab (400-odd entries) was about 4% of a warm
 * run's profile at 100 maps. Which exist depends on the architecture (the
 * smallest class, the largest: KMALLOC_MIN_SIZE, KMALLOC_SHIFT_HIGH). */
static int read_classes(struct model_env *env)
{
	static const char *const names[] = {
		"8", "16", "32", "64", "96", "128", "192", "256", "512",
		"1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k",
		"512k", "1M", "2M",
	};
	int seen = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names) &&
			   env->nr_classes < MODEL_MAX_CLASSES; i++) {
		char path[64], *text;
		unsigned long size;

		snprintf(path, sizeof(path),
			 "/sys/kernel/slab/kmalloc-cg-%s/object_size", names[i]);
		text = read_text_file(path);
		/* the classes are contiguous: past the largest, none is
		 * (96 and 192 aside, absent where the smallest is 128) */
		if (!text && errno == ENOENT && env->nr_classes &&
		    (names[i][0] != '9' && strcmp(names[i], "192")))
			break;
		if (!text) {
			if (errno != ENOENT)
				seen = -errno;
			continue;
		}
		size = strtoul(text, NULL, 10);
		free(text);
		if (size)
			env->classes[env->nr_classes++] = size;
	}
	sort_array(env->classes, env->nr_classes, sizeof(*env->classes),
		   cmp_u32);
	if (env->nr_classes)
		return 0;
	return seen ? seen : -ENOENT;
}

int machine_read(struct model_env *env)
{
	char *possible = read_text_file("/sys/devices/system/cpu/possible");
	int cpus;

	*env = (struct model_env){ .page_size = sysconf(_SC_PAGESIZE) };
	if (!possible)
		return -errno;
	cpus = count_ids(possible);
	free(possible);
	if (cpus <= 0)
		return -EINVAL;
	env->possible_cpus = cpus;
	/* kernel/bpf/core.c: SZ_2M * num_possible_nodes(); no node
	 * directory without NUMA: one node */
	possible = read_text_file("/sys/devices/system/node/possible");
	env->prog_pack_size = (2ull << 20) *
			      (possible && count_ids(possible) > 0 ?
			       count_ids(possible) : 1);
	free(possible);
	return read_classes(env);
}
