/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_SORT_H
#define BPFMEM_SORT_H

#include <stdbool.h>
#include "inventory/inventory.h"

enum sort_object {
	SORT_MAPS,
	SORT_PROGS,
};

struct sort_spec {
	int key;		/* index into the object's field table */
	bool descending;
};

/*
 * FIELD or FIELD:asc / FIELD:desc. Sizes sort largest first by default,
 * names and ids ascending. 0, or -EINVAL with *err pointing at a static
 * message listing the valid fields.
 */
int sort_spec_parse(const char *text, enum sort_object obj,
		    struct sort_spec *out, const char **err);
/* The default order: real bytes, largest first (unknown last). */
struct sort_spec sort_spec_default(enum sort_object obj);
void sort_maps(struct map_info *maps, size_t n, struct sort_spec spec);
void sort_progs(struct prog_info *progs, size_t n, struct sort_spec spec);
/* The same, of pointers to them. */
void sort_map_refs(const struct map_info **maps, size_t n,
		   struct sort_spec spec);
void sort_prog_refs(const struct prog_info **progs, size_t n,
		    struct sort_spec spec);

#endif
