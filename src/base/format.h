/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_FORMAT_H
#define BPFMEM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "0 B", "512 B", "1.5 KiB", "88.8 MiB", "1.20 GiB": binary units, three
 * significant digits from KiB on. Returns buf. */
char *format_bytes(uint64_t bytes, char *buf, size_t size);
/* format_bytes(), marked "*" where the sum leaves out objects the
 * real-bytes model does not cover (complete false). Returns buf. */
char *format_bytes_partial(uint64_t bytes, bool complete, char *buf,
			   size_t size);
/* "42%" or "-" when ratio < 0 (unknown). Returns buf. */
char *format_ratio(double ratio, char *buf, size_t size);

#endif
