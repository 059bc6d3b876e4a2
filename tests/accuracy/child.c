// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <linux/perf_event.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "child.h"
#include "measure.h"
#include "fill.skel.h"

#define FD_TABLE 8192		/* the fd table is grown this far early */
#define CALL_TIMEOUT_MS 300000
#define BATCH 4096		/* elements a batch update carries */
#define CPUMAP_QSIZE 256
#define STACK_TOUCH (512 << 10)
#define ENOMEM_RETRIES 1000
#define XSK_FRAMES 16		/* the AF_XDP socket's umem, 4 KiB frames */
#define XSK_RING 4
#ifndef AF_XDP			/* glibc 2.36 has no AF_XDP yet */
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* Everything the case's process holds; it is a process of its own. */
static struct {
	const struct acc_env *env;
	const struct acc_case *c;
	const char *cg;		/* the case's memory cgroup */
	struct acc_shm *shm;
	__u32 value_size;	/* struct_ops: the kernel struct's */
	__u32 max_entries;	/* as the kernel has it */
	__u32 target;		/* E: keys [0, E) */
	__u32 key_size;
	__u32 val_stride;	/* bytes of one element's value, all CPUs */
	__u8 *keys;		/* E keys */
	__u8 *vals;		/* E values */
	__u8 *walk_keys;	/* BATCH keys and values, for counting */
	__u8 *walk_vals;
	__u64 live;		/* elements in each object, as inserted */
	/* what elements point at or are keyed by */
	int *owners;
	pid_t *helpers;		/* task storage: processes to key by */
	int nhelpers;
	int btf_fd;		/* key and value types of local storages */
	__u32 vmlinux_type_id;	/* struct_ops value type */
	int inner_fd;		/* map-in-map template and element */
	int ifindex;		/* lo, for the devmaps */
	struct fill_bpf *fill;	/* FILL_BPF */
	int outer_fd;
	int template_fd;
	struct bpf_insn *insns;	/* ACC_PROG */
	int second[ACC_MAX_OBJS];	/* STEP_REOPEN */
	/* cgroup storages: a program using each map, loaded in a memory
	 * cgroup of their own (loader) */
	int progs[ACC_MAX_OBJS];
	char loader[PATH_MAX];
	void *mem[ACC_MAX_OBJS];	/* arena mappings */
} cx;

/* key walks, touched before the baseline like every buffer */
static __u8 walk_cur[ACC_SCRATCH], walk_next[ACC_SCRATCH];

static int __attribute__((format(printf, 2, 3)))
fail(int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cx.shm->msg, sizeof(cx.shm->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(cx.shm->msg))
		snprintf(cx.shm->msg + n, sizeof(cx.shm->msg) - n, ": %s",
			 strerror(-err));
	return err;
}

