// SPDX-License-Identifier: GPL-2.0
/*
 * The matrix. Each case is N identical objects, N chosen so that the batch
 * (at least some 250 KiB) is large against the counter's resolution (a
 * page, plus a page a CPU of pre-charged bytes), and so that the whole run
 * stays within about three minutes.
 * Names: type, then what differs (prealloc or not, filler), key and value
 * sizes, max_entries.
 */
#include <linux/bpf.h>
#include "accuracy.h"

#define MAP(n, t, k, v, max, fl, objs_, ...)				\
	{ .name = n, .kind = ACC_MAP, .map_type = t, .key_size = k,	\
	  .value_size = v, .max_entries = max, .map_flags = fl,		\
	  .objs = objs_, .steps = { __VA_ARGS__ } }
#define MAPX(n, t, k, v, max, fl, extra, target, objs_, ...)		\
	{ .name = n, .kind = ACC_MAP, .map_type = t, .key_size = k,	\
	  .value_size = v, .max_entries = max, .map_flags = fl,		\
	  .map_extra = extra, .fill_target = target, .objs = objs_,	\
	  .steps = { __VA_ARGS__ } }
#define BPF(n, t, k, v, max, fl, objs_)					\
	{ .name = n, .kind = ACC_MAP, .map_type = t, .key_size = k,	\
	  .value_size = v, .max_entries = max, .map_flags = fl,		\
	  .objs = objs_, .filler = FILL_BPF, .steps = { CHURN } }
#define PROG(n, insns, objs_)						\
	{ .name = n, .kind = ACC_PROG, .prog_insns = insns, .objs = objs_ }

/* up to full, every value rewritten, emptied, half refilled */
#define CHURN STEP_HALF, STEP_FULL, STEP_UPDATE, STEP_DEL_HALF, STEP_DEL_ALL, \
	STEP_REFILL
#define FILL STEP_HALF, STEP_FULL
#define FILL_EMPTY STEP_HALF, STEP_FULL, STEP_DEL_HALF, STEP_DEL_ALL

#define NP BPF_F_NO_PREALLOC
#define NC BPF_F_NO_COMMON_LRU

