/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands answered by bpfmemd: the command line prints what the daemon
 * sends, exactly as it would print its own collection.
 */
#ifndef BPFMEM_REMOTE_H
#define BPFMEM_REMOTE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "client.h"
#include "output.h"

/* maps, progs, summary, report, cgroups; sort may be NULL. 0, or
 * negative after the error was printed. */
int remote_print(struct conn *c, const char *cmd, const char *sort,
		 const struct output_opts *o, FILE *out);
/* The event log; with follow, then every new event until interrupted. */
int remote_events(struct conn *c, bool follow, const struct output_opts *o,
		  FILE *out);
/* object: total, map, prog or cgroup; range may be NULL (all). */
int remote_history(struct conn *c, const char *object, __u64 id,
		   const char *range, const struct output_opts *o, FILE *out);
/* Has the daemon write its snapshot, and copies it to path (NULL: prints
 * where it is). */
int remote_snapshot(struct conn *c, const char *path, FILE *out);

#endif
