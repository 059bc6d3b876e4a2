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
 * iterators are read for the memory cgroups' counters alone
 * (collector_probe()); if nothing else changed, *counters_only is set and
 * inv holds those counters only: the last collection stands. Else, or when
 * the objects changed lately, as pipeline_collect(). 0 or -errno.
 */
int pipeline_sample(struct collector *c, struct inventory *inv,
		    bool *counters_only);

#endif