static bool percpu_value(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool batch_ops(__u32 type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Types whose elements can be counted by walking the keys. */
static bool countable(__u32 type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LPM_TRIE ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	       type == BPF_MAP_TYPE_SOCKHASH || type == BPF_MAP_TYPE_DEVMAP_HASH;
}

/* Types that take values only: push and pop. */
static bool keyless(__u32 type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK ||
	       type == BPF_MAP_TYPE_BLOOM_FILTER;
}

/* The legacy cgroup storages: a storage per cgroup a program using the
 * map is attached to. */
static bool cgroup_storage(__u32 type)
{
	return type == BPF_MAP_TYPE_CGROUP_STORAGE ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static bool local_storage(__u32 type)
{
	return type == BPF_MAP_TYPE_SK_STORAGE ||
	       type == BPF_MAP_TYPE_TASK_STORAGE ||
	       type == BPF_MAP_TYPE_INODE_STORAGE ||
	       type == ACC_MAP_TYPE_CGRP_STORAGE;
}

/* ---- what elements refer to, made before the baseline ---- */

static int alloc_owners(int n)
{
	cx.owners = calloc(n, sizeof(*cx.owners));
	return cx.owners ? 0 : -ENOMEM;
}

/* Bound UDP sockets: sockmap takes them once hashed. */
static int make_sockets(int n, bool reuseport)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int i, one = 1, err = alloc_owners(n);

	for (i = 0; i < n && !err; i++) {
		cx.owners[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (cx.owners[i] < 0 ||
		    (reuseport && setsockopt(cx.owners[i], SOL_SOCKET,
					     SO_REUSEPORT, &one, sizeof(one))) ||
		    bind(cx.owners[i], (struct sockaddr *)&addr, sizeof(addr)))
			err = fail(-errno, "UDP socket %d", i);
	}
	return err;
}

/* Processes that wait for their parent's death: task storage keys. */
static int make_helpers(int n)
{
	int i, err = alloc_owners(n);

	cx.helpers = calloc(n, sizeof(*cx.helpers));
	if (err || !cx.helpers)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		cx.helpers[i] = fork();
		if (cx.helpers[i] < 0)
			return fail(-errno, "fork");
		if (!cx.helpers[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		cx.nhelpers++;
		cx.owners[i] = syscall(SYS_pidfd_open, cx.helpers[i], 0);
		if (cx.owners[i] < 0)
			return fail(-errno, "pidfd_open");
	}
	return 0;
}

static int make_memfds(int n)
{
	int i, err = alloc_owners(n);

	for (i = 0; i < n && !err; i++) {
		cx.owners[i] = memfd_create("acc_inode", MFD_CLOEXEC);
		if (cx.owners[i] < 0)
			err = fail(-errno, "memfd_create");
	}
	return err;
}

/* cgroup v2 directories, in the harness's scratch cgroup that
 * acc_env_cleanup() removes with them. */
static int make_cgroups(int n)
{
	char path[PATH_MAX + 16];
	int i, err;

	if (!cx.env->v2_scratch[0])
		return fail(-ENOENT, "no cgroup v2 hierarchy for cgroup keys");
	err = alloc_owners(n);
	for (i = 0; i < n && !err; i++) {
		snprintf(path, sizeof(path), "%s/k%d", cx.env->v2_scratch, i);
		if (mkdir(path, 0755) && errno != EEXIST)
			return fail(-errno, "mkdir %s", path);
		cx.owners[i] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cx.owners[i] < 0)
			err = fail(-errno, "open %s", path);
	}
	return err;
}

/* The programs of a cgroup storage case are loaded after the maps they
 * use, in a memory cgroup beside the case's: their own memory is not the
 * maps'. */
static int make_loader(void)
{
	snprintf(cx.loader, sizeof(cx.loader), "%s.progs", cx.cg);
	if (mkdir(cx.loader, 0755) && errno != EEXIST)
		return fail(-errno, "mkdir %s", cx.loader);
	return 0;
}

static int make_perf_event(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
	};
	int err = alloc_owners(1);

	if (err)
		return err;
	cx.owners[0] = syscall(SYS_perf_event_open, &attr, -1, 0, -1,
			       PERF_FLAG_FD_CLOEXEC);
	return cx.owners[0] < 0 ? fail(-errno, "perf_event_open") : 0;
}

/* An AF_XDP socket bound to lo's queue 0 in copy mode: its umem and
 * rings are the socket's. One socket may sit in any number of slots. */
static int make_xsk(void)
{
	struct xdp_umem_reg reg = { .len = XSK_FRAMES * 4096,
				    .chunk_size = 4096 };
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP,
				     .sxdp_flags = XDP_COPY };
	int ring = XSK_RING, fd, err = alloc_owners(1), tries;
	void *mem;

	if (err)
		return err;
	fd = cx.owners[0] = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-errno, "AF_XDP socket");
	mem = mmap(NULL, reg.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail(-errno, "umem");
	reg.addr = (__u64)(unsigned long)mem;
	sxdp.sxdp_ifindex = if_nametoindex("lo");
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring,
		       sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)))
		return fail(-errno, "AF_XDP socket");
	/* an earlier case's socket holds lo's queue 0 (EBUSY) until its
	 * deferred teardown has run: the pool is released by a work item
	 * (xp_release_deferred()) once the socket's last reference, which
	 * may wait for RCU callbacks, is gone */
	for (tries = 0; bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp));
	     tries++) {
		if (errno != EBUSY || tries == 250)
			return fail(-errno, "AF_XDP socket on lo");
		acc_rcu_barrier();
		usleep(20 * 1000);
	}
	return 0;
}

static int load_prog(int insns)
{
	int i;

	for (i = 0; i < insns - 1; i++)
		cx.insns[i] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_MOV | BPF_K,
			.dst_reg = BPF_REG_0,
			.imm = i,
		};
	cx.insns[i] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "acc", "GPL",
			     cx.insns, insns, NULL);
}

