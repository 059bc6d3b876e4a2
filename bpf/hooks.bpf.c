// SPDX-License-Identifier: GPL-2.0
/*
 * Accounting hooks, tracepoint backend: the bytes the kernel allocates on
 * behalf of each BPF map and program created while these run
 * (include/hooks.h).
 *
 * Scoping: allocations count when the current thread is inside a bpf()
 * call that creates a map or program (the object gets a cookie on entry;
 * its address is known when the call returns the fd) or changes a map
 * already tracked (updates, deletes, batches: the map is found from the
 * fd on entry). Every counted allocation is remembered by address, so
 * that its free, wherever it happens (RCU callbacks, the deferred free of
 * the map), subtracts it again. What BPF programs allocate from the
 * bpf_mem_alloc caches outside such a call is not seen: the model
 * (src/model/model.c) covers it.
 *
 * Fast paths: an allocation returns after one load when no thread is
 * inside such a call (scoped == 0); a free returns after a look at a
 * counting filter of recorded addresses (.bss), so most frees never touch
 * a hash map.
 *
 * The fentry backend (the optional programs at the end, enabled by
 * src/collect/accounting.c where a probe fentry program loads and attaches):
 * fentry/fexit around the kernel's allocation wrappers that take the map
 * (bpf_map_kmalloc_node, bpf_map_kzalloc, bpf_map_kvcalloc,
 * bpf_map_alloc_percpu) and around the bpf_mem_alloc refill (alloc_bulk,
 * whose cache is learnt while its map is created) name the map the
 * allocations inside are for, in any context: what a BPF program inserts
 * into a hash map, an LPM trie or a local storage is then counted to that
 * map, and an update a bpf() call makes on behalf of another map is
 * counted to the right one. The bytes still come from the allocator
 * tracepoints, which see the size class and the pages.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "traced.h"
#include "core_fixes.bpf.h"
#include "bpf_syscall.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EEXIST 17

extern const void bpf_map_free_deferred __ksym;
extern const void bpf_prog_free_deferred __ksym;

/* Set by user space before load: this machine's allocators. */
const volatile __u32 page_size = 4096;
const volatile __u32 possible_cpus = 1;
/* the largest kmalloc size class: bigger kmallocs are pages, seen by
 * mm_page_alloc */
const volatile __u64 kmalloc_max = 8192;
/* __GFP_ACCOUNT: an enumerator of an anonymous enum in this kernel's BTF
 * (include/linux/gfp_types.h), which CO-RE cannot name; user space finds
 * it */
const volatile __u64 gfp_account = 1u << 22;

/* Threads inside a scoped bpf() call. */
__u32 scoped;

/* Counting filter over recorded addresses: a free whose slot is 0 was
 * not recorded. */
#define FILTER_SLOTS (1u << 16)
__u32 filter[FILTER_SLOTS];

enum addr_space {
	SPACE_SLAB = 1,		/* object address */
	SPACE_PAGE = 2,		/* struct page * */
	SPACE_PERCPU = 3,	/* __percpu pointer */
};

struct scope {
	__u64 cookie;
	__u32 cmd;
	__u32 pad;
};

struct addr_key {
	__u64 addr;
	__u64 space;
};

struct addr_val {
	__u64 cookie;
	__u32 bytes;
	__u16 class;
	__u16 root;
};

/* Thread id -> the object of the allocation wrapper it is inside (fentry
 * backend). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} owned SEC(".maps");

/* Who an interrupt's allocations are for, on this CPU: set by the first
 * wrapper or refill an interrupt enters (an interrupt nested in it counts
 * to the same owner), cleared by the one that set it. Interrupts do not
 * sleep; threads do, so their own are kept by thread id (owned). */
struct irq_owner {
	__u64 marker;		/* the map or cache entered; 0: free */
	__u64 cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_owner);
} irq_owned SEC(".maps");

