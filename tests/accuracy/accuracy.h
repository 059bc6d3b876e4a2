/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground-truth harness (issue 3): what the kernel charges for a BPF
 * object created and filled alone in a fresh memory cgroup, beside the
 * memlock figure of fdinfo. See tests/accuracy/README.md.
 */
#ifndef BPFMEM_ACCURACY_H
#define BPFMEM_ACCURACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

/* Newer than the 6.1 UAPI headers of Debian 12; the values are ABI. */
#define ACC_MAP_TYPE_CGRP_STORAGE 32
#define ACC_MAP_TYPE_ARENA 33

#define ACC_MAX_OBJS 512	/* identical objects measured together */
#define ACC_MAX_STEPS 10
#define ACC_SCRATCH 4096	/* largest key or value the BPF filler takes */

enum acc_kind {
	ACC_MAP,
	ACC_PROG,
};

/* Who inserts the elements. */
enum acc_filler {
	FILL_USER,		/* bpf(2) from the case's process */
	FILL_BPF,		/* a BPF program run by BPF_PROG_TEST_RUN */
};

/*
 * One measured point of a case. Element steps act on keys [0, E) where E
 * is the case's fill target: HALF inserts the first half, FULL the second,
 * UPDATE overwrites every key, DEL_HALF and DEL_ALL delete the two halves,
 * REFILL inserts the first half again.
 */
enum acc_step {
	STEP_END,
	STEP_HALF,
	STEP_FULL,
	STEP_UPDATE,
	STEP_DEL_HALF,
	STEP_DEL_ALL,
	STEP_REFILL,
	STEP_REOPEN,		/* a second fd to every object, by id */
};

struct acc_case {
	const char *name;	/* unique, [a-z0-9_.-] */
	enum acc_kind kind;
	__u32 map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u64 map_extra;
	__u32 fill_target;	/* E; 0: max_entries */
	__u32 objs;		/* N identical objects */
	__u32 prog_insns;	/* ACC_PROG: instructions a program */
	enum acc_filler filler;
	enum acc_step steps[ACC_MAX_STEPS];
};

/* What one step measured, for all N objects together. */
struct acc_sample {
	enum acc_step step;	/* STEP_END: the objects as created */
	__s64 memcg_bytes;	/* memcg counter minus the baseline */
	__s64 mapping_bytes;	/* the process's own page tables and VMAs
				 * (arenas), minus the baseline's */
	__u64 memlock;		/* sum over the objects */
	__u64 elements;		/* sum over the objects; counted where possible */
	bool elements_counted;	/* false: what was inserted, not counted */
	__u32 settle_ms;	/* of the last settle */
	bool settled;		/* false also: it moved at every reread */
	__u32 rereads;		/* the counter moved while the step was read */
	bool has_real;		/* the model's figure, once there is one */
	__u64 real;
	/* the accounting hooks' figure (--traced), summed over the objects;
	 * false when they did not see every object whole */
	bool has_traced;
	__s64 traced;
	/* --daemon: maps whose traced_vs_model_pct is beyond 2%, and maps
	 * whose traced_vs_model reason says otherwise (told within 2%, or not
	 * told beyond) */
	__u32 disagree;
	__u32 told_wrongly;
};

struct acc_result {
	const struct acc_case *c;
	bool skipped;		/* the kernel would not create it here */
	bool failed;		/* the harness could not measure it */
	char why[320];		/* of either, with the child's message */
	bool noisy;		/* others' per-CPU allocations in every try */
	__u32 objs;
	__u32 max_entries;	/* as the kernel reports it */
	__u32 fill_target;
	/* per-CPU bytes allocated while creating, all CPUs: every one, and
	 * those of them charged to the case's memcg (already in memcg_bytes) */
	__s64 pcpu_create;
	__s64 pcpu_create_charged;
	__s64 pcpu_trace_net;	/* the tracer's net, a cross-check */
	__u32 tries;
	__u32 ms;		/* the whole case, every try */
	int nr_samples;
	struct acc_sample samples[ACC_MAX_STEPS];
	/* after every fd is closed and the objects are freed */
	__s64 leftover_memcg;
	__s64 leftover_pcpu;
	bool leftover_settled;
	/* ACC_PROG: as bpf_prog_info reports the first program */
	__u32 xlated_len;
	__u32 jited_len;
};

/* Ground truth of a sample: the memcg delta, without what the case's
 * process's own mappings charge, plus the per-CPU bytes of the creation
 * that no memcg was charged for. All N objects together. */
static inline __s64 acc_truth(const struct acc_result *r,
			      const struct acc_sample *s)
{
	return s->memcg_bytes - s->mapping_bytes +
	       (r->pcpu_create - r->pcpu_create_charged);
}

const char *acc_step_name(enum acc_step step);

/*
 * The real-bytes model (model_hook.c): loads bpfmem's collector, 0 or
 * -errno with msg saying why. Then, right after a sample is measured, the
 * model's figure for it, all N objects together, from the iterators'
 * records of the objects (map or program ids, r->objs of them): 0,
 * -EOPNOTSUPP where
 * the model does not cover the type, -ENOSYS without the collector.
 */
int model_hook_init(char *msg, size_t msg_size);
void model_hook_exit(void);
int real_bytes_for_case(const struct acc_result *r,
			const struct acc_sample *s, const __u32 *ids,
			__u64 *real);

extern const struct acc_case acc_cases[];
extern const int acc_nr_cases;

#endif
