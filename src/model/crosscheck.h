/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting hooks' figure of an object (bytes_traced) beside the
 * real-bytes model's: whether it is known, and why they differ.
 */
#ifndef BPFMEM_CROSSCHECK_H
#define BPFMEM_CROSSCHECK_H

#include <stdbool.h>
#include "inventory/inventory.h"

/* Beyond this the two figures are said to disagree (issue 3). */
#define TRACED_TOLERANCE_PCT 2.0

/* The live bytes the hooks traced, when they saw the object whole: false
 * for objects created before they ran or whose allocations did not all
 * fit their address table. */
bool traced_bytes(bool has_traced, const struct bpfmem_traced *t,
		  __u64 *bytes);

struct traced_cmp {
	bool has_pct;		/* both figures known */
	double pct;		/* (traced - model) / model, in percent,
				 * one decimal */
	const char *reason;	/* NULL within the tolerance */
};

/* The hooks against the model for a map. */
void traced_compare_map(const struct map_info *m, struct traced_cmp *out);

#endif