/* bpf_mem_cache address -> the object it allocates for, learnt while the
 * map is created (its caches are prefilled in that call). LRU: entries of
 * freed maps go; a new map at the same address is learnt anew. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} mem_caches SEC(".maps");

/* Thread id -> the object its bpf() call works for. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct scope);
} scopes SEC(".maps");

/* Cookie -> what was traced for the object. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct bpfmem_traced);
} objects SEC(".maps");

/* Object address -> cookie, for calls naming the object by fd. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} owners SEC(".maps");

/* Every live allocation counted: whose, how many bytes. Preallocated (the
 * default), so that recording allocates nothing itself; its size is set
 * by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, struct addr_key);
	__type(value, struct addr_val);
} addrs SEC(".maps");

static __always_inline __u32 filter_slot(__u64 addr, __u64 space)
{
	__u64 h = (addr ^ (space << 60)) * 0x9e3779b97f4a7c15ULL;

	return (h >> 40) & (FILTER_SLOTS - 1);
}

/* A memory cgroup with no parent: the root. */
static __always_inline bool root_memcg(struct mem_cgroup *memcg)
{
	return memcg && !BPF_CORE_READ(memcg, css.parent);
}

/* The allocation at addr is being freed: subtract it from its object. */
static __always_inline void account_free(__u64 addr, __u64 space)
{
	__u32 slot = filter_slot(addr, space);
	struct addr_key key = { .addr = addr, .space = space };
	struct bpfmem_traced *t;
	struct addr_val *v;
	__u64 cookie;
	__s64 bytes;
	__u16 class;
	bool root;

	/* the fast path: no helper call, two loads */
	if (!addr || !filter[slot])
		return;
	v = bpf_map_lookup_elem(&addrs, &key);
	if (!v)
		return;
	cookie = v->cookie;
	bytes = v->bytes;
	class = v->class;
	root = v->root;
	if (bpf_map_delete_elem(&addrs, &key))
		return;		/* another CPU freed it first */
	__sync_fetch_and_add(&filter[slot], -1);
	t = bpf_map_lookup_elem(&objects, &cookie);
	if (!t || class >= BPFMEM_TRACED_NR)
		return;
	/* a mask the compiler cannot drop: 6.1's verifier lost the bound
	 * of a copy the compiler had spilled before the check (bytes has
	 * room up to index 3 in the value) */
	barrier_var(class);
	class &= 3;
	__sync_fetch_and_add(&t->bytes[class], -bytes);
	if (root)
		__sync_fetch_and_add(&t->root, -bytes);
}

/*
 * An allocation of bytes at addr, charged to the root memcg or not: added
 * to the object of that cookie (owner_of()).
 */
static __always_inline void account_alloc(__u64 cookie, __u64 addr,
					  __u64 space, __u64 bytes, __u16 class,
					  bool root)
{
	struct addr_key key = { .addr = addr, .space = space };
	struct addr_val val = { .cookie = cookie, .bytes = bytes,
				.class = class, .root = root };
	struct bpfmem_traced *t;
	int err;

	if (!cookie)
		return;
	t = bpf_map_lookup_elem(&objects, &val.cookie);
	if (!t || class >= BPFMEM_TRACED_NR)
		return;
	err = map_op_result(bpf_map_update_elem(&addrs, &key, &val,
						BPF_NOEXIST));
	if (err == -EEXIST) {
		/* recorded before and freed where no hook saw it: that
		 * object no longer holds it */
		account_free(addr, space);
		err = bpf_map_update_elem(&addrs, &key, &val, BPF_NOEXIST);
	}
	if (err) {
		__sync_fetch_and_add(&t->lost, 1);
		return;
	}
	__sync_fetch_and_add(&filter[filter_slot(addr, space)], 1);
	if (class >= BPFMEM_TRACED_NR)	/* again, for 6.1's verifier */
		return;
	barrier_var(class);
	class &= 3;
	__sync_fetch_and_add(&t->bytes[class], bytes);
	if (root)
		__sync_fetch_and_add(&t->root, bytes);
}

/* ---- scoping: the bpf() syscall ---- */

static __always_inline bool changes_map(__u32 cmd)
{
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return true;
	default:
		return false;
	}
}

static __always_inline bool changes_map_batch(__u32 cmd)
{
	return cmd == BPF_MAP_UPDATE_BATCH || cmd == BPF_MAP_DELETE_BATCH ||
	       cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH;
}

/* The cookie of a tracked map named by the fd in the attr: the user's,
 * or a syscall program's (kernel). */
