/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STATE_DIR/snapshot.json: the whole ledger in one JSON document, replaced
 * atomically (temporary file, fsync, rename, fsync of the directory) so
 * that a reader sees the old document or the new one, never a mix, even
 * when the daemon is killed while writing.
 */
#ifndef BPFMEMD_SNAPSHOT_H
#define BPFMEMD_SNAPSHOT_H

#include <stddef.h>
#include <sys/types.h>
#include "daemon/ledger.h"
#include "daemon/render.h"

#define SNAPSHOT_NAME "snapshot.json"

/* Writes the snapshot, mode 0640 with group gid ((gid_t)-1: unchanged).
 * 0 with its size in *bytes, or -errno. */
int snapshot_write(const char *dir, gid_t gid, const struct ledger *l,
		   const struct host_info *h, size_t *bytes);

#endif