const struct acc_case acc_cases[] = {
	/* hash maps, filled from user space */
	MAP("hash.k4v8.1k", BPF_MAP_TYPE_HASH, 4, 8, 1024, 0, 64, CHURN),
	MAP("hash.np.k4v8.1k", BPF_MAP_TYPE_HASH, 4, 8, 1024, NP, 64, CHURN),
	MAP("hash.k4v8.16k", BPF_MAP_TYPE_HASH, 4, 8, 16384, 0, 4, CHURN),
	MAP("hash.np.k4v8.16k", BPF_MAP_TYPE_HASH, 4, 8, 16384, NP, 4, CHURN),
	MAP("hash.k4v8.1m", BPF_MAP_TYPE_HASH, 4, 8, 1000000, 0, 1, FILL),
	MAP("hash.np.k4v8.1m", BPF_MAP_TYPE_HASH, 4, 8, 1000000, NP, 1, CHURN),
	MAP("hash.k64v1024.4k", BPF_MAP_TYPE_HASH, 64, 1024, 4096, 0, 4, CHURN),
	MAP("hash.np.k64v1024.4k", BPF_MAP_TYPE_HASH, 64, 1024, 4096, NP, 16,
	    CHURN),
	MAP("percpu_hash.k4v8.1k", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 1024, 0, 32,
	    CHURN),
	MAP("percpu_hash.np.k4v8.1k", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 1024, NP,
	    32, CHURN),
	MAP("percpu_hash.k4v8.16k", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16384, 0, 4,
	    CHURN),
	MAP("percpu_hash.np.k4v8.16k", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16384, NP,
	    4, CHURN),
	MAP("percpu_hash.k4v512.1k", BPF_MAP_TYPE_PERCPU_HASH, 4, 512, 1024, 0,
	    8, CHURN),
	MAP("percpu_hash.np.k4v512.1k", BPF_MAP_TYPE_PERCPU_HASH, 4, 512, 1024,
	    NP, 32, CHURN),
	MAP("lru_hash.k4v8.16k", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16384, 0, 4, CHURN),
	MAP("lru_hash.nc.k4v8.16k", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16384, NC, 4,
	    CHURN),
	MAP("lru_percpu_hash.k4v8.16k", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8,
	    16384, 0, 4, CHURN),
	MAP("lru_percpu_hash.nc.k4v8.16k", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8,
	    16384, NC, 4, CHURN),

	/* the same, filled by a BPF program */
	BPF("hash.bpf.k4v8.16k", BPF_MAP_TYPE_HASH, 4, 8, 16384, 0, 4),
	BPF("hash.np.bpf.k4v8.16k", BPF_MAP_TYPE_HASH, 4, 8, 16384, NP, 4),
	BPF("hash.np.bpf.k64v1024.4k", BPF_MAP_TYPE_HASH, 64, 1024, 4096, NP, 4),
	BPF("percpu_hash.bpf.k4v8.16k", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16384, 0,
	    4),
	BPF("percpu_hash.np.bpf.k4v8.16k", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16384,
	    NP, 4),
	BPF("lru_hash.bpf.k4v8.16k", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16384, 0, 4),
	BPF("lru_hash.nc.bpf.k4v8.16k", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16384, NC,
	    4),
	BPF("lru_percpu_hash.bpf.k4v8.16k", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8,
	    16384, 0, 4),
	BPF("lru_percpu_hash.nc.bpf.k4v8.16k", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4,
	    8, 16384, NC, 4),

	/* arrays: all preallocated, filling changes nothing */
	MAP("array.k4v8.1", BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 200, FILL),
	MAP("array.k4v8.1k", BPF_MAP_TYPE_ARRAY, 4, 8, 1024, 0, 128, FILL),
	MAP("array.k4v8.1m", BPF_MAP_TYPE_ARRAY, 4, 8, 1000000, 0, 1, FILL),
	MAP("array.k4v4096.256", BPF_MAP_TYPE_ARRAY, 4, 4096, 256, 0, 8, FILL),
	MAP("array.mmap.k4v4096.64", BPF_MAP_TYPE_ARRAY, 4, 4096, 64,
	    BPF_F_MMAPABLE, 8, FILL),
	MAP("array.mmap.k4v8.4k", BPF_MAP_TYPE_ARRAY, 4, 8, 4096,
	    BPF_F_MMAPABLE, 32, FILL),
	MAP("percpu_array.k4v8.1k", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1024, 0, 32,
	    FILL),
	MAP("percpu_array.k4v512.256", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 512, 256, 0,
	    8, FILL),
	/* each object's fd costs too: a second fd per object, by id */
	MAP("fd.array.k4v8.1", BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 256, STEP_REOPEN),

	/* arrays of fds and maps */
	MAP("prog_array.64", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 64, 0, 256, FILL),
	MAP("perf_event_array.64", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 64, 0,
	    256, FILL),
	MAP("cgroup_array.64", BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 64, 0, 256, FILL),
	/* every update of a map-in-map from user space waits for an RCU
	 * grace period: two of the 64 slots are filled */
	MAPX("array_of_maps.64", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 64, 0, 0, 2,
	     256, FILL),
	MAPX("hash_of_maps.64", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 64, 0, 0, 2, 128,
	     FILL),
	/* slot arrays beyond 32 KiB are vmalloc'd */
	MAP("prog_array.16k", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 16384, 0, 8, FILL),
	MAP("perf_event_array.16k", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 16384,
	    0, 8, FILL),
	MAPX("hash_of_maps.np.64", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 64, NP, 0, 2,
	     128, FILL_EMPTY),

	/* the rest of the map types */
	MAP("stack_trace.v1016.1k", BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 127, 1024,
	    0, 4),
	MAP("stack_trace.v8.64", BPF_MAP_TYPE_STACK_TRACE, 4, 8, 64, 0, 128),
	MAP("lpm_trie.k8v8.4k", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 4096, NP, 32, CHURN),
	MAP("lpm_trie.k20v8.1k", BPF_MAP_TYPE_LPM_TRIE, 20, 8, 1024, NP, 32, FILL),
	MAP("lpm_trie.k8v1024.1k", BPF_MAP_TYPE_LPM_TRIE, 8, 1024, 1024, NP, 8,
	    CHURN),
	BPF("lpm_trie.bpf.k8v8.4k", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 4096, NP, 32),
	MAP("queue.v8.4k", BPF_MAP_TYPE_QUEUE, 0, 8, 4096, 0, 32, FILL_EMPTY),
	MAP("stack.v8.4k", BPF_MAP_TYPE_STACK, 0, 8, 4096, 0, 32, FILL_EMPTY),
	/* large values (vmalloc'd) and tiny ones (one slab object) */
	MAP("queue.v4096.64", BPF_MAP_TYPE_QUEUE, 0, 4096, 64, 0, 8, FILL_EMPTY),
	MAP("stack.v1.64", BPF_MAP_TYPE_STACK, 0, 1, 64, 0, 256, FILL_EMPTY),
	MAP("queue.v8.64k", BPF_MAP_TYPE_QUEUE, 0, 8, 65536, 0, 4, FILL_EMPTY),
	/* map_extra: three hash functions */
	MAPX("bloom_filter.v8.64k", BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 65536, 0, 3,
	     0, 16, FILL),
	MAPX("bloom_filter.v64.1k", BPF_MAP_TYPE_BLOOM_FILTER, 0, 64, 1024, 0, 3,
	     0, 128, FILL),
	MAP("ringbuf.256k", BPF_MAP_TYPE_RINGBUF, 0, 0, 256 << 10, 0, 16),
	MAP("ringbuf.4m", BPF_MAP_TYPE_RINGBUF, 0, 0, 4 << 20, 0, 2),
	MAP("ringbuf.4k", BPF_MAP_TYPE_RINGBUF, 0, 0, 4 << 10, 0, 64),
	MAP("user_ringbuf.256k", BPF_MAP_TYPE_USER_RINGBUF, 0, 0, 256 << 10, 0,
	    16),
	MAP("user_ringbuf.4m", BPF_MAP_TYPE_USER_RINGBUF, 0, 0, 4 << 20, 0, 2),
	/* local storages: one element on each of 16 owners */
	MAPX("task_storage.v64", BPF_MAP_TYPE_TASK_STORAGE, 4, 64, 0, NP, 0, 16,
	     128, FILL_EMPTY),
	MAPX("inode_storage.v64", BPF_MAP_TYPE_INODE_STORAGE, 4, 64, 0, NP, 0, 16,
	     128, FILL_EMPTY),
	MAPX("sk_storage.v64", BPF_MAP_TYPE_SK_STORAGE, 4, 64, 0, NP, 0, 16, 128,
	     FILL_EMPTY),
	MAPX("cgrp_storage.v64", ACC_MAP_TYPE_CGRP_STORAGE, 4, 64, 0, NP, 0, 16,
	     128, FILL_EMPTY),
	MAPX("task_storage.v1024", BPF_MAP_TYPE_TASK_STORAGE, 4, 1024, 0, NP, 0,
	     16, 64, FILL_EMPTY),
	MAPX("sk_storage.v1024", BPF_MAP_TYPE_SK_STORAGE, 4, 1024, 0, NP, 0, 16,
	     64, FILL_EMPTY),
	MAP("sockmap.64", BPF_MAP_TYPE_SOCKMAP, 4, 4, 64, 0, 256, FILL_EMPTY),
	MAP("sockhash.64", BPF_MAP_TYPE_SOCKHASH, 4, 4, 64, 0, 256, FILL_EMPTY),
	MAP("devmap.64", BPF_MAP_TYPE_DEVMAP, 4, 4, 64, 0, 256, FILL_EMPTY),
	MAP("devmap_hash.64", BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 64, 0, 256,
	    FILL_EMPTY),
	/* large ones (slot and bucket arrays vmalloc'd), 64 entries in use */
	MAPX("sockmap.16k", BPF_MAP_TYPE_SOCKMAP, 4, 4, 16384, 0, 0, 64, 8,
	     FILL_EMPTY),
	MAPX("sockhash.16k", BPF_MAP_TYPE_SOCKHASH, 4, 4, 16384, 0, 0, 64, 8,
	     FILL_EMPTY),
	MAPX("devmap.16k", BPF_MAP_TYPE_DEVMAP, 4, 4, 16384, 0, 0, 64, 8,
	     FILL_EMPTY),
	MAPX("devmap_hash.16k", BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 16384, 0, 0, 64,
	     8, FILL_EMPTY),
	/* one entry a possible CPU, each with its kthread */
	MAP("cpumap.64", BPF_MAP_TYPE_CPUMAP, 4, 4, 64, 0, 256, FILL_EMPTY),
	/* one AF_XDP socket (on lo, copy mode) in every slot */
	MAP("xskmap.64", BPF_MAP_TYPE_XSKMAP, 4, 4, 64, 0, 256, FILL_EMPTY),
	MAPX("xskmap.16k", BPF_MAP_TYPE_XSKMAP, 4, 4, 16384, 0, 0, 64, 8,
	     FILL_EMPTY),
	/* a socket sits in one slot of one array: N × 16 sockets */
	MAP("reuseport_sockarray.16", BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 4, 16,
	    0, 128, FILL_EMPTY),
	/* pages appear when user space first touches them */
	MAP("arena.256p", ACC_MAP_TYPE_ARENA, 0, 0, 256, BPF_F_MMAPABLE, 64,
	    FILL),
	/* a large arena of which 64 pages are touched */
	MAPX("arena.64kp", ACC_MAP_TYPE_ARENA, 0, 0, 65536, BPF_F_MMAPABLE, 0, 64,
	     16, FILL),
	MAP("struct_ops.tcp_congestion_ops", BPF_MAP_TYPE_STRUCT_OPS, 4, 0, 1, 0,
	    256),
	/* a storage for each cgroup a program using the map is attached to:
	 * 32 maps, the program of each attached to 64 cgroups, then detached
	 * (the storages stay with the cgroups) */
	MAPX("cgroup_storage.k16v8", BPF_MAP_TYPE_CGROUP_STORAGE, 16, 8, 0, 0, 0,
	     64, 32, FILL_EMPTY),
	MAPX("percpu_cgroup_storage.k16v8", BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE,
	     16, 8, 0, 0, 0, 64, 32, FILL_EMPTY),

	/* socket filters of several sizes */
	PROG("prog.2insn", 2, 128),
	PROG("prog.100insn", 100, 64),
	PROG("prog.1000insn", 1000, 32),
	PROG("prog.10000insn", 10000, 8),
};

const int acc_nr_cases = sizeof(acc_cases) / sizeof(acc_cases[0]);
