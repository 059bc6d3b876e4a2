// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/accounting.h"
#include "hooks.skel.h"
#include "base/log.h"
#include "collect/machine.h"
#include "collect/probe.h"
#include "base/array_sort.h"

struct accounting {
	struct hooks_bpf *skel;
	struct bpfmem_traced *objs;	/* ascending kaddr */
	size_t nr_objs, cap;
	bool fentry;			/* the fentry backend runs */
	char why[256];			/* why this backend */
};

/* __GFP_ACCOUNT from this kernel's BTF: ___GFP_ACCOUNT_BIT, an
 * enumerator of an anonymous enum (include/linux/gfp_types.h); kernels
 * before 6.0 have a #define only, with the bit the default keeps. */
static void find_gfp_account(struct hooks_bpf *skel, const struct btf *btf)
{
	__u32 n;

	if (!btf)
		return;
	n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (__u16 i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, e[i].name_off),
				    "___GFP_ACCOUNT_BIT")) {
				skel->rodata->gfp_account = 1ull << e[i].val;
				return;
			}
	}
}

/* The function an fentry/fexit program of the hooks attaches to, NULL
 * for the others. */
static const char *fentry_target(const struct bpf_program *prog)
{
	enum bpf_attach_type t = bpf_program__expected_attach_type(prog);
	const char *sec = bpf_program__section_name(prog);

	if (bpf_program__type(prog) != BPF_PROG_TYPE_TRACING ||
	    (t != BPF_TRACE_FENTRY && t != BPF_TRACE_FEXIT))
		return NULL;
	sec = strchr(sec, '/');
	return sec ? sec + 1 : NULL;
}

/* Whether the bpf() syscall's tracepoints scope the calls (else fentry
 * on __sys_bpf does) and whether a workqueue tracepoint sees the
 * deferred frees (else fentry on the free functions does). */
static void tracepoints(struct hooks_bpf *skel, bool syscall, bool work)
{
	bpf_program__set_autoload(skel->progs.hooks_bpf_enter, syscall);
	bpf_program__set_autoload(skel->progs.hooks_bpf_exit, syscall);
	bpf_program__set_autoload(skel->progs.hooks_work_start, work);
}

/*
 * Enables the fentry programs whose function is in this kernel's BTF,
 * where the probe fentry program (src/collect/probe.c, on the first wrapper)
 * loads and attaches: the kernel may refuse fentry whatever its version
 * (EPERM under lockdown or a BPF LSM policy, ENOTSUPP without a
 * trampoline). Names them, or why none, in h->why. Whether any runs.
 */
static bool choose_fentry(struct accounting *h, const struct btf *btf)
{
	struct hooks_bpf *k = h->skel;
	struct features f = {};
	struct bpf_program *prog;
	const char *func;
	size_t n;

	probe_fentry(&f);
	if (!feature_has(&f, FEAT_FENTRY)) {
		feature_message(&f, FEAT_FENTRY, h->why, sizeof(h->why));
		return false;
	}
	n = snprintf(h->why, sizeof(h->why), "fentry/fexit attach here; hooked:");
	bpf_object__for_each_program(prog, h->skel->obj) {
		func = fentry_target(prog);
		if (!func || !btf || btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) <= 0)
			continue;
		bpf_program__set_autoload(prog, true);
		if (bpf_program__expected_attach_type(prog) == BPF_TRACE_FENTRY &&
		    n < sizeof(h->why))
			n += snprintf(h->why + n, sizeof(h->why) - n, " %s", func);
	}
	/* the tracepoints that scope bpf() calls and see the deferred frees
	 * only where their fentry programs have no function */
	tracepoints(k, !bpf_program__autoload(k->progs.hooks_sys_bpf_enter),
		    !bpf_program__autoload(k->progs.hooks_map_free_deferred) ||
			    !bpf_program__autoload(k->progs.hooks_prog_free_deferred));
	return true;
}

/* Opens and loads the hooks, the fentry programs too where choose_fentry()
 * says so (with_fentry); 0 or -errno, logged. */
static int load_hooks(struct accounting *h, const struct model_env *env,
		      const struct btf *btf, __u32 max_addrs, bool with_fentry)
{
	int err;

	h->skel = hooks_bpf__open();
	if (!h->skel) {
		err = -errno;
		log_error("opening the accounting hooks failed: %s\n",
			  strerror(-err));
		return err;
	}
	h->skel->rodata->page_size = env->page_size;
	h->skel->rodata->possible_cpus = env->possible_cpus;
	h->skel->rodata->kmalloc_max = env->classes[env->nr_classes - 1];
	find_gfp_account(h->skel, btf);
	tracepoints(h->skel, true, true);
	h->fentry = with_fentry && choose_fentry(h, btf);
	err = bpf_map__set_max_entries(h->skel->maps.addrs, max_addrs);
	if (!err)
		err = hooks_bpf__load(h->skel);
	if (err && h->fentry)
		return err;	/* the caller falls back to tracepoints */
	if (err) {
		log_error("loading the accounting hooks failed: %s; bytes_traced is not reported (the kmem and percpu tracepoints and %u preallocated table entries are needed)\n",
			  strerror(-err), max_addrs);
		return err;
	}
	return 0;
}

