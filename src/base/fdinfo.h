/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_FDINFO_H
#define BPFMEM_FDINFO_H

#include <stddef.h>
#include <linux/types.h>

/* Reads /proc/self/fdinfo/FD into buf (NUL-terminated). Bytes read, or a
 * negative errno. */
int fdinfo_read(int fd, char *buf, size_t size);
/*
 * The fdinfo of one descriptor after another through one open file:
 * /proc/self/fdinfo/<slot>, where each descriptor is moved into the slot
 * in turn; the kernel looks the slot up again at every read. A cold run
 * reads the fdinfo of every map: this saves each a path lookup in procfs
 * and a close.
 */
struct fdinfo_slot {
	int slot;	/* the descriptor number read */
	int info;	/* /proc/self/fdinfo/<slot> */
};

/* 0 or a negative errno. */
int fdinfo_slot_open(struct fdinfo_slot *s);
/* Moves fd into the slot (fd is closed, whatever the result) and reads
 * its fdinfo into buf (NUL-terminated): bytes read or a negative errno.
 * s NULL (no slot could be opened): fdinfo_read(), then close. */
int fdinfo_slot_read(struct fdinfo_slot *s, int fd, char *buf, size_t size);
/* Closes the slot and the descriptor last moved there. */
void fdinfo_slot_close(struct fdinfo_slot *s);

/* Finds the line "KEY:<blanks>NUMBER" in fdinfo text. 0, -ENOENT when the
 * key is absent, -EINVAL when its value is not a number. */
int fdinfo_parse_u64(const char *text, const char *key, __u64 *out);

/* The whole of a (proc or sysfs) text file, NUL-terminated; caller frees.
 * NULL with errno set on failure. */
char *read_text_file(const char *path);

#endif
