/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded history of the ledger's figures for trends: the time of every
 * sample in a ring, and per object (map, program, memory cgroup, the
 * total) only the samples where its figures changed, so that ten thousand
 * idle maps cost next to nothing however long the history.
 */
#ifndef BPFMEMD_HISTORY_H
#define BPFMEMD_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define HIST_VALUES 4

enum hist_kind {
	HIST_TOTAL,
	HIST_MAP,
	HIST_PROG,
	HIST_MEMCG,
	NR_HIST_KINDS,
};

/* One object's figures in one sample; what each v[] is depends on the
 * kind (render.h names them). */
struct hist_value {
	__u64 id;
	__u64 v[HIST_VALUES];
};

struct hist_point {
	__u64 seq;		/* sample from which these figures hold */
	__u64 v[HIST_VALUES];
	bool gone;		/* the object no longer exists from seq on */
};

struct hist_series {
	__u64 id;
	struct hist_point *pts;	/* ascending seq */
	size_t n, cap;
};

struct history {
	__u64 *times;		/* wall-clock ms of sample seq at seq % cap */
	size_t cap;
	__u64 first_seq;	/* samples held: [first_seq, next_seq) */
	__u64 next_seq;
	struct hist_series *series[NR_HIST_KINDS];	/* ascending id */
	size_t nr_series[NR_HIST_KINDS];
};

int history_init(struct history *h, size_t samples);
/* Keeps the newest samples that fit. */
int history_resize(struct history *h, size_t samples);
void history_free(struct history *h);
/* Starts a sample taken at time_ms; the oldest falls out when full. */
int history_begin(struct history *h, __u64 time_ms);
/* The current sample's figures of one kind, ascending id: objects not in
 * vals have gone. 0 or -ENOMEM (the history is then left as it was). */
int history_put(struct history *h, enum hist_kind kind,
		const struct hist_value *vals, size_t n);
/* Some objects' figures in the current sample, ascending id, where every
 * other object of the kind keeps its figures (a sample that patched a few
 * maps): -ENOENT, changing nothing, for an object without a series, else
 * 0 or -ENOMEM (the history is then left as it was). */
int history_update(struct history *h, enum hist_kind kind,
		   const struct hist_value *vals, size_t n);

typedef void (*hist_visit)(void *ctx, __u64 time_ms, const __u64 *v);
/* Calls visit, oldest first, for every sample taken at since_ms or later
 * in which the object existed. -ENOENT when the history holds nothing of
 * it. */
int history_walk(const struct history *h, enum hist_kind kind, __u64 id,
		 __u64 since_ms, hist_visit visit, void *ctx);

/* The object's figures in the oldest sample taken at since_ms or later
 * in which it existed, and that sample's time. -ENOENT when there is
 * none. */
int history_since(const struct history *h, enum hist_kind kind, __u64 id,
		  __u64 since_ms, __u64 *time_ms, __u64 v[HIST_VALUES]);

#endif
