// SPDX-License-Identifier: GPL-2.0
/*
 * Splits the per-CPU allocations of one process (acc_tgid) by who pays:
 * the allocator's statistics show every per-CPU byte, but those a memcg was
 * charged for are in the memcg counter already, and must not be counted
 * twice. The kernel charges a per-CPU allocation when it is made with
 * __GFP_ACCOUNT and the memcg in effect (current->active_memcg, else the
 * task's) is not the root (mm/memcontrol.c, current_obj_cgroup()).
 * acc_totals[0] sums uncharged bytes, [1] charged ones, per unit (one
 * CPU's copy); frees of traced allocations, from any context, subtract.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

__u32 acc_tgid;

struct acc_live {
	__u64 size;
	__u64 charged;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct acc_live);
} acc_live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s64);
} acc_totals SEC(".maps");

static bool memcg_charged(gfp_t gfp)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct cgroup_subsys_state *css;
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	/* an anonymous enum, out of CO-RE's reach; bit 22 since 4.5 */
	if (!(gfp & (1U << ___GFP_ACCOUNT_BIT)))
		return false;
	if (t->active_memcg)
		css = &t->active_memcg->css;
	else
		css = t->cgroups->subsys[id];
	/* the root memcg has no parent and is never charged */
	return css && css->parent;
}

static void add(__u32 idx, __s64 v)
{
	__s64 *total = bpf_map_lookup_elem(&acc_totals, &idx);

	if (total)
		__sync_fetch_and_add(total, v);
}

SEC("tp_btf/percpu_alloc_percpu")
int BPF_PROG(acc_pcpu_alloc, unsigned long call_site, bool reserved,
	     bool is_atomic, size_t size, size_t align, void *base_addr,
	     int off, void *ptr, size_t bytes_alloc, gfp_t gfp)
{
	struct acc_live live;
	__u64 key = (__u64)ptr;

	if (bpf_get_current_pid_tgid() >> 32 != acc_tgid)
		return 0;
	live.size = size;
	live.charged = memcg_charged(gfp);
	bpf_map_update_elem(&acc_live, &key, &live, BPF_ANY);
	add(live.charged, size);
	return 0;
}

SEC("tp_btf/percpu_free_percpu")
int BPF_PROG(acc_pcpu_free, void *base_addr, int off, void *ptr)
{
	__u64 key = (__u64)ptr;
	struct acc_live *live = bpf_map_lookup_elem(&acc_live, &key);

	if (!live)
		return 0;
	add(live->charged, -(__s64)live->size);
	bpf_map_delete_elem(&acc_live, &key);
	return 0;
}
