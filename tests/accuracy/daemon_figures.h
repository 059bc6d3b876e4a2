/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --daemon: the accounting hooks' figures as a running bpfmemd reports
 * them, in the `maps` and `progs` results that `bpfmem maps --json` prints
 * through it.
 */
#ifndef BPFMEM_ACC_DAEMON_FIGURES_H
#define BPFMEM_ACC_DAEMON_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* What the daemon said of a batch of objects. */
struct daemon_figures {
	__s64 traced;		/* bytes_traced summed */
	bool whole;		/* every object had a bytes_traced */
	/* maps whose traced_vs_model_pct is beyond 2% in either direction,
	 * and those of them that carry a traced_vs_model reason */
	__u32 disagree;
	__u32 disagree_told;
	/* maps with a reason but within 2%, or with a figure missing */
	__u32 told_wrongly;
};

/*
 * Waits until the daemon at sock has begun two samples since the call
 * (so the last one started after everything before the call happened),
 * then reads the objects with these ids (prog_ids[i] != 0: a program,
 * else the map ids[i]). 0, or -errno with msg saying what failed.
 */
int daemon_figures_read(const char *sock, const __u32 *ids,
			const __u32 *prog_ids, int n,
			struct daemon_figures *out, char *msg, size_t size);

#endif
