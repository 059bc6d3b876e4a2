// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "cli/client.h"

int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int err;

	*c = (struct conn){ .fd = -1 };
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		conn_close(c);
		return err;
	}
	return 0;
}

int conn_send(struct conn *c, const char *request)
{
	size_t len = strlen(request), off = 0;

	while (off < len) {
		ssize_t n = send(c->fd, request + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	return send(c->fd, "\n", 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int conn_read_line(struct conn *c, const char **line)
{
	char *nl;

	/* drop the line handed out last time */
	if (c->consumed) {
		memmove(c->buf, c->buf + c->consumed, c->len - c->consumed);
		c->len -= c->consumed;
		c->consumed = 0;
	}
	/* only the bytes not searched yet: a line can be megabytes, read
	 * in many pieces */
	for (size_t seen = 0;;) {
		ssize_t n;

		nl = c->len > seen ? memchr(c->buf + seen, '\n', c->len - seen) :
				     NULL;
		if (nl)
			break;
		seen = c->len;
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 1 << 17;
			char *bigger = realloc(c->buf, cap);

			if (!bigger)
				return -ENOMEM;
			c->buf = bigger;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;
		c->len += n;
	}
	*nl = '\0';
	*line = c->buf;
	c->consumed = nl - c->buf + 1;
	return 0;
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	*c = (struct conn){ .fd = -1 };
}
