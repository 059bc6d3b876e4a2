/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON of one map, program, memory cgroup and of bpfmem's own objects
 * (docs/SCHEMA.md: bytes, bpftool's field names where they overlap): what
 * `bpfmem --json`, the report, bpfmemd's answers and its snapshots all
 * write, from one place.
 */
#ifndef BPFMEM_JSON_OBJECTS_H
#define BPFMEM_JSON_OBJECTS_H

#include "base/json_writer.h"
#include "inventory/inventory.h"
#include "model/cgroups.h"

/* "type": its name, or the number of a type without one (as bpftool). */
void json_kv_type(struct json_writer *w, const char *name, __u32 type);
void json_map(struct json_writer *w, const struct inventory *inv,
	      const struct map_info *m);
void json_prog(struct json_writer *w, const struct inventory *inv,
	       const struct prog_info *p);
/* One element of `bpfmem cgroups --json`. */
void json_cgroup(struct json_writer *w, const struct cgroup_info *c);
/* "bpfmem_own": how many of bpfmem's own objects, their bytes, whether
 * listed (src/collect/own_filter.h). */
void json_own(struct json_writer *w, const struct own_summary *s);

#endif
