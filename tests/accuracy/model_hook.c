// SPDX-License-Identifier: GPL-2.0
/*
 * The real-bytes model (src/model/model.c) asked about a case's objects as
 * bpfmem asks it: from the map iterator's record of each object, through
 * pipeline_collect() (src/pipeline/pipeline.h), taken right after the step
 * was measured, so state only the kernel knows (counts, per-CPU caches)
 * reaches the model.
 * The truth includes each object's one fd, a struct file and a dentry: the
 * model's figure gets their slab objects added, as their caches size them.
 * A program's JIT image is left out: it sits in a shared pack that no
 * memory cgroup is charged for, so the truth cannot see it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "accuracy.h"
#include "collect/collector.h"
#include "base/fdinfo.h"
#include "pipeline/pipeline.h"

static struct collector *collector;
static __u64 fd_bytes;

/* An accounted slab object of cache: its slot (slab_size, which
 * obj_full_size() charges: filp objects of 184 bytes take 192) and its
 * memcg pointer. */
static __u64 slab_object(const char *cache)
{
	char path[256], *text;
	__u64 size;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/slab_size", cache);
	text = read_text_file(path);
	if (!text)
		return 0;
	size = strtoull(text, NULL, 10);
	free(text);
	return size + sizeof(void *);
}

int model_hook_init(char *msg, size_t msg_size)
{
	struct collector_opts opts = {
		.iters = ITER_BIT(ITER_MAPS) | ITER_BIT(ITER_PROGS),
	};
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

static const struct prog_info *find_prog(const struct inventory *inv,
					 __u32 id)
{
	size_t lo = 0, hi = inv->nr_progs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (inv->progs[mid].rec.id == id)
			return &inv->progs[mid];
		if (inv->progs[mid].rec.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The model's figure of one object, JIT image left out. */
static int object_real(const struct inventory *inv, enum acc_kind kind,
		       __u32 id, __u64 *real)
{
	const struct map_info *m;
	const struct prog_info *p;

	if (kind == ACC_PROG) {
		p = find_prog(inv, id);
		if (!p)
			return -ENOENT;
		if (!p->has_real)
			return -EOPNOTSUPP;
		*real = model_total(&p->real) - p->real.part[MODEL_PROG_JIT];
		return 0;
	}
	m = find_map(inv, id);
	if (!m)
		return -ENOENT;
	if (!m->has_real)
		return -EOPNOTSUPP;
	*real = model_total(&m->real);
	return 0;
}

int real_bytes_for_case(const struct acc_result *r,
			const struct acc_sample *s, const __u32 *ids,
			__u64 *real)
{
	struct inventory inv;
	__u64 sum = 0;
	int err;

	if (!collector)
		return -ENOSYS;
	if (!r->objs)
		return -EOPNOTSUPP;
	err = pipeline_collect(collector, &inv);
	if (err)
		return err;
	for (__u32 i = 0; i < r->objs && !err; i++) {
		__u64 one = 0;

		err = object_real(&inv, r->c->kind, ids[i], &one);
		sum += one;
	}
	inventory_free(&inv);
	if (err)
		return err;
	/* the step that opens a second fd to every object */
	*real = sum + fd_bytes * (s->step == STEP_REOPEN ? 2 : 1) * r->objs;
	return 0;
}
