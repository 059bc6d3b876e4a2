// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "cli/client.h"

/* how long a receive keeps trying before it sleeps (receive()) */
#define SPIN_NS 1000000

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

/* Drops the line handed out last time. */
static void drop_consumed(struct conn *c)
{
	if (c->consumed) {
		memmove(c->buf, c->buf + c->consumed, c->len - c->consumed);
		c->len -= c->consumed;
		c->consumed = 0;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Receives what comes next after the bytes held; 0, -EPIPE at the end.
 * With spin (an answer streaming in), a receive that finds nothing tries again at once for up
 * to SPIN_NS since the last bytes came, and only then sleeps: a sleeping
 * reader is woken for each 32 KB bpfmemd sends, and in a virtual machine
 * each wakeup is an interrupt sent between CPUs. Those were a fifth of
 * the daemon's time for an answer of 10,000 maps.
 */
static int receive(struct conn *c, bool spin)
{
	uint64_t since = spin ? now_ns() : 0;

	for (;;) {
		int flags = since ? MSG_DONTWAIT : 0;
		ssize_t n;

		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 1 << 17;
			char *bigger = realloc(c->buf, cap);

			if (!bigger)
				return -ENOMEM;
			c->buf = bigger;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, flags);
		if (n < 0 && errno == EAGAIN && since) {
			if (now_ns() - since > SPIN_NS)
				since = 0;
			/* the CPU goes to whoever else waits for it: bpfmemd
			 * sampling meanwhile, say */
			sched_yield();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;
		c->len += n;
		return 0;
	}
}

int conn_read_line(struct conn *c, const char **line)
{
	char *nl;
	int err;

	drop_consumed(c);
	/* only the bytes not searched yet: a line can be megabytes, read
	 * in many pieces */
	for (size_t seen = 0;;) {
		nl = c->len > seen ? memchr(c->buf + seen, '\n', c->len - seen) :
				     NULL;
		if (nl)
			break;
		seen = c->len;
		err = receive(c, false);
		if (err)
			return err;
	}
	*nl = '\0';
	*line = c->buf;
	c->consumed = nl - c->buf + 1;
	return 0;
}

static int put(FILE *out, const char *s, size_t n)
{
	return fwrite(s, 1, n, out) == n ? 0 : -EIO;
}

int conn_copy_result(struct conn *c, const char *head, FILE *out)
{
	size_t n = strlen(head), off;
	int err;

	drop_consumed(c);
	while (c->len < n + 1 && !(c->len && memchr(c->buf, '\n', c->len))) {
		err = receive(c, true);
		if (err)
			return err;
	}
	if (c->len < n + 1 || memcmp(c->buf, head, n))
		return 1;
	/* the line's last byte before its newline closes the outer object:
	 * held back until the newline shows which byte is last */
	for (off = n;;) {
		char *nl = memchr(c->buf + off, '\n', c->len - off);

		if (nl) {
			size_t end = nl - c->buf;

			if (end <= off || c->buf[end - 1] != '}')
				return -EPROTO;
			c->consumed = end + 1;
			return put(out, c->buf + off, end - 1 - off) ?:
			       put(out, "\n", 1);
		}
		if (c->len - off > 1) {
			err = put(out, c->buf + off, c->len - off - 1);
			if (err)
				return err;
			c->buf[0] = c->buf[c->len - 1];
			c->len = 1;
			off = 0;
		}
		err = receive(c, true);
		if (err)
			return err;
	}
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	*c = (struct conn){ .fd = -1 };
}
