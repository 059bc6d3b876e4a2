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

/* The private data of the current task's file fd: the struct bpf_map or
 * bpf_prog when the fd is one (the caller knows from the command). The
 * task's file table is read by direct loads through its BTF pointer; only
 * the slot (a variable index) and the file need helper calls. */
static __always_inline void *fd_object(long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;
	void *data = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]);
	if (file)
		bpf_probe_read_kernel(&data, sizeof(data), &file->private_data);
	return data;
}

#endif
