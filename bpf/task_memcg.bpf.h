/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory cgroup of a task (kernfs id), where its allocations are
 * charged: shared by the lifecycle hooks (a program's loader) and the fd
 * iterator (the processes holding objects).
 */
#ifndef BPFMEM_TASK_MEMCG_BPF_H
#define BPFMEM_TASK_MEMCG_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* 0 where the kernel has no memory controller. */
static __always_inline __u64 task_memcg_id(struct task_struct *task)
{
	int memory;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	return BPF_CORE_READ(task, cgroups, subsys[memory], cgroup, kn, id);
}

/* The same for a task the verifier knows as a kernel pointer (an
 * iterator's): direct loads, no helper call per field. */
static __always_inline __u64 task_memcg_id_direct(struct task_struct *task)
{
	int memory;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	return task->cgroups->subsys[memory]->cgroup->kn->id;
}

#endif