int accounting_open(struct accounting **out, __u32 max_addrs)
{
	struct accounting *h = calloc(1, sizeof(*h));
	struct btf *btf = NULL;
	struct model_env env;
	int err;

	if (!h)
		return -ENOMEM;
	err = machine_read(&env);
	if (err || !env.nr_classes) {
		err = err ?: -ENOENT;
		log_error("the accounting hooks need this machine's slab size classes (/sys/kernel/slab/kmalloc-cg-*) and possible CPUs: %s; bytes_traced is not reported\n",
			  strerror(-err));
		goto fail;
	}
	btf = btf__load_vmlinux_btf();
	err = load_hooks(h, &env, btf, max_addrs, true);
	if (err && h->fentry) {
		snprintf(h->why, sizeof(h->why),
			 "loading the fentry programs failed: %s", strerror(-err));
		hooks_bpf__destroy(h->skel);
		err = load_hooks(h, &env, btf, max_addrs, false);
	}
	if (err)
		goto fail;
	log_debug("accounting hooks: %s backend (%s)\n", accounting_backend(h, NULL),
		  h->why);
	err = hooks_bpf__attach(h->skel);
	if (err) {
		log_error("attaching the accounting hooks (%s backend) failed: %s; bytes_traced is not reported (tracepoints kmem/*, percpu/*, syscalls/sys_*_bpf need tracefs: mount -t tracefs none /sys/kernel/tracing)\n",
			  accounting_backend(h, NULL), strerror(-err));
		goto fail;
	}
	btf__free(btf);
	*out = h;
	return 0;
fail:
	btf__free(btf);
	accounting_close(h);
	return err;
}

const char *accounting_backend(const struct accounting *h, const char **why)
{
	if (why)
		*why = h->why;
	return h->fentry ? "fentry" : "tracepoint";
}

static int cmp_kaddr(const void *pa, const void *pb)
{
	const struct bpfmem_traced *a = pa, *b = pb;

	return a->kaddr < b->kaddr ? -1 : a->kaddr > b->kaddr;
}

/* Every created object, by address: one walk of the objects map. */
int accounting_refresh(struct accounting *h)
{
	int fd = bpf_map__fd(h->skel->maps.objects);
	__u64 key, next;
	__u64 *prev = NULL;

	h->nr_objs = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct bpfmem_traced t;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &t))
			continue;	/* freed meanwhile */
		if (!(t.flags & BPFMEM_TRACED_CREATED))
			continue;
		if (h->nr_objs == h->cap) {
			size_t cap = h->cap ? 2 * h->cap : 256;
			void *p = realloc(h->objs, cap * sizeof(*h->objs));

			if (!p)
				return -ENOMEM;
			h->objs = p;
			h->cap = cap;
		}
		h->objs[h->nr_objs++] = t;
	}
	sort_array(h->objs, h->nr_objs, sizeof(*h->objs), cmp_kaddr);
	return 0;
}

static const struct bpfmem_traced *find(const struct accounting *h, __u64 kaddr,
					__u32 kind, __u32 id)
{
	struct bpfmem_traced k = { .kaddr = kaddr };
	const struct bpfmem_traced *t;

	if (!h->nr_objs)	/* objs is NULL then: no bsearch() of it */
		return NULL;
	t = bsearch(&k, h->objs, h->nr_objs, sizeof(k), cmp_kaddr);
	/* the id tells a new object at a reused address from the old one */
	return t && t->kind == kind && t->id == id ? t : NULL;
}

int accounting_join(struct accounting *h, struct inventory *inv)
{
	int err = accounting_refresh(h);

	if (err)
		return err;
	for (size_t i = 0; i < inv->nr_maps; i++) {
		struct map_info *m = &inv->maps[i];
		const struct bpfmem_traced *t =
			find(h, m->rec.kaddr, BPFMEM_TRACED_MAP, m->rec.id);

		m->has_traced = t;
		if (t)
			m->traced = *t;
	}
	for (size_t i = 0; i < inv->nr_progs; i++) {
		struct prog_info *p = &inv->progs[i];
		const struct bpfmem_traced *t =
			find(h, p->rec.kaddr, BPFMEM_TRACED_PROG, p->rec.id);

		p->has_traced = t;
		if (t)
			p->traced = *t;
	}
	return 0;
}

const struct bpfmem_traced *accounting_find_id(const struct accounting *h, __u32 kind,
					  __u32 id)
{
	for (size_t i = 0; i < h->nr_objs; i++)
		if (h->objs[i].kind == kind && h->objs[i].id == id)
			return &h->objs[i];
	return NULL;
}

void accounting_close(struct accounting *h)
{
	if (!h)
		return;
	hooks_bpf__destroy(h->skel);
	free(h->objs);
	free(h);
}
