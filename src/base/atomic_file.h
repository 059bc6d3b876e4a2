/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFMEM_ATOMIC_FILE_H
#define BPFMEM_ATOMIC_FILE_H

#include <sys/types.h>
#include <sys/uio.h>

/* What a crash of the machine may do to the file. */
enum atomic_durability {
	/* old or new contents after a crash too: fsync before the rename
	 * (alert state, snapshots) */
	ATOMIC_DURABLE,
	/* rewritten often, and rebuilt by the next write (the memlock
	 * cache in /run, the metrics textfile at every sample): no fsync,
	 * which on a disk-backed /run cost a cold listing's every run a
	 * journal write. A crash of the machine may leave the file empty
	 * until then; the cache's reader checks its header and size */
	ATOMIC_VOLATILE,
};

/*
 * Replaces path with the buffers' bytes so that a reader sees the old file
 * or the new one, never a part: a temporary file beside it, rename.
 * 0 or -errno; nothing is left behind on failure.
 */
int atomic_write(const char *path, mode_t mode, const struct iovec *iov,
		 int iovcnt, enum atomic_durability durability);

#endif
