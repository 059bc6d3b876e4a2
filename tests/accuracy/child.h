/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process a case runs in. It prepares everything the objects refer to
 * (sockets, inner maps, the BPF filler...) while still in the harness's
 * cgroup, moves itself into the case's fresh cgroup, and from then on does
 * nothing but the BPF calls the parent asks for, so that the cgroup's
 * counter sees the objects alone. Requests and replies go through shared
 * memory and eventfds, which allocate no kernel memory.
 */
#ifndef BPFMEM_ACC_CHILD_H
#define BPFMEM_ACC_CHILD_H

#include <stdbool.h>
#include <sys/types.h>
#include "accuracy.h"
#include "measure.h"

enum acc_cmd {
	CMD_CREATE = 1,
	CMD_STEP,
	CMD_CLOSE,
	CMD_EXIT,
};

struct acc_shm {
	enum acc_cmd cmd;
	enum acc_step step;
	int err;		/* reply: 0 or -errno, with msg */
	char msg[256];
	int nfds;		/* the objects' fds in the child */
	int fds[ACC_MAX_OBJS];
	__u64 elements;		/* sum over the objects after the request */
	bool counted;
	__u32 max_entries;	/* of the first object, as the kernel has it */
	__u32 fill_target;
	__u32 xlated_len;
	__u32 jited_len;
};

struct acc_child {
	pid_t pid;
	int to_child;		/* eventfds */
	int to_parent;
	struct acc_shm *shm;
};

/* Forks the case's process; returns once it is in cgroup cg and idle, or
 * with its error (its message in ch->shm->msg). */
int acc_child_start(const struct acc_env *env, const struct acc_case *c,
		    const char *cg, struct acc_child *ch);
/* One request; the child's reply. */
int acc_child_call(struct acc_child *ch, enum acc_cmd cmd, enum acc_step step);
/* Ends the process (if still there) and frees the channel. */
void acc_child_stop(struct acc_child *ch);

#endif
