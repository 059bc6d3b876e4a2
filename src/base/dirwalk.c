// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "base/dirwalk.h"
#include "base/log.h"

int dirwalk(int dfd, char *path, size_t len, size_t size, dirwalk_fn visit,
	    void *ctx)
{
	struct dirent *de;
	DIR *d = fdopendir(dfd);
	int err = 0;

	if (!d) {
		close(dfd);
		return -errno;
	}
	while (!err && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + n >= size) {
			log_warn("path too long under %s; skipped\n", path);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		err = visit(ctx, path, de);
		if (err == DIRWALK_ENTER) {
			err = 0;
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub >= 0)
				err = dirwalk(sub, path, len + 1 + n, size,
					      visit, ctx);
		}
		path[len] = '\0';
	}
	closedir(d);
	return err;
}
