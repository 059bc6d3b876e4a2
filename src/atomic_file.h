/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_ATOMIC_FILE_H
#define BPFMEM_ATOMIC_FILE_H

#include <sys/types.h>
#include <sys/uio.h>

/*
 * Replaces path with the buffers' bytes so that a reader sees the old file
 * or the new one, never a part: a temporary file beside it, fsync, rename.
 * 0 or -errno; nothing is left behind on failure.
 */
int atomic_write(const char *path, mode_t mode, const struct iovec *iov,
		 int iovcnt);

#endif
