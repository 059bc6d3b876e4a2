// SPDX-License-Identifier: GPL-2.0
/*
 * The real-bytes model (src/model.c) asked about a case's objects as
 * bpfmem asks it: from the map iterator's record of each object (the
 * collector, src/collector.c), taken right after the step was measured, so
 * state only the kernel knows (counts, per-CPU caches) reaches the model.
 * The truth includes each object's one fd, a struct file and a dentry: the
 * model's figure gets their slab objects added, as their caches size them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "accuracy.h"
#include "collector.h"
#include "fdinfo.h"

static struct collector *collector;
static __u64 fd_bytes;

/* An accounted slab object of cache: its size and its memcg pointer. */
static __u64 slab_object(const char *cache)
{
	char path[256], *text;
	__u64 size;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/object_size", cache);
	text = read_text_file(path);
	if (!text)
		return 0;
	size = strtoull(text, NULL, 10);
	free(text);
	return size + sizeof(void *);
}

int model_hook_init(char *msg, size_t msg_size)
{
	struct collector_opts opts = { .iters = ITER_BIT(ITER_MAPS) };
	int code;

	fd_bytes = slab_object("filp") + slab_object("dentry");
	return collector_new(&opts, &collector, msg, msg_size, &code);
}

void model_hook_exit(void)
{
	collector_free(collector);
	collector = NULL;
}

static const struct map_info *find_map(const struct inventory *inv, __u32 id)
{
	size_t lo = 0, hi = inv->nr_maps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (inv->maps[mid].rec.id == id)
			return &inv->maps[mid];
		if (inv->maps[mid].rec.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int real_bytes_for_case(const struct acc_result *r,
			const struct acc_sample *s, const __u32 *map_ids,
			__u64 *real)
{
	struct inventory inv;
	__u64 sum = 0;
	int err;

	if (!collector)
		return -ENOSYS;
	if (r->c->kind != ACC_MAP || !r->objs)
		return -EOPNOTSUPP;
	err = collector_collect(collector, &inv);
	if (err)
		return err;
	for (__u32 i = 0; i < r->objs && !err; i++) {
		const struct map_info *m = find_map(&inv, map_ids[i]);

		if (!m)
			err = -ENOENT;
		else if (!m->has_real)
			err = -EOPNOTSUPP;
		else
			sum += model_total(&m->real);
	}
	inventory_free(&inv);
	if (err)
		return err;
	/* the step that opens a second fd to every object */
	*real = sum + fd_bytes * (s->step == STEP_REOPEN ? 2 : 1) * r->objs;
	return 0;
}
