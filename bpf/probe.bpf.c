// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes (src/collect/probe.c): each program is loaded and attached alone,
 * then unloaded. That the kernel takes it is the answer; none does work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("?iter/bpf_map")
int probe_iter_map(struct bpf_iter__bpf_map *ctx)
{
	return 0;
}

SEC("?iter/bpf_prog")
int probe_iter_prog(struct bpf_iter__bpf_prog *ctx)
{
	return 0;
}

SEC("?iter/task_file")
int probe_iter_task_file(struct bpf_iter__task_file *ctx)
{
	return 0;
}

SEC("?iter/bpf_link")
int probe_iter_link(struct bpf_iter__bpf_link *ctx)
{
	return 0;
}

SEC("?iter/cgroup")
int probe_iter_cgroup(struct bpf_iter__cgroup *ctx)
{
	return 0;
}

/* the first allocation wrapper the accounting hooks' fentry backend hooks
 * (bpf/hooks.bpf.c): where this attaches, the backend does */
SEC("?fentry/bpf_map_kmalloc_node")
int BPF_PROG(probe_fentry)
{
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_bpf")
int probe_tracepoint(void *ctx)
{
	return 0;
}
