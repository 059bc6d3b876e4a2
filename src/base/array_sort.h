/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qsort() for arrays that are often in order already: the kernel's
 * iterators hand maps, programs and cgroups over by id, and bpfmemd sorts
 * them again at every sample. Takes n of 0 with a NULL base, which qsort
 * does not.
 */
#ifndef BPFMEM_ARRAY_SORT_H
#define BPFMEM_ARRAY_SORT_H

#include <stdlib.h>

static inline void sort_array(void *base, size_t n, size_t size,
			      int (*cmp)(const void *, const void *))
{
	const char *p = base;
	size_t i = 1;

	while (i < n && cmp(p + (i - 1) * size, p + i * size) <= 0)
		i++;
	if (i < n)
		qsort(base, n, size, cmp);
}

#endif
