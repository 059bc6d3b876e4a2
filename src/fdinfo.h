/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_FDINFO_H
#define BPFMEM_FDINFO_H

#include <stddef.h>
#include <linux/types.h>

/* Reads /proc/self/fdinfo/FD into buf (NUL-terminated). Bytes read, or a
 * negative errno. */
int fdinfo_read(int fd, char *buf, size_t size);
/* Finds the line "KEY:<blanks>NUMBER" in fdinfo text. 0, -ENOENT when the
 * key is absent, -EINVAL when its value is not a number. */
int fdinfo_parse_u64(const char *text, const char *key, __u64 *out);

/* The whole of a (proc or sysfs) text file, NUL-terminated; caller frees.
 * NULL with errno set on failure. */
char *read_text_file(const char *path);

#endif
