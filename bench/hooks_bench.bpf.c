// SPDX-License-Identifier: GPL-2.0
/*
 * bench/hooks' own BPF object: empty programs at every attach point of the
 * accounting hooks (bpf/hooks.bpf.c), for the floor the kernel's tracepoint
 * dispatch sets whatever the programs do, and the workload of
 * samples/bpf/map_perf_test on a hash map without preallocation.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Keys the map_perf workload cycles through. */
const volatile __u32 keys = 1;

SEC("tracepoint/syscalls/sys_enter_bpf")
int floor_bpf_enter(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_exit_bpf")
int floor_bpf_exit(void *ctx) { return 0; }
SEC("raw_tp/workqueue_execute_start")
int floor_work_start(void *ctx) { return 0; }
SEC("tp_btf/kmalloc")
int BPF_PROG(floor_kmalloc) { return 0; }
SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(floor_kmem_cache_alloc) { return 0; }
SEC("tp_btf/kfree")
int BPF_PROG(floor_kfree) { return 0; }
SEC("tp_btf/kmem_cache_free")
int BPF_PROG(floor_kmem_cache_free) { return 0; }
SEC("tp_btf/mm_page_alloc")
int BPF_PROG(floor_page_alloc) { return 0; }
SEC("tp_btf/mm_page_free")
int BPF_PROG(floor_page_free) { return 0; }
SEC("tp_btf/mm_page_free_batched")
int BPF_PROG(floor_page_free_batched) { return 0; }
SEC("tp_btf/percpu_alloc_percpu")
int BPF_PROG(floor_percpu_alloc) { return 0; }
SEC("tp_btf/percpu_free_percpu")
int BPF_PROG(floor_percpu_free) { return 0; }

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);		/* set to keys by user space */
	__type(key, __u32);
	__type(value, __u64);
} perf_hash SEC(".maps");

__u64 runs;

/*
 * One run, one map operation: the first `keys` runs insert keys 0..keys-1,
 * the next `keys` delete them, and so on. Elements come from the map's
 * bpf_mem_alloc caches, refilled by kmalloc in irq_work and given back by
 * kfree after an RCU grace period: the allocator tracepoints fire outside
 * any bpf() call, as for a map that BPF programs fill.
 */
SEC("socket")
int map_perf(void *ctx)
{
	__u64 n = runs++;
	__u32 key = n % keys;
	__u64 val = n;

	if ((n / keys) % 2 == 0)
		bpf_map_update_elem(&perf_hash, &key, &val, BPF_NOEXIST);
	else
		bpf_map_delete_elem(&perf_hash, &key);
	return 0;
}