/* A cgroup_skb program using the cgroup storage map fd: attached to a
 * cgroup, it gives the cgroup a storage in the map. */
static int load_storage_prog(int fd)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = fd },
		{},
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_local_storage },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_CGROUP_INET_EGRESS);

	return bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "acc_cgstore", "GPL",
			     insns, sizeof(insns) / sizeof(*insns), &opts);
}

/* Every object's program, from the loader cgroup, once. */
static int load_storage_progs(void)
{
	int o, fd, err;

	if (cx.progs[0] > 0)
		return 0;
	err = acc_cgroup_enter(cx.loader);
	if (err)
		return fail(err, "enter %s", cx.loader);
	for (o = 0; o < cx.shm->nfds && !err; o++) {
		fd = load_storage_prog(cx.shm->fds[o]);
		if (fd < 0)
			err = fail(fd, "load a cgroup_skb program");
		else
			cx.progs[o] = fd;
	}
	fd = acc_cgroup_enter(cx.cg);
	return err ?: fd ? fail(fd, "enter %s", cx.cg) : 0;
}

/* Attaches object o's program to cgroups [first, first + count), or
 * detaches it. Many programs share a cgroup: BPF_F_ALLOW_MULTI. */
static int attach_op(int o, __u32 first, __u32 count, bool del)
{
	__u32 i;
	int err = load_storage_progs();

	for (i = first; i < first + count && !err; i++) {
		err = del ? bpf_prog_detach2(cx.progs[o], cx.owners[i],
					     BPF_CGROUP_INET_EGRESS) :
			    bpf_prog_attach(cx.progs[o], cx.owners[i],
					    BPF_CGROUP_INET_EGRESS,
					    BPF_F_ALLOW_MULTI);
		if (err)
			err = fail(err, "%s program %d, cgroup %u",
				   del ? "detach" : "attach", o, i);
	}
	return err;
}

/* BTF for the local storages: an int key and a struct value of the size. */
static int make_btf(__u32 value_size)
{
	struct btf *btf = btf__new_empty();
	int id_int, id_val, err;

	if (!btf)
		return fail(-errno, "new BTF");
	id_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	id_val = btf__add_struct(btf, "acc_val", value_size);
	err = id_int < 0 ? id_int : id_val < 0 ? id_val :
	      btf__add_field(btf, "a", id_int, 0, 0);
	err = err ?: btf__load_into_kernel(btf);
	if (!err)
		cx.btf_fd = dup(btf__fd(btf));
	btf__free(btf);
	return err ? fail(err, "load BTF") : 0;
}

/* tcp_congestion_ops is built into vmlinux: no module needed. */
static int find_struct_ops(__u32 *value_size)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id;

	if (!vmlinux)
		return fail(-errno, "vmlinux BTF");
	id = btf__find_by_name_kind(vmlinux, "bpf_struct_ops_tcp_congestion_ops",
				    BTF_KIND_STRUCT);
	if (id > 0) {
		*value_size = btf__type_by_id(vmlinux, id)->size;
		cx.vmlinux_type_id = id;
	}
	btf__free(vmlinux);
	return id > 0 ? make_btf(4) : fail(id, "tcp_congestion_ops BTF");
}

static int map_create(const char *name)
{
	const struct acc_case *c = cx.c;
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = c->map_flags,
		    .map_extra = c->map_extra);

	if (local_storage(c->map_type) ||
	    c->map_type == BPF_MAP_TYPE_STRUCT_OPS) {
		opts.btf_fd = cx.btf_fd;
		opts.btf_key_type_id = c->map_type == BPF_MAP_TYPE_STRUCT_OPS ? 0 : 1;
		opts.btf_value_type_id = c->map_type == BPF_MAP_TYPE_STRUCT_OPS ? 0 : 2;
		opts.btf_vmlinux_value_type_id = cx.vmlinux_type_id;
	}
	if (c->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    c->map_type == BPF_MAP_TYPE_HASH_OF_MAPS)
		opts.inner_map_fd = cx.inner_fd;
	return bpf_map_create(c->map_type, name, c->key_size, cx.value_size,
			      c->max_entries, &opts);
}

