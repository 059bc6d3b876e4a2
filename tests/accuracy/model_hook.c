// SPDX-License-Identifier: GPL-2.0
/*
 * The real-bytes model (src/model.c) asked about a case: its parameters,
 * the kernel's struct sizes from its BTF, this machine's allocators. The
 * truth includes each object's one fd, a struct file and a dentry: the
 * model's figure gets their slab objects added, as their caches size them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/btf.h>
#include "accuracy.h"
#include "fdinfo.h"
#include "model.h"

static struct model_env env;
static struct bpfmem_kernel_sizes kernel;
static __u64 fd_bytes;
static int ready;	/* 0: not tried, 1: ready, <0: -errno */

static __u32 struct_size(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	__s64 size = id < 0 ? id : btf__resolve_size(btf, id);

	return size < 0 ? 0 : size;
}

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

static int init(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err = model_env_init(&env);

	if (!btf)
		return -errno;
	kernel = (struct bpfmem_kernel_sizes){
		.htab = struct_size(btf, "bpf_htab"),
		.htab_elem = struct_size(btf, "htab_elem"),
		.bucket = struct_size(btf, "bucket"),
		.array = struct_size(btf, "bpf_array"),
		.queue_stack = struct_size(btf, "bpf_queue_stack"),
		.freelist_head = struct_size(btf, "pcpu_freelist_head"),
		.lru_locallist = struct_size(btf, "bpf_lru_locallist"),
		.lru_list = struct_size(btf, "bpf_lru_list"),
		.mem_cache = struct_size(btf, "bpf_mem_cache"),
	};
	btf__free(btf);
	fd_bytes = slab_object("filp") + slab_object("dentry");
	return err;
}

int real_bytes_for_case(const struct acc_result *r,
			const struct acc_sample *s, __u64 *real)
{
	const struct acc_case *c = r->c;
	struct bpfmem_map_rec m;
	struct model_bytes b;
	int err;

	if (!ready)
		ready = init() ?: 1;
	if (ready < 0)
		return ready;
	if (c->kind != ACC_MAP || !r->objs)
		return -EOPNOTSUPP;
	m = (struct bpfmem_map_rec){
		.type = c->map_type,
		.map_flags = c->map_flags,
		.key_size = c->key_size,
		.value_size = c->value_size,
		.max_entries = r->max_entries,
		.elements = s->elements / r->objs,
		.rec_flags = BPFMEM_MAP_HAS_ELEMENTS,
		/* the harness runs as root, with CAP_PERFMON */
		.bypass_spec_v1 = true,
		.sizes = kernel,
	};
	err = model_map_bytes(&env, &m, &b);
	if (err)
		return err;
	/* the step that opens a second fd to every object */
	*real = (model_total(&b) +
		 fd_bytes * (s->step == STEP_REOPEN ? 2 : 1)) * r->objs;
	return 0;
}
