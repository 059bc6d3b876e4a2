/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Renders an inventory: JSON (bytes, bpftool's field names where they
 * overlap; docs/SCHEMA.md) and tables (human units).
 */
#ifndef BPFMEM_OUTPUT_H
#define BPFMEM_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>
#include "inventory.h"

struct output_opts {
	bool json;
	bool pretty;
	size_t top;		/* 0: all */
};

/* A JSON generator; pretty indents. */
yajl_gen json_gen_new(bool pretty);
/* Writes what the generator holds to out once it is large, or when
 * forced. */
void json_flush(yajl_gen g, FILE *out, bool force);
void json_map(yajl_gen g, const struct inventory *inv,
	      const struct map_info *m);
void json_prog(yajl_gen g, const struct inventory *inv,
	       const struct prog_info *p);

/* The caller sorts the inventory first. */
int print_maps(FILE *out, const struct inventory *inv,
	       const struct output_opts *o);
int print_progs(FILE *out, const struct inventory *inv,
		const struct output_opts *o);
int print_summary(FILE *out, const struct inventory *inv,
		  const struct output_opts *o);
/* Sorts the inventory by memlock itself. */
int print_report(FILE *out, struct inventory *inv,
		 const struct output_opts *o);

#endif