/* The BPF filler, with an outer map that will hold the objects. */
static int load_filler(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int err;

	if (cx.c->key_size > ACC_SCRATCH || cx.c->value_size > ACC_SCRATCH)
		return fail(-E2BIG, "key or value larger than the filler's");
	cx.template_fd = map_create("acc_template");
	if (cx.template_fd < 0)
		return fail(cx.template_fd, "create the inner template");
	opts.inner_map_fd = cx.template_fd;
	cx.outer_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "acc_outer",
				     4, 4, cx.c->objs, &opts);
	if (cx.outer_fd < 0)
		return fail(cx.outer_fd, "create the outer map");
	cx.fill = fill_bpf__open();
	if (!cx.fill)
		return fail(-errno, "open the filler");
	err = bpf_map__reuse_fd(cx.fill->maps.acc_outer, cx.outer_fd) ?:
	      fill_bpf__load(cx.fill);
	return err ? fail(err, "load the filler") : 0;
}

/*
 * The filler reaches the objects through its outer map. Every update of a
 * map-in-map waits for an RCU grace period: the objects go in once, after
 * creation, and out at close, where their slots must not keep them alive.
 */
static int filler_slots(bool fill)
{
	__u32 o;
	int err;

	for (o = 0; o < (__u32)cx.shm->nfds; o++) {
		err = fill ? bpf_map_update_elem(cx.outer_fd, &o, &cx.shm->fds[o],
						 BPF_ANY) :
			     bpf_map_delete_elem(cx.outer_fd, &o);
		if (err)
			return fail(err, "slot %u of the filler's map", o);
	}
	return 0;
}

static int prepare_refs(void)
{
	const struct acc_case *c = cx.c;
	__u32 e = c->fill_target ?: c->max_entries;

	switch (c->map_type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		if (alloc_owners(1))
			return -ENOMEM;
		cx.owners[0] = load_prog(2);
		return cx.owners[0] < 0 ? fail(cx.owners[0], "load a program") : 0;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return make_perf_event();
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case ACC_MAP_TYPE_CGRP_STORAGE:
		return make_cgroups(c->map_type == BPF_MAP_TYPE_CGROUP_ARRAY ? 1 : e);
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return make_loader() ?: make_cgroups(e);
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		cx.inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "acc_inner", 4,
					     4, 1, NULL);
		return cx.inner_fd < 0 ? fail(cx.inner_fd, "create inner map") : 0;
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_SK_STORAGE:
		return make_sockets(e, false);
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		/* a socket sits in one slot of one array */
		return make_sockets(e * c->objs, true);
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		cx.ifindex = if_nametoindex("lo");
		return cx.ifindex ? 0 : fail(-errno, "ifindex of lo");
	case BPF_MAP_TYPE_XSKMAP:
		return make_xsk();
	case BPF_MAP_TYPE_TASK_STORAGE:
		return make_helpers(e);
	case BPF_MAP_TYPE_INODE_STORAGE:
		return make_memfds(e);
	}
	return 0;
}

/* Value of element i of object o, for user-space inserts. */
static void *elem_value(int o, __u32 i)
{
	static __u32 v;

	switch (cx.c->map_type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_XSKMAP:
		v = cx.owners[0];
		return &v;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		v = cx.inner_fd;
		return &v;
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
		v = cx.owners[i];
		return &v;
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		v = cx.owners[o * cx.target + i];
		return &v;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		v = cx.ifindex;
		return &v;
	case BPF_MAP_TYPE_CPUMAP:
		v = CPUMAP_QSIZE;
		return &v;
	}
	return cx.vals + (size_t)i * cx.val_stride;
}

/* Keys [0, E): the index in the first four bytes (big-endian after an
 * LPM key's prefix length), or the owner's fd for local storages. */
