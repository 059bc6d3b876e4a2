/* SPDX-License-Identifier: GPL-2.0 */
/* The command line's side of bpfmemd's socket (docs/PROTOCOL.md). */
#ifndef BPFMEM_CLIENT_H
#define BPFMEM_CLIENT_H

#include <stddef.h>
#include <stdio.h>

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
/* Copies the answer line {"cmd":RESULT}, head being its {"cmd": , to
 * out as RESULT and a newline while it arrives: an answer of 10,000 maps
 * (10 MB) is never held whole. 0; 1 when the line is something else (an
 * error), left for conn_read_line(); -EPIPE when the daemon closed the
 * connection, -EPROTO for a line that does not end as it must, -EIO when
 * out fails. Part of RESULT may have been written on a negative return. */
int conn_copy_result(struct conn *c, const char *head, FILE *out);
void conn_close(struct conn *c);

#endif
