/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_PIPELINE_H
#define BPFMEM_PIPELINE_H

#include "collect/collector.h"

/*
 * One collection: the kernel's records (collect/), each object joined to
 * its holders, users, links and pins (inventory/), their real bytes
 * (model/), then bpfmem's own objects set apart, counted with their real
 * bytes. What every command and bpfmemd's samples use. 0 or -errno;
 * on error inv holds nothing.
 */
int pipeline_collect(struct collector *c, struct inventory *inv);
/*
 * bpfmemd's sample. Where the last samples found the same objects, the
 * iterators are read for what changed alone (collector_probe()): with
 * *found PROBE_SAME inv holds the memory cgroups' counters, and the last
 * collection stands; with PROBE_MAPS_CHANGED also the maps whose records
 * changed, with their real bytes. Else, or when the objects changed
 * lately, *found is PROBE_OTHER and inv is as pipeline_collect()'s.
 * 0 or -errno.
 */
int pipeline_sample(struct collector *c, struct inventory *inv,
		    enum probe_found *found);

#endif