static int build_elements(void)
{
	const struct acc_case *c = cx.c;
	__u32 i, vsize = c->value_size;
	__u8 *k;

	cx.key_size = c->key_size;
	cx.val_stride = percpu_value(c->map_type) ?
		((vsize + 7) & ~7U) * cx.env->ncpus : vsize;
	cx.keys = calloc(cx.target ?: 1, cx.key_size ?: 1);
	cx.vals = calloc(cx.target ?: 1, cx.val_stride ?: 1);
	if (!cx.keys || !cx.vals)
		return -ENOMEM;
	/* calloc leaves fresh pages unmapped: fault them in now */
	memset(cx.keys, 0, (size_t)(cx.target ?: 1) * (cx.key_size ?: 1));
	memset(cx.vals, 0, (size_t)(cx.target ?: 1) * (cx.val_stride ?: 1));
	if (batch_ops(c->map_type)) {
		cx.walk_keys = malloc((size_t)BATCH * cx.key_size);
		cx.walk_vals = malloc((size_t)BATCH * cx.val_stride);
		if (!cx.walk_keys || !cx.walk_vals)
			return -ENOMEM;
		memset(cx.walk_keys, 0, (size_t)BATCH * cx.key_size);
		memset(cx.walk_vals, 0, (size_t)BATCH * cx.val_stride);
	}
	for (i = 0; i < cx.target && cx.key_size >= 4; i++) {
		k = cx.keys + (size_t)i * cx.key_size;
		if (c->map_type == BPF_MAP_TYPE_LPM_TRIE) {
			*(__u32 *)k = (cx.key_size - 4) * 8;
			*(__u32 *)(k + 4) = htonl(i);
		} else if (local_storage(c->map_type)) {
			*(int *)k = cx.owners[i];
		} else {
			*(__u32 *)k = i;
		}
	}
	for (i = 0; i < cx.target && cx.val_stride >= 4; i++)
		*(__u32 *)(cx.vals + (size_t)i * cx.val_stride) = i;
	return 0;
}

static void __attribute__((noinline)) touch_stack(void)
{
	volatile char buf[STACK_TOUCH];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 1024)
		buf[i] = 0;
}

/*
 * Everything that allocates kernel memory the objects do not own, done in
 * the harness's cgroup: the fd table grown, libbpf's feature probes made,
 * page tables for every buffer, and what elements refer to.
 */
static int prepare(void)
{
	const struct acc_case *c = cx.c;
	struct rlimit nofile = { FD_TABLE, FD_TABLE };
	cpu_set_t cpus;
	int fd, err;

	cx.btf_fd = cx.inner_fd = cx.outer_fd = cx.template_fd = -1;
	/* one CPU: which per-CPU caches and LRU lists elements come from
	 * must not change from run to run */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		return fail(-errno, "pin to CPU 0");
	if (setrlimit(RLIMIT_NOFILE, &nofile) || dup2(0, FD_TABLE - 1) < 0)
		return fail(-errno, "grow the fd table");
	close(FD_TABLE - 1);
	cx.insns = calloc(c->prog_insns + 2, sizeof(*cx.insns));
	if (!cx.insns)
		return -ENOMEM;
	memset(cx.insns, 0, (c->prog_insns + 2) * sizeof(*cx.insns));
	fd = load_prog(2);
	if (fd < 0)
		return fail(fd, "load a probe program");
	close(fd);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "acc_probe", 4, 4, 1, NULL);
	if (fd < 0)
		return fail(fd, "create a probe map");
	close(fd);

	if (c->kind == ACC_MAP) {
		cx.target = c->fill_target ?: c->max_entries;
		if (c->map_type == BPF_MAP_TYPE_CPUMAP)
			cx.target = cx.env->ncpus;
		cx.value_size = c->value_size;
		err = c->map_type == BPF_MAP_TYPE_STRUCT_OPS ?
		      find_struct_ops(&cx.value_size) : 0;
		err = err ?: prepare_refs();
		if (!err && local_storage(c->map_type))
			err = make_btf(c->value_size);
		if (!err && c->filler == FILL_BPF)
			err = load_filler();
		err = err ?: build_elements();
		if (err)
			return err;
	}
	memset(walk_cur, 0, sizeof(walk_cur));
	memset(walk_next, 0, sizeof(walk_next));
	touch_stack();
	return 0;
}

/* ---- the requests ---- */

static int create_objects(void)
{
	const struct acc_case *c = cx.c;
	struct bpf_map_info minfo = {};
	struct bpf_prog_info pinfo = {};
	__u32 len, i;
	int fd, err;

	for (i = 0; i < c->objs; i++) {
		fd = c->kind == ACC_PROG ? load_prog(c->prog_insns) :
		     map_create("acc");
		if (fd < 0)
			return fail(fd, "create object %u", i);
		cx.shm->fds[cx.shm->nfds++] = fd;
	}
	fd = cx.shm->fds[0];
	if (c->kind == ACC_PROG) {
		len = sizeof(pinfo);
		err = bpf_obj_get_info_by_fd(fd, &pinfo, &len);
		cx.shm->xlated_len = pinfo.xlated_prog_len;
		cx.shm->jited_len = pinfo.jited_prog_len;
	} else {
		len = sizeof(minfo);
		err = bpf_obj_get_info_by_fd(fd, &minfo, &len);
		cx.max_entries = minfo.max_entries;
		/* a per-CPU LRU list rounds max_entries to the CPUs */
		if (!c->fill_target && cx.target > cx.max_entries)
			cx.target = cx.max_entries;
		cx.shm->max_entries = minfo.max_entries;
	}
	cx.shm->fill_target = cx.target;
	if (err)
		return fail(err, "object info");
	return c->filler == FILL_BPF ? filler_slots(true) : 0;
}

