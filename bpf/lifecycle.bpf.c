// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle hooks: every BPF map and program created or freed while these
 * run, with who created it, into a ring buffer (include/events.h).
 *
 * Creation is seen at the bpf() syscall: the command on entry, the new fd
 * on exit, the object behind that fd. Freeing is seen when the deferred
 * free work of a map or program starts on its workqueue: by then the id is
 * released (0), so the event carries the object's address.
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

/* bpf() commands in flight, by thread: entry to exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} pending SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_bpf")
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

SEC("tracepoint/syscalls/sys_exit_bpf")
int bpf_exit(struct trace_event_raw_sys_exit_bpf *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct task_struct *task;
	struct bpfmem_event *ev;
	__u32 *cmd;
	void *obj;

	cmd = bpf_map_lookup_elem(&pending, &tid);
	if (!cmd)
		return 0;
	if (ctx->ret < 0)
		goto out;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		goto out;
	__builtin_memset(ev, 0, sizeof(*ev));
	fill_creator(ev);
	obj = fd_object(ctx->ret);
	ev->kaddr = (__u64)obj;
	if (*cmd == BPF_MAP_CREATE) {
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
out:
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

/* raw_tp: the argument (the work item) arrives as a plain number, so it
 * can be turned into its container's address. */
SEC("raw_tp/workqueue_execute_start")
int work_start(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 work = ctx->args[0];
	__u64 function = (__u64)BPF_CORE_READ((struct work_struct *)work, func);
	struct bpfmem_event *ev;
	bool map;

	/* the fast path: every other work item returns here */
	if (function == (__u64)&bpf_map_free_deferred)
		map = true;
	else if (function == (__u64)&bpf_prog_free_deferred)
		map = false;
	else
		return 0;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return 0;
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
	return 0;
}
