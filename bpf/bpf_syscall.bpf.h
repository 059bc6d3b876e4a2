/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bpf() syscall's tracepoints and the object behind a new fd: shared by
 * the lifecycle hooks and the accounting hooks.
 */
#ifndef BPFMEM_BPF_SYSCALL_BPF_H
#define BPFMEM_BPF_SYSCALL_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct trace_event_raw_sys_enter_bpf {
	struct trace_entry ent;
	int __syscall_nr;
	__u64 cmd;
	__u64 uattr;
	__u64 size;
};

struct trace_event_raw_sys_exit_bpf {
	struct trace_entry ent;
	int __syscall_nr;
	long ret;
};

/* The private data of the task's file fd: the struct bpf_map or bpf_prog
 * when the fd is one (the caller knows from the command). */
static __always_inline void *fd_object(struct task_struct *task, long fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

#endif
