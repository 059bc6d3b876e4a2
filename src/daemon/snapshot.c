// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include "daemon/snapshot.h"

#define TMP_NAME "." SNAPSHOT_NAME ".tmp"

static int write_document(int fd, const struct ledger *l,
			  const struct host_info *h, size_t *bytes)
{
	FILE *f = fdopen(fd, "w");
	struct json_writer w;
	int err;

	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	json_init(&w, f, false);
	json_snapshot(&w, l, h);
	err = json_finish(&w);
	if (!err && fflush(f))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	*bytes = ftell(f);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int snapshot_write(const char *dir, gid_t gid, const struct ledger *l,
		   const struct host_info *h, size_t *bytes)
{
	int dfd, fd, err;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* a temporary file left by a killed daemon is simply replaced */
	fd = openat(dfd, TMP_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0640);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (gid != (gid_t)-1 && fchown(fd, -1, gid)) {
		err = -errno;
		close(fd);
		goto out;
	}
	err = write_document(fd, l, h, bytes);
	if (!err && renameat(dfd, TMP_NAME, dfd, SNAPSHOT_NAME))
		err = -errno;
	/* the rename itself must reach the disk */
	if (!err && fsync(dfd))
		err = -errno;
	if (err)
		unlinkat(dfd, TMP_NAME, 0);
out:
	close(dfd);
	return err;
}
