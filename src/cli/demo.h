/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfmem demo: something real to report on a machine where nothing is
 * loaded. A child process in a scratch memory cgroup creates a hash, an
 * array, a per-CPU hash, an LRU hash, a ring buffer and a program, and
 * fills the maps; the report of those objects alone is printed; then the
 * child exits (its objects are freed with its descriptors) and the
 * cgroup is removed, on an error or SIGINT, SIGTERM or SIGHUP too.
 */
#ifndef BPFMEM_DEMO_H
#define BPFMEM_DEMO_H

#include <stdio.h>
#include "collect/collector.h"
#include "report/output.h"

/* copts: how to collect (the command line's); returns an exit code
 * (enum bpfmem_exit), what failed said on stderr. */
int demo_run(const struct collector_opts *copts, const struct output_opts *o,
	     FILE *out);

#endif
