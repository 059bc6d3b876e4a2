/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_NAMES_H
#define BPFMEM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Names as bpftool spells them: the kernel enum's suffix in lower case.
 * NULL for a type this build does not know (print the number then). */
const char *map_type_name(__u32 type);
const char *prog_type_name(__u32 type);
/* Inverse of the above; -1 when the name is unknown. */
int map_type_from_name(const char *name);
int prog_type_from_name(const char *name);
/* name, or "type_N" where name is NULL, as the tables show a type. */
void type_text(char *buf, size_t size, const char *name, __u32 type);

#endif
