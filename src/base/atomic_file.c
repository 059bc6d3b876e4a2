// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "base/atomic_file.h"

int atomic_write(const char *path, mode_t mode, const struct iovec *iov,
		 int iovcnt, enum atomic_durability durability)
{
	char tmp[4096];
	size_t want = 0;
	ssize_t n;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (int i = 0; i < iovcnt; i++)
		want += iov[i].iov_len;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	n = writev(fd, iov, iovcnt);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != want)
		err = -EIO;
	if (!err && durability == ATOMIC_DURABLE && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