static int bpf_fill(__u32 slot, __u32 first, __u32 count, bool del)
{
	__u64 args[6] = { first, count, del, slot,
			  cx.c->map_type == BPF_MAP_TYPE_LPM_TRIE ?
			  (cx.key_size - 4) * 8 : 0, 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .ctx_in = args,
		    .ctx_size_in = sizeof(args));
	int err, retries = 0;

	for (;;) {
		err = bpf_prog_test_run_opts(
			bpf_program__fd(cx.fill->progs.acc_fill), &opts);
		if (err)
			return fail(err, "run the filler");
		if (!opts.retval || del)
			return 0;
		/* A per-CPU hash without preallocation takes its values
		 * from caches refilled from irq_work (watermarks 1 and 3):
		 * a burst of inserts empties them and fails with ENOMEM.
		 * The missing keys are inserted again once refilled. */
		if (retries++ >= ENOMEM_RETRIES)
			return fail(-ENOSPC, "the filler failed %u inserts",
				    opts.retval);
		args[5] = 1;
		usleep(1000);
	}
}

static int push_pop(int fd, __u32 count, bool pop)
{
	__u32 i;
	int err;

	for (i = 0; i < count; i++) {
		err = pop ? bpf_map_lookup_and_delete_elem(fd, NULL, cx.vals) :
			    bpf_map_update_elem(fd, NULL, cx.vals, BPF_ANY);
		if (err)
			return fail(err, pop ? "pop" : "push");
	}
	return 0;
}

/* Arena pages are allocated when user space first touches them. */
static int touch_arena(int o, __u32 first, __u32 count)
{
	size_t page = cx.env->page_size;
	__u32 i;

	if (!cx.mem[o]) {
		cx.mem[o] = mmap(NULL, cx.max_entries * page,
				 PROT_READ | PROT_WRITE, MAP_SHARED,
				 cx.shm->fds[o], 0);
		if (cx.mem[o] == MAP_FAILED) {
			cx.mem[o] = NULL;
			return fail(-errno, "mmap arena");
		}
	}
	for (i = first; i < first + count; i++)
		((volatile char *)cx.mem[o])[i * page] = 1;
	return 0;
}

/*
 * From user space, in batches where the type has them. A key that an LRU
 * map evicted is not there to delete. An insert into a map without
 * preallocation fails with ENOMEM when the allocator's per-CPU cache is
 * empty and its refill (irq_work, GFP_NOWAIT) has not run yet: retried.
 */
static int user_op(int o, __u32 first, __u32 count, bool del)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	bool batch = batch_ops(cx.c->map_type);
	__u32 i = first, end = first + count, n;
	int fd = cx.shm->fds[o], retries = 0, err;
	void *key;

	while (i < end) {
		key = cx.keys + (size_t)i * cx.key_size;
		if (batch) {
			n = end - i < BATCH ? end - i : BATCH;
			err = del ? bpf_map_delete_batch(fd, key, &n, &opts) :
				    bpf_map_update_batch(fd, key,
							 cx.vals + (size_t)i * cx.val_stride,
							 &n, &opts);
		} else {
			err = del ? bpf_map_delete_elem(fd, key) :
				    bpf_map_update_elem(fd, key, elem_value(o, i),
							BPF_ANY);
			n = !err;
		}
		/* a failed batch reports how far it got */
		i += n;
		if (n)
			retries = 0;
		if (!err)
			continue;
		if (del && err == -ENOENT)
			i++;
		else if (!del && err == -ENOMEM && retries++ < ENOMEM_RETRIES)
			usleep(1000);
		else
			return fail(err, "%s element %u", del ? "delete" : "insert", i);
	}
	return 0;
}

