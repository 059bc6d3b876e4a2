// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include "daemon/listen.h"

static int activated_socket(char *msg, size_t size)
{
	int n = sd_listen_fds(true), fd = SD_LISTEN_FDS_START;

	if (n <= 0)
		return n ? n : -ENOENT;
	if (n > 1 || sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
		snprintf(msg, size, "systemd passed %d sockets, expected one listening Unix stream socket: check ListenStream= in bpfmemd.socket",
			 n);
		return -EINVAL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	return fd;
}

/* A socket file nobody answers on is left by a daemon that died. */
static int remove_stale(const char *path, const struct sockaddr_un *addr,
			char *msg, size_t size)
{
	struct stat st;
	int fd, err = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(msg, size, "%s exists and is not a socket: remove it or set another socket path",
			 path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)addr, sizeof(*addr))) {
		snprintf(msg, size, "another bpfmemd is serving %s: stop it first, or set another socket path",
			 path);
		err = -EADDRINUSE;
	} else if (errno == ECONNREFUSED && unlink(path) && errno != ENOENT) {
		err = -errno;
		snprintf(msg, size, "removing the stale socket %s failed: %s",
			 path, strerror(errno));
	}
	close(fd);
	return err;
}

static int bind_socket(const char *path, char *msg, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	mode_t old_mask;
	int fd, err;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(msg, size, "creating the socket directory %s failed: %s",
			 dir, strerror(errno));
		return err;
	}
	err = remove_stale(path, &addr, msg, size);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* 0666: the server sees every peer, so a refusal is logged with
	 * its credentials instead of failing unseen in connect() */
	old_mask = umask(0111);
	err = bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ? -errno : 0;
	umask(old_mask);
	if (!err && listen(fd, SOMAXCONN))
		err = -errno;
	if (err) {
		snprintf(msg, size, "binding the socket %s failed: %s", path,
			 strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

int listen_socket(const char *path, bool *activated, char *msg,
		  size_t size)
{
	int fd = activated_socket(msg, size);

	*activated = fd >= 0;
	if (fd != -ENOENT)
		return fd;
	return bind_socket(path, msg, size);
}
