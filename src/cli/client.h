/* SPDX-License-Identifier: GPL-2.0 */
/* The command line's side of bpfmemd's socket (docs/PROTOCOL.md). */
#ifndef BPFMEM_CLIENT_H
#define BPFMEM_CLIENT_H

#include <stddef.h>

#define DAEMON_SOCKET "/run/bpfmem/bpfmemd.sock"

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
	size_t consumed;	/* the line handed out last */
};

/* 0, or -errno: -ENOENT or -ECONNREFUSED when no daemon listens. */
int conn_open(struct conn *c, const char *path);
/* Sends one request line. */
int conn_send(struct conn *c, const char *request);
/* The next response line, without its newline; valid until the next call.
 * -EPIPE when the daemon closed the connection. */
int conn_read_line(struct conn *c, const char **line);
void conn_close(struct conn *c);

#endif
