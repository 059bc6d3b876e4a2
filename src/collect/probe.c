// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/memcg.h"
#include "collect/probe.h"
#include "probe.skel.h"

#define DEBUGFS "/sys/kernel/debug"
#define DEBUGFS_MAGIC 0x64626720

bool probe_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
	       CAP_TO_MASK(CAP_SYS_ADMIN);
}

int probe_memcg_table(struct features *f, struct memcg_table *t)
{
	int err = memcg_table_init(t);

	if (err)
		feature_set(f, FEAT_MEMCG, false, err == -ENOENT ? 0 : err,
			    "no memory hierarchy mounted");
	else
		feature_set(f, FEAT_MEMCG, true, 0, "cgroup %s at %s",
			    t->v2 ? "v2" : "v1 memory", t->root);
	return err;
}

void probe_memcg(struct features *f)
{
	struct memcg_table t;

	if (!probe_memcg_table(f, &t))
		memcg_table_free(&t);
}

static void probe_debugfs(struct features *f)
{
	struct statfs st;

	if (statfs(DEBUGFS, &st) || st.f_type != DEBUGFS_MAGIC)
		feature_set(f, FEAT_DEBUGFS_PERCPU, false, 0,
			    "debugfs is not mounted at " DEBUGFS);
	else if (access(DEBUGFS "/percpu_stats", R_OK))
		feature_set(f, FEAT_DEBUGFS_PERCPU, false, errno,
			    "debugfs mounted, no percpu_stats (CONFIG_PERCPU_STATS off)");
	else
		feature_set(f, FEAT_DEBUGFS_PERCPU, true, 0, DEBUGFS "/percpu_stats");
}

void probe_basic(struct features *f)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		feature_set(f, FEAT_BTF, false, errno, "/sys/kernel/btf/vmlinux");
	else
		feature_set(f, FEAT_BTF, true, 0, NULL);
	probe_debugfs(f);
}

void probe_percpu_lookup(struct features *f)
{
	/* a kprobe program loads where kprobes cannot attach */
	int r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
					BPF_FUNC_map_lookup_percpu_elem, NULL);

	feature_set(f, FEAT_PERCPU_LOOKUP, r > 0, r < 0 ? r : 0, NULL);
}

static bool btf_has_member(const struct btf *btf, const char *type,
			   const char *member)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	const struct btf_type *t;
	const struct btf_member *m;

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return true;
	return false;
}

static void probe_btf_contents(struct features *f)
{
	static const struct {
		enum feature_id id;
		const char *func;
	} kfuncs[] = {
		{ FEAT_KFUNC_ELEM_COUNT, "bpf_map_sum_elem_count" },
		{ FEAT_KFUNC_KMEM_CACHE, "bpf_get_kmem_cache" },
	};
	struct btf *btf = btf__load_vmlinux_btf();
	int err = btf ? 0 : -errno;

	for (size_t i = 0; i < sizeof(kfuncs) / sizeof(*kfuncs); i++)
		feature_set(f, kfuncs[i].id,
			    btf && btf__find_by_name_kind(btf, kfuncs[i].func,
							  BTF_KIND_FUNC) >= 0,
			    err, btf ? NULL : "vmlinux BTF unreadable");
	feature_set(f, FEAT_MAP_MEM_USAGE,
		    btf && btf_has_member(btf, "bpf_map_ops", "map_mem_usage"),
		    err, btf ? NULL : "vmlinux BTF unreadable");
	btf__free(btf);
}

static void probe_ringbuf(struct features *f)
{
	int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	feature_set(f, FEAT_RINGBUF, r > 0, r < 0 ? r : 0, NULL);
}

static struct bpf_program *probe_prog(struct probe_bpf *s, enum feature_id id)
{
	switch (id) {
	case FEAT_ITER_MAP:
		return s->progs.probe_iter_map;
	case FEAT_ITER_PROG:
		return s->progs.probe_iter_prog;
	case FEAT_ITER_TASK_FILE:
		return s->progs.probe_iter_task_file;
	case FEAT_ITER_LINK:
		return s->progs.probe_iter_link;
	case FEAT_ITER_CGROUP:
		return s->progs.probe_iter_cgroup;
	case FEAT_FENTRY:
		return s->progs.probe_fentry;
	default:
		return s->progs.probe_tracepoint;
	}
}

struct bpf_link *attach_cgroup_iter(struct bpf_program *prog, const char *root)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = {};
	struct bpf_link *link;
	int fd, err;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	info.cgroup.cgroup_fd = fd;
	info.cgroup.order = BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	link = bpf_program__attach_iter(prog, &opts);
	err = errno;
	close(fd);
	errno = err;
	return link;
}

/* The cgroup iterator walks from a cgroup: the memory hierarchy's root,
 * or the cgroup v2 mount. */
static struct bpf_link *probe_cgroup_iter(struct bpf_program *prog,
					  char *where, size_t size)
{
	struct memcg_table t;

	snprintf(where, size, "/sys/fs/cgroup");
	if (!memcg_table_init(&t)) {
		snprintf(where, size, "%s", t.root);
		memcg_table_free(&t);
	}
	return attach_cgroup_iter(prog, where);
}

/* Loads the one program of id alone, attaches it, unloads it. */
static void probe_program(struct features *f, enum feature_id id)
{
	struct probe_bpf *s = probe_bpf__open();
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	char where[256] = "";
	int err;

	if (!s) {
		feature_set(f, id, false, errno, "opening the probe object");
		return;
	}
	prog = probe_prog(s, id);
	bpf_program__set_autoload(prog, true);
	err = probe_bpf__load(s);
	if (err) {
		feature_set(f, id, false, err, "the kernel refused the load");
		goto out;
	}
	link = id == FEAT_ITER_CGROUP ?
		       probe_cgroup_iter(prog, where, sizeof(where)) :
		       bpf_program__attach(prog);
	if (!link)
		feature_set(f, id, false, errno, "loaded; the kernel refused the attach%s%s",
			    *where ? " to " : "", where);
	else
		feature_set(f, id, true, 0, *where ? "attached to %s" : NULL,
			    where);
out:
	bpf_link__destroy(link);
	probe_bpf__destroy(s);
}

static const enum feature_id iters[] = {
	FEAT_ITER_MAP, FEAT_ITER_PROG, FEAT_ITER_TASK_FILE, FEAT_ITER_LINK,
	FEAT_ITER_CGROUP,
};

void probe_iterators(struct features *f)
{
	libbpf_print_fn_t print = libbpf_set_print(NULL);

	for (size_t i = 0; i < sizeof(iters) / sizeof(*iters); i++)
		probe_program(f, iters[i]);
	libbpf_set_print(print);
}

void probe_fentry(struct features *f)
{
	libbpf_print_fn_t print = libbpf_set_print(NULL);

	probe_program(f, FEAT_FENTRY);
	libbpf_set_print(print);
}

void probe_all(struct features *f)
{
	static const enum feature_id progs[] = { FEAT_FENTRY, FEAT_TRACEPOINT };
	/* refusals are answers here, not errors to print */
	libbpf_print_fn_t print = libbpf_set_print(NULL);

	probe_basic(f);
	probe_memcg(f);
	probe_btf_contents(f);
	probe_percpu_lookup(f);
	probe_ringbuf(f);
	for (size_t i = 0; i < sizeof(iters) / sizeof(*iters); i++)
		probe_program(f, iters[i]);
	for (size_t i = 0; i < sizeof(progs) / sizeof(*progs); i++)
		probe_program(f, progs[i]);
	libbpf_set_print(print);
}