/* Inserts (or deletes) keys [first, first + count) of object o. */
static int elements_op(int o, __u32 first, __u32 count, bool del)
{
	const struct acc_case *c = cx.c;

	if (c->filler == FILL_BPF)
		return bpf_fill(o, first, count, del);
	if (c->map_type == ACC_MAP_TYPE_ARENA)
		return del ? fail(-EOPNOTSUPP, "arena delete") :
			     touch_arena(o, first, count);
	if (keyless(c->map_type))
		return push_pop(cx.shm->fds[o], count, del);
	if (cgroup_storage(c->map_type))
		return attach_op(o, first, count, del);
	return user_op(o, first, count, del);
}

/* Counts the elements: in batches where the type has them. */
static int count_keys(int fd, __u64 *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 in, out, cnt;
	void *prev = NULL;
	int err;

	*n = 0;
	if (batch_ops(cx.c->map_type)) {
		do {
			cnt = BATCH;
			err = bpf_map_lookup_batch(fd, prev, &out, cx.walk_keys,
						   cx.walk_vals, &cnt, &opts);
			*n += cnt;
			in = out;
			prev = &in;
		} while (!err);
	} else {
		while (!(err = bpf_map_get_next_key(fd, prev, walk_next))) {
			memcpy(walk_cur, walk_next, cx.key_size);
			prev = walk_cur;
			(*n)++;
		}
	}
	return err == -ENOENT ? 0 : fail(err, "count the elements");
}

static int reopen(void)
{
	struct bpf_map_info minfo = {};
	struct bpf_prog_info pinfo = {};
	__u32 len;
	int o, fd, err;

	for (o = 0; o < cx.shm->nfds; o++) {
		fd = cx.shm->fds[o];
		if (cx.c->kind == ACC_PROG) {
			len = sizeof(pinfo);
			err = bpf_obj_get_info_by_fd(fd, &pinfo, &len);
			fd = err ?: bpf_prog_get_fd_by_id(pinfo.id);
		} else {
			len = sizeof(minfo);
			err = bpf_obj_get_info_by_fd(fd, &minfo, &len);
			fd = err ?: bpf_map_get_fd_by_id(minfo.id);
		}
		if (fd < 0)
			return fail(fd, "reopen object %d by id", o);
		cx.second[o] = fd;
	}
	return 0;
}

static int step(enum acc_step s)
{
	__u32 half = cx.target / 2, first = 0, count = 0;
	__s64 change = 0;
	bool del = false;
	int o, err = 0;
	__u64 n;

	switch (s) {
	case STEP_HALF:
	case STEP_REFILL:
		count = half;
		change = half;
		break;
	case STEP_FULL:
		first = half;
		count = cx.target - half;
		change = count;
		break;
	case STEP_UPDATE:
		count = cx.target;
		break;
	case STEP_DEL_HALF:
		count = half;
		change = -(__s64)half;
		del = true;
		break;
	case STEP_DEL_ALL:
		first = half;
		count = cx.target - half;
		change = -(__s64)count;
		del = true;
		break;
	case STEP_REOPEN:
		return reopen();
	case STEP_END:
		return fail(-EINVAL, "no such step");
	}
	for (o = 0; o < cx.shm->nfds && !err; o++)
		err = elements_op(o, first, count, del);
	if (err)
		return err;
	/* a detached program leaves its storage to the cgroup, for the next
	 * attachment (commit 7d9c3427894f, v5.9): it goes with the cgroup
	 * or the map */
	if (del && cgroup_storage(cx.c->map_type))
		change = 0;
	cx.live += change;
	cx.shm->elements = cx.live * cx.shm->nfds;
	cx.shm->counted = countable(cx.c->map_type);
	for (o = 0; o < cx.shm->nfds && cx.shm->counted && !err; o++) {
		err = count_keys(cx.shm->fds[o], &n);
		cx.shm->elements += n - cx.live;
	}
	return err;
}

static void close_objects(void)
{
	int o;

	if (cx.c->filler == FILL_BPF)
		filler_slots(false);
	for (o = 0; o < cx.shm->nfds; o++) {
		/* the key cgroups outlive the case: its attachments go */
		for (__u32 i = 0; cx.progs[o] > 0 && i < cx.target; i++)
			bpf_prog_detach2(cx.progs[o], cx.owners[i],
					 BPF_CGROUP_INET_EGRESS);
		if (cx.progs[o] > 0)
			close(cx.progs[o]);
		cx.progs[o] = 0;
		if (cx.mem[o])
			munmap(cx.mem[o], cx.max_entries * cx.env->page_size);
		if (cx.second[o] > 0)
			close(cx.second[o]);
		close(cx.shm->fds[o]);
	}
	cx.shm->nfds = 0;
}

