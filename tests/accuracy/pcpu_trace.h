/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which of a process's per-CPU allocations a memcg was charged for
 * (pcpu.bpf.c): those are in the memcg counter already.
 */
#ifndef BPFMEM_ACC_PCPU_TRACE_H
#define BPFMEM_ACC_PCPU_TRACE_H

#include <sys/types.h>
#include <linux/types.h>

struct pcpu_bpf;

int acc_trace_open(struct pcpu_bpf **skel);
/* Follows pid's allocations from now on, with the totals at zero. */
int acc_trace_begin(struct pcpu_bpf *skel, pid_t pid);
/* Net bytes of one CPU's copy since acc_trace_begin(), uncharged and
 * charged to a memcg. */
int acc_trace_read(struct pcpu_bpf *skel, __s64 *uncharged, __s64 *charged);
void acc_trace_close(struct pcpu_bpf *skel);

#endif
