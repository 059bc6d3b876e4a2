/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifecycle events: BPF objects created and freed, written by the lifecycle
 * hooks (bpf/lifecycle.bpf.c) into a ring buffer and read by
 * src/collect/lifecycle.c. Fixed-width fields only.
 */
#ifndef BPFMEM_EVENTS_H
#define BPFMEM_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BPFMEM_EV_COMM_LEN 16
#define BPFMEM_EV_NAME_LEN 16

enum bpfmem_event_kind {
	BPFMEM_EV_MAP_CREATE = 1,
	BPFMEM_EV_MAP_FREE = 2,
	BPFMEM_EV_PROG_LOAD = 3,
	BPFMEM_EV_PROG_FREE = 4,
};

struct bpfmem_event {
	__u64 time_ns;		/* CLOCK_BOOTTIME */
	__u64 kaddr;		/* struct bpf_map * or struct bpf_prog * */
	__u64 cgroup_id;	/* creator's cgroup (default hierarchy); 0 on free */
	__u64 memcg_id;		/* memory cgroup charged; 0 when unknown */
	__u32 kind;		/* enum bpfmem_event_kind */
	__u32 id;		/* map or program id */
	__u32 obj_type;		/* enum bpf_map_type or bpf_prog_type */
	__u32 pid;		/* creator's thread id; 0 on free */
	__u32 tgid;
	__u32 uid;
	char comm[BPFMEM_EV_COMM_LEN];	/* creator's comm; "" on free */
	char name[BPFMEM_EV_NAME_LEN];	/* the object's name */
};

#endif /* BPFMEM_EVENTS_H */