static __always_inline __u64 map_cookie(__u64 uattr, bool kernel, __u32 off)
{
	__u64 *cookie;
	void *map;
	int fd;

	if (kernel ? bpf_probe_read_kernel(&fd, sizeof(fd), (void *)(uattr + off)) :
		     bpf_probe_read_user(&fd, sizeof(fd), (void *)(uattr + off)))
		return 0;
	map = fd_object(fd);
	if (!map)
		return 0;
	cookie = bpf_map_lookup_elem(&owners, &map);
	return cookie ? *cookie : 0;
}

/* A bpf() call of command cmd starts on this thread: its scope, where
 * it creates an object or changes a traced map. */
static __always_inline void scope_enter(__u32 cmd, __u64 uattr, bool kernel)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct scope s = { .cmd = cmd };

	if (s.cmd == BPF_MAP_CREATE || s.cmd == BPF_PROG_LOAD) {
		struct bpfmem_traced t = {
			.kind = s.cmd == BPF_MAP_CREATE ? BPFMEM_TRACED_MAP :
							  BPFMEM_TRACED_PROG,
		};

		/* unique but for two threads in the same nanosecond, whose
		 * second is then not traced */
		s.cookie = bpf_ktime_get_ns() ^ (tid << 40);
		if (bpf_map_update_elem(&objects, &s.cookie, &t, BPF_NOEXIST))
			return;
	} else if (changes_map(s.cmd)) {
		s.cookie = map_cookie(uattr, kernel,
				      bpf_core_field_offset(union bpf_attr,
							    map_fd));
	} else if (changes_map_batch(s.cmd)) {
		s.cookie = map_cookie(uattr, kernel,
				      bpf_core_field_offset(union bpf_attr,
							    batch.map_fd));
	}
	if (!s.cookie)
		return;
	if (bpf_map_update_elem(&scopes, &tid, &s, BPF_ANY))
		return;
	__sync_fetch_and_add(&scoped, 1);
}

/* A creating call returned fd: the object gets its address and id. */
static __always_inline void created(__u64 cookie, __u32 cmd, long fd)
{
	struct bpfmem_traced *t = bpf_map_lookup_elem(&objects, &cookie);
	__u64 *old, kaddr;
	void *obj;

	if (!t)
		return;
	obj = fd_object(fd);
	if (!obj) {
		bpf_map_delete_elem(&objects, &cookie);
		return;
	}
	kaddr = (__u64)obj;
	t->kaddr = kaddr;
	if (cmd == BPF_MAP_CREATE)
		t->id = BPF_CORE_READ((struct bpf_map *)obj, id);
	else
		t->id = BPF_CORE_READ((struct bpf_prog *)obj, aux, id);
	t->flags |= BPFMEM_TRACED_CREATED;
	/* an object at the same address whose end no hook saw */
	old = bpf_map_lookup_elem(&owners, &kaddr);
	if (old)
		bpf_map_delete_elem(&objects, old);
	bpf_map_update_elem(&owners, &kaddr, &cookie, BPF_ANY);
}

/* This thread's bpf() call returned ret. */
static __always_inline void scope_exit(long ret)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct scope *s;

	if (!scoped)
		return;
	s = bpf_map_lookup_elem(&scopes, &tid);
	if (!s)
		return;
	if (s->cmd == BPF_MAP_CREATE || s->cmd == BPF_PROG_LOAD)
		created(s->cookie, s->cmd, ret);
	if (!bpf_map_delete_elem(&scopes, &tid))
		__sync_fetch_and_add(&scoped, -1);
}

/* The deferred free of the map or program whose work item this is
 * starts: it is gone, and so is its entry. */
static __always_inline void object_gone(__u64 work, bool map)
{
	__u64 kaddr, *cookie;

	if (map) {
		kaddr = work - bpf_core_field_offset(struct bpf_map, work);
	} else {
		struct bpf_prog_aux *aux = (void *)(work - bpf_core_field_offset(
							       struct bpf_prog_aux, work));

		kaddr = (__u64)BPF_CORE_READ(aux, prog);
	}
	cookie = bpf_map_lookup_elem(&owners, &kaddr);
	if (!cookie)
		return;
	bpf_map_delete_elem(&objects, cookie);
	bpf_map_delete_elem(&owners, &kaddr);
}

