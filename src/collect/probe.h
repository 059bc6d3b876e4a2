/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature probes: each tries the thing (reads the file, creates the map,
 * loads and attaches a tiny program), never reads a kernel version. The
 * outcomes go into struct features (kernel_features.h), which decides
 * what bpfmem does with them.
 */
#ifndef BPFMEM_PROBE_H
#define BPFMEM_PROBE_H

#include "collect/kernel_features.h"
#include <bpf/libbpf.h>
#include "base/memcg.h"

/* Probes and collections need it: every object is visible only to it. */
bool probe_cap_sys_admin(void);
/* The cheap ones, for every run: BTF, debugfs. The memory hierarchy is
 * probed by each collection (and by probe_all()). */
void probe_basic(struct features *f);
/* A memory hierarchy is mounted (again at each collection: it may come
 * and go while the daemon runs). */
void probe_memcg(struct features *f);
/* The same, initialising t for the caller (memcg_table_init()): 0 or
 * its -errno. */
int probe_memcg_table(struct features *f, struct memcg_table *t);
/* bpf_map_lookup_percpu_elem() is callable. */
void probe_percpu_lookup(struct features *f);
/* A test program of each iterator bpfmem loads, alone: which one the
 * kernel lacks when bpfmem's own fail to load. */
void probe_iterators(struct features *f);
/* A test fentry program on the first allocation wrapper the accounting
 * hooks' fentry backend hooks, loaded, attached and unloaded. */
void probe_fentry(struct features *f);
/* Everything: the basic ones, vmlinux BTF's functions and members, ring
 * buffers, and a test program of each kind bpfmem loads (iterators,
 * fentry, tracepoint), loaded, attached and unloaded. */
void probe_all(struct features *f);
/* Attaches a cgroup iterator walking the descendants of the cgroup
 * directory root, pre-order; NULL with errno set on failure. */
struct bpf_link *attach_cgroup_iter(struct bpf_program *prog, const char *root);

#endif
