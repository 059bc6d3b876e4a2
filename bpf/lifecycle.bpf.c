// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle hooks: every BPF map and program created or freed while these
 * run, with who created it, into a ring buffer (include/events.h). Two
 * backends, every program optional (src/collect/lifecycle.c enables one set):
 *
 * - fentry: fexit on map_create() and bpf_prog_load() (kernel/bpf/
 *   syscall.c; static, out of line and in the BTF of 6.1 and 6.18) gives
 *   the new fd as their return value; fentry on the deferred free work
 *   functions bpf_map_free_deferred() and bpf_prog_free_deferred() sees
 *   the free. Only these four functions pay: no other task's syscall or
 *   work item runs anything.
 * - tracepoint: the bpf() syscall's tracepoints (the command on entry,
 *   the new fd on exit) and the workqueue_execute_start raw tracepoint.
 *   Enabling a syscall tracepoint sends every task's every syscall
 *   through the slow tracing path (+6.6% on a socket()+close() loop,
 *   bench/RESULTS.md): opt-in only.
 *
 * Either way the object is the one behind the new fd; by the time a free
 * is seen its id is released (0), so the event carries its address.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "bpf_syscall.bpf.h"
#include "task_memcg.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Work functions of kernel/bpf/syscall.c and core.c, function symbols
 * (in kallsyms without CONFIG_KALLSYMS_ALL). */
extern const void bpf_map_free_deferred __ksym;
extern const void bpf_prog_free_deferred __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* bpf() commands in flight, by thread: entry to exit (tracepoint
 * backend). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} pending SEC(".maps");

static __always_inline void fill_creator(struct bpfmem_event *ev)
{
	__u64 tid = bpf_get_current_pid_tgid();

	ev->time_ns = bpf_ktime_get_boot_ns();
	ev->pid = (__u32)tid;
	ev->tgid = tid >> 32;
	ev->uid = (__u32)bpf_get_current_uid_gid();
	ev->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

/* The current thread's command cmd (BPF_MAP_CREATE, BPF_PROG_LOAD)
 * returned fd: the object behind it, with its creator. */
static __always_inline void report_created(__u32 cmd, long fd)
{
	struct task_struct *task;
	struct bpfmem_event *ev;
	void *obj;

	if (fd < 0)
		return;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return;
	__builtin_memset(ev, 0, sizeof(*ev));
	fill_creator(ev);
	obj = fd_object(fd);
	ev->kaddr = (__u64)obj;
	if (cmd == BPF_MAP_CREATE) {
		struct bpf_map *map = obj;

		ev->kind = BPFMEM_EV_MAP_CREATE;
		ev->id = BPF_CORE_READ(map, id);
		ev->obj_type = BPF_CORE_READ(map, map_type);
		BPF_CORE_READ_STR_INTO(&ev->name, map, name);
		ev->memcg_id = BPF_CORE_READ(map, objcg, memcg, css.cgroup, kn,
					     id);
	} else {
		struct bpf_prog *prog = obj;

		ev->kind = BPFMEM_EV_PROG_LOAD;
		ev->id = BPF_CORE_READ(prog, aux, id);
		ev->obj_type = BPF_CORE_READ(prog, type);
		BPF_CORE_READ_STR_INTO(&ev->name, prog, aux, name);
		task = (struct task_struct *)bpf_get_current_task();
		ev->memcg_id = task_memcg_id(task);
	}
	bpf_ringbuf_submit(ev, 0);
}

/* The deferred free of a map (map) or program starts, work being its
 * work item. */
static __always_inline void report_freed(__u64 work, bool map)
{
	struct bpfmem_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->time_ns = bpf_ktime_get_boot_ns();
	if (map) {
		struct bpf_map *m = (void *)(work - bpf_core_field_offset(
							    struct bpf_map, work));

		ev->kind = BPFMEM_EV_MAP_FREE;
		ev->kaddr = (__u64)m;
		ev->obj_type = BPF_CORE_READ(m, map_type);
		BPF_CORE_READ_STR_INTO(&ev->name, m, name);
	} else {
		struct bpf_prog_aux *aux = (void *)(work - bpf_core_field_offset(
							      struct bpf_prog_aux, work));
		struct bpf_prog *prog = BPF_CORE_READ(aux, prog);

		ev->kind = BPFMEM_EV_PROG_FREE;
		ev->kaddr = (__u64)prog;
		ev->obj_type = BPF_CORE_READ(prog, type);
		BPF_CORE_READ_STR_INTO(&ev->name, aux, name);
	}
	bpf_ringbuf_submit(ev, 0);
}

/* ---- fentry backend ---- */

/* The return value through bpf_get_func_ret(): map_create() and
 * bpf_prog_load() take one more argument on 6.18 than on 6.1 (the user's
 * attr, its size), which a BPF_PROG signature would have to match. */
static __always_inline void created_returned(void *ctx, __u32 cmd)
{
	__u64 ret = 0;

	if (!bpf_get_func_ret(ctx, &ret))
		report_created(cmd, (long)ret);
}

SEC("?fexit/map_create")
int lc_map_create(void *ctx)
{
	created_returned(ctx, BPF_MAP_CREATE);
	return 0;
}

SEC("?fexit/bpf_prog_load")
int lc_prog_load(void *ctx)
{
	created_returned(ctx, BPF_PROG_LOAD);
	return 0;
}

/* The work item as a plain number (bpf_get_func_arg()), so that it can be
 * turned into its container's address. */
static __always_inline void free_started(void *ctx, bool map)
{
	__u64 work = 0;

	if (!bpf_get_func_arg(ctx, 0, &work) && work)
		report_freed(work, map);
}

SEC("?fentry/bpf_map_free_deferred")
int lc_map_free(void *ctx)
{
	free_started(ctx, true);
	return 0;
}

SEC("?fentry/bpf_prog_free_deferred")
int lc_prog_free(void *ctx)
{
	free_started(ctx, false);
	return 0;
}

/* ---- tracepoint backend ---- */

SEC("?tracepoint/syscalls/sys_enter_bpf")
int bpf_enter(struct trace_event_raw_sys_enter_bpf *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u32 cmd = ctx->cmd;

	/* the fast path: any other command returns here */
	if (cmd != BPF_MAP_CREATE && cmd != BPF_PROG_LOAD)
		return 0;
	bpf_map_update_elem(&pending, &tid, &cmd, BPF_ANY);
	return 0;
}

SEC("?tracepoint/syscalls/sys_exit_bpf")
int bpf_exit(struct trace_event_raw_sys_exit_bpf *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u32 *cmd;

	cmd = bpf_map_lookup_elem(&pending, &tid);
	if (!cmd)
		return 0;
	report_created(*cmd, ctx->ret);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

/* raw_tp: the argument (the work item) arrives as a plain number. */
SEC("?raw_tp/workqueue_execute_start")
int work_start(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 work = ctx->args[0];
	__u64 function = (__u64)BPF_CORE_READ((struct work_struct *)work, func);

	/* the fast path: every other work item returns here */
	if (function == (__u64)&bpf_map_free_deferred)
		report_freed(work, true);
	else if (function == (__u64)&bpf_prog_free_deferred)
		report_freed(work, false);
	return 0;
}
