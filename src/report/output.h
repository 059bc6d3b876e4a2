/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Renders an inventory: JSON (bytes, bpftool's field names where they
 * overlap; docs/SCHEMA.md) and tables (human units).
 */
#ifndef BPFMEM_OUTPUT_H
#define BPFMEM_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "base/json_writer.h"
#include "report/json_objects.h"
#include "model/cgroups.h"
#include "inventory/inventory.h"
#include "model/meminfo.h"
#include "model/packs.h"

struct output_opts {
	bool json;
	bool pretty;
	size_t top;		/* 0: all */
};

/* The summary object of `bpfmem summary --json`; 0 or -ENOMEM. */
int json_summary(struct json_writer *w, const struct inventory *inv);
/* bpfmem's own objects (src/collect/own_filter.h): '*' marks one in a
 * table; a line counts them (none: nothing). */
char own_mark(bool own);
void print_own_note(FILE *out, const struct own_summary *s);

/* The caller sorts the inventory first. */
int print_maps(FILE *out, const struct inventory *inv,
	       const struct output_opts *o);
int print_progs(FILE *out, const struct inventory *inv,
		const struct output_opts *o);
int print_summary(FILE *out, const struct inventory *inv,
		  const struct output_opts *o);
/* --tree indents by depth (the rollup then holds ancestors too);
 * dying_only keeps the cgroups holding charges of removed ones. */
int print_cgroups(FILE *out, const struct cgroup_rollup *r,
		  const struct output_opts *o, bool tree, bool dying_only);
/* The JIT packs, and images with an allocation of their own. */
int print_packs(FILE *out, const struct pack_table *t,
		const struct output_opts *o);
/* The system's BPF memory as a /proc/meminfo-style block. */
int print_meminfo(FILE *out, const struct meminfo *m,
		  const struct output_opts *o);

#endif
