/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A walk of a directory tree from its entries alone (d_type, d_ino): no
 * stat() of each entry, which cost the walks of cgroupfs and bpffs most
 * of a sample.
 */
#ifndef BPFMEM_DIRWALK_H
#define BPFMEM_DIRWALK_H

#include <dirent.h>
#include <stddef.h>

/* An entry at path: < 0 stops the walk with that error, 0 goes on,
 * DIRWALK_ENTER descends into it (a directory). */
#define DIRWALK_ENTER 1
typedef int (*dirwalk_fn)(void *ctx, const char *path,
			  const struct dirent *de);

/* Calls visit for every entry below the directory dfd (closed on
 * return), whose path is path[0..len); path has room for size bytes and
 * holds each entry's path in turn. A directory removed meanwhile is
 * skipped. 0 or the first error. */
int dirwalk(int dfd, char *path, size_t len, size_t size, dirwalk_fn visit,
	    void *ctx);

#endif