/* Scoping and frees, tracepoint backend: the bpf() syscall's tracepoints
 * (which send every task's syscalls through the tracing path) and every
 * work item's start. */
SEC("?tracepoint/syscalls/sys_enter_bpf")
int hooks_bpf_enter(struct trace_event_raw_sys_enter_bpf *ctx)
{
	scope_enter(ctx->cmd, ctx->uattr, false);
	return 0;
}

SEC("?tracepoint/syscalls/sys_exit_bpf")
int hooks_bpf_exit(struct trace_event_raw_sys_exit_bpf *ctx)
{
	scope_exit(ctx->ret);
	return 0;
}

SEC("?raw_tp/workqueue_execute_start")
int hooks_work_start(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 work = ctx->args[0];
	__u64 function = (__u64)BPF_CORE_READ((struct work_struct *)work, func);

	/* the fast path: every other work item returns here */
	if (function == (__u64)&bpf_map_free_deferred)
		object_gone(work, true);
	else if (function == (__u64)&bpf_prog_free_deferred)
		object_gone(work, false);
	return 0;
}

/*
 * Scoping and frees, fentry backend: only bpf() calls and the deferred
 * frees run these. __sys_bpf(cmd, bpfptr_t uattr, size) is what the
 * syscall calls (and syscall programs, with a kernel attr); bpfptr_t is
 * a 16-byte struct passed in two registers (argument slots 1 and 2:
 * pointer, is_kernel), which trampolines take since 6.1 (commits
 * 720e6a435194 and a9c5ad31fbdc, x86); where the kernel refuses them the
 * backend falls back to tracepoints (src/collect/accounting.c).
 */
SEC("?fentry/__sys_bpf")
int hooks_sys_bpf_enter(void *ctx)
{
	__u64 cmd = 0, uattr = 0, kernel = 0;

	if (bpf_get_func_arg(ctx, 0, &cmd) || bpf_get_func_arg(ctx, 1, &uattr) ||
	    bpf_get_func_arg(ctx, 2, &kernel))
		return 0;
	scope_enter(cmd, uattr, kernel & 0xff);
	return 0;
}

SEC("?fexit/__sys_bpf")
int hooks_sys_bpf_exit(void *ctx)
{
	__u64 ret = 0;

	if (!bpf_get_func_ret(ctx, &ret))
		scope_exit((long)ret);
	return 0;
}

/* The work item as a plain number (bpf_get_func_arg()). */
SEC("?fentry/bpf_map_free_deferred")
int hooks_map_free_deferred(void *ctx)
{
	__u64 work = 0;

	if (!bpf_get_func_arg(ctx, 0, &work) && work)
		object_gone(work, true);
	return 0;
}

SEC("?fentry/bpf_prog_free_deferred")
int hooks_prog_free_deferred(void *ctx)
{
	__u64 work = 0;

	if (!bpf_get_func_arg(ctx, 0, &work) && work)
		object_gone(work, false);
	return 0;
}

/* ---- allocators ----
 *
 * BTF tracepoints (tp_btf), not classic ones: the kernel runs no classic
 * tracepoint or kprobe program while a map operation is under way
 * (bpf_disable_instrumentation() around map_update_elem and friends raises
 * bpf_prog_active, which trace_call_bpf() checks), and that is where the
 * elements of maps without preallocation are allocated and freed. BTF
 * and raw tracepoints only guard against their own recursion.
 *
 * The slab ones are raw tracepoints: their object is a `const void *`,
 * whose read 6.1's verifier refuses in a BTF tracepoint ("arg1 type
 * UNKNOWN is not a struct"); a raw one reads the same arguments, untyped.
 */

/* A pointer as a plain number, which the verifier lets us hash and
 * compare: for arguments that point to a struct (trusted pointers) and the
 * context. Arguments of type void * are plain numbers already (the
 * verifier treats them as scalars), which spares the frees a helper call. */
static __always_inline __u64 as_number(const void *p)
{
	__u64 n = 0;

	bpf_probe_read_kernel(&n, sizeof(n), &p);
	return n;
}

