/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bpfmem report`: the answer first (real bytes against memlock, and who
 * is charged), then who pays (memory cgroups), the largest objects and
 * the maps nearly full or mostly empty.
 */
#ifndef BPFMEM_REPORT_H
#define BPFMEM_REPORT_H

#include <stdio.h>
#include "base/json_writer.h"
#include "inventory/inventory.h"
#include "report/output.h"

/* The report object of `bpfmem report --json` (docs/SCHEMA.md); sorts
 * the inventory by real bytes itself. 0 or -errno. */
int json_report(struct json_writer *w, struct inventory *inv);
/* The report as text, or as JSON with o->json; sorts the inventory by
 * real bytes itself. 0 or -errno. */
int print_report(FILE *out, struct inventory *inv,
		 const struct output_opts *o);

#endif
