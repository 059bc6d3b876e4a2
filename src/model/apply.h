/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_APPLY_H
#define BPFMEM_APPLY_H

#include "inventory/inventory.h"

/* The model's real bytes of every map and program of inv (has_real where
 * the model covers it); none when env is NULL (the machine's allocators
 * could not be read). */
void model_apply(const struct model_env *env, struct inventory *inv);

#endif