/*
 * Whether the allocation is made in the thread's own context: the
 * tracepoint's arguments (ctx), which the kernel lays out in the frame of
 * the function that fired it, lie on the task's stack. An interrupt (the
 * irq_work that refills bpf_mem_alloc caches, a network receive) runs on
 * the CPU's interrupt stack instead. (Our own frame may be a private
 * per-CPU stack: the JIT gives tracing programs one.)
 */
static __always_inline bool on_task_stack(void *ctx, struct task_struct *task)
{
	__u64 size = 16384, here, base;

	here = as_number(ctx);
	base = (__u64)BPF_CORE_READ(task, stack);
	if (bpf_core_field_exists(task->stack_vm_area)) {
		struct vm_struct *vm = BPF_CORE_READ(task, stack_vm_area);

		if (vm)
			size = (__u64)BPF_CORE_READ(vm, nr_pages) * page_size;
	}
	return here - base < size;
}

/*
 * The cookie of the object an allocation is for, 0 for none. Where the
 * fentry backend runs, the allocation wrapper or bpf_mem_alloc refill
 * being run names it: the thread's (owned), or in an interrupt this CPU's
 * (irq_owned). Else, in the thread's own context: the object of its bpf()
 * call. In an interrupt: the map the thread changes (its bpf_mem_alloc
 * cache refilled by irq_work, which runs at once on the same CPU); while
 * a map is created or a program loaded, interrupt work belongs to
 * somebody else (other tracers' maps refilling).
 */
static __always_inline __u64 owner_of(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 tid = bpf_get_current_pid_tgid();
	bool own = on_task_stack(ctx, task);
	struct irq_owner *io;
	struct scope *s;
	__u32 zero = 0;
	__u64 *o;

	if (own) {
		o = bpf_map_lookup_elem(&owned, &tid);
		if (o)
			return *o;
	} else {
		io = bpf_map_lookup_elem(&irq_owned, &zero);
		if (io && io->marker)
			return io->cookie;
	}
	s = bpf_map_lookup_elem(&scopes, &tid);
	if (!s)
		return 0;
	if (own || (s->cmd != BPF_MAP_CREATE && s->cmd != BPF_PROG_LOAD))
		return s->cookie;
	return 0;
}

/* A slab object is charged its size class plus the memcg's pointer to
 * its objcg (obj_full_size() in mm/memcontrol.c). */
static __always_inline void slab_alloc(void *ctx, const void *ptr,
				       __u64 bytes_alloc)
{
	if (!ptr)
		return;
	account_alloc(owner_of(ctx), (__u64)ptr, SPACE_SLAB,
		      bytes_alloc + sizeof(void *), BPFMEM_TRACED_SLAB, false);
}