/* The cgroup v2 key directories go with the harness's (acc_env_cleanup). */
static void cleanup(void)
{
	int i;

	for (i = 0; i < cx.nhelpers; i++)
		kill(cx.helpers[i], SIGKILL);
	while (cx.nhelpers && wait(NULL) > 0)
		;
	if (cx.loader[0])
		rmdir(cx.loader);
}

/* ---- the channel ---- */

static int wait_event(int fd, pid_t peer)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	eventfd_t v;
	int n, waited = 0;

	/* the parent checks every second that the child still lives; the
	 * child has PR_SET_PDEATHSIG instead */
	while ((n = poll(&pfd, 1, peer ? 1000 : -1)) == 0 ||
	       (n < 0 && errno == EINTR)) {
		waited += 1000;
		if (peer && (waitpid(peer, NULL, WNOHANG) == peer ||
			     waited > CALL_TIMEOUT_MS))
			return -ECHILD;
	}
	if (n < 0)
		return -errno;
	return eventfd_read(fd, &v) ? -errno : 0;
}

static void __attribute__((noreturn)) child_main(const struct acc_env *env,
						 const struct acc_case *c,
						 const char *cg,
						 struct acc_child *ch)
{
	struct acc_shm *shm = ch->shm;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	cx.env = env;
	cx.c = c;
	cx.cg = cg;
	cx.shm = shm;
	/* a shared mapping is faulted in anew after fork: page tables now */
	memset(shm->msg, 0, sizeof(shm->msg));
	shm->fds[ACC_MAX_OBJS - 1] = 0;
	err = prepare();
	if (!err) {
		err = acc_cgroup_enter(cg);
		if (err)
			fail(err, "enter %s", cg);
	}
	shm->err = err;
	eventfd_write(ch->to_parent, 1);
	while (!err && !wait_event(ch->to_child, 0)) {
		shm->msg[0] = '\0';
		switch (shm->cmd) {
		case CMD_CREATE:
			shm->err = create_objects();
			break;
		case CMD_STEP:
			shm->err = step(shm->step);
			break;
		case CMD_CLOSE:
			close_objects();
			shm->err = 0;
			break;
		case CMD_EXIT:
			cleanup();
			eventfd_write(ch->to_parent, 1);
			_exit(0);
		}
		eventfd_write(ch->to_parent, 1);
	}
	cleanup();
	_exit(1);
}

int acc_child_start(const struct acc_env *env, const struct acc_case *c,
		    const char *cg, struct acc_child *ch)
{
	int err;

	ch->shm = mmap(NULL, sizeof(*ch->shm), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ch->shm == MAP_FAILED) {
		ch->shm = NULL;
		return -errno;
	}
	memset(ch->shm, 0, sizeof(*ch->shm));
	ch->to_child = eventfd(0, EFD_CLOEXEC);
	ch->to_parent = eventfd(0, EFD_CLOEXEC);
	if (ch->to_child < 0 || ch->to_parent < 0)
		return -errno;
	fflush(NULL);
	ch->pid = fork();
	if (ch->pid < 0)
		return -errno;
	if (!ch->pid)
		child_main(env, c, cg, ch);
	err = wait_event(ch->to_parent, ch->pid);
	return err ?: ch->shm->err;
}

int acc_child_call(struct acc_child *ch, enum acc_cmd cmd, enum acc_step step)
{
	int err;

	ch->shm->cmd = cmd;
	ch->shm->step = step;
	if (eventfd_write(ch->to_child, 1))
		return -errno;
	err = wait_event(ch->to_parent, ch->pid);
	return err ?: ch->shm->err;
}

void acc_child_stop(struct acc_child *ch)
{
	if (ch->pid > 0) {
		if (acc_child_call(ch, CMD_EXIT, STEP_END))
			kill(ch->pid, SIGKILL);
		waitpid(ch->pid, NULL, 0);
	}
	if (ch->to_child >= 0)
		close(ch->to_child);
	if (ch->to_parent >= 0)
		close(ch->to_parent);
	if (ch->shm)
		munmap(ch->shm, sizeof(*ch->shm));
	*ch = (struct acc_child){ .to_child = -1, .to_parent = -1 };
}
