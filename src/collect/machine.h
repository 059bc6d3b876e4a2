/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_MACHINE_H
#define BPFMEM_MACHINE_H

#include "inventory/model_types.h"

/* This machine's allocators, for the real-bytes model: the page size,
 * the possible CPUs (/sys/devices/system/cpu/possible), the JIT pack size
 * (.../node/possible) and the kmalloc-cg size classes (/sys/kernel/slab).
 * 0 or -errno. */
int machine_read(struct model_env *env);

#endif