SEC("raw_tp/kmalloc")
int BPF_PROG(hooks_kmalloc, unsigned long call_site, const void *ptr,
	     size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags)
{
	if (!scoped || !(gfp_flags & gfp_account))
		return 0;
	/* above the largest size class kmalloc takes whole pages, which
	 * mm_page_alloc sees */
	if (bytes_alloc > kmalloc_max)
		return 0;
	slab_alloc(ctx, ptr, bytes_alloc);
	return 0;
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(hooks_kmem_cache_alloc, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s, gfp_t gfp_flags)
{
	if (!scoped)
		return 0;
	/* charged: __GFP_ACCOUNT or a SLAB_ACCOUNT cache */
	if (!(gfp_flags & gfp_account) &&
	    !(BPF_CORE_READ(s, flags) & slab_account_flag()))
		return 0;
	slab_alloc(ctx, ptr, BPF_CORE_READ(s, size));
	return 0;
}

SEC("raw_tp/kfree")
int BPF_PROG(hooks_kfree, unsigned long call_site, const void *ptr)
{
	account_free((__u64)ptr, SPACE_SLAB);
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(hooks_kmem_cache_free, unsigned long call_site, const void *ptr)
{
	account_free((__u64)ptr, SPACE_SLAB);
	return 0;
}

/* Pages charged with __GFP_ACCOUNT: vmalloc's backing pages, large
 * kmallocs. Slab pages never carry the flag (new_slab() masks it). Pages
 * are known by their struct page. */
SEC("tp_btf/mm_page_alloc")
int BPF_PROG(hooks_page_alloc, struct page *page, unsigned int order,
	     gfp_t gfp_flags)
{
	if (!scoped || !(gfp_flags & gfp_account) || !page)
		return 0;
	account_alloc(owner_of(ctx), as_number(page), SPACE_PAGE,
		      (__u64)page_size << order, BPFMEM_TRACED_PAGES, false);
	return 0;
}

SEC("tp_btf/mm_page_free")
int BPF_PROG(hooks_page_free, struct page *page)
{
	account_free(as_number(page), SPACE_PAGE);
	return 0;
}

SEC("tp_btf/mm_page_free_batched")
int BPF_PROG(hooks_page_free_batched, struct page *page)
{
	account_free(as_number(page), SPACE_PAGE);
	return 0;
}

/*
 * Per-CPU memory: bytes_alloc is what a memcg is charged (every possible
 * CPU's copy plus its objcg vector, pcpu_obj_full_size()). While a map is
 * created its memcg is not set yet and the root is in effect
 * (bpf_map_get_memcg()): the root is never charged, and the copies alone
 * are what the allocator hands out.
 */
SEC("tp_btf/percpu_alloc_percpu")
int BPF_PROG(hooks_percpu_alloc, unsigned long call_site, bool reserved,
	     bool is_atomic, size_t size, size_t align, void *base_addr,
	     int off, void *ptr, size_t bytes_alloc, gfp_t gfp_flags)
{
	struct task_struct *task;
	__u64 bytes, cookie;
	bool root;

	if (!scoped || !(gfp_flags & gfp_account))
		return 0;
	cookie = owner_of(ctx);
	if (!cookie)
		return 0;
	task = (void *)bpf_get_current_task();
	root = root_memcg(BPF_CORE_READ(task, active_memcg));
	bytes = root ? size * possible_cpus : bytes_alloc;
	account_alloc(cookie, (__u64)ptr, SPACE_PERCPU, bytes,
		      BPFMEM_TRACED_PERCPU, root);
	return 0;
}

SEC("tp_btf/percpu_free_percpu")
int BPF_PROG(hooks_percpu_free, void *base_addr, int off, void *ptr)
{
	account_free((__u64)ptr, SPACE_PERCPU);
	return 0;
}

/* ---- fentry backend: the allocation wrappers that take the map ----
 *
 * Optional: src/collect/accounting.c enables the pair of each wrapper this
 * kernel's BTF has, where a probe fentry program loads and attaches. The
 * wrappers exist with CONFIG_MEMCG_KMEM (without it they are static
 * inlines in include/linux/bpf.h, which nothing can attach to).
 * bpf_map_area_alloc(size, numa_node) takes no map: it runs while a map
 * is created, inside the bpf() call's scope, and needs no hook.
 */

/* Everything allocated from here until leave() is for cookie (0: for
 * nobody). marker names what was entered, so that only its leave() ends
 * it. */
static __always_inline void enter(void *ctx, __u64 marker, __u64 cookie)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 tid = bpf_get_current_pid_tgid();
	struct irq_owner *o;
	__u32 zero = 0;

	if (on_task_stack(ctx, task)) {
		if (bpf_map_update_elem(&owned, &tid, &cookie, BPF_NOEXIST))
			return;
	} else {
		o = bpf_map_lookup_elem(&irq_owned, &zero);
		if (!o || o->marker)
			return;
		o->marker = marker;
		o->cookie = cookie;
	}
	__sync_fetch_and_add(&scoped, 1);
}

static __always_inline void leave(void *ctx, __u64 marker)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 tid = bpf_get_current_pid_tgid();
	struct irq_owner *o;
	__u32 zero = 0;

	if (on_task_stack(ctx, task)) {
		if (bpf_map_delete_elem(&owned, &tid))
			return;
	} else {
		o = bpf_map_lookup_elem(&irq_owned, &zero);
		if (!o || !marker || o->marker != marker)
			return;
		o->marker = 0;
	}
	__sync_fetch_and_add(&scoped, -1);
}

/* The object the allocations of map are for: the map's own, or, while
 * the map is being created, the object of the creating call; 0 (nobody)
 * for a map not traced, so that a BPF program changing it inside another
 * map's bpf() call does not count to that one. */
