/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's instruments: the memory cgroups it creates, the memcg
 * counter, the per-CPU allocator's statistics, and waiting until deferred
 * frees have run.
 */
#ifndef BPFMEM_ACC_MEASURE_H
#define BPFMEM_ACC_MEASURE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

struct acc_env {
	char parent[PATH_MAX];	/* our memory cgroup, parent of the cases */
	bool v2;
	char v2_scratch[PATH_MAX];	/* cgroup v2 dir for cgroup-keyed maps */
	int ncpus;		/* possible CPUs */
	long page_size;
	/* Without CONFIG_PERCPU_STATS (Debian's 6.1 kernels), the per-CPU
	 * figure is the tracer's: what the allocator's own tracepoints
	 * report for the case's process (acc_trace_begin() zeroes it). */
	struct pcpu_bpf *pcpu_trace;
	/* net.core.optmem_max to put back, 0 if left alone */
	long optmem_saved;
};

/* Mounts debugfs if needed, finds the memory hierarchy and creates our
 * parent cgroup (removing what a killed run left). pcpu_trace is NULL:
 * acc_env_has_percpu_stats() tells whether to set it. */
int acc_env_init(struct acc_env *env);
void acc_env_cleanup(struct acc_env *env);

/* A fresh memory cgroup for one case; path receives its directory. */
int acc_cgroup_create(const struct acc_env *env, const char *name,
		      char *path, size_t size);
/* Removes it, retrying while the kernel still frees into it. */
void acc_cgroup_remove(const char *path);
/* Moves the calling process into the cgroup. */
int acc_cgroup_enter(const char *path);

/* The kernel memory charged to the cgroup: v1 memory.kmem.usage_in_bytes;
 * v2 memory.stat "kernel" (memory.current where that field is missing). */
int acc_memcg_read(const struct acc_env *env, const char *path, __s64 *bytes);

/*
 * Bytes of every possible CPU's copy that the per-CPU allocator has handed
 * out: the sum over chunks of chunk size minus free_bytes, from debugfs
 * percpu_stats, times possible CPUs. Only differences mean anything: the
 * first chunk's size is taken as a dynamic chunk's.
 */
int acc_percpu_read(const struct acc_env *env, __s64 *bytes);
bool acc_env_has_percpu_stats(void);

/*
 * What a process's address space charges its memory cgroup: its page
 * tables (VmPTE of /proc/PID/status) and a vm_area_struct slab object per
 * mapping (lines of /proc/PID/maps). An arena's pages are mapped into the
 * process that touches them: its VMA and page tables are the process's,
 * not the map's, and the harness keeps them out of the truth.
 */
int acc_mapping_read(pid_t pid, __s64 *bytes);

/*
 * Waits until the cgroup's counter stops moving: RCU callbacks flushed
 * (rcutree.do_rcu_barrier), and for frees (down) kfree_rcu batches pushed
 * out by the slab shrinkers (vm.drop_caches=2), then polls until the
 * counter has held still for a while. *settled is false when it was still
 * moving after the time limit.
 */
/* Waits for the RCU callbacks queued so far (best effort: the knob came
 * in 6.6). */
void acc_rcu_barrier(void);
int acc_settle(const struct acc_env *env, const char *path, bool down,
	       __s64 *bytes, __u32 *ms, bool *settled);

#endif
