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

#endif