static __always_inline void enter_wrapper(void *ctx, const struct bpf_map *map)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 *cookie, kaddr = as_number(map);
	struct scope *s;

	cookie = bpf_map_lookup_elem(&owners, &kaddr);
	if (!cookie) {
		s = bpf_map_lookup_elem(&scopes, &tid);
		cookie = s && s->cmd == BPF_MAP_CREATE ? &s->cookie : NULL;
	}
	enter(ctx, kaddr, cookie ? *cookie : 0);
}

/* A wrapper's pair: the map is its first argument in every one. */
#define WRAPPER_HOOKS(func)						\
	SEC("?fentry/" #func)						\
	int BPF_PROG(hooks_##func##_enter, const struct bpf_map *map)	\
	{								\
		enter_wrapper(ctx, map);				\
		return 0;						\
	}								\
	SEC("?fexit/" #func)						\
	int BPF_PROG(hooks_##func##_exit, const struct bpf_map *map)	\
	{								\
		leave(ctx, as_number(map));				\
		return 0;						\
	}

WRAPPER_HOOKS(bpf_map_kmalloc_node)
WRAPPER_HOOKS(bpf_map_kzalloc)
WRAPPER_HOOKS(bpf_map_kvcalloc)
WRAPPER_HOOKS(bpf_map_alloc_percpu)

/*
 * The bpf_mem_alloc refill (kernel/bpf/memalloc.c): alloc_bulk(c, cnt,
 * node[, atomic]) fills cache c, in the irq_work a map update or delete
 * raised, or from a workqueue, in any context; the cache names no map.
 * Each cache is prefilled by alloc_bulk while its map is created, inside
 * that bpf() call's scope: that is where it is learnt. Static but out of
 * line on 6.1 and 6.18 (in their BTF).
 */
SEC("?fentry/alloc_bulk")
int BPF_PROG(hooks_alloc_bulk_enter, struct bpf_mem_cache *c)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 addr = as_number(c), *cookie;
	struct scope *s;

	/* the prefill, which the creating call's scope counts already; the
	 * address may have been another map's */
	s = bpf_map_lookup_elem(&scopes, &tid);
	if (s && s->cmd == BPF_MAP_CREATE && on_task_stack(ctx, task)) {
		bpf_map_update_elem(&mem_caches, &addr, &s->cookie, BPF_ANY);
		return 0;
	}
	cookie = bpf_map_lookup_elem(&mem_caches, &addr);
	if (cookie)
		enter(ctx, addr, *cookie);
	return 0;
}

SEC("?fexit/alloc_bulk")
int BPF_PROG(hooks_alloc_bulk_exit, struct bpf_mem_cache *c)
{
	__u64 addr = as_number(c);

	if (bpf_map_lookup_elem(&mem_caches, &addr))
		leave(ctx, addr);
	return 0;
}

/*
 * kfree_bulk(size, p), kmem_cache_free_bulk(NULL, size, p): the slab
 * fires no free tracepoint for these objects. kvfree_rcu() frees most of
 * what it was given this way (an LPM trie's replaced and deleted nodes on
 * 6.1), so without this hook they would stay counted until their address
 * came back. Only kfree_bulk (s == NULL) is looked at: bulk frees with a
 * cache (sk_buffs) are never ours and are many.
 */
struct bulk_free {
	__u64 p;
};

static long free_one(__u64 i, void *ctx)
{
	struct bulk_free *b = ctx;
	__u64 ptr = 0;

	bpf_probe_read_kernel(&ptr, sizeof(ptr), (void *)(b->p + i * sizeof(ptr)));
	account_free(ptr, SPACE_SLAB);
	return 0;
}

/* The arguments through bpf_get_func_arg(): the verifier lets a tracing
 * program read a pointer argument from its context only if it points to
 * void, an integer or a struct, and p is a void **. */
SEC("?fentry/kmem_cache_free_bulk")
int hooks_free_bulk(void *ctx)
{
	struct bulk_free b = {};
	__u64 s = 1, size = 0;

	if (bpf_get_func_arg(ctx, 0, &s) || s ||
	    bpf_get_func_arg(ctx, 1, &size) || !size ||
	    bpf_get_func_arg(ctx, 2, &b.p))
		return 0;
	bpf_loop(size, free_one, &b, 0);
	return 0;
}
